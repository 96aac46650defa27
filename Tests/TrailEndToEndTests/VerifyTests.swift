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
}
