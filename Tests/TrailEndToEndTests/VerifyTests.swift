import Foundation
import XCTest

/// `trail verify` passes on a sound store and names each kind of damage.
final class VerifyTests: XCTestCase {
    private func makeStore(_ box: Sandbox) throws {
        try box.write("v1.jsonl", Sandbox.dataset(200))
        try box.write("v2.jsonl", Sandbox.dataset(210, relabelEvery: 4, guideline: "v3.2"))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("model", "register", "m1", "HEAD")
        try box.ok("commit", "v2.jsonl", "-m", "v2")
    }

    private func problems(_ box: Sandbox, full: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try box.trail(["verify"] + (full ? ["--full"] : []))
        XCTAssertEqual(result.status, 1, "verify must fail: \(result.stdout)\(result.stderr)", file: file, line: line)
        return result.stdout
    }

    func testASoundStorePasses() throws {
        let box = try Sandbox()
        try makeStore(box)
        for args in [["verify"], ["verify", "--full"]] {
            let result = try box.trail(args)
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            XCTAssertTrue(result.stdout.contains("OK: no problems found."), result.stdout)
        }
        let json = try box.ok("verify", "--full", "--json").stdout
        let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        XCTAssertEqual(report["ok"] as? Bool, true)
        XCTAssertEqual(report["commits"] as? Int, 2)
        XCTAssertEqual(report["records"] as? Int, 200 + 10 + 50, "v1's records, v2's 10 new ones and 50 relabels")
        XCTAssertGreaterThan(report["objectsHashed"] as? Int ?? 0, 600)
    }

    /// Records that name no content (rows without a text) give verify nothing to group by blob.
    func testAStoreWhoseRecordsNameNoContentPasses() throws {
        let box = try Sandbox()
        try box.write("labels.jsonl", "{\"id\":\"a\",\"label\":\"safe\"}\n{\"id\":\"b\",\"label\":\"spam\"}\n")
        try box.ok("init")
        try box.ok("commit", "labels.jsonl", "-m", "labels only")
        let json = try box.ok("verify", "--json").stdout
        let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        XCTAssertEqual(report["ok"] as? Bool, true, json)
        XCTAssertEqual(report["records"] as? Int, 2)
        XCTAssertEqual(report["contentBlobs"] as? Int, 0)
    }

    func testAFlippedByteInAPackIsFound() throws {
        let box = try Sandbox()
        try makeStore(box)
        let packDir = box.store + "/objects/pack"
        let largest = try FileManager.default.contentsOfDirectory(atPath: packDir).filter { $0.hasSuffix(".pack") }
            .max { (try? FileManager.default.attributesOfItem(atPath: packDir + "/" + $0)[.size] as? Int ?? 0)! < (try? FileManager.default.attributesOfItem(atPath: packDir + "/" + $1)[.size] as? Int ?? 0)! }!
        let path = packDir + "/" + largest
        chmod(path, 0o644)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: path))
        let out = try problems(box)
        XCTAssertTrue(out.contains(largest) && out.contains("checksum does not match"), out)
        let full = try problems(box, full: true)
        XCTAssertTrue(full.contains("is damaged") || full.contains("cannot be read"), "--full names the object: \(full)")
    }

    func testContentDeletedWithoutAnErasureRecordIsFound() throws {
        let box = try Sandbox()
        try makeStore(box)
        let show = try box.ok("show", "HEAD", "s00042", "--json").stdout
        let view = try JSONSerialization.jsonObject(with: Data(show.utf8)) as! [String: Any]
        let blob = try XCTUnwrap(((view["content"] as? [[String: Any]])?.first?["blob"]) as? String)
        // Explode the packs into loose objects with git itself, then delete the one blob.
        let packDir = box.store + "/objects/pack"
        for name in try FileManager.default.contentsOfDirectory(atPath: packDir) where name.hasSuffix(".pack") {
            let moved = box.root.appendingPathComponent(name).path
            try FileManager.default.moveItem(atPath: packDir + "/" + name, toPath: moved)
            try FileManager.default.removeItem(atPath: packDir + "/" + name.replacingOccurrences(of: ".pack", with: ".idx"))
            let unpack = try box.run("/bin/sh", ["-c", "git --git-dir '\(box.store)' unpack-objects -q < '\(moved)'"])
            XCTAssertEqual(unpack.status, 0, unpack.stderr)
        }
        try FileManager.default.removeItem(atPath: box.store + "/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
        let out = try problems(box)
        XCTAssertTrue(out.contains("content \(blob) of sample 's00042' is missing, and no erasure record covers it"), out)
    }

    func testAnIndexRowEditedByHandIsFound() throws {
        let box = try Sandbox()
        try makeStore(box)
        let edit = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite",
                                                "UPDATE label_events SET to_label = 'safe' WHERE sample_id = 's00008'"])
        XCTAssertEqual(edit.status, 0, edit.stderr)
        let out = try problems(box)
        XCTAssertTrue(out.contains("problem (index): label_events") && out.contains("'s00008'") && out.contains("trail reindex"), out)
        try box.ok("reindex")
        XCTAssertEqual(try box.trail(["verify"]).status, 0, "reindex repairs it")
    }

    func testARefPointingAtAMissingObjectIsFound() throws {
        let box = try Sandbox()
        try makeStore(box)
        try box.write(".trail/refs/tags/broken", "0123456789abcdef0123456789abcdef01234567\n")
        let out = try problems(box)
        XCTAssertTrue(out.contains("refs/tags/broken points at 0123456789abcdef0123456789abcdef01234567, which cannot be read"), out)
    }

    // MARK: - Damage crafted with plain git

    /// Commits main's tree edited by `edits` (git update-index commands on a temporary index) on top of main.
    private func commitByHand(_ box: Sandbox, _ edits: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try box.gitScript("""
            git read-tree refs/heads/main
            \(edits)
            tree=$(git write-tree)
            commit=$(git commit-tree "$tree" -p refs/heads/main -m 'edited by hand')
            git update-ref refs/heads/main "$commit"
            rm -f "$GIT_INDEX_FILE"
            """, file: file, line: line)
    }

    func testAContentRefHoldingGarbageOrNothingIsFound() throws {
        for (name, bytes) in [("garbage", "this is not an object id\n"), ("empty", ""), ("deleted", nil)] as [(String, String?)] {
            let box = try Sandbox(name)
            try makeStore(box)
            let ref = box.store + "/refs/trail/content"
            if let bytes { try bytes.write(toFile: ref, atomically: false, encoding: .utf8) } else { try FileManager.default.removeItem(atPath: ref) }
            let out = try problems(box)
            XCTAssertTrue(out.contains("problem (ref): refs/trail/content"), "\(name): \(out)")
            XCTAssertEqual(out.components(separatedBy: "\n").filter { $0.hasPrefix("problem") }.count, 1, "one line, not one per content blob (\(name)): \(out)")
        }
    }

    func testADetachedHeadIsFound() throws {
        let box = try Sandbox()
        try makeStore(box)
        let head = try box.gitScript("git rev-parse HEAD")
        try box.gitScript("git update-ref --no-deref HEAD \(head)")
        let out = try problems(box)
        XCTAssertTrue(out.contains("problem (ref): HEAD is detached") && out.contains(head) && out.contains("trail checkout"), out)
    }

    func testARecordStoredUnderAnotherSamplesKeyIsFoundAndExportRefusesIt() throws {
        let box = try Sandbox()
        try makeStore(box)
        let a = try box.recordPath("s00001"), b = try box.recordPath("s00002")
        // The key of s00001 now names the record of s00002: two entries hold s00002.
        try commitByHand(box, "git update-index --cacheinfo 100644,$(git rev-parse refs/heads/main:\(b)),\(a)")
        let out = try problems(box)
        XCTAssertTrue(out.contains("problem (object): ") && out.contains("'s00002'") && out.contains(a), out)
        let export = try box.trail(["export", "--out", "all.jsonl"])
        XCTAssertEqual(export.status, 1, "export must refuse: \(export.stdout)")
        XCTAssertTrue(export.stderr.contains("s00002") && export.stderr.contains("trail verify"), export.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.appendingPathComponent("all.jsonl").path), "no file with duplicate rows")
    }

    func testAWrongSizeAndAnUnknownFormatAreFound() throws {
        let box = try Sandbox()
        try makeStore(box)
        let a = try box.recordPath("s00003"), b = try box.recordPath("s00005")
        try commitByHand(box, """
            sized=$(git cat-file blob refs/heads/main:\(a) | sed 's/"size":\\([0-9]*\\)/"size":9\\1/' | git hash-object -w --stdin)
            future=$(git cat-file blob refs/heads/main:\(b) | sed 's/"format":1}$/"format":2}/' | git hash-object -w --stdin)
            git update-index --cacheinfo 100644,$sized,\(a) --cacheinfo 100644,$future,\(b)
            """)
        let out = try problems(box)
        XCTAssertTrue(out.contains("problem (content): ") && out.contains("'s00003'") && out.contains("bytes"), out)
        XCTAssertTrue(out.contains("'s00005'") && out.contains("format 2"), out)
    }

    func testTreeEntriesThatAreNotSampleKeysAreFound() throws {
        let box = try Sandbox()
        try makeStore(box)
        let a = try box.recordPath("s00004")
        let misplaced = "00/00/" + a.suffix(40)
        try commitByHand(box, """
            blob=$(echo 'not a record' | git hash-object -w --stdin)
            record=$(git rev-parse refs/heads/main:\(a))
            git update-index --add --cacheinfo 100644,$blob,notes.txt --cacheinfo 100644,$blob,\(a.prefix(3))README \\
                --cacheinfo 100644,$blob,\(a.prefix(6))README --cacheinfo 100644,$record,\(misplaced)
            """)
        let out = try problems(box)
        for name in ["notes.txt", "\(a.prefix(3))README", "\(a.prefix(6))README", misplaced] {
            XCTAssertTrue(out.contains("problem (object): ") && out.contains("'\(name)'") && out.contains("not a sample key"), "\(name): \(out)")
        }
    }

    /// The oldest pack (v1's objects): damaging it breaks objects that newer packs and refs need.
    private func oldestPack(_ box: Sandbox) throws -> String {
        let packDir = box.store + "/objects/pack"
        let packs = try FileManager.default.contentsOfDirectory(atPath: packDir).filter { $0.hasSuffix(".pack") }.map { packDir + "/" + $0 }
        let dated = try packs.map { ($0, try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date ?? .distantPast) }
        return dated.min { $0.1 < $1.1 }!.0
    }

    func testADamagedIndexATruncatedAndADeletedPackAreEachListed() throws {
        for damage in ["flipped idx byte", "truncated pack", "deleted pack"] {
            let box = try Sandbox(damage)
            try makeStore(box)
            let pack = try oldestPack(box)
            let idx = String(pack.dropLast(5)) + ".idx"
            switch damage {
            case "flipped idx byte":
                chmod(idx, 0o644)
                var bytes = try Data(contentsOf: URL(fileURLWithPath: idx))
                bytes[8 + 256 * 4 + 3] ^= 0x40  // in the first object id
                try bytes.write(to: URL(fileURLWithPath: idx))
            case "truncated pack":
                XCTAssertEqual(truncate(pack, 4000), 0)
            default:
                try FileManager.default.removeItem(atPath: pack)
            }
            let result = try box.trail(["verify"])
            XCTAssertEqual(result.status, 1, damage)
            XCTAssertFalse(result.stderr.contains("error:"), "\(damage): verify must not stop: \(result.stderr)")
            let lines = result.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("problem") }
            XCTAssertTrue(lines.first?.contains((pack as NSString).lastPathComponent.dropLast(5)) ?? false, "\(damage): \(result.stdout)")
            XCTAssertGreaterThan(lines.count, 1, "\(damage): the objects it held are named too: \(result.stdout)")
            XCTAssertTrue(result.stdout.contains("problems found."), result.stdout)
        }
    }

    func testADamagedLooseCopyShadowedByAPackedOneIsFound() throws {
        let box = try Sandbox()
        try makeStore(box)
        let record = try box.gitScript("git rev-parse HEAD:\(try box.recordPath("s00006"))")
        // A loose file under the packed record's id, holding other bytes (git fsck: hash mismatch).
        try box.gitScript("""
            other=$(echo 'other bytes' | git hash-object -w --stdin)
            mkdir -p "$GIT_DIR/objects/\(record.prefix(2))"
            cp "$GIT_DIR/objects/$(echo $other | cut -c1-2)/$(echo $other | cut -c3-)" "$GIT_DIR/objects/\(record.prefix(2))/\(record.dropFirst(2))"
            """)
        XCTAssertNotEqual(try box.git("fsck").status, 0, "git fsck sees it")
        let out = try problems(box)
        XCTAssertTrue(out.contains("problem (object): ") && out.contains(record) && out.contains("loose"), out)
    }

    /// Every file under the store, with its bytes.
    private func files(_ path: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.subpathsOfDirectory(atPath: path) {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDir), !isDir.boolValue {
                result[name] = try Data(contentsOf: URL(fileURLWithPath: path + "/" + name))
            }
        }
        return result
    }

    func testVerifyWritesNothing() throws {
        let box = try Sandbox()
        try makeStore(box)
        let before = try files(box.store)
        try box.ok("verify")
        let after = try files(box.store)
        XCTAssertEqual(Set(after.keys), Set(before.keys), "no file made or removed")
        for (name, bytes) in before where after[name] != bytes { XCTFail("verify changed \(name)") }
    }

    func testVerifyRunsOnAReadOnlyStore() throws {
        let box = try Sandbox()
        try makeStore(box)
        let trail = Sandbox.productsDirectory.appendingPathComponent("trail").path
        let result: Sandbox.Result
        if getuid() != 0 {
            XCTAssertEqual(try box.run("/bin/chmod", ["-R", "a-w", box.store]).status, 0)
            defer { _ = try? box.run("/bin/chmod", ["-R", "u+w", box.store]) }
            result = try box.trail(["verify"])
        } else {
            // Root ignores permissions: a read-only bind mount (EROFS) in a private mount namespace.
            let mount = try box.run("/usr/bin/env", ["unshare", "-m", "sh", "-c", "mount --bind -o ro '\(box.store)' '\(box.store)' && touch '\(box.store)/probe' 2>/dev/null; test ! -e '\(box.store)/probe'"])
            if mount.status == 0 {
                result = try box.run("/usr/bin/env", ["unshare", "-m", "sh", "-c", "mount --bind -o ro \"$0\" \"$0\" && exec \"$1\" verify", box.store, trail])
            } else {
                // No mount namespace here: watch every file call instead; none may write under the store.
                let log = box.root.appendingPathComponent("strace.log").path
                result = try box.run("/usr/bin/env", ["strace", "-f", "-qq", "-e", "trace=%file,%desc", "-o", log, trail, "verify"])
                guard FileManager.default.fileExists(atPath: log) else {
                    throw MissingPrerequisite("strace (or a read-only bind mount: unshare -m, mount --bind -o ro)", fix: "apt-get install strace")
                }
                let changing: Set<String> = ["unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "truncate",
                                             "chmod", "fchmodat", "chown", "fchownat", "link", "linkat", "symlink", "symlinkat", "utimensat", "creat"]
                let writes = try String(contentsOfFile: log, encoding: .utf8).components(separatedBy: "\n").filter { line in
                    // "PID syscall(args) = result"
                    guard line.contains(box.store), let call = line.split(separator: " ", maxSplits: 1).last?.prefix(while: { $0 != "(" }) else { return false }
                    if call == "open" || call == "openat" { return ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"].contains { line.contains($0) } }
                    return changing.contains(String(call))
                }
                XCTAssertEqual(writes, [], "verify must open nothing in the store for writing")
            }
        }
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("OK: no problems found."), result.stdout + result.stderr)
    }
}
