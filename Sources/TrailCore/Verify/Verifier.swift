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
    /// Holds the store's lock throughout, so that no erasure deletes a pack and no commit adds
    /// index rows while they are being checked.
    public func verify(full: Bool, progress: (String) -> Void = { _ in }, onWaitForLock: () -> Void = {}) throws -> VerifyReport {
        try store.withWriteLock(onWait: onWaitForLock) { try verifyLocked(full: full, progress: progress) }
    }

    private func verifyLocked(full: Bool, progress: (String) -> Void) throws -> VerifyReport {
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
        let distinct = Array(Set(toHash))
        for message in try hashProblems(distinct) { problem("object", message) }
        report.objectsHashed = distinct.count
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
        var walkProblems: [String] = []
        let idField = store.config.idField
        let named = try RecordWalk.run(commits: commits, repository: repo, problems: &walkProblems) { id, bytes -> [(ObjectID, String)]? in
            guard let record = try? SampleRecord.decode(bytes) else {
                return [(.zero, "record \(id.hex) is not a valid sample record")]
            }
            let sample = record.field(idField).map(SampleChange.text) ?? id.hex
            return record.content.map { ($0.blob, sample) }
        }
        var content: [ObjectID: String] = [:]
        for (blob, sample) in named.records.flatMap({ $0 }) {
            if blob == .zero { walkProblems.append(sample) } else if content[blob] == nil { content[blob] = sample }
        }
        for message in walkProblems { problem("object", message) }
        report.records = named.count
        report.contentBlobs = content.count
        var missing: [(ObjectID, String)] = []
        for (blob, sample) in content {
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
            let (rows, differences) = try IndexComparison.run(store: store)
            report.indexRows = rows
            for message in differences { problem("index", message) }
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
        case _ where name.hasPrefix("refs/remotes/") && !name.contains("/trail/"):
            // A fetched branch, tag or model: its records' content must be here or erased too.
            guard let commit = try? repo.resolveCommit(name) else { return "\(name) does not lead to a commit" }
            return commitProblem(commit)
        default:
            return nil
        }
    }

    /// The ids the content ref lists (nil when the store has no content ref).
    private func contentRefIDs() throws -> Set<ObjectID>? {
        guard let root = try? ContentRef.read(store.repository)?.tree else { return nil }
        return Set(try ContentTree.ids(root, in: store.repository))
    }

}
