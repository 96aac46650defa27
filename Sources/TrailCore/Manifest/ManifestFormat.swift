/// The kinds of manifest Trail reads and writes.
public enum ManifestFormat: String, CaseIterable, Sendable {
    /// JSON Lines: one JSON object per line.
    case jsonl
    /// CSV with a header row (RFC 4180: quoted fields may hold commas, quotes and newlines).
    case csv

    /// The format a file's extension implies, or nil.
    public static func from(path: String) -> ManifestFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") { return .jsonl }
        if lower.hasSuffix(".csv") { return .csv }
        return nil
    }
}

/// One sample as read from a manifest: its members in file order, and where it came from.
public struct ManifestRow: Sendable {
    /// 1-based line where the row starts.
    public let line: Int
    /// The row's members, in the order the file gives them.
    public let members: [JSONMember]
}

/// A slice of a manifest that one worker turns into samples.
enum ManifestChunk {
    /// JSON Lines bytes starting at 1-based `firstLine`.
    case jsonl(bytes: UnsafeRawBufferPointer, firstLine: Int)
    /// Rows already parsed (CSV must be parsed in order, since quoted fields span lines).
    case rows(ArraySlice<ManifestRow>)

    /// Calls `body` for each row, in order.
    func forEachRow(file: String, _ body: (ManifestRow) throws -> Void) throws {
        switch self {
        case .rows(let rows):
            for row in rows { try body(row) }
        case .jsonl(let bytes, let firstLine):
            try JSONLines.forEachRow(bytes, firstLine: firstLine, file: file, body)
        }
    }
}
