import Foundation
import Git
import GitFormat

/// What a fetch brought in.
public struct FetchResult: Codable, Equatable {
    /// The remote fetched from.
    public var remote: String
    /// Remote branches and the commits they point at now (as `refs/remotes/<remote>/<branch>`).
    public var branches: [RefInfo] = []
    /// Tags and models that were new here.
    public var newTags: [String] = []
    /// Models that were new here.
    public var newModels: [String] = []
    /// Models whose predictions came in (new here, or newer than the ones here).
    public var newPredictions: [String] = []
    /// Tags or models the remote holds under a name this store uses for something else (kept as they are here).
    public var conflicts: [String] = []
    /// Erasure records that came in (and were carried out here).
    public var newErasures = 0
    /// Content blobs the content ref gained.
    public var contentAdded = 0
    /// Commits that removed erased samples from local branches (push them).
    public var erasureCommits: [ErasureResult.BranchCommit] = []
    /// Samples held here whose content incoming erasure records removed without naming them
    /// (only with `--accept-erasures`; without it such a fetch is refused).
    public var sharedSamplesErased: [String] = []
    /// Objects received from the remote.
    public var objectsReceived = 0
    /// Bytes received from the remote.
    public var bytesReceived = 0
}

extension Remotes {
    /// Fetches from `remote` and reconciles (see the type's documentation). Takes the lock.
    /// Refused, with nothing changed, when the remote sends what Trail would not write, or
    /// erasure records that would also remove content of samples they do not name (unless
    /// `acceptErasures`).
    public func fetch(_ remote: String, credentials: CredentialProvider?, acceptErasures: Bool = false,
                      progress: ((TransferProgress) -> Void)? = nil) throws -> FetchResult {
        try store.withWriteLock { try fetchLocked(remote, credentials: credentials, progress: progress, acceptErasures: acceptErasures).0 }
    }

    /// Fetches and reconciles; also returns the remote's content ref as fetched (its tracking
    /// ref is dropped once merged: it may name content erased here, which `git fsck` would
    /// then report as missing).
    /// `catchUpIndex` false: the caller builds the index itself (a clone, all at once).
    /// `snapshotsArrived`, when given, splits the transfer in two: the snapshots (branches, tags,
    /// models, erasures) first, then this is called (a clone starts its index on it), then the
    /// content, whose transfer its work overlaps; what it returns is waited for before
    /// anything is reconciled.
    func fetchLocked(_ remote: String, credentials: CredentialProvider?, progress: ((TransferProgress) -> Void)?,
                     catchUpIndex: Bool = true, acceptErasures: Bool = false,
                     snapshotsArrived: (() throws -> (() throws -> Void))? = nil) throws -> (FetchResult, remoteContent: ObjectID?) {
        let repo = store.repository
        guard try repo.remotes().contains(where: { $0.name == remote }) else {
            throw TrailError(.notFound(.remote, name: remote), "no remote named '\(remote)'", hint: "add it with `trail remote add \(remote) URL`")
        }
        var result = FetchResult(remote: remote)
        // Everything lands in a quarantine first and is checked before any local ref moves.
        let quarantine = try Quarantine(store: store, remote: remote)
        // What comes in may hold content erased here: a kill before it is pruned again must
        // leave the marker that makes the next command finish the job.
        try Eraser(store: store).startMarker()
        let refspecs = quarantine.refspecs
        let contentSpec = refspecs.filter { $0.contains(Store.contentRef) }
        var stats: TransferProgress
        do {
            stats = try transfer("fetch from \(remote)") {
                try repo.fetch(from: remote, refspecs: snapshotsArrived == nil ? refspecs : refspecs.filter { !contentSpec.contains($0) },
                               credentials: credentials, progress: progress)
            }
            Trace.mark("fetch: transfer done (\(stats.receivedObjects) objects)")
            try repo.refreshObjects()
            try admit(quarantine, acceptErasures: acceptErasures, into: &result)
        } catch {
            quarantine.discard()
            throw error
        }
        if let snapshotsArrived {
            Trace.mark("fetch: snapshots received (\(stats.receivedObjects) objects)")
            let wait = try snapshotsArrived()
            let content: TransferProgress
            do {
                content = try transfer("fetch from \(remote)") {
                    try repo.fetch(from: remote, refspecs: contentSpec, credentials: credentials, progress: progress)
                }
                try repo.refreshObjects()
                try admit(quarantine, acceptErasures: acceptErasures, into: &result)
            } catch {
                try? wait()
                quarantine.discard()
                throw error
            }
            try wait()
            stats.receivedObjects += content.receivedObjects
            stats.totalObjects += content.totalObjects
            stats.receivedBytes += content.receivedBytes
        }
        Trace.mark("fetch: \(stats.receivedObjects) objects received")
        result.objectsReceived = stats.receivedObjects
        result.bytesReceived = stats.receivedBytes
        try repo.refreshObjects()
        let prefix = "refs/remotes/\(remote)/"
        for ref in try repo.references(matching: prefix + "*") {
            let name = String(ref.name.dropFirst(prefix.count))
            if name.hasPrefix("trail-tags/") || name.hasPrefix("trail-models/") || name.hasPrefix("trail/") { continue }
            result.branches.append(RefInfo(name: "\(remote)/\(name)", commit: ref.target.hex, current: false))
        }
        // Tags and models never move: new ones are added, a clash is reported and left alone.
        for (kind, local) in [("trail-tags/", "refs/tags/"), ("trail-models/", Store.modelRefPrefix)] {
            for ref in try repo.references(matching: prefix + kind + "*") {
                let name = String(ref.name.dropFirst((prefix + kind).count))
                if let mine = try repo.reference(local + name) {
                    if mine != ref.target { result.conflicts.append(local.dropFirst("refs/".count) + name) }
                    continue
                }
                try repo.updateReference(local + name, to: ref.target, expected: nil, message: "trail fetch")
                if kind == "trail-tags/" { result.newTags.append(name) } else { result.newModels.append(name) }
            }
        }
        let predictions = try reconcilePredictions(remote: remote)
        result.newPredictions = predictions.taken
        result.conflicts += predictions.conflicts
        Trace.mark("fetch: tags, models and predictions reconciled")
        result.newErasures = try mergeErasures(from: repo.reference(prefix + "trail/erasures"))
        let remoteContent = try repo.reference(prefix + "trail/content")
        result.contentAdded = try mergeContent(from: remoteContent)
        if remoteContent != nil { try repo.deleteReference(prefix + "trail/content") }
        Trace.mark("fetch: content merged (\(result.contentAdded) blobs)")
        // Erasures that came in are carried out here; content erased here that came back goes again.
        result.erasureCommits = try Eraser(store: store).finishLocked(ErasureResult(), author: store.automaticSignature()).commits
        if catchUpIndex { try LineageUpdater(store: store).catchUp() }
        return (result, remoteContent)
    }

    /// Checks what the quarantine holds and moves it into `refs/remotes/<remote>/`; throws (and
    /// moves nothing) when the remote brings something invalid, or erasure records that would
    /// also remove content of samples they do not name, unless `acceptErasures`.
    private func admit(_ quarantine: Quarantine, acceptErasures: Bool, into result: inout FetchResult) throws {
        let refs = try quarantine.references()
        let problems = try IncomingCheck(store: store, remote: quarantine.remote).problems(refs)
        guard problems.isEmpty else {
            throw TrailError(.remote(.refusedIncoming), "refused what \(quarantine.remote) sent: \(problems.count == 1 ? "1 problem" : "\(problems.count) problems"); nothing here changed",
                             hint: "the remote holds data Trail did not write (or that a newer version wrote); fix or remove it there, or ask its owner",
                             // A remote can send millions of bad records: the first ones say enough.
                             details: problems.count > 50 ? Array(problems.prefix(50)) + ["… and \(problems.count - 50) more"] : problems)
        }
        if let erasures = refs.first(where: { $0.name == "trail/erasures" })?.target {
            let shared = try samplesSharingIncomingErasures(erasures)
            if !shared.isEmpty && !acceptErasures {
                throw TrailError(.remote(.unacceptedErasures), "\(quarantine.remote)'s erasure records would also remove the content of \(shared.count) sample\(shared.count == 1 ? "" : "s") they do not name: \(Eraser.list(shared.map(\.sample))); nothing here changed",
                                 hint: "look at them (`trail show HEAD ID`); to carry the erasures out anyway, fetch again with --accept-erasures",
                                 details: shared.map { "sample '\($0.sample)' (field '\($0.field)') shares content an incoming erasure removes" })
            }
            result.sharedSamplesErased = shared.map(\.sample)
        }
        try quarantine.admit()
    }

    /// The samples held here (in any version) whose content the erasure records at `incoming`
    /// that this store lacks would remove, though those records do not name them.
    private func samplesSharingIncomingErasures(_ incoming: ObjectID) throws -> [SampleVersions.Sharing] {
        let repo = store.repository
        let local = try ErasureLog.read(repo)
        if let tip = local.tip, try tip == incoming || repo.isDescendant(tip, of: incoming) { return [] }
        let theirs = try ErasureLog.read(repo, at: incoming)
        var content = Set<ObjectID>(), named = Set<ObjectID>()
        for record in theirs.records {
            let fresh = record.content.compactMap(ObjectID.init(hex:)).filter { local.byContent[$0] == nil }
            guard !fresh.isEmpty else { continue }
            content.formUnion(fresh)
            for sample in record.samples { named.insert(SampleKey.of(sample)) }
        }
        guard !content.isEmpty else { return [] }
        return try SampleVersions(store: store).samplesSharing(content, except: named)
    }
    /// Merges the remote's erasure log into ours; returns how many records are new here.
    private func mergeErasures(from remoteTip: ObjectID?) throws -> Int {
        let repo = store.repository
        guard let remoteTip else { return 0 }
        let local = try ErasureLog.read(repo)
        guard let localTip = local.tip else {
            try repo.updateReference(ErasureLog.ref, to: remoteTip, expected: nil, message: "trail fetch: erasures")
            return try ErasureLog.read(repo).records.count
        }
        if try localTip == remoteTip || repo.isDescendant(localTip, of: remoteTip) { return 0 }
        let before = local.records.count
        if try repo.isDescendant(remoteTip, of: localTip) {
            try repo.updateReference(ErasureLog.ref, to: remoteTip, expected: localTip, message: "trail fetch: erasures")
            return try ErasureLog.read(repo).records.count - before
        }
        // Both sides erased: a merge commit whose tree holds every record (new ones renumbered).
        let theirs = try ErasureLog.read(repo, at: remoteTip)
        let merged = try local.merging(theirs, in: repo, by: store.automaticSignature())
        return merged.records.count - before
    }

    /// Makes the content ref the union of ours and the remote's (`remoteTarget`, a commit or a
    /// bare tree); returns how many blobs it gained.
    private func mergeContent(from remoteTarget: ObjectID?) throws -> Int {
        let repo = store.repository
        guard let remoteTarget else { return 0 }
        let remoteRoot = try ContentRef.tree(of: remoteTarget, in: repo)
        let local = try ContentRef.read(repo)
        // A first fetch (a clone) takes the remote's content list as it is.
        if local == nil, remoteTarget != remoteRoot {
            try repo.updateReference(Store.contentRef, to: remoteTarget, expected: nil, message: "trail fetch: content")
            var count = 0
            try ShardedTree.walk(remoteRoot, repository: repo) { _, _ in count += 1 }
            return count
        }
        // The blobs the remote lists that ours does not (in a content tree, key and value are the blob's id).
        var missing: [ObjectID] = []
        if let local {
            missing = try ShardedTree.diff(from: local.tree, to: remoteRoot, in: repo).filter { $0.before == nil }.map(\.key)
        } else {
            try ShardedTree.walk(remoteRoot, repository: repo) { _, id in missing.append(id) }
        }
        guard !missing.isEmpty else { return 0 }
        var changes: [ObjectID: ObjectID?] = [:]
        for id in missing { changes[id] = .some(id) }
        var (tree, _) = try ShardedTree.update(repo, oldRoot: local?.tree, changes: changes)
        tree.finish(rootFiles: [])
        try ContentRef.replace(in: store, with: tree, expected: local?.target, message: "trail fetch: content")
        return missing.count
    }
}
