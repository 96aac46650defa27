import Dispatch
import Foundation
import Git

/// The index of a large first commit, built on a background thread while the commit plans and
/// writes its pack: every sample is new, so the rows need only the records just built, and
/// SQLite's work runs on one core while the commit keeps the other busy.
///
/// The rows go into a new file beside the index (see `LineageIndex.build`). `finish` adds the
/// commit once its branch has moved and renames the file into place; `cancel` (when the
/// commit fails) deletes it. Either way the old index is untouched until the rename, and
/// catch-up can always rebuild whatever a crash left out.
final class RootImport {
    private let done = DispatchSemaphore(value: 0)
    private let go = DispatchSemaphore(value: 0)
    /// Set by `finish` before `go` is signalled; nil then means cancelled.
    private var commit: (row: LineageIndex.CommitRow, ref: String, models: [ModelInfo])?
    private var failure: Error?
    private var settled = false

    /// Starts the import when it pays: a root commit of many samples into an empty index.
    static func begin(store: Store, samples: [BuiltSample], config: DatasetConfig) -> RootImport? {
        guard samples.count >= LineageIndex.bulkRows,
              (try? store.openIndex().isEmpty()) == true else { return nil }
        return RootImport(path: store.indexPath, samples: samples, config: config)
    }

    private init(path: String, samples: [BuiltSample], config: DatasetConfig) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            do {
                try LineageIndex.build(replacing: path) { index in
                    let rows = samples.map { ChangeRow.added(record: $0.record.data, id: $0.record.id) }
                    // A root commit is number 1 of a new index; it has no label events, so no time.
                    try index.transaction { try index.insertChanges(rows, seq: 1, time: 0, config: config) }
                    go.wait()
                    guard let commit else { throw CancellationError() }
                    try index.transaction {
                        try index.insertCommit(commit.row, seq: 1)
                        try index.markSynced(ref: commit.ref, commit: commit.row.id)
                    }
                    try index.replaceModels(commit.models)
                }
            } catch {
                failure = error
            }
            done.signal()
        }
    }

    /// Records `commit` (whose branch has moved) and puts the new index in place.
    func finish(commit info: Repository.CommitInfo, samples: Int, ref: String, models: [ModelInfo]) throws {
        guard !settled else { return }
        settled = true
        commit = (LineageUpdater.row(info, samples: samples), ref, models)
        go.signal()
        done.wait()
        if let failure { throw failure }
    }

    /// Abandons the import (the commit failed); no-op after `finish`.
    func cancel() {
        guard !settled else { return }
        settled = true
        go.signal()
        done.wait()
    }
}
