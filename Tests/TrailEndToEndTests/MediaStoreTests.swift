import Foundation
import GitFormat
import XCTest

/// Media in an S3 object store (`trail init --media-store s3://BUCKET/PREFIX`), against a real
/// SeaweedFS on loopback (`S3Server`): commit uploads, clone and export download through the
/// cache, erase deletes, verify checks, and the failures (refused key, missing bucket, missing
/// object, a server that is down, a kill during the uploads) leave the store as it was.
final class MediaStoreTests: XCTestCase {
    /// One server for the tests that do not stop it (each uses its own bucket).
    nonisolated(unsafe) private static var shared: S3Server?
    nonisolated(unsafe) private static var sharedFolder: String?

    private func server() throws -> S3Server {
        if let server = Self.shared, server.process.isRunning { return server }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trail-s3-\(getpid())-\(UUID().uuidString.prefix(6))").path
        Self.sharedFolder = folder
        let server = try S3Server(folder: folder)
        Self.shared = server
        return server
    }

    override class func tearDown() {
        shared?.stop()
        if let sharedFolder { try? FileManager.default.removeItem(atPath: sharedFolder) }
        super.tearDown()
    }

    /// A sandbox whose environment reaches `server`, with its own bucket (returned).
    private func makeBox(_ server: S3Server, bucket: String? = nil, _ name: String = #function) throws -> (Sandbox, String) {
        let box = try Sandbox(name)
        for key in ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_DEFAULT_REGION", "AWS_S3_ADDRESSING_STYLE"] { box.environment[key] = nil }
        for (key, value) in server.environment { box.environment[key] = value }
        let bucket = bucket ?? "b-" + UUID().uuidString.prefix(12).lowercased()
        try server.createBucket(bucket)
        return (box, bucket)
    }

    /// `count` samples, each with its own media file of `size` bytes (bytes unique to the sample)
    /// and a text; returns the media files' git blob ids by sample.
    @discardableResult
    private func writeDataset(_ box: Sandbox, _ name: String, count: Int, start: Int = 0, size: Int = 2000, text: Bool = true) throws -> [String: String] {
        var lines: [String] = []
        var ids: [String: String] = [:]
        for i in start..<(start + count) {
            var bytes = Array("MEDIA-OF-SAMPLE-\(i)-".utf8)
            var x = UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
            while bytes.count < size { x ^= x << 13; x ^= x >> 7; x ^= x << 17; bytes.append(UInt8(truncatingIfNeeded: x)) }
            try box.write("media/s\(i).bin", Data(bytes))
            ids["s\(i)"] = ObjectHasher.id(of: .blob, bytes).hex
            lines.append(#"{"id":"s\#(i)","label":"\#(i % 3 == 0 ? "spam" : "safe")","media":"media/s\#(i).bin"\#(text ? ",\"text\":\"message \(i)\"" : "")}"#)
        }
        try box.write(name, lines.joined(separator: "\n") + "\n")
        return ids
    }

    private func key(_ hex: String, prefix: String = "ds") -> String { "\(prefix)/\(hex.prefix(2))/\(hex.dropFirst(2))" }

    private func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    // MARK: - Commit, clone, export

    func testCommitUploadsMediaToTheBucketAndNotIntoGit() throws {
        let server = try server()
        let (box, bucket) = try makeBox(server)
        let ids = try writeDataset(box, "v1.jsonl", count: 30)
        try box.ok("init", "--media-store", "s3://\(bucket)/ds")
        let first = try json(box.ok("commit", "v1.jsonl", "-m", "v1", "--json").stdout)
        XCTAssertEqual(first["mediaUploaded"] as? Int, 30)
        XCTAssertEqual(first["mediaAlreadyStored"] as? Int, 0)
        // Each file is the object PREFIX/<2 hex>/<38 hex> of its git blob id, byte for byte.
        XCTAssertEqual(try server.keys(bucket, prefix: "ds/").count, 30)
        for (sample, hex) in ids {
            XCTAssertEqual(try server.object(bucket, key(hex)), FileManager.default.contents(atPath: box.root.path + "/media/\(sample).bin"), sample)
            XCTAssertNotEqual(try box.git("cat-file", "-e", hex).status, 0, "media \(sample) must not be in git")
        }
        // Text content stays in git, and git itself finds the store whole.
        let text = try box.run("/bin/sh", ["-c", "printf %s 'message 4' | git hash-object --stdin"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(try box.git("cat-file", "-e", text).status, 0)
        XCTAssertEqual(try box.git("fsck", "--no-dangling").status, 0)
        XCTAssertTrue(try box.git("show", "HEAD:dataset.json").stdout.contains(#""mediaStore":"s3://\#(bucket)/ds""#))
        // A new sample uploads its file alone.
        try writeDataset(box, "v2.jsonl", count: 31)
        let second = try json(box.ok("commit", "v2.jsonl", "-m", "v2", "--json").stdout)
        XCTAssertEqual(second["mediaUploaded"] as? Int, 1)
        let verify = try box.ok("verify").stdout
        XCTAssertTrue(verify.contains("Checked 31 media objects in s3://\(bucket)/ds") && verify.contains("OK"), verify)
    }

    func testCloneFetchesNoMediaAndExportDownloadsThemThroughTheCache() throws {
        let server = try server()
        let (box, bucket) = try makeBox(server)
        try writeDataset(box, "v1.jsonl", count: 40, size: 20_000)
        try box.ok("init", "--media-store", "s3://\(bucket)/ds")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        let remote = box.root.appendingPathComponent("server.git").path
        _ = try box.run("/usr/bin/env", ["git", "init", "-q", "--bare", remote])
        try box.ok("remote", "add", "origin", remote)
        try box.ok("push")
        // Push sent no media: the remote holds a few KB, not 800 KB.
        let pushed = try box.run("/usr/bin/env", ["du", "-sk", remote + "/objects"]).stdout
        XCTAssertLessThan(Int(pushed.split(separator: "\t").first ?? "") ?? 9999, 200, pushed)

        try box.ok("clone", remote, "copy")
        let clone = box.root.appendingPathComponent("copy/.trail").path
        XCTAssertTrue(try String(contentsOfFile: clone + "/dataset.json", encoding: .utf8).contains("s3://\(bucket)/ds"), "the setting travels with clone")
        XCTAssertFalse(FileManager.default.fileExists(atPath: clone + "/media-cache"), "clone downloads no media")
        let exported = try box.ok("export", "--store", clone, "--out", "out").stdout
        XCTAssertTrue(exported.contains("40 media files"), exported)
        for i in 0..<40 {
            XCTAssertEqual(FileManager.default.contents(atPath: box.root.path + "/out/media/s\(i).bin"),
                           FileManager.default.contents(atPath: box.root.path + "/media/s\(i).bin"), "s\(i)")
        }
        let cached = try FileManager.default.subpathsOfDirectory(atPath: clone + "/media-cache").filter { $0.count == 41 }
        XCTAssertEqual(cached.count, 40)
        // A second export reads the cache: it works with the server's key revoked.
        box.environment["AWS_SECRET_ACCESS_KEY"] = "wrong"
        try box.ok("export", "--store", clone, "--out", "out2")
        box.environment["AWS_SECRET_ACCESS_KEY"] = S3Server.secretKey
        // The cache keeps to its limit (0 MB: emptied once the export is written).
        box.environment["TRAIL_MEDIA_CACHE_MB"] = "0"
        try box.ok("export", "--store", clone, "--out", "out3")
        XCTAssertEqual(try FileManager.default.subpathsOfDirectory(atPath: clone + "/media-cache").filter { $0.count == 41 }.count, 0)
        XCTAssertEqual(FileManager.default.contents(atPath: box.root.path + "/out3/media/s7.bin"),
                       FileManager.default.contents(atPath: box.root.path + "/media/s7.bin"))
    }

    func testLargeMediaGoAsMultipartUploads() throws {
        let server = try server()
        let (box, bucket) = try makeBox(server)
        // 12 MB over a 5 MB threshold: three parts of 5, 5 and 2 MB. No text: the store has no
        // content in git at all (and no content ref), which verify accepts.
        let ids = try writeDataset(box, "v1.jsonl", count: 2, size: 12 << 20, text: false)
        box.environment["TRAIL_S3_MULTIPART_MB"] = "5"
        box.environment["TRAIL_S3_PART_MB"] = "5"
        try box.ok("init", "--media-store", "s3://\(bucket)/ds")
        try box.ok("commit", "v1.jsonl", "-m", "big")
        XCTAssertEqual(try server.object(bucket, key(ids["s1"]!)), FileManager.default.contents(atPath: box.root.path + "/media/s1.bin"))
        try box.ok("verify", "--full")
    }

    // MARK: - Erase and verify

    func testEraseDeletesTheObjectsAndVerifyChecksTheBucket() throws {
        let server = try server()
        let (box, bucket) = try makeBox(server)
        let ids = try writeDataset(box, "v1.jsonl", count: 10)
        try box.ok("init", "--media-store", "s3://\(bucket)/ds")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("export", "--out", "warm")  // fills the cache
        let erased = try box.ok("erase", "s3", "--reason", "user request #7").stdout
        XCTAssertTrue(erased.contains("deleted from the media store s3://\(bucket)/ds: 2 object keys"), erased)  // the media and the text's id
        XCTAssertNil(try server.object(bucket, key(ids["s3"]!)), "the erased object is gone from the bucket")
        XCTAssertNotNil(try server.object(bucket, key(ids["s4"]!)))
        let hex = ids["s3"]!
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.store + "/media-cache/\(hex.prefix(2))/\(hex.dropFirst(2))"), "and from the cache")
        let record = try box.git("show", "refs/trail/erasures:000001.json").stdout
        XCTAssertTrue(record.contains(#""mediaStore":"s3://\#(bucket)/ds""#) && record.contains(hex), record)
        XCTAssertTrue(try box.ok("verify").stdout.contains("OK"))

        // An erased object back in the bucket is a problem, and `erase --finish` deletes it again.
        try server.put(bucket, key(hex), Data("back".utf8))
        let back = try box.trail(["verify"])
        XCTAssertEqual(back.status, 1)
        XCTAssertTrue(back.stdout.contains("erased by erasure 1") && back.stdout.contains("s3://\(bucket)/\(key(hex))"), back.stdout)
        try box.ok("erase", "--finish")
        XCTAssertNil(try server.object(bucket, key(hex)))

        // A missing object is named with its key; --full finds one whose bytes changed.
        try server.delete(bucket, key(ids["s5"]!))
        let missing = try box.trail(["verify"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stdout.contains("media \(ids["s5"]!) of sample 's5' is missing from the media store") && missing.stdout.contains(server.endpoint), missing.stdout)
        let export = try box.trail(["export", "--out", "cold"])  // s5 is cached: still exports
        XCTAssertEqual(export.status, 0, export.stderr)
        let original = try XCTUnwrap(server.object(bucket, key(ids["s6"]!)))
        try server.put(bucket, key(ids["s5"]!), FileManager.default.contents(atPath: box.root.path + "/media/s5.bin")!)
        try server.put(bucket, key(ids["s6"]!), Data(repeating: 0x41, count: original.count))
        XCTAssertEqual(try box.trail(["verify"]).status, 0, "same size: HEAD cannot tell")
        let full = try box.trail(["verify", "--full"])
        XCTAssertEqual(full.status, 1)
        XCTAssertTrue(full.stdout.contains("does not hash to \(ids["s6"]!)"), full.stdout)
    }

    // MARK: - Failures

    func testFailuresNameTheServerBucketAndKeyAndLeaveTheStoreAsItWas() throws {
        let server = try server()
        let (box, bucket) = try makeBox(server)
        let ids = try writeDataset(box, "v1.jsonl", count: 5)
        try box.ok("init", "--media-store", "s3://\(bucket)/ds")
        let before = try box.storeState()

        box.environment["AWS_SECRET_ACCESS_KEY"] = "not-the-key"
        let refused = try box.trail(["commit", "v1.jsonl", "-m", "v1"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("refused access") && refused.stderr.contains(server.endpoint) && refused.stderr.contains(bucket), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("AWS_SECRET_ACCESS_KEY"), refused.stderr)
        box.environment["AWS_SECRET_ACCESS_KEY"] = nil
        box.environment["AWS_ACCESS_KEY_ID"] = nil
        let none = try box.trail(["commit", "v1.jsonl", "-m", "v1"])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("no credentials for the media store"), none.stderr)
        // A profile of ~/.aws/credentials (HOME is the sandbox) works as the variables do.
        try box.write(".aws/credentials", "[other]\naws_access_key_id = x\naws_secret_access_key = y\n\n[team]\naws_access_key_id = \(S3Server.accessKey)\naws_secret_access_key = \(S3Server.secretKey)\n")
        box.environment["AWS_PROFILE"] = "team"

        let unreachable = try S3Server.freeLoopbackPorts(1)[0]
        box.environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(unreachable)"
        box.environment["TRAIL_S3_ATTEMPTS"] = "2"
        let down = try box.trail(["commit", "v1.jsonl", "-m", "v1"])
        XCTAssertEqual(down.status, 1)
        XCTAssertTrue(down.stderr.contains("cannot reach the object store http://127.0.0.1:\(unreachable)") && down.stderr.contains(bucket), down.stderr)
        box.environment["AWS_ENDPOINT_URL"] = server.endpoint
        XCTAssertEqual(try box.storeState(), before, "failed commits moved no ref and wrote no object")

        try box.ok("commit", "v1.jsonl", "-m", "v1")  // through the profile
        // A missing object fails the export, naming it; the export folder is not left half written.
        try server.delete(bucket, key(ids["s2"]!))
        let export = try box.trail(["export", "--out", "out"])
        XCTAssertEqual(export.status, 1)
        XCTAssertTrue(export.stderr.contains("has no object s3://\(bucket)/\(key(ids["s2"]!))"), export.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.path + "/out"))

        let (other, _) = try makeBox(server)
        try writeDataset(other, "v1.jsonl", count: 2)
        try other.ok("init", "--media-store", "s3://no-such-bucket-here/ds")
        let noBucket = try other.trail(["commit", "v1.jsonl", "-m", "v1"])
        XCTAssertEqual(noBucket.status, 1)
        XCTAssertTrue(noBucket.stderr.contains("has no bucket 'no-such-bucket-here'"), noBucket.stderr)
        let bad = try other.trail(["init", "--store", "x", "--media-store", "http://bucket"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
    }

    func testKillDuringUploadsLeavesTheStoreAndTheNextCommitSendsOnlyWhatIsMissing() throws {
        let server = try server()
        let (box, bucket) = try makeBox(server)
        try writeDataset(box, "v1.jsonl", count: 40)
        try box.ok("init", "--media-store", "s3://\(bucket)/ds")
        let before = try box.storeState()
        box.environment["TRAIL_TEST_KILL_AT"] = "media-uploading"
        box.environment["TRAIL_MEDIA_TRANSFERS"] = "1"
        let killed = try box.trail(["commit", "v1.jsonl", "-m", "v1"])
        XCTAssertNotEqual(killed.status, 0)
        XCTAssertEqual(try box.storeState(), before, "a kill during the uploads moves no ref and writes no object")
        let sent = try server.keys(bucket, prefix: "ds/").count
        XCTAssertGreaterThanOrEqual(sent, 5)
        XCTAssertLessThan(sent, 40)
        box.environment["TRAIL_TEST_KILL_AT"] = nil
        let resumed = try json(box.ok("commit", "v1.jsonl", "-m", "v1", "--json").stdout)
        XCTAssertEqual(resumed["mediaUploaded"] as? Int, 40 - sent)
        XCTAssertEqual(resumed["mediaAlreadyStored"] as? Int, sent)
        XCTAssertTrue(try box.ok("verify").stdout.contains("OK"))
    }

    func testServerStoppedMidCommitFailsTheCommitAndMovesNoRef() throws {
        // Its own server: this test kills it.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trail-s3-stop-\(getpid())-\(UUID().uuidString.prefix(6))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try S3Server(folder: folder)
        defer { server.stop() }
        let (box, bucket) = try makeBox(server)
        try writeDataset(box, "v1.jsonl", count: 600, size: 1000)
        try box.ok("init", "--media-store", "s3://\(bucket)/ds")
        let before = try box.storeState()
        box.environment["TRAIL_MEDIA_TRANSFERS"] = "1"
        box.environment["TRAIL_S3_ATTEMPTS"] = "2"
        let commit = Process()
        commit.executableURL = Sandbox.productsDirectory.appendingPathComponent("trail")
        commit.arguments = ["commit", "v1.jsonl", "-m", "v1"]
        commit.currentDirectoryURL = box.root
        commit.environment = box.environment
        let err = Pipe()
        commit.standardError = err
        commit.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try commit.run()
        // Stopped once the uploads are under way.
        var started = false
        for _ in 0..<300 where !started && commit.isRunning {
            started = (try? server.keys(bucket, prefix: "ds/").count).map { $0 >= 3 } ?? false
            if !started { usleep(20_000) }
        }
        XCTAssertTrue(started, "the uploads began")
        server.kill9()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        commit.waitUntilExit()
        XCTAssertEqual(commit.terminationStatus, 1, stderr)
        XCTAssertTrue(stderr.contains("cannot reach the object store \(server.endpoint)") || stderr.contains("failed a request"), stderr)
        XCTAssertTrue(stderr.contains(bucket), stderr)
        XCTAssertEqual(try box.storeState(), before, "the commit moved no ref and wrote no object")
    }
}

extension MediaStoreTests {
    func testMediaStoreSetMovesAnExistingStoresMediaOutOfGit() throws {
        let server = try server()
        let (box, bucket) = try makeBox(server)
        let ids = try writeDataset(box, "v1.jsonl", count: 25)
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try writeDataset(box, "v2.jsonl", count: 20)  // s20..s24 leave HEAD but stay in history
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        XCTAssertEqual(try box.git("cat-file", "-e", ids["s24"]!).status, 0)
        XCTAssertTrue(try box.ok("media-store", "show").stdout.contains("kept in git"))

        // Killed after the uploads: nothing changed but the bucket, and the store reads as before.
        let before = try box.storeState()
        box.environment["TRAIL_TEST_KILL_AT"] = "media-set-uploaded"
        XCTAssertNotEqual(try box.trail(["media-store", "set", "s3://\(bucket)/ds"]).status, 0)
        box.environment["TRAIL_TEST_KILL_AT"] = nil
        XCTAssertEqual(try box.storeState(), before)
        XCTAssertEqual(try server.keys(bucket, prefix: "ds/").count, 25)

        let set = try json(box.ok("media-store", "set", "s3://\(bucket)/ds", "--json").stdout)
        XCTAssertEqual(set["mediaFiles"] as? Int, 25)
        XCTAssertEqual(set["uploaded"] as? Int, 0, "the killed run's uploads are not sent again")
        XCTAssertEqual(set["alreadyStored"] as? Int, 25)
        XCTAssertEqual(set["removedFromGit"] as? Int, 25)
        for (sample, hex) in ids {
            XCTAssertNotEqual(try box.git("cat-file", "-e", hex).status, 0, "\(sample) left git")
            XCTAssertEqual(try server.object(bucket, key(hex)), FileManager.default.contents(atPath: box.root.path + "/media/\(sample).bin"))
        }
        XCTAssertEqual(try box.git("fsck", "--no-dangling").status, 0)
        XCTAssertTrue(try box.git("show", "HEAD:dataset.json").stdout.contains("s3://\(bucket)/ds"), "a commit carries the setting")
        XCTAssertTrue(try box.ok("media-store", "show").stdout.contains("s3://\(bucket)/ds"))
        XCTAssertTrue(try box.ok("verify").stdout.contains("Checked 25 media objects"))
        try box.ok("export", "HEAD~2", "--out", "old")  // v1, before v2 and the setting's commit
        XCTAssertEqual(FileManager.default.contents(atPath: box.root.path + "/old/media/s24.bin"), FileManager.default.contents(atPath: box.root.path + "/media/s24.bin"))
        let again = try box.trail(["media-store", "set", "s3://\(bucket)/elsewhere"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("already"), again.stderr)
    }
}

extension MediaStoreTests {
    func testEraseWithTheServerDownIsRecordedAndFinishedLater() throws {
        let server = try server()
        let (box, bucket) = try makeBox(server)
        let ids = try writeDataset(box, "v1.jsonl", count: 6)
        try box.ok("init", "--media-store", "s3://\(bucket)/ds")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        box.environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(try S3Server.freeLoopbackPorts(1)[0])"
        box.environment["TRAIL_S3_ATTEMPTS"] = "1"
        let down = try box.trail(["erase", "s2", "--reason", "request #9"])
        XCTAssertEqual(down.status, 1)
        XCTAssertTrue(down.stderr.contains("cannot reach the object store") && down.stderr.contains("trail erase --finish"), down.stderr)
        // Recorded, out of the branch, and the store opens as usual while the server is away.
        XCTAssertTrue(try box.ok("log").stdout.contains("Erase 1 sample"))
        box.environment["AWS_ENDPOINT_URL"] = server.endpoint
        XCTAssertNotNil(try server.object(bucket, key(ids["s2"]!)))
        let verify = try box.trail(["verify"])
        XCTAssertEqual(verify.status, 1)
        XCTAssertTrue(verify.stdout.contains("is still in the media store"), verify.stdout)
        try box.ok("erase", "--finish")
        XCTAssertNil(try server.object(bucket, key(ids["s2"]!)))
        XCTAssertTrue(try box.ok("verify").stdout.contains("OK"))
    }
}

extension MediaStoreTests {
    func testACloneOfAStoreWithErasuresNeedsNoCredentialsUntilItReadsMedia() throws {
        let server = try server()
        let (box, bucket) = try makeBox(server)
        try writeDataset(box, "v1.jsonl", count: 8)
        try box.ok("init", "--media-store", "s3://\(bucket)/ds")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("erase", "s1", "--reason", "request #3")
        let remote = box.root.appendingPathComponent("server.git").path
        _ = try box.run("/usr/bin/env", ["git", "init", "-q", "--bare", remote])
        try box.ok("remote", "add", "origin", remote)
        try box.ok("push")
        for key in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"] { box.environment[key] = nil }
        try box.ok("clone", remote, "copy")  // carries out the erasure locally: no request to the bucket
        let clone = box.root.appendingPathComponent("copy/.trail").path
        try box.ok("log", "--store", clone)
        let export = try box.trail(["export", "--store", clone, "--out", "out"])
        XCTAssertEqual(export.status, 1)
        XCTAssertTrue(export.stderr.contains("no credentials for the media store s3://\(bucket)/ds"), export.stderr)
        for (key, value) in server.environment { box.environment[key] = value }
        try box.ok("export", "--store", clone, "--out", "out")
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.path + "/out/media/s1.bin"))
        XCTAssertTrue(try box.ok("verify", "--store", clone).stdout.contains("OK"))
    }
}
