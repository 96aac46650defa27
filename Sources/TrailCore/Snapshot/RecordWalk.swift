import Git

/// Reads every distinct record of a set of commits, on every core: unchanged subtrees (the
/// same leaf tree id in several commits) and repeated records are read once. For `trail verify`
/// and for erasure's search of samples that share content.
enum RecordWalk {
    /// `body(recordID, bytes)` for each distinct record (its non-nil results, in no set order),
    /// and how many distinct records there were. Trees and records that cannot be read are
    /// named in `problems`.
    static func run<R>(commits: [ObjectID], repository repo: Repository, problems: inout [String],
                       _ body: @escaping (ObjectID, [UInt8]) -> R?) throws -> (records: [R], count: Int) {
        var leaves: [ObjectID] = []
        var seenTrees = Set<ObjectID>()
        for commit in commits {
            guard let tree = try? repo.commit(commit).tree, let root = try? repo.readTree(tree) else {
                problems.append("commit \(commit.abbreviated()) or its tree cannot be read")
                continue
            }
            for mid in root where mid.mode == .tree && seenTrees.insert(mid.id).inserted {
                guard let entries = try? repo.readTree(mid.id) else {
                    problems.append("tree \(mid.id.hex) (folder \(mid.name) of commit \(commit.abbreviated())) is missing or damaged")
                    continue
                }
                for leaf in entries where seenTrees.insert(leaf.id).inserted { leaves.append(leaf.id) }
            }
        }
        // Pass 1: the record ids of every distinct leaf.
        let workers = Parallel.workerCount(items: leaves.count, minimumPerWorker: 64)
        let leafParts = try Parallel.perform(workers: workers, repositoryPath: repo.path) { w, reader -> ([ObjectID], [String]) in
            var ids: [ObjectID] = [], bad: [String] = []
            for k in stride(from: w, to: leaves.count, by: workers) {
                guard let bytes = try? reader.read(leaves[k], as: .tree), let entries = try? TreeFormat.decodeHexNamed(bytes) else {
                    bad.append("tree \(leaves[k].hex) is missing or damaged")
                    continue
                }
                ids += entries.map(\.id)
            }
            return (ids, bad)
        }
        var distinct = Set<ObjectID>()
        for part in leafParts { distinct.formUnion(part.0); problems += part.1 }
        // Pass 2: each record once.
        let all = Array(distinct)
        let recordWorkers = Parallel.workerCount(items: all.count, minimumPerWorker: 512)
        let chunk = (all.count + recordWorkers - 1) / max(recordWorkers, 1)
        let parts = try Parallel.perform(workers: recordWorkers, repositoryPath: repo.path) { w, reader -> ([R], [String]) in
            var results: [R] = [], bad: [String] = []
            for id in all[min(w * chunk, all.count)..<min((w + 1) * chunk, all.count)] {
                guard let bytes = try? reader.read(id, as: .blob) else {
                    bad.append("record \(id.hex) is missing or damaged")
                    continue
                }
                if let r = body(id, bytes) { results.append(r) }
            }
            return (results, bad)
        }
        var results: [R] = []
        for part in parts { results += part.0; problems += part.1 }
        return (results, all.count)
    }
}
