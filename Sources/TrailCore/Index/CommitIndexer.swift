import Dispatch
import Foundation
import Git
import GitFormat

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
    private let more = DispatchSemaphore(value: 0)
    private var supplied: [ChangeRow]?
    /// Set by `finish` before `go` is signalled; nil then means cancelled.
    private var commit: (row: LineageIndex.CommitRow, ref: String, models: [ModelInfo])?
    private var failure: Error?
    private var settled = false
    /// The batches of a streamed first import (`beginStreamingImport`), and how many may wait.
    private let batches: HandOff<[ChangeRow]>?
    private let slots = DispatchSemaphore(value: 3)
    private var cancelled = false

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
                        try index.insertCommit(commit.row, seq: 1, changes: 1..<index.changesEnd())
                        try index.markSynced(ref: commit.ref, commit: commit.row.id)
                    }
                    try index.replaceModels(commit.models)
                }
            }
        }
    }

    /// Starts indexing a first commit whose rows come in batches, as a streamed manifest is read
    /// (`feed`, then `endFeed`), when the index is empty: rows go into a new file without a
    /// journal, as with `beginImport`, and at most a few batches wait in memory at a time.
    static func beginStreamingImport(store: Store, config: DatasetConfig) -> CommitIndexer? {
        guard (try? store.openIndex().isEmpty()) == true else { return nil }
        let path = store.indexPath
        let queue = HandOff<[ChangeRow]>()
        return CommitIndexer(batches: queue) { indexer in
            try LineageIndex.build(replacing: path) { index in
                try index.transaction {
                    do {
                        try index.insertChanges(bulk: true, seq: 1, time: 0, config: config) {
                            guard let rows = queue.take() else { return nil }
                            indexer.slots.signal()
                            if indexer.cancelled { throw CancellationError() }
                            return rows
                        }
                    } catch {
                        // Let the feeder go on to its end (it waits for free slots).
                        while queue.take() != nil { indexer.slots.signal() }
                        throw error
                    }
                }
                try indexer.awaitCommit { commit in
                    try index.transaction {
                        try index.insertCommit(commit.row, seq: 1, changes: 1..<index.changesEnd())
                        try index.markSynced(ref: commit.ref, commit: commit.row.id)
                    }
                    try index.replaceModels(commit.models)
                }
            }
        }
    }

    /// Hands a streamed import the next batch of rows; waits while several are still queued.
    func feed(_ rows: [ChangeRow]) {
        guard let batches else { return }
        slots.wait()
        batches.put(rows)
    }

    /// Tells a streamed import that every batch was fed.
    func endFeed() { batches?.finish() }

    /// Starts indexing a commit whose changes against `parent` are known, when the index holds
    /// the parent (else the next catch-up indexes the whole gap).
    static func begin(store: Store, parent: ObjectID?, changes: [(before: ObjectID?, after: BuiltSample?)],
                      time: Int64, config: DatasetConfig) -> CommitIndexer? {
        let repositoryPath = store.repository.path
        let names = (old: FieldNames(config), new: FieldNames(config))
        return begin(store: store, parent: parent, time: time, config: config) { _ in
            try Parallel.map(changes, repositoryPath: repositoryPath) { repo, change in
                try ChangeRow.of(before: change.before.map { ($0, try repo.read($0, as: .blob)) },
                                 after: change.after.map { ($0.record.id, $0.record.data) }, oldConfig: config, newConfig: config, names: names)
            }
        }
    }

    /// Starts indexing a patch: `added` (rows that need no old record) go in at once, the rest
    /// when the caller has read the old records and calls `supply`.
    static func beginPatch(store: Store, parent: ObjectID, added: [ChangeRow], time: Int64,
                           config: DatasetConfig) -> CommitIndexer? {
        begin(store: store, parent: parent, time: time, config: config, first: added) { indexer in try indexer.awaitRows() }
    }

    /// Inserts `first`, then the rows `rest` gives, in one transaction that `finish` commits.
    private static func begin(store: Store, parent: ObjectID?, time: Int64, config: DatasetConfig, first: [ChangeRow] = [],
                              rest: @escaping (CommitIndexer) throws -> [ChangeRow]) -> CommitIndexer? {
        guard let index = try? store.openIndex(),
              (try? parent.map { try index.contains($0) } ?? index.isEmpty()) == true,
              (try? index.deferCheckpoints()) != nil else { return nil }
        return CommitIndexer { indexer in
            try index.transaction {
                let seq = try index.nextSeq(), start = try index.changesEnd()
                try index.insertChanges(first, seq: seq, time: time, config: config)
                let rows = try rest(indexer)
                Trace.mark("index rows prepared: \(first.count + rows.count)")
                try index.insertChanges(rows, seq: seq, time: time, config: config)
                try indexer.awaitCommit { commit in
                    try index.insertCommit(commit.row, seq: seq, changes: start..<index.changesEnd())
                    try index.markSynced(ref: commit.ref, commit: commit.row.id)
                }
            }
        }
    }

    /// Hands the indexing thread the rest of a patch's rows (see `beginPatch`).
    func supply(_ rows: [ChangeRow]) {
        supplied = rows
        more.signal()
    }

    /// On the indexing thread: waits for `supply`, or throws when cancelled first.
    private func awaitRows() throws -> [ChangeRow] {
        more.wait()
        guard let supplied else { throw CancellationError() }
        return supplied
    }

    private init(batches: HandOff<[ChangeRow]>? = nil, _ work: @escaping (CommitIndexer) throws -> Void) {
        self.batches = batches
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
        cancelled = true
        batches?.finish()
        more.signal()
        go.signal()
        done.wait()
    }
}
