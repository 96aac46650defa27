import Dispatch
import Foundation
import Git
import GitFormat
#if canImport(Glibc)
import Glibc
#endif

/// A full JSON Lines manifest of millions of samples, committed with bounded memory.
///
/// The manifest is read a window at a time (`windowBytes`), each window's rows built on every
/// core as `ManifestInput` builds them; the records and content blobs the store lacks go straight
/// into the new pack (begun without its object count), a first import's index rows go to the
/// index thread in batches, and the window's pages are given back. What stays in memory is 40
/// bytes per sample (its key and record id, to build the tree and check ids are unique), the
/// ids of content seen, and the records a later commit changes (bounded by the change). The
/// tree is built, diffed against the parent and written as before; the pack becomes visible
/// and the branch moves only at the end, so a refused manifest still leaves every object, ref
/// and index row as it was. Unlike the in-memory path, the manifest is read under the store
/// lock (it cannot be checked whole first without holding it whole).
extension Committer {
    /// Manifests from this size up are streamed. `TRAIL_STREAM_BYTES` sets it (tests lower it).
    static let streamBytes = ProcessInfo.processInfo.environment["TRAIL_STREAM_BYTES"].flatMap { Int($0) } ?? (64 << 20)
    /// How much of the manifest is read at a time. `TRAIL_STREAM_WINDOW` sets it.
    static let windowBytes = max(1 << 16, ProcessInfo.processInfo.environment["TRAIL_STREAM_WINDOW"].flatMap { Int($0) } ?? (32 << 20))

    /// True when `request` is committed by streaming: a full manifest (not a patch, not an
    /// erasure) in JSON Lines, a regular file of at least `streamBytes`.
    func streams(_ request: CommitRequest) -> Bool {
        guard request.erasure == nil, !request.isPatch,
              (request.format ?? ManifestFormat.from(path: request.manifestPath)) == .jsonl else { return false }
        var info = stat()
        guard stat(request.manifestPath, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return Int(info.st_size) >= Self.streamBytes
    }

    /// Commits `request` (see `streams`) while the caller holds the store lock.
    func commitStreamingLocked(_ request: CommitRequest) throws -> (CommitResult, Leftovers) {
        let repo = store.repository
        let config = store.config
        guard let branch = try store.currentBranchRef() else {
            throw TrailError(.invalidState, "HEAD is detached", hint: "switch to a branch with `trail checkout BRANCH` first")
        }
        let branchName = branch.replacingOccurrences(of: "refs/heads/", with: "")
        let parent = try repo.reference(branch)
        let parentSnapshot = try parent.map { try Snapshot(repository: repo, commit: $0) }
        let oldContent = try ContentRef.read(repo)
        let storeIsEmpty = parent == nil && oldContent == nil
        let erasures = try ErasureLog.read(repo)

        // As in `commitLocked`: the last commit's WAL goes into the index file meanwhile.
        let checkpoint = DispatchGroup()
        DispatchQueue.global(qos: .utility).async(group: checkpoint) { [store] in try? store.openIndex().checkpoint() }
        defer { checkpoint.wait() }

        let writer = try packing { try PackWriter(objectsDirectory: repo.objectsDirectory) }
        var packed = false
        defer { if !packed { writer.abort() } }
        var objectCount = 0

        var indexer = storeIsEmpty ? CommitIndexer.beginStreamingImport(store: store, config: config) : nil
        defer { indexer?.cancel() }
        var streamed = try streamManifest(request, storeIsEmpty: storeIsEmpty, keepFresh: parent != nil, erasures: erasures,
                                          wantRows: indexer != nil, countAgreement: parent == nil) { objects, rows in
            if !objects.isEmpty {
                try packing { try writer.append(objects) }
                objectCount += objects.count
            }
            if let indexer, !rows.isEmpty { indexer.feed(rows) }
        }
        indexer?.endFeed()
        // The largest parts move out, so that each is freed as soon as it is done with.
        var entries = streamed.entries, newContent = streamed.newContent
        streamed.entries = []
        streamed.newContent = []
        let fresh = streamed.fresh, jsonTexts = streamed.jsonTexts
        var summary = streamed.summary
        Trace.mark("manifest streamed: \(entries.count) samples, \(objectCount) objects written")

        if let parentSnapshot {
            // Columns keep the order they were first seen in across history (as in `fullPlan`).
            let columns = summary.columns
            summary.columns = try parentSnapshot.summary().columns
            summary.addColumns(columns)
        }
        let files = rootFiles(config: config, summary: summary)
        // Trees go into the pack as they are built, a folder at a time; a full manifest rebuilds
        // every tree, and only those the store lacks are written.
        func writeTrees(_ trees: [PendingObject]) throws {
            let missing = storeIsEmpty ? trees : trees.filter { !repo.contains($0.id) }
            guard !missing.isEmpty else { return }
            try packing { try writer.append(missing) }
            objectCount += missing.count
        }
        let tree = try ShardedTree.build(sorted: entries, rootFiles: files.entries, emit: writeTrees)
        Trace.mark("tree built")

        var plan = WritePlan(tree: tree, objects: [], summary: summary)
        if let parentSnapshot {
            if tree.root == parentSnapshot.tree {
                return (CommitResult(committed: false, commit: parent?.hex, parent: (try? repo.commit(parentSnapshot.commit))?.parents.first?.hex,
                                     branch: branchName, samples: summary.samples, added: 0, removed: 0, modified: 0,
                                     objectsWritten: 0, packBytes: 0), Leftovers([fresh, tree]))
            }
            var removedRecords: [ObjectID] = []
            for change in try tree.changes(from: parentSnapshot.rootEntries, entries: entries, repositoryPath: repo.path) {
                guard let after = change.after else { removedRecords.append(change.before!); continue }
                let record = try fresh[change.key] ?? PendingObject(type: .blob, id: after, data: repo.read(after, as: .blob))
                plan.changes.append((change.before, BuiltSample(key: change.key, record: record, line: 0, contentBlobs: [])))
                if change.before == nil { plan.added += 1 } else { plan.modified += 1 }
            }
            plan.removed = removedRecords.count
            plan.changes += removedRecords.map { ($0, nil) }
            Trace.mark("changes found: \(plan.changes.count)")
            indexer = CommitIndexer.begin(store: store, parent: parent, changes: plan.changes,
                                          time: request.author.time, config: store.config)
        } else {
            plan.added = entries.count
        }

        var tail = files.objects
        if !jsonTexts.isEmpty {
            var taken = Set(entries.map(\.value))
            for object in files.objects { taken.insert(object.id) }
            for blob in jsonTexts where !taken.contains(blob.id) {
                tail.append(blob)
                newContent.append(blob.id)
            }
        }
        entries = []
        let newContentCount = newContent.count
        // The content tree's new trees go into the pack as they are made too (all but an updated root).
        var contentTree: ShardedTree?
        if !newContent.isEmpty {
            let writeContentTrees = { (trees: [PendingObject]) throws in
                try packing { try writer.append(trees) }
                objectCount += trees.count
            }
            if let oldContentRoot = oldContent?.tree {
                var changes: [ObjectID: ObjectID?] = [:]
                for id in newContent { changes[id] = .some(id) }
                var updated = try ShardedTree.update(repo, oldRoot: oldContentRoot, changes: changes, emit: writeContentTrees).tree
                updated.finish(rootFiles: [])
                if updated.root != oldContentRoot { contentTree = updated }
            } else {
                newContent.sort()
                var unique: [(key: ObjectID, value: ObjectID)] = []
                unique.reserveCapacity(newContent.count)
                for id in newContent where unique.last?.key != id { unique.append((id, id)) }
                newContent = []
                contentTree = try ShardedTree.build(sorted: unique, rootFiles: [], emit: writeContentTrees)
            }
        }
        Trace.mark("content tree built: \(newContentCount) new blobs")
        let contentCommit = contentTree.map { ContentRef.wrapper(for: $0.root) }
        if let contentTree, let contentCommit { tail += contentTree.newTrees; tail.append(contentCommit) }
        let commitObject = PendingObject(type: .commit, data: CommitFormat.encodeCommit(
            tree: tree.root, parents: parent.map { [$0] } ?? [], author: request.author, committer: request.author,
            message: commitMessage(request, plan: plan, parent: parentSnapshot)))
        tail.append(commitObject)
        let name = try packing { () -> String in
            try writer.append(tail)
            return try writer.finish()
        }
        packed = true
        objectCount += tail.count
        Trace.mark("pack written: \(objectCount) objects")
        let attributes = try? FileManager.default.attributesOfItem(atPath: repo.objectsDirectory + "/pack/\(name).pack")
        try repo.refreshObjects()
        if let contentCommit {
            try moveRef(Store.contentRef, to: contentCommit.id, from: oldContent?.target, message: "trail: content")
        }
        try moveRef(branch, to: commitObject.id, from: parent, message: "trail commit")
        try? indexer?.finish(commit: repo.commit(commitObject.id), samples: summary.samples, ref: branch,
                             models: Models(store: store).list())
        Trace.mark("index updated")
        // A first commit's counts were taken as its records were built; a later one's move from its parent's.
        if parent == nil {
            if streamed.agreement.judgmentsSeen > 0 { AgreementCache.keep(streamed.agreement, for: commitObject.id, store: store) }
        } else {
            AgreementCache.afterCommit(commitObject.id, parent: parent, firstRecord: nil, store: store)
        }
        Trace.mark("agreement counts kept")
        let hasMedia = try store.mediaStore() != nil
        let result = CommitResult(committed: true, commit: commitObject.id.hex, parent: parent?.hex, branch: branchName,
                                  samples: summary.samples, added: plan.added, removed: plan.removed, modified: plan.modified,
                                  objectsWritten: objectCount, packBytes: (attributes?[.size] as? Int) ?? 0,
                                  mediaUploaded: hasMedia ? streamed.media.uploaded : nil,
                                  mediaAlreadyStored: hasMedia ? streamed.media.alreadyThere : nil)
        return (result, Leftovers([streamed, plan, tail, contentTree as Any]))
    }

    /// What a streamed read of a full manifest keeps: its entries (key, record id) sorted and
    /// checked unique, its summary, the records the store lacked (by key, when `keepFresh`), and
    /// the content the store lacked (ids written, and JSON-looking texts not yet written).
    struct StreamedManifest {
        var entries: [(key: ObjectID, value: ObjectID)] = []
        var summary = SnapshotSummary()
        var fresh: [ObjectID: PendingObject] = [:]
        var newContent: [ObjectID] = []
        var jsonTexts: [PendingObject] = []
        /// What went to the media store (zero without one).
        var media = MediaStore.UploadResult()
        /// The judgments' agreement counts of every sample, when `countAgreement`.
        var agreement = AgreementCounter.empty
    }

    /// Reads `request`'s manifest a window at a time, building its rows on every core; hands
    /// `write` each window's objects the store lacks (records and content, each once) and, with
    /// `wantRows`, every sample's index row of a first import; gives the window's pages back.
    func streamManifest(_ request: CommitRequest, storeIsEmpty: Bool, keepFresh: Bool, erasures: ErasureLog, wantRows: Bool,
                        countAgreement: Bool = false, write: (_ objects: [PendingObject], _ rows: [ChangeRow]) throws -> Void) throws -> StreamedManifest {
        let repo = store.repository
        let config = store.config
        let path = request.manifestPath
        let (mapped, builder) = try ManifestInput.open(request, config: config)
        Trace.mark("manifest opened (streamed)")

        var out = StreamedManifest()
        // Ids of new content seen, so each is written once. Texts that are JSON objects could be byte for
        // byte a record (one pack holds an object once): they are left to the caller
        // (`jsonTexts`), to write once every record id is known.
        var seenContent = Set<ObjectID>()

        let bytes = mapped.bytes
        let parts = ProcessInfo.processInfo.activeProcessorCount * 4
        let progress = ProgressReport.isActive
            ? ProgressCounter("Reading \((path as NSString).lastPathComponent)", total: bytes.count, unit: "bytes") : nil
        // Which records and content the store holds already is asked on every core, each chunk
        // of a window through its own handle (a handle's pack reader is not thread-safe): at
        // ten million samples these twenty million index searches were a third of a `status`.
        var handles: [Repository] = []
        var start = 0, line = 1
        while start < bytes.count {
            var end = min(start + Self.windowBytes, bytes.count)
            if end < bytes.count {
                end = memchr(bytes.baseAddress! + end, 0x0a, bytes.count - end).map { UnsafeRawPointer($0) - bytes.baseAddress! + 1 } ?? bytes.count
            }
            let window = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            let firstLine = line
            let chunks = JSONLines.chunks(of: window, parts: parts).map { chunk -> ManifestChunk in
                guard case .jsonl(let b, let first) = chunk else { return chunk }
                return .jsonl(bytes: b, firstLine: first + firstLine - 1)
            }
            var results = [ChunkResult](repeating: ChunkResult(), count: chunks.count)
            var judged = [Result<AgreementCounter.Rows, Error>?](repeating: nil, count: countAgreement ? chunks.count : 0)
            if !storeIsEmpty { while handles.count < chunks.count { handles.append(try Repository(openBare: repo.path)) } }
            var held = [[Bool]](repeating: [], count: storeIsEmpty ? 0 : chunks.count)
            results.withUnsafeMutableBufferPointer { slots in
                judged.withUnsafeMutableBufferPointer { judgedSlots in
                    held.withUnsafeMutableBufferPointer { heldSlots in
                        // An empty array's buffer has an address too: only a counting window writes there.
                        let base = slots.baseAddress!, judgedBase = countAgreement ? judgedSlots.baseAddress : nil
                        let heldBase = storeIsEmpty ? nil : heldSlots.baseAddress
                        DispatchQueue.concurrentPerform(iterations: chunks.count) { k in
                            base[k] = ChunkResult.build(chunks[k], builder: builder, config: config, isPatch: false)
                            guard base[k].error == nil else { return }
                            if let judgedBase {
                                judgedBase[k] = Result { try AgreementCounter.rows(of: base[k].samples.map(\.record.data), config: config) }
                            }
                            if let heldBase { heldBase[k] = Self.held(base[k].samples, in: handles[k]) }
                        }
                    }
                }
            }
            for result in results { if let error = result.error { throw error } }
            for rows in judged { if let rows { out.agreement.add(try rows.get()) } }

            var objects: [PendingObject] = []
            var blobs: [PendingObject] = []
            var rows: [ChangeRow] = []
            for (k, result) in results.enumerated() {
                out.summary.merge(result.summary)
                // The workers' answers, taken in the order `held` gave them: the record's, then each content blob's.
                var answered = 0
                func lacks() -> Bool {
                    guard !storeIsEmpty else { return true }
                    defer { answered += 1 }
                    return !held[k][answered]
                }
                for sample in result.samples {
                    if !erasures.records.isEmpty { try refuseErasedContent(sample, log: erasures, file: path) }
                    out.entries.append((sample.key, sample.record.id))
                    if lacks() {
                        objects.append(sample.record)
                        if keepFresh { out.fresh[sample.key] = sample.record }
                    }
                    if wantRows { rows.append(.added(record: sample.record.data, id: sample.record.id)) }
                    // Only content the store lacks is remembered: a later commit of ten million
                    // samples then keeps the ids of its new content, not of all of it.
                    for blob in sample.contentBlobs where lacks() && seenContent.insert(blob.id).inserted {
                        blobs.append(blob)
                    }
                }
            }
            // With a media store, the window's new media go to its bucket now (before any ref
            // moves), and into neither the pack nor the content ref.
            if try store.mediaStore() != nil, let uploaded = try MediaCommit.upload(&blobs, samples: results.flatMap(\.samples), store: store) {
                out.media.uploaded += uploaded.uploaded
                out.media.alreadyThere += uploaded.alreadyThere
            }
            for blob in blobs {
                if blob.data.first == UInt8(ascii: "{") { out.jsonTexts.append(blob); continue }
                objects.append(blob)
                out.newContent.append(blob.id)
            }
            results = []
            if start == 0 && end < bytes.count {
                // Room for the whole manifest at the first window's rate: growing by doubling would
                // hold the old and the new buffer at once, twice what the samples need at the end.
                // At most one sample a 64 bytes of manifest, should the first rows be unusually short.
                let scale = Double(bytes.count) / Double(end) * 1.05, most = bytes.count / 64
                out.entries.reserveCapacity(min(most, Int(Double(out.entries.count) * scale)))
                seenContent.reserveCapacity(min(most, Int(Double(seenContent.count) * scale)))
                out.newContent.reserveCapacity(min(most, Int(Double(out.newContent.count) * scale)))
            }
            try write(objects, rows)
            line += countNewlines(window)
            mapped.release(start..<end)
            progress?.add(end - start)
            start = end
        }
        guard !out.entries.isEmpty else {
            throw InputError(file: path, line: nil, message: "the manifest holds no samples", hint: "add at least one row")
        }
        out.entries.sort { $0.key < $1.key }
        var k = 1
        while k < out.entries.count {
            if out.entries[k].key == out.entries[k - 1].key { throw duplicateError(out.entries[k].key, in: mapped, config: config) }
            k += 1
        }
        Trace.mark("keys sorted")

        return out
    }

    /// For each sample, whether `repository` holds its record, then whether it holds each of its
    /// content blobs, in order (what the streamed read asks of every sample, on a worker).
    private static func held(_ samples: [BuiltSample], in repository: Repository) -> [Bool] {
        var answers: [Bool] = []
        answers.reserveCapacity(samples.count * 2)
        for sample in samples {
            answers.append(repository.contains(sample.record.id))
            for blob in sample.contentBlobs { answers.append(repository.contains(blob.id)) }
        }
        return answers
    }

    /// Content an erasure removed may not come back (as `refuseErasedContent(_:)`, one sample).
    private func refuseErasedContent(_ sample: BuiltSample, log: ErasureLog, file: String) throws {
        for blob in sample.contentBlobs {
            guard let erasure = log.byContent[blob.id] else { continue }
            let field = (try? SampleRecord.decode(sample.record.data))?.content.first { $0.blob == blob.id }?.field
            throw InputError(file: file, line: sample.line, field: field,
                             message: "this content was erased (erasure \(erasure.sequence), \(erasure.date.prefix(10)): \(erasure.reason)) and cannot be committed again",
                             hint: "remove the row from the manifest, or give the sample other content")
        }
    }

    /// The error for a sample id given twice (key `key`): the manifest is read again to name both lines.
    private func duplicateError(_ key: ObjectID, in mapped: MappedFile, config: DatasetConfig) -> Error {
        var lines: [Int] = []
        var id: String?
        try? JSONLines.forEachLine(mapped.bytes, firstLine: 1) { line, text in
            guard lines.count < 2, let row = try? JSONLines.parseRow(text, line: line, file: mapped.path),
                  let value = row.members.first(where: { $0.key == config.idField })?.value else { return }
            let text: String
            switch value {
            case .string(let s): text = s
            case .number(let n): text = n
            default: return
            }
            if SampleKey.of(text) == key { lines.append(line); id = text }
        }
        let first = lines.first ?? 0, second = lines.count > 1 ? lines[1] : first
        return InputError(file: mapped.path, line: second, field: config.idField,
                          message: "duplicate id\(id.map { " '\($0)'" } ?? "") (also on line \(first))",
                          hint: "each sample id may appear once per manifest")
    }

    /// Runs pack writing, turning libgit2-level errors into the store's (as `Store.writePack`).
    func packing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as GitError {
            throw TrailError(error.isDiskFull ? .diskFull : .git, "could not write the new objects: \(error.description)",
                             hint: error.isDiskFull ? "free some disk space (or raise the file-size limit) and commit again; the store is unchanged"
                                                    : "the store is unchanged; check the store folder's permissions and free space")
        }
    }
}
