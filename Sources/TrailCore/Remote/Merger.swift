import Foundation
import Git
import GitFormat

/// How to settle samples both sides changed differently.
public enum MergeStrategy: Equatable {
    /// Stop and list the conflicts; nothing is committed.
    case stop
    /// Keep this branch's version of every conflicting sample.
    case ours
    /// Take the merged branch's version of every conflicting sample.
    case theirs
    /// Settle each conflict as a resolution file says (`{"id": …, "take": "ours" | "theirs"}`, one a line).
    case file(String)
}

/// One sample both sides changed differently since their common version.
public struct MergeConflict: Codable, Equatable {
    /// What one side (base, ours or theirs) holds for the sample.
    public struct Side: Codable, Equatable {
        /// The sample's labels on that side (empty when the side removed it).
        public var labels: [String: String]
        /// The annotator of that side's record.
        public var annotator: String?
        /// The guideline version of that side's record.
        public var guideline: String?
        /// True when that side removed the sample.
        public var removed: Bool
        /// That side's record blob (nil when removed).
        public var record: String?
    }
    /// The sample's id.
    public var id: String
    /// The common version (nil when both sides added the sample).
    public var base: Side?
    /// This branch's version.
    public var ours: Side
    /// The merged branch's version.
    public var theirs: Side
}

/// What a merge did (or would have done, when it stopped on conflicts).
public struct MergeResult: Codable, Equatable {
    /// How the merge ended.
    public enum Outcome: String, Codable { case upToDate = "up-to-date", fastForward = "fast-forward", merged, conflicts }
    /// What the merge did: nothing, a fast-forward, a merge commit, or stopped on conflicts.
    public var outcome: Outcome
    /// The branch merged into.
    public var branch: String
    /// What was merged, as given.
    public var other: String
    /// The commit the branch now points at (nil when nothing was committed).
    public var commit: String?
    /// Samples taken from the other side (changed there only), and conflicts settled each way.
    public var takenFromTheirs = 0
    /// The conflicts (all of them when the merge stopped; the settled ones otherwise).
    public var conflicts: [MergeConflict] = []
    /// Conflicts settled with this branch's version.
    public var resolvedOurs = 0
    /// Conflicts settled with the merged branch's version.
    public var resolvedTheirs = 0
}

/// A three-way merge at the level of samples: against the common version, a sample changed on
/// one side takes that side's record; changed the same way on both, it is kept; changed
/// differently on both, it is a conflict, settled by `MergeStrategy` or reported with nothing
/// committed. The merge commit has both tips as parents; records keep their ids.
public struct Merger {
    let store: Store

    /// Merges into branches of `store`.
    public init(store: Store) { self.store = store }

    /// Merges `other` (a branch, remote branch such as `origin/main`, tag or commit) into the
    /// current branch.
    public func merge(_ other: String, strategy: MergeStrategy, message: String?, author: Signature) throws -> MergeResult {
        try store.withWriteLock { try mergeLocked(other, strategy: strategy, message: message, author: author) }
    }

    func mergeLocked(_ other: String, strategy: MergeStrategy, message: String?, author: Signature) throws -> MergeResult {
        let repo = store.repository
        guard let branch = try store.currentBranchRef(), let ours = try repo.reference(branch) else {
            throw TrailError(.invalidState, "there is no commit to merge into", hint: "commit first, or `trail pull` to take the remote's branch")
        }
        let theirs = try Revisions(store: store).resolve(other)
        let name = String(branch.dropFirst("refs/heads/".count))
        var result = MergeResult(outcome: .upToDate, branch: name, other: other, commit: ours.hex)
        if try ours == theirs || repo.isDescendant(ours, of: theirs) { return result }
        if try repo.isDescendant(theirs, of: ours) {
            try repo.updateReference(branch, to: theirs, expected: ours, message: "trail merge: fast-forward")
            result.outcome = .fastForward
            result.commit = theirs.hex
            try afterBranchMoved()
            return result
        }
        guard let base = try repo.mergeBase(ours, theirs) else {
            throw TrailError(.invalidState, "\(name) and \(other) share no history", hint: "a merge needs a common version; commit one side's data onto the other instead")
        }
        let baseSnap = try Snapshot(repository: repo, commit: base)
        let ourSnap = try Snapshot(repository: repo, commit: ours), theirSnap = try Snapshot(repository: repo, commit: theirs)
        let ourChanges = try ShardedTree.diff(from: baseSnap.tree, to: ourSnap.tree, in: repo)
        let theirChanges = try ShardedTree.diff(from: baseSnap.tree, to: theirSnap.tree, in: repo)
        var ourAfter: [ObjectID: ObjectID?] = [:]
        for e in ourChanges { ourAfter[e.key] = .some(e.after) }

        // Changes to apply on top of ours: theirs where only they changed, and resolutions.
        var apply: [ObjectID: (before: ObjectID?, after: ObjectID?)] = [:]
        var conflicting: [(key: ObjectID, base: ObjectID?, ours: ObjectID?, theirs: ObjectID?)] = []
        for e in theirChanges {
            guard let mine = ourAfter[e.key] else { apply[e.key] = (e.before, e.after); continue }
            if mine == e.after { continue }
            conflicting.append((e.key, e.before, mine, e.after))
        }
        result.takenFromTheirs = apply.count
        if !conflicting.isEmpty {
            let config = try ourSnap.config()
            result.conflicts = try conflicting.map { try describe($0, config: config) }
            let picks = try resolutions(strategy, conflicts: result.conflicts)
            guard let picks else {
                result.outcome = .conflicts
                result.commit = nil
                return result
            }
            for (c, conflict) in zip(conflicting, result.conflicts) {
                if picks[conflict.id] == "theirs" {
                    apply[c.key] = (c.ours, c.theirs)
                    result.resolvedTheirs += 1
                } else {
                    result.resolvedOurs += 1
                }
            }
        }

        // The new tree: ours with the changes applied; its summary adjusted record by record.
        var changes: [ObjectID: ObjectID?] = [:]
        for (key, change) in apply { changes[key] = .some(change.after) }
        var (tree, _) = try ShardedTree.update(repo, oldRoot: ourSnap.tree, changes: changes)
        var summary = try ourSnap.summary()
        summary.addColumns(try theirSnap.summary().columns)
        let roles = FieldRoles(try ourSnap.config())
        for change in apply.values {
            if let before = change.before { summary.count(try SampleRecord.countedFields(repo.read(before, as: .blob), roles: roles), roles: roles, sign: -1) }
            if let after = change.after { summary.count(try SampleRecord.countedFields(repo.read(after, as: .blob), roles: roles), roles: roles, sign: 1) }
        }
        // The fields keep the roles this branch gave them (a merge does not reconfigure).
        let configBlob = PendingObject(type: .blob, data: try ourSnap.config().encoded())
        let summaryBlob = PendingObject(type: .blob, data: summary.encoded())
        tree.finish(rootFiles: [TreeEntry(mode: .blob, name: Snapshot.configFile, id: configBlob.id),
                                TreeEntry(mode: .blob, name: Snapshot.summaryFile, id: summaryBlob.id)])
        var text = (message ?? "Merge \(other) into \(name)").trimmingCharacters(in: .whitespacesAndNewlines)
        text += "\n\nTrail-Mode: merge\nTrail-Samples: \(summary.samples)\n"
        if !conflicting.isEmpty { text += "Trail-Conflicts: \(conflicting.count) (ours \(result.resolvedOurs), theirs \(result.resolvedTheirs))\n" }
        let commit = PendingObject(type: .commit, data: CommitFormat.encodeCommit(
            tree: tree.root, parents: [ours, theirs], author: author, committer: author, message: text))
        try store.writeMissing(tree.newTrees + [configBlob, summaryBlob, commit])
        do {
            try repo.updateReference(branch, to: commit.id, expected: ours, message: "trail merge")
        } catch let error as GitError where error.isConcurrentUpdate {
            throw TrailError(.concurrentUpdate(ref: branch), "\(branch) was moved by another process during the merge", hint: "run the merge again; nothing was lost")
        }
        result.outcome = .merged
        result.commit = commit.id.hex
        try afterBranchMoved()
        return result
    }

    /// A branch that moved may hold erased samples again (the other side had not removed
    /// them, or `--theirs` took a record back): erasures are carried out, then the index follows.
    private func afterBranchMoved() throws {
        if !(try ErasureLog.read(store.repository).records.isEmpty) {
            _ = try Eraser(store: store).finishLocked(ErasureResult(), author: store.automaticSignature())
        }
        try LineageUpdater(store: store).catchUp()
    }

    private func describe(_ c: (key: ObjectID, base: ObjectID?, ours: ObjectID?, theirs: ObjectID?), config: DatasetConfig) throws -> MergeConflict {
        let repo = store.repository
        func side(_ record: ObjectID?) throws -> MergeConflict.Side {
            guard let record else { return .init(labels: [:], annotator: nil, guideline: nil, removed: true, record: nil) }
            let r = try SampleRecord.decode(repo.read(record, as: .blob))
            let change = SampleChange.between(nil, r, oldConfig: config, newConfig: config, recordBefore: nil, recordAfter: record)
            return .init(labels: change.labelsAfter, annotator: change.annotator, guideline: change.guideline, removed: false, record: record.hex)
        }
        let any = try [c.ours, c.theirs, c.base].compactMap { $0 }.first.map { try SampleRecord.decode(repo.read($0, as: .blob)) }
        let id = any?.field(config.idField).map(SampleChange.text) ?? c.key.hex
        return MergeConflict(id: id, base: try c.base.map { try side($0) }, ours: try side(c.ours), theirs: try side(c.theirs))
    }

    /// Which side each conflict takes (`ours`/`theirs` by sample id), or nil to stop.
    private func resolutions(_ strategy: MergeStrategy, conflicts: [MergeConflict]) throws -> [String: String]? {
        switch strategy {
        case .stop: return nil
        case .ours: return Dictionary(uniqueKeysWithValues: conflicts.map { ($0.id, "ours") })
        case .theirs: return Dictionary(uniqueKeysWithValues: conflicts.map { ($0.id, "theirs") })
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TrailError(.fileSystem(path: path), "cannot read the resolution file \(path)", hint: "check the path given to --resolve")
            }
            var picks: [String: String] = [:]
            for (n, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                guard case .object(let members)? = try? JSONParser.parse(Array(line.utf8)),
                      let id = members.first(where: { $0.key == "id" })?.value.stringValue,
                      let take = members.first(where: { $0.key == "take" })?.value.stringValue, take == "ours" || take == "theirs" else {
                    throw InputError(file: path, line: n + 1, field: "take", message: "expected {\"id\": \"...\", \"take\": \"ours\" or \"theirs\"}",
                                     hint: "write one such object per line for each conflict `trail merge` listed")
                }
                picks[id] = take
            }
            let missing = conflicts.map(\.id).filter { picks[$0] == nil }
            guard missing.isEmpty else {
                throw TrailError(.refused, "the resolution file settles \(conflicts.count - missing.count) of \(conflicts.count) conflicts; missing: \(Eraser.list(missing))",
                                 hint: "add a line {\"id\": \"...\", \"take\": \"ours\"|\"theirs\"} for each; nothing was committed")
            }
            return picks
        }
    }
}
