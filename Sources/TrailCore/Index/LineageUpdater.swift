import Foundation
import Git
import GitFormat

/// Keeps the lineage index in step with the git history: every commit reachable from a branch,
/// tag or model gets its rows, computed from git alone (the diff against its first parent).
public struct LineageUpdater {
    let store: Store

    /// An updater for the index of `store`.
    public init(store: Store) { self.store = store }

    /// Indexes every commit the index lacks, oldest first, and refreshes the models table.
    /// Returns how many commits were added. Cheap when the index is up to date.
    @discardableResult
    public func catchUp() throws -> Int {
        try catchUp(into: try store.openIndex())
    }

    private func catchUp(into index: LineageIndex) throws -> Int {
        let repo = store.repository
        let tips = try store.historyRefs(includingFetched: false)
        var added = 0
        for tip in tips where try !index.contains(tip.commit) {
            for info in try CommitWalk.oldestFirst(from: tip.commit, in: repo, stopAt: { try index.contains($0) }) {
                try add(info, to: index)
                added += 1
            }
        }
        // Commits no ref reaches any more (a deleted branch, a reset with git) leave the index.
        var reachable = Set<ObjectID>()
        for tip in tips where !reachable.contains(tip.commit) {
            for info in try CommitWalk.oldestFirst(from: tip.commit, in: repo, stopAt: { reachable.contains($0) }) { reachable.insert(info.id) }
        }
        let stale = try index.commitIDs().subtracting(reachable)
        if !stale.isEmpty { try index.removeCommits(stale) }
        for tip in tips where tip.kind == .branch { try index.markSynced(ref: tip.name, commit: tip.commit) }
        try index.replaceModels(try Models(store: store).list())
        let erasures = try ErasureLog.read(repo)
        if let tip = erasures.tip, try index.syncedCommit(ref: ErasureLog.ref) != tip {
            try index.replaceErasures(erasures)
            try index.markSynced(ref: ErasureLog.ref, commit: tip)
        }
        return added
    }

    /// Refreshes the `models` table (after a registration).
    func refreshModels() throws {
        try store.openIndex().replaceModels(try Models(store: store).list())
    }

    /// Empties the index and rebuilds it from the git objects alone.
    @discardableResult
    public func rebuild() throws -> Int {
        var added = 0
        try LineageIndex.build(replacing: store.indexPath) { added = try catchUp(into: $0) }
        return added
    }

    /// Builds a separate index of the whole history at `path` (for `trail verify`), leaving the
    /// store's own index alone.
    func buildCopy(at path: String) throws {
        _ = try catchUp(into: LineageIndex(path: path, mode: .bulkLoad))
    }

    /// Brings the index at `path` (a copy of the store's, for `trail verify`) up to date.
    func catchUpCopy(at path: String) throws {
        _ = try catchUp(into: LineageIndex(path: path))
    }

    private func add(_ info: Repository.CommitInfo, to index: LineageIndex) throws {
        let repo = store.repository
        let snapshot = try Snapshot(repository: repo, commit: info.id)
        if info.parents.isEmpty { return try addRoot(info, snapshot: snapshot, to: index) }
        let parent = try info.parents.first.map { try Snapshot(repository: repo, commit: $0) }
        var entries = try ShardedTree.diff(from: parent?.tree, to: snapshot.tree, in: repo)
        // A merge's changes that it took from another parent were indexed with that parent's
        // commits: counting them again would double every relabel a merge brings in.
        if info.parents.count > 1 {
            let others = try info.parents.dropFirst().map { try Snapshot(repository: repo, commit: $0) }
            entries = try entries.filter { entry in
                try !others.contains { try $0.recordID(forKey: entry.key) == entry.after }
            }
        }
        let config = try snapshot.config()
        let oldConfig = try parent?.config() ?? config
        Trace.mark("index: \(entries.count) changes in \(info.id.abbreviated())")
        let progress = ProgressReport.isActive && entries.count >= 10_000
            ? ProgressCounter("Indexing \(info.id.abbreviated())", total: entries.count, unit: "changes") : nil
        // Added records are decoded only as their rows go in: both steps name a damaged record.
        let names = (old: FieldNames(oldConfig), new: FieldNames(config))
        try StoredRecordError.locating(entries, from: parent.map { ($0.commit, oldConfig) }, to: (info.id, config), repository: repo) {
            // In batches, read on every core while memory holds one batch's records.
            var done = 0
            try index.insert(Self.row(info, samples: try snapshot.summary().samples), changeCount: entries.count, config: config) {
                guard done < entries.count else { return nil }
                let batch = entries[done..<min(done + Self.batchSize, entries.count)]
                done += batch.count
                return try Parallel.map(Array(batch), repositoryPath: repo.path) { repo, entry in
                    progress?.add(1)
                    return try ChangeRow.of(before: entry.before.map { ($0, try repo.read($0, as: .blob)) },
                                            after: entry.after.map { ($0, try repo.read($0, as: .blob)) },
                                            oldConfig: oldConfig, newConfig: config, names: names)
                }
            }
            Trace.mark("index: records read and rows inserted")
        }
    }

    /// A root commit: every key it holds is an added sample. Its changes are read a folder at a
    /// time as the rows go in, never listed whole (720 MB at ten million samples, which a diff
    /// from the empty tree would hold).
    private func addRoot(_ info: Repository.CommitInfo, snapshot: Snapshot, to index: LineageIndex) throws {
        let repo = store.repository
        let config = try snapshot.config()
        let samples = try snapshot.summary().samples
        Trace.mark("index: \(samples) samples in root commit \(info.id.abbreviated())")
        let progress = ProgressReport.isActive && samples >= 10_000
            ? ProgressCounter("Indexing \(info.id.abbreviated())", total: samples, unit: "changes") : nil
        let names = (old: FieldNames(config), new: FieldNames(config))
        let folders = ShardedTree.folders(snapshot.rootEntries)
        var next = 0
        try index.insert(Self.row(info, samples: samples), changeCount: samples, config: config) {
            var batch: [ShardedTree.Change] = []
            while batch.count < Self.batchSize && next < folders.count {
                try ShardedTree.walk(folder: folders[next], repository: repo) { leaf in
                    for entry in leaf.entries { batch.append(ShardedTree.Change(key: entry.key, before: nil, after: entry.id)) }
                }
                next += 1
            }
            guard !batch.isEmpty else { return nil }
            // Added records are decoded only as their rows go in: a damaged one is named with its key.
            return try StoredRecordError.locating(batch, from: nil, to: (info.id, config), repository: repo) {
                try Parallel.map(batch, repositoryPath: repo.path) { repo, entry in
                    progress?.add(1)
                    return try ChangeRow.of(before: nil, after: entry.after.map { ($0, try repo.read($0, as: .blob)) },
                                            oldConfig: config, newConfig: config, names: names)
                }
            }
        }
        Trace.mark("index: records read and rows inserted")
    }

    /// Changes read and inserted at a time when indexing one commit.
    static let batchSize = 100_000

    static func row(_ info: Repository.CommitInfo, samples: Int) -> LineageIndex.CommitRow {
        .init(id: info.id, parent: info.parents.first, author: info.author.name, email: info.author.email,
              time: info.author.time, subject: String(info.message.split(separator: "\n").first ?? ""), samples: samples)
    }
}
