/// One entry of a git tree: a file (blob) or a folder (tree) with its name and id.
public struct TreeEntry: Equatable, Sendable {
    /// The entry's file mode: `.blob` (100644) or `.tree` (40000).
    public enum Mode: String, Sendable {
        case blob = "100644"
        case tree = "40000"
    }

    public var mode: Mode
    public var name: String
    public var id: ObjectID

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
        let sorted = entries.sorted { sortKey($0).lexicographicallyPrecedes(sortKey($1)) }
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

    private static func sortKey(_ e: TreeEntry) -> [UInt8] {
        var key = Array(e.name.utf8)
        if e.mode == .tree { key.append(UInt8(ascii: "/")) }
        return key
    }
}
