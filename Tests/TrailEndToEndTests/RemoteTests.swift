import Foundation
import XCTest

/// Push, clone, fetch and pull through a plain path, file:// and a real `git daemon` on
/// loopback: the copies answer like the origin, and erasure travels with the data.
final class RemoteTests: XCTestCase {
    /// A store at `box.root/a` with two commits, a tag and two models.
    private func makeOrigin(_ box: Sandbox) throws -> (v1: String, v2: String) {
        try box.write("v1.jsonl", Sandbox.dataset(300))
        try box.write("v2.jsonl", Sandbox.dataset(310, relabelEvery: 6, guideline: "v3.2"))
        try box.ok("init", "--store", "a")
        try box.ok("commit", "--store", "a", "v1.jsonl", "-m", "v1")
        try box.ok("model", "register", "--store", "a", "m1", "HEAD", "--meta", "run=r1")
        try box.ok("tag", "--store", "a", "release-1")
        try box.ok("commit", "--store", "a", "v2.jsonl", "-m", "v2")
        try box.ok("model", "register", "--store", "a", "m2", "HEAD")
        _ = try box.run("/usr/bin/env", ["git", "init", "-q", "--bare", box.root.appendingPathComponent("server.git").path])
        return ("v1.jsonl", "v2.jsonl")
    }

    /// The origin pushed to `server.git` (returned) and cloned from it into `b.trail`.
    private func originPushedAndCloned(_ box: Sandbox) throws -> String {
        _ = try makeOrigin(box)
        let server = box.root.appendingPathComponent("server.git").path
        try box.ok("remote", "add", "--store", "a", "origin", server)
        try box.ok("push", "--store", "a")
        try box.ok("clone", server, "b.trail")
        return server
    }

    private func git(_ box: Sandbox, _ dir: String, _ args: String...) throws -> Sandbox.Result {
        // A clone's store is DIR/.trail, as git's is DIR/.git.
        let folder = box.root.appendingPathComponent(dir).path
        let gitDir = FileManager.default.fileExists(atPath: folder + "/.trail/HEAD") ? folder + "/.trail" : folder
        return try box.run("/usr/bin/env", ["git", "--git-dir", gitDir] + args)
    }

    /// The answers a user would compare between an origin and its copy.
    private func answers(_ box: Sandbox, _ store: String) throws -> [String] {
        try [["log", "--json"], ["diff", "m1", "m2", "--json", "--samples"], ["history", "s00006", "--json"],
             ["audit", "model", "m2", "--json"], ["audit", "disputed", "--json", "--min-changes", "1"],
             ["export", "m1", "--out", "-"], ["model", "list", "--json"]].map { args in
            let result = try box.trail(args + ["--store", store])
            XCTAssertEqual(result.status, 0, "trail \(args) --store \(store): \(result.stderr)")
            return result.stdout
        }
    }

    func testPushCloneAndPullThroughAPathAndAFileURL() throws {
        let box = try Sandbox()
        _ = try makeOrigin(box)
        let server = box.root.appendingPathComponent("server.git").path
        try box.ok("remote", "add", "--store", "a", "origin", server)
        let pushed = try box.ok("push", "--store", "a").stdout
        XCTAssertTrue(pushed.contains("Pushed main"), pushed)
        let refs = try git(box, "server.git", "for-each-ref", "--format=%(refname)").stdout
        for ref in ["refs/heads/main", "refs/models/m1", "refs/models/m2", "refs/tags/release-1", "refs/trail/content"] {
            XCTAssertTrue(refs.contains(ref), "the server holds \(ref): \(refs)")
        }
        XCTAssertEqual(try git(box, "server.git", "fsck", "--strict").status, 0)

        let cloned = try box.ok("clone", "file://" + server, "b.trail").stdout
        XCTAssertTrue(cloned.contains("new models: m1, m2"), cloned)
        XCTAssertEqual(try answers(box, "b.trail"), try answers(box, "a"), "the clone answers as the origin does")
        XCTAssertEqual(try git(box, "b.trail", "fsck", "--strict").status, 0)
        XCTAssertEqual(try box.trail(["verify", "--store", "b.trail"]).status, 0)

        // A new commit on the origin reaches the clone with a pull (a fast-forward).
        try box.write("v3.jsonl", Sandbox.dataset(320, relabelEvery: 5, guideline: "v3.3"))
        try box.ok("commit", "--store", "a", "v3.jsonl", "-m", "v3")
        try box.ok("push", "--store", "a")
        let pulled = try box.ok("pull", "--store", "b.trail").stdout
        XCTAssertTrue(pulled.contains("fast-forward"), pulled)
        XCTAssertEqual(try box.ok("diff", "--store", "b.trail", "HEAD~1", "HEAD", "--json").stdout,
                       try box.ok("diff", "--store", "a", "HEAD~1", "HEAD", "--json").stdout)
        XCTAssertTrue(try box.ok("pull", "--store", "b.trail").stdout.contains("up to date"))
    }

    func testErasureTravelsWithPushAndPull() throws {
        let box = try Sandbox()
        _ = try originPushedAndCloned(box)
        XCTAssertTrue(try git(box, "b.trail", "cat-file", "--batch-all-objects", "--batch").stdout.contains("sample text number 42 with"))

        try box.ok("erase", "--store", "a", "s00042", "--reason", "request 17")
        try box.ok("push", "--store", "a")
        let pulled = try box.ok("pull", "--store", "b.trail").stdout
        XCTAssertTrue(pulled.contains("erasures carried out here: 1") && pulled.contains("fast-forward"), pulled)
        XCTAssertFalse(try git(box, "b.trail", "cat-file", "--batch-all-objects", "--batch").stdout.contains("sample text number 42 with"),
                       "the pulled erasure removed the content here")
        XCTAssertTrue(try box.ok("history", "--store", "b.trail", "s00042").stdout.contains("request 17"))
        XCTAssertEqual(try git(box, "b.trail", "fsck", "--strict").status, 0)
        XCTAssertEqual(try box.trail(["verify", "--store", "b.trail"]).status, 0)
        // The server's copy is unreachable now; its own gc removes it.
        XCTAssertEqual(try git(box, "server.git", "fsck", "--strict").status, 0)
        _ = try git(box, "server.git", "-c", "gc.reflogExpire=now", "-c", "gc.reflogExpireUnreachable=now", "gc", "--prune=now", "-q")
        XCTAssertFalse(try git(box, "server.git", "cat-file", "--batch-all-objects", "--batch").stdout.contains("sample text number 42 with"))
    }

    func testAPushBehindTheRemoteIsRefusedAndADivergedPullMergesSampleBySample() throws {
        let box = try Sandbox()
        _ = try originPushedAndCloned(box)
        // a relabels s00001 and adds a sample; b relabels s00001 differently and s00002.
        try box.write("a-round.jsonl", #"{"id":"s00001","label":"spam","annotator":"adj_a","guideline":"v4"}"# + "\n"
                      + #"{"id":"s00500","label":"safe","annotator":"ann_9","guideline":"v4"}"# + "\n")
        try box.write("b-round.jsonl", #"{"id":"s00001","label":"harassment","annotator":"adj_b","guideline":"v4"}"# + "\n"
                      + #"{"id":"s00002","label":"self_harm","annotator":"adj_b","guideline":"v4"}"# + "\n")
        try box.ok("commit", "--store", "a", "--patch", "a-round.jsonl", "-m", "a round")
        try box.ok("commit", "--store", "b.trail", "--patch", "b-round.jsonl", "-m", "b round")
        try box.ok("push", "--store", "a")
        let refused = try box.trail(["push", "--store", "b.trail"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("trail pull"), refused.stderr)

        let before = try git(box, "b.trail", "rev-parse", "main").stdout
        let conflicted = try box.trail(["pull", "--store", "b.trail"])
        XCTAssertEqual(conflicted.status, 1)
        XCTAssertTrue(conflicted.stdout.contains("s00001") && conflicted.stdout.contains("ours:   harassment by adj_b")
                      && conflicted.stdout.contains("theirs: spam by adj_a") && conflicted.stdout.contains("nothing was committed"), conflicted.stdout)
        XCTAssertEqual(try git(box, "b.trail", "rev-parse", "main").stdout, before, "nothing is committed while a conflict is open")

        try box.write("decisions.jsonl", #"{"id":"s00001","take":"theirs"}"# + "\n")
        let merged = try box.ok("pull", "--store", "b.trail", "--resolve", "decisions.jsonl").stdout
        XCTAssertTrue(merged.contains("Merged origin/main into main") && merged.contains("theirs 1"), merged)
        XCTAssertEqual(try git(box, "b.trail", "rev-list", "--parents", "-n", "1", "main").stdout.split(separator: " ").count, 3, "a merge commit")
        let rows = try box.ok("export", "--store", "b.trail", "HEAD", "--out", "-").stdout
        XCTAssertTrue(rows.contains(#""annotator":"adj_a","guideline":"v4","id":"s00001","label":"spam""#), "s00001 took theirs")
        XCTAssertTrue(rows.contains(#""id":"s00002","label":"self_harm""#), "s00002 kept ours")
        XCTAssertTrue(rows.contains(#""id":"s00500""#), "s00500 came from theirs")
        let summary = try box.ok("show", "--store", "b.trail", "HEAD", "--json").stdout
        XCTAssertTrue(summary.contains("\"samples\" : \(rows.split(separator: "\n").count)"), "the merged summary counts every sample: \(summary)")
        XCTAssertEqual(try git(box, "b.trail", "fsck", "--strict").status, 0)
        XCTAssertEqual(try box.trail(["verify", "--store", "b.trail"]).status, 0)
        // A tag name both sides gave to different commits is not sent, and does not block the push.
        try box.ok("tag", "--store", "a", "qa-passed", "HEAD~1")
        try box.ok("push", "--store", "a")
        try box.ok("tag", "--store", "b.trail", "qa-passed")
        let pushed = try box.ok("push", "--store", "b.trail").stdout
        XCTAssertTrue(pushed.contains("not sent: tags/qa-passed"), pushed)
        XCTAssertTrue(try box.ok("pull", "--store", "a").stdout.contains("fast-forward"))
        XCTAssertEqual(try box.ok("export", "--store", "a", "HEAD", "--out", "-").stdout, rows)
    }

    func testMergeOfLocalBranches() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(50))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("branch", "vendor")
        try box.write("main.jsonl", #"{"id":"s00003","label":"spam"}"# + "\n" + #"{"id":"s00004","label":"spam"}"# + "\n")
        try box.write("vendor.jsonl", #"{"id":"s00003","label":"safe"}"# + "\n" + #"{"id":"s00005","_delete":true}"# + "\n")
        try box.ok("commit", "--patch", "main.jsonl", "-m", "main round")
        try box.ok("checkout", "vendor")
        try box.ok("commit", "--patch", "vendor.jsonl", "-m", "vendor round")
        try box.ok("checkout", "main")
        let conflicts = try box.trail(["merge", "vendor", "--json"])
        XCTAssertEqual(conflicts.status, 1)
        XCTAssertTrue(conflicts.stdout.contains("\"outcome\" : \"conflicts\"") && conflicts.stdout.contains("\"id\" : \"s00003\""), conflicts.stdout)
        try box.ok("merge", "vendor", "--ours", "-m", "Merge vendor")
        let rows = try box.ok("export", "HEAD", "--out", "-").stdout
        XCTAssertTrue(rows.contains(#"{"id":"s00003","label":"spam"}"#) && !rows.contains(#""id":"s00005""#), rows)
        XCTAssertEqual(try box.git("log", "-1", "--format=%s").stdout, "Merge vendor\n")
        // What the merge took from vendor was indexed with vendor's commit, not again with the merge.
        let merged = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite",
            "SELECT COUNT(*) FROM changes c JOIN commits m ON m.seq = c.seq WHERE m.subject = 'Merge vendor'; SELECT COUNT(*) FROM label_events"]).stdout
        XCTAssertEqual(merged, "0\n2\n", "no rows for the merge; s00003 relabeled once on main and once on vendor")
        let history = try box.ok("history", "s00005", "--json").stdout
        XCTAssertTrue(history.contains("vendor round") && !history.contains("Merge vendor"), "history names the commit that removed it: \(history)")
        XCTAssertEqual(try box.trail(["verify"]).status, 0)
        XCTAssertTrue(try box.ok("merge", "vendor").stdout.contains("already holds"))
    }

    func testThroughGitDaemonOnLoopback() throws {
        let box = try Sandbox()
        _ = try makeOrigin(box)
        let port = 20000 + Int(getpid() % 20000)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        daemon.arguments = ["git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack", "--listen=127.0.0.1",
                            "--port=\(port)", "--base-path=\(box.root.path)", box.root.path]
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer { daemon.terminate(); daemon.waitUntilExit() }
        let url = "git://127.0.0.1:\(port)/server.git"
        // Wait (a few seconds at most) for the daemon to listen.
        var ready = false
        for _ in 0..<50 where !ready {
            ready = try box.run("/usr/bin/env", ["git", "ls-remote", url]).status == 0
            if !ready { usleep(100_000) }
        }
        XCTAssertTrue(ready, "git daemon did not start")
        // The server checks every object it receives, and refuses a pack holding one twice.
        _ = try git(box, "server.git", "config", "receive.fsckObjects", "true")
        try box.ok("remote", "add", "--store", "a", "origin", url)
        try box.ok("push", "--store", "a")
        try box.ok("clone", url, "c.trail")
        XCTAssertEqual(try answers(box, "c.trail"), try answers(box, "a"))
        XCTAssertEqual(try git(box, "c.trail", "fsck", "--strict").status, 0)
        // Three commits in one push, the third making the first's change again: its record,
        // leaf, folders and root are walked twice, and sent once (the server checks).
        let row = try box.ok("export", "--store", "a", "HEAD", "--out", "-").stdout.split(separator: "\n").first { $0.contains(#""id":"s00001""#) }!
        try box.write("relabel.jsonl", #"{"id":"s00001","label":"spam","annotator":"adj_1","guideline":"v4"}"# + "\n"
                      + #"{"id":"s00999","text":"a new report","label":"spam","annotator":"adj_1","guideline":"v4"}"# + "\n")
        try box.write("back.jsonl", String(row) + "\n")
        try box.ok("commit", "--store", "a", "--patch", "relabel.jsonl", "-m", "relabel")
        try box.ok("commit", "--store", "a", "--patch", "back.jsonl", "-m", "take it back")
        try box.ok("commit", "--store", "a", "--patch", "relabel.jsonl", "-m", "relabel again")
        try box.ok("tag", "--store", "a", "after-review")
        try box.ok("push", "--store", "a")
        XCTAssertEqual(try git(box, "server.git", "rev-parse", "main", "after-review").stdout,
                       try git(box, "a", "rev-parse", "main", "after-review").stdout)
        XCTAssertEqual(try git(box, "a", "rev-parse", "refs/remotes/origin/main").stdout, try git(box, "a", "rev-parse", "main").stdout,
                       "the tracking branch follows what the remote accepted")
        XCTAssertEqual(try git(box, "server.git", "fsck", "--strict").status, 0)
        // Only what changed travelled: three commits of a record or two, their trees, the tag, a
        // new text and the content list's new commit and changed trees (under git's 100-object
        // limit, the server keeps them loose beside the first push's two packs), not the whole
        // content list again (310 texts and their trees).
        let counts = try git(box, "server.git", "count-objects", "-v").stdout
        XCTAssertTrue(counts.contains("packs: 2\n"), counts)
        let loose = Int(counts.split(separator: "\n").first { $0.hasPrefix("count: ") }!.dropFirst("count: ".count))!
        XCTAssertTrue((5...30).contains(loose), "\(loose) objects sent: \(counts)")
        XCTAssertEqual(try box.ok("pull", "--store", "c.trail").status, 0)
        XCTAssertEqual(try answers(box, "c.trail"), try answers(box, "a"))
        let unreachable = try box.trail(["clone", "git://127.0.0.1:1/none.git", "d.trail"])
        XCTAssertEqual(unreachable.status, 1)
        XCTAssertTrue(unreachable.stderr.contains("failed") && unreachable.stderr.contains("reachable"), unreachable.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.appendingPathComponent("d.trail").path), "a failed clone leaves nothing")
    }
}
