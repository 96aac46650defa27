import Foundation
import XCTest

/// `trail clone URL DIR` makes `DIR/.trail` as `git clone` makes `DIR/.git`, and every command
/// run from DIR (or below it, or from a store's own folder) uses that store, never one around it.
final class CloneLayoutTests: XCTestCase {
    func testCloneInsideAnotherStoresFolderIsUsedFromItsFolderAndLeavesTheOuterStoreAlone() throws {
        let box = try Sandbox()
        try box.write("outer.jsonl", Sandbox.dataset(20))
        try box.ok("init")
        try box.ok("commit", "outer.jsonl", "-m", "outer")
        try box.write("origin.jsonl", Sandbox.dataset(30, start: 100))
        try box.ok("init", "--store", "origin-store")
        try box.ok("commit", "--store", "origin-store", "origin.jsonl", "-m", "origin v1")
        let outerBefore = try box.fileContents(".trail")

        let cloned = try box.ok("clone", box.root.appendingPathComponent("origin-store").path, "data/copy").stdout
        XCTAssertTrue(cloned.contains("data/copy/.trail"), cloned)
        XCTAssertEqual(try box.run("/usr/bin/env", ["git", "--git-dir", box.root.path + "/data/copy/.trail", "log", "--format=%s"]).stdout,
                       "origin v1\n", "the clone is DIR/.trail and git reads it")

        box.currentDirectory = box.root.appendingPathComponent("data/copy")
        try box.write("data/copy/more.jsonl", Sandbox.dataset(30, relabelEvery: 3, guideline: "v3.2", start: 100))
        XCTAssertTrue(try box.ok("log").stdout.contains("origin v1"))
        XCTAssertTrue(try box.ok("status", "more.jsonl").stdout.contains("10"), "status compares with the clone's HEAD")
        try box.ok("commit", "more.jsonl", "-m", "relabel in the clone")
        try box.ok("tag", "round-2")
        try box.ok("model", "register", "clf-1", "HEAD")
        XCTAssertTrue(try box.ok("show", "HEAD").stdout.contains("30"))
        XCTAssertTrue(try box.ok("history", "s00102").stdout.contains("relabel in the clone"))
        XCTAssertTrue(try box.ok("diff", "HEAD~1", "HEAD").stdout.contains("hate_speech"))
        XCTAssertTrue(try box.ok("export", "clf-1", "--out", "-").stdout.contains("s00129"))
        try box.ok("verify")

        // Below DIR too, and from the store's own folder.
        try FileManager.default.createDirectory(at: box.currentDirectory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        box.currentDirectory = box.root.appendingPathComponent("data/copy/sub")
        XCTAssertTrue(try box.ok("log").stdout.contains("relabel in the clone"))
        box.currentDirectory = box.root.appendingPathComponent("data/copy/.trail")
        XCTAssertTrue(try box.ok("log").stdout.contains("relabel in the clone"))
        box.currentDirectory = box.root
        XCTAssertTrue(try box.ok("log", "--store", "data/copy").stdout.contains("relabel in the clone"),
                      "--store DIR names the store DIR/.trail")

        XCTAssertEqual(try box.fileContents(".trail"), outerBefore, "the outer store is byte for byte as it was")
        XCTAssertEqual(try box.git("rev-list", "--count", "HEAD").stdout, "1\n", "the outer store has its one commit")
    }

    func testAStoreFolderNotNamedTrailIsUsedWhenCommandsRunInIt() throws {
        let box = try Sandbox()
        try box.write("outer.jsonl", Sandbox.dataset(20))
        try box.ok("init")
        try box.ok("commit", "outer.jsonl", "-m", "outer")
        try box.ok("init", "--store", "inner")
        let outerBefore = try box.fileContents(".trail")
        try box.write("inner.jsonl", Sandbox.dataset(5, start: 500))
        box.currentDirectory = box.root.appendingPathComponent("inner")
        try box.ok("commit", "../inner.jsonl", "-m", "into inner")
        XCTAssertEqual(try box.run("/usr/bin/env", ["git", "--git-dir", box.root.path + "/inner", "log", "--format=%s"]).stdout, "into inner\n")
        XCTAssertEqual(try box.fileContents(".trail"), outerBefore, "the outer store is untouched")
    }

    func testAKilledCloneLeavesNoStoreAndTheNextCloneCleansUp() throws {
        let box = try Sandbox()
        try box.write("origin.jsonl", Sandbox.dataset(30))
        try box.ok("init", "--store", "origin-store")
        try box.ok("commit", "--store", "origin-store", "origin.jsonl", "-m", "v1")
        let origin = box.root.appendingPathComponent("origin-store").path
        let target = box.root.appendingPathComponent("copy")

        box.environment["TRAIL_TEST_KILL_AT"] = "clone-snapshots-arrived"
        let killed = try box.trail(["clone", origin, "copy"])
        box.environment["TRAIL_TEST_KILL_AT"] = nil
        XCTAssertNotEqual(killed.status, 0, "the clone was killed")
        let leftover = try FileManager.default.contentsOfDirectory(atPath: target.path)
        XCTAssertEqual(leftover.count, 1, "a killed clone leaves only its temporary folder: \(leftover)")
        XCTAssertTrue(leftover.first?.hasPrefix(".trail-clone-") ?? false, "\(leftover)")
        XCTAssertNotEqual(try box.trail(["log", "--store", "copy"]).status, 0, "and no store that looks whole")

        try box.ok("clone", origin, "copy")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target.path), [".trail"],
                       "the next clone removed the abandoned temporary folder")
        try box.ok("verify", "--store", "copy")
    }
}
