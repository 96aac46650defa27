import Foundation
import Git

/// What a fetch brought in.
public struct FetchResult: Codable, Equatable {
    public var remote: String
    /// Remote branches and the commits they point at now (as `refs/remotes/<remote>/<branch>`).
    public var branches: [RefInfo] = []
    /// Tags and models that were new here.
    public var newTags: [String] = []
    public var newModels: [String] = []
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
    public var objectsReceived = 0
    public var bytesReceived = 0
}

/// What a push sent.
public struct PushResult: Codable, Equatable {
    public var remote: String
    public var branch: String
    public var commit: String
    /// Tags and models not sent because the remote holds a different one under the name.
    public var notSent: [String] = []
}

/// Remotes: any git server or path. Trail talks to it through libgit2 and keeps, besides
/// branches, the refs git does not know about: models, the content ref and the erasure log.
///
/// Fetching brings everything into `refs/remotes/<remote>/...` first, then reconciles:
/// tags and models are added when new (they never move), the content ref becomes the union of
/// both sides (less what was erased), and the erasure logs are merged and carried out, so
/// erasure travels with the data.
public struct Remotes {
    let store: Store

    public init(store: Store) { self.store = store }

    /// The configured remotes.
    public func list() throws -> [Repository.RemoteInfo] { try store.repository.remotes() }

    /// Adds a remote.
    public func add(_ name: String, url: String) throws {
        guard Repository.isValidReferenceName("refs/remotes/\(name)/x"), !name.contains("/") else {
            throw TrailError("'\(name)' is not a valid remote name", hint: "use letters, digits, '-' and '_', e.g. origin", exitCode: 2)
        }
        try store.withWriteLock {
            if try store.repository.remotes().contains(where: { $0.name == name }) {
                throw TrailError("remote '\(name)' already exists", hint: "`trail remote list` shows it; remove it first with `trail remote remove \(name)`")
            }
            try store.repository.addRemote(name, url: url)
        }
    }

    /// Removes a remote and what was fetched from it.
    public func remove(_ name: String) throws {
        try store.withWriteLock {
            guard try store.repository.remotes().contains(where: { $0.name == name }) else {
                throw TrailError("no remote named '\(name)'", hint: "`trail remote list` shows the remotes")
            }
            try store.repository.removeRemote(name)
            for ref in try store.repository.references(matching: "refs/remotes/\(name)/*") {
                try? store.repository.deleteReference(ref.name)
            }
        }
    }

    /// The refspecs of a fetch from `remote`: everything into one namespace (`into`, ending in
    /// '/'; by default the remote's own, `refs/remotes/<remote>/`; a fetch uses the quarantine's).
    static func fetchRefspecs(_ remote: String, into prefix: String? = nil) -> [String] {
        let to = prefix ?? "refs/remotes/\(remote)/"
        return ["+refs/heads/*:\(to)*",
                "+refs/tags/*:\(to)trail-tags/*",
                "+refs/models/*:\(to)trail-models/*",
                "+\(Store.contentRef):\(to)trail/content",
                "+\(ErasureLog.ref):\(to)trail/erasures"]
    }

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
            throw TrailError("no remote named '\(remote)'", hint: "add it with `trail remote add \(remote) URL`")
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
        Trace.mark("fetch: tags and models reconciled")
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
            throw TrailError("refused what \(quarantine.remote) sent: \(problems.count == 1 ? "1 problem" : "\(problems.count) problems"); nothing here changed",
                             hint: "the remote holds data Trail did not write (or that a newer version wrote); fix or remove it there, or ask its owner",
                             details: problems)
        }
        if let erasures = refs.first(where: { $0.name == "trail/erasures" })?.target {
            let shared = try samplesSharingIncomingErasures(erasures)
            if !shared.isEmpty && !acceptErasures {
                throw TrailError("\(quarantine.remote)'s erasure records would also remove the content of \(shared.count) sample\(shared.count == 1 ? "" : "s") they do not name: \(Eraser.list(shared.map(\.sample))); nothing here changed",
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

    /// Pushes `branch` (default: the current one) with every tag, model, the content ref and the
    /// erasure log. Fetches first, so that the content ref sent is the union of both sides; the
    /// push is refused if the remote's content ref moved in between (another push), and retried.
    public func push(_ remote: String, branch: String?, credentials: CredentialProvider?,
                     progress: ((TransferProgress) -> Void)? = nil) throws -> PushResult {
        try store.withWriteLock {
            let repo = store.repository
            guard let branchRef = try branch.map({ "refs/heads/" + $0 }) ?? store.currentBranchRef(),
                  let tip = try repo.reference(branchRef) else {
                throw TrailError("nothing to push: \(branch.map { "no branch named '\($0)'" } ?? "the current branch has no commits")",
                                 hint: "`trail branch` lists the branches")
            }
            var lastError: Error?
            for _ in 0..<3 {
                let seenContent = try fetchLocked(remote, credentials: credentials, progress: nil).remoteContent
                // A store made before the content ref was a commit: wrap its tree, since only
                // commits and tags travel in a push.
                if let content = try ContentRef.read(repo), content.target == content.tree {
                    try ContentRef.replace(in: store, withRoot: content.tree, expected: content.target, message: "trail push: content as a commit")
                }
                // First the content ref and the erasure log, then what names content: a server
                // that refuses the first never holds records whose content nothing keeps.
                var first: [String] = []
                if try repo.reference(Store.contentRef) != nil { first.append("+\(Store.contentRef):\(Store.contentRef)") }
                if try repo.reference(ErasureLog.ref) != nil { first.append("\(ErasureLog.ref):\(ErasureLog.ref)") }
                // Tags and models never move: send the ones the remote lacks (libgit2 pushes no
                // globs, so each by name); one it holds under the same name stays as it is there.
                var second = ["\(branchRef):\(branchRef)"]
                var notSent: [String] = []
                for (prefix, tracking) in [("refs/tags/", "trail-tags/"), (Store.modelRefPrefix, "trail-models/")] {
                    for ref in try repo.references(matching: prefix + "*") {
                        let name = String(ref.name.dropFirst(prefix.count))
                        switch try repo.reference("refs/remotes/\(remote)/\(tracking)\(name)") {
                        case nil: second.append("\(ref.name):\(ref.name)")
                        case let theirs? where theirs != ref.target: notSent.append(String(ref.name.dropFirst("refs/".count)))
                        default: break
                        }
                    }
                }
                do {
                    if !first.isEmpty {
                        try transfer("push to \(remote)") {
                            try repo.push(to: remote, refspecs: first, credentials: credentials, progress: progress, negotiate: { updates in
                                // The content ref is replaced, not fast-forwarded: send it only over what was merged.
                                guard let content = updates.first(where: { $0.destination == Store.contentRef }) else { return nil }
                                return content.remoteOld == seenContent ? nil : "the remote's content ref moved during the push"
                            })
                        }
                    }
                    try transfer("push to \(remote)") {
                        try repo.push(to: remote, refspecs: second, credentials: credentials, progress: progress)
                    }
                    return PushResult(remote: remote, branch: String(branchRef.dropFirst("refs/heads/".count)), commit: tip.hex, notSent: notSent)
                } catch let error as TrailError where error.message.contains("content ref moved") {
                    lastError = error
                    continue
                }
            }
            throw lastError!
        }
    }

    /// Runs a transfer, turning libgit2's errors into ones a user can act on.
    private func transfer<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as GitError {
            if error.code == -16 {
                throw TrailError("\(what): \(error.message)",
                                 hint: "give a user name and password (or token) through a git credential helper (`git config --global credential.helper store`), or TRAIL_USERNAME and TRAIL_PASSWORD")
            }
            if error.code == -11 || error.message.contains("non-fast-forward") || error.message.contains("fetch first") {
                throw TrailError("\(what) was rejected: \(error.message)",
                                 hint: "the remote has commits this store lacks: `trail pull` first, then push again")
            }
            if error.message.contains("content ref moved") { throw TrailError("\(what): \(error.message)") }
            // The server answered, so the URL and the network are fine: it refused this user or this push.
            if error.message.contains("status code: 403") {
                throw TrailError("\(what) was refused by the server (HTTP 403 Forbidden)",
                                 hint: "the user may lack access, or the server takes no pushes (for git http-backend: `git config http.receivepack true` in the served repository)")
            }
            throw TrailError("\(what) failed: \(error.message)", hint: "check the remote's URL (`trail remote list`) and that the server is reachable")
        }
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
            return try ContentTree.ids(remoteRoot, in: repo).count
        }
        let missing = try local.map { try ContentTree.idsOnlyIn(remoteRoot, comparedWith: $0.tree, in: repo) }
            ?? ContentTree.ids(remoteRoot, in: repo)
        guard !missing.isEmpty else { return 0 }
        var changes: [ObjectID: ObjectID?] = [:]
        for id in missing { changes[id] = .some(id) }
        var (tree, _) = try ShardedTree.update(repo, oldRoot: local?.tree, changes: changes)
        tree.finish(rootFiles: [])
        try ContentRef.replace(in: store, with: tree, expected: local?.target, message: "trail fetch: content")
        return missing.count
    }
}

/// Reading the content ref's tree (sharded like a snapshot, keyed by blob id).
enum ContentTree {
    /// Every blob id the tree at `root` lists.
    static func ids(_ root: ObjectID, in repo: Repository) throws -> [ObjectID] {
        var ids: [ObjectID] = []
        for mid in try repo.readTree(root) where mid.mode == .tree {
            for leaf in try repo.readTree(mid.id) where leaf.mode == .tree {
                ids += try TreeFormat.decodeHexNamed(repo.read(leaf.id, as: .tree)).map(\.id)
            }
        }
        return ids
    }

    /// The ids `root` lists that `other` does not, reading only the subtrees whose ids differ.
    static func idsOnlyIn(_ root: ObjectID, comparedWith other: ObjectID, in repo: Repository) throws -> [ObjectID] {
        var theirs: [String: ObjectID] = [:]
        for e in try repo.readTree(other) where e.mode == .tree { theirs[e.name] = e.id }
        var result: [ObjectID] = []
        for mid in try repo.readTree(root) where mid.mode == .tree && theirs[mid.name] != mid.id {
            var otherLeaves: [String: ObjectID] = [:]
            if let otherMid = theirs[mid.name] { for e in try repo.readTree(otherMid) { otherLeaves[e.name] = e.id } }
            for leaf in try repo.readTree(mid.id) where otherLeaves[leaf.name] != leaf.id {
                let known = Set(try otherLeaves[leaf.name].map { try TreeFormat.decodeHexNamed(repo.read($0, as: .tree)).map(\.key) } ?? [])
                result += try TreeFormat.decodeHexNamed(repo.read(leaf.id, as: .tree)).map(\.key).filter { !known.contains($0) }
            }
        }
        return result
    }
}

/// What a pull did to the current branch.
public struct PullResult: Codable, Equatable {
    public enum Outcome: String, Codable { case upToDate = "up-to-date", fastForward = "fast-forward", created, ahead, merged, conflicts }
    public var fetch: FetchResult
    public var branch: String
    public var outcome: Outcome
    public var commit: String
    /// The merge, when both sides had moved on.
    public var merge: MergeResult?
}

extension Remotes {
    /// Fetches `remote` and brings the current branch up to its remote branch: a fast-forward
    /// when only the remote moved, else a sample-level merge (see `Merger`) that stops on
    /// conflicts unless `strategy` settles them.
    public func pull(_ remote: String, credentials: CredentialProvider?, strategy: MergeStrategy = .stop,
                     author: Signature? = nil, acceptErasures: Bool = false,
                     progress: ((TransferProgress) -> Void)? = nil) throws -> PullResult {
        try store.withWriteLock {
            let repo = store.repository
            guard let branchRef = try store.currentBranchRef() else {
                throw TrailError("HEAD is detached", hint: "switch to a branch with `trail checkout BRANCH` first")
            }
            let fetched = try fetchLocked(remote, credentials: credentials, progress: progress, acceptErasures: acceptErasures).0
            let name = String(branchRef.dropFirst("refs/heads/".count))
            guard let theirs = try repo.reference("refs/remotes/\(remote)/\(name)") else {
                throw TrailError("\(remote) has no branch '\(name)'", hint: "push it with `trail push \(remote) \(name)`")
            }
            var result = PullResult(fetch: fetched, branch: name, outcome: .upToDate, commit: theirs.hex)
            guard let ours = try repo.reference(branchRef) else {
                try repo.updateReference(branchRef, to: theirs, expected: nil, message: "trail pull")
                result.outcome = .created
                try LineageUpdater(store: store).catchUp()
                return result
            }
            if ours == theirs { return result }
            if try repo.isDescendant(ours, of: theirs) {
                result.outcome = .ahead
                result.commit = ours.hex
                return result
            }
            guard try repo.isDescendant(theirs, of: ours) else {
                let signature = author ?? store.automaticSignature()
                let merge = try Merger(store: store).mergeLocked("\(remote)/\(name)", strategy: strategy,
                                                                 message: "Merge \(remote)/\(name) into \(name)", author: signature)
                result.merge = merge
                result.outcome = merge.outcome == .conflicts ? .conflicts : .merged
                result.commit = merge.commit ?? ours.hex
                return result
            }
            try repo.updateReference(branchRef, to: theirs, expected: ours, message: "trail pull: fast-forward")
            result.outcome = .fastForward
            // The remote's tip may still hold a sample erased here: carry it out again.
            _ = try Eraser(store: store).finishLocked(ErasureResult(), author: author ?? store.automaticSignature())
            try LineageUpdater(store: store).catchUp()
            return result
        }
    }

    /// Where `trail clone URL [DIR]` puts the store: `DIR/.trail` (DIR relative to the current
    /// folder), or `./.trail` without DIR, as `git clone URL DIR` makes `DIR/.git`.
    public static func clonePath(into dir: String?) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        guard let dir, !dir.isEmpty else { return cwd + "/.trail" }
        let folder = dir.hasPrefix("/") ? URL(fileURLWithPath: dir) : URL(fileURLWithPath: cwd).appendingPathComponent(dir)
        return folder.standardizedFileURL.appendingPathComponent(".trail").path
    }

    /// Clones the store at `url` into a new store at `path` (see `clonePath(into:)`): every branch
    /// as a remote branch of `origin`, `main` (or the first branch) checked out, tags, models,
    /// content and erasures, and the index built. The folder holding `path` is created when
    /// missing (and removed again if the clone fails). The store is built in a temporary folder
    /// beside `path` and renamed into place when complete, so a failure (or a kill) never leaves a
    /// store that looks whole, and never touches what `path` held: it must be new or an empty
    /// folder. Temporary folders of clones that were killed are removed by the next clone there.
    public static func clone(_ url: String, into path: String, credentials: CredentialProvider?,
                             progress: ((TransferProgress) -> Void)? = nil) throws -> (Store, FetchResult) {
        let fm = FileManager.default
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporaryPrefix = "." + name.drop(while: { $0 == "." }) + "-clone-"
        var createdParent = false
        var isDirectory: ObjCBool = false
        if !fm.fileExists(atPath: parent, isDirectory: &isDirectory) {
            do { try fm.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                throw TrailError("cannot create \(parent): \(error.localizedDescription)", hint: "check that its parent folder exists and is writable")
            }
            createdParent = true
        } else if !isDirectory.boolValue {
            throw TrailError("\(parent) is a file, not a folder", hint: "clone into a new or empty folder: trail clone URL DIR")
        }
        removeAbandonedClones(in: parent, prefix: temporaryPrefix)
        let existed = fm.fileExists(atPath: path, isDirectory: &isDirectory)
        if existed && (!isDirectory.boolValue || !((try? fm.contentsOfDirectory(atPath: path))?.isEmpty ?? false)) {
            throw TrailError("\(path) exists and is not empty", hint: "clone into a new or empty folder: trail clone URL DIR")
        }
        let building = parent + "/" + temporaryPrefix + String(getpid())
        try? fm.removeItem(atPath: building)
        defer { if createdParent && !fm.fileExists(atPath: path) { try? fm.removeItem(atPath: parent) } }
        do {
            var store = try Store.create(at: building, config: DatasetConfig())
            try store.repository.addRemote("origin", url: url)
            let repo = store.repository
            var branch = ""
            // Once the snapshots are here: check out the branch, take its configuration, and
            // build the index on another thread while the content arrives.
            let startIndex = { () throws -> (() throws -> Void) in
                let branches = try repo.references(matching: "refs/remotes/origin/*")
                    .map { String($0.name.dropFirst("refs/remotes/origin/".count)) }
                    .filter { !$0.hasPrefix("trail-tags/") && !$0.hasPrefix("trail-models/") && !$0.hasPrefix("trail/") }
                guard let chosen = branches.contains(Store.defaultBranch) ? Store.defaultBranch : branches.first,
                      let tip = try repo.reference("refs/remotes/origin/\(chosen)") else {
                    throw TrailError("\(url) holds no Trail branches", hint: "check the URL; an empty remote is filled with `trail push`")
                }
                branch = chosen
                try repo.updateReference("refs/heads/" + chosen, to: tip, expected: nil, message: "trail clone")
                try repo.setSymbolicReference("HEAD", to: "refs/heads/" + chosen, message: "trail clone")
                // The field configuration travels in every commit; the store's copy comes from HEAD's.
                let config = try Snapshot(repository: repo, commit: tip).config()
                try Data(config.encoded()).write(to: URL(fileURLWithPath: building + "/dataset.json"), options: .atomic)
                FaultInjection.reached("clone-snapshots-arrived")
                let indexStore = try Store.open(at: building)
                final class Outcome: @unchecked Sendable { var error: Error? }
                let done = DispatchSemaphore(value: 0), outcome = Outcome()
                Thread.detachNewThread {
                    // The index is derived and written beside the git files: no git handle is
                    // shared with the transfer (the store lock is this clone's).
                    do { _ = try LineageUpdater(store: indexStore).rebuild() } catch { outcome.error = error }
                    done.signal()
                }
                return {
                    done.wait()
                    if let error = outcome.error { throw error }
                }
            }
            let fetched = try store.withWriteLock {
                try Remotes(store: store).fetchLocked("origin", credentials: credentials, progress: progress, catchUpIndex: false,
                                                      snapshotsArrived: startIndex).0
            }
            Trace.mark("clone: index built, \(branch) checked out")
            store = try Store.open(at: building)
            // Tags and models were added after the index was built: it takes them in (cheap).
            _ = try store.withWriteLock { try LineageUpdater(store: store).catchUp() }
            if existed { try fm.removeItem(atPath: path) }  // the empty folder it replaces
            guard rename(building, path) == 0 else {
                throw TrailError("cannot move the clone into place at \(path): \(String(cString: strerror(errno)))",
                                 hint: "check that \(parent) is writable")
            }
            return (try Store.open(at: path), fetched)
        } catch {
            try? fm.removeItem(atPath: building)
            if existed && !fm.fileExists(atPath: path) { try? fm.createDirectory(atPath: path, withIntermediateDirectories: false) }
            throw error
        }
    }

    /// Removes the temporary folders (`prefix` + pid) that clones killed before finishing left in
    /// `folder`; a folder whose process still runs is another clone's and stays.
    private static func removeAbandonedClones(in folder: String, prefix: String) {
        let fm = FileManager.default
        for entry in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] where entry.hasPrefix(prefix) {
            guard let pid = pid_t(entry.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            try? fm.removeItem(atPath: folder + "/" + entry)
        }
    }
}
