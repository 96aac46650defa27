import Foundation
import XCTest

/// A disk that fills up, or a file-size limit (`ulimit -f`), in the middle of a write: trail
/// exits 1 saying what failed and what to do, and the store is exactly as it was; once there
/// is room again, the same command works.
final class DiskFullTests: XCTestCase {
    let trailPath = Sandbox.productsDirectory.appendingPathComponent("trail").path

    /// Runs `trail args...` with a file-size limit of `blocks` 512-byte blocks (POSIX sh's
    /// `ulimit -f` unit; bash counts 1024, so limits here hold at either). Past it write()
    /// fails with EFBIG, once trail ignores the SIGXFSZ that would otherwise kill it.
    func trailLimited(_ box: Sandbox, blocks: Int, _ args: String...) throws -> Sandbox.Result {
        try box.run("/bin/sh", ["-c", #"ulimit -f \#(blocks) && exec "$0" "$@""#, trailPath] + args)
    }

    func packFiles(_ box: Sandbox) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: box.store + "/objects/pack").sorted()
    }

    func assertTellsToFreeSpace(_ result: Sandbox.Result, failed: String, reason: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, 1, "exit status (a signal number if the process was killed): \(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        for text in ["error: ", failed, reason, "hint: free some disk space (or raise the file-size limit)", "the store is unchanged"] {
            XCTAssertTrue(result.stderr.contains(text), "expected '\(text)' in: \(result.stderr)", file: file, line: line)
        }
    }

    func testFileSizeLimitDuringThePackWriteLeavesTheStoreAsItWas() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(50))
        try box.write("big.jsonl", Sandbox.dataset(20_000, relabelEvery: 3))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        let before = try box.storeState()
        let export = try box.ok("export", "HEAD", "--out", "-").stdout

        // 100 KB: the pack (megabytes) passes it part way through.
        let result = try trailLimited(box, blocks: 200, "commit", "big.jsonl", "-m", "too big")
        assertTellsToFreeSpace(result, failed: "could not write the new objects", reason: "File too large")
        XCTAssertEqual(try box.storeState(), before, "a failed commit changed the store")
        let pack = try packFiles(box)
        XCTAssertFalse(pack.contains { $0.hasPrefix("tmp_") }, "\(pack)")
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)
        XCTAssertEqual(try box.ok("export", "HEAD", "--out", "-").stdout, export)

        // Without the limit the same commit lands.
        try box.ok("commit", "big.jsonl", "-m", "big")
        XCTAssertEqual(try box.git("rev-list", "--count", "HEAD").stdout, "2\n")
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)
        XCTAssertEqual(try box.ok("export", "HEAD", "--out", "-").stdout.split(separator: "\n").sorted(),
                       try box.read("big.jsonl").split(separator: "\n").sorted())
    }

    func testAnyLimitBelowThePackFailsTheSameWay() throws {
        // The limit falls at different points of the pack: its header, its first objects, its end.
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(20))
        try box.write("v2.jsonl", Sandbox.dataset(3_000, relabelEvery: 2))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        let before = try box.storeState()
        for blocks in [0, 1, 7, 300, 1_000] {
            let result = try trailLimited(box, blocks: blocks, "commit", "v2.jsonl", "-m", "limited")
            assertTellsToFreeSpace(result, failed: "could not write the new objects", reason: "File too large")
            XCTAssertEqual(try box.storeState(), before, "limit of \(blocks) blocks changed the store")
        }
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)
        try box.ok("commit", "v2.jsonl", "-m", "v2")
    }

    func testFileSizeLimitOnTheIndexKeepsTheCommitAndTheIndexCatchesUp() throws {
        // The git objects are the store; the SQLite index beside them follows and is rebuilt
        // from them. A patch writes a small pack but whole 64 KiB index pages to the WAL, so a
        // limit of 30-60 KB lets the commit land and stops the index.
        let box = try Sandbox()
        let v1 = Sandbox.dataset(300)
        try box.write("v1.jsonl", v1)
        func relabel(_ label: String) -> String {
            v1.split(separator: "\n").prefix(3).map { $0.replacingOccurrences(of: #""label":"safe""#, with: #""label":"\#(label)""#) }
                .joined(separator: "\n") + "\n"
        }
        try box.write("p1.jsonl", relabel("spam"))
        try box.write("p2.jsonl", relabel("hate_speech"))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("commit", "--patch", "p1.jsonl", "-m", "p1")

        let commit = try trailLimited(box, blocks: 60, "commit", "--patch", "p2.jsonl", "-m", "p2")
        XCTAssertEqual(commit.status, 0, "the commit itself fits: \(commit.stderr)")
        XCTAssertEqual(try box.git("rev-list", "--count", "HEAD").stdout, "3\n")
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)

        // A report that must bring the index up to date says why it cannot, and changes nothing.
        let before = try box.storeState()
        let audit = try trailLimited(box, blocks: 60, "audit", "disputed")
        assertTellsToFreeSpace(audit, failed: "index", reason: "File too large")
        let reindex = try trailLimited(box, blocks: 60, "reindex")
        assertTellsToFreeSpace(reindex, failed: "index", reason: "File too large")
        XCTAssertEqual(try box.storeState(), before)
        let files = try FileManager.default.contentsOfDirectory(atPath: box.store)
        XCTAssertTrue(files.contains("index.sqlite"), "\(files)")
        XCTAssertFalse(files.contains { $0.hasPrefix("index.sqlite.new") }, "a failed rebuild leaves no file behind: \(files)")

        // With room again, the index catches up with the commit it missed.
        let report = try box.ok("audit", "disputed").stdout
        XCTAssertTrue(report.hasPrefix("3 samples relabeled 2 or more times"), report)
        XCTAssertTrue(report.contains("safe → spam → hate_speech"), report)
    }

    func testFullDiskDuringACommit() throws {
        // A real full disk: the store on a 4 MB tmpfs (needs root, or mount rights, as CI has; fails otherwise).
        let box = try Sandbox()
        let mountPoint = box.store
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard mount("tmpfs", mountPoint, "tmpfs", 0, "size=4m") == 0 else {
            throw MissingPrerequisite("cannot mount a 4 MB tmpfs at \(mountPoint) for a real full disk (\(String(cString: strerror(errno))))",
                                      fix: "run the tests as root or with CAP_SYS_ADMIN (CI does), e.g. sudo -E scripts/test.sh", installable: false)
        }
        defer {
            umount2(mountPoint, Int32(MNT_DETACH))
            withExtendedLifetime(box) {}
        }
        try box.write("v1.jsonl", Sandbox.dataset(50))
        try box.write("big.jsonl", Sandbox.dataset(20_000, relabelEvery: 3))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        let before = try box.storeState()

        let result = try box.trail(["commit", "big.jsonl", "-m", "too big"])
        assertTellsToFreeSpace(result, failed: "could not write the new objects", reason: "No space left on device")
        XCTAssertEqual(try box.storeState(), before, "a failed commit changed the store")
        let pack = try packFiles(box)
        XCTAssertFalse(pack.contains { $0.hasPrefix("tmp_") }, "\(pack)")
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)

        // Room again (the same tmpfs, made larger): the commit lands.
        XCTAssertEqual(mount("tmpfs", mountPoint, "tmpfs", UInt(MS_REMOUNT), "size=64m"), 0, String(cString: strerror(errno)))
        try box.ok("commit", "big.jsonl", "-m", "big")
        XCTAssertEqual(try box.git("rev-list", "--count", "HEAD").stdout, "2\n")
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)
    }
}
