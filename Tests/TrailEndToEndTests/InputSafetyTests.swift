import Foundation
import XCTest

/// Special files and refused commits: a FIFO, a device or a file that changes while it is read is
/// refused at once, and a refused commit leaves every byte of the store as it was (the index, its
/// WAL and the lock file included).
final class InputSafetyTests: XCTestCase {
    /// A store with one commit, its index written (so a checkpoint would have work to do).
    private func storeWithACommit(_ box: Sandbox) throws {
        try box.write("v1.jsonl", Sandbox.dataset(50))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.write("v2.jsonl", Sandbox.dataset(50, relabelEvery: 4, guideline: "v3.2"))
        try box.ok("commit", "v2.jsonl", "-m", "v2")
    }

    /// Runs trail under `timeout`, so a command that blocks fails the test instead of hanging it.
    private func trailWithin(_ seconds: Int, _ box: Sandbox, _ args: [String]) throws -> Sandbox.Result {
        try box.run("/usr/bin/timeout", [String(seconds), Sandbox.productsDirectory.appendingPathComponent("trail").path] + args)
    }

    func testAFIFOAsTheManifestIsRefusedAtOnceAndChangesNothing() throws {
        let box = try Sandbox()
        try storeWithACommit(box)
        XCTAssertEqual(mkfifo(box.root.appendingPathComponent("pipe.jsonl").path, 0o644), 0)
        let before = try box.fileContents(".trail")
        for command in [["commit", "pipe.jsonl", "-m", "from a pipe"], ["status", "pipe.jsonl"], ["commit", "--patch", "pipe.jsonl", "-m", "p"]] {
            let result = try trailWithin(10, box, command)
            XCTAssertNotEqual(result.status, 124, "trail \(command) blocked on the FIFO")
            XCTAssertEqual(result.status, 1, "\(command): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("pipe.jsonl"), result.stderr)
            XCTAssertTrue(result.stderr.contains("FIFO"), result.stderr)
            XCTAssertTrue(result.stderr.contains("hint:"), result.stderr)
        }
        XCTAssertEqual(try box.fileContents(".trail"), before, "the store's files are byte for byte as they were")
    }

    func testARefusedCommitChangesNoByteOfTheStore() throws {
        let box = try Sandbox()
        try storeWithACommit(box)
        try box.write("bad.jsonl", Sandbox.dataset(3) + "{\"id\":\"broken\"\n")
        try box.write("delete.jsonl", #"{"id":"nobody","_delete":true}"# + "\n")
        try box.write("missing-media.jsonl", #"{"id":"m1","media":"media/none.bin"}"# + "\n")
        let before = try box.fileContents(".trail")
        for command in [["commit", "bad.jsonl", "-m", "bad"], ["commit", "--patch", "delete.jsonl", "-m", "delete"],
                        ["commit", "missing-media.jsonl", "-m", "media"], ["commit", "absent.jsonl", "-m", "absent"]] {
            let result = try box.trail(command)
            XCTAssertEqual(result.status, 1, "\(command): \(result.stderr)")
            let after = try box.fileContents(".trail")
            let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
            XCTAssertEqual(changed, [], "trail \(command.joined(separator: " ")) changed the store's files")
        }
        XCTAssertTrue(try box.trail(["commit", "--patch", "delete.jsonl", "-m", "delete"]).stderr.contains("delete.jsonl:1:"))
    }

    func testSpecialMediaFilesAreRefusedNamingTheSample() throws {
        let box = try Sandbox()
        try storeWithACommit(box)
        let media = box.root.appendingPathComponent("media")
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(media.appendingPathComponent("live.mp4").path, 0o644), 0)
        try box.write("secret.txt", "outside the media root")
        try FileManager.default.createSymbolicLink(atPath: media.appendingPathComponent("link.txt").path,
                                                   withDestinationPath: box.root.appendingPathComponent("secret.txt").path)
        try FileManager.default.createDirectory(at: media.appendingPathComponent("folder.mp4"), withIntermediateDirectories: true)
        let before = try box.fileContents(".trail")
        let cases: [(String, [String])] = [
            (#"{"id":"f1","media":"live.mp4"}"#, ["fifo.jsonl:1:", "field 'media'", "live.mp4", "FIFO"]),
            (#"{"id":"f2","media":"link.txt"}"#, ["fifo.jsonl:1:", "field 'media'", "symbolic link"]),
            (#"{"id":"f3","media":"folder.mp4"}"#, ["fifo.jsonl:1:", "field 'media'", "a folder, not a regular file"]),
            (#"{"id":"f4","media":"./x.mp4"}"#, ["fifo.jsonl:1:", "field 'media'", "leaves the media root"]),
        ]
        for (line, expected) in cases {
            try box.write("fifo.jsonl", line + "\n")
            let result = try trailWithin(10, box, ["commit", "fifo.jsonl", "--media-root", "media", "-m", "media"])
            XCTAssertEqual(result.status, 1, "\(line): \(result.stderr)")
            for text in expected { XCTAssertTrue(result.stderr.contains(text), "\(line): expected '\(text)' in: \(result.stderr)") }
        }
        XCTAssertEqual(try box.fileContents(".trail"), before)
        XCTAssertFalse(try box.git("cat-file", "--batch-all-objects", "--batch").stdout.contains("outside the media root"),
                       "a symlink's target outside the media root is never committed")
    }

    func testAMediaFileWhoseSizeIsNotWhatItReadsIsRefused() throws {
        // /proc files say they are empty and read as more: the same check that catches a file
        // growing while it is read. Deterministic, unlike racing a writer.
        let box = try Sandbox()
        try storeWithACommit(box)
        try box.write("proc.jsonl", #"{"id":"p1","media":"self/status"}"# + "\n")
        let result = try box.trail(["commit", "proc.jsonl", "--media-root", "/proc", "-m", "proc"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("changed while it was read"), result.stderr)
        XCTAssertTrue(result.stderr.contains("proc.jsonl:1:"), result.stderr)
    }

    func testAStorePathThatIsAFileIsNamed() throws {
        let box = try Sandbox()
        try box.write("notes.txt", "not a store")
        for command in [["log", "--store", "notes.txt"], ["init", "--store", "notes.txt"], ["init", "--store", "notes.txt/inner"]] {
            let result = try box.trail(command)
            XCTAssertEqual(result.status, 3, "\(command): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("notes.txt is a file, not a store folder"), "\(command): \(result.stderr)")
        }
        XCTAssertEqual(try box.read("notes.txt"), "not a store")
    }

    func testAWritingCommandOnAReadOnlyStoreSaysSoAndReadingWorks() throws {
        let box = try Sandbox()
        try storeWithACommit(box)
        let trail = Sandbox.productsDirectory.appendingPathComponent("trail").path
        // Root ignores permissions: a read-only bind mount (EROFS) in a private mount namespace.
        func run(_ args: [String]) throws -> Sandbox.Result {
            if getuid() != 0 {
                _ = try box.run("/bin/chmod", ["-R", "a-w", box.store])
                defer { _ = try? box.run("/bin/chmod", ["-R", "u+w", box.store]) }
                return try box.run(trail, args)
            }
            return try box.run("/usr/bin/env", ["unshare", "-m", "sh", "-c", "mount --bind -o ro \"$0\" \"$0\" && exec \"$@\"", box.store, trail] + args)
        }
        let before = try box.fileContents(".trail")
        let tagged = try run(["tag", "read-only-tag"])
        XCTAssertEqual(tagged.status, 1, tagged.stderr)
        XCTAssertTrue(tagged.stderr.contains("is read-only for you"), tagged.stderr)
        XCTAssertTrue(tagged.stderr.contains("hint:"), tagged.stderr)
        let logged = try run(["log"])
        XCTAssertEqual(logged.status, 0, logged.stderr)
        XCTAssertTrue(logged.stdout.contains("v2"), logged.stdout)
        XCTAssertEqual(try box.fileContents(".trail"), before)
    }
}
