import Foundation
import Git
import GitFormat

/// One thing `trail verify` found wrong.
public struct VerifyProblem: Codable, Equatable, Sendable {
    /// `object`, `ref`, `content`, `erasure` or `index`.
    public var kind: String
    /// What is wrong, and how to repair it where there is a way.
    public var message: String
}

/// What `trail verify` checked, and what it found.
public struct VerifyReport: Codable, Equatable, Sendable {
    /// True with `--full`: every object in the packs is re-hashed, not only the pack checksums.
    public var full: Bool
    /// Pack files checked.
    public var packs = 0
    /// Loose object files checked.
    public var looseObjects = 0
    /// Objects re-hashed one by one (every object with `full`, loose ones otherwise).
    public var objectsHashed = 0
    /// References checked, readable or not.
    public var refs = 0
    /// Dataset commits reachable from the references, each checked.
    public var commits = 0
    /// Sample records read and checked, across those commits.
    public var records = 0
    /// Content blobs the records name, checked against the object store.
    public var contentBlobs = 0
    /// With a media store: media objects checked in its bucket (nil without one).
    public var mediaObjects: Int?
    /// Erasure records in the erasure log.
    public var erasures = 0
    /// Rows of the index, compared against a rebuild.
    public var indexRows = 0
    /// Everything found wrong, in the order found.
    public var problems: [VerifyProblem] = []
    /// True when no problem was found.
    public var ok = true

    /// An empty report; `full` as with `--full`.
    public init(full: Bool) { self.full = full }
}

/// Checks a store from its bytes up: object files against their checksums (every object
/// against its id with `full`), refs against what they must point at, every record's layout and
/// content against the object store and the erasure records, and the index against a rebuild
/// from git. Writes nothing to the store, so it runs on a read-only one.
public struct Verifier {
    let store: Store

    /// A verifier checking `store`.
    public init(store: Store) { self.store = store }

    /// What to do about damage that only a copy of the store can undo.
    static let restore = "restore it from a clone or a backup of the store"

    /// Runs every check; problems are collected, not thrown, and one damaged object never stops
    /// the checks that follow. `progress` gets a line per phase. Holds the store's lock shared,
    /// so that no erasure deletes a pack and no commit adds index rows while they are being
    /// checked, and so that verify writes nothing (not even the lock's pid note).
    public func verify(full: Bool, progress: (String) -> Void = { _ in }, onWaitForLock: () -> Void = {}) throws -> VerifyReport {
        try store.withReadLock(onWait: onWaitForLock) { try verifyLocked(full: full, progress: progress) }
    }

    private func verifyLocked(full: Bool, progress: (String) -> Void) throws -> VerifyReport {
        var report = VerifyReport(full: full)
        let repo = store.repository
        func problem(_ kind: String, _ message: String) { report.problems.append(VerifyProblem(kind: kind, message: message)) }

        // 1. Object files.
        progress("checking object files")
        // In a scope of its own: the inventory lists every packed id (480 MB at ten million samples).
        do {
            let inventory = ObjectInventory(objectsDirectory: repo.objectsDirectory)
            report.packs = inventory.packs.count
            report.looseObjects = inventory.loose.count
            for bad in inventory.unreadable {
                let pack = String(bad.path.dropLast(4)) + ".pack"
                problem("object", "\(bad.path): \(bad.problem); rebuild it from its pack (`rm \(bad.path); git --git-dir \(store.path) index-pack \(pack)`) or \(Self.restore)")
            }
            for pack in inventory.packs {
                if !FileManager.default.fileExists(atPath: pack.packPath) {
                    problem("object", "\(pack.packPath) is missing, and its index \(pack.name).idx lists \(pack.ids.count) objects; \(Self.restore)")
                } else if let message = PackIndexFile.checksumProblem(pack: pack.packPath, index: pack.indexPath) {
                    problem("object", "\(message); \(Self.restore)")
                }
            }
            var packed: [ObjectID] = []
            if full { packed = Array(Set(inventory.packs.flatMap(\.ids))) }
            for message in try hashProblems(packed, loose: inventory.loose) { problem("object", message) }
            report.objectsHashed = packed.count + inventory.loose.count
        }
        Trace.mark("verify: object files")

        // 2. Refs.
        progress("checking refs")
        let log: ErasureLog
        do { log = try ErasureLog.read(repo) } catch {
            problem("erasure", "\(ErasureLog.ref) cannot be read: \(error)")
            log = .empty
        }
        report.erasures = log.records.count
        var contentRefBroken = false
        for bad in repo.unreadableReferences() {
            report.refs += 1
            problem("ref", "\(bad.name) cannot be read: \(bad.problem); \(Self.restore), or delete the file")
            if bad.name == Store.contentRef { contentRefBroken = true }
        }
        var tips: [ObjectID] = []
        do {
            for (name, target) in try repo.references(matching: "refs/*") {
                report.refs += 1
                if let message = refProblem(name, target, tips: &tips) {
                    problem("ref", "\(message); \(Self.restore)")
                    if name == Store.contentRef { contentRefBroken = true }
                }
            }
        } catch {
            problem("ref", "the refs cannot be listed: \(error); run `git --git-dir \(store.path) fsck` to see why")
        }
        if let message = headProblem(refs: report.refs) { problem("ref", message) }
        Trace.mark("verify: refs")

        // 3. Every record of every version, its place in the tree, and its content.
        // In a scope of its own: what it holds per record (a gigabyte at ten million samples) is
        // freed before the index is rebuilt for the comparison.
        do {
            progress("checking records and content")
            // Commit by commit, so that a missing one is named and the others are still checked.
            var commits: [ObjectID] = []
            var seenCommits = Set<ObjectID>()
            var checkedRootFiles = Set<ObjectID>()
            var pending = tips.map { (id: $0, child: ObjectID?.none) }
            while let next = pending.popLast() {
                guard seenCommits.insert(next.id).inserted else { continue }
                guard let info = try? repo.commit(next.id) else {
                    // A tip that cannot be read was named with its ref.
                    if let child = next.child {
                        problem("object", "commit \(next.id.hex), parent of \(child.abbreviated()), cannot be read (missing or damaged); \(Self.restore)")
                    }
                    continue
                }
                commits.append(info.id)
                pending += info.parents.map { ($0, info.id) }
                rootFileProblems(of: info.id, checked: &checkedRootFiles).forEach { problem("object", $0) }
            }
            report.commits = commits.count
            var walkProblems: [String] = []
            let idField = store.config.idField
            var findings: [RecordFinding] = []
            do {
                let walked = try RecordWalk.run(commits: commits, repository: repo, problems: &walkProblems, checkLayout: true) { id, key, commit, bytes in
                    Self.check(record: id, key: key, commit: commit, bytes: bytes, idField: idField)
                }
                findings = walked.records
                report.records = walked.count
            } catch {
                walkProblems.append("the records cannot be read: \(error)")
            }
            for message in walkProblems { problem("object", message.contains("restore") ? message : "\(message); \(Self.restore)") }
            for message in findings.flatMap(\.problems) { problem("object", message) }
            // Each use of a content blob (blob, size the record gives it, sample), sorted so that a
            // blob's uses sit together: 48 bytes a record, where a dictionary of each blob's sizes
            // took several times that at ten million samples.
            var uses: [(blob: ObjectID, size: Int, sample: String)] = []
            uses.reserveCapacity(findings.reduce(0) { $0 + $1.contentCount })
            for finding in findings { finding.forEachContent { uses.append(($0, $1, finding.sample)) } }
            // With a media store, media git does not hold are checked in its bucket below.
            let mediaBlobs = store.mediaStoreLocation == nil ? [] : Set(findings.flatMap(\.mediaBlobs))
            findings = []
            uses.sort { ($0.blob, $0.size, $0.sample) < ($1.blob, $1.size, $1.sample) }
            // Each blob once, as the range of its uses: its sizes, each with the first sample (by
            // name) that gives it, follow in order.
            var groups: [Range<Int>] = []
            var first = 0
            for k in stride(from: 1, through: uses.count, by: 1) where k == uses.count || uses[k].blob != uses[first].blob {
                groups.append(first..<k)
                first = k
            }
            func sizes(_ group: Range<Int>) -> [(size: Int, sample: String)] {
                var out: [(size: Int, sample: String)] = []
                for use in uses[group] where out.last?.size != use.size { out.append((use.size, use.sample)) }
                return out
            }
            report.contentBlobs = groups.count
            let listed = contentRefIDs()
            if let message = listed.problem { problem("ref", message) }
            if listed.ids == nil, !contentRefBroken, groups.contains(where: { !mediaBlobs.contains(uses[$0.lowerBound].blob) || repo.contains(uses[$0.lowerBound].blob) }),
               (try? repo.reference(Store.contentRef)) == nil {
                problem("ref", "\(Store.contentRef) is missing, so nothing keeps the \(groups.count) content blobs the records name reachable (`git gc` would delete them); \(Self.restore)")
            }
            var missing: [(ObjectID, String)] = []
            var remote: [(blob: ObjectID, sizes: [Int: String])] = []
            for group in groups {
                let blob = uses[group.lowerBound].blob
                if log.byContent[blob] != nil { continue }
                let sample = uses[group].map(\.sample).min()!
                guard repo.contains(blob) else {
                    if mediaBlobs.contains(blob) {
                        remote.append((blob, Dictionary(sizes(group).map { ($0.size, $0.sample) }, uniquingKeysWith: { first, _ in first })))
                    } else {
                        missing.append((blob, sample))
                    }
                    continue
                }
                if let ids = listed.ids, !ids.sortedContains(blob) {
                    problem("content", "content \(blob.hex) of sample '\(sample)' is not listed in \(Store.contentRef) (`git gc` would delete it)")
                }
                guard let header = repo.header(blob) else { continue }  // unreadable: named with the object files
                if header.type != .blob {
                    problem("content", "content \(blob.hex) of sample '\(sample)' is a \(header.type.name), not a blob; the record was written outside Trail: \(Self.restore)")
                    continue
                }
                for (size, sample) in sizes(group) where size != header.size {
                    problem("content", "content \(blob.hex) of sample '\(sample)' is \(header.size) bytes, but its record says \(size) bytes; the record was written outside Trail: \(Self.restore)")
                }
            }
            for (blob, sample) in missing.sorted(by: { $0.1 < $1.1 }) {
                problem("content", "content \(blob.hex) of sample '\(sample)' is missing, and no erasure record covers it; \(Self.restore)")
            }
            for (blob, record) in log.byContent.sorted(by: { $0.key < $1.key }) where repo.contains(blob) {
                problem("erasure", "content \(blob.hex) erased by erasure \(record.sequence) (\(record.date)) is still in the object store; run `trail erase --finish`")
            }
            if store.mediaStoreLocation != nil {
                progress("checking the media store")
                do {
                    for (kind, message) in try MediaVerification.problems(store: store, media: remote, erased: log, full: full) ?? [] { problem(kind, message) }
                    report.mediaObjects = remote.count
                } catch let error as TrailError {
                    problem("media", "the media objects could not be checked: \(error.message)\(error.hint.map { "; \($0)" } ?? "")")
                }
            }
        }
        Trace.mark("verify: records and content")

        // 4. The index against a rebuild from git alone.
        progress("checking the index against the git history")
        do {
            let (rows, differences) = try IndexComparison.run(store: store)
            report.indexRows = rows
            for message in differences { problem("index", message) }
        } catch {
            let damaged = !report.problems.isEmpty ? " (the git objects a rebuild needs are damaged: see the problems above)" : ""
            problem("index", "the index cannot be compared with git\(damaged): \(error)")
        }
        Trace.mark("verify: index")
        report.ok = report.problems.isEmpty
        return report
    }

    /// What is wrong with the `dataset.json` and `summary.json` of `commit` (each blob checked
    /// once, in the first commit that holds it): every command reads one or the other.
    private func rootFileProblems(of commit: ObjectID, checked: inout Set<ObjectID>) -> [String] {
        guard let snapshot = try? Snapshot(repository: store.repository, commit: commit) else { return [] }  // named with the trees
        var problems: [String] = []
        for entry in snapshot.rootEntries where entry.mode == .blob && checked.insert(entry.id).inserted {
            do {
                switch entry.name {
                case Snapshot.configFile: _ = try snapshot.config()
                case Snapshot.summaryFile: _ = try snapshot.summary()
                default: continue
                }
            } catch let error as TrailError {
                problems.append("\(error.message); \(Self.restore)")
            } catch {
                problems.append("\(entry.name) (blob \(entry.id.hex)) of commit \(commit.abbreviated()) cannot be read: \(error); \(Self.restore)")
            }
        }
        return problems
    }

    /// What one record holds, and what is wrong with it. Kept for each of millions of records
    /// (56 bytes): the first content entry inline, and the rest (more content, problems, media)
    /// boxed only for the records that have any, so the common record allocates nothing.
    struct RecordFinding {
        var sample: String
        /// The first content entry's blob (`.zero` when the record names none) and size.
        private var firstBlob: ObjectID
        private var firstSize: Int
        private var extra: Extra?

        /// The rarer parts of a finding.
        private final class Extra {
            let moreContent: [(blob: ObjectID, size: Int)]
            let problems: [String]
            let media: [(field: String, path: String)]
            let mediaBlobs: [ObjectID]
            init(moreContent: [(blob: ObjectID, size: Int)], problems: [String], media: [(field: String, path: String)], mediaBlobs: [ObjectID]) {
                self.moreContent = moreContent
                self.problems = problems
                self.media = media
                self.mediaBlobs = mediaBlobs
            }
        }

        init(sample: String, content: [(blob: ObjectID, size: Int)], problems: [String],
             media: [(field: String, path: String)] = [], mediaBlobs: [ObjectID] = []) {
            self.sample = sample
            firstBlob = content.first?.blob ?? .zero
            firstSize = content.first?.size ?? 0
            let more = Array(content.dropFirst())
            extra = more.isEmpty && problems.isEmpty && media.isEmpty && mediaBlobs.isEmpty
                ? nil : Extra(moreContent: more, problems: problems, media: media, mediaBlobs: mediaBlobs)
        }

        /// What is wrong with the record.
        var problems: [String] { extra?.problems ?? [] }
        /// The record's media paths, by field.
        var media: [(field: String, path: String)] { extra?.media ?? [] }
        /// The blobs of its media fields.
        var mediaBlobs: [ObjectID] { extra?.mediaBlobs ?? [] }
        /// Calls `body` with each content entry, allocating nothing for the first.
        func forEachContent(_ body: (ObjectID, Int) -> Void) {
            if firstBlob != .zero { body(firstBlob, firstSize) }
            for entry in extra?.moreContent ?? [] { body(entry.blob, entry.size) }
        }
        /// How many content entries it has.
        var contentCount: Int { (firstBlob == .zero ? 0 : 1) + (extra?.moreContent.count ?? 0) }
    }

    /// Checks the record `id`, stored under `key` (in `commit`, among others): it must decode, be
    /// of the known format, hold an id, and be stored under that id's key (export and lookups
    /// trust the key).
    static func check(record id: ObjectID, key: ObjectID, commit: ObjectID, bytes: [UInt8], idField: String) -> RecordFinding {
        let path = SampleKey.path(key)
        let value: JSONValue, record: SampleRecord
        do {
            value = try JSONParser.parse(bytes)
            record = try SampleRecord.decode(value: value)
        } catch {
            // Named as the commands that stop at it name it.
            var damaged = StoredRecordError(bytes: bytes, error: error)
            damaged.locate(commit: commit, key: key, idField: idField)
            return RecordFinding(sample: damaged.sample ?? id.hex, content: [], problems: ["\(damaged); \(restore)"])
        }
        var problems: [String] = []
        let sampleID = record.field(idField).flatMap(Self.sampleID)
        let sample = sampleID ?? id.hex
        if let layout = SampleRecord.layoutProblem(value: value) {
            problems.append("record \(id.hex) of sample '\(sample)' (at \(path)) \(layout); if a newer Trail wrote it, use that version, else \(restore)")
        }
        if let sampleID {
            let own = SampleKey.of(sampleID)
            if key != own {
                problems.append("record \(id.hex) at \(SampleKey.path(key)) holds sample '\(sampleID)', whose key is \(own.hex): it is stored under another sample's key, so lookups of '\(sampleID)' miss it and `trail export` refuses the snapshot; the tree was written outside Trail: \(restore)")
            }
        } else {
            problems.append("record \(id.hex) (at \(path)) has no '\(idField)' that is a non-empty string or an integer; \(restore)")
        }
        return RecordFinding(sample: sample, content: record.content.map { ($0.blob, $0.size) }, problems: problems,
                             media: record.content.compactMap { entry in entry.path.map { (entry.field, $0) } },
                             mediaBlobs: record.content.filter { $0.path != nil }.map(\.blob))
    }

    /// The text a record's id has in its key (as `trail commit` takes ids), or nil for a value
    /// that cannot be an id.
    static func sampleID(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s) where !s.isEmpty: return s
        case .number(let n) where !n.contains(where: { ".eE".contains($0) }): return n
        default: return nil
        }
    }

    /// What is wrong with HEAD (nil when nothing): it must name a branch, and one that exists
    /// once the store has any.
    private func headProblem(refs: Int) -> String? {
        let repo = store.repository
        do {
            if let head = try store.currentBranchRef() {
                guard try repo.reference(head) == nil, refs > 0, try !repo.references(matching: "refs/heads/*").isEmpty else { return nil }
                return "HEAD names \(head), which does not exist (`trail checkout BRANCH` picks another)"
            }
            let target = try repo.reference("HEAD")
            return "HEAD is detached: it points at \(target.map { "commit \($0.hex)" } ?? "nothing"), not at a branch, so `trail commit` refuses to run; run `trail checkout BRANCH` to put it back on one"
        } catch {
            return "HEAD cannot be read: \(error); run `trail checkout BRANCH` to set it again"
        }
    }

    /// Problems of the loose objects (each file hashed as it is, not the packed copy readers
    /// prefer) and of `packed` (re-hashed as readers see them). On every core.
    private func hashProblems(_ packed: [ObjectID], loose: [(id: ObjectID, path: String)]) throws -> [String] {
        let items = loose.map { Optional($0) } + packed.map { _ in nil }
        let workers = Parallel.workerCount(items: items.count, minimumPerWorker: 512)
        let chunk = (items.count + workers - 1) / max(workers, 1)
        let objects = store.repository.objectsDirectory
        let parts = try Parallel.perform(workers: workers, repositoryPath: store.repository.path) { w, repo -> [String] in
            let looseReader = try LooseObjects(objectsDirectory: objects)
            var problems: [String] = []
            for k in min(w * chunk, items.count)..<min((w + 1) * chunk, items.count) {
                if let file = items[k] {
                    let id = file.id
                    // Readers (git and libgit2) take a packed copy of the same id first; only fsck reads the loose file.
                    func fix() -> String {
                        let packedCopy = (try? repo.read(id)).map { ObjectHasher.id(of: $0.type, $0.data) == id } ?? false
                        return packedCopy ? "a sound packed copy hides it from reads (`git fsck` still reports it): delete the loose file" : Self.restore
                    }
                    guard let object = try? looseReader.read(id) else {
                        problems.append("loose object \(id.hex) (\(file.path)) cannot be read (damaged); \(fix())")
                        continue
                    }
                    let actual = ObjectHasher.id(of: object.type, object.data)
                    if actual != id { problems.append("loose object \(id.hex) (\(file.path)) is damaged: its bytes hash to \(actual.hex); \(fix())") }
                } else {
                    let id = packed[k - loose.count]
                    guard let object = try? repo.read(id) else {
                        problems.append("object \(id.hex) cannot be read (damaged or missing); \(Self.restore)")
                        continue
                    }
                    let actual = ObjectHasher.id(of: object.type, object.data)
                    if actual != id { problems.append("object \(id.hex) is damaged: its bytes hash to \(actual.hex); \(Self.restore)") }
                }
            }
            return problems
        }
        return parts.flatMap { $0 }
    }

    /// What is wrong with ref `name` (nil when nothing); commits it names are added to `tips`.
    private func refProblem(_ name: String, _ target: ObjectID, tips: inout [ObjectID]) -> String? {
        let repo = store.repository
        guard let object = try? repo.read(target) else {
            return "\(name) points at \(target.hex), which cannot be read (missing or damaged)"
        }
        func commitProblem(_ id: ObjectID) -> String? {
            guard let commit = try? repo.commit(id) else { return "\(name): commit \(id.hex) cannot be read" }
            tips.append(id)  // its parents are checked even when its own tree is gone
            guard (try? repo.readTree(commit.tree)) != nil else { return "\(name): the tree of commit \(id.abbreviated()) is missing" }
            return nil
        }
        let kind = HistoryRef(name)
        switch kind {
        case .branch:
            guard object.type == .commit else { return "\(name) points at a \(object.type.name), not a commit" }
            if let p = commitProblem(target) { return p }
            // A dataset.json that is there but damaged is named with the objects (step 3).
            guard (try? Snapshot(repository: repo, commit: target).rootEntries.contains { $0.name == Snapshot.configFile && $0.mode == .blob }) == true else {
                return "\(name) points at \(target.abbreviated()), which is not a Trail snapshot (no dataset.json)"
            }
            return nil
        case .tag, .model:
            if object.type == .commit { return commitProblem(target) }
            guard object.type == .tag, let tag = try? repo.tag(target) else { return "\(name) points at a \(object.type.name), not a commit or a tag" }
            if kind == .model, tag.name != String(name.dropFirst(Store.modelRefPrefix.count)) {
                return "\(name) holds the registration of '\(tag.name)'"
            }
            return commitProblem(tag.target)
        case .fetched:
            // A fetched branch, tag or model: its records' content must be here or erased too.
            guard let commit = try? repo.resolveCommit(name) else { return "\(name) does not lead to a commit" }
            return commitProblem(commit)
        case nil where name == Store.contentRef:
            guard object.type == .commit || object.type == .tree else { return "\(name) points at a \(object.type.name), not a commit" }
            guard let tree = try? ContentRef.tree(of: target, in: repo), (try? repo.readTree(tree)) != nil else {
                return "\(name): the content tree cannot be read"
            }
            return nil
        case nil where name == ErasureLog.ref:
            return object.type == .commit ? nil : "\(name) points at a \(object.type.name), not a commit"
        case nil where name.hasPrefix(Predictions.refPrefix):
            let problems = StoredPredictions.problems(target, name: String(name.dropFirst(Predictions.refPrefix.count)), repository: repo)
            return problems.isEmpty ? nil : "\(name): " + problems.joined(separator: "; ")
        case nil:
            return nil
        }
    }

    /// The ids the content ref lists (nil when the store has no readable content ref), and what
    /// kept them from being read in full.
    /// The ids the content ref lists, sorted (an array: a set of ten million ids is 400 MB).
    private func contentRefIDs() -> (ids: [ObjectID]?, problem: String?) {
        guard let root = try? ContentRef.read(store.repository)?.tree, (try? store.repository.readTree(root)) != nil else { return (nil, nil) }
        do {
            var ids: [ObjectID] = []
            try ShardedTree.walk(root, repository: store.repository) { _, id in ids.append(id) }
            if !ids.isSorted() { ids.sort() }
            return (ids, nil)
        } catch {
            return (nil, "\(Store.contentRef): the content tree cannot be read in full (\(error)); \(Self.restore)")
        }
    }
}

extension Array where Element == ObjectID {
    /// True when this sorted array holds `id` (a binary search).
    func sortedContains(_ id: ObjectID) -> Bool {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < count && self[lo] == id
    }
}
