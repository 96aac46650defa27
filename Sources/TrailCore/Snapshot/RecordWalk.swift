import Git
import GitFormat

/// Reads every distinct record of a set of commits, on every core: unchanged subtrees (the
/// same leaf tree id in several commits) and repeated records are read once. For `trail verify`
/// and for erasure's search of samples that share content. It reads trees entry by entry rather
/// than through `ShardedTree`'s readers, which skip what is not where Trail puts things: with
/// `checkLayout`, that is what it reports.
enum RecordWalk {
    /// `body(recordID, key, commit, bytes)` for each distinct record at each place it is stored
    /// (normally one: the key is the SHA-1 of the id the record holds), its non-nil results in
    /// the order of the places, and how many such records there were; `key` is the entry name
    /// the record is stored under, and `commit` one commit that holds it. Trees and records that cannot be read
    /// are named in `problems`. With `checkLayout`, so are tree entries that are not where a
    /// snapshot puts things (`dataset.json`, `summary.json`, `ab/cd/<40 hex starting abcd>`),
    /// and such entries are not read as records.
    /// With `base` commits, the subtrees those commits hold (by id, in the same folder) are
    /// skipped: what a fetch brings is checked, not what the store held already.
    static func run<R>(commits: [ObjectID], repository repo: Repository, problems: inout [String], checkLayout: Bool = false,
                       skippingTreesOf base: [ObjectID] = [],
                       _ body: @escaping (ObjectID, ObjectID, ObjectID, [UInt8]) -> R?) throws -> (records: [R], count: Int) {
        var leaves: [(id: ObjectID, folder: String, commit: ObjectID)] = []
        // Folder trees by id and place: the same tree moved to another folder holds other keys.
        var seenTrees = Set<Place>()
        var baseMids: [String: [ObjectID]] = [:]
        for commit in base {
            guard let tree = try? repo.commit(commit).tree, let root = try? repo.readTree(tree) else { continue }
            for mid in ShardedTree.folders(root) {
                seenTrees.insert(Place(id: mid.id, folder: mid.name))
                baseMids[mid.name, default: []].append(mid.id)
            }
        }
        // A base leaf is known only in its own place: moved elsewhere it is checked again.
        var baseLeaves: [String: Set<Place>] = [:]
        func knownLeaves(_ folder: String) -> Set<Place> {
            if let cached = baseLeaves[folder] { return cached }
            var places = Set<Place>()
            for mid in baseMids[folder] ?? [] {
                for leaf in (try? repo.readTree(mid)) ?? [] { places.insert(Place(id: leaf.id, folder: folder + leaf.name)) }
            }
            baseLeaves[folder] = places
            return places
        }
        var seenLeaves = Set<Place>()
        var reported = Set<String>()
        func misplaced(_ path: String, _ id: ObjectID, _ commit: ObjectID) {
            guard reported.insert(path + "\0" + id.hex).inserted else { return }
            problems.append(notAKey(path, commit))
        }
        for commit in commits {
            guard let tree = try? repo.commit(commit).tree, let root = try? repo.readTree(tree) else {
                problems.append("commit \(commit.abbreviated()) or its tree cannot be read")
                continue
            }
            for mid in root {
                if checkLayout {
                    let rootFile = mid.mode == .blob && (mid.name == Snapshot.configFile || mid.name == Snapshot.summaryFile)
                    if !rootFile && !(mid.mode == .tree && isHexName(mid.name, count: 2)) { misplaced(mid.name, mid.id, commit) }
                    guard mid.mode == .tree && isHexName(mid.name, count: 2) else { continue }
                }
                guard mid.mode == .tree && seenTrees.insert(Place(id: mid.id, folder: mid.name)).inserted else { continue }
                guard let entries = try? repo.readTree(mid.id) else {
                    problems.append("tree \(mid.id.hex) (folder \(mid.name) of commit \(commit.abbreviated())) is missing or damaged")
                    continue
                }
                let known = baseMids[mid.name] == nil ? [] : knownLeaves(mid.name)
                for leaf in entries where !known.contains(Place(id: leaf.id, folder: mid.name + leaf.name)) {
                    if checkLayout && !(leaf.mode == .tree && isHexName(leaf.name, count: 2)) {
                        misplaced(mid.name + "/" + leaf.name, leaf.id, commit)
                        continue
                    }
                    // By place too: two folders may hold the same one-entry leaf, and only one can be right.
                    if seenLeaves.insert(Place(id: leaf.id, folder: mid.name + leaf.name)).inserted { leaves.append((leaf.id, mid.name + leaf.name, commit)) }
                }
            }
        }
        // Place by place (a leaf's folder, with its versions in every commit read together, so
        // that a record they share is read once: most records are in every commit), each worker
        // a contiguous run of places, in order. Records are read as they were written, a leaf
        // at a time, and nothing is held per record but the results: sorting ten million
        // (record, key) entries by record id first took a gigabyte, and then read the pack in
        // random order. A record stored at two places (a tree edited by hand) is read at each.
        var byPlace: [String: Int] = [:]
        var places: [[Int]] = []
        for k in leaves.indices {
            if let p = byPlace[leaves[k].folder] { places[p].append(k) } else {
                byPlace[leaves[k].folder] = places.count
                places.append([k])
            }
        }
        byPlace = [:]
        let workers = Parallel.workerCount(items: places.count, minimumPerWorker: 64)
        let span = (places.count + workers - 1) / max(workers, 1)
        var parts = try Parallel.perform(workers: workers, repositoryPath: repo.path) { w, reader -> ([R], [String], Int) in
            var results: [R] = [], bad: [String] = [], count = 0
            var versions: [Entry] = []
            for p in min(w * span, places.count)..<min((w + 1) * span, places.count) {
                versions.removeAll(keepingCapacity: true)
                for k in places[p] {
                    let leaf = leaves[k]
                    let entries = checkLayout ? (try? reader.read(leaf.id, as: .tree)).flatMap { try? checkedLeaf($0, leaf.folder, leaf.commit, &bad) }
                                              : (try? ShardedTree.leafEntries(leaf.id, in: reader))
                    guard let entries else {
                        bad.append("tree \(leaf.id.hex) is missing or damaged")
                        continue
                    }
                    for entry in entries { versions.append(Entry(id: entry.id, key: entry.key, leaf: UInt32(k))) }
                }
                // Key order, as the leaf holds them (and as they sit in the pack); a record
                // every version shares once.
                if places[p].count > 1 { versions.sort { ($0.key, $0.id, $0.leaf) < ($1.key, $1.id, $1.leaf) } }
                for (n, entry) in versions.enumerated() where n == 0 || entry.id != versions[n - 1].id || entry.key != versions[n - 1].key {
                    count += 1
                    guard let bytes = try? reader.read(entry.id, as: .blob) else {
                        bad.append("record \(entry.id.hex) is missing or damaged")
                        continue
                    }
                    if let result = body(entry.id, entry.key, leaves[Int(entry.leaf)].commit, bytes) { results.append(result) }
                }
            }
            return (results, bad, count)
        }
        // Moved part by part, each freed once copied (the results of ten million records are large).
        var results: [R] = []
        results.reserveCapacity(parts.reduce(0) { $0 + $1.0.count })
        var records = 0
        for k in parts.indices {
            results += parts[k].0
            problems += parts[k].1.filter { reported.insert($0).inserted }
            records += parts[k].2
            parts[k] = ([], [], 0)
        }
        return (results, records)
    }

    /// One leaf entry: a record, the key it is stored under, and the leaf's number in the walk.
    private struct Entry {
        let id: ObjectID
        let key: ObjectID
        let leaf: UInt32
    }

    private struct Place: Hashable {
        let id: ObjectID
        let folder: String
    }

    /// The entries of leaf tree `bytes` in folder `ab/cd` (`folder` is "abcd") that are sample
    /// keys of that folder; the others are named in `problems`.
    private static func checkedLeaf(_ bytes: [UInt8], _ folder: String, _ commit: ObjectID,
                                    _ problems: inout [String]) throws -> [(key: ObjectID, id: ObjectID)] {
        var pairs: [(key: ObjectID, id: ObjectID)] = []
        for entry in try TreeFormat.decode(bytes) {
            if entry.mode == .blob, isHexName(entry.name, count: 40), entry.name.hasPrefix(folder), let key = ObjectID(hex: entry.name) {
                pairs.append((key, entry.id))
            } else {
                let path = "\(folder.prefix(2))/\(folder.dropFirst(2))/\(entry.name)"
                problems.append(notAKey(path, commit))
            }
        }
        return pairs
    }

    private static func notAKey(_ path: String, _ commit: ObjectID) -> String {
        "tree entry '\(path)' of commit \(commit.abbreviated()) is not a sample key (records live at ab/cd/<the SHA-1 of their id>), so Trail never reads it; the tree was written outside Trail: restore the history from a clone or a backup"
    }

    /// True when `name` is `count` lowercase hex digits (how Trail names shard folders and keys).
    private static func isHexName(_ name: String, count: Int) -> Bool {
        name.utf8.count == count && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
