import Foundation
import XCTest

/// The main job, as a user runs it: init, commit, relabel, log, show, export; checked with git too.
final class CommitAndExportTests: XCTestCase {
    func testCommitLogShowAndGitReadsTheStore() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(300))
        try box.write("v2.jsonl", Sandbox.dataset(300, relabelEvery: 10, guideline: "v3.2"))
        try box.ok("init")
        let first = try box.ok("commit", "v1.jsonl", "-m", "Initial import")
        XCTAssertTrue(first.stdout.contains("300 samples: 300 added"), first.stdout)
        let second = try box.ok("commit", "v2.jsonl", "-m", "Relabel under v3.2")
        XCTAssertTrue(second.stdout.contains("30 modified"), second.stdout)

        // git itself reads the store: fsck finds no error, log shows Trail's commits and authors.
        let fsck = try box.git("fsck", "--strict")
        XCTAssertEqual(fsck.status, 0, fsck.stderr)
        let log = try box.git("log", "--format=%an <%ae>|%s")
        XCTAssertEqual(log.stdout, "Ana Annotator <ana@example.org>|Relabel under v3.2\nAna Annotator <ana@example.org>|Initial import\n")
        XCTAssertTrue(try box.git("log", "-1", "--format=%B").stdout.contains("Trail-Guidelines: v3.2"))

        let trailLog = try box.ok("log", "--json")
        let entries = try JSONSerialization.jsonObject(with: Data(trailLog.stdout.utf8)) as! [[String: Any]]
        XCTAssertEqual(entries.count, 2)
        XCTAssertEqual(entries[0]["subject"] as? String, "Relabel under v3.2")
        XCTAssertEqual(entries[0]["samples"] as? Int, 300)

        let show = try box.ok("show", "HEAD", "--json")
        let report = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        let summary = report["summary"] as! [String: Any]
        XCTAssertEqual(summary["samples"] as? Int, 300)
        XCTAssertEqual((summary["labels"] as! [String: [String: Int]])["label"]?["hate_speech"], 30)
        XCTAssertEqual((summary["guidelines"] as! [String: Int])["v3.2"], 30)
        XCTAssertEqual((summary["annotators"] as! [String: Int])["adjudicator"], 30)
        // The parent still shows the old counts.
        let old = try box.ok("show", "HEAD~1", "--json").stdout
        XCTAssertFalse(old.contains("hate_speech"))

        let sample = try box.ok("show", "HEAD", "s00010").stdout
        XCTAssertTrue(sample.contains(#""label":"hate_speech""#), sample)
        XCTAssertTrue(sample.contains(#""text":"sample text number 10 with some words""#), sample)
        let before = try box.ok("show", "HEAD~1", "s00010").stdout
        XCTAssertTrue(before.contains(#""label":"safe""#) || before.contains(#""label":"harassment""#) || before.contains(#""label":"spam""#), before)
    }

    func testRelabelWritesANewRecordButNeverCopiesContent() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(50))
        try box.write("v2.jsonl", Sandbox.dataset(50, relabelEvery: 25))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        let v1Record = try recordJSON(box, "HEAD", "s00025")
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        let v2Record = try recordJSON(box, "HEAD", "s00025")
        XCTAssertNotEqual(v1Record.record, v2Record.record, "a relabel makes a new record")
        XCTAssertEqual(v1Record.textBlob, v2Record.textBlob, "a relabel keeps the content blob")
        // The second commit's pack holds 2 records, no content blobs.
        let json = try box.ok("commit", "v1.jsonl", "-m", "back", "--json").stdout
        let result = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        XCTAssertEqual(result["modified"] as? Int, 2)
        let written = result["objectsWritten"] as! Int
        // 2 records + their leaf and mid trees + root + 2 root files + commit; never the texts.
        XCTAssertLessThanOrEqual(written, 2 + 4 + 1 + 2 + 1)
        // Content blobs are reachable from the content ref, not from snapshots.
        let contentTree = try box.git("ls-tree", "-r", "refs/trail/content").stdout
        XCTAssertTrue(contentTree.contains(v1Record.textBlob))
        XCTAssertEqual(try box.git("cat-file", "-p", v1Record.textBlob).stdout, "sample text number 25 with some words")
    }

    func testIdenticalContentIsStoredOnce() throws {
        let box = try Sandbox()
        try box.write("d.jsonl", #"{"id":"a","text":"same words","label":"safe"}"# + "\n" + #"{"id":"b","text":"same words","label":"spam"}"# + "\n")
        try box.ok("init")
        try box.ok("commit", "d.jsonl", "-m", "dup text")
        let blobs = try box.git("ls-tree", "-r", "refs/trail/content").stdout.split(separator: "\n")
        XCTAssertEqual(blobs.count, 1)
    }

    func testExportGivesBackTheSameValues() throws {
        let box = try Sandbox()
        let rows = [
            #"{"id":"u1","text":"emoji 😀 and ü, \"quoted\" and\nnewline","label":["harassment","spam"],"meta":{"z":1,"a":[true,false,null]},"score":12345678901234567890123,"f":1.50,"e":-2.5E-3,"empty":"","none":null}"#,
            #"{"id":"video/123?x=1","text":"","label":"safe","unicode_key_é":"café","esc":"\u00e9\ud83d\ude00"}"#,
            #"{"id":42,"label":null,"text":"integer id"}"#,
        ]
        try box.write("tricky.jsonl", rows.joined(separator: "\n") + "\n")
        try box.ok("init")
        try box.ok("commit", "tricky.jsonl", "-m", "tricky values")
        try box.ok("export", "HEAD", "--out", "out.jsonl")
        let exported = try box.read("out.jsonl").split(separator: "\n").map(String.init)
        XCTAssertEqual(exported.count, 3)
        // Same values: compare as parsed JSON (with numbers as written) against the input.
        let byID = Dictionary(uniqueKeysWithValues: exported.map { line -> (String, String) in
            let object = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return ("\(object["id"]!)", line)
        })
        XCTAssertEqual(byID["u1"], #"{"e":-2.5E-3,"empty":"","f":1.50,"id":"u1","label":["harassment","spam"],"meta":{"a":[true,false,null],"z":1},"none":null,"score":12345678901234567890123,"text":"emoji 😀 and ü, \"quoted\" and\nnewline"}"#)
        XCTAssertEqual(byID["video/123?x=1"], #"{"esc":"é😀","id":"video/123?x=1","label":"safe","text":"","unicode_key_é":"café"}"#)
        XCTAssertEqual(byID["42"], #"{"id":42,"label":null,"text":"integer id"}"#)
        // Rows come out sorted by id (byte order).
        XCTAssertEqual(exported.map { $0.contains(#""id":42"#) ? "42" : ($0.contains("u1") ? "u1" : "video") }, ["42", "u1", "video"])

        // Exporting then committing the export changes nothing.
        let again = try box.ok("commit", "out.jsonl", "-m", "same")
        XCTAssertTrue(again.stdout.contains("Nothing to commit"), again.stdout)

        // show --json keeps numbers as written too.
        let shown = try box.ok("show", "HEAD", "u1", "--json").stdout
        XCTAssertTrue(shown.contains(#""f" : 1.50"#) && shown.contains("12345678901234567890123") && shown.contains("-2.5E-3"), shown)

        // Standard output works for pipelines.
        let stdout = try box.ok("export", "HEAD", "--out", "-").stdout
        XCTAssertEqual(stdout, try box.read("out.jsonl"))
    }

    func testCSVRoundTripAndCSVExportOfJSONData() throws {
        let box = try Sandbox()
        let csv = "id,text,label,annotator,guideline\ns1,\"hello, world\",safe,ann_1,v3.1\ns2,\"multi\nline \"\"quoted\"\"\",spam,ann_2,v3.1\ns3,,harassment,ann_1,v3.2\n"
        try box.write("d.csv", csv)
        try box.ok("init")
        try box.ok("commit", "d.csv", "-m", "csv import")
        try box.ok("export", "HEAD", "--out", "back.csv")
        XCTAssertEqual(try box.read("back.csv"), csv, "CSV comes back with the same columns, order and quoting")
        let show = try box.ok("show", "HEAD", "s2").stdout
        XCTAssertTrue(show.contains(#""text":"multi\nline \"quoted\"""#), show)

        // A CSV patch carries a _delete column on every row: empty means upsert.
        try box.write("p.csv", "id,text,label,annotator,guideline,_delete\ns1,\"hello, world\",spam,adj,v3.2,\ns3,,,,,true\n")
        let patched = try box.ok("commit", "--patch", "p.csv", "-m", "csv patch").stdout
        XCTAssertTrue(patched.contains("0 added, 1 modified, 1 removed"), patched)
        XCTAssertFalse(try box.ok("export", "HEAD", "--out", "-").stdout.contains("_delete"))
    }

    func testFolderExportWritesMediaByteForByte() throws {
        let box = try Sandbox()
        var media = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try box.write("data/media/a.bin", media)
        media.append(1)
        try box.write("data/media/sub/b.bin", media)
        try box.write("data/m.jsonl", #"{"id":"a","label":"safe","media":"media/a.bin"}"# + "\n" + #"{"id":"b","label":"spam","media":"media/sub/b.bin"}"# + "\n")
        try box.ok("init")
        try box.ok("commit", "data/m.jsonl", "-m", "media")
        let result = try box.ok("export", "HEAD", "--out", "exported")
        XCTAssertTrue(result.stdout.contains("2 media files"), result.stdout)
        XCTAssertEqual(try Data(contentsOf: box.root.appendingPathComponent("exported/media/sub/b.bin")), media)
        XCTAssertEqual(try box.read("exported/manifest.jsonl"), try box.read("data/m.jsonl"))
        // The media blob is what git hash-object says it is.
        let hash = try box.run("/usr/bin/env", ["git", "hash-object", box.root.appendingPathComponent("data/media/a.bin").path]).stdout
        XCTAssertTrue(try box.git("ls-tree", "-r", "refs/trail/content").stdout.contains(hash.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    func testPatchMatchesTheFullCommitOfTheSameData() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(200))
        try box.write("v2.jsonl", Sandbox.dataset(190, relabelEvery: 7, guideline: "v3.2") + Sandbox.dataset(5, start: 500))
        // The patch: rows that differ, plus deletions for ids that are gone.
        let v1 = Set(Sandbox.dataset(200).split(separator: "\n"))
        var patch = try box.read("v2.jsonl").split(separator: "\n").filter { !v1.contains($0) }.joined(separator: "\n") + "\n"
        for i in 190..<200 { patch += #"{"id":"s\#(String(format: "%05d", i))","_delete":true}"# + "\n" }
        try box.write("patch.jsonl", patch)

        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("branch", "full")
        let patched = try box.ok("commit", "--patch", "patch.jsonl", "-m", "patch").stdout
        XCTAssertTrue(patched.contains("5 added, 28 modified, 10 removed"), patched)
        try box.ok("checkout", "full")
        try box.ok("commit", "v2.jsonl", "-m", "full")
        XCTAssertEqual(try box.git("rev-parse", "main^{tree}").stdout, try box.git("rev-parse", "full^{tree}").stdout,
                       "a patch and a full manifest of the same data give the same snapshot")
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)

        // Deleting a sample HEAD does not hold is an error naming the line.
        try box.write("bad-patch.jsonl", #"{"id":"nope","_delete":true}"# + "\n")
        let bad = try box.trail(["commit", "--patch", "bad-patch.jsonl", "-m", "x"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("bad-patch.jsonl:1: field 'id': cannot delete sample 'nope'"), bad.stderr)
    }

    private func recordJSON(_ box: Sandbox, _ rev: String, _ id: String) throws -> (record: String, textBlob: String) {
        let out = try box.ok("show", rev, id, "--json").stdout
        let object = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        let content = (object["content"] as! [[String: Any]]).first { $0["field"] as? String == "text" }!
        return (object["record"] as! String, content["blob"] as! String)
    }
}
