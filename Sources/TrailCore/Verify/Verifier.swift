import Foundation
import Git

/// One thing `trail verify` found wrong.
public struct VerifyProblem: Codable, Equatable, Sendable {
    /// `object`, `ref`, `content`, `erasure` or `index`.
    public var kind: String
    public var message: String
}

/// What `trail verify` checked, and what it found.
public struct VerifyReport: Codable, Equatable, Sendable {
    public var full: Bool
    public var packs = 0
    public var looseObjects = 0
    /// Objects re-hashed one by one (every object with `full`, loose ones otherwise).
    public var objectsHashed = 0
    public var refs = 0
    public var commits = 0
    public var records = 0
    public var contentBlobs = 0
    public var erasures = 0
    public var indexRows = 0
    public var problems: [VerifyProblem] = []
    /// True when no problem was found.
    public var ok = true

    public init(full: Bool) { self.full = full }
}

/// Checks a store from its bytes up: object files against their checksums (every object
/// against its id with `full`), refs against what they must point at, every record's content
/// against the object store and the erasure records, and the index against a rebuild from git.
public struct Verifier {
    let store: Store

    public init(store: Store) { self.store = store }

    /// Runs every check; problems are collected, not thrown. `progress` gets a line per phase.
    public func verify(full: Bool, progress: (String) -> Void = { _ in }, onWaitForLock: () -> Void = {}) throws -> VerifyReport {
        var report = VerifyReport(full: full)
        let repo = store.repository
        func problem(_ kind: String, _ message: String) { report.problems.append(VerifyProblem(kind: kind, message: message)) }

        // 1. Object files.
        progress("checking object files")
        let inventory = ObjectInventory(repo)
        report.packs = inventory.packs.count
        report.looseObjects = inventory.loose.count
        for bad in inventory.unreadable { problem("object", "\(bad.path): \(bad.problem)") }
        for pack in inventory.packs {
            if let message = PackIndexFile.checksumProblem(pack: pack.packPath, index: pack.indexPath) { problem("object", message) }
        }
        var toHash = inventory.loose.map(\.id)
        if full { for pack in inventory.packs { toHash += pack.ids } }
        for message in try hashProblems(Array(Set(toHash))) { problem("object", message) }
        report.objectsHashed = Set(toHash).count
        Trace.mark("verify: object files")

        // 2. Refs.
        progress("checking refs")
        let log: ErasureLog
        do { log = try ErasureLog.read(repo) } catch {
            problem("erasure", "\(ErasureLog.ref) cannot be read: \(error)")
            log = .empty
        }
        report.erasures = log.records.count
        var tips: [ObjectID] = []
        for (name, target) in try repo.references(matching: "refs/*") {
            report.refs += 1
            if let message = refProblem(name, target, tips: &tips) { problem("ref", message) }
        }
        if let head = try store.currentBranchRef(), try repo.reference(head) == nil, report.refs > 0,
           try !repo.references(matching: "refs/heads/*").isEmpty {
            problem("ref", "HEAD names \(head), which does not exist (`trail checkout BRANCH` picks another)")
        }
        Trace.mark("verify: refs")

        // 3. Every record of every version, and its content.
        progress("checking records and content")
        let contentListed = try contentRefIDs()
        var commits: [ObjectID] = []
        var seenCommits = Set<ObjectID>()
        for tip in tips where !seenCommits.contains(tip) {
            guard let walk = try? CommitWalk.oldestFirst(from: tip, in: repo, stopAt: { seenCommits.contains($0) }) else {
                problem("object", "the history behind commit \(tip.abbreviated()) cannot be read (a commit is missing or damaged)")
                continue
            }
            for info in walk where seenCommits.insert(info.id).inserted { commits.append(info.id) }
        }
        report.commits = commits.count
        let scan = try RecordScan.run(commits: commits, repository: repo, idField: store.config.idField)
        for message in scan.problems { problem("object", message) }
        report.records = scan.records
        report.contentBlobs = scan.content.count
        var missing: [(ObjectID, String)] = []
        for (blob, sample) in scan.content {
            if log.byContent[blob] != nil { continue }
            if !repo.contains(blob) {
                missing.append((blob, sample))
            } else if let contentListed, !contentListed.contains(blob) {
                problem("content", "content \(blob.hex) of sample '\(sample)' is not listed in \(Store.contentRef) (`git gc` would delete it)")
            }
        }
        for (blob, sample) in missing.sorted(by: { $0.1 < $1.1 }) {
            problem("content", "content \(blob.hex) of sample '\(sample)' is missing, and no erasure record covers it")
        }
        for (blob, record) in log.byContent.sorted(by: { $0.key < $1.key }) where repo.contains(blob) {
            problem("erasure", "content \(blob.hex) erased by erasure \(record.sequence) (\(record.date)) is still in the object store; run `trail erase --finish`")
        }
        Trace.mark("verify: records and content")

        // 4. The index against a rebuild from git alone.
        progress("checking the index against the git history")
        do {
            let (rows, differences) = try IndexComparison.run(store: store, onWaitForLock: onWaitForLock)
            report.indexRows = rows
            for message in differences { problem("index", message) }
        } catch let error as TrailError where error.exitCode == 75 {
            throw error  // a busy store is not a broken index
        } catch {
            problem("index", "the index cannot be compared with git: \(error)")
        }
        Trace.mark("verify: index")
        report.ok = report.problems.isEmpty
        return report
    }

    /// Objects whose bytes do not hash to their id, or that cannot be read. On every core.
    private func hashProblems(_ ids: [ObjectID]) throws -> [String] {
        let workers = Parallel.workerCount(items: ids.count, minimumPerWorker: 512)
        let chunk = (ids.count + workers - 1) / max(workers, 1)
        let parts = try Parallel.perform(workers: workers, repositoryPath: store.repository.path) { w, repo -> [String] in
            var problems: [String] = []
            for id in ids[min(w * chunk, ids.count)..<min((w + 1) * chunk, ids.count)] {
                guard let object = try? repo.read(id) else {
                    problems.append("object \(id.hex) cannot be read (damaged or missing)")
                    continue
                }
                let actual = ObjectHasher.id(of: object.type, object.data)
                if actual != id { problems.append("object \(id.hex) is damaged: its bytes hash to \(actual.hex)") }
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
            guard (try? repo.readTree(commit.tree)) != nil else { return "\(name): the tree of commit \(id.abbreviated()) is missing" }
            tips.append(id)
            return nil
        }
        switch name {
        case _ where name.hasPrefix("refs/heads/"):
            guard object.type == .commit else { return "\(name) points at a \(object.type.name), not a commit" }
            if let p = commitProblem(target) { return p }
            guard (try? Snapshot(repository: repo, commit: target).config()) != nil else {
                return "\(name) points at \(target.abbreviated()), which is not a Trail snapshot (no dataset.json)"
            }
            return nil
        case _ where name.hasPrefix(Store.modelRefPrefix) || name.hasPrefix("refs/tags/"):
            if object.type == .commit { return commitProblem(target) }
            guard object.type == .tag, let tag = try? repo.tag(target) else { return "\(name) points at a \(object.type.name), not a commit or a tag" }
            if name.hasPrefix(Store.modelRefPrefix), tag.name != String(name.dropFirst(Store.modelRefPrefix.count)) {
                return "\(name) holds the registration of '\(tag.name)'"
            }
            return commitProblem(tag.target)
        case Store.contentRef:
            guard object.type == .commit || object.type == .tree else { return "\(name) points at a \(object.type.name), not a commit" }
            guard let tree = try? ContentRef.tree(of: target, in: repo), (try? repo.readTree(tree)) != nil else {
                return "\(name): the content tree cannot be read"
            }
            return nil
        case ErasureLog.ref:
            return object.type == .commit ? nil : "\(name) points at a \(object.type.name), not a commit"
        default:
            return nil
        }
    }

    /// The ids the content ref lists (nil when the store has no content ref).
    private func contentRefIDs() throws -> Set<ObjectID>? {
        let repo = store.repository
        guard let root = try? ContentRef.read(repo)?.tree else { return nil }
        var ids = Set<ObjectID>()
        for mid in try repo.readTree(root) where mid.mode == .tree {
            for leaf in try repo.readTree(mid.id) where leaf.mode == .tree {
                for entry in try TreeFormat.decodeHexNamed(repo.read(leaf.id, as: .tree)) { ids.insert(entry.id) }
            }
        }
        return ids
    }
}

/// Reads every distinct record of a set of commits (unchanged subtrees once), on every core,
/// and collects the content each names.
private struct RecordScan {
    var records = 0
    /// Each content blob, with one sample that names it (for messages).
    var content: [ObjectID: String] = [:]
    var problems: [String] = []

    static func run(commits: [ObjectID], repository repo: Repository, idField: String) throws -> RecordScan {
        var scan = RecordScan()
        var leaves: [ObjectID] = []
        var seenTrees = Set<ObjectID>()
        for commit in commits {
            guard let tree = try? repo.commit(commit).tree, let root = try? repo.readTree(tree) else {
                scan.problems.append("commit \(commit.abbreviated()) or its tree cannot be read")
                continue
            }
            for mid in root where mid.mode == .tree && seenTrees.insert(mid.id).inserted {
                guard let entries = try? repo.readTree(mid.id) else {
                    scan.problems.append("tree \(mid.id.hex) (folder \(mid.name) of commit \(commit.abbreviated())) is missing or damaged")
                    continue
                }
                for leaf in entries where seenTrees.insert(leaf.id).inserted { leaves.append(leaf.id) }
            }
        }
        // Pass 1: the record ids of every new leaf.
        let workers = Parallel.workerCount(items: leaves.count, minimumPerWorker: 64)
        let leafParts = try Parallel.perform(workers: workers, repositoryPath: repo.path) { w, reader -> ([ObjectID], [String]) in
            var ids: [ObjectID] = [], problems: [String] = []
            for k in stride(from: w, to: leaves.count, by: workers) {
                guard let bytes = try? reader.read(leaves[k], as: .tree), let entries = try? TreeFormat.decodeHexNamed(bytes) else {
                    problems.append("tree \(leaves[k].hex) is missing or damaged")
                    continue
                }
                ids += entries.map(\.id)
            }
            return (ids, problems)
        }
        var records = Set<ObjectID>()
        for part in leafParts { records.formUnion(part.0); scan.problems += part.1 }
        scan.records = records.count
        // Pass 2: each record, once.
        let all = Array(records)
        let recordWorkers = Parallel.workerCount(items: all.count, minimumPerWorker: 512)
        let chunk = (all.count + recordWorkers - 1) / max(recordWorkers, 1)
        let parts = try Parallel.perform(workers: recordWorkers, repositoryPath: repo.path) { w, reader -> ([ObjectID: String], [String]) in
            var content: [ObjectID: String] = [:], problems: [String] = []
            for id in all[min(w * chunk, all.count)..<min((w + 1) * chunk, all.count)] {
                guard let bytes = try? reader.read(id, as: .blob) else {
                    problems.append("record \(id.hex) is missing or damaged")
                    continue
                }
                guard let record = try? SampleRecord.decode(bytes) else {
                    problems.append("record \(id.hex) is not a valid sample record")
                    continue
                }
                guard !record.content.isEmpty else { continue }
                let sample: String
                switch record.field(idField) {
                case .string(let s)?: sample = s
                case .number(let n)?: sample = n
                default: sample = id.hex
                }
                for c in record.content where content[c.blob] == nil { content[c.blob] = sample }
            }
            return (content, problems)
        }
        for part in parts {
            scan.content.merge(part.0) { a, _ in a }
            scan.problems += part.1
        }
        return scan
    }
}
