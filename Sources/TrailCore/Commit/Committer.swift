import Dispatch
import Foundation
import Git
import GitFormat

/// What to commit.
public struct CommitRequest {
    /// The manifest (JSON Lines or CSV) to commit.
    public var manifestPath: String
    /// The manifest's format; nil to go by its extension.
    public var format: ManifestFormat?
    /// The folder media paths are relative to; nil for the manifest's folder.
    public var mediaRoot: String?
    /// The commit message.
    public var message: String
    /// The commit's author and committer, with the time it records.
    public var author: Signature
    /// True when the manifest lists changes only: upserts by id, and `{"id": …, "_delete": true}` removals.
    public var isPatch: Bool
    /// Set by erasure instead of a manifest: the samples to remove (each held by the branch),
    /// the branch to commit to, and the erasure record's number for the commit's trailers.
    var erasure: (removals: [String], branch: String, sequence: Int)?

    /// A commit of the manifest at `manifestPath`; `format` nil reads it from the file's extension.
    public init(manifestPath: String, format: ManifestFormat? = nil, mediaRoot: String? = nil,
                message: String, author: Signature, isPatch: Bool = false) {
        self.manifestPath = manifestPath
        self.format = format
        self.mediaRoot = mediaRoot
        self.message = message
        self.author = author
        self.isPatch = isPatch
    }
}

/// What a commit did.
public struct CommitResult: Codable, Equatable {
    /// False when the manifest matched HEAD exactly and nothing was written.
    public var committed: Bool
    /// The new commit (or HEAD, when nothing changed).
    public var commit: String?
    /// The commit the new one follows (HEAD before); nil for the first commit.
    public var parent: String?
    /// The branch that now points at `commit`.
    public var branch: String
    /// Samples in the new snapshot.
    public var samples: Int
    /// Samples the new snapshot holds that its parent did not.
    public var added: Int
    /// Samples its parent held that the new snapshot does not.
    public var removed: Int
    /// Samples whose record changed (labels, fields or content).
    public var modified: Int
    /// Objects written, and the size of the pack that holds them.
    public var objectsWritten: Int
    /// Size in bytes of the pack written; 0 when nothing was written.
    public var packBytes: Int
    /// With a media store: media files uploaded, and those the bucket held already (nil without one).
    public var mediaUploaded: Int?
    /// With a media store: media files the bucket held already, so not sent again (nil without one).
    public var mediaAlreadyStored: Int?
}

/// Commits a manifest as a new snapshot. Cost follows the change: a full manifest is read
/// and hashed once, and only records, content and trees that differ from HEAD are written.
public struct Committer {
    let store: Store

    /// A committer writing into `store`.
    public init(store: Store) { self.store = store }

    /// Validates the whole manifest first, so that bad input leaves the store exactly as it was;
    /// then writes one pack and moves the branch with a compare-and-swap, under the store lock.
    public func commit(_ request: CommitRequest, onWaitForLock: () -> Void = {}) throws -> CommitResult {
        // The manifest (and its media) is read and checked before the lock is taken: bad input, a
        // FIFO or a missing file fails without touching a byte of the store, the lock file included.
        // A large full JSON Lines manifest is read a window at a time under the lock, its objects
        // streamed into the new pack, so memory stays bounded (see StreamingCommit.swift).
        if streams(request) {
            let (result, leftovers) = try store.withWriteLock(onWait: onWaitForLock) { try commitStreamingLocked(request) }
            leftovers.freeInBackground()
            return result
        }
        let input = try request.erasure == nil ? ManifestInput(request: request, config: store.config, isPatch: request.isPatch) : nil
        if let input { try refuseAgainstHead(input, request: request) }
        let (result, leftovers) = try store.withWriteLock(onWait: onWaitForLock) { try commitLocked(request, checkedInput: input) }
        leftovers.freeInBackground()
        return result
    }

    /// Values too large to free on the caller's time: freeing a million records takes seconds
    /// that the caller, often a process about to exit, need not wait for. They move here once
    /// the function that made them has returned, so a background thread drops the last reference.
    final class Leftovers {
        private var values: [Any]
        init(_ values: [Any]) { self.values = values }
        func freeInBackground() {
            DispatchQueue.global(qos: .background).async { self.values.removeAll() }
        }
    }

    /// Commits while the caller already holds the store lock (erasure commits on several branches).
    func commitHoldingLock(_ request: CommitRequest) throws -> CommitResult {
        let (result, leftovers) = try commitLocked(request, checkedInput: nil)
        leftovers.freeInBackground()
        return result
    }

    private func commitLocked(_ request: CommitRequest, checkedInput: ManifestInput?) throws -> (CommitResult, Leftovers) {
        let repo = store.repository
        guard let branch = try request.erasure?.branch ?? store.currentBranchRef() else {
            throw TrailError(.invalidState, "HEAD is detached", hint: "switch to a branch with `trail checkout BRANCH` first")
        }
        let parent = try repo.reference(branch)
        let parentSnapshot = try parent.map { try Snapshot(repository: repo, commit: $0) }
        let input = try checkedInput ?? request.erasure.map { ManifestInput(removing: $0.removals) }
            ?? ManifestInput(request: request, config: store.config, isPatch: request.isPatch)
        Trace.mark("manifest opened")
        // Every refusal comes before the first write (the index checkpoint below included); they
        // were checked before the lock was taken too, and again here in case HEAD moved meanwhile.
        try refuseAgainstHead(input, request: request, branch: branch, parent: parentSnapshot)
        // What the last commit left in the index's WAL goes into the database file meanwhile
        // (see CommitIndexer, which defers it). A passive checkpoint runs beside a writer.
        let checkpoint = DispatchGroup()
        DispatchQueue.global(qos: .utility).async(group: checkpoint) { [store] in try? store.openIndex().checkpoint() }
        defer { checkpoint.wait() }
        // The index is built while the commit is planned and written (see CommitIndexer); a first
        // import's as soon as its records exist.
        var indexer = parent == nil && !request.isPatch ? CommitIndexer.beginImport(store: store, samples: input.samples, config: store.config) : nil
        defer { indexer?.cancel() }

        // A patch's new trees go into its pack as they are made (a patch touching every leaf of
        // ten million samples rewrites 1.3 GB of them): the pack is begun now, without its count,
        // and becomes visible only at the end like any other.
        let early = request.isPatch ? try packing { try PackWriter(objectsDirectory: repo.objectsDirectory) } : nil
        var packed = false
        defer { if !packed { early?.abort() } }
        var earlyCount = 0
        let emitTrees: (([PendingObject]) throws -> Void)? = early.map { writer in
            { trees in
                try packing { try writer.append(trees) }
                earlyCount += trees.count
            }
        }

        var plan: WritePlan
        if request.isPatch {
            guard let parentSnapshot else {
                throw TrailError(.invalidState, "there is no commit to patch on \(branch)", hint: "make a first commit from a full manifest: trail commit FILE -m MESSAGE")
            }
            // The index takes the rows of added samples while the old records are read, and the
            // others as soon as they are.
            // An erasure commit keeps its branch's own configuration (it may be another branch's).
            let config = request.erasure != nil ? try parentSnapshot.config() : store.config
            plan = try patchPlan(input, parent: parentSnapshot, config: config, added: { added in
                indexer = CommitIndexer.beginPatch(store: store, parent: parentSnapshot.commit, added: added,
                                                   time: request.author.time, config: store.config)
            }, replaced: { indexer?.supply($0) }, emitTrees: emitTrees)
        } else {
            plan = try fullPlan(input, parent: parentSnapshot)
        }
        Trace.mark("plan built: \(plan.objects.count) objects, \(plan.added + plan.modified + plan.removed) changes")
        let branchName = branch.replacingOccurrences(of: "refs/heads/", with: "")
        if let parentSnapshot, plan.tree.root == parentSnapshot.tree {
            return (CommitResult(committed: false, commit: parent?.hex, parent: (try? repo.commit(parentSnapshot.commit))?.parents.first?.hex,
                                 branch: branchName, samples: plan.summary.samples, added: 0, removed: 0, modified: 0,
                                 objectsWritten: 0, packBytes: 0), Leftovers([input, plan]))
        }

        if indexer == nil && !request.isPatch {
            indexer = CommitIndexer.begin(store: store, parent: parent, changes: plan.changes,
                                          time: request.author.time, config: store.config)
        }

        // The content ref: every content blob stays reachable from it, not from the snapshot.
        let oldContent = try ContentRef.read(repo)
        let oldContentRoot = oldContent?.tree
        var contentTree: ShardedTree?
        // New content: blobs of new records that the store lacks (the rest are already in the
        // content tree). A first commit into an empty store skips the lookups.
        let storeIsEmpty = parent == nil && oldContentRoot == nil
        var freshBlobs = storeIsEmpty ? plan.contentBlobs
            : plan.contentBlobs.filter { !plan.presentContent.contains($0.id) && !repo.contains($0.id) }
        // A pack holds each object once. Records, trees and content are each distinct already;
        // only a text that is byte for byte a record or a root file (JSON) could repeat one.
        if freshBlobs.contains(where: { $0.data.first == UInt8(ascii: "{") }) {
            let planned = Set(plan.objects.map(\.id))
            freshBlobs.removeAll { planned.contains($0.id) }
        }
        // With a media store, new media files go to its bucket now, and into neither the pack nor the content ref.
        let media = try MediaCommit.upload(&freshBlobs, samples: input.samples, store: store)
        plan.newContent = freshBlobs.map(\.id)
        Trace.mark("new content found: \(freshBlobs.count) blobs")
        if !plan.newContent.isEmpty {
            if let oldContentRoot {
                var changes: [ObjectID: ObjectID?] = [:]
                for id in plan.newContent { changes[id] = .some(id) }
                var updated = try ShardedTree.update(repo, oldRoot: oldContentRoot, changes: changes, emit: emitTrees).tree
                updated.finish(rootFiles: [])
                if updated.root != oldContentRoot { contentTree = updated }
            } else {
                var ids = plan.newContent
                if !ids.isSorted() { ids.sort() }
                var unique: [(key: ObjectID, value: ObjectID)] = []
                unique.reserveCapacity(ids.count)
                for id in ids where unique.last?.key != id { unique.append((id, id)) }
                contentTree = ShardedTree.build(sorted: unique, rootFiles: [])
            }
        }

        let commitBytes = CommitFormat.encodeCommit(
            tree: plan.tree.root, parents: parent.map { [$0] } ?? [], author: request.author, committer: request.author,
            message: commitMessage(request, plan: plan, parent: parentSnapshot))
        var objects = plan.objects
        objects.append(contentsOf: freshBlobs)
        // A full manifest rebuilds every tree; only those the store lacks are written.
        objects.append(contentsOf: storeIsEmpty || request.isPatch ? plan.tree.newTrees : plan.tree.newTrees.filter { !repo.contains($0.id) })
        let contentCommit = contentTree.map { ContentRef.wrapper(for: $0.root) }
        if let contentTree, let contentCommit { objects.append(contentsOf: contentTree.newTrees); objects.append(contentCommit) }
        let commitObject = PendingObject(type: .commit, data: commitBytes)
        objects.append(commitObject)


        Trace.mark("content tree built")
        let packBytes: Int
        if let early {
            let name = try packing { () -> String in
                try early.append(objects)
                return try early.finish()
            }
            let attributes = try? FileManager.default.attributesOfItem(atPath: repo.objectsDirectory + "/pack/\(name).pack")
            packBytes = (attributes?[.size] as? Int) ?? 0
        } else {
            packBytes = try store.writePack(objects)
        }
        packed = true
        Trace.mark("pack written: \(objects.count + earlyCount) objects")
        try repo.refreshObjects()
        if let contentCommit {
            try moveRef(Store.contentRef, to: contentCommit.id, from: oldContent?.target, message: "trail: content")
        }
        try moveRef(branch, to: commitObject.id, from: parent, message: "trail commit")
        // The commit has landed; the index follows, from what this commit already knows. If this
        // fails or the process dies here, `trail reindex` (or catch-up) rebuilds it from git.
        try? indexer?.finish(commit: repo.commit(commitObject.id), samples: plan.summary.samples, ref: branch,
                             models: Models(store: store).list())
        Trace.mark("index updated")
        AgreementCache.afterCommit(commitObject.id, parent: parent, firstRecord: parent == nil ? input.samples.first?.record.data : nil, store: store)
        Trace.mark("agreement counts kept")
        let result = CommitResult(committed: true, commit: commitObject.id.hex, parent: parent?.hex, branch: branchName,
                                  samples: plan.summary.samples, added: plan.added, removed: plan.removed,
                                  modified: plan.modified, objectsWritten: objects.count + earlyCount, packBytes: packBytes,
                                  mediaUploaded: media?.uploaded, mediaAlreadyStored: media?.alreadyThere)
        return (result, Leftovers([input, plan, objects, freshBlobs, contentTree as Any]))
    }

    /// What the manifest may not do to the branch it commits on: patch a branch with no commit,
    /// delete samples its tip lacks, bring erased content back. Reads only.
    func refuseAgainstHead(_ input: ManifestInput, request: CommitRequest, branch: String? = nil, parent: Snapshot?? = nil) throws {
        try refuseErasedContent(input)
        guard request.erasure == nil, request.isPatch else { return }
        guard let branch = try branch ?? store.currentBranchRef() else { return }  // detached: refused under the lock
        let parentSnapshot = try parent ?? store.repository.reference(branch).map { try Snapshot(repository: store.repository, commit: $0) }
        guard let parentSnapshot else {
            throw TrailError(.invalidState, "there is no commit to patch on \(branch)", hint: "make a first commit from a full manifest: trail commit FILE -m MESSAGE")
        }
        try refuseUnknownDeletions(input, parent: parentSnapshot)
    }

    /// A patch may only delete samples its parent holds.
    func refuseUnknownDeletions(_ input: ManifestInput, parent: Snapshot) throws {
        guard !input.deletions.isEmpty else { return }
        // Each subtree is read once, however many deletions fall in it.
        let cache = ShardedTree.Cache()
        for deletion in input.deletions
        where try ShardedTree.lookup(deletion.key, rootEntries: parent.rootEntries, repository: store.repository, cache: cache) == nil {
            throw InputError(file: input.file, line: deletion.line, field: store.config.idField,
                             message: "cannot delete sample '\(deletion.id)': HEAD does not hold it",
                             hint: "remove this line, or check the id")
        }
    }

    /// Content an erasure removed may not come back through a manifest that still holds it.
    func refuseErasedContent(_ input: ManifestInput) throws {
        let log = try ErasureLog.read(store.repository)
        guard !log.records.isEmpty else { return }
        for sample in input.samples {
            for blob in sample.contentBlobs {
                guard let erasure = log.byContent[blob.id] else { continue }
                let field = (try? SampleRecord.decode(sample.record.data))?.content.first { $0.blob == blob.id }?.field
                throw InputError(file: input.file, line: sample.line, field: field,
                                 message: "this content was erased (erasure \(erasure.sequence), \(erasure.date.prefix(10)): \(erasure.reason)) and cannot be committed again",
                                 hint: "remove the row from the manifest, or give the sample other content")
            }
        }
    }

    // MARK: - Plans

    /// What a commit writes: the new tree, the new records and content, and the counts.
    struct WritePlan {
        var tree: ShardedTree
        var objects: [PendingObject]
        /// Content blobs referenced by new records (to be added to the content ref).
        /// Content blobs of the new records, each once (some may be in the store already).
        var contentBlobs: [PendingObject] = []
        /// The ones the store lacks, to be added to the content ref.
        var newContent: [ObjectID] = []
        var summary: SnapshotSummary
        var added = 0, removed = 0, modified = 0
        /// Every changed sample of a full manifest: its parent record (nil when added) and its new
        /// version (nil when removed). A patch hands its index rows over as it plans instead.
        var changes: [(before: ObjectID?, after: BuiltSample?)] = []
        /// Content blobs known to be in the store already (named by the records a patch replaced).
        var presentContent: Set<ObjectID> = []
    }

    func rootFiles(config: DatasetConfig, summary: SnapshotSummary) -> (entries: [TreeEntry], objects: [PendingObject]) {
        let configBlob = PendingObject(type: .blob, data: config.encoded())
        let summaryBlob = PendingObject(type: .blob, data: summary.encoded())
        return ([TreeEntry(mode: .blob, name: Snapshot.configFile, id: configBlob.id),
                 TreeEntry(mode: .blob, name: Snapshot.summaryFile, id: summaryBlob.id)], [configBlob, summaryBlob])
    }

    /// A full manifest: build the whole tree, then write only what differs from the parent's.
    func fullPlan(_ input: ManifestInput, parent: Snapshot?) throws -> WritePlan {
        let samples = input.samples
        var summary = input.summary
        if let parent {
            // Columns keep the order they were first seen in across history, so committing the
            // same samples with keys in another order changes nothing.
            summary.columns = try parent.summary().columns
            summary.addColumns(input.summary.columns)
        }
        let files = rootFiles(config: store.config, summary: summary)
        let entries = samples.map { (key: $0.key, value: $0.record.id) }
        let tree = ShardedTree.build(sorted: entries, rootFiles: files.entries)
        Trace.mark("tree built")
        var plan = WritePlan(tree: tree, objects: files.objects, summary: summary)

        var newRecords: [Int] = []
        if let parent {
            // The new tree's leaves are in memory: only the parent's leaves that differ are read.
            let changes = try tree.changes(from: parent.rootEntries, entries: entries, repositoryPath: store.repository.path)
            var removedRecords: [ObjectID] = []
            var k = 0
            for change in changes {
                guard change.after != nil else { removedRecords.append(change.before!); continue }
                while entries[k].key < change.key { k += 1 }  // both sorted by key
                newRecords.append(k)
                plan.changes.append((change.before, samples[k]))
                if change.before == nil { plan.added += 1 } else { plan.modified += 1 }
            }
            plan.removed = removedRecords.count
            plan.changes += removedRecords.map { ($0, nil) }
        } else {
            newRecords = Array(samples.indices)
            plan.added = samples.count
            plan.changes = samples.map { (nil, $0) }
        }
        plan.objects.reserveCapacity(plan.objects.count + newRecords.count)
        var seen = Set<ObjectID>()
        for k in newRecords {
            plan.objects.append(samples[k].record)
            for blob in samples[k].contentBlobs where seen.insert(blob.id).inserted { plan.contentBlobs.append(blob) }
        }
        return plan
    }

    /// A patch: change only the listed samples, reading only the subtrees they live in.
    /// `added` gets the index rows of the added samples as soon as they are known, `replaced`
    /// those of the removed and modified ones.
    func patchPlan(_ input: ManifestInput, parent: Snapshot, config: DatasetConfig, added: ([ChangeRow]) -> Void,
                   replaced: ([ChangeRow]) -> Void, emitTrees: (([PendingObject]) throws -> Void)? = nil) throws -> WritePlan {
        let repo = store.repository
        var changes: [ObjectID: ObjectID?] = [:]
        for sample in input.samples { changes[sample.key] = .some(sample.record.id) }
        for deletion in input.deletions { changes[deletion.key] = .some(nil) }
        var (tree, previous) = try ShardedTree.update(repo, oldRoot: parent.tree, changes: changes, emit: emitTrees)
        Trace.mark("tree updated")
        for deletion in input.deletions where previous[deletion.key] == nil {
            throw InputError(file: input.file, line: deletion.line, field: store.config.idField,
                             message: "cannot delete sample '\(deletion.id)': HEAD does not hold it",
                             hint: "remove this line, or check the id")
        }
        added(input.samples.filter { previous[$0.key] == nil }.map { .added(record: $0.record.data, id: $0.record.id) })
        var touched: [(before: ObjectID, after: BuiltSample?)] = input.deletions.map { (previous[$0.key]!, nil) }
        for sample in input.samples { if let old = previous[sample.key] { touched.append((old, sample)) } }
        let oldConfig = try parent.config()
        let old: ReplacedRecords
        do {
            old = try ReplacedRecords.read(touched, oldConfig: oldConfig, newConfig: config, repositoryPath: repo.path)
        } catch var error as StoredRecordError {
            // A damaged record of the parent: the patch's line for that sample gives its key.
            let key = input.samples.first { previous[$0.key] == error.record }?.key ?? input.deletions.first { previous[$0.key] == error.record }?.key
            error.locate(commit: parent.commit, key: key, sample: input.deletions.first { $0.key == key }?.id, idField: oldConfig.idField)
            throw error
        }
        Trace.mark("old records read: \(touched.count)")
        replaced(old.rows.compactMap { $0 })
        var summary = try parent.summary()
        summary.merge(old.uncounted)
        summary.merge(input.summary)
        let files = rootFiles(config: config, summary: summary)
        tree.finish(rootFiles: files.entries)
        var plan = WritePlan(tree: tree, objects: files.objects, summary: summary)
        plan.presentContent = old.content
        var seen = Set<ObjectID>()
        for sample in input.samples {
            if let before = previous[sample.key] {
                guard before != sample.record.id else { continue }  // rewritten as it was
                plan.modified += 1
            } else {
                plan.added += 1
            }
            plan.objects.append(sample.record)
            for blob in sample.contentBlobs where seen.insert(blob.id).inserted { plan.contentBlobs.append(blob) }
        }
        plan.removed = input.deletions.count
        return plan
    }

    // MARK: - Writing

    func moveRef(_ name: String, to id: ObjectID, from old: ObjectID?, message: String) throws {
        do {
            try store.repository.updateReference(name, to: id, expected: old, message: message)
        } catch let error as GitError where error.isConcurrentUpdate {
            throw TrailError(.concurrentUpdate(ref: name), "\(name) was moved by another process during this commit",
                             hint: "run the commit again; nothing was lost")
        } catch let error as GitError where error.isDiskFull {
            throw TrailError(.diskFull, "could not move \(name): \(error.description)",
                             hint: "free some disk space (or raise the file-size limit) and commit again; \(name) still points where it did")
        }
    }

    func commitMessage(_ request: CommitRequest, plan: WritePlan, parent: Snapshot?) -> String {
        var message = request.message.trimmingCharacters(in: .whitespacesAndNewlines)
        let oldGuidelines: [String: Int] = (try? parent?.summary().guidelines) ?? [:]
        let grown = plan.summary.guidelines.filter { $0.value > (oldGuidelines[$0.key] ?? 0) }.keys.sorted()
        if let erasure = request.erasure {
            message += "\n\nTrail-Mode: erase\nTrail-Erasure: \(erasure.sequence)\n"
        } else {
            message += "\n\nTrail-Manifest: \((request.manifestPath as NSString).lastPathComponent)\n"
            message += "Trail-Mode: \(request.isPatch ? "patch" : "full")\n"
        }
        message += "Trail-Samples: \(plan.summary.samples)\n"
        if !grown.isEmpty { message += "Trail-Guidelines: \(grown.joined(separator: ", "))\n" }
        return message
    }
}
