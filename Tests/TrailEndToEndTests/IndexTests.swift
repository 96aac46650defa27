import Foundation
import XCTest

/// The lineage index: filled as commits land, rebuilt from git alone by `trail reindex` with the
/// same rows, and readable with the sqlite3 CLI.
final class IndexTests: XCTestCase {
    func dump(_ box: Sandbox) throws -> String {
        let query = """
            SELECT c.id, ch.sample_id, ch.kind, ch.record_before, ch.record_after, ch.labels_before, ch.labels_after, ch.annotator, ch.guideline
            FROM changes ch JOIN commits c ON c.seq = ch.seq ORDER BY c.id, ch.sample_id;
            SELECT c.id, e.sample_id, e.field, e.from_label, e.to_label, e.annotator, e.guideline, e.time
            FROM label_events e JOIN commits c ON c.seq = e.seq ORDER BY c.id, e.sample_id, e.field;
            SELECT id, parent, author, email, time, subject, samples FROM commits ORDER BY id;
            SELECT name, commit_id, meta FROM models ORDER BY name;
            """
        let result = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite", query])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout
    }

    func testCommitsFillTheIndexAndReindexGivesTheSameRows() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(120))
        try box.write("v2.jsonl", Sandbox.dataset(115, relabelEvery: 10, guideline: "v3.2") + Sandbox.dataset(3, start: 700))
        try box.write("p.jsonl", #"{"annotator":"adj","guideline":"v3.3","id":"s00001","label":"spam","text":"edited"}"# + "\n"
                      + #"{"id":"s00002","_delete":true}"# + "\n")
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("model", "register", "m1", "HEAD", "--meta", "run=r1")
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        try box.ok("commit", "--patch", "p.jsonl", "-m", "patch")

        let counts = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite",
                                                  "SELECT kind, COUNT(*) FROM changes GROUP BY kind ORDER BY kind"]).stdout
        XCTAssertEqual(counts, "added|123\nrelabeled|13\nremoved|6\n")
        let events = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite",
                                                  "SELECT from_label, to_label, annotator, guideline FROM label_events WHERE sample_id = 's00001'"]).stdout
        XCTAssertEqual(events, "safe|spam|adj|v3.3\n")
        let incremental = try dump(box)
        XCTAssertTrue(incremental.contains("m1|"), incremental)

        let reindex = try box.ok("reindex")
        XCTAssertTrue(reindex.stdout.contains("Reindexed 3 commits: 142 sample changes, 13 label events"), reindex.stdout)
        XCTAssertEqual(try dump(box), incremental, "reindex rebuilds the same rows from git alone")

        // An index deleted by hand is rebuilt the same way.
        try FileManager.default.removeItem(atPath: box.store + "/index.sqlite")
        try box.ok("reindex")
        XCTAssertEqual(try dump(box), incremental)
    }
}
