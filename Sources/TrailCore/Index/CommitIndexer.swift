import Dispatch
import Foundation
import Git

/// Indexes a commit on a second thread while the commit writes its objects: the rows need only
/// what the commit already knows (its new records, and its parent's records by id), and
/// SQLite's single-threaded work then overlaps with the pack's hashing and compression.
///
/// The rows wait in an open transaction (or, for a large first import, in a new file beside
/// the index; see `LineageIndex.build`) until `finish` adds the commit, once its branch has
/// moved. `cancel`, when the commit fails, rolls them back. The index never runs ahead of the
/// refs, and catch-up rebuilds whatever a crash leaves out.
final class CommitIndexer {
    private let done = DispatchSemaphore(value: 0)
    private let go = DispatchSemaphore(value: 0)
    /// Set by `finish` before `go` is signalled; nil then means cancelled.
    private var commit: (row: LineageIndex.CommitRow, ref: String, models: [ModelInfo])?
    private var failure: Error?
    private var settled = false

    /// Starts indexing a first commit as soon as its manifest is read, when it is large and the
    /// index empty: every sample is new, and its rows go into a new file without a journal.
    static func beginImport(store: Store, samples: [BuiltSample], config: DatasetConfig) -> CommitIndexer? {
        guard samples.count >= LineageIndex.bulkRows, (try? store.openIndex().isEmpty()) == true else { return nil }
        let path = store.indexPath
        return CommitIndexer { indexer in
            try LineageIndex.build(replacing: path) { index in
                let rows = samples.map { ChangeRow.added(record: $0.record.data, id: $0.record.id) }
                // A root commit is number 1 of a new index; it has no label events, so no time.
                try index.transaction { try index.insertChanges(rows, seq: 1, time: 0, config: config) }
                try indexer.awaitCommit { commit in
                    try index.transaction {
                        try index.insertCommit(commit.row, seq: 1)
                        try index.markSynced(ref: commit.ref, commit: commit.row.id)
                    }
                    try index.replaceModels(commit.models)
                }
            }
        }
    }

    /// Starts indexing a commit whose changes against `parent` are known, when the index holds
    /// the parent (else the next catch-up indexes the whole gap).
    static func begin(store: Store, parent: ObjectID?, changes: [(before: ObjectID?, after: BuiltSample?)],
                      time: Int64, config: DatasetConfig) -> CommitIndexer? {
        guard let index = try? store.openIndex(),
              (try? parent.map { try index.contains($0) } ?? index.isEmpty()) == true,
              (try? index.deferCheckpoints()) != nil else { return nil }
        let repositoryPath = store.repository.path
        return CommitIndexer { indexer in
            let rows = try Self.rows(changes, repositoryPath: repositoryPath, config: config)
            Trace.mark("index rows prepared: \(rows.count)")
            try index.transaction {
                let seq = try index.nextSeq()
                try index.insertChanges(rows, seq: seq, time: time, config: config)
                try indexer.awaitCommit { commit in
                    try index.insertCommit(commit.row, seq: seq)
                    try index.markSynced(ref: commit.ref, commit: commit.row.id)
                }
            }
        }
    }

    /// The rows of `changes`: added samples as their record bytes; the others (a relabel round:
    /// thousands, not millions) worked out in full, reading the old records on every core.
    private static func rows(_ changes: [(before: ObjectID?, after: BuiltSample?)], repositoryPath: String,
                             config: DatasetConfig) throws -> [ChangeRow] {
        let modified = changes.filter { $0.before != nil }
        let worked = try LineageUpdater.parallelMap(modified, repositoryPath: repositoryPath) { repo, change in
            let before = try change.before.map { try SampleRecord.decode(repo.read($0, as: .blob)) }
            let after = try change.after.map { try SampleRecord.decode($0.record.data) }
            return ChangeRow.change(SampleChange.between(before, after, oldConfig: config, newConfig: config,
                                                         recordBefore: change.before, recordAfter: change.after?.record.id))
        }
        var rows: [ChangeRow] = []
        rows.reserveCapacity(changes.count)
        var next = worked.makeIterator()
        for change in changes {
            if change.before == nil, let after = change.after {
                rows.append(.added(record: after.record.data, id: after.record.id))
            } else if let row = next.next() {
                rows.append(row)
            }
        }
        return rows
    }

    private init(_ work: @escaping (CommitIndexer) throws -> Void) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            do { try work(self) } catch { failure = error }
            done.signal()
        }
    }

    /// On the indexing thread: waits for `finish` or `cancel`; runs `body` with the commit, or
    /// throws (rolling back what the caller's transaction holds) when cancelled.
    private func awaitCommit(_ body: ((row: LineageIndex.CommitRow, ref: String, models: [ModelInfo])) throws -> Void) throws {
        go.wait()
        guard let commit else { throw CancellationError() }
        try body(commit)
    }

    /// Records `commit` (whose branch has moved) and makes the rows visible.
    func finish(commit info: Repository.CommitInfo, samples: Int, ref: String, models: [ModelInfo]) throws {
        guard !settled else { return }
        settled = true
        commit = (LineageUpdater.row(info, samples: samples), ref, models)
        go.signal()
        done.wait()
        if let failure { throw failure }
    }

    /// Abandons the rows (the commit failed); no-op after `finish`.
    func cancel() {
        guard !settled else { return }
        settled = true
        go.signal()
        done.wait()
    }
}
