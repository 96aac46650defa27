import Foundation
import Git
import GitFormat

/// One erasure: who removed which samples' content, when, and why.
///
/// Stored as `NNNNNN.json` (canonical JSON, `sequence` zero-padded) in the tree of
/// `refs/trail/erasures`, a commit whose tree holds every erasure so far and whose parent is
/// the previous erasure: `git log refs/trail/erasures` lists them, newest first.
public struct ErasureRecord: Codable, Equatable, Sendable {
    /// 1 for the store's first erasure, then 2, 3, ...
    public var sequence: Int
    /// `Name <email>` of the person who erased.
    public var erasedBy: String
    /// When, as ISO 8601 (UTC), and as seconds since 1970.
    public var date: String
    /// The same moment as `date`, in seconds since 1970-01-01 UTC.
    public var time: Int64
    /// Why the content was erased, as given.
    public var reason: String
    /// The sample ids whose content was erased, as given, sorted.
    public var samples: [String]
    /// The content and media blob ids removed from the store (every version of those samples).
    public var content: [String]
    /// The record's format version; 1.
    public var format = 1
    /// The media store (`s3://BUCKET/PREFIX`) the erased media objects are deleted from; absent
    /// when the store kept its media in git.
    public var mediaStore: String?
}

/// The erasure records of a store, read from `refs/trail/erasures`.
public struct ErasureLog: Sendable {
    /// The reference that holds the erasure records.
    public static let ref = "refs/trail/erasures"

    /// Every record, oldest first.
    public let records: [ErasureRecord]
    /// The commit `refs/trail/erasures` points at (nil before the first erasure).
    public let tip: ObjectID?
    /// The record that erased each sample id (the first, if several did).
    public let bySample: [String: ErasureRecord]
    /// The record that erased each content blob.
    public let byContent: [ObjectID: ErasureRecord]

    /// An empty log.
    public static let empty = ErasureLog(records: [], tip: nil)

    init(records: [ErasureRecord], tip: ObjectID?) {
        self.records = records
        self.tip = tip
        var bySample: [String: ErasureRecord] = [:], byContent: [ObjectID: ErasureRecord] = [:]
        for record in records {
            for id in record.samples where bySample[id] == nil { bySample[id] = record }
            for hex in record.content { if let id = ObjectID(hex: hex), byContent[id] == nil { byContent[id] = record } }
        }
        self.bySample = bySample
        self.byContent = byContent
    }

    /// Reads the log of `repository` (`Store.erasureLog()` for the store's). Cheap when nothing
    /// was ever erased (one reference lookup).
    static func read(_ repository: Repository) throws -> ErasureLog {
        guard let tip = try repository.reference(ref) else { return .empty }
        return try read(repository, at: tip)
    }

    /// Reads the log whose tip is the commit `tip` (e.g. a remote's).
    static func read(_ repository: Repository, at tip: ObjectID) throws -> ErasureLog {
        let commit = try repository.commit(tip)
        var records: [ErasureRecord] = []
        for entry in try repository.readTree(commit.tree) where entry.mode == .blob && entry.name.hasSuffix(".json") {
            let bytes = try repository.read(entry.id, as: .blob)
            do {
                records.append(try JSONDecoder().decode(ErasureRecord.self, from: Data(bytes)))
            } catch {
                throw TrailError(.damagedStore, "the erasure record \(entry.name) in \(ref) is malformed: \(error)",
                                 hint: "inspect it with `git --git-dir <store> cat-file -p \(ref):\(entry.name)`")
            }
        }
        records.sort { $0.sequence < $1.sequence }
        return ErasureLog(records: records, tip: tip)
    }

    /// The record covering any of `record`'s content, when some of it was erased.
    public func erasure(of record: SampleRecord) -> ErasureRecord? {
        for content in record.content { if let hit = byContent[content.blob] { return hit } }
        return nil
    }

    /// Merges a log that diverged from this one (both sides erased): a commit with both tips as
    /// parents whose tree holds every record of both, theirs that are new here renumbered after
    /// ours. The caller holds the lock.
    func merging(_ theirs: ErasureLog, in repository: Repository, by author: Signature) throws -> ErasureLog {
        func identity(_ r: ErasureRecord) -> String { "\(r.erasedBy)\u{0}\(r.time)\u{0}\(r.reason)\u{0}\(r.samples.joined(separator: "\u{0}"))" }
        let known = Set(records.map(identity))
        var all = records
        for record in theirs.records where !known.contains(identity(record)) {
            var renumbered = record
            renumbered.sequence = (all.last?.sequence ?? 0) + 1
            all.append(renumbered)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var entries: [TreeEntry] = []
        for record in all {
            let blob = try repository.write(.blob, Array(try encoder.encode(record)) + [0x0a])
            entries.append(TreeEntry(mode: .blob, name: String(format: "%06d.json", record.sequence), id: blob))
        }
        let tree = try repository.write(.tree, TreeFormat.encode(entries))
        let parents = [tip, theirs.tip].compactMap { $0 }
        let commit = try repository.write(.commit, CommitFormat.encodeCommit(
            tree: tree, parents: parents, author: author, committer: author,
            message: "Merge erasure records (\(all.count - records.count) new here)\n"))
        try repository.updateReference(Self.ref, to: commit, expected: tip, message: "trail fetch: merge erasures")
        return ErasureLog(records: all, tip: commit)
    }

    /// Appends `record` (its `sequence` is set here): writes its blob, the new tree and commit as
    /// loose objects, then moves the reference with compare-and-swap. The caller holds the lock.
    func appending(_ record: ErasureRecord, by author: Signature, in repository: Repository) throws -> (ErasureLog, ErasureRecord) {
        var record = record
        record.sequence = (records.last?.sequence ?? 0) + 1
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let blob = try repository.write(.blob, Array(try encoder.encode(record)) + [0x0a])
        var entries = try tip.map { try repository.readTree(try repository.commit($0).tree) } ?? []
        entries.append(TreeEntry(mode: .blob, name: String(format: "%06d.json", record.sequence), id: blob))
        let tree = try repository.write(.tree, TreeFormat.encode(entries))
        var message = "Erasure \(record.sequence): \(record.samples.count) sample\(record.samples.count == 1 ? "" : "s")\n\n"
        message += record.reason + "\n"
        let commit = try repository.write(.commit, CommitFormat.encodeCommit(
            tree: tree, parents: tip.map { [$0] } ?? [], author: author, committer: author, message: message))
        do {
            try repository.updateReference(Self.ref, to: commit, expected: tip, message: "trail erase")
        } catch let error as GitError where error.isConcurrentUpdate {
            throw TrailError(.concurrentUpdate(ref: Self.ref), "\(Self.ref) was moved by another process", hint: "run the erasure again; nothing was erased yet")
        }
        return (ErasureLog(records: records + [record], tip: commit), record)
    }
}

/// A sample of some version whose content was erased since, with the erasure that did it.
public struct ErasedSample: Codable, Equatable, Sendable {
    /// The sample's id.
    public var id: String
    /// The erasure record's number (`ErasureRecord.sequence`), date and reason.
    public var sequence: Int
    /// When the erasure was made, as ISO 8601 (UTC).
    public var date: String
    /// Why the content was erased, as given.
    public var reason: String
}

extension ErasureLog {
    /// The erased samples that `snapshot` holds, by id (a few tree reads per erased sample).
    public func erasedSamples(in snapshot: Snapshot) throws -> [ErasedSample] {
        var found: [ErasedSample] = []
        for (id, record) in bySample.sorted(by: { $0.key < $1.key }) where try snapshot.recordID(forKey: SampleKey.of(id)) != nil {
            found.append(ErasedSample(id: id, sequence: record.sequence, date: record.date, reason: record.reason))
        }
        return found
    }

    /// The erased samples of `snapshot`, for a store's `Repository`.
    static func erasedSamples(in snapshot: Snapshot, store: Store) throws -> [ErasedSample] {
        try read(store.repository).erasedSamples(in: snapshot)
    }
}
