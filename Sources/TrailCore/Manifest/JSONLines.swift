#if canImport(Glibc)
import Glibc
#endif

/// Reads JSON Lines: one JSON object per line; blank lines are skipped.
enum JSONLines {
    /// Splits a file into about `parts` chunks at line boundaries, each with its first line number,
    /// so that workers can parse them at once.
    static func chunks(of bytes: UnsafeRawBufferPointer, parts: Int) -> [ManifestChunk] {
        guard bytes.count > 0 else { return [] }
        var bounds: [Int] = [0]
        let target = max(bytes.count / max(parts, 1), 1 << 20)
        var start = 0
        while start + target < bytes.count {
            let probe = start + target
            guard let hit = memchr(bytes.baseAddress! + probe, 0x0a, bytes.count - probe) else { break }
            let next = UnsafeRawPointer(hit) - bytes.baseAddress! + 1
            if next >= bytes.count { break }
            bounds.append(next)
            start = next
        }
        bounds.append(bytes.count)
        let slices = (0..<(bounds.count - 1)).map { UnsafeRawBufferPointer(rebasing: bytes[bounds[$0]..<bounds[$0 + 1]]) }
        var counts = [Int](repeating: 0, count: slices.count)
        counts.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: slices.count) { base[$0] = countNewlines(slices[$0]) }
        }
        var line = 1
        var result: [ManifestChunk] = []
        for (k, slice) in slices.enumerated() {
            result.append(.jsonl(bytes: slice, firstLine: line))
            line += counts[k]
        }
        return result
    }

    /// Parses each non-blank line as a JSON object and calls `body` with it.
    static func forEachRow(_ bytes: UnsafeRawBufferPointer, firstLine: Int, file: String,
                           _ body: (ManifestRow) throws -> Void) throws {
        try forEachLine(bytes, firstLine: firstLine) { line, text in
            try body(parseRow(text, line: line, file: file))
        }
    }

    /// Calls `body` with each non-blank line's number and bytes (no line ending, no byte order mark).
    static func forEachLine(_ bytes: UnsafeRawBufferPointer, firstLine: Int,
                            _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        var line = firstLine
        while start < bytes.count {
            let end: Int
            if let hit = memchr(base + start, 0x0a, bytes.count - start) {
                end = UnsafeRawPointer(hit) - base
            } else {
                end = bytes.count
            }
            var stop = end
            if stop > start && base.load(fromByteOffset: stop - 1, as: UInt8.self) == 0x0d { stop -= 1 }
            var lineStart = start
            if line == 1, stop - lineStart >= 3, base.load(as: UInt8.self) == 0xEF,
               base.load(fromByteOffset: 1, as: UInt8.self) == 0xBB, base.load(fromByteOffset: 2, as: UInt8.self) == 0xBF {
                lineStart += 3  // a UTF-8 byte order mark
            }
            let text = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<stop])
            if !isBlank(text) { try body(line, text) }
            start = end + 1
            line += 1
        }
    }

    /// Parses one line into a row, or throws an error naming the line and column.
    static func parseRow(_ text: UnsafeRawBufferPointer, line: Int, file: String) throws -> ManifestRow {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text, rejectingEquivalentKeys: true)
        } catch let error as JSONSyntaxError {
            let utf8 = error.isInvalidUTF8
            throw InputError(file: file, line: line, column: error.offset + 1,
                             message: utf8 ? "invalid UTF-8 byte sequence" : "malformed JSON: \(error.message)",
                             hint: utf8 ? "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"
                                        : error.hint ?? "each line must be one complete JSON object")
        }
        guard case .object(let members) = value else {
            throw InputError(file: file, line: line, message: "expected a JSON object, found \(value.typeName == "array" ? "an" : "a") \(value.typeName)",
                             hint: "each line must be one JSON object such as {\"id\": \"s1\", \"label\": \"safe\"}")
        }
        return ManifestRow(line: line, members: members)
    }

    private static func isBlank(_ b: UnsafeRawBufferPointer) -> Bool {
        for c in b where c != 0x20 && c != 0x09 && c != 0x0d { return false }
        return true
    }
}

import Dispatch
