import Git
import GitFormat

// Reading a sharded tree: one lookup, one walk, one diff, and the one merge of two key-sorted
// lists that they and `update` share. Snapshots and the content ref are read only through these.
//
// What they read: the root's entries that are trees are its folders (the rest are root files
// such as `dataset.json`); every entry of a folder is a leaf (one that is not a tree cannot be
// read, and the read throws); a leaf's entries named by 40 hex digits are its keys, anything
// else in it is skipped (`trail verify` names such entries: only a tree edited outside Trail
// has them).
extension ShardedTree {
    /// A key whose value differs between two trees: its value before and after (nil where absent).
    struct Change {
        let key: ObjectID
        let before: ObjectID?
        let after: ObjectID?
    }

    // MARK: - One level

    /// The first-level folders among a root's entries.
    static func folders(_ rootEntries: [TreeEntry]) -> [TreeEntry] {
        rootEntries.filter { $0.mode == .tree }
    }

    /// The (key, value) entries of leaf `id` in tree order, which is key order in a tree Trail wrote.
    static func leafEntries(_ id: ObjectID, in repository: Repository) throws -> [(key: ObjectID, id: ObjectID)] {
        try TreeFormat.decodeHexNamed(repository.read(id, as: .tree))
    }

    /// The one merge of two lists sorted by key: `visit(old, new)` for each key of either, in key
    /// order, with the element each side holds for it (nil on the side that lacks it).
    static func merge<Old: Collection, New: Collection, Key: Comparable>(
        _ old: Old, _ new: New, by oldKey: (Old.Element) -> Key, _ newKey: (New.Element) -> Key,
        _ visit: (_ old: Old.Element?, _ new: New.Element?) throws -> Void) rethrows {
        var i = old.startIndex, j = new.startIndex
        while i < old.endIndex || j < new.endIndex {
            if j == new.endIndex || (i < old.endIndex && oldKey(old[i]) < newKey(new[j])) {
                try visit(old[i], nil)
                old.formIndex(after: &i)
            } else if i == old.endIndex || newKey(new[j]) < oldKey(old[i]) {
                try visit(nil, new[j])
                new.formIndex(after: &j)
            } else {
                try visit(old[i], new[j])
                old.formIndex(after: &i)
                new.formIndex(after: &j)
            }
        }
    }

    // MARK: - Lookup

    /// Folders and leaves already read, by id, for many lookups: unchanged subtrees keep their
    /// ids, so keys of one folder, or of one leaf in several commits, read it once.
    final class Cache {
        var folders: [ObjectID: [TreeEntry]] = [:]
        var leaves: [ObjectID: [(key: ObjectID, id: ObjectID)]] = [:]
    }

    /// The value of `key` in the tree whose root holds `rootEntries`, or nil: reads one folder
    /// and one leaf (or takes them from `cache`).
    static func lookup(_ key: ObjectID, rootEntries: [TreeEntry], repository: Repository, cache: Cache? = nil) throws -> ObjectID? {
        let folderName = hexByte(key.firstByte), leafName = hexByte(key.secondByte)
        guard let folder = rootEntries.first(where: { $0.name == folderName && $0.mode == .tree }) else { return nil }
        let leaves: [TreeEntry]
        if let hit = cache?.folders[folder.id] { leaves = hit } else {
            leaves = try repository.readTree(folder.id)
            cache?.folders[folder.id] = leaves
        }
        guard let leaf = leaves.first(where: { $0.name == leafName }) else { return nil }
        let entries: [(key: ObjectID, id: ObjectID)]
        if let hit = cache?.leaves[leaf.id] { entries = hit } else {
            entries = try leafEntries(leaf.id, in: repository)
            cache?.leaves[leaf.id] = entries
        }
        return entries.first { $0.key == key }?.id
    }

    // MARK: - Walk

    /// One leaf a walk reads.
    struct Leaf {
        /// `ab/cd`: its folder's name and its own.
        let path: String
        /// Its keys and their values, in tree order.
        let entries: [(key: ObjectID, id: ObjectID)]
        /// Its entries that are not named by a key, kept only by a walk `keepingOtherNames`.
        let others: [TreeEntry]
    }

    /// Every leaf of the first-level folder `folder` (an entry of a root), in tree order. With
    /// `keepingOtherNames`, each leaf is decoded in full, so that a reader that must refuse a
    /// tree edited outside Trail, rather than skip part of it, sees the entries keys do not name.
    static func walk(folder: TreeEntry, repository: Repository, keepingOtherNames: Bool = false, _ visit: (Leaf) throws -> Void) throws {
        for leaf in try repository.readTree(folder.id) {
            let path = folder.name + "/" + leaf.name
            guard keepingOtherNames else {
                try visit(Leaf(path: path, entries: try leafEntries(leaf.id, in: repository), others: []))
                continue
            }
            var entries: [(key: ObjectID, id: ObjectID)] = [], others: [TreeEntry] = []
            for entry in try repository.readTree(leaf.id) {
                // A key exactly when `leafEntries` would read one.
                if let key = ObjectID(hex: entry.name) { entries.append((key, entry.id)) } else { others.append(entry) }
            }
            try visit(Leaf(path: path, entries: entries, others: others))
        }
    }

    /// Every key of the tree at `root` and its value, in tree order, one folder after another.
    /// (`diff(from: nil, to: root, ...)` reads them on every core.)
    static func walk(_ root: ObjectID, repository: Repository, _ visit: (_ key: ObjectID, _ value: ObjectID) throws -> Void) throws {
        for folder in folders(try repository.readTree(root)) {
            try walk(folder: folder, repository: repository) { leaf in
                for entry in leaf.entries { try visit(entry.key, entry.id) }
            }
        }
    }

    // MARK: - Diff

    /// The keys whose values differ from the tree at `old` (nil: an empty tree) to the tree at
    /// `new`, sorted by key. Folders and leaves with the same id on both sides are skipped
    /// unread; the rest is compared first-level folder by folder on every core, each worker with
    /// its own handle on `repository`.
    static func diff(from old: ObjectID?, to new: ObjectID, in repository: Repository) throws -> [Change] {
        let oldFolders = try old.map { folders(try repository.readTree($0)) } ?? []
        let newFolders = folders(try repository.readTree(new)).map { (name: $0.name, id: $0.id, built: Mid?.none) }
        return try diff(oldFolders, newFolders, builtEntries: [], repositoryPath: repository.path)
    }

    /// `diff` from the tree whose root holds `oldRootEntries` to this tree as `build` made it from
    /// `entries` (the same sorted entries): its leaves come from memory rather than being read
    /// back, so they need not be written yet.
    func changes(from oldRootEntries: [TreeEntry], entries: [(key: ObjectID, value: ObjectID)], repositoryPath: String) throws -> [Change] {
        try Self.diff(Self.folders(oldRootEntries), mids.map { (name: $0.name, id: $0.id, built: $0) },
                      builtEntries: entries, repositoryPath: repositoryPath)
    }

    /// The diff of two trees' folders; a new folder with `built` set has its leaves' entries in `builtEntries`.
    private static func diff(_ old: [TreeEntry], _ new: [(name: String, id: ObjectID, built: Mid?)],
                             builtEntries: [(key: ObjectID, value: ObjectID)], repositoryPath: String) throws -> [Change] {
        var oldFolders: [String: ObjectID] = [:], newFolders: [String: (id: ObjectID, built: Mid?)] = [:]
        for folder in old { oldFolders[folder.name] = folder.id }
        for folder in new { newFolders[folder.name] = (folder.id, folder.built) }
        let names = Set(oldFolders.keys).union(newFolders.keys).filter { oldFolders[$0] != newFolders[$0]?.id }.sorted()
        let workers = Parallel.workerCount(items: names.count)
        var parts = try Parallel.perform(workers: workers, repositoryPath: repositoryPath) { w, repository in
            var found: [(folder: Int, changes: [Change])] = []
            for k in stride(from: w, to: names.count, by: workers) {
                var changes: [Change] = []
                let oldLeaves = try oldFolders[names[k]].map { try byName(repository.readTree($0).map { FolderLeaf(name: $0.name, id: $0.id) }) } ?? []
                var newLeaves: [FolderLeaf] = []
                if let new = newFolders[names[k]] {
                    newLeaves = try new.built.map { $0.leaves.map { FolderLeaf(name: $0.name, id: $0.id, entries: $0.entries) } }
                        ?? byName(repository.readTree(new.id).map { FolderLeaf(name: $0.name, id: $0.id) })
                }
                try merge(oldLeaves, newLeaves, by: \.name, \.name) { before, after in
                    if before?.id == after?.id { return }
                    let a = try before.map { try leafEntries($0.id, in: repository) } ?? []
                    let b = try after.map { leaf in try leaf.entries.map { builtEntries[$0].lazy.map { (key: $0.key, id: $0.value) } }.map(Array.init)
                                                       ?? leafEntries(leaf.id, in: repository) } ?? []
                    merge(a, b, by: { $0.key }, { $0.key }) { old, new in
                        if old?.id != new?.id { changes.append(Change(key: old?.key ?? new!.key, before: old?.id, after: new?.id)) }
                    }
                }
                found.append((k, changes))
            }
            return found
        }
        var byFolder = [[Change]](repeating: [], count: names.count)
        for part in parts { for (k, changes) in part { byFolder[k] = changes } }
        parts = []
        // Moved folder by folder, each freed once copied: a first commit of ten million samples
        // has 720 MB of changes, which a copy of the whole would double.
        var all: [Change] = []
        all.reserveCapacity(byFolder.reduce(0) { $0 + $1.count })
        for k in byFolder.indices {
            all += byFolder[k]
            byFolder[k] = []
        }
        // In key order already, unless a tree edited outside Trail holds a key in another's folder.
        if zip(all, all.dropFirst()).contains(where: { $1.key < $0.key }) { all.sort { $0.key < $1.key } }
        return all
    }

    /// A leaf as a diff lists it: its name and id, and for a leaf `build` made, its entries' range.
    private struct FolderLeaf {
        let name: String
        let id: ObjectID
        var entries: Range<Int>? = nil
    }

    /// `leaves` in ascending name order, as a git tree lists them; one edited outside Trail may
    /// list them out of order or a name twice (the last counts, as with a dictionary).
    private static func byName(_ leaves: [FolderLeaf]) -> [FolderLeaf] {
        if !zip(leaves, leaves.dropFirst()).contains(where: { !($0.name < $1.name) }) { return leaves }
        var last: [String: FolderLeaf] = [:]
        for leaf in leaves { last[leaf.name] = leaf }
        return last.values.sorted { $0.name < $1.name }
    }
}
