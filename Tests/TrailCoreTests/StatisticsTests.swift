import Foundation
import XCTest
@testable import TrailCore

/// The statistics (`AgreementTally`, `ConfusionTally`) against published worked examples, against
/// the Python libraries teams use (krippendorff, statsmodels, scikit-learn, through
/// `scripts/stats_reference.py`) on seeded random data, and at their edges.
final class StatisticsTests: XCTestCase {
    // MARK: Published worked examples

    /// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the nominal example: 4 coders,
    /// 12 units, missing values; unit 12 has a single value and is left out. alpha = 0.743.
    func testKrippendorff2011NominalExample() {
        let tally = AgreementTally(coders: Self.krippendorff2011)
        XCTAssertEqual(try XCTUnwrap(tally.krippendorffAlpha), 0.743, accuracy: 0.0005)
        XCTAssertEqual(try XCTUnwrap(tally.krippendorffAlpha), 0.743421052631579, accuracy: 1e-12)  // krippendorff 0.9.0
        XCTAssertEqual(tally.units, 12)
        XCTAssertEqual(tally.pairableUnits, 11)
        XCTAssertEqual(tally.pairableValues, 40)
        XCTAssertEqual(tally.valueCounts, [0, 9, 13, 10, 5, 3])  // the paper's n_c for values 1...5
        // Two coincidences worked by hand: units 1, 8, 11 give o_11 = 6/2 + 6/3 + 2/1; units 6, 8 give o_12 = 1/3 + 3/3.
        let o = tally.coincidences
        XCTAssertEqual(o[1][1], 7, accuracy: 1e-12)
        XCTAssertEqual(o[1][2], 4.0 / 3, accuracy: 1e-12)
        for c in 0..<o.count {
            XCTAssertEqual(o[c].reduce(0, +), Double(tally.valueCounts[c]), accuracy: 1e-12)
            for k in 0..<o.count { XCTAssertEqual(o[c][k], o[k][c], accuracy: 1e-12) }
        }
        XCTAssertNil(tally.fleissKappa, "units have 1 to 4 values")
    }

    /// Fleiss (1971) as worked on Wikipedia's "Fleiss' kappa": 10 subjects, 14 raters, 5 categories;
    /// P̄ = 0.378, P̄_e = 0.213, kappa = 0.210.
    func testFleissWikipediaExample() {
        let table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                     [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
        var tally = AgreementTally()
        for row in table { tally.add(unit: row.enumerated().flatMap { [Int](repeating: $0.offset, count: $0.element) }) }
        XCTAssertEqual(tally.unitsByRatings[14], 10)
        XCTAssertEqual(try XCTUnwrap(tally.fleissKappa), 0.210, accuracy: 0.0005)
        XCTAssertEqual(try XCTUnwrap(tally.fleissKappa), 0.20993070442195522, accuracy: 1e-12)  // statsmodels 0.15.0
        XCTAssertNotNil(tally.krippendorffAlpha)
    }

    /// Wikipedia's "Cohen's kappa" example: 50 proposals read by A and B, 20 both yes, 15 both no,
    /// A yes and B no 5, A no and B yes 10: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    func testCohenKappaWikipediaExample() {
        let yes = 0, no = 1
        var tally = ConfusionTally()
        for (a, b, n) in [(yes, yes, 20), (no, no, 15), (yes, no, 5), (no, yes, 10)] {
            for _ in 0..<n { tally.add(truth: a, predicted: b) }
        }
        XCTAssertEqual(try XCTUnwrap(tally.accuracy), 0.7, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(tally.cohenKappa), 0.4, accuracy: 1e-12)
        XCTAssertEqual(tally.confusionMatrix, [[20, 5], [10, 15]])
    }

    /// The example in scikit-learn's `precision_recall_fscore_support` documentation: macro precision
    /// 0.222, recall 0.333, F1 0.267 (cat, dog, pig; pig predicted wrong each time).
    func testScoresOnScikitLearnsDocumentedExample() {
        var codes = LabelCodes()
        let truth = ["cat", "dog", "pig", "cat", "dog", "pig"].map { codes.code($0) }
        let predicted = ["cat", "pig", "dog", "cat", "cat", "dog"].map { codes.code($0) }
        let tally = ConfusionTally(truth: truth, predicted: predicted)
        XCTAssertEqual(try XCTUnwrap(tally.macroPrecision), 0.222, accuracy: 0.0005)
        XCTAssertEqual(try XCTUnwrap(tally.macroRecall), 0.333, accuracy: 0.0005)
        XCTAssertEqual(try XCTUnwrap(tally.macroF1), 0.267, accuracy: 0.0005)
        XCTAssertEqual(tally.labelScores.map(\.support), [2, 2, 2])
        XCTAssertEqual(tally.labelScores.map(\.precision), [2.0 / 3, 0, 0])
    }

    /// A 27-animal confusion matrix (8 cats, 6 dogs, 13 rabbits), the classic textbook example;
    /// every number checked with scikit-learn 1.9.1.
    func testScoresOnTheAnimalConfusionMatrix() {
        let matrix = [[5, 3, 0], [2, 3, 1], [0, 2, 11]]
        var tally = ConfusionTally()
        for (t, row) in matrix.enumerated() { for (p, n) in row.enumerated() { for _ in 0..<n { tally.add(truth: t, predicted: p) } } }
        XCTAssertEqual(tally.confusionMatrix, matrix)
        XCTAssertEqual(tally.count, 27)
        let scores = tally.labelScores
        XCTAssertEqual(scores.map(\.support), [8, 6, 13])
        XCTAssertEqual(scores.map(\.predicted), [7, 8, 12])
        for (got, want) in zip(scores.map(\.precision), [0.714, 0.375, 0.917]) { XCTAssertEqual(got, want, accuracy: 0.0005) }
        for (got, want) in zip(scores.map(\.recall), [0.625, 0.500, 0.846]) { XCTAssertEqual(got, want, accuracy: 0.0005) }
        for (got, want) in zip(scores.map(\.f1), [0.667, 0.429, 0.880]) { XCTAssertEqual(got, want, accuracy: 0.0005) }
        XCTAssertEqual(try XCTUnwrap(tally.accuracy), 0.704, accuracy: 0.0005)
        XCTAssertEqual(try XCTUnwrap(tally.macroPrecision), 0.669, accuracy: 0.0005)
        XCTAssertEqual(try XCTUnwrap(tally.macroRecall), 0.657, accuracy: 0.0005)
        XCTAssertEqual(try XCTUnwrap(tally.macroF1), 0.658, accuracy: 0.0005)
        XCTAssertEqual(try XCTUnwrap(tally.cohenKappa), 0.539, accuracy: 0.0005)
    }

    // MARK: Edges

    func testCodersWhoAllAgreeGiveOne() {
        var tally = AgreementTally()
        for unit in [[0, 0, 0], [1, 1], [2, 2, 2, 2], [1], []] { tally.add(unit: unit) }
        XCTAssertEqual(tally.krippendorffAlpha, 1)
        XCTAssertNil(tally.fleissKappa, "units of different sizes")
        var equal = AgreementTally()
        for unit in [[0, 0, 0], [1, 1, 1], [2, 2, 2]] { equal.add(unit: unit) }
        XCTAssertEqual(equal.fleissKappa, 1)
        XCTAssertEqual(equal.krippendorffAlpha, 1)
        XCTAssertEqual(ConfusionTally(truth: [0, 1, 2], predicted: [0, 1, 2]).cohenKappa, 1)
    }

    func testNoPairableUnitGivesNil() {
        var tally = AgreementTally()
        for unit in [[0], [1], [], [2]] { tally.add(unit: unit) }
        XCTAssertEqual(tally.units, 4)
        XCTAssertEqual(tally.pairableUnits, 0)
        XCTAssertEqual(tally.unitsByRatings, [1, 3])
        XCTAssertNil(tally.krippendorffAlpha)
        XCTAssertNil(tally.fleissKappa)
        XCTAssertEqual(tally.coincidences, [])
    }

    func testASingleLabelGivesNil() {
        // Expected disagreement 0: alpha, and kappa with P̄_e = 1, would be 0/0.
        var tally = AgreementTally()
        for _ in 0..<5 { tally.add(unit: [3, 3, 3]) }
        tally.add(unit: [1])  // another label, but in a unit alpha leaves out
        XCTAssertNil(tally.krippendorffAlpha)
        XCTAssertNil(AgreementTally(coders: [[3, 3, 3], [3, 3, 3]]).fleissKappa)
        XCTAssertNil(ConfusionTally(truth: [2, 2], predicted: [2, 2]).cohenKappa)
        XCTAssertEqual(ConfusionTally(truth: [2, 2], predicted: [2, 2]).macroF1, 1)
    }

    func testEmptyTallies() {
        let agreement = AgreementTally(), confusion = ConfusionTally()
        XCTAssertEqual(AgreementTally(coders: []), agreement)
        XCTAssertEqual(agreement.units, 0)
        XCTAssertNil(agreement.krippendorffAlpha)
        XCTAssertNil(agreement.fleissKappa)
        XCTAssertEqual(ConfusionTally(truth: [], predicted: []), confusion)
        XCTAssertNil(confusion.accuracy)
        XCTAssertNil(confusion.cohenKappa)
        XCTAssertNil(confusion.macroF1)
        XCTAssertNil(confusion.macroPrecision)
        XCTAssertEqual(confusion.labelScores, [])
        XCTAssertEqual(confusion.confusionMatrix, [])
        XCTAssertEqual(confusion.scores(for: 4), LabelScores(code: 4, truePositives: 0, support: 0, predicted: 0))
    }

    /// scikit-learn's default zero_division: a label never predicted has precision 0, a label only
    /// predicted has recall 0, and both count in the macro mean; a code that occurs neither way does not.
    func testZeroDivisionGivesZeroAsScikitLearnDoes() {
        // Code 1 occurs only as truth, 3 only as prediction, 2 not at all.
        let tally = ConfusionTally(truth: [0, 0, 1, 1], predicted: [0, 3, 0, 0])
        XCTAssertEqual(tally.labelScores.map(\.code), [0, 1, 3])
        XCTAssertEqual(tally.scores(for: 1).precision, 0)
        XCTAssertEqual(tally.scores(for: 3).recall, 0)
        XCTAssertEqual(tally.scores(for: 3).f1, 0)
        XCTAssertEqual(tally.scores(for: 2), LabelScores(code: 2, truePositives: 0, support: 0, predicted: 0))
        XCTAssertEqual(try XCTUnwrap(tally.macroF1), (2.0 / 5) / 3, accuracy: 1e-12)  // F1 of 0 is 2·1/(2+3)
        XCTAssertEqual(tally.confusionMatrix, [[1, 0, 0, 1], [2, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    }

    /// Tallies counted in parts and merged equal one tally of everything, and survive Codable.
    func testMergedAndDecodedTalliesEqualOneTally() throws {
        var rng = SeededGenerator(seed: 7)
        let data = Self.randomDataset(name: "merge", coders: 4, units: 300, labels: 6, missing: 0.3, agreement: 0.6, rng: &rng)
        var whole = AgreementTally(), first = AgreementTally(), second = AgreementTally()
        for (u, unit) in data.units.enumerated() {
            whole.add(unit: unit)
            if u % 3 == 0 { first.add(unit: unit.reversed()) } else { second.add(unit: unit) }
        }
        XCTAssertEqual(AgreementTally(coders: data.coders), whole)
        first.merge(second)
        XCTAssertEqual(first, whole)
        XCTAssertEqual(try JSONDecoder().decode(AgreementTally.self, from: JSONEncoder().encode(whole)), whole)

        var confusion = ConfusionTally(truth: data.truth, predicted: data.predicted)
        var parts = ConfusionTally(truth: Array(data.truth.prefix(100)), predicted: Array(data.predicted.prefix(100)))
        parts.merge(ConfusionTally(truth: Array(data.truth.dropFirst(100)), predicted: Array(data.predicted.dropFirst(100))))
        XCTAssertEqual(parts, confusion)
        XCTAssertEqual(try JSONDecoder().decode(ConfusionTally.self, from: JSONEncoder().encode(confusion)), confusion)
        confusion.add(truth: 40, predicted: 0)  // growing past the storage keeps the counts
        XCTAssertEqual(confusion.confusionMatrix[40][0], 1)
        XCTAssertEqual(Array(confusion.confusionMatrix[0].prefix(parts.labelCount)), parts.confusionMatrix[0])
    }

    func testLabelCodesInternInOrderOfFirstSight() throws {
        var codes = LabelCodes(["safe", "spam"])
        XCTAssertEqual(codes.code("hate_speech"), 2)
        XCTAssertEqual(codes.code("safe"), 0)
        XCTAssertEqual(codes.existingCode("spam"), 1)
        XCTAssertNil(codes.existingCode("self_harm"))
        XCTAssertEqual(codes[2], "hate_speech")
        XCTAssertEqual(codes.count, 3)
        let decoded = try JSONDecoder().decode(LabelCodes.self, from: JSONEncoder().encode(codes))
        XCTAssertEqual(decoded, codes)
        XCTAssertEqual(decoded.existingCode("hate_speech"), 2)
        XCTAssertThrowsError(try JSONDecoder().decode(LabelCodes.self, from: Data(#"["safe","spam","safe"]"#.utf8)))
    }

    // MARK: Against the Python libraries

    /// Seeded random data sets — 1 to 6 labels, 2 to 6 coders, missing values, units with a single
    /// value, unequal rating counts — scored here and by krippendorff, statsmodels and scikit-learn
    /// (`scripts/stats_reference.py`); every statistic agrees to 1e-9, and both sides agree on
    /// which ones are undefined.
    func testAgreesWithKrippendorffStatsmodelsAndScikitLearn() throws {
        var rng = SeededGenerator(seed: 20_260_917)
        var datasets = [
            Self.randomDataset(name: "complete 3 coders, 3 labels", coders: 3, units: 200, labels: 3, missing: 0, agreement: 0.7, rng: &rng),
            Self.randomDataset(name: "complete 5 coders, 5 labels", coders: 5, units: 500, labels: 5, missing: 0, agreement: 0.5, rng: &rng),
            Self.randomDataset(name: "complete 2 coders, 2 labels", coders: 2, units: 300, labels: 2, missing: 0, agreement: 0.8, rng: &rng),
            Self.randomDataset(name: "chance, 3 coders, 4 labels", coders: 3, units: 150, labels: 4, missing: 0, agreement: 0, rng: &rng),
            Self.randomDataset(name: "missing, 4 coders, 4 labels", coders: 4, units: 300, labels: 4, missing: 0.3, agreement: 0.6, rng: &rng),
            Self.randomDataset(name: "missing, 6 coders, 5 labels", coders: 6, units: 400, labels: 5, missing: 0.5, agreement: 0.75, rng: &rng),
            Self.randomDataset(name: "sparse, 2 coders, 3 labels", coders: 2, units: 200, labels: 3, missing: 0.6, agreement: 0.9, rng: &rng),
            Self.randomDataset(name: "one label", coders: 3, units: 50, labels: 1, missing: 0.2, agreement: 1, rng: &rng),
        ]
        // No unit with two values: alpha and Fleiss undefined on both sides.
        datasets.append(Self.randomDataset(name: "no pairable unit", coders: 3, units: 40, labels: 3, missing: 0, agreement: 0.5, rng: &rng,
                                           keepOne: true))
        XCTAssertTrue(datasets.contains { $0.units.contains { $0.count == 1 } }, "some units with a single value")

        let reference = try Self.runReference(datasets)
        XCTAssertEqual(reference.results.count, datasets.count)
        let versions = reference.versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var defined = (alpha: 0, fleiss: 0, cohen: 0)
        for (data, ref) in zip(datasets, reference.results) {
            let what = "\(data.name) (\(versions))"
            var agreement = AgreementTally()
            for unit in data.units { agreement.add(unit: unit) }
            let confusion = ConfusionTally(truth: data.truth, predicted: data.predicted)
            Self.assertClose(agreement.krippendorffAlpha, ref.alpha, "alpha, \(what)")
            Self.assertClose(agreement.fleissKappa, ref.fleiss, "Fleiss' kappa, \(what)")
            Self.assertClose(confusion.cohenKappa, ref.cohen, "Cohen's kappa, \(what)")
            Self.assertClose(confusion.accuracy, ref.accuracy, "accuracy, \(what)")
            Self.assertClose(confusion.macroPrecision, ref.macroPrecision, "macro precision, \(what)")
            Self.assertClose(confusion.macroRecall, ref.macroRecall, "macro recall, \(what)")
            Self.assertClose(confusion.macroF1, ref.macroF1, "macro F1, \(what)")
            Self.assertClose(confusion.macroF1, ref.macroF1Prfs, "macro F1 (precision_recall_fscore_support), \(what)")
            let scores = confusion.labelScores
            XCTAssertEqual(scores.map(\.code), ref.labels, what)
            XCTAssertEqual(scores.map(\.support), ref.support, what)
            for (i, s) in scores.enumerated() where i < ref.labels.count {
                Self.assertClose(s.precision, ref.precision[i], "precision of \(s.code), \(what)")
                Self.assertClose(s.recall, ref.recall[i], "recall of \(s.code), \(what)")
                Self.assertClose(s.f1, ref.f1[i], "F1 of \(s.code), \(what)")
            }
            XCTAssertEqual(confusion.confusionMatrix, ref.confusion, what)
            if ref.alpha != nil { defined.alpha += 1 }
            if ref.fleiss != nil { defined.fleiss += 1 }
            if ref.cohen != nil { defined.cohen += 1 }
        }
        // The data sets reach both sides of every nil rule.
        XCTAssertEqual(defined.alpha, datasets.count - 2)
        XCTAssertEqual(defined.fleiss, 4)
        XCTAssertEqual(defined.cohen, datasets.count - 1)
    }

    // MARK: Helpers

    static let krippendorff2011: [[Int?]] = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nil, nil, nil],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nil, 3],
        [nil, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nil],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nil],
    ]

    /// One data set for both sides: the coders' rows (Krippendorff's layout, for Python), the same
    /// values per unit (for `AgreementTally.add(unit:)`), and truth/prediction pairs.
    struct Dataset: Encodable {
        let name: String
        let coders: [[Int?]]
        let truth: [Int]
        let predicted: [Int]
        var units: [[Int]] { (0..<(coders.first?.count ?? 0)).map { u in coders.compactMap { $0[u] } } }
    }

    /// Each unit has a true label; each coder gives it with probability `agreement`, else a uniformly
    /// random label, and is missing with probability `missing` (so some units keep 0 or 1 values).
    /// `keepOne` keeps only the first value of each unit. The predictions are a noisy copy of the truth,
    /// with one extra code only predicted (code `labels`) and one only true (`labels + 2`), leaving a
    /// gap at `labels + 1`: every case of zero division (with more than one label).
    static func randomDataset(name: String, coders: Int, units: Int, labels: Int, missing: Double, agreement: Double,
                              rng: inout SeededGenerator, keepOne: Bool = false) -> Dataset {
        var rows = [[Int?]](repeating: [], count: coders)
        var truth: [Int] = [], predicted: [Int] = []
        for u in 0..<units {
            let label = rng.below(labels)
            var given = 0
            for c in 0..<coders {
                let value: Int? = rng.unit() < missing || (keepOne && given > 0) ? nil
                    : rng.unit() < agreement ? label : rng.below(labels)
                if value != nil { given += 1 }
                rows[c].append(value)
            }
            // With one label the pairs keep it too: Cohen's kappa is then undefined.
            truth.append(labels > 1 && u % 37 == 5 ? labels + 2 : label)
            predicted.append(labels > 1 && u % 41 == 7 ? labels : rng.unit() < 0.7 ? label : rng.below(labels))
        }
        return Dataset(name: name, coders: rows, truth: truth, predicted: predicted)
    }

    struct Reference: Decodable {
        struct Result: Decodable {
            let name: String
            let alpha, fleiss, cohen, accuracy: Double?
            let labels: [Int]
            let precision, recall, f1: [Double]
            let support: [Int]
            let macroPrecision, macroRecall, macroF1, macroF1Prfs: Double?
            let confusion: [[Int]]
        }
        let versions: [String: String]
        let results: [Result]
    }

    /// What a test throws when the Python libraries are not installed: it fails and says what to do.
    struct MissingReference: Error, CustomStringConvertible, LocalizedError {
        let python: String
        let detail: String
        var description: String {
            "\(python) cannot run scripts/stats_reference.py: \(detail)"
                + (detail.contains("setup.sh") ? "" : " (run scripts/setup.sh --tests: it installs krippendorff, statsmodels and "
                    + "scikit-learn into .venv-tests; scripts/test.sh runs it)")
        }
        var errorDescription: String? { description }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `scripts/stats_reference.py` on the data sets, with the tests' virtual environment's
    /// python when there is one (scripts/setup.sh --tests makes it), else python3 from PATH.
    static func runReference(_ datasets: [Dataset]) throws -> Reference {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trail-stats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("data.json"), output = dir.appendingPathComponent("out.json"),
            errors = dir.appendingPathComponent("err.txt")
        try JSONEncoder().encode(["datasets": datasets]).write(to: input)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)

        let venvPython = root.appendingPathComponent(".venv-tests/bin/python3")
        let process = Process()
        let script = root.appendingPathComponent("scripts/stats_reference.py").path
        if FileManager.default.isExecutableFile(atPath: venvPython.path) {
            process.executableURL = venvPython
            process.arguments = [script, input.path]
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, input.path]
        }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        let python = process.arguments?.first == script ? venvPython.path : "python3"
        do { try process.run() } catch { throw MissingReference(python: python, detail: "\(error)") }
        process.waitUntilExit()
        let stderr = String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self)
        // The script exits 3 when a library is missing, 127 is env's "no python3".
        if process.terminationStatus == 3 || process.terminationStatus == 127 {
            throw MissingReference(python: python, detail: stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "StatisticsTests", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "stats_reference.py failed: \(stderr)"])
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Reference.self, from: Data(contentsOf: output))
    }

    /// Equal to 1e-9, or both undefined.
    static func assertClose(_ got: Double?, _ want: Double?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        switch (got, want) {
        case (nil, nil): break
        case let (got?, want?): XCTAssertEqual(got, want, accuracy: 1e-9, what, file: file, line: line)
        default: XCTFail("\(what): Trail \(got.map { "\($0)" } ?? "nil"), reference \(want.map { "\($0)" } ?? "nil")", file: file, line: line)
        }
    }
}

extension SeededGenerator {
    /// A uniform Double in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    /// A uniform Int in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
