import Dispatch
import Foundation
import Git

/// Keeps the lineage index in step with the git history: every commit reachable from a branch,
/// tag or model gets its rows, computed from git alone (the diff against its first parent).
public struct LineageUpdater {
    let store: Store

    public init(store: Store) { self.store = store }

    /// Indexes every commit the index lacks, oldest first, and refreshes the models table.
    /// Returns how many commits were added. Cheap when the index is up to date.
    @discardableResult
    public func catchUp() throws -> Int {
        try catchUp(into: try store.openIndex())
    }

    private func catchUp(into index: LineageIndex) throws -> Int {
        let repo = store.repository
        var tips: [(ref: String, commit: ObjectID)] = []
        for prefix in ["refs/heads/", "refs/tags/", Store.modelRefPrefix] {
            for ref in try repo.references(matching: prefix + "*") {
                if let commit = try? repo.resolveCommit(ref.name) { tips.append((ref.name, commit)) }
            }
        }
        var added = 0
        for tip in tips where try !index.contains(tip.commit) {
            for info in try CommitWalk.oldestFirst(from: tip.commit, in: repo, stopAt: { try index.contains($0) }) {
                try add(info, to: index)
                added += 1
            }
        }
        for tip in tips where tip.ref.hasPrefix("refs/heads/") { try index.markSynced(ref: tip.ref, commit: tip.commit) }
        try index.replaceModels(try Models(store: store).list())
        return added
    }

    /// `transform` applied to every item, in order, on every core (each worker with its own
    /// repository handle, as libgit2 handles are not shared between threads).
    static func parallelMap<T, R>(_ items: [T], repositoryPath: String,
                                  _ transform: (Repository, T) throws -> R) throws -> [R] {
        guard !items.isEmpty else { return [] }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, items.count / 512 + 1))
        var parts = [Result<[R], Error>](repeating: .success([]), count: workers)
        parts.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                base[w] = Result {
                    let repo = try Repository(openBare: repositoryPath)
                    let chunk = (items.count + workers - 1) / workers
                    return try items[min(w * chunk, items.count)..<min((w + 1) * chunk, items.count)].map { try transform(repo, $0) }
                }
            }
        }
        var all: [R] = []
        all.reserveCapacity(items.count)
        for part in parts { all += try part.get() }
        return all
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

    private func add(_ info: Repository.CommitInfo, to index: LineageIndex) throws {
        let repo = store.repository
        let snapshot = try Snapshot(repository: repo, commit: info.id)
        let parent = try info.parents.first.map { try Snapshot(repository: repo, commit: $0) }
        let entries = try TreeDiff.changes(from: parent, to: snapshot, repositoryPath: repo.path)
        let config = try snapshot.config()
        let oldConfig = try parent?.config() ?? config
        Trace.mark("index: \(entries.count) changes in \(info.id.abbreviated())")
        let rows = try Self.parallelMap(entries, repositoryPath: repo.path) { repo, entry -> ChangeRow in
            if entry.before == nil, let after = entry.after {
                return .added(record: try repo.read(after, as: .blob), id: after)
            }
            let before = try entry.before.map { try SampleRecord.decode(repo.read($0, as: .blob)) }
            let after = try entry.after.map { try SampleRecord.decode(repo.read($0, as: .blob)) }
            return .change(SampleChange.between(before, after, oldConfig: oldConfig, newConfig: config,
                                                recordBefore: entry.before, recordAfter: entry.after))
        }
        Trace.mark("index: records read")
        try index.insert(Self.row(info, samples: try snapshot.summary().samples), changes: rows, config: config)
    }

    static func row(_ info: Repository.CommitInfo, samples: Int) -> LineageIndex.CommitRow {
        .init(id: info.id, parent: info.parents.first, author: info.author.name, email: info.author.email,
              time: info.author.time, subject: String(info.message.split(separator: "\n").first ?? ""), samples: samples)
    }
}
