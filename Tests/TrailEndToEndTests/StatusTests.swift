import Foundation
import XCTest

/// `trail status MANIFEST`: what a commit would change, with nothing written.
final class StatusTests: XCTestCase {
    func testStatusShowsWhatACommitWouldChangeAndWritesNothing() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(100))
        try box.write("v2.jsonl", Sandbox.dataset(105, relabelEvery: 10, guideline: "v3.2"))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        let before = try box.storeState()

        let status = try box.ok("status", "v2.jsonl", "--json").stdout
        let preview = try JSONSerialization.jsonObject(with: Data(status.utf8)) as! [String: Any]
        let diff = preview["diff"] as! [String: Any]
        XCTAssertEqual(preview["unchanged"] as? Bool, false)
        XCTAssertEqual(diff["counts"] as? [String: Int], ["added": 5, "removed": 0, "relabeled": 10, "content-changed": 0, "metadata-changed": 0])
        XCTAssertEqual(diff["samplesAfter"] as? Int, 105)
        XCTAssertEqual(try box.storeState(), before, "status writes nothing")

        // It agrees with the diff of the commit it previews.
        let text = try box.ok("status", "v2.jsonl").stdout
        XCTAssertTrue(text.contains("added 5, removed 0, relabeled 10"), text)
        XCTAssertEqual(try box.trail(["status", "v2.jsonl", "--exit-code"]).status, 1)
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        let committed = try box.ok("diff", "HEAD~1", "HEAD", "--json").stdout
        let committedDiff = try JSONSerialization.jsonObject(with: Data(committed.utf8)) as! [String: Any]
        XCTAssertEqual(committedDiff["counts"] as? [String: Int], diff["counts"] as? [String: Int])
        XCTAssertEqual((committedDiff["transitions"] as? [Any])?.count, (diff["transitions"] as? [Any])?.count)

        let same = try box.trail(["status", "v2.jsonl", "--exit-code"])
        XCTAssertEqual(same.status, 0)
        XCTAssertTrue(same.stdout.contains("nothing to commit"), same.stdout)

        // A patch, and bad input named as commit names it.
        try box.write("patch.jsonl", #"{"id":"s00001","label":"spam","text":"sample text number 1 with some words"}"# + "\n" + #"{"id":"s00002","_delete":true}"# + "\n")
        let patch = try box.ok("status", "--patch", "patch.jsonl", "--samples").stdout
        XCTAssertTrue(patch.contains("removed 1, relabeled 1") && patch.contains("s00002  removed"), patch)
        try box.write("bad.jsonl", "{\"id\":\"x\"}\n{broken\n")
        let bad = try box.trail(["status", "bad.jsonl"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("bad.jsonl:2:"), bad.stderr)
    }
}
