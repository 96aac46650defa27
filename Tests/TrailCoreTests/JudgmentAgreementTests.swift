import Foundation
import XCTest
import GitFormat
@testable import TrailCore

/// `trail audit agreement` read from committed records: every statistic against the Python
/// libraries (krippendorff, statsmodels, scikit-learn through `scripts/stats_reference.py`) on the
/// same judgments, and Krippendorff's published example stored as judgments. Covers what the
/// statistics see only through records: missing judgments, samples with a single judgment
/// (which alpha leaves out), uneven numbers of judgments (Fleiss' kappa null) and guideline groups.
final class JudgmentAgreementTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("trail-judgments-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// One judgment as the test writes it: annotator index, label index (nil: a missing label), guideline.
    typealias Given = (annotator: Int, label: Int?, guideline: String)

    /// Commits samples `s0…` with final labels `finals` and `judgments` to a new store (or `store`), and returns the report of HEAD.
    private func commit(finals: [Int], judgments: [[Given]], store existing: Store? = nil, name: String = "v.jsonl") throws -> (Store, AgreementReport) {
        var lines = ""
        for (k, final) in finals.enumerated() {
            var row: [String: Any] = ["id": "s\(k)", "label": "L\(final)", "annotator": "final", "guideline": "v1"]
            if !judgments[k].isEmpty {
                row["judgments"] = judgments[k].map { j -> [String: Any] in
                    ["annotator": "a\(j.annotator)", "label": j.label.map { "L\($0)" as Any } ?? NSNull(), "guideline": j.guideline, "at": "2026-01-01T00:00:00Z"]
                }
            }
            lines += String(decoding: try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]), as: UTF8.self) + "\n"
        }
        let path = folder.appendingPathComponent(name).path
        try lines.write(toFile: path, atomically: true, encoding: .utf8)
        let store = try existing ?? Store.create(at: folder.appendingPathComponent(".trail").path, config: DatasetConfig())
        _ = try Committer(store: store).commit(CommitRequest(manifestPath: path, message: name,
                                                             author: Signature(name: "Test", email: "test@example.org", time: 1_700_000_000)))
        return (store, try Auditor(store: store).agreement(at: "HEAD"))
    }

    /// Krippendorff's layout of `units` (only those with labels): one row per annotator, nil where they did not judge.
    private func coders(_ judgments: [[Given]], annotators: Int, keep: (Given) -> Bool = { _ in true }) -> [[Int?]] {
        var rows = [[Int?]](repeating: [Int?](repeating: nil, count: judgments.count), count: annotators)
        for (u, unit) in judgments.enumerated() { for j in unit where keep(j) { if let l = j.label { rows[j.annotator][u] = l } } }
        return rows
    }

    /// Random judgments: 0 to 4 per sample from distinct annotators, some labels missing, two
    /// guideline versions; annotator 0 is careful, annotator 1 flags label 0 as label 1.
    private func randomJudgments(samples: Int, annotators: Int, labels: Int, seed: UInt64) -> (finals: [Int], judgments: [[Given]]) {
        var rng = SeededGenerator(seed: seed)
        var finals: [Int] = [], judgments: [[Given]] = []
        for _ in 0..<samples {
            let final = rng.below(labels)
            var unit: [Given] = []
            var who = Array(0..<annotators)
            for _ in 0..<rng.below(5) {
                let a = who.remove(at: rng.below(who.count))
                var label: Int? = rng.unit() < (a == 0 ? 0.95 : 0.7) ? final : rng.below(labels)
                if a == 1 && final == 0 { label = 1 }
                if rng.unit() < 0.05 { label = nil }
                unit.append((a, label, rng.unit() < 0.5 ? "v1" : "v2"))
            }
            finals.append(final)
            judgments.append(unit)
        }
        return (finals, judgments)
    }

    /// Every statistic of the report against the libraries, computed on the same judgments.
    func testAgreementMatchesKrippendorffStatsmodelsAndScikitLearn() throws {
        let annotators = 6, labels = 4
        let (finals, judgments) = randomJudgments(samples: 400, annotators: annotators, labels: labels, seed: 17)
        let (_, report) = try commit(finals: finals, judgments: judgments)

        // The samples and judgments the report counts, worked out here.
        let valued = judgments.map { $0.filter { $0.label != nil } }
        XCTAssertEqual(report.samples, valued.filter { $0.count >= 2 }.count)
        XCTAssertEqual(report.singleJudgmentSamples, valued.filter { $0.count == 1 }.count)
        XCTAssertGreaterThan(report.singleJudgmentSamples, 0)
        XCTAssertEqual(report.missingJudgments, judgments.joined().filter { $0.label == nil }.count)
        XCTAssertGreaterThan(report.missingJudgments, 0)
        XCTAssertEqual(report.judgments, valued.joined().count)
        XCTAssertEqual(report.snapshotSamples, 400)

        var datasets: [StatisticsTests.Dataset] = [
            .init(name: "all", coders: coders(judgments, annotators: annotators), truth: [0], predicted: [0]),
        ]
        for g in ["v1", "v2"] {
            datasets.append(.init(name: "guideline \(g)", coders: coders(judgments, annotators: annotators) { $0.guideline == g }, truth: [0], predicted: [0]))
        }
        for l in 0..<labels {
            let units = judgments.indices.filter { finals[$0] == l }.map { judgments[$0] }
            datasets.append(.init(name: "label L\(l)", coders: coders(units, annotators: annotators), truth: [0], predicted: [0]))
        }
        for a in 0..<annotators {
            var truth: [Int] = [], predicted: [Int] = []
            for (u, unit) in judgments.enumerated() { for j in unit where j.annotator == a { if let l = j.label { truth.append(finals[u]); predicted.append(l) } } }
            datasets.append(.init(name: "annotator a\(a)", coders: [[nil]], truth: truth, predicted: predicted))
        }
        let reference = try StatisticsTests.runReference(datasets)
        func result(_ name: String) throws -> StatisticsTests.Reference.Result { try XCTUnwrap(reference.results.first { $0.name == name }, name) }

        assertThreeDecimals(report.krippendorffAlpha, try result("all").alpha, "alpha")
        XCTAssertNil(try result("all").fleiss, "uneven judgments: statsmodels' Fleiss is not asked for")
        XCTAssertNil(report.fleissKappa, "samples have 2 to 4 judgments")
        XCTAssertEqual(report.byGuideline.map(\.name), ["v1", "v2"])
        for g in report.byGuideline { assertThreeDecimals(g.krippendorffAlpha, try result("guideline \(g.name)").alpha, "alpha under \(g.name)") }
        XCTAssertEqual(report.byLabel.count, labels)
        for l in report.byLabel { assertThreeDecimals(l.krippendorffAlpha, try result("label \(l.name)").alpha, "alpha of \(l.name)") }
        XCTAssertEqual(report.annotators.map(\.annotator), (0..<annotators).map { "a\($0)" })
        for a in report.annotators {
            let r = try result("annotator \(a.annotator)")
            assertThreeDecimals(a.agreementWithLabel, r.accuracy, "\(a.annotator)'s agreement")
            assertThreeDecimals(a.cohenKappa, r.cohen, "\(a.annotator)'s kappa")
            XCTAssertEqual(a.judgments, r.confusion.joined().reduce(0, +))
        }
        // Annotator 1 judges every L0 sample L1: their most frequent departure says so.
        let biased = try XCTUnwrap(report.annotators.first { $0.annotator == "a1" }?.mostDiffered.first)
        XCTAssertEqual([biased.from, biased.to], ["L0", "L1"])
        XCTAssertEqual(report.annotators.max { ($0.agreementWithLabel ?? 0) < ($1.agreementWithLabel ?? 0) }?.annotator, "a0")
    }

    /// With the same number of judgments on every judged sample, Fleiss' kappa is given, and agrees with statsmodels.
    func testFleissKappaWhenEverySampleHasAsManyJudgments() throws {
        let (finals, generated) = randomJudgments(samples: 300, annotators: 5, labels: 3, seed: 5)
        var rng = SeededGenerator(seed: 9)
        var judgments: [[Given]] = generated.indices.map { u in
            (0..<3).map { a in (a, rng.unit() < 0.75 ? finals[u] : rng.below(3), "v1") }
        }
        // Samples with no judgment at all do not make the counts uneven.
        for u in stride(from: 0, to: 300, by: 10) { judgments[u] = [] }
        let (_, report) = try commit(finals: finals, judgments: judgments)
        // statsmodels takes the judged samples only (Fleiss' kappa has no missing values).
        let reference = try StatisticsTests.runReference([.init(name: "all", coders: coders(judgments.filter { !$0.isEmpty }, annotators: 5),
                                                                truth: [0], predicted: [0])])
        assertThreeDecimals(report.krippendorffAlpha, reference.results[0].alpha, "alpha")
        XCTAssertNotNil(report.fleissKappa)
        assertThreeDecimals(report.fleissKappa, reference.results[0].fleiss, "Fleiss")
        XCTAssertEqual(report.samples, 270)
    }

    /// Krippendorff (2011)'s nominal example (4 coders, 12 units, unit 12 with one value) stored
    /// as judgments gives the published alpha, 0.743, and leaves the single-judgment unit out.
    func testKrippendorffsPublishedExampleStoredAsJudgments() throws {
        let data = StatisticsTests.krippendorff2011
        let judgments: [[Given]] = (0..<12).map { u in (0..<4).compactMap { c in data[c][u].map { (c, $0, "v1") } } }
        let (_, report) = try commit(finals: Array(repeating: 1, count: 12), judgments: judgments)
        XCTAssertEqual(try XCTUnwrap(report.krippendorffAlpha), 0.743, accuracy: 0.0005)
        XCTAssertEqual(report.samples, 11)
        XCTAssertEqual(report.singleJudgmentSamples, 1)
        XCTAssertEqual(report.judgments, 41)
        XCTAssertNil(report.fleissKappa)
    }

    /// Records without judgments give an empty report, and the judgments field is where the
    /// configuration says, and nowhere else.
    func testSamplesWithoutJudgmentsGiveNoAgreement() throws {
        let (store, report) = try commit(finals: [0, 1, 2], judgments: [[], [], []])
        XCTAssertFalse(report.hasJudgments)
        XCTAssertNil(report.krippendorffAlpha)
        XCTAssertEqual(report.samples, 0)
        XCTAssertEqual(report.snapshotSamples, 3)
        XCTAssertTrue(report.annotators.isEmpty)
        XCTAssertEqual(try store.openIndex().rowCount(of: "judgments"), 0)
        // The default configuration encodes as before judgments existed: the same dataset.json bytes.
        XCTAssertFalse(String(decoding: DatasetConfig().encoded(), as: UTF8.self).contains("judgments"))
        var custom = DatasetConfig()
        custom.judgmentsField = "votes"
        XCTAssertEqual(try DatasetConfig.decode(custom.encoded()).judgmentsField, "votes")
        XCTAssertEqual(try DatasetConfig.decode(DatasetConfig().encoded()).judgmentsField, "judgments")
    }

    /// The index holds one row per judgment of each version whose judgments changed, and none for
    /// a change that left them as they were.
    func testIndexRowsFollowChangedJudgments() throws {
        let first: [[Given]] = [[(0, 0, "v1"), (1, 1, "v1")], [(0, 2, "v1")], []]
        let (store, _) = try commit(finals: [0, 2, 1], judgments: first)
        XCTAssertEqual(try store.openIndex().rowCount(of: "judgments"), 3)
        // s0 adjudicated (a third judgment), s1 relabeled with its judgments as they were, s2 unchanged.
        let second: [[Given]] = [[(0, 0, "v1"), (1, 1, "v1"), (2, 1, "v2")], [(0, 2, "v1")], []]
        let (_, report) = try commit(finals: [1, 0, 1], judgments: second, store: store, name: "v2.jsonl")
        let rows = try store.openIndex().rows("SELECT sample_id, position, annotator, label, guideline FROM judgments WHERE seq = 2 ORDER BY position")
        XCTAssertEqual(rows.count, 3)
        for row in rows { XCTAssertEqual(row[0], .text("s0")) }
        XCTAssertEqual(rows[2][3], .text("L1"))
        XCTAssertEqual(rows[2][4], .text("v2"))
        XCTAssertEqual(report.samples, 1)
        XCTAssertEqual(report.singleJudgmentSamples, 1)
    }

    private func assertThreeDecimals(_ got: Double?, _ want: Double?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let want else { return XCTAssertNil(got, "\(what): undefined in the reference", file: file, line: line) }
        guard let got else { return XCTFail("\(what): nil, the reference gives \(want)", file: file, line: line) }
        XCTAssertEqual(got, want, accuracy: 0.0005, what, file: file, line: line)
        XCTAssertEqual(got, want, accuracy: 1e-9, "\(what) (to 1e-9)", file: file, line: line)
    }
}

extension JudgmentAgreementTests {
    /// The counts kept per commit (moved from the parent's by the changed records, or made at
    /// commit time) give the same report as counting every record again; and records that need
    /// the general reader (names with an escaped quote) count as the byte reader would.
    func testCachedCountsAndBothReadersAgreeWithAFullCount() throws {
        let (finals, judgments) = randomJudgments(samples: 300, annotators: 5, labels: 3, seed: 23)
        let (store, _) = try commit(finals: finals, judgments: judgments)
        var next = judgments
        for u in stride(from: 0, to: 300, by: 7) { next[u].append((4, 2, "v3")) }   // adjudications
        for u in stride(from: 3, to: 300, by: 11) { next[u] = [] }                  // judgments dropped
        var nextFinals = finals
        for u in stride(from: 1, to: 300, by: 13) { nextFinals[u] = (finals[u] + 1) % 3 }  // relabels alone
        _ = try commit(finals: nextFinals, judgments: next, store: store, name: "v2.jsonl")
        _ = try commit(finals: Array(nextFinals.prefix(250)), judgments: Array(next.prefix(250)), store: store, name: "v3.jsonl")
        let revisions = Revisions(store: store)
        for rev in ["HEAD~2", "HEAD~1", "HEAD"] {
            let snapshot = try revisions.snapshot(rev)
            XCTAssertEqual(try AgreementCache.counter(for: snapshot, store: store).report(commit: snapshot.commit),
                           try AgreementCounter.count(snapshot).report(commit: snapshot.commit), rev)
        }
        XCTAssertEqual(try store.openIndex().rowCount(of: "agreement_tallies"), 3, "each commit kept its counts")

        // The same judgments with names that only the general reader takes give the same numbers.
        let plain = try Auditor(store: store).agreement(at: "HEAD")
        var lines = ""
        for k in 0..<250 {
            let judged = next[k].map { j -> String in
                "{\"annotator\":\"a\(j.annotator)\\\"\",\"guideline\":\"\(j.guideline)\",\"label\":\(j.label.map { "\"L\($0)\"" } ?? "null")}"
            }
            lines += "{\"id\":\"s\(k)\",\"judgments\":[\(judged.joined(separator: ","))],\"label\":\"L\(nextFinals[k])\"}\n"
        }
        let other = folder.appendingPathComponent("escaped")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try lines.write(to: other.appendingPathComponent("e.jsonl"), atomically: true, encoding: .utf8)
        let escapedStore = try Store.create(at: other.appendingPathComponent(".trail").path, config: DatasetConfig())
        _ = try Committer(store: escapedStore).commit(CommitRequest(manifestPath: other.appendingPathComponent("e.jsonl").path, message: "e",
                                                                    author: Signature(name: "T", email: "t@example.org", time: 1_700_000_000)))
        let bytes = try escapedStore.repository.read(try XCTUnwrap(try Revisions(store: escapedStore).snapshot("HEAD").recordID(forKey: SampleKey.of("s0"))), as: .blob)
        XCTAssertTrue(String(decoding: bytes, as: UTF8.self).contains(#"a0\""#),
                      "names with an escaped quote: \(String(decoding: bytes, as: UTF8.self))")
        let general = try Auditor(store: escapedStore).agreement(at: "HEAD")
        XCTAssertEqual(general.krippendorffAlpha, plain.krippendorffAlpha)
        XCTAssertEqual(general.byGuideline, plain.byGuideline)
        XCTAssertEqual(general.annotators.map(\.agreementWithLabel), plain.annotators.map(\.agreementWithLabel))
    }
}

extension JudgmentAgreementTests {
    /// Manifest rows with judgments arrays of flat objects take the fast path and give the bytes
    /// the general path gives (keys of each judgment sorted); other shapes are left to it.
    func testFastPathWritesJudgmentsAsTheGeneralPath() throws {
        let builder = RecordBuilder(config: DatasetConfig(), file: "t.jsonl", mediaRoot: "/tmp")
        let fast = FastRecordPath(builder: builder)
        let rows = [
            #"{"id":"s1","label":"safe","judgments":[{"annotator":"a","label":"safe","guideline":"v1","at":"2026-01-01T00:00:00Z"},{"label":null,"annotator":"b","n":1.50,"ok":true}]}"#,
            #"{"id":"s2","judgments":[],"label":"spam"}"#,
            #"{ "id" : "s3" , "judgments" : [ { } , { "z" : "ünï", "a" : -1e3 } ] }"#,
        ]
        for row in rows {
            var counts = fast.makeCounts()
            let bytes = Array(row.utf8)
            let fastResult = try bytes.withUnsafeBytes { try fast.build($0, line: 1, counts: &counts) }
            let slow = try builder.build(ManifestRow(line: 1, members: try JSONParser.parse(row).objectMembers!))
            XCTAssertNotNil(fastResult, row)
            XCTAssertEqual(fastResult.map { String(decoding: $0.sample.record.data, as: UTF8.self) }, String(decoding: slow.0.record.data, as: UTF8.self), row)
        }
        for row in [#"{"id":"a","judgments":[{"a":1,"a":2}]}"#, #"{"id":"a","judgments":[{"a":"esc\n"}]}"#, #"{"id":"a","judgments":[{"a":[1]}]}"#,
                    #"{"id":"a","judgments":["x"]}"#, #"{"id":"a","judgments":[{"ä":1}]}"#, #"{"id":"a","votes":[{"a":1}]}"#] {
            var counts = fast.makeCounts()
            XCTAssertNil(try Array(row.utf8).withUnsafeBytes { try fast.build($0, line: 1, counts: &counts) }, row)
        }
    }
}
