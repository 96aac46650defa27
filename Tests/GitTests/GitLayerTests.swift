import Foundation
import XCTest
@testable import Git
@testable import GitFormat

/// The git layer checked against the reference implementation: the `git` CLI.
final class GitLayerTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("trail-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    @discardableResult
    func git(_ args: [String], stdin: Data? = nil) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git"] + args
        p.currentDirectoryURL = dir
        let out = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "git \(args.joined(separator: " ")) failed")
        return String(decoding: data, as: UTF8.self)
    }

    func testObjectIDsMatchGitHashObject() throws {
        for text in ["", "hello\n", "ü and 😀", String(repeating: "x", count: 100_000)] {
            let expected = try git(["hash-object", "--stdin"], stdin: Data(text.utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertEqual(ObjectHasher.id(of: .blob, Array(text.utf8)).hex, expected)
        }
        XCTAssertEqual(ObjectID(hex: "0123456789abcdef0123456789abcdef01234567")?.hex, "0123456789abcdef0123456789abcdef01234567")
        XCTAssertNil(ObjectID(hex: "xyz"))
    }

    func testTreeEncodingMatchesGitMktree() throws {
        let repo = try Repository.initBare(at: dir.appendingPathComponent("r.git").path, initialBranch: "refs/heads/main")
        let blob = try repo.write(.blob, Array("content".utf8))
        let sub = try repo.write(.tree, TreeFormat.encode([TreeEntry(mode: .blob, name: "f", id: blob)]))
        // "a-b" sorts before "a" + "/" as a folder: git's ordering rule.
        let entries = [TreeEntry(mode: .tree, name: "a", id: sub), TreeEntry(mode: .blob, name: "a-b", id: blob),
                       TreeEntry(mode: .blob, name: "Z", id: blob)]
        let ours = ObjectHasher.id(of: .tree, TreeFormat.encode(entries))
        let listing = "040000 tree \(sub.hex)\ta\n100644 blob \(blob.hex)\ta-b\n100644 blob \(blob.hex)\tZ\n"
        let theirs = try git(["--git-dir", repo.path, "mktree"], stdin: Data(listing.utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(ours.hex, theirs)
        XCTAssertEqual(try TreeFormat.decode(TreeFormat.encode(entries)).map(\.name), ["Z", "a-b", "a"])
    }

    func testPackWriterOutputIsReadByGitAndLibgit2() throws {
        let repo = try Repository.initBare(at: dir.appendingPathComponent("p.git").path, initialBranch: "refs/heads/main")
        var objects: [PendingObject] = []
        for i in 0..<3000 {
            // Small objects are stored, large ones compressed: both must read back.
            let size = i % 100 == 0 ? 5000 + i : 20 + i % 300
            objects.append(PendingObject(type: .blob, data: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }))
        }
        let writer = try PackWriter(objectsDirectory: repo.objectsDirectory, expectedCount: objects.count)
        try writer.append(objects)
        let name = try writer.finish()
        try repo.refreshObjects()
        let verify = try git(["--git-dir", repo.path, "verify-pack", "-v", repo.objectsDirectory + "/pack/\(name).idx"])
        XCTAssertTrue(verify.contains("non delta: 3000 objects"), verify)
        for object in objects.prefix(200) {
            XCTAssertEqual(try repo.read(object.id, as: .blob), object.data)
        }
        XCTAssertEqual(try git(["--git-dir", repo.path, "cat-file", "-s", objects[100].id.hex]), "\(objects[100].data.count)\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: repo.objectsDirectory + "/pack").filter { $0.hasPrefix("tmp_") }, [])
    }

    /// Objects are read from packs without libgit2 when they are whole, and through it when
    /// they are deltas (after `git repack -f`) or loose: the same bytes as `git cat-file` either way.
    func testReadsWholeAndDeltifiedPackObjectsAndLooseOnes() throws {
        let path = dir.appendingPathComponent("d.git").path
        _ = try Repository.initBare(at: path, initialBranch: "refs/heads/main")
        let base = String(repeating: "a moderation guideline paragraph, ", count: 200)
        var expected: [ObjectID: [UInt8]] = [:]
        for i in 0..<40 {
            let text = Array((base + "variant \(i)\n").utf8)
            let hex = try git(["--git-dir", path, "hash-object", "-w", "--stdin"], stdin: Data(text)).trimmingCharacters(in: .whitespacesAndNewlines)
            expected[ObjectID(hex: hex)!] = text
        }
        let empty = try git(["--git-dir", path, "hash-object", "-w", "--stdin"], stdin: Data()).trimmingCharacters(in: .whitespacesAndNewlines)
        expected[ObjectID(hex: empty)!] = []
        func checkAll(_ context: String) throws {
            let repo = try Repository(openBare: path)
            for (id, bytes) in expected { XCTAssertEqual(try repo.read(id, as: .blob), bytes, "\(context): \(id)") }
        }
        try checkAll("loose")
        // Keep the loose blobs reachable for repack through a tree and a ref.
        let listing = expected.keys.enumerated().map { "100644 blob \($0.element.hex)\tf\($0.offset)" }.joined(separator: "\n") + "\n"
        let tree = try git(["--git-dir", path, "mktree"], stdin: Data(listing.utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
        try git(["--git-dir", path, "update-ref", "refs/keep", tree])
        try git(["--git-dir", path, "repack", "-a", "-d", "-f", "--depth=10", "--window=50"])
        let verify = try git(["--git-dir", path, "verify-pack", "-v"] + (try FileManager.default.contentsOfDirectory(atPath: path + "/objects/pack"))
            .filter { $0.hasSuffix(".idx") }.map { path + "/objects/pack/" + $0 })
        XCTAssertTrue(verify.contains("chain length = 1"), "the test needs deltified objects: \(verify)")
        try checkAll("packed with deltas")

        // Whole objects in a pack of Trail's own are read by PackReader directly.
        let reader = PackReader(gitDir: path)
        let whole = expected.keys.filter { reader.read($0) != nil }
        XCTAssertFalse(whole.isEmpty, "some objects are stored whole (delta bases)")
        for id in whole { XCTAssertEqual(reader.read(id)?.data, expected[id]) }
        XCTAssertNil(reader.read(ObjectID(hex: "0123456789abcdef0123456789abcdef01234567")!))
        // Headers: a whole object's from its entry, a delta's left to libgit2; the repository
        // answers both as `git cat-file -s` does.
        for id in whole { XCTAssertEqual(reader.header(id)?.size, expected[id]?.count) }
        XCTAssertTrue(expected.keys.filter { !whole.contains($0) }.allSatisfy { reader.header($0) == nil })
        let repo = try Repository(openBare: path)
        for id in expected.keys {
            XCTAssertEqual(repo.header(id)?.size, Int(try git(["--git-dir", path, "cat-file", "-s", id.hex]).trimmingCharacters(in: .whitespacesAndNewlines)))
            XCTAssertEqual(repo.header(id)?.type, .blob)
        }
    }

    /// PackReader finds every object of a pack of 200,000 (about 780 ids per first byte, so
    /// its estimates and gallops run in both directions) and none of the ids beside them: each
    /// id with its last byte changed, the ids just past each first-byte range, all-zero and
    /// all-ones. Agrees with `git cat-file --batch-check` on a sample.
    func testPackReaderFindsEveryObjectAndNoNeighbour() throws {
        let repo = try Repository.initBare(at: dir.appendingPathComponent("f.git").path, initialBranch: "refs/heads/main")
        let objects = (0..<200_000).map { i in PendingObject(type: .blob, data: Array("n \(i)\n".utf8)) }
        let writer = try PackWriter(objectsDirectory: repo.objectsDirectory)
        try writer.append(objects)
        _ = try writer.finish()
        let reader = PackReader(gitDir: repo.path)
        let held = Set(objects.map(\.id))
        var missed = 0, falseHits = 0
        for object in objects where !reader.contains(object.id) { missed += 1 }
        XCTAssertEqual(missed, 0, "objects the reader did not find")
        for object in objects {
            var bytes = object.id.rawBytes
            for flip: UInt8 in [1, 0x80] {
                bytes[19] ^= flip
                let neighbour = ObjectID(rawBytes: bytes)
                if !held.contains(neighbour) && reader.contains(neighbour) { falseHits += 1 }
                bytes[19] ^= flip
            }
        }
        XCTAssertEqual(falseHits, 0, "ids the pack lacks, found")
        for first in 0..<256 {
            for fill: UInt8 in [0, 0xff] {
                let edge = ObjectID(rawBytes: [UInt8(first)] + [UInt8](repeating: fill, count: 19))
                XCTAssertEqual(reader.contains(edge), held.contains(edge), "\(edge)")
            }
        }
        for object in objects.shuffled().prefix(200) { XCTAssertEqual(reader.read(object.id)?.data, object.data) }
        let sample = objects.shuffled().prefix(50).map(\.id.hex)
        let listed = try git(["--git-dir", repo.path, "cat-file", "--batch-check=%(objectname)"], stdin: Data((sample.joined(separator: "\n") + "\n").utf8))
        XCTAssertEqual(listed.split(separator: "\n").map(String.init), sample)
    }

    /// A large pack's index is sorted in runs spilled to disk and merged: with runs of 256
    /// entries, 3000 objects make 12 runs, and the index is byte for byte the one `git
    /// index-pack` computes from the pack. An object given twice fails and leaves nothing.
    func testSpilledIndexRunsMergeIntoGitsOwnIndex() throws {
        let repo = try Repository.initBare(at: dir.appendingPathComponent("s.git").path, initialBranch: "refs/heads/main")
        let objects = (0..<3000).map { i in PendingObject(type: .blob, data: Array("object \(i)\n".utf8)) }
        let writer = try PackWriter(objectsDirectory: repo.objectsDirectory, indexRunLength: 256)
        try writer.append(Array(objects[..<1000]))
        try writer.append(Array(objects[1000...]))
        let name = try writer.finish()
        let pack = repo.objectsDirectory + "/pack/\(name)"
        try git(["index-pack", "-o", dir.appendingPathComponent("git.idx").path, pack + ".pack"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: pack + ".idx")), try Data(contentsOf: dir.appendingPathComponent("git.idx")))
        try repo.refreshObjects()
        for object in objects.shuffled().prefix(100) { XCTAssertEqual(try repo.read(object.id, as: .blob), object.data) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: repo.objectsDirectory + "/pack").filter { $0.hasPrefix("tmp_") }, [])

        let twice = try PackWriter(objectsDirectory: repo.objectsDirectory, indexRunLength: 256)
        try twice.append(Array(objects[..<600]) + [objects[10]])
        XCTAssertThrowsError(try twice.finish()) { error in XCTAssertTrue("\(error)".contains("added twice"), "\(error)") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: repo.objectsDirectory + "/pack").sorted(),
                       [name + ".idx", name + ".pack"])
    }

    /// Repeats in a numbered sequence of ids are found across spilled runs: the first of each
    /// id is kept, every later one is not, whatever run it fell in.
    func testFirstOccurrencesAcrossSpilledRuns() throws {
        let ids = (0..<500).map { ObjectHasher.id(of: .blob, Array("item \($0)".utf8)) }
        var sequence = ids
        for i in stride(from: 0, to: 500, by: 7) { sequence.append(ids[i]) }  // 72 repeats, after their firsts
        sequence.insert(ids[3], at: 1)                                       // one repeat before its first
        var occurrences = FirstOccurrences(directory: dir.path, runLength: 64)
        for id in sequence { try occurrences.add(id) }
        try occurrences.finish()
        XCTAssertEqual(occurrences.distinct, 500)
        var seen = Set<ObjectID>()
        for (n, id) in sequence.enumerated() {
            XCTAssertEqual(occurrences.isFirst(n), seen.insert(id).inserted, "item \(n)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "the runs were unlinked files")
    }

    /// The objects a push sends, checked against `git rev-list --objects`: with nothing known,
    /// exactly the objects the tips reach, and a file changed back in a later commit comes twice
    /// (the repeats `FirstOccurrences` drops); with a commit known, everything git would send and
    /// nothing the tips do not reach. The pack streamed from them is one `git index-pack
    /// --strict` takes, holding exactly those objects.
    func testObjectsToSendMatchGitRevList() throws {
        let work = dir.appendingPathComponent("w")
        try git(["init", "-q", "-b", "main", work.path])
        func commit(_ files: [String: String], _ message: String) throws -> ObjectID {
            for (path, text) in files {
                let url = work.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            }
            try git(["-C", work.path, "add", "-A"])
            try git(["-C", work.path, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-q", "-m", message])
            return ObjectID(hex: try git(["-C", work.path, "rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines))!
        }
        let c1 = try commit(["ab/cd/one": "1", "ab/ef/two": "2", "gh/three": "3"], "first")
        _ = try commit(["ab/cd/one": "1 relabelled"], "second")
        let c3 = try commit(["ab/cd/one": "1", "gh/four": "4"], "third: one changed back")
        try git(["-C", work.path, "-c", "user.name=T", "-c", "user.email=t@x", "tag", "-a", "v1", "-m", "a tag", c1.hex])
        let tag = ObjectID(hex: try git(["-C", work.path, "rev-parse", "v1"]).trimmingCharacters(in: .whitespacesAndNewlines))!
        let repo = try Repository(openBare: work.appendingPathComponent(".git").path)
        func revList(_ args: [String]) throws -> Set<ObjectID> {
            Set(try git(["-C", work.path, "rev-list", "--objects"] + args).split(separator: "\n").compactMap { ObjectID(hex: String($0.prefix(40))) })
        }
        func walk(tips: [ObjectID], known: [ObjectID]) throws -> [ObjectID] {
            var ids: [ObjectID] = []
            try repo.forEachObject(in: try repo.pushWalk(tips: tips, known: known)) { ids.append($0.id) }
            return ids
        }
        let all = try walk(tips: [c3, tag], known: [])
        XCTAssertEqual(Set(all), try revList([c3.hex, tag.hex]).union([tag]))
        // Changed back, `ab`, `ab/cd` and `ab/cd/one` are again what the first commit had.
        XCTAssertEqual(all.count - Set(all).count, 3, "what the third commit took back is walked twice")
        let some = Set(try walk(tips: [c3], known: [c1]))
        XCTAssertTrue(try revList([c3.hex, "--not", c1.hex]).isSubset(of: some))
        XCTAssertTrue(some.isSubset(of: try revList([c3.hex])))
        XCTAssertTrue(try walk(tips: [c3], known: [c3]).isEmpty)
        // A parentless commit that replaces one the server has (as a new content list does) is
        // sent as its difference from that one: exactly the objects it reaches that the other
        // does not (git itself would send them all: the two share no history).
        try Data("5".utf8).write(to: work.appendingPathComponent("gh/five"))
        try git(["-C", work.path, "add", "-A"])
        let tree = try git(["-C", work.path, "write-tree"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let root = ObjectID(hex: try git(["-C", work.path, "-c", "user.name=T", "-c", "user.email=t@x", "commit-tree", tree, "-m", "a new list"])
            .trimmingCharacters(in: .whitespacesAndNewlines))!
        var replaced: [ObjectID] = []
        try repo.forEachObject(in: try repo.pushWalk(tips: [root], known: [c3], replacing: [c3])) { replaced.append($0.id) }
        XCTAssertEqual(Set(replaced), try revList([root.hex]).subtracting(try revList([c3.hex])))
        XCTAssertEqual(replaced.count, 4, "the commit, the root and gh trees, and the new blob")
        XCTAssertEqual(Set(try walk(tips: [root], known: [c3])), try revList([root.hex]), "without it, the whole tree")

        // Stream them as a push would and let git index the pack, strictly.
        var occurrences = FirstOccurrences(directory: dir.path)
        for id in all { try occurrences.add(id) }
        try occurrences.finish()
        var bytes: [UInt8] = []
        let stream = try PackStream(count: occurrences.distinct) { bytes.append(contentsOf: $0) }
        var n = 0
        try repo.forEachObject(in: try repo.pushWalk(tips: [c3, tag], known: [])) { object in
            defer { n += 1 }
            guard occurrences.isFirst(n) else { return }
            try stream.append([PendingObject(type: object.type, id: object.id, data: try object.data ?? repo.read(object.id).data)])
        }
        try stream.finish()
        XCTAssertEqual(stream.bytes, bytes.count)
        let target = dir.appendingPathComponent("t.git").path
        try git(["init", "-q", "--bare", target])
        let packPath = target + "/objects/pack/sent.pack"
        try Data(bytes).write(to: URL(fileURLWithPath: packPath))
        try git(["-C", target, "index-pack", "--strict", packPath])
        XCTAssertEqual(try git(["-C", target, "verify-pack", "-v", packPath]).split(separator: "\n")
            .filter { $0.contains(" blob ") || $0.contains(" tree ") || $0.contains(" commit ") || $0.contains(" tag ") }.count, Set(all).count)
    }

    /// The push protocol's lines as git writes and reads them: pkt-line framing, an empty
    /// repository's advertisement, the HTTP form's service line, and a report with a refusal.
    func testReceivePackProtocol() throws {
        XCTAssertEqual(PktLine.encode("a\n"), Array("0006a\n".utf8))
        let id = ObjectHasher.id(of: .blob, Array("x".utf8))
        let empty = PktLine.encode("\(ObjectID.zero.hex) capabilities^{}\0report-status delete-refs ofs-delta\n") + PktLine.flush
        var reader = PktLineReader(what: "test", bytes: empty)
        XCTAssertEqual(try ReceivePack.readAdvertisement(&reader), ReceivePack.Advertisement(refs: [:], capabilities: ["report-status", "delete-refs", "ofs-delta"]))
        let http = PktLine.encode("# service=git-receive-pack\n") + PktLine.flush
            + PktLine.encode("\(id.hex) refs/heads/main\0report-status\n") + PktLine.encode("\(id.hex) refs/tags/v1\n") + PktLine.flush
        reader = PktLineReader(what: "test", bytes: http)
        XCTAssertEqual(try ReceivePack.readAdvertisement(&reader).refs, ["refs/heads/main": id, "refs/tags/v1": id])
        // A fork's borrowed objects (`.have`) count as held; a shallow server's boundary is skipped.
        let other = ObjectHasher.id(of: .blob, Array("y".utf8))
        let fork = PktLine.encode("\(id.hex) refs/heads/main\0report-status\n") + PktLine.encode("\(other.hex) .have\n")
            + PktLine.encode("shallow \(other.hex)\n") + PktLine.flush
        reader = PktLineReader(what: "test", bytes: fork)
        let forked = try ReceivePack.readAdvertisement(&reader)
        XCTAssertEqual(forked.refs, ["refs/heads/main": id])
        XCTAssertEqual(forked.haves, [other])
        let request = ReceivePack.request([.init(old: .zero, new: id, ref: "refs/heads/main"), .init(old: id, new: id, ref: "refs/tags/v1")], capabilities: ["report-status"])
        XCTAssertEqual(String(decoding: request, as: UTF8.self),
                       "0074\(ObjectID.zero.hex) \(id.hex) refs/heads/main\0report-status\n" + "0063\(id.hex) \(id.hex) refs/tags/v1\n0000")
        let answer = PktLine.encode("unpack ok\n") + PktLine.encode("ok refs/heads/main\n") + PktLine.encode("ng refs/tags/v1 hook declined\n") + PktLine.flush
        reader = PktLineReader(what: "test", bytes: answer)
        XCTAssertEqual(try ReceivePack.readReport(&reader), ReceivePack.Report(unpackError: nil, refs: [.init(ref: "refs/heads/main"), .init(ref: "refs/tags/v1", error: "hook declined")]))
        reader = PktLineReader(what: "test", bytes: PktLine.encode("ERR access denied\n"))
        XCTAssertThrowsError(try ReceivePack.readAdvertisement(&reader)) { XCTAssertTrue("\($0)".contains("access denied"), "\($0)") }
    }

    /// Trees up to 64 KiB are stored, not deflated (they are mostly SHA-1s): a 13.6 KB leaf takes
    /// its size + 11 bytes of zlib framing + its entry header in the pack, as `git verify-pack`
    /// reports, and reads back whole.
    func testLargeTreesAreStoredWhole() throws {
        let repo = try Repository.initBare(at: dir.appendingPathComponent("t.git").path, initialBranch: "refs/heads/main")
        let blob = PendingObject(type: .blob, data: Array("x".utf8))
        let entries = (0..<200).map { i in TreeEntry(mode: .blob, name: ObjectHasher.id(of: .blob, Array("\(i)".utf8)).hex, id: blob.id) }
        let tree = PendingObject(type: .tree, data: TreeFormat.encode(entries))
        XCTAssertGreaterThan(tree.data.count, 8192)
        let writer = try PackWriter(objectsDirectory: repo.objectsDirectory, expectedCount: 2)
        try writer.append([blob, tree])
        let name = try writer.finish()
        let verify = try git(["--git-dir", repo.path, "verify-pack", "-v", repo.objectsDirectory + "/pack/\(name).idx"])
        let line = verify.split(separator: "\n").first { $0.hasPrefix(tree.id.hex) }.map(String.init) ?? ""
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        XCTAssertEqual(fields.count >= 4 ? fields[1] : "", "tree", verify)
        var rest = tree.data.count >> 4, header = 1  // type and 4 bits, then 7 bits a byte
        while rest > 0 { header += 1; rest >>= 7 }
        XCTAssertEqual(fields.count >= 4 ? Int(fields[3]) : nil, tree.data.count + 11 + header, line)
        try repo.refreshObjects()
        XCTAssertEqual(try repo.read(tree.id, as: .tree), tree.data)
    }

    func testAbortedPackLeavesNothing() throws {
        let repo = try Repository.initBare(at: dir.appendingPathComponent("a.git").path, initialBranch: "refs/heads/main")
        let writer = try PackWriter(objectsDirectory: repo.objectsDirectory, expectedCount: 2)
        try writer.append([PendingObject(type: .blob, data: [1])])
        XCTAssertThrowsError(try writer.finish(), "a pack with fewer objects than announced must not become visible")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: repo.objectsDirectory + "/pack"), [])
    }

    func testReferencesCompareAndSwap() throws {
        let repo = try Repository.initBare(at: dir.appendingPathComponent("c.git").path, initialBranch: "refs/heads/main")
        let tree = try repo.write(.tree, [])
        let sig = Signature(name: "T", email: "t@example.org", time: 1_700_000_000)
        let c1 = try repo.write(.commit, CommitFormat.encodeCommit(tree: tree, parents: [], author: sig, committer: sig, message: "one"))
        let c2 = try repo.write(.commit, CommitFormat.encodeCommit(tree: tree, parents: [c1], author: sig, committer: sig, message: "two"))
        try repo.updateReference("refs/heads/main", to: c1, expected: nil, message: "init")
        XCTAssertThrowsError(try repo.updateReference("refs/heads/main", to: c2, expected: c2, message: "stale")) { error in
            XCTAssertTrue((error as? GitError)?.isConcurrentUpdate == true, "\(error)")
        }
        try repo.updateReference("refs/heads/main", to: c2, expected: c1, message: "ok")
        XCTAssertEqual(try repo.resolveCommit("main~1"), c1)
        XCTAssertEqual(try repo.commit(c2).message, "two\n")
        XCTAssertEqual(try git(["--git-dir", repo.path, "log", "--format=%an %at %s", "main"]), "T 1700000000 two\nT 1700000000 one\n")
        let fsck = try git(["--git-dir", repo.path, "fsck", "--strict"])
        _ = fsck
    }

    func testSignatureParsing() {
        XCTAssertEqual(Signature.parse("Ana B <ana@example.org>")?.name, "Ana B")
        XCTAssertEqual(Signature.parse("Ana B <ana@example.org>")?.email, "ana@example.org")
        XCTAssertNil(Signature.parse("no email"))
        XCTAssertNil(Signature.parse("<only@example.org>"))
        XCTAssertEqual(Signature(name: "a", email: "b", time: 5, offsetMinutes: -330).headerValue, "a <b> 5 -0530")
    }
}
