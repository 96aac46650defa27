import Foundation
import XCTest

/// The Python examples of docs/python.md (docs/examples/*.py), run against a real store with the
/// built `trail` on PATH, and checked against what the test itself committed.
final class PythonExamplesTests: XCTestCase {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/examples")

    func python(_ box: Sandbox, _ script: String, _ args: String...) throws -> Sandbox.Result {
        try box.run("/usr/bin/env", ["python3", PythonExamplesTests.examples.appendingPathComponent(script).path] + args)
    }

    /// docs/python.md shows each example whole, as the file has it.
    func testPythonDocShowsTheExamplesAsTheyAre() throws {
        let doc = try String(contentsOf: PythonExamplesTests.examples.deletingLastPathComponent().appendingPathComponent("python.md"),
                             encoding: .utf8)
        for script in ["load_snapshot.py", "query_index.py"] {
            let code = try String(contentsOf: PythonExamplesTests.examples.appendingPathComponent(script), encoding: .utf8)
            XCTAssertTrue(doc.contains("```python\n" + code + "```\n"), "docs/python.md does not show docs/examples/\(script) as it is")
        }
    }

    func testExamplesReadWhatTheStoreHolds() throws {
        let box = try Sandbox()
        box.environment["PATH"] = Sandbox.productsDirectory.path + ":" + (box.environment["PATH"] ?? "/usr/bin:/bin")
        guard try box.run("/usr/bin/env", ["python3", "--version"]).status == 0 else {
            throw MissingPrerequisite("python3 is needed to run the docs' Python examples", fix: "apt-get install python3")
        }
        // v2 relabels every 7th sample (s00000, s00007, ..., s00035: 6 samples) to hate_speech,
        // by "adjudicator" under v3.2; no sample of v1 is hate_speech.
        try box.write("v1.jsonl", Sandbox.dataset(40))
        try box.write("v2.jsonl", Sandbox.dataset(40, relabelEvery: 7, guideline: "v3.2"))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("model", "register", "m1", "HEAD", "--meta", "run=r1")
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        try box.ok("model", "register", "m2", "HEAD", "--meta", "run=r2")
        let relabeled = stride(from: 0, to: 40, by: 7).map { String(format: "s%05d", $0) }

        // load_snapshot.py loads as many samples as the export streams, with the relabels.
        let exported = try box.ok("export", "m2", "--out", "-").stdout.split(separator: "\n").count
        XCTAssertEqual(exported, 40)
        var load = try python(box, "load_snapshot.py", ".trail", "m2")
        XCTAssertEqual(load.status, 0, load.stderr)
        var lines = load.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(lines.first, "m2: \(exported) samples")
        XCTAssertTrue(lines.contains { $0.hasPrefix("hate_speech ") && $0.hasSuffix(" \(relabeled.count)") }, load.stdout)
        XCTAssertTrue(lines.contains("first sample: s00000, hate_speech by adjudicator under v3.2"), load.stdout)
        load = try python(box, "load_snapshot.py", ".trail", "m1")
        XCTAssertFalse(load.stdout.contains("hate_speech"), load.stdout)

        // A failing trail: its exit code and its stderr come through.
        let missing = try python(box, "load_snapshot.py", ".trail", "no-such-model")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("unknown revision 'no-such-model'"), missing.stderr)
        XCTAssertEqual(try python(box, "load_snapshot.py", "elsewhere/.trail", "m2").status, 3)

        // query_index.py flips: exactly the relabels this test made, from → to.
        let flips = try python(box, "query_index.py", ".trail", "flips", "m1", "m2")
        XCTAssertEqual(flips.status, 0, flips.stderr)
        lines = flips.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(lines.first, "\(relabeled.count) relabels from m1 to m2:")
        XCTAssertEqual(lines.dropFirst().map { String($0.prefix(6)) }, relabeled)
        XCTAssertTrue(lines.dropFirst().allSatisfy { $0.contains("-> hate_speech  by adjudicator under v3.2") }, flips.stdout)
        XCTAssertEqual(try python(box, "query_index.py", ".trail", "flips", "m2", "m1").status, 1)

        let annotator = try python(box, "query_index.py", ".trail", "annotator", "adjudicator")
        XCTAssertEqual(annotator.status, 0, annotator.stderr)
        XCTAssertTrue(annotator.stdout.hasPrefix("\(relabeled.count) relabels by adjudicator:"), annotator.stdout)

        // After an erasure: the sample is listed with both models, and the load leaves it out.
        try box.ok("erase", "s00007", "--reason", "GDPR request #1")
        let erased = try python(box, "query_index.py", ".trail", "erased")
        XCTAssertEqual(erased.status, 0, erased.stderr)
        XCTAssertTrue(erased.stdout.hasPrefix("1 erased sample:\n  s00007  erasure 1, "), erased.stdout)
        XCTAssertTrue(erased.stdout.contains("'GDPR request #1'"), erased.stdout)
        XCTAssertTrue(erased.stdout.contains("models that trained on it: m1, m2"), erased.stdout)
        load = try python(box, "load_snapshot.py", ".trail", "m2")
        XCTAssertEqual(load.status, 0, load.stderr)
        XCTAssertTrue(load.stdout.hasPrefix("m2: \(exported - 1) samples\n"), load.stdout)
        XCTAssertTrue(load.stderr.contains("s00007"), load.stderr)
    }
}
