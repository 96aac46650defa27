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
        // The patch: a relabel, a removal, a row rewritten as it was, a text edit, a metadata edit,
        // a multi-label and an escaped annotator (both of which take the general decoding path),
        // and a new sample.
        try box.write("p.jsonl", [
            #"{"annotator":"adj","guideline":"v3.3","id":"s00001","label":"spam","text":"edited"}"#,
            #"{"id":"s00002","_delete":true}"#,
            #"{"annotator":"ann_3","confidence":0.53,"guideline":"v3.1","id":"s00003","label":"harassment","severity":3,"text":"sample text number 3 with some words"}"#,
            #"{"annotator":"ann_4","confidence":0.54,"guideline":"v3.1","id":"s00004","label":"spam","severity":0,"text":"a new text"}"#,
            #"{"annotator":"ann_0","confidence":0.99,"guideline":"v3.1","id":"s00005","label":"minor_safety.dangerous_acts","severity":1,"text":"sample text number 5 with some words"}"#,
            #"{"annotator":"ann_1","confidence":0.56,"guideline":"v3.1","id":"s00006","label":["self_harm","spam"],"severity":2,"text":"sample text number 6 with some words"}"#,
            #"{"annotator":"ann \"x\"","confidence":0.57,"guideline":"v3.1","id":"s00007","label":"safe","severity":3,"text":"sample text number 7 with some words"}"#,
            #"{"annotator":"ann_2","guideline":"v3.3","id":"n00001","label":"safe","text":"new"}"#,
        ].joined(separator: "\n") + "\n")
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("model", "register", "m1", "HEAD", "--meta", "run=r1")
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        try box.ok("commit", "--patch", "p.jsonl", "-m", "patch")

        let counts = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite",
                                                  "SELECT kind, COUNT(*) FROM changes GROUP BY kind ORDER BY kind"]).stdout
        XCTAssertEqual(counts, "added|124\ncontent-changed|1\nmetadata-changed|2\nrelabeled|14\nremoved|6\n")
        let events = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite",
                                                  "SELECT from_label, to_label, annotator, guideline FROM label_events WHERE sample_id = 's00001'"]).stdout
        XCTAssertEqual(events, "safe|spam|adj|v3.3\n")
        let incremental = try dump(box)
        XCTAssertTrue(incremental.contains("m1|"), incremental)

        let reindex = try box.ok("reindex")
        XCTAssertTrue(reindex.stdout.contains("Reindexed 3 commits: 147 sample changes, 14 label events ("), reindex.stdout)
        XCTAssertFalse(reindex.stdout.contains("judgments"), "a dataset without judgments reads as before: \(reindex.stdout)")
        XCTAssertEqual(try dump(box), incremental, "reindex rebuilds the same rows from git alone")

        // An index deleted by hand is rebuilt the same way.
        try FileManager.default.removeItem(atPath: box.store + "/index.sqlite")
        try box.ok("reindex")
        XCTAssertEqual(try dump(box), incremental)
    }

    /// Large batches take other paths (a first commit's index built beside the pack in a new
    /// file; secondary indexes dropped and rebuilt around a big insert; rows bound from record
    /// bytes). `TRAIL_TEST_BULK_ROWS` lowers their threshold; the rows must match row-by-row inserts.
    func testBulkLoadsGiveTheSameRowsAsRowByRowInserts() throws {
        let box = try Sandbox()
        box.environment["TRAIL_TEST_BULK_ROWS"] = "20"
        let odd = [
            #"{"annotator":"ann \"q\"","guideline":"v3.1","id":"odd-1","label":"spam","text":"escaped annotator"}"#,
            #"{"annotator":"ann_1","guideline":null,"id":"odd-2","label":null,"text":"null label and guideline"}"#,
            #"{"annotator":"ann_2","guideline":"v3.1","id":77,"label":"s\u00e9r","text":"integer id, escaped label"}"#,
        ]
        try box.write("v1.jsonl", Sandbox.dataset(60) + odd.joined(separator: "\n") + "\n")
        try box.write("v2.jsonl", Sandbox.dataset(60, relabelEvery: 3, guideline: "v3.2") + odd.dropLast().joined(separator: "\n") + "\n")
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("model", "register", "m1", "HEAD")
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.store + "/index.sqlite.new"))
        let indexes = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite",
                                                   "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'changes' ORDER BY name"]).stdout
        XCTAssertEqual(indexes, "changes_by_annotator\nchanges_by_sample\n", "bulk inserts rebuild the schema's indexes")
        let counts = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite",
                                                  "SELECT kind, COUNT(*) FROM changes GROUP BY kind ORDER BY kind"]).stdout
        XCTAssertEqual(counts, "added|63\nrelabeled|20\nremoved|1\n")
        let bulk = try dump(box)
        XCTAssertTrue(bulk.contains(#"|odd-1|added||"#) && bulk.contains(#"{"label":"(none)"}|ann_1|"# + "\n"), bulk)
        XCTAssertTrue(bulk.contains(#"|77|added||"#) && bulk.contains(#"{"label":"sér"}"#), bulk)

        box.environment["TRAIL_TEST_BULK_ROWS"] = "1000000"
        try FileManager.default.removeItem(atPath: box.store + "/index.sqlite")
        try box.ok("reindex")
        XCTAssertEqual(try dump(box), bulk, "row-by-row inserts give the same rows")
    }

    /// A first commit that fails after its index import has started (here: its branch cannot be
    /// created, as a file sits where its folder would be) leaves no index file behind and
    /// commits nothing; once the way is clear the same commit indexes in full.
    func testFailedFirstCommitLeavesNoIndexFile() throws {
        let box = try Sandbox()
        box.environment["TRAIL_TEST_BULK_ROWS"] = "20"
        try box.ok("init")
        try box.write("v1.jsonl", Sandbox.dataset(60))
        let blocker = try box.write(".trail/refs/heads/main/blocker", "not a ref\n")
        let failed = try box.trail(["commit", "v1.jsonl", "-m", "v1"])
        XCTAssertNotEqual(failed.status, 0, failed.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.store + "/index.sqlite.new"))
        try FileManager.default.removeItem(atPath: (blocker as NSString).deletingLastPathComponent)
        XCTAssertNotEqual(try box.git("rev-parse", "--verify", "-q", "refs/heads/main").status, 0, "no commit landed")

        try box.ok("commit", "v1.jsonl", "-m", "v1")
        let counts = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite",
                                                  "SELECT COUNT(*) FROM changes; SELECT COUNT(*) FROM commits"]).stdout
        XCTAssertEqual(counts, "60\n1\n")
    }
}
