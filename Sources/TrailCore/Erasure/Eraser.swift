import Foundation
import Git
import GitFormat

/// What to erase.
public struct ErasureRequest {
    /// The sample ids whose content must go.
    public var samples: [String]
    /// Why the content is erased, as recorded in the erasure log.
    public var reason: String
    /// Who erases, and when; recorded as `erasedBy` and the date.
    public var author: Signature
    /// Also erase samples whose content is byte for byte the same as an erased sample's
    /// (otherwise such sharing is an error that names them).
    public var includeShared: Bool

    /// A request to erase the content of `samples`, for `reason`, by `author`.
    public init(samples: [String], reason: String, author: Signature, includeShared: Bool = false) {
        self.samples = samples
        self.reason = reason
        self.author = author
        self.includeShared = includeShared
    }
}

/// What an erasure did.
public struct ErasureResult: Codable, Equatable {
    /// The record appended to `refs/trail/erasures` (nil when `finish` had nothing new to record).
    public var record: ErasureRecord?
    /// Samples erased because they shared content with the requested ones (`includeShared`).
    public var shared: [String] = []
    /// Samples that an earlier erasure had already covered, left as they were.
    public var alreadyErased: [String] = []
    /// The commits that removed the samples from branch tips, one per branch that held them.
    public var commits: [BranchCommit] = []
    /// Content blobs taken out of the content ref, and copies of them deleted from the object store.
    public var contentUnlisted = 0
    /// Copies of those blobs deleted from the object store (loose files and pack entries).
    public var copiesDeleted = 0
    /// Packs rewritten without the erased content.
    public var packsRewritten = 0
    /// With a media store: erased content ids deleted from its bucket (nil without one).
    public var mediaDeleted: Int?

    /// A commit that removed erased samples from a branch.
    public struct BranchCommit: Codable, Equatable {
        /// The branch the commit was made on.
        public var branch: String
        /// The new commit, which the branch now points at.
        public var commit: String
        /// Erased samples the commit removed from the branch.
        public var removed: Int
    }
}

/// Erases samples' content from every version, without rewriting history.
///
/// Records name their content by blob id as data, not as tree entries, so the content can be
/// deleted while every commit, tree, record, tag and model keeps its id. An erasure:
/// 1. appends a record (who, when, why, sample ids, content ids) to `refs/trail/erasures`:
///    from then on the erasure is decided;
/// 2. then *finishes* it: commits the samples' removal on every branch whose tip holds them,
///    takes the content out of `refs/trail/content`, and rewrites every pack that holds it.
/// A marker file (`erasure-in-progress`) spans both steps; a store opened with the marker
/// present and no writer running finishes the interrupted erasure before anything else.
/// Finishing is idempotent: it makes the store agree with every record of the log.
public struct Eraser {
    let store: Store

    /// An eraser working on `store`.
    public init(store: Store) { self.store = store }

    /// The marker a running erasure keeps beside the git files.
    var markerPath: String { store.path + "/erasure-in-progress" }

    /// Erases `request.samples` (see the type's documentation). Nothing is written when a
    /// sample is unknown or shares content with samples not being erased.
    public func erase(_ request: ErasureRequest, onWaitForLock: () -> Void = {}) throws -> ErasureResult {
        let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw TrailError(.usage, "an erasure needs a reason", hint: "pass --reason \"...\" (e.g. the request or legal basis); it is kept in the erasure record")
        }
        var ids: [String] = []
        var seen = Set<String>()
        for id in request.samples where seen.insert(id).inserted { ids.append(id) }
        guard !ids.isEmpty else { throw TrailError(.usage, "no sample ids to erase", hint: "name them as arguments or with --from-file FILE") }

        return try store.withWriteLock(onWait: onWaitForLock) {
            let repo = store.repository
            let log = try ErasureLog.read(repo)
            let finder = try SampleVersions(store: store)
            var result = ErasureResult()
            // Unknown ids are an error before anything is written.
            let versions = try finder.records(of: ids)
            let unknown = ids.filter { versions[$0] == nil }
            if !unknown.isEmpty {
                throw TrailError(.notFound(.sample, name: Self.list(unknown)), "\(unknown.count == 1 ? "sample" : "samples") \(Self.list(unknown)) \(unknown.count == 1 ? "is" : "are") in no version of this store",
                                 hint: "check the ids (they are case-sensitive); `trail history ID` shows a sample's versions. Nothing was erased")
            }
            var perSample: [String: Set<ObjectID>] = [:]
            for id in ids { perSample[id] = try finder.content(of: versions[id] ?? []) }
            // Samples erased before whose content is gone already need nothing new.
            result.alreadyErased = ids.filter { id in
                log.bySample[id] != nil && perSample[id, default: []].allSatisfy { log.byContent[$0] != nil }
            }
            var erasedIDs = ids.filter { !result.alreadyErased.contains($0) }
            if erasedIDs.isEmpty { return try finish(result) }
            var content = Set(erasedIDs.flatMap { perSample[$0] ?? [] })
            // Content that other samples of a branch tip also hold.
            while true {
                let sharing = try finder.samplesSharing(content, except: Set(erasedIDs.map(SampleKey.of)))
                if sharing.isEmpty { break }
                guard request.includeShared else {
                    let shown = sharing.prefix(10).map { "'\($0.sample)' (same \($0.field) as an erased sample)" }
                    throw TrailError(.refused, "the content to erase is also the content of \(sharing.count) other sample\(sharing.count == 1 ? "" : "s"): \(shown.joined(separator: ", "))\(sharing.count > 10 ? ", ..." : "")",
                                     hint: "erase them too: list their ids, or pass --include-shared. Nothing was erased")
                }
                let more = Array(Set(sharing.map(\.sample))).sorted()
                result.shared += more
                erasedIDs += more
                let moreVersions = try finder.records(of: more)
                content.formUnion(try finder.content(of: more.flatMap { moreVersions[$0] ?? [] }))
            }

            try startMarker()
            let record = ErasureRecord(sequence: 0, erasedBy: "\(request.author.name) <\(request.author.email)>",
                                       date: isoDate(Signature(name: "", email: "", time: request.author.time)),
                                       time: request.author.time, reason: reason, samples: erasedIDs.sorted(),
                                       content: content.map(\.hex).sorted(), mediaStore: store.mediaStoreLocation?.description)
            let (_, appended) = try log.appending(record, by: request.author, in: repo)
            result.record = appended
            Trace.mark("erase: record \(appended.sequence) appended")
            FaultInjection.reached("erase-recorded")
            result = try finishLocked(result, author: request.author, removing: Set(erasedIDs), media: .newRecords(quiet: false))
            return result
        }
    }

    /// Completes every erasure of the log (after an interrupted `erase`, or after a pull brought
    /// in a record): removes erased samples from branch tips, unlists their content and deletes
    /// every copy of it. Cheap when there is nothing left to do.
    public func finish(author: Signature? = nil, onWaitForLock: () -> Void = {}) throws -> ErasureResult {
        // Asked for explicitly, every erased media object is deleted from the bucket again (see MediaErasure).
        try store.withWriteLock(onWait: onWaitForLock) { try finishLocked(ErasureResult(), author: author ?? store.automaticSignature(), media: .all) }
    }

    /// Finishing commits are by `author`, else the store's automatic signature.
    private func finish(_ result: ErasureResult, author: Signature? = nil) throws -> ErasureResult {
        try finishLocked(result, author: author ?? store.automaticSignature())
    }

    /// Finishes an erasure a killed process left behind, when no writer holds the lock. True when
    /// it did (the caller should reopen the repository: its handle may still see deleted packs).
    func finishIfInterrupted() throws -> Bool {
        guard FileManager.default.fileExists(atPath: markerPath) else { return false }
        // A store this user may only read is read as it is; a writer finishes the erasure.
        guard access(store.path, W_OK) == 0 else { return false }
        do {
            return try store.withWriteLock(timeout: 0) {
                // Another process may have finished it between the check and the lock.
                guard FileManager.default.fileExists(atPath: markerPath) else { return false }
                let done = try finishLocked(ErasureResult(), author: store.automaticSignature(), media: .newRecords(quiet: true))
                let changed = !done.commits.isEmpty || done.contentUnlisted > 0 || done.copiesDeleted > 0
                store.finishedInterruptedErasure = changed
                return changed
            }
        } catch let error as TrailError where error.isBusy {
            // A writer is running (maybe the erasure itself): the store is consistent for readers.
            return false
        }
    }

    /// `removing`: the samples of an erasure being made now, removed from every branch tip
    /// whatever their record; others only while their record names erased content.
    /// `media`: how far the media store's part goes (fetch, pull and merge delete cached copies only).
    func finishLocked(_ start: ErasureResult, author: Signature, removing: Set<String> = [],
                      media: MediaErasure.Scope = .cacheOnly) throws -> ErasureResult {
        var result = start
        let repo = store.repository
        let log = try ErasureLog.read(repo)
        if !log.records.isEmpty {
            try startMarker()
            // 1. No branch tip keeps an erased sample: one whose record names erased content, or
            //    that the erasure being made names (a sample re-added since with new content
            //    under the same id stays).
            let remoteTips = try repo.references(matching: "refs/remotes/*")
            for (branch, tip) in try repo.references(matching: "refs/heads/*") {
                let snapshot = try Snapshot(repository: repo, commit: tip)
                var held: [String] = []
                var sequence = 0
                for record in log.records {
                    for id in record.samples where !held.contains(id) {
                        guard let recordID = try snapshot.recordID(forKey: SampleKey.of(id)) else { continue }
                        let stored = try SampleRecord.decode(repo.read(recordID, as: .blob))
                        guard removing.contains(id) || log.erasure(of: stored) != nil else { continue }
                        held.append(id)
                        sequence = max(sequence, record.sequence)
                    }
                }
                guard !held.isEmpty, let record = log.records.first(where: { $0.sequence == sequence }) else { continue }
                // A branch whose remote copy is ahead and no longer holds them gets that copy's
                // removal with the next pull (a fast-forward); one of its own would diverge.
                let name = String(branch.dropFirst("refs/heads/".count))
                var delivered = false
                for remote in remoteTips where remote.name.hasSuffix("/" + name) && remote.target != tip {
                    guard try repo.isDescendant(remote.target, of: tip) else { continue }
                    let theirs = try Snapshot(repository: repo, commit: remote.target)
                    if try held.allSatisfy({ try theirs.recordID(forKey: SampleKey.of($0)) == nil }) { delivered = true }
                }
                if delivered { continue }
                var request = CommitRequest(manifestPath: "(erasure)", message: "Erase \(held.count) sample\(held.count == 1 ? "" : "s"): \(record.reason)",
                                            author: Signature.now(name: author.name, email: author.email), isPatch: true)
                request.erasure = (held, branch, sequence)
                let commit = try Committer(store: store).commitHoldingLock(request)
                result.commits.append(.init(branch: name, commit: commit.commit ?? "", removed: held.count))
                Trace.mark("erase: \(held.count) samples removed from \(branch)")
            }
            if !result.commits.isEmpty { FaultInjection.reached("erase-committed") }
            // 2. The content ref no longer lists erased content.
            let erased = Set(log.byContent.keys)
            if let content = try ContentRef.read(repo) {
                var changes: [ObjectID: ObjectID?] = [:]
                for id in erased { changes[id] = .some(nil) }
                var (tree, previous) = try ShardedTree.update(repo, oldRoot: content.tree, changes: changes)
                if !previous.isEmpty {
                    tree.finish(rootFiles: [])
                    do {
                        try ContentRef.replace(in: store, with: tree, expected: content.target, message: "trail erase")
                    } catch let error as GitError where error.isConcurrentUpdate {
                        throw TrailError(.concurrentUpdate(ref: Store.contentRef), "\(Store.contentRef) was moved by another process", hint: "run `trail erase --finish` to complete the erasure")
                    }
                    result.contentUnlisted += previous.count
                }
            }
            Trace.mark("erase: content ref updated")
            if result.contentUnlisted > 0 { FaultInjection.reached("erase-unlisted") }
            // 3. No copy of erased content stays in the object store.
            let stored = erased.filter { repo.contains($0) }
            if !stored.isEmpty {
                do {
                    let pruned = try repo.removeObjects(Set(stored), onPackReplaced: { FaultInjection.reached("erase-pack-replaced") })
                    result.copiesDeleted += pruned.copiesRemoved
                    result.packsRewritten += pruned.packsRewritten
                } catch let error as GitError {
                    throw TrailError(error.isDiskFull ? .diskFull : .git, "could not delete the erased content from the object store: \(error.description)",
                                     hint: "the erasure is recorded; free disk space if needed and run `trail erase --finish` to complete it")
                }
            }
            Trace.mark("erase: object store pruned")
            // 4. Nor in the media store.
            do {
                if let deleted = try MediaErasure.finish(log, store: store, scope: media) { result.mediaDeleted = (result.mediaDeleted ?? 0) + deleted }
            } catch {
                // Git's part is done: the store must not try again on every open while the server is
                // down. The objects wait for the next `erase` or `erase --finish` (and verify names them).
                try? FileManager.default.removeItem(atPath: markerPath)
                throw error
            }
            _ = try? LineageUpdater(store: store).catchUp()
        }
        try? FileManager.default.removeItem(atPath: markerPath)
        return result
    }

    /// Writes the marker that makes the next command that opens the store finish erasures.
    func startMarker() throws {
        guard !FileManager.default.fileExists(atPath: markerPath) else { return }
        guard FileManager.default.createFile(atPath: markerPath, contents: Data("erasure in progress; trail finishes it when the store is next opened\n".utf8)) else {
            throw TrailError(.fileSystem(path: markerPath), "cannot write \(markerPath)", hint: "check that you can write to the store; nothing was erased")
        }
    }

    static func list(_ ids: [String]) -> String {
        let shown = ids.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
        return ids.count > 5 ? shown + " and \(ids.count - 5) more" : shown
    }
}

extension Store {
    /// Finishes an erasure that a killed process left half done (see `Eraser`); true when it did.
    func finishInterruptedErasure() throws -> Bool { try Eraser(store: self).finishIfInterrupted() }
}
