import Dispatch
import Foundation
import Git
import GitFormat

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

    /// Builds the whole tree from entries sorted by key (no duplicates), plus extra root files;
    /// every tree object is kept in `newTrees`.
    static func build(sorted entries: [(key: ObjectID, value: ObjectID)], rootFiles: [TreeEntry]) -> ShardedTree {
        var trees: [PendingObject] = []
        trees.reserveCapacity(entries.count / 8 + 300)
        var tree = build(sorted: entries, rootFiles: rootFiles) { trees += $0 }
        tree.newTrees = trees
        return tree
    }

    /// Builds the whole tree as `build(sorted:rootFiles:)` does, handing `emit` the tree objects
    /// a first-level folder at a time (deepest first, the root last) instead of keeping them:
    /// ten million entries make 1.3 GB of trees that need not all be held at once.
    static func build(sorted entries: [(key: ObjectID, value: ObjectID)], rootFiles: [TreeEntry],
                      emit: ([PendingObject]) throws -> Void) rethrows -> ShardedTree {
        var result = ShardedTree()
        var rootEntries = rootFiles
        var i = 0
        while i < entries.count {
            let b0 = entries[i].key.firstByte
            var midEntries: [TreeEntry] = []
            var leaves: [(name: String, id: ObjectID, entries: Range<Int>)] = []
            while i < entries.count && entries[i].key.firstByte == b0 {
                let b1 = entries[i].key.secondByte
                let start = i
                while i < entries.count && entries[i].key.firstByte == b0 && entries[i].key.secondByte == b1 { i += 1 }
                let leafID = result.addLeaf(entries[start..<i].lazy.map { (key: $0.key, id: $0.value) })
                leaves.append((hexByte(b1), leafID, start..<i))
                midEntries.append(TreeEntry(mode: .tree, name: hexByte(b1), id: leafID))
            }
            let midID = result.add(midEntries)
            result.mids.append(Mid(name: hexByte(b0), id: midID, leaves: leaves))
            rootEntries.append(TreeEntry(mode: .tree, name: hexByte(b0), id: midID))
            try emit(result.newTrees)
            result.newTrees.removeAll(keepingCapacity: true)
        }
        result.root = result.add(rootEntries)
        try emit(result.newTrees)
        result.newTrees = []
        return result
    }

    /// Applies `changes` (key → new value, or nil to remove) to the tree at `oldRoot` (nil: empty),
    /// reading only the subtrees the changes touch, first-level folders on every core. The root
    /// is left to `finish(rootFiles:)`, so that root files can depend on what the keys held
    /// before (`previous`).
    ///
    /// With `emit`, the new trees below the root are handed to it a few first-level folders at a
    /// time instead of being kept in `newTrees` (a change touching every leaf rewrites them all).
    static func update(_ repo: Repository, oldRoot: ObjectID?, changes: [ObjectID: ObjectID?],
                       emit: (([PendingObject]) throws -> Void)? = nil)
        throws -> (tree: ShardedTree, previous: [ObjectID: ObjectID]) {
        var rootDirs: [String: ObjectID] = [:]
        for folder in folders(try oldRoot.map { try repo.readTree($0) } ?? []) { rootDirs[folder.name] = folder.id }

        // Changes sorted by key, cut into runs that share a first byte.
        let sorted = changes.map { (key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
        var groups: [Range<Int>] = []
        var start = 0
        for k in stride(from: 1, through: sorted.count, by: 1)
        where k == sorted.count || sorted[k].key.firstByte != sorted[start].key.firstByte {
            groups.append(start..<k)
            start = k
        }
        struct MidResult {
            var trees: [PendingObject] = []
            var id: ObjectID?
            var previous: [(ObjectID, ObjectID)] = []
        }
        let oldDirs = rootDirs
        /// The new trees of first-level folder `g` (its leaves, then itself; no id when emptied).
        func updateFolder(_ g: Int, reader: Repository) throws -> MidResult {
            var mid = MidResult()
            let run = sorted[groups[g]]
            var midEntries: [String: ObjectID] = [:]
            if let old = oldDirs[hexByte(run.first!.key.firstByte)] {
                for e in try reader.readTree(old) { midEntries[e.name] = e.id }
            }
            var i = run.startIndex
            while i < run.endIndex {
                let b1 = run[i].key.secondByte
                var j = i
                while j < run.endIndex && run[j].key.secondByte == b1 { j += 1 }
                let leafName = hexByte(b1)
                let old = try midEntries[leafName].map { try leafEntries($0, in: reader) } ?? []
                var merged: [(key: ObjectID, id: ObjectID)] = []
                merged.reserveCapacity(old.count + j - i)
                merge(old, run[i..<j], by: { $0.key }, { $0.key }) { old, change in
                    guard let change else { merged.append(old!); return }
                    if let old { mid.previous.append((change.key, old.id)) }
                    if let value = change.value { merged.append((change.key, value)) }
                }
                if merged.isEmpty {
                    midEntries[leafName] = nil
                } else {
                    let leaf = PendingObject(type: .tree, data: TreeFormat.encodeHexNamedBlobs(merged))
                    mid.trees.append(leaf)
                    midEntries[leafName] = leaf.id
                }
                i = j
            }
            if !midEntries.isEmpty {
                let object = PendingObject(type: .tree, data: TreeFormat.encode(midEntries.map { TreeEntry(mode: .tree, name: $0.key, id: $0.value) }))
                mid.trees.append(object)
                mid.id = object.id
            }
            return mid
        }

        var result = ShardedTree()
        var previous: [ObjectID: ObjectID] = [:]
        // Folders a batch at a time, each batch on every core; all in one batch without `emit`.
        let batchSize = emit == nil ? max(groups.count, 1) : 32
        for first in stride(from: 0, to: groups.count, by: batchSize) {
            let batch = Array(first..<min(first + batchSize, groups.count))
            let workers = Parallel.workerCount(items: batch.count)
            let parts = try Parallel.perform(workers: workers, repositoryPath: repo.path) { w, reader in
                try stride(from: w, to: batch.count, by: workers).map { k in (batch[k], try updateFolder(batch[k], reader: reader)) }
            }
            var trees: [PendingObject] = []
            for part in parts {
                for (g, mid) in part {
                    trees.append(contentsOf: mid.trees)
                    for (key, old) in mid.previous { previous[key] = old }
                    rootDirs[hexByte(sorted[groups[g].startIndex].key.firstByte)] = mid.id
                }
            }
            if let emit { try emit(trees) } else { result.newTrees.append(contentsOf: trees) }
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

    private mutating func addLeaf<C: Collection>(_ pairs: C) -> ObjectID where C.Element == (key: ObjectID, id: ObjectID) {
        let object = PendingObject(type: .tree, data: TreeFormat.encodeHexNamedBlobs(pairs))
        newTrees.append(object)
        return object.id
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

extension Array where Element: Comparable {
    /// True when the elements are in ascending order (as `ShardedTree.build` needs its keys).
    func isSorted() -> Bool {
        var i = 1
        while i < count { if self[i] < self[i - 1] { return false }; i += 1 }
        return true
    }
}
