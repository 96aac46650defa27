import Foundation
import XCTest

/// The audit reports, checked against what the test itself changed.
final class AuditTests: XCTestCase {
    func json(_ box: Sandbox, _ args: String...) throws -> [String: Any] {
        let result = try box.trail(args + ["--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    }

    func testAuditReports() throws {
        let box = try Sandbox()
        // v1: 60 samples; v2: every 9th relabeled by "adjudicator" under v3.2 (s00000, s00009, ... : 7 samples);
        // v3: s00000 and s00009 go back to their first label, by "lead" under v3.3 (flip-flops).
        let v1 = Sandbox.dataset(60), v2 = Sandbox.dataset(60, relabelEvery: 9, guideline: "v3.2")
        var v3 = v2
        for id in ["s00000", "s00009"] {
            let old = v1.split(separator: "\n").first { $0.contains("\"\(id)\"") }!
            let new = v2.split(separator: "\n").first { $0.contains("\"\(id)\"") }!
            let reverted = old.replacingOccurrences(of: #""annotator":"ann_\#(Int(id.dropFirst())! % 5)""#, with: #""annotator":"lead""#)
                .replacingOccurrences(of: #""guideline":"v3.1""#, with: #""guideline":"v3.3""#)
            v3 = v3.replacingOccurrences(of: new, with: reverted)
        }
        try box.write("v1.jsonl", v1)
        try box.write("v2.jsonl", v2)
        try box.write("v3.jsonl", v3)
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("model", "register", "m1", "HEAD")
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        try box.ok("model", "register", "m2", "HEAD")
        try box.ok("commit", "v3.jsonl", "-m", "v3")
        try box.ok("model", "register", "m3", "HEAD")

        let model = try json(box, "audit", "model", "m2")
        XCTAssertEqual(model["samples"] as? Int, 60)
        XCTAssertEqual(model["previousModel"] as? String, "m1")
        XCTAssertEqual(((model["sincePrevious"] as! [String: Any])["counts"] as! [String: Int])["relabeled"], 7)
        XCTAssertEqual((model["guidelines"] as! [String: Int])["v3.2"], 7)

        let flips = try json(box, "audit", "flips", "m1", "m2")
        XCTAssertEqual(flips["relabels"] as? Int, 7)
        let groups = flips["groups"] as! [[String: Any]]
        XCTAssertEqual(groups.count, 1)
        XCTAssertEqual(groups[0]["annotator"] as? String, "adjudicator")
        XCTAssertEqual(groups[0]["guideline"] as? String, "v3.2")
        XCTAssertEqual((groups[0]["samples"] as! [[String: Any]]).count, 7)

        // ann_0 first labeled s00000, s00005, ...; s00000 was overturned by the adjudicator (only s00000 and s00045 are multiples of 9 and 5).
        let annotator = try json(box, "audit", "annotator", "ann_0")
        XCTAssertEqual(annotator["labelsSet"] as? Int, 12)
        XCTAssertEqual(annotator["overturned"] as? Int, 2)
        XCTAssertEqual(annotator["overturnedBy"] as? [String: Int], ["adjudicator": 2])
        let adjudicator = try json(box, "audit", "annotator", "adjudicator")
        XCTAssertEqual(adjudicator["labelsSet"] as? Int, 7)
        XCTAssertEqual(adjudicator["overturnedBy"] as? [String: Int], ["lead": 2])

        let disputed = try json(box, "audit", "disputed", "--min-changes", "2")
        let samples = disputed["samples"] as! [[String: Any]]
        XCTAssertEqual(Set(samples.map { $0["id"] as! String }), ["s00000", "s00009"])
        XCTAssertTrue(samples.allSatisfy { $0["flipFlop"] as? Bool == true })
        XCTAssertEqual(samples.first { $0["id"] as? String == "s00000" }?["labels"] as? [String], ["safe", "hate_speech", "safe"])

        let sample = try json(box, "audit", "sample", "s00009")
        XCTAssertEqual(sample["models"] as? [String], ["m1", "m2", "m3"])

        XCTAssertTrue(try box.ok("audit", "disputed").stdout.contains("flip-flop"))
        XCTAssertTrue(try box.ok("audit", "model", "m3").stdout.contains("Since m2"))
        XCTAssertEqual(try box.trail(["audit", "annotator", "nobody"]).status, 1)
        XCTAssertEqual(try box.trail(["audit", "model", "nope"]).status, 1)
        XCTAssertEqual(try box.trail(["audit", "disputed", "--min-changes", "0"]).status, 2)
    }
}
