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
        let index = try store.openIndex()
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

    /// The most sample changes a commit indexes as it lands. Above it (a first import of a
    /// million samples) the rows cost more than the commit itself (about 8 s per million, most of
    /// it SQLite), so they are left to `trail reindex`; see docs/index-schema.md.
    static let inlineLimit = 200_000

    /// Indexes a commit just made, from the committer's own knowledge of what changed (new
    /// records in memory, old ones by id), so it never reads its records back. Only when the
    /// parent is indexed (or there is none) and the change is at most `inlineLimit` samples.
    func record(commit: ObjectID, samples: Int, changes: [(before: ObjectID?, after: BuiltSample?)], config: DatasetConfig) throws {
        guard changes.count <= LineageUpdater.inlineLimit else { return }
        let info = try store.repository.commit(commit)
        let parent = info.parents.first
        let index = try store.openIndex()
        guard try parent.map({ try index.contains($0) }) ?? true else { return }
        let path = store.repository.path
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, changes.count / 1024 + 1))
        var parts = [Result<[SampleChange], Error>](repeating: .success([]), count: workers)
        parts.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                base[w] = Result {
                    let repo = try Repository(openBare: path)
                    let chunk = (changes.count + workers - 1) / workers
                    var result: [SampleChange] = []
                    for change in changes[min(w * chunk, changes.count)..<min((w + 1) * chunk, changes.count)] {
                        if change.before == nil, let after = change.after,
                           let fast = SampleChange.added(recordBytes: after.record.data, recordID: after.record.id, config: config) {
                            result.append(fast)
                            continue
                        }
                        let before = try change.before.map { try SampleRecord.decode(repo.read($0, as: .blob)) }
                        let after = try change.after.map { try SampleRecord.decode($0.record.data) }
                        result.append(SampleChange.between(before, after, oldConfig: config, newConfig: config,
                                                           recordBefore: change.before, recordAfter: change.after?.record.id))
                    }
                    return result
                }
            }
        }
        var all: [SampleChange] = []
        for part in parts { all += try part.get() }
        try index.insert(row(info, samples: samples), changes: all)
        try index.markSynced(ref: store.currentBranchRef() ?? "HEAD", commit: commit)
    }

    /// Refreshes the `models` table (after a registration).
    func refreshModels() throws {
        try store.openIndex().replaceModels(try Models(store: store).list())
    }

    /// Empties the index and rebuilds it from the git objects alone.
    @discardableResult
    public func rebuild() throws -> Int {
        try store.openIndex().reset()
        return try catchUp()
    }

    private func add(_ info: Repository.CommitInfo, to index: LineageIndex) throws {
        let repo = store.repository
        let snapshot = try Snapshot(repository: repo, commit: info.id)
        let parent = try info.parents.first.map { try Snapshot(repository: repo, commit: $0) }
        let entries = try TreeDiff.changes(from: parent, to: snapshot, repositoryPath: repo.path)
        let config = try snapshot.config()
        let changes = try Differ.classify(entries, oldConfig: try parent?.config() ?? config, newConfig: config,
                                          repositoryPath: repo.path)
        try index.insert(row(info, samples: try snapshot.summary().samples), changes: changes)
    }

    private func row(_ info: Repository.CommitInfo, samples: Int) -> LineageIndex.CommitRow {
        .init(id: info.id, parent: info.parents.first, author: info.author.name, email: info.author.email,
              time: info.author.time, subject: String(info.message.split(separator: "\n").first ?? ""), samples: samples)
    }
}
