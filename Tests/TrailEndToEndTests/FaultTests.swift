import Foundation
import XCTest

/// Two writers at once, and kill -9 in the middle of a commit: the store is never corrupt.
final class FaultTests: XCTestCase {
    func testTwoCommitsAtOnceBothLand() throws {
        let box = try Sandbox()
        try box.write("a.jsonl", Sandbox.dataset(3000))
        try box.write("b.jsonl", Sandbox.dataset(3000, relabelEvery: 3))
        try box.ok("init")
        let trail = Sandbox.productsDirectory.appendingPathComponent("trail").path
        var results: [Sandbox.Result?] = [nil, nil]
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            results[k] = try? box.run(trail, ["commit", k == 0 ? "a.jsonl" : "b.jsonl", "-m", "writer \(k)"])
        }
        for r in results { XCTAssertEqual(r?.status, 0, r?.stderr ?? "did not run") }
        XCTAssertEqual(try box.git("rev-list", "--count", "HEAD").stdout, "2\n", "the second writer waited for the first")
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)
    }

    func testLeftoversOfAKilledWriterAreCleanedUp() throws {
        // What kill -9 can leave: a ref lock, a temporary pack, a pack whose index never landed.
        let box = try Sandbox()
        try box.write("a.jsonl", Sandbox.dataset(10))
        try box.write("b.jsonl", Sandbox.dataset(12))
        try box.ok("init")
        try box.ok("commit", "a.jsonl", "-m", "a")
        try box.write(".trail/refs/heads/main.lock", "0000000000000000000000000000000000000000\n")
        try box.write(".trail/objects/pack/tmp_pack_abc123", "partial")
        try box.write(".trail/objects/pack/pack-0123456789012345678901234567890123456789.pack", "no index")
        try box.ok("commit", "b.jsonl", "-m", "b")
        let pack = try FileManager.default.contentsOfDirectory(atPath: box.store + "/objects/pack")
        XCTAssertFalse(pack.contains { $0.hasPrefix("tmp_") || $0.hasPrefix("pack-0123") }, "\(pack)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.store + "/refs/heads/main.lock"))
        XCTAssertEqual(try box.git("rev-list", "--count", "HEAD").stdout, "2\n")
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)
    }

    func testLockTimeoutFailsClearly() throws {
        let box = try Sandbox()
        try box.write("a.jsonl", Sandbox.dataset(10))
        try box.ok("init")
        // Hold the store lock from another process (flock, as trail does).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [box.store + "/trail.lock", "sleep", "5"]
        try holder.run()
        defer { holder.terminate() }
        Thread.sleep(forTimeInterval: 0.3)
        box.environment["TRAIL_LOCK_TIMEOUT"] = "0.5"
        let result = try box.trail(["commit", "a.jsonl", "-m", "blocked"])
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertTrue(result.stderr.contains("another trail process is writing"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Waiting"), result.stderr)
        XCTAssertEqual(try box.git("show-ref").stdout, "")
    }

    func testKillDuringCommitLeavesTheLastGoodCommit() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(200))
        try box.write("big.jsonl", Sandbox.dataset(20000, relabelEvery: 2))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "last good")
        let good = try box.git("rev-parse", "HEAD").stdout
        let goodExport = try box.ok("export", "HEAD", "--out", "-").stdout
        let trail = Sandbox.productsDirectory.appendingPathComponent("trail").path
        var generator = SplitMix(seed: 11)
        var landed = 0
        for _ in 0..<8 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: trail)
            process.arguments = ["commit", "big.jsonl", "-m", "interrupted"]
            process.currentDirectoryURL = box.root
            process.environment = box.environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(50_000 + generator.next() % 1_500_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let head = try box.git("rev-parse", "HEAD").stdout
            XCTAssertEqual(try box.git("fsck", "--strict").status, 0)
            if head == good {
                XCTAssertEqual(try box.ok("export", "HEAD", "--out", "-").stdout, goodExport)
            } else {
                landed += 1
                XCTAssertEqual(try box.git("rev-parse", "HEAD~1").stdout, good, "only a complete commit can land")
                XCTAssertEqual(try box.ok("show", "HEAD", "--json").status, 0)
                _ = try box.run("/usr/bin/env", ["git", "--git-dir", box.store, "update-ref", "refs/heads/main", good.trimmingCharacters(in: .whitespacesAndNewlines)])
            }
        }
        // After any number of kills, the next commit works and cleans up temporary files.
        try box.ok("commit", "big.jsonl", "-m", "finally")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: box.store + "/objects/pack").filter { $0.hasPrefix("tmp_") }
        XCTAssertEqual(leftovers, [])
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)
        _ = landed
    }
}
