import Foundation
import XCTest

/// The bounded-memory paths of large datasets, taken with small data by lowering their
/// thresholds: a streamed full-manifest commit (TRAIL_STREAM_BYTES, TRAIL_STREAM_WINDOW) makes
/// the same snapshots, content ref and index rows as the in-memory commit, and an export sorted
/// on disk (TRAIL_EXPORT_RUN_BYTES) writes the same bytes.
final class ScaleTests: XCTestCase {
    private func streamed(_ box: Sandbox) {
        box.environment["TRAIL_STREAM_BYTES"] = "0"
        box.environment["TRAIL_STREAM_WINDOW"] = "1"  // the smallest window (64 KiB): many windows
        box.environment["TRAIL_TEST_BULK_ROWS"] = "100"
        box.environment["TRAIL_EXPORT_RUN_BYTES"] = "20000"
    }

    private func indexRows(_ box: Sandbox) throws -> String {
        let db = box.store + "/index.sqlite"
        let out = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", db, """
            SELECT ch.seq, ch.sample_id, ch.kind, ch.record_before, ch.record_after, ch.labels_before, ch.labels_after, ch.annotator, ch.guideline
            FROM changes ch ORDER BY ch.seq, ch.sample_id;
            SELECT seq, sample_id, field, from_label, to_label, annotator, guideline FROM label_events ORDER BY seq, sample_id, field;
            SELECT seq, samples, subject FROM commits ORDER BY seq;
            """]
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func testStreamedCommitsMatchInMemoryCommits() throws {
        let plain = try Sandbox(), streamed = try Sandbox()
        self.streamed(streamed)
        let v1 = Sandbox.dataset(3000)
        let v2 = Sandbox.dataset(3200, relabelEvery: 7, guideline: "v3.2")
        var trees: [[String]] = []
        for box in [plain, streamed] {
            try box.write("v1.jsonl", v1)
            try box.write("v2.jsonl", v2)
            try box.ok("init")
            try box.ok("commit", "v1.jsonl", "-m", "v1")
            let second = try box.ok("commit", "v2.jsonl", "-m", "v2")
            XCTAssertTrue(second.stdout.contains("200 added"), second.stdout)
            let again = try box.ok("commit", "v2.jsonl", "-m", "v2 again")
            XCTAssertTrue(again.stdout.contains("Nothing to commit"), again.stdout)
            try box.ok("commit", "v1.jsonl", "-m", "back to v1")
            let fsck = try box.git("fsck", "--strict")
            XCTAssertEqual(fsck.status, 0, fsck.stderr)
            let ids = try box.git("rev-parse", "HEAD^{tree}", "HEAD~1^{tree}", "HEAD~2^{tree}", "refs/trail/content^{tree}").stdout
            trees.append(ids.split(separator: "\n").map(String.init))
        }
        XCTAssertEqual(trees[0], trees[1])
        XCTAssertEqual(try indexRows(plain), try indexRows(streamed))
        for box in [plain, streamed] { try box.ok("verify") }

        // The export sorted on disk in many runs gives the same file.
        try plain.ok("export", "HEAD~1", "--out", "out.jsonl")
        try streamed.ok("export", "HEAD~1", "--out", "out.jsonl")
        let a = try String(contentsOf: plain.root.appendingPathComponent("out.jsonl"), encoding: .utf8)
        let b = try String(contentsOf: streamed.root.appendingPathComponent("out.jsonl"), encoding: .utf8)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.split(separator: "\n").count, 3200)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: streamed.store).filter { $0.hasPrefix("tmp_") }
        XCTAssertEqual(leftovers, [])
    }

    func testStreamedCommitRefusesBadInputAndLeavesTheStore() throws {
        let box = try Sandbox()
        streamed(box)
        try box.write("v1.jsonl", Sandbox.dataset(2000))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        let head = try box.git("rev-parse", "HEAD").stdout
        let packs = try FileManager.default.contentsOfDirectory(atPath: box.store + "/objects/pack").sorted()

        let rows = Sandbox.dataset(2500, relabelEvery: 3).split(separator: "\n").map(String.init)
        try box.write("dup.jsonl", (rows + [rows[4]]).joined(separator: "\n") + "\n")
        let dup = try box.trail(["commit", "dup.jsonl", "-m", "dup"])
        XCTAssertNotEqual(dup.status, 0)
        XCTAssertTrue(dup.stderr.contains("dup.jsonl:2501") && dup.stderr.contains("duplicate id") && dup.stderr.contains("also on line 5"), dup.stderr)

        var bad = rows
        bad[2200] = "{\"id\": broken"
        try box.write("bad.jsonl", bad.joined(separator: "\n") + "\n")
        let broken = try box.trail(["commit", "bad.jsonl", "-m", "bad"])
        XCTAssertNotEqual(broken.status, 0)
        XCTAssertTrue(broken.stderr.contains("bad.jsonl:2201"), broken.stderr)

        XCTAssertEqual(try box.git("rev-parse", "HEAD").stdout, head)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: box.store + "/objects/pack").sorted(), packs)
        try box.ok("verify")
    }

    func testStreamedCommitOfJudgmentsCountsAgreementAsItReads() throws {
        // 1,500 samples, three judgments each; the labels vary with the sample so that annotators disagree.
        let labels = ["safe", "spam", "hate", "minor_safety"]
        func line(_ k: Int) -> String {
            let judged = ["ann_a", "ann_b", "ann_c"].enumerated().map { j, who in
                "{\"annotator\":\"\(who)\",\"guideline\":\"v\((k + j) % 2 + 1)\",\"label\":\"\(labels[(k * (j + 1) / 3) % 4])\"}"
            }
            return "{\"annotator\":\"lead\",\"guideline\":\"v2\",\"id\":\"s\(k)\",\"judgments\":[\(judged.joined(separator: ","))],\"label\":\"\(labels[k % 4])\",\"text\":\"text \(k)\"}"
        }
        let v1 = (0..<1500).map(line).joined(separator: "\n") + "\n"
        // The two stores' commits differ in their time only, so their ids are left out.
        func withoutCommit(_ json: String) -> String { json.split(separator: "\n").filter { !$0.contains("\"commit\" :") }.joined(separator: "\n") }
        let plain = try Sandbox(), streamed = try Sandbox()
        self.streamed(streamed)
        var reports: [[String]] = []
        for box in [plain, streamed] {
            try box.write("v1.jsonl", v1)
            try box.ok("init")
            try box.ok("commit", "v1.jsonl", "-m", "v1")
            reports.append([try box.ok("audit", "agreement", "--json").stdout, try box.ok("audit", "annotator", "ann_b", "--json").stdout].map(withoutCommit))
        }
        XCTAssertEqual(reports[0], reports[1], "a streamed first commit counts agreement as the in-memory one does")
        XCTAssertTrue(reports[1][0].contains("\"krippendorff_alpha\" : 0."), reports[1][0])
        let kept = try streamed.run("/usr/bin/env", ["sqlite3", streamed.store + "/index.sqlite", "SELECT COUNT(*) FROM agreement_tallies"]).stdout
        XCTAssertEqual(kept, "1\n", "the streamed commit kept its counts")
        _ = try streamed.run("/usr/bin/env", ["sqlite3", streamed.store + "/index.sqlite", "DELETE FROM agreement_tallies"])
        XCTAssertEqual([try streamed.ok("audit", "agreement", "--json").stdout, try streamed.ok("audit", "annotator", "ann_b", "--json").stdout]
                        .map(withoutCommit),
                       reports[1], "the counts kept while streaming equal a count from the records")
    }
}
