import Foundation
import Git
import GitFormat

/// What committing a manifest would change, worked out without writing anything.
public struct CommitPreview: Codable, Equatable {
    /// The branch HEAD names and the commit it points at (nil before the first commit).
    public var branch: String
    /// The commit HEAD's branch points at; nil before the first commit.
    public var head: String?
    /// True when committing would write nothing (the manifest matches HEAD).
    public var unchanged: Bool
    /// The diff from HEAD to the snapshot the manifest would make.
    public var diff: SnapshotDiff
}

extension Committer {
    /// The diff from HEAD to what `request` would commit: the same checks and the same plan as
    /// `commit`, without the lock, the pack or a ref update. Bad input fails the same way.
    public func preview(_ request: CommitRequest) throws -> CommitPreview {
        let repo = store.repository
        guard let branch = try store.currentBranchRef() else {
            throw TrailError(.invalidState, "HEAD is detached", hint: "switch to a branch with `trail checkout BRANCH` first")
        }
        let parent = try repo.reference(branch)
        let parentSnapshot = try parent.map { try Snapshot(repository: repo, commit: $0) }
        if let parentSnapshot, streams(request) {
            return try streamedPreview(request, branch: branch, parent: parentSnapshot)
        }
        let input = try ManifestInput(request: request, config: store.config, isPatch: request.isPatch)
        try refuseErasedContent(input)
        let oldConfig = try parentSnapshot?.config() ?? store.config
        var changes: [SampleChange] = []
        let summary: SnapshotSummary
        if request.isPatch {
            guard let parentSnapshot else {
                throw TrailError(.invalidState, "there is no commit to patch on \(branch)", hint: "make a first commit from a full manifest: trail commit FILE -m MESSAGE")
            }
            var rows: [ChangeRow] = []
            let plan = try patchPlan(input, parent: parentSnapshot, config: store.config, added: { rows += $0 }, replaced: { rows += $0 },
                                     emitTrees: { _ in })  // only the changes are shown: trees are dropped as made
            changes = try rows.map { try $0.sampleChange(config: store.config) }
            summary = plan.summary
        } else {
            let plan = try fullPlan(input, parent: parentSnapshot)
            changes = try Parallel.map(plan.changes, repositoryPath: repo.path) { reader, change in
                try SampleChange.between(recordBytes: change.before.map { ($0, try reader.read($0, as: .blob)) },
                                         change.after.map { ($0.record.id, $0.record.data) },
                                         oldConfig: oldConfig, newConfig: store.config)
            }
            summary = plan.summary
        }
        let keys = changes.map { Array($0.id.utf8) }
        changes = keys.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }.map { changes[$0] }
        let before = try parentSnapshot?.summary() ?? SnapshotSummary()
        let diff = Differ.summarize(changes, before: before, after: summary, fromName: "HEAD",
                                    toName: (request.manifestPath as NSString).lastPathComponent, includeSamples: true)
        return CommitPreview(branch: String(branch.dropFirst("refs/heads/".count)), head: parent?.hex,
                             unchanged: changes.isEmpty && parentSnapshot != nil, diff: diff)
    }
}

extension Committer {
    /// `preview` of a large full manifest against a parent, read as a streamed commit reads it
    /// (see StreamingCommit.swift): memory holds the keys and the changed records only.
    private func streamedPreview(_ request: CommitRequest, branch: String, parent: Snapshot) throws -> CommitPreview {
        let repo = store.repository
        let streamed = try streamManifest(request, storeIsEmpty: false, keepFresh: true, erasures: ErasureLog.read(repo),
                                          wantRows: false) { _, _ in }
        var summary = streamed.summary
        summary.columns = try parent.summary().columns
        summary.addColumns(streamed.summary.columns)
        // Only the tree's ids are compared: its objects are dropped as they are made.
        let tree = ShardedTree.build(sorted: streamed.entries, rootFiles: rootFiles(config: store.config, summary: summary).entries) { _ in }
        let found = try tree.changes(from: parent.rootEntries, entries: streamed.entries, repositoryPath: repo.path)
        let oldConfig = try parent.config()
        var changes = try Parallel.map(found, repositoryPath: repo.path) { reader, change in
            try SampleChange.between(recordBytes: change.before.map { ($0, try reader.read($0, as: .blob)) },
                                     change.after.map { ($0, try streamed.fresh[change.key]?.data ?? reader.read($0, as: .blob)) },
                                     oldConfig: oldConfig, newConfig: store.config)
        }
        let keys = changes.map { Array($0.id.utf8) }
        changes = keys.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }.map { changes[$0] }
        let diff = Differ.summarize(changes, before: try parent.summary(), after: summary, fromName: "HEAD",
                                    toName: (request.manifestPath as NSString).lastPathComponent, includeSamples: true)
        return CommitPreview(branch: String(branch.dropFirst("refs/heads/".count)), head: parent.commit.hex,
                             unchanged: changes.isEmpty, diff: diff)
    }
}

extension ChangeRow {
    /// The row as a change with labels worked out (an added sample's record is decoded).
    func sampleChange(config: DatasetConfig) throws -> SampleChange {
        switch self {
        case .change(let change, _): return change
        case .added(let record, let id):
            return try SampleChange.added(recordBytes: record, recordID: id, config: config)
                ?? SampleChange.between(nil, SampleRecord.decode(record), oldConfig: config, newConfig: config, recordBefore: nil, recordAfter: id)
        }
    }
}
