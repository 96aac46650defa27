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

    /// Runs `trail args` and kills it with SIGKILL after `delay` microseconds (or lets it finish).
    private func runKilled(_ box: Sandbox, _ args: [String], after delay: UInt32) throws {
        let process = Process()
        process.executableURL = Sandbox.productsDirectory.appendingPathComponent("trail")
        process.arguments = args
        process.currentDirectoryURL = box.root
        process.environment = box.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// After a kill: git and Trail both find the store sound, and the next command that reads
    /// the index (`audit disputed`) catches it up. A kill between the branch's move and the
    /// index's update leaves the index a commit behind; `verify` checks it through a caught-up
    /// copy and writes nothing, and `show` and `export` read git alone.
    private func assertSound(_ box: Sandbox, _ context: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0, context, file: file, line: line)
        let verify = try box.trail(["verify"])
        XCTAssertEqual(verify.status, 0, "\(context): \(verify.stdout)\(verify.stderr)", file: file, line: line)
        XCTAssertEqual(try box.trail(["audit", "disputed"]).status, 0, context, file: file, line: line)
        let indexed = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite", "SELECT COUNT(*) FROM commits"]).stdout
        XCTAssertEqual(indexed, try box.git("rev-list", "--count", "--branches", "--tags", "--glob=refs/models/*").stdout,
                       "\(context): the index caught up with every commit", file: file, line: line)
    }

    func testKillDuringCommitLeavesTheLastGoodCommit() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(200))
        try box.write("big.jsonl", Sandbox.dataset(12000, relabelEvery: 2))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "last good")
        let good = try box.git("rev-parse", "HEAD").stdout
        let goodExport = try box.ok("export", "HEAD", "--out", "-").stdout
        var generator = SplitMix(seed: 11)
        var landed = 0
        for trial in 0..<20 {
            try runKilled(box, ["commit", "big.jsonl", "-m", "interrupted"], after: UInt32(20_000 + generator.next() % 700_000))
            let head = try box.git("rev-parse", "HEAD").stdout
            if head == good {
                XCTAssertEqual(try box.ok("export", "HEAD", "--out", "-").stdout, goodExport, "trial \(trial)")
            } else {
                landed += 1
                XCTAssertEqual(try box.git("rev-parse", "HEAD~1").stdout, good, "trial \(trial): only a complete commit can land")
                XCTAssertEqual(try box.ok("show", "HEAD", "--json").status, 0)
            }
            try assertSound(box, "commit trial \(trial)")
            if head != good {
                _ = try box.run("/usr/bin/env", ["git", "--git-dir", box.store, "update-ref", "refs/heads/main", good.trimmingCharacters(in: .whitespacesAndNewlines)])
            }
        }
        // After any number of kills, the next commit works and cleans up temporary files.
        try box.ok("commit", "big.jsonl", "-m", "finally")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: box.store + "/objects/pack").filter { $0.hasPrefix("tmp_") }
        XCTAssertEqual(leftovers, [])
        try assertSound(box, "after the last commit")
        print("commit kill trials: \(landed) of 20 landed")
    }

    /// kill -9 at random moments of an erasure: the store holds the erasure whole or not at all
    /// (the next command finishes one that was recorded), and verifies.
    func testKillDuringEraseLeavesTheStoreWholeOrErased() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(4000))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("model", "register", "m1", "HEAD")
        let pristine = box.root.appendingPathComponent("pristine").path
        try FileManager.default.copyItem(atPath: box.store, toPath: pristine)
        let ids = (100..<150).map { String(format: "s%05d", $0) }
        var generator = SplitMix(seed: 23)
        var outcomes = [0, 0]
        for trial in 0..<20 {
            try? FileManager.default.removeItem(atPath: box.store)
            try FileManager.default.copyItem(atPath: pristine, toPath: box.store)
            try runKilled(box, ["erase"] + ids + ["--reason", "trial \(trial)"], after: UInt32(generator.next() % 300_000))
            try assertSound(box, "erase trial \(trial)")
            let exported = try box.ok("export", "m1", "--out", "-").stdout.split(separator: "\n").count
            let objects = try box.git("cat-file", "--batch-all-objects", "--batch").stdout
            if try box.git("show-ref", "--verify", "--quiet", "refs/trail/erasures").status == 0 {
                outcomes[1] += 1
                XCTAssertEqual(exported, 3950, "trial \(trial): erased samples are left out")
                XCTAssertFalse(objects.contains("sample text number 120 with"), "trial \(trial): erased content is gone")
                XCTAssertEqual(try box.ok("export", "HEAD", "--out", "-").stdout.split(separator: "\n").count, 3950)
            } else {
                outcomes[0] += 1
                XCTAssertEqual(exported, 4000, "trial \(trial)")
                XCTAssertTrue(objects.contains("sample text number 120 with"), "trial \(trial): nothing was erased")
            }
        }
        XCTAssertEqual(outcomes.reduce(0, +), 20)
        print("erase kill trials: \(outcomes[0]) left the store as it was, \(outcomes[1]) erased")
    }

    /// A commit started while an erasure runs waits for it, and both land.
    func testCommitWhileEraseRuns() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(10000))
        try box.write("more.jsonl", Sandbox.dataset(500, relabelEvery: 5, start: 20000))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        let trail = Sandbox.productsDirectory.appendingPathComponent("trail").path
        var results: [Sandbox.Result?] = [nil, nil]
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            if k == 1 { usleep(30_000) }
            results[k] = try? box.run(trail, k == 0 ? ["erase"] + (0..<200).map { String(format: "s%05d", $0) } + ["--reason", "bulk takedown"]
                                                    : ["commit", "--patch", "more.jsonl", "-m", "new reports"])
        }
        for r in results { XCTAssertEqual(r?.status, 0, r?.stderr ?? "did not run") }
        XCTAssertEqual(try box.git("rev-list", "--count", "HEAD").stdout, "3\n", "an erasure commit and the patch, one after the other")
        XCTAssertEqual(try box.ok("export", "HEAD", "--out", "-").stdout.split(separator: "\n").count, 10000 - 200 + 500)
        try assertSound(box, "commit while erase runs")
    }
}
