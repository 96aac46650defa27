import Foundation
import Git
import GitFormat

/// What `trail media-store set` did.
public struct MediaStoreSetResult: Codable, Equatable {
    /// The media store, `s3://BUCKET/PREFIX`.
    public var mediaStore: String
    /// Media files the records of every version name.
    public var mediaFiles: Int
    /// Of those, uploaded now, and found in the bucket already.
    public var uploaded: Int
    /// Of those, found in the bucket already (not sent again).
    public var alreadyStored: Int
    /// Media blobs taken out of the git packs (and out of `refs/trail/content`).
    public var removedFromGit: Int
    /// The commit that records the setting on the current branch (nil when HEAD has none yet).
    public var commit: String?
}

/// Moves an existing store's media into a media store: every media file any version names is
/// uploaded (what the bucket holds already is not sent again), every one checked there by a HEAD,
/// and only then the setting written (`dataset.json`, and a commit on the current branch so that
/// it travels with push and clone), the blobs taken out of the content ref and deleted from the
/// packs. A run killed at any step leaves a store that reads (git's copy wins while there is one);
/// running it again finishes the move.
public struct MediaMigration {
    let store: Store

    /// A migration of `store`'s media.
    public init(store: Store) { self.store = store }

    /// Moves the media to `location` (see the type's documentation).
    public func set(_ text: String, author: Signature, onWaitForLock: () -> Void = {}) throws -> MediaStoreSetResult {
        let location = try MediaStoreLocation(parsing: text)
        if let current = store.config.mediaStore, current != location.description {
            throw TrailError(.refused, "this store's media are in \(current) already",
                             hint: "copy the objects to the new place (aws s3 sync s3://OLD s3://NEW), then edit mediaStore in \(store.path)/dataset.json; Trail moves media out of git, not between buckets")
        }
        return try store.withWriteLock(onWait: onWaitForLock) {
            var config = store.config
            config.mediaStore = location.description
            let media = try MediaStore(location: location, storePath: store.path)
            let repo = store.repository
            // Every media blob a record of any version names, that git holds.
            let commits = try SampleVersions(store: store).commits
            var problems: [String] = []
            let found = try RecordWalk.run(commits: commits, repository: repo, problems: &problems) { _, _, _, bytes -> [ObjectID]? in
                guard let record = try? SampleRecord.decode(bytes) else { return nil }
                let blobs = record.content.filter { $0.path != nil }.map(\.blob)
                return blobs.isEmpty ? nil : blobs
            }.records
            if let problem = problems.first {
                throw TrailError(.damagedStore, "the records cannot all be read: \(problem)", hint: "run `trail verify`; nothing was moved")
            }
            let log = try ErasureLog.read(repo)
            let ids = Set(found.flatMap { $0 }).filter { log.byContent[$0] == nil }.sorted()
            let inGit = ids.filter { repo.contains($0) }
            var result = MediaStoreSetResult(mediaStore: location.description, mediaFiles: ids.count, uploaded: 0, alreadyStored: 0, removedFromGit: 0)
            // 1. Upload, a batch at a time (each batch's bytes in memory while it goes).
            var batch: [PendingObject] = []
            var batchBytes = 0
            func flush() throws {
                let sent = try media.upload(batch)
                result.uploaded += sent.uploaded
                result.alreadyStored += sent.alreadyThere
                batch.removeAll(keepingCapacity: true)
                batchBytes = 0
            }
            for (n, id) in inGit.enumerated() {
                let bytes = try repo.read(id, as: .blob)
                batch.append(PendingObject(type: .blob, id: id, data: bytes))
                batchBytes += bytes.count
                if batchBytes >= 256 << 20 || batch.count >= 2048 { try flush() }
                if ProgressReport.isActive && n % 100 == 0 { ProgressReport.report("Uploading media", done: n, total: inGit.count, unit: "files") }
            }
            if !batch.isEmpty { try flush() }
            FaultInjection.reached("media-set-uploaded")
            // 2. Every one of them is there, with its size, before git lets go of any.
            let sizes = try media.sizes(ids)
            var wanted: [ObjectID: Int] = [:]
            for id in inGit { wanted[id] = try repo.header(id)?.size }
            let absent = ids.filter { id in
                guard let size = sizes[id] ?? nil else { return true }
                return wanted[id].map { $0 != size } ?? false
            }
            if let first = absent.first {
                throw TrailError(.objectStore(.missingObject), "\(absent.count) media file\(absent.count == 1 ? " is" : "s are") not in \(location) with the size git gives (the first: s3://\(location.bucket)/\(location.key(for: first))); nothing was removed from git",
                                 hint: "run `trail media-store set \(location)` again; media only git lost cannot be recovered here (restore them from a backup)")
            }
            // 3. The setting, then a commit that carries it.
            try Data(config.encoded()).write(to: URL(fileURLWithPath: store.configPath), options: .atomic)
            let updated = try Store.open(at: store.path)
            if let branch = try updated.currentBranchRef(), let head = try repo.reference(branch),
               try Snapshot(repository: repo, commit: head).config().mediaStore != location.description {
                result.commit = try recordSetting(config, branch: branch, head: head, author: author, in: updated).hex
            } else {
                result.commit = try updated.headCommit()?.hex
            }
            FaultInjection.reached("media-set-configured")
            // 4. Out of the content ref and the packs (through the reopened store, which sees the new commit's pack).
            let moved = updated.repository
            if let content = try ContentRef.read(moved), !inGit.isEmpty {
                var changes: [ObjectID: ObjectID?] = [:]
                for id in inGit { changes[id] = .some(nil) }
                var (tree, previous) = try ShardedTree.update(moved, oldRoot: content.tree, changes: changes)
                if !previous.isEmpty {
                    tree.finish(rootFiles: [])
                    try ContentRef.replace(in: updated, with: tree, expected: content.target, message: "trail media-store set")
                }
            }
            let stillInGit = Set(inGit.filter { moved.contains($0) })
            if !stillInGit.isEmpty {
                _ = try moved.removeObjects(stillInGit)
                // A fresh handle: the old one may still see the replaced packs.
                let check = try Repository(openBare: store.path)
                result.removedFromGit = stillInGit.filter { !check.contains($0) }.count
            }
            return result
        }
    }

    /// A commit on `branch` whose snapshot is `head`'s with `config` as its dataset.json: the
    /// setting travels with the history, as every commit carries its configuration.
    private func recordSetting(_ config: DatasetConfig, branch: String, head: ObjectID, author: Signature, in store: Store) throws -> ObjectID {
        let repo = store.repository
        let snapshot = try Snapshot(repository: repo, commit: head)
        let configBlob = PendingObject(type: .blob, data: config.encoded())
        var entries = snapshot.rootEntries.filter { $0.name != Snapshot.configFile }
        entries.append(TreeEntry(mode: .blob, name: Snapshot.configFile, id: configBlob.id))
        let tree = PendingObject(type: .tree, data: TreeFormat.encode(entries))
        let samples = (try? snapshot.summary().samples) ?? 0
        let message = "Keep media in \(config.mediaStore ?? "")\n\nTrail-Mode: media-store\nTrail-Samples: \(samples)\n"
        let commit = PendingObject(type: .commit, data: CommitFormat.encodeCommit(tree: tree.id, parents: [head], author: author,
                                                                                    committer: author, message: message))
        try store.writeMissing([configBlob, tree, commit])
        do {
            try repo.updateReference(branch, to: commit.id, expected: head, message: "trail media-store set")
        } catch let error as GitError where error.isConcurrentUpdate {
            throw TrailError(.concurrentUpdate(ref: branch), "\(branch) was moved by another process", hint: "run `trail media-store set` again")
        }
        try? LineageUpdater(store: store).catchUp()
        return commit.id
    }
}
