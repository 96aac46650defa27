import Foundation
import XCTest

/// `trail erase`: the content leaves every version and the object store, history keeps its ids,
/// and every read command reports the sample as erased.
final class ErasureTests: XCTestCase {
    /// A store with media and text, two commits, a tag, two models and a second branch.
    private func makeStore(_ box: Sandbox) throws {
        var lines: [String] = []
        for i in 0..<40 {
            // Media bytes unique to each sample, so finding them anywhere means a leak.
            try box.write("media/m\(i).bin", Data("MEDIA-BYTES-OF-SAMPLE-\(i)-".utf8 + Array(repeating: UInt8(65 + i % 26), count: 300)))
            lines.append(#"{"annotator":"ann_\#(i % 3)","guideline":"v3.1","id":"s\#(i)","label":"\#(i % 2 == 0 ? "safe" : "spam")","media":"media/m\#(i).bin","text":"private message number \#(i) from a user"}"#)
        }
        try box.write("v1.jsonl", lines.joined(separator: "\n") + "\n")
        lines[3] = lines[3].replacingOccurrences(of: #""label":"spam""#, with: #""label":"harassment""#)
            .replacingOccurrences(of: "v3.1", with: "v3.2")
        try box.write("v2.jsonl", lines.joined(separator: "\n") + "\n")
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("tag", "release-1", "-m", "first release")
        try box.ok("model", "register", "m1", "HEAD", "--meta", "run=r1")
        try box.ok("commit", "v2.jsonl", "-m", "v2 relabel")
        try box.ok("model", "register", "m2", "HEAD")
        try box.ok("branch", "vendor")
    }

    /// Every file of the store, read as bytes: none may hold the erased text or media.
    private func storeFilesContaining(_ needle: String, in box: Sandbox) throws -> [String] {
        let fm = FileManager.default
        var hits: [String] = []
        for path in try fm.subpathsOfDirectory(atPath: box.store) {
            let full = box.store + "/" + path
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue, let data = fm.contents(atPath: full) else { continue }
            if data.range(of: Data(needle.utf8)) != nil { hits.append(path) }
        }
        return hits
    }

    func testEraseRemovesTheContentEverywhereAndKeepsEveryID() throws {
        let box = try Sandbox()
        try makeStore(box)
        let refsBefore = try box.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags", "refs/models").stdout
        let m1Tree = try box.git("ls-tree", "-r", "models/m1").stdout
        XCTAssertFalse(try storeFilesContaining("private message number 3 from", in: box).isEmpty, "the text is stored before")

        let erased = try box.ok("erase", "s3", "--reason", "GDPR art. 17 request #4411", "--json").stdout
        XCTAssertTrue(erased.contains("\"sequence\" : 1"), erased)
        XCTAssertTrue(erased.contains("\"branch\" : \"main\"") && erased.contains("\"branch\" : \"vendor\""), "both branches held s3: \(erased)")

        // The bytes are gone: from every object git can list, and from every file of the store.
        let all = try box.git("cat-file", "--batch-all-objects", "--batch").stdout
        XCTAssertFalse(all.contains("private message number 3 from"))
        XCTAssertFalse(all.contains("MEDIA-BYTES-OF-SAMPLE-3-"))
        XCTAssertTrue(all.contains("private message number 4 from"), "other samples keep their content")
        XCTAssertEqual(try storeFilesContaining("private message number 3 from", in: box), [])
        XCTAssertEqual(try storeFilesContaining("MEDIA-BYTES-OF-SAMPLE-3-", in: box), [])

        // History keeps its ids: old commits, tags and models, and what they hold.
        let refsAfter = try box.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/tags", "refs/models").stdout
        for line in refsAfter.split(separator: "\n") { XCTAssertTrue(refsBefore.contains(line), "\(line) moved") }
        XCTAssertEqual(try box.git("ls-tree", "-r", "models/m1").stdout, m1Tree)
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)
        XCTAssertEqual(try box.git("rev-list", "--count", "main").stdout, "3\n", "one removal commit on main")

        // The erasure record, readable with git alone.
        let record = try box.git("cat-file", "-p", "refs/trail/erasures:000001.json").stdout
        XCTAssertTrue(record.contains("GDPR art. 17 request #4411") && record.contains("\"samples\":[\"s3\"]"), record)
        XCTAssertEqual(try box.git("log", "--format=%an", "refs/trail/erasures").stdout, "Ana Annotator\n")

        // Read commands report it as erased instead of failing.
        let show = try box.ok("show", "m1", "s3", "--json").stdout
        XCTAssertTrue(show.contains("\"erased\"") && show.contains("GDPR art. 17"), show)
        XCTAssertFalse(show.contains("private message"), show)
        XCTAssertNotEqual(try box.trail(["show", "HEAD", "s3"]).status, 0, "HEAD no longer holds it")
        let history = try box.ok("history", "s3").stdout
        XCTAssertTrue(history.contains("Content erased") && history.contains("GDPR art. 17"), history)
        XCTAssertTrue(history.contains("removed"), history)
        let export = try box.trail(["export", "m1", "--out", "m1.jsonl"])
        XCTAssertEqual(export.status, 0, export.stderr)
        XCTAssertTrue(export.stderr.contains("erasure 1") && export.stderr.contains("s3"), export.stderr)
        let rows = try box.read("m1.jsonl").split(separator: "\n")
        XCTAssertEqual(rows.count, 39)
        XCTAssertFalse(rows.contains { $0.contains(#""id":"s3""#) })
        let diff = try box.ok("diff", "m1", "m2", "--json").stdout
        XCTAssertTrue(diff.contains("\"erased\"") && diff.contains("\"id\" : \"s3\""), diff)
        XCTAssertTrue(diff.contains("\"relabeled\" : 1"), "the relabel of s3 still counts: \(diff)")
        let audit = try box.ok("audit", "model", "m1").stdout
        XCTAssertTrue(audit.contains("Trained on 1 sample erased since"), audit)

        // The index knows, and the store verifies.
        let rowsInIndex = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite",
                                                       "SELECT e.reason, s.sample_id FROM erasures e JOIN erased_samples s ON s.erasure = e.sequence"]).stdout
        XCTAssertEqual(rowsInIndex, "GDPR art. 17 request #4411|s3\n")
        let verify = try box.trail(["verify"])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)

        // Erased content cannot come back through a manifest that still holds it.
        let recommit = try box.trail(["commit", "v2.jsonl", "-m", "re-import"])
        XCTAssertEqual(recommit.status, 1)
        XCTAssertTrue(recommit.stderr.contains("v2.jsonl:4:") && recommit.stderr.contains("erased"), recommit.stderr)
        // Erasing it again changes nothing.
        let again = try box.ok("erase", "s3", "--reason", "again").stdout
        XCTAssertTrue(again.contains("Already erased, nothing new to record: s3"), again)
        XCTAssertEqual(try box.git("rev-list", "--count", "refs/trail/erasures").stdout, "1\n")
    }

    func testSharedContentIsRefusedUnlessIncluded() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", """
            {"id":"a","label":"spam","text":"the same forwarded message"}
            {"id":"b","label":"spam","text":"the same forwarded message"}
            {"id":"c","label":"safe","text":"something else"}

            """)
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        let before = try box.storeState()
        let refused = try box.trail(["erase", "a", "--reason", "takedown"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("'b'") && refused.stderr.contains("--include-shared"), refused.stderr)
        XCTAssertEqual(try box.storeState(), before, "a refused erasure writes nothing")

        let done = try box.ok("erase", "a", "--reason", "takedown", "--include-shared").stdout
        XCTAssertTrue(done.contains("also erased (same content): b"), done)
        XCTAssertFalse(try box.git("cat-file", "--batch-all-objects", "--batch").stdout.contains("the same forwarded message"))
        XCTAssertEqual(try box.ok("export", "HEAD", "--out", "-").stdout.split(separator: "\n").count, 1)
        XCTAssertEqual(try box.trail(["verify"]).status, 0)
    }

    func testContentSharedOnlyByAnOlderVersionIsFoundToo() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", #"{"id":"a","text":"forwarded twice"}"# + "\n" + #"{"id":"b","text":"forwarded twice"}"# + "\n")
        try box.write("del.jsonl", #"{"id":"b","_delete":true}"# + "\n")
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("tag", "t1")
        try box.ok("commit", "--patch", "del.jsonl", "-m", "b removed")
        let refused = try box.trail(["erase", "a", "--reason", "request"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("'b'"), "b shares it in tag t1: \(refused.stderr)")
        try box.ok("erase", "a", "--reason", "request", "--include-shared")
        let export = try box.trail(["export", "t1", "--out", "-"])
        XCTAssertEqual(export.stdout, "")
        XCTAssertTrue(export.stderr.contains("a, b"), "the note names both: \(export.stderr)")
    }

    /// Only a remote's `trail/` refs are not history: a local branch may be named `trail/x`.
    func testAVersionOnABranchNamedTrailSomethingIsErasedToo() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", #"{"id":"a","text":"first private note"}"# + "\n")
        try box.write("v2.jsonl", #"{"id":"a","text":"second private note"}"# + "\n")
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("branch", "trail/x")
        try box.ok("checkout", "trail/x")
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        try box.ok("checkout", "main")
        let erased = try box.ok("erase", "a", "--reason", "request").stdout
        XCTAssertTrue(erased.contains("2 content blobs"), erased)
        XCTAssertFalse(try box.git("cat-file", "--batch-all-objects", "--batch").stdout.contains("second private note"))
    }

    func testBadErasureRequestsChangeNothing() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(20))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        let before = try box.storeState()
        let unknown = try box.trail(["erase", "s00001", "nope", "--reason", "x"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("'nope'") && unknown.stderr.contains("Nothing was erased"), unknown.stderr)
        let noReason = try box.trail(["erase", "s00001"])
        XCTAssertEqual(noReason.status, 2)
        XCTAssertTrue(noReason.stderr.contains("--reason"), noReason.stderr)
        let noIDs = try box.trail(["erase", "--reason", "x"])
        XCTAssertEqual(noIDs.status, 2)
        XCTAssertEqual(try box.storeState(), before)

        // --from-file: one id a line, comments and blank lines skipped.
        try box.write("ids.txt", "# takedown list\ns00001\n\ns00002\n")
        let fromFile = try box.ok("erase", "--from-file", "ids.txt", "--reason", "court order").stdout
        XCTAssertTrue(fromFile.contains("Erasure 1: 2 samples"), fromFile)
        XCTAssertEqual(try box.ok("export", "HEAD", "--out", "-").stdout.split(separator: "\n").count, 18)
    }

    /// A kill at each step of an erasure: the next command finishes it, and the store verifies.
    func testAnInterruptedErasureIsFinishedWhenTheStoreIsNextOpened() throws {
        for point in ["erase-recorded", "erase-committed", "erase-unlisted", "erase-pack-replaced"] {
            let box = try Sandbox(point)
            try box.write("v1.jsonl", Sandbox.dataset(300))
            try box.ok("init")
            try box.ok("commit", "v1.jsonl", "-m", "v1")
            box.environment["TRAIL_TEST_KILL_AT"] = point
            let killed = try box.trail(["erase", "s00007", "--reason", "request 9"])
            XCTAssertEqual(killed.status, 9, "\(point): the erasure was killed (\(killed.stderr))")
            box.environment["TRAIL_TEST_KILL_AT"] = nil
            XCTAssertTrue(FileManager.default.fileExists(atPath: box.store + "/erasure-in-progress"), point)
            XCTAssertEqual(try box.git("fsck", "--strict").status, 0, point)

            let verify = try box.trail(["verify"])
            XCTAssertEqual(verify.status, 0, "\(point): \(verify.stdout)\(verify.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: box.store + "/erasure-in-progress"), point)
            XCTAssertFalse(try box.git("cat-file", "--batch-all-objects", "--batch").stdout.contains("sample text number 7 with"), point)
            XCTAssertEqual(try box.ok("export", "HEAD", "--out", "-").stdout.split(separator: "\n").count, 299, point)
            XCTAssertEqual(try box.git("rev-list", "--count", "HEAD").stdout, "2\n", "\(point): one removal commit")
            XCTAssertEqual(try box.git("fsck", "--strict").status, 0, point)
        }
    }
}
