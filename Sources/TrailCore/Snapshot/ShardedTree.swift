import Git

/// A two-level sharded git tree mapping 20-byte keys to blobs: `ab/cd/<40 hex key>`.
///
/// Snapshots (key: SHA-1 of the sample id, value: record blob) and the content ref (key and
/// value: the content blob's id) both use it. Sharding keeps every tree small, so a change
/// rewrites only the leaf trees it touches and the few trees above them; untouched subtrees
/// keep their ids, which is what lets a diff skip them.
struct ShardedTree {
    /// The new tree objects to write, deepest first, the root last.
    var newTrees: [PendingObject] = []
    var root: ObjectID = .zero

    /// One first-level folder of a built tree: its id and its leaf folders' ids and entry ranges.
    struct Mid {
        let name: String
        let id: ObjectID
        let leaves: [(name: String, id: ObjectID, entries: Range<Int>)]
    }
    /// The folders of a tree made by `build`, in order.
    var mids: [Mid] = []

    /// Builds the whole tree from entries sorted by key (no duplicates), plus extra root files.
    static func build(sorted entries: [(key: ObjectID, value: ObjectID)], rootFiles: [TreeEntry]) -> ShardedTree {
        var result = ShardedTree()
        result.newTrees.reserveCapacity(entries.count / 8 + 300)
        var rootEntries = rootFiles
        var i = 0
        while i < entries.count {
            let b0 = entries[i].key.firstByte
            var midEntries: [TreeEntry] = []
            var leaves: [(name: String, id: ObjectID, entries: Range<Int>)] = []
            while i < entries.count && entries[i].key.firstByte == b0 {
                let b1 = entries[i].key.secondByte
                let start = i
                var leaf: [TreeEntry] = []
                while i < entries.count && entries[i].key.firstByte == b0 && entries[i].key.secondByte == b1 {
                    leaf.append(TreeEntry(mode: .blob, name: entries[i].key.hex, id: entries[i].value))
                    i += 1
                }
                let leafID = result.add(leaf)
                leaves.append((hexByte(b1), leafID, start..<i))
                midEntries.append(TreeEntry(mode: .tree, name: hexByte(b1), id: leafID))
            }
            let midID = result.add(midEntries)
            result.mids.append(Mid(name: hexByte(b0), id: midID, leaves: leaves))
            rootEntries.append(TreeEntry(mode: .tree, name: hexByte(b0), id: midID))
        }
        result.root = result.add(rootEntries)
        return result
    }

    /// Applies `changes` (key → new value, or nil to remove) to the tree at `oldRoot` (nil: empty),
    /// reading only the subtrees the changes touch. The root is left to `finish(rootFiles:)`, so
    /// that root files can depend on what the keys held before (`previous`).
    static func update(_ repo: Repository, oldRoot: ObjectID?, changes: [ObjectID: ObjectID?])
        throws -> (tree: ShardedTree, previous: [ObjectID: ObjectID]) {
        var result = ShardedTree()
        var previous: [ObjectID: ObjectID] = [:]
        let oldRootEntries = try oldRoot.map { try repo.readTree($0) } ?? []
        var rootDirs: [String: ObjectID] = [:]
        for entry in oldRootEntries where entry.mode == .tree { rootDirs[entry.name] = entry.id }

        let byFirst = Dictionary(grouping: changes.keys) { $0.firstByte }
        for (b0, keys) in byFirst {
            let midName = hexByte(b0)
            var mid: [String: ObjectID] = [:]
            if let old = rootDirs[midName] { for e in try repo.readTree(old) { mid[e.name] = e.id } }
            for (b1, leafKeys) in Dictionary(grouping: keys, by: { $0.secondByte }) {
                let leafName = hexByte(b1)
                var leaf: [String: ObjectID] = [:]
                if let old = mid[leafName] { for e in try repo.readTree(old) { leaf[e.name] = e.id } }
                for key in leafKeys {
                    let name = key.hex
                    if let old = leaf[name] { previous[key] = old }
                    leaf[name] = changes[key]!
                }
                mid[leafName] = leaf.isEmpty ? nil
                    : result.add(leaf.map { TreeEntry(mode: .blob, name: $0.key, id: $0.value) })
            }
            rootDirs[midName] = mid.isEmpty ? nil
                : result.add(mid.map { TreeEntry(mode: .tree, name: $0.key, id: $0.value) })
        }
        result.pendingRootDirs = rootDirs.map { TreeEntry(mode: .tree, name: $0.key, id: $0.value) }
        return (result, previous)
    }

    /// The root's folders after `update`, before `finish(rootFiles:)` writes the root.
    private var pendingRootDirs: [TreeEntry] = []

    /// Writes the root of an updated tree: its folders plus `rootFiles`.
    mutating func finish(rootFiles: [TreeEntry]) {
        root = add(rootFiles + pendingRootDirs)
    }

    private mutating func add(_ entries: [TreeEntry]) -> ObjectID {
        let object = PendingObject(type: .tree, data: TreeFormat.encode(entries))
        newTrees.append(object)
        return object.id
    }
}

/// Two lowercase hex digits.
func hexByte(_ b: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(b >> 4)], digits[Int(b & 0xf)]])
}
