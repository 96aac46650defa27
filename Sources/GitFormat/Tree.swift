/// One entry of a git tree: a file (blob) or a folder (tree) with its name and id.
public struct TreeEntry: Equatable, Sendable {
    /// The entry's file mode: `.blob` (100644) or `.tree` (40000).
    public enum Mode: String, Sendable {
        case blob = "100644"
        case tree = "40000"
    }

    /// The entry's file mode: a blob or a tree.
    public var mode: Mode
    /// The entry's name within its tree: one path component, no slash.
    public var name: String
    /// The id of the blob or tree the entry points at.
    public var id: ObjectID

    /// An entry named `name` pointing at `id`.
    public init(mode: Mode, name: String, id: ObjectID) {
        self.mode = mode
        self.name = name
        self.id = id
    }
}

/// Encodes and decodes git's binary tree format: `<mode> <name>\0<20-byte id>` per entry.
public enum TreeFormat {
    /// The bytes of a tree object holding `entries`, sorted the way git requires
    /// (by name, with a folder's name compared as if it ended in "/").
    public static func encode(_ entries: [TreeEntry]) -> [UInt8] {
        let keyed = entries.map { (key: sortKey($0), entry: $0) }
        var inOrder = true
        for i in 1..<max(keyed.count, 1) where !keyed[i - 1].key.lexicographicallyPrecedes(keyed[i].key) {
            inOrder = false
            break
        }
        let sorted = inOrder ? entries : keyed.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.entry)
        var out = [UInt8]()
        out.reserveCapacity(entries.count * 68)
        for entry in sorted {
            out.append(contentsOf: entry.mode.rawValue.utf8)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: entry.name.utf8)
            out.append(0)
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: 20))
            out.withUnsafeMutableBytes { entry.id.storeBytes(into: $0.baseAddress! + start) }
        }
        return out
    }

    /// The entries of a tree object's bytes; throws on a malformed tree.
    public static func decode(_ bytes: [UInt8]) throws -> [TreeEntry] {
        var entries = [TreeEntry]()
        var i = 0
        while i < bytes.count {
            guard let space = bytes[i...].firstIndex(of: UInt8(ascii: " ")),
                  let nul = bytes[space...].firstIndex(of: 0),
                  nul + 21 <= bytes.count else {
                throw GitError(operation: "decode tree", message: "malformed tree entry at byte \(i)")
            }
            let modeText = String(decoding: bytes[i..<space], as: UTF8.self)
            let name = String(decoding: bytes[(space + 1)..<nul], as: UTF8.self)
            let id = ObjectID(rawBytes: bytes[(nul + 1)..<(nul + 21)])
            let mode: TreeEntry.Mode = modeText == "40000" ? .tree : .blob
            entries.append(TreeEntry(mode: mode, name: name, id: id))
            i = nul + 21
        }
        return entries
    }

    /// The bytes of a leaf tree of blobs named by the 40-hex form of their keys, from pairs
    /// sorted by key (hex order is key order). Writes bytes directly: no strings, no sort.
    public static func encodeHexNamedBlobs<C: Collection>(_ pairs: C) -> [UInt8] where C.Element == (key: ObjectID, id: ObjectID) {
        let mode = Array("100644 ".utf8)
        let entrySize = mode.count + 40 + 1 + 20
        return [UInt8](unsafeUninitializedCapacity: pairs.count * entrySize) { buffer, count in
            var p = buffer.baseAddress!
            for pair in pairs {
                for c in mode { p.pointee = c; p += 1 }
                pair.key.appendHex(into: p)
                p += 40
                p.pointee = 0
                p += 1
                pair.id.storeBytes(into: UnsafeMutableRawPointer(p))
                p += 20
            }
            count = pairs.count * entrySize
        }
    }

    /// The entries of a tree whose names are 40 hex digits (a shard leaf), as (key, id) pairs in
    /// tree order; skips the strings `decode` makes. Entries with other names are skipped.
    public static func decodeHexNamed(_ bytes: [UInt8]) throws -> [(key: ObjectID, id: ObjectID)] {
        if let fixed = decodeFixedLeaf(bytes) { return fixed }
        var result: [(key: ObjectID, id: ObjectID)] = []
        result.reserveCapacity(bytes.count / 68)
        try bytes.withUnsafeBytes { b in
            var i = 0
            var raw = [UInt8](repeating: 0, count: 20)
            while i < b.count {
                guard let space = b[i...].firstIndex(of: UInt8(ascii: " ")), let nul = b[space...].firstIndex(of: 0),
                      nul + 21 <= b.count else {
                    throw GitError(operation: "decode tree", message: "malformed tree entry at byte \(i)")
                }
                defer { i = nul + 21 }
                guard nul - space - 1 == 40 else { continue }
                var ok = true
                for k in 0..<20 {
                    guard let hi = hexValue(b[space + 1 + 2 * k]), let lo = hexValue(b[space + 2 + 2 * k]) else { ok = false; break }
                    raw[k] = hi << 4 | lo
                }
                guard ok else { continue }
                let key = raw.withUnsafeBytes { ObjectID(bytes: $0.baseAddress!) }
                result.append((key, ObjectID(bytes: b.baseAddress! + nul + 1)))
            }
        }
        return result
    }

    /// Trail's own leaves: every entry exactly `100644 <40 hex>\0<20 bytes>` (68 bytes).
    private static func decodeFixedLeaf(_ bytes: [UInt8]) -> [(key: ObjectID, id: ObjectID)]? {
        guard bytes.count % 68 == 0 else { return nil }
        return bytes.withUnsafeBytes { b -> [(key: ObjectID, id: ObjectID)]? in
            var result: [(key: ObjectID, id: ObjectID)] = []
            result.reserveCapacity(bytes.count / 68)
            var raw: (UInt64, UInt64, UInt32) = (0, 0, 0)
            var at = 0
            while at < b.count {
                guard b[at] == 0x31, b[at + 6] == 0x20, b[at + 47] == 0 else { return nil }  // "1....6 " and NUL
                let ok = withUnsafeMutableBytes(of: &raw) { out -> Bool in
                    for k in 0..<20 {
                        let hi = hexTable[Int(b[at + 7 + 2 * k])], lo = hexTable[Int(b[at + 8 + 2 * k])]
                        if hi | lo > 15 { return false }
                        out[k] = hi << 4 | lo
                    }
                    return true
                }
                guard ok else { return nil }
                let key = withUnsafeBytes(of: &raw) { ObjectID(bytes: $0.baseAddress!) }
                result.append((key, ObjectID(bytes: b.baseAddress! + at + 48)))
                at += 68
            }
            return result
        }
    }

    private static func sortKey(_ e: TreeEntry) -> [UInt8] {
        var key = Array(e.name.utf8)
        if e.mode == .tree { key.append(UInt8(ascii: "/")) }
        return key
    }
}

/// Hex digit values by byte; 0xff for anything that is not a hex digit.
private let hexTable: [UInt8] = (0..<256).map { c in
    switch c {
    case 0x30...0x39: return UInt8(c - 0x30)
    case 0x61...0x66: return UInt8(c - 0x61 + 10)
    case 0x41...0x46: return UInt8(c - 0x41 + 10)
    default: return 0xff
    }
}
