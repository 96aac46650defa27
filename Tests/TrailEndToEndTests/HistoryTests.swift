import Foundation
import XCTest

/// `trail history`: every version of a sample, oldest first, with the models that trained on it.
final class HistoryTests: XCTestCase {
    func testHistoryListsEachVersionAndItsModels() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(30))
        try box.write("v2.jsonl", Sandbox.dataset(30, relabelEvery: 9, guideline: "v3.2"))
        try box.write("v3.jsonl", Sandbox.dataset(30).split(separator: "\n").filter { !$0.contains("\"s00009\"") }.joined(separator: "\n") + "\n")
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "import")
        try box.ok("model", "register", "m1", "HEAD")
        try box.ok("commit", "v2.jsonl", "-m", "adjudication")
        try box.ok("model", "register", "m2", "HEAD")
        try box.ok("commit", "v3.jsonl", "-m", "erase s00009 and revert")

        let json = try box.ok("history", "s00009", "--json").stdout
        let history = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let versions = history["versions"] as! [[String: Any]]
        XCTAssertEqual(versions.map { $0["kind"] as! String }, ["added", "relabeled", "removed"])
        XCTAssertEqual(versions.map { $0["subject"] as! String }, ["import", "adjudication", "erase s00009 and revert"])
        XCTAssertEqual((versions[0]["labels"] as! [String: String])["label"], "safe")
        XCTAssertEqual((versions[1]["labels"] as! [String: String])["label"], "hate_speech")
        XCTAssertEqual(versions[1]["annotator"] as? String, "adjudicator")
        XCTAssertEqual(versions[1]["guideline"] as? String, "v3.2")
        XCTAssertEqual(versions[0]["models"] as? [String], ["m1"])
        XCTAssertEqual(versions[1]["models"] as? [String], ["m2"])

        // A sample the relabel did not touch has one version, in both models' data.
        let steady = try JSONSerialization.jsonObject(with: Data(try box.ok("history", "s00001", "--json").stdout.utf8)) as! [String: Any]
        let only = (steady["versions"] as! [[String: Any]])
        XCTAssertEqual(only.count, 1)
        XCTAssertEqual(only[0]["models"] as? [String], ["m1", "m2"])

        let text = try box.ok("history", "s00009").stdout
        XCTAssertTrue(text.contains("relabeled") && text.contains("hate_speech"), text)
        let missing = try box.trail(["history", "nope"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("not in the history"), missing.stderr)
    }
}
