import Foundation
import XCTest

/// A media file past 2 GiB (where a 32-bit length, or one write(2) call, would cut it) comes back
/// from `export --out folder` byte for byte, and its blob id is git's.
final class LargeMediaTests: XCTestCase {
    func testAMediaFilePast2GiBComesBackByteForByte() throws {
        let box = try Sandbox()
        let size = (1 << 31) + 8
        let media = box.root.appendingPathComponent("media/video.bin").path
        try FileManager.default.createDirectory(atPath: box.root.appendingPathComponent("media").path, withIntermediateDirectories: true)
        // A pattern with no zero bytes, and a different tail, so zeros or a shifted copy past 2 GiB show.
        let fd = open(media, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        var block = [UInt8](repeating: 0, count: 1 << 24)
        for i in block.indices { block[i] = UInt8(1 + i % 251) }
        var written = 0
        while written < size {
            let n = min(block.count, size - written)
            if written + n == size { for i in 0..<8 { block[n - 8 + i] = UInt8(0xF0 + i) } }
            XCTAssertEqual(block.withUnsafeBytes { write(fd, $0.baseAddress!, n) }, n)
            written += n
        }
        close(fd)
        try box.write("big.jsonl", #"{"id":"v1","label":"safe","media":"media/video.bin"}"# + "\n")
        try box.ok("init")
        try box.ok("commit", "big.jsonl", "-m", "a large video")
        let gitID = try box.run("/usr/bin/env", ["git", "hash-object", media]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let record = try box.git("cat-file", "blob", "HEAD:" + (try box.git("ls-tree", "-r", "--name-only", "HEAD").stdout
            .split(separator: "\n").first { $0.contains("/") }.map(String.init) ?? "")).stdout
        XCTAssertTrue(record.contains(gitID), "the record names git's blob id \(gitID): \(record)")
        XCTAssertTrue(record.contains("\"size\":\(size)"), record)

        try box.ok("export", "HEAD", "--out", "out")
        let exported = box.root.appendingPathComponent("out/media/video.bin").path
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: exported)[.size] as? NSNumber)?.intValue, size)
        let compared = try box.run("/usr/bin/cmp", [media, exported])
        XCTAssertEqual(compared.status, 0, "the exported video differs: \(compared.stdout)")
        try? FileManager.default.removeItem(atPath: media)
        try? FileManager.default.removeItem(atPath: exported)
    }
}
