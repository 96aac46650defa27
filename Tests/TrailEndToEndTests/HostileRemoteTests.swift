import Foundation
import XCTest

/// Repositories crafted by hand with the git CLI and served as remotes: clone and fetch refuse
/// each one, naming what is wrong, and the local store, its files and its index stay as they were.
final class HostileRemoteTests: XCTestCase {
    /// Origin store `a` (three samples, one with media) pushed to `good.git`; `b` cloned from it;
    /// `evil.git` a mirror of `good.git` for a test to damage; `b` has it as remote `evil`.
    private func setUpRemotes(_ box: Sandbox) throws {
        try box.write("media/c1.bin", "clip data")
        try box.write("m.jsonl", """
            {"id":"s1","label":"safe","text":"hello world","media":"media/c1.bin"}
            {"id":"s2","label":"spam","text":"hello world"}
            {"id":"s3","label":"spam","text":"only s3 says this"}

            """)
        try box.ok("init", "--store", "a")
        try box.ok("commit", "--store", "a", "m.jsonl", "-m", "v1")
        try sh(box, "git init -q --bare good.git")
        try box.ok("remote", "add", "--store", "a", "origin", box.root.path + "/good.git")
        try box.ok("push", "--store", "a")
        try box.ok("clone", box.root.path + "/good.git", "b")
        try sh(box, "git clone -q --mirror good.git evil.git")
        try box.ok("remote", "add", "--store", "b", "evil", box.root.path + "/evil.git")
    }

    /// Runs a shell script in the sandbox (git with a fixed identity); fails the test if it fails.
    @discardableResult
    private func sh(_ box: Sandbox, _ script: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let prelude = """
            set -e
            export GIT_AUTHOR_NAME=Mallory GIT_AUTHOR_EMAIL=m@example.org GIT_COMMITTER_NAME=Mallory GIT_COMMITTER_EMAIL=m@example.org
            # replace GITDIR PATH BLOB: a new commit on main whose tree holds BLOB at PATH.
            replace() {
                GIT_INDEX_FILE="$PWD/hostile-index" git --git-dir "$1" read-tree refs/heads/main
                GIT_INDEX_FILE="$PWD/hostile-index" git --git-dir "$1" update-index --cacheinfo "100644,$3,$2"
                tree=$(GIT_INDEX_FILE="$PWD/hostile-index" git --git-dir "$1" write-tree)
                rm -f "$PWD/hostile-index"
                git --git-dir "$1" update-ref refs/heads/main "$(git --git-dir "$1" commit-tree "$tree" -p refs/heads/main -m hostile)"
            }
            # record GITDIR ID: the path of sample ID's record in main's tree.
            record() { git --git-dir "$1" ls-tree -r refs/heads/main | while read -r mode type id path; do
                if git --git-dir "$1" cat-file blob "$id" | grep -q "\\"id\\":\\"$2\\""; then echo "$path"; fi; done; }

            """
        let result = try box.run("/bin/bash", ["-c", prelude + script])
        XCTAssertEqual(result.status, 0, "script failed: \(result.stderr)", file: file, line: line)
        return result.stdout
    }

    /// `fetch` from `evil` into `b` and `clone` of `evil.git` are both refused with `expected`
    /// in the message; `b` is byte for byte as it was and still verifies.
    private func assertRefused(_ box: Sandbox, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try box.fileContents("b/.trail")
        let fetched = try box.trail(["fetch", "--store", "b", "evil"])
        XCTAssertEqual(fetched.status, 1, "fetch was not refused: \(fetched.stdout) \(fetched.stderr)", file: file, line: line)
        for text in expected + ["nothing here changed"] {
            XCTAssertTrue(fetched.stderr.contains(text), "expected '\(text)' in: \(fetched.stderr)", file: file, line: line)
        }
        let after = try box.fileContents("b/.trail")
        // trail.lock is the write lock's file: a fetch takes the lock and notes its pid there.
        let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] && $0 != "trail.lock" }.sorted()
        XCTAssertEqual(changed, [], "the refused fetch changed the local store", file: file, line: line)
        let verified = try box.trail(["verify", "--store", "b"])
        XCTAssertEqual(verified.status, 0, "verify after the refused fetch: \(verified.stdout) \(verified.stderr)", file: file, line: line)
        XCTAssertEqual(try box.trail(["log", "--store", "b"]).status, 0, file: file, line: line)

        let cloned = try box.trail(["clone", box.root.path + "/evil.git", "c"])
        XCTAssertEqual(cloned.status, 1, "clone was not refused: \(cloned.stderr)", file: file, line: line)
        for text in expected { XCTAssertTrue(cloned.stderr.contains(text), "expected '\(text)' in: \(cloned.stderr)", file: file, line: line) }
        XCTAssertFalse(cloned.stderr.contains("UNIQUE"), cloned.stderr, file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.path + "/c"), "a refused clone leaves nothing", file: file, line: line)
    }

    func testAMediaPathThatLeavesTheFolderIsRefusedByFetchCloneAndExport() throws {
        let box = try Sandbox()
        try setUpRemotes(box)
        let path = try sh(box, "record evil.git s1").trimmingCharacters(in: .whitespacesAndNewlines)
        try sh(box, """
            blob=$(git --git-dir evil.git cat-file blob refs/heads/main:\(path) | sed 's#"path":"media/c1.bin"#"path":"../b/.trail/config"#' | git --git-dir evil.git hash-object -w --stdin)
            replace evil.git \(path) "$blob"
            """)
        try assertRefused(box, ["sample 's1'", "'../b/.trail/config'", "goes up with '..'"])

        // The same record made inside the store itself (as an old fetch could have brought it):
        // export refuses before writing anything.
        let config = try box.read("b/.trail/config")
        try sh(box, """
            blob=$(git --git-dir b/.trail cat-file blob refs/heads/main:\(path) | sed 's#"path":"media/c1.bin"#"path":"../b/.trail/config"#' | git --git-dir b/.trail hash-object -w --stdin)
            replace b/.trail \(path) "$blob"
            """)
        let exported = try box.trail(["export", "--store", "b", "HEAD", "--out", "out"])
        XCTAssertEqual(exported.status, 1, exported.stderr)
        XCTAssertTrue(exported.stderr.contains("sample 's1'") && exported.stderr.contains("outside"), exported.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.path + "/out"), "nothing was exported")
        XCTAssertEqual(try box.read("b/.trail/config"), config, "the store's config was not overwritten")
    }

    func testTreeEntriesNamedDotGitOrDotDotAreRefused() throws {
        let box = try Sandbox()
        try setUpRemotes(box)
        try sh(box, """
            b=$(echo '[core]' | git --git-dir evil.git hash-object -w --stdin)
            tree=$( (git --git-dir evil.git ls-tree refs/heads/main; printf "100644 blob $b\\t.git\\n100644 blob $b\\t..\\n") | git --git-dir evil.git mktree)
            git --git-dir evil.git update-ref refs/heads/main "$(git --git-dir evil.git commit-tree "$tree" -p refs/heads/main -m hostile)"
            """)
        try assertRefused(box, ["tree entry '.git'", "tree entry '..'"])
    }

    func testAMalformedErasureRecordIsRefused() throws {
        let box = try Sandbox()
        try setUpRemotes(box)
        try sh(box, """
            bad=$(printf '{"sequence": 1, "samples": [' | git --git-dir evil.git hash-object -w --stdin)
            tree=$(printf "100644 blob $bad\\t000001.json\\n" | git --git-dir evil.git mktree)
            git --git-dir evil.git update-ref refs/trail/erasures "$(git --git-dir evil.git commit-tree "$tree" -m erasures)"
            """)
        try assertRefused(box, ["erasure log", "000001.json", "malformed"])
    }

    func testTwoErasureRecordsWithOneSequenceNumberAreRefused() throws {
        let box = try Sandbox()
        try setUpRemotes(box)
        let record = #"{"content":["%@"],"date":"2026-12-01T10:00:00Z","erasedBy":"Mallory <m@example.org>","format":1,"reason":"r","samples":["%@"],"sequence":1,"time":1796119200}"#
        let one = String(format: record, "27fa34919ae70aa0d7eaccdfbf393cfc440e7d25", "s8"), two = String(format: record, "95d09f2b10159347eece71399a7e2e907ea3df41", "s9")
        try sh(box, """
            one=$(printf '%s' '\(one)' | git --git-dir evil.git hash-object -w --stdin)
            two=$(printf '%s' '\(two)' | git --git-dir evil.git hash-object -w --stdin)
            tree=$(printf "100644 blob $one\\t000001.json\\n100644 blob $two\\t000002.json\\n" | git --git-dir evil.git mktree)
            git --git-dir evil.git update-ref refs/trail/erasures "$(git --git-dir evil.git commit-tree "$tree" -m erasures)"
            """)
        try assertRefused(box, ["2 erasure records numbered 1"])
    }

    func testModelRefsThatAreNotRegistrationsAreRefused() throws {
        let box = try Sandbox()
        try setUpRemotes(box)
        try sh(box, """
            git --git-dir evil.git update-ref refs/models/as-blob "$(echo junk | git --git-dir evil.git hash-object -w --stdin)"
            git --git-dir evil.git update-ref refs/models/as-tree "$(git --git-dir evil.git rev-parse 'refs/heads/main^{tree}')"
            git --git-dir evil.git update-ref refs/tags/tag-of-blob "$(echo junk2 | git --git-dir evil.git hash-object -w --stdin)"
            """)
        try assertRefused(box, ["model as-blob is a blob", "model as-tree is a tree", "tag tag-of-blob names a blob"])
        XCTAssertEqual(try box.run("/usr/bin/env", ["git", "--git-dir", box.root.path + "/b/.trail", "for-each-ref", "refs/models"]).stdout, "")
    }

    func testIncomingErasuresOfContentThatLocalSamplesUseNeedAcceptErasures() throws {
        let box = try Sandbox()
        try setUpRemotes(box)
        // b holds a sample of its own with s3's text; the origin then erases s3.
        try box.write("local.jsonl", #"{"id":"local-1","label":"safe","text":"only s3 says this"}"# + "\n")
        try box.ok("commit", "--store", "b", "--patch", "local.jsonl", "-m", "local work")
        try box.ok("erase", "--store", "a", "s3", "--reason", "GDPR art. 17 #1")
        try box.ok("push", "--store", "a")

        let before = try box.fileContents("b/.trail")
        let refused = try box.trail(["fetch", "--store", "b"])
        XCTAssertEqual(refused.status, 1, refused.stdout + refused.stderr)
        XCTAssertTrue(refused.stderr.contains("local-1") && refused.stderr.contains("--accept-erasures"), refused.stderr)
        let after = try box.fileContents("b/.trail")
        XCTAssertEqual(Set(before.keys).union(after.keys).filter { before[$0] != after[$0] && $0 != "trail.lock" }.sorted(), [], "nothing changed")
        XCTAssertTrue(try box.ok("export", "--store", "b", "HEAD", "--out", "-").stdout.contains("only s3 says this"))

        let accepted = try box.ok("fetch", "--store", "b", "--accept-erasures").stdout
        XCTAssertTrue(accepted.contains("local-1"), accepted)
        let exported = try box.ok("export", "--store", "b", "HEAD", "--out", "-")
        XCTAssertFalse(exported.stdout.contains("only s3 says this"))
        XCTAssertTrue(exported.stderr.contains("local-1"), "export names the sample it leaves out: \(exported.stderr)")
        try box.ok("verify", "--store", "b")
    }

    func testARemoteBranchNamedLikeTrailsOwnRefsIsRefused() throws {
        let box = try Sandbox()
        try setUpRemotes(box)
        try sh(box, "git --git-dir evil.git update-ref refs/heads/trail-tags/fake refs/heads/main")
        try assertRefused(box, ["branch trail-tags/fake has a name Trail keeps"])
    }

    func testAStoreWithItsOwnIdFieldClonesAndFetches() throws {
        // The check reads records with the id field their snapshots name, not the new store's default.
        let box = try Sandbox()
        try box.write("m.jsonl", #"{"sample_id":"x1","label":"safe","text":"one"}"# + "\n" + #"{"sample_id":"x2","label":"spam","text":"two"}"# + "\n")
        try box.ok("init", "--store", "a", "--id-field", "sample_id")
        try box.ok("commit", "--store", "a", "m.jsonl", "-m", "v1")
        try box.ok("clone", box.root.path + "/a", "b")
        try box.write("m2.jsonl", #"{"sample_id":"x3","label":"safe","text":"three"}"# + "\n")
        try box.ok("commit", "--store", "a", "--patch", "m2.jsonl", "-m", "v2")
        try box.ok("pull", "--store", "b")
        XCTAssertTrue(try box.ok("export", "--store", "b", "HEAD", "--out", "-").stdout.contains("x3"))
    }
}
