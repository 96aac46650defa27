import Foundation
import XCTest

/// The mistakes a newcomer makes first get an error that says what happened and what to do.
final class NewcomerErrorTests: XCTestCase {
    func testCommonMistakesAreExplained() throws {
        let box = try Sandbox()
        func expect(_ args: [String], status: Int32, _ phrases: [String], file: StaticString = #filePath, line: UInt = #line) throws {
            let result = try box.trail(args)
            XCTAssertEqual(result.status, status, "trail \(args): \(result.stderr)", file: file, line: line)
            for phrase in phrases {
                XCTAssertTrue(result.stderr.contains(phrase), "trail \(args) should say '\(phrase)': \(result.stderr)", file: file, line: line)
            }
        }
        try expect(["log"], status: 3, ["no Trail store", "trail init"])
        try expect(["comit", "x.jsonl"], status: 2, ["'comit' is not a trail command", "Did you mean 'commit'?"])
        try box.ok("init")
        try expect(["show", "HEAD"], status: 1, ["there are no commits yet", "trail commit FILE"])
        try expect(["diff", "HEAD~1"], status: 1, ["there are no commits yet"])
        try expect(["commit", "missing.jsonl", "-m", "x"], status: 1, ["missing.jsonl", "No such file"])
        try box.write("v1.jsonl", Sandbox.dataset(5))
        try box.ok("commit", "v1.jsonl", "-m", "first")
        try expect(["diff", "HEAD~1"], status: 1, ["goes back further than the history", "trail log"])
        try expect(["export", "HEAD", "--out", "train.parquet"], status: 2, [".parquet is not one Trail writes", "--format"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.appendingPathComponent("train.parquet").path))
        try expect(["history", "s99999"], status: 1, ["not in the history of HEAD", "case-sensitive"])
        try expect(["audit", "model", "clf-v9"], status: 1, ["no model named 'clf-v9'", "trail model list"])
        try expect(["checkout", "vendor"], status: 1, ["no branch named 'vendor'", "checkout -b vendor"])
        try expect(["erase", "s00001"], status: 2, ["--reason"])
        try expect(["commit", "v1.jsonl", "-m", "x", "--author", "nobody"], status: 2, ["is not an author", "Name <email>"])
    }
}
