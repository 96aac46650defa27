import Foundation
import XCTest

/// `trail diff` checked against an independent computation over the two exported files.
final class DiffTests: XCTestCase {
    /// A diff along the history is read from the index's rows (a range per commit); it must say
    /// exactly what comparing the trees and reading the records says, over one commit and
    /// several, with samples changed more than once, changed back, removed and brought back, and
    /// backwards (which only git can answer).
    func testDiffFromTheIndexMatchesTheTrees() throws {
        let box = try Sandbox()
        let rows = Sandbox.dataset(60).split(separator: "\n").map(String.init)
        func row(_ n: Int, label: String? = nil, text: String? = nil, severity: Int? = nil) -> String {
            var line = rows[n]
            if let label { line = line.replacingOccurrences(of: #""label":"[^"]*""#, with: #""label":"\#(label)""#, options: .regularExpression) }
            if let text { line = line.replacingOccurrences(of: "sample text number \(n) with some words", with: text) }
            if let severity { line = line.replacingOccurrences(of: #""severity":\d"#, with: #""severity":\#(severity)"#, options: .regularExpression) }
            return line
        }
        func delete(_ n: Int) -> String { #"{"id":"s\#(String(format: "%05d", n))","_delete":true}"# }
        let patches: [[String]] = [
            [row(1, label: "spam"), row(2, text: "edited two"), row(3, severity: 7), delete(4), Sandbox.dataset(2, start: 100).trimmingCharacters(in: .newlines)],
            [row(1, label: "self_harm"), row(5, label: "spam"), delete(6), row(4)],          // 1 again, 4 brought back
            [row(1), row(2), row(7, label: "harassment", text: "seven edited"), delete(3)],   // 1 and 2 back as they were
            [row(3), row(8, label: "spam")],
        ]
        try box.write("v0.jsonl", rows.joined(separator: "\n") + "\n")
        try box.ok("init")
        try box.ok("commit", "v0.jsonl", "-m", "v0")
        for (k, patch) in patches.enumerated() {
            try box.write("p\(k).jsonl", patch.joined(separator: "\n") + "\n")
            try box.ok("commit", "--patch", "p\(k).jsonl", "-m", "patch \(k)")
        }
        let commits = try box.git("rev-list", "--reverse", "HEAD").stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(commits.count, 5)

        box.environment["TRAIL_TRACE"] = "1"
        func diffs(expectingIndex: Bool) throws -> [String: String] {
            var out: [String: String] = [:]
            for a in commits.indices { for b in commits.indices where a != b {
                let result = try box.trail(["diff", commits[a], commits[b], "--samples", "--json"])
                XCTAssertEqual(result.status, 0, result.stderr)
                // Forward diffs come from the index while it is there; backward ones never do.
                XCTAssertEqual(result.stderr.contains("changes from the index"), expectingIndex && a < b, "\(a) → \(b): \(result.stderr)")
                out["\(a)→\(b)"] = result.stdout
            } }
            return out
        }
        let fromIndex = try diffs(expectingIndex: true)
        try FileManager.default.moveItem(atPath: box.store + "/index.sqlite", toPath: box.root.path + "/index.sqlite.away")
        let fromTrees = try diffs(expectingIndex: false)
        for (pair, json) in fromTrees { XCTAssertTrue(fromIndex[pair] == json, "\(pair): from the index\n\(fromIndex[pair] ?? "")\nfrom the trees\n\(json)") }
        // The pairs say something: 0 → 3 holds sample 1 and 2 unchanged in the end, 4 back as it was.
        let span = try JSONSerialization.jsonObject(with: Data(fromTrees["0→3"]!.utf8)) as! [String: Any]
        let ids = Set((span["samples"] as! [[String: Any]]).map { $0["id"] as! String })
        XCTAssertEqual(ids, ["s00003", "s00005", "s00006", "s00007", "s00100", "s00101"])
    }

    func testDiffMatchesAnIndependentComputation() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(400))
        // v2: relabels (every 9th), text edits (every 13th), metadata edits (every 17th), removals, additions.
        var lines: [String] = []
        // Edited as text, so every other value keeps its exact spelling.
        for (n, line) in Sandbox.dataset(400, relabelEvery: 9, guideline: "v3.2").split(separator: "\n").enumerated() {
            var line = String(line)
            if n % 31 == 0 { continue }
            if n % 13 == 0 { line = line.replacingOccurrences(of: "sample text number \(n) with some words", with: "edited text \(n)") }
            if n % 17 == 0 { line = line.replacingOccurrences(of: "\"severity\":\(n % 4),", with: "\"severity\":9,") }
            lines.append(line)
        }
        lines += Sandbox.dataset(6, start: 900).split(separator: "\n").map(String.init)
        try box.write("v2.jsonl", lines.joined(separator: "\n") + "\n")
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("model", "register", "m1", "HEAD")
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        try box.ok("model", "register", "m2", "HEAD")
        try box.ok("export", "m1", "--out", "a.jsonl")
        try box.ok("export", "m2", "--out", "b.jsonl")

        // The independent computation, from the two exports.
        func load(_ name: String) throws -> [String: [String: Any]] {
            var byID: [String: [String: Any]] = [:]
            for line in try box.read(name).split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                byID[object["id"] as! String] = object
            }
            return byID
        }
        let a = try load("a.jsonl"), b = try load("b.jsonl")
        var expected: [String: Int] = ["added": 0, "removed": 0, "relabeled": 0, "content-changed": 0, "metadata-changed": 0]
        var transitions: [String: Int] = [:]
        var byAnnotator: [String: Int] = [:]
        for id in Set(a.keys).union(b.keys) {
            guard let old = a[id] else { expected["added"]! += 1; continue }
            guard let new = b[id] else { expected["removed"]! += 1; continue }
            if old["label"] as? String != new["label"] as? String {
                expected["relabeled"]! += 1
                transitions["\(old["label"]!)→\(new["label"]!)", default: 0] += 1
                byAnnotator[new["annotator"] as! String, default: 0] += 1
            } else if old["text"] as? String != new["text"] as? String {
                expected["content-changed"]! += 1
            } else if !NSDictionary(dictionary: old).isEqual(to: new) {
                expected["metadata-changed"]! += 1
            }
        }

        let json = try box.ok("diff", "m1", "m2", "--json").stdout
        let diff = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        XCTAssertEqual(diff["counts"] as? [String: Int], expected)
        var got: [String: Int] = [:]
        for t in diff["transitions"] as! [[String: Any]] { got["\(t["from"]!)→\(t["to"]!)"] = t["count"] as? Int }
        XCTAssertEqual(got, transitions)
        XCTAssertEqual(diff["relabelsByAnnotator"] as? [String: Int], byAnnotator)
        XCTAssertEqual(diff["relabelsByGuideline"] as? [String: Int], ["v3.2": expected["relabeled"]!])
        let labels = diff["labels"] as! [[String: Any]]
        let hate = labels.first { $0["label"] as? String == "hate_speech" }!
        XCTAssertEqual(hate["before"] as? Int, 0)
        XCTAssertEqual(hate["after"] as? Int, b.values.filter { $0["label"] as? String == "hate_speech" }.count)

        // --samples with filters lists exactly the matching changes.
        let listed = try box.ok("diff", "m1", "m2", "--kind", "relabeled", "--label", "spam", "--json").stdout
        let rows = (try JSONSerialization.jsonObject(with: Data(listed.utf8)) as! [String: Any])["samples"] as! [[String: Any]]
        let expectedSpam = Set(a.keys).intersection(b.keys).filter {
            a[$0]!["label"] as? String != b[$0]!["label"] as? String && (a[$0]!["label"] as? String == "spam" || b[$0]!["label"] as? String == "spam")
        }
        XCTAssertEqual(Set(rows.map { $0["id"] as! String }), expectedSpam)
        XCTAssertFalse(expectedSpam.isEmpty)

        let text = try box.ok("diff", "m1", "m2", "--samples").stdout
        XCTAssertTrue(text.contains("relabeled \(expected["relabeled"]!)"), text)
        XCTAssertTrue(text.contains("→ hate_speech"), text)
        XCTAssertEqual(try box.trail(["diff", "m1", "m2", "--exit-code"]).status, 1)
        XCTAssertEqual(try box.trail(["diff", "m2", "m2", "--exit-code"]).status, 0)
        XCTAssertEqual(try box.trail(["diff", "m1", "m2", "--kind", "bogus"]).status, 2)
    }
}
