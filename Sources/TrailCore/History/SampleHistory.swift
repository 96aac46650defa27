import Foundation
import Git
import GitFormat

/// One version of a sample: the commit that introduced it, and what it was.
public struct SampleVersion: Codable, Equatable, Sendable {
    /// The commit that introduced this version.
    public var commit: String
    /// The commit's date, ISO 8601.
    public var date: String
    /// The commit's author.
    public var author: String
    /// The first line of the commit's message.
    public var subject: String
    /// How this version differs from the one before (`added` for the first, `removed` when it left).
    public var kind: ChangeKind
    /// The sample's labels, by label field.
    public var labels: [String: String]
    /// The record's annotator.
    public var annotator: String?
    /// The record's guideline version.
    public var guideline: String?
    /// The record blob of this version (nil for a removal).
    public var record: String?
    /// Models whose training data held exactly this version.
    public var models: [String]
    /// The version's judgments (its judgments field), in record order; absent when it has none.
    public var judgments: [Judgment]? = nil
}

/// The label history of one sample, oldest first: a blame for one sample.
public struct SampleHistory: Codable, Equatable, Sendable {
    /// The sample's id.
    public var id: String
    /// Every version, oldest first.
    public var versions: [SampleVersion]
    /// The erasure that removed the sample's content from every version, if one did.
    public var erasure: ErasureRecord?
}

/// Walks the history behind a revision and reports each change of one sample.
public struct HistoryReader {
    let store: Store

    /// Reads histories from `store`.
    public init(store: Store) { self.store = store }

    /// Every version of sample `id` in the history of `revision` (default HEAD), oldest first.
    /// Each commit costs three small tree reads, and only versions that changed are decoded.
    public func history(of id: String, from revision: String? = nil) throws -> SampleHistory {
        let repo = store.repository
        let key = SampleKey.of(id)
        let start = try Revisions(store: store).resolve(revision ?? "HEAD")
        let commits = try CommitWalk.oldestFirst(from: start, in: repo)
        Trace.mark("history: \(commits.count) commits")

        // The record each model's data holds for this sample.
        var modelRecords: [(name: String, record: ObjectID?)] = []
        for model in try Models(store: store).list() {
            guard let commit = ObjectID(hex: model.commit) else { continue }
            modelRecords.append((model.name, try Snapshot(repository: repo, commit: commit).recordID(forKey: key)))
        }

        Trace.mark("history: models read")
        // Each commit against its first parent (as the index does), so a merge shows only what
        // it changed, and a side branch's commits only theirs.
        var versions: [SampleVersion] = []
        var recordAt: [ObjectID: ObjectID?] = [:]
        var configAt: [ObjectID: DatasetConfig] = [:]
        for info in commits {
            let snapshot = try Snapshot(repository: repo, commit: info.id)
            let current = try snapshot.recordID(forKey: key)
            let config = try snapshot.config()
            recordAt[info.id] = .some(current)
            configAt[info.id] = config
            let parent = info.parents.first
            let previous: ObjectID? = parent.flatMap { recordAt[$0] ?? nil }
            guard current != previous else { continue }
            // A merge that took the other side's version adds nothing: that side's commit is listed.
            if info.parents.dropFirst().contains(where: { (recordAt[$0] ?? nil) == current }) { continue }
            let previousConfig = parent.flatMap { configAt[$0] } ?? config
            // The previous version is the parent's: a damaged record is named in the commit that holds it.
            let previousRecord = try previous.map { record in
                try StoredRecordError.locating(commit: parent, key: key, sample: id) { try SampleRecord.decode(repo.read(record, as: .blob)) }
            }
            let record = try current.map { record in
                try StoredRecordError.locating(commit: info.id, key: key, sample: id) { try SampleRecord.decode(repo.read(record, as: .blob)) }
            }
            let change = SampleChange.between(previousRecord, record, oldConfig: previousConfig, newConfig: config,
                                              recordBefore: previous, recordAfter: current)
            versions.append(SampleVersion(
                commit: info.id.hex, date: isoDate(info.author), author: "\(info.author.name) <\(info.author.email)>",
                subject: String(info.message.split(separator: "\n").first ?? ""), kind: change.kind,
                labels: record == nil ? [:] : change.labelsAfter, annotator: record == nil ? nil : change.annotator,
                guideline: record == nil ? nil : change.guideline, record: current?.hex,
                models: current == nil ? [] : modelRecords.filter { $0.record == current }.map(\.name),
                judgments: record.map { Judgment.list($0.field(config.judgmentsField), config: config) }.flatMap { $0.isEmpty ? nil : $0 }))
        }
        guard !versions.isEmpty else {
            throw TrailError(.notFound(.sample, name: id), "sample '\(id)' is not in the history of \(revision ?? "HEAD")",
                             hint: "check the id (ids are case-sensitive); `trail export \(revision ?? "HEAD") --out -` lists the samples")
        }
        let log = try ErasureLog.read(repo)
        var erasure = log.bySample[id]
        if erasure == nil && !log.records.isEmpty {
            for v in versions {
                guard let hex = v.record, let recordID = ObjectID(hex: hex) else { continue }
                let record = try StoredRecordError.locating(commit: ObjectID(hex: v.commit), key: key, sample: id) {
                    try SampleRecord.decode(repo.read(recordID, as: .blob))
                }
                if let hit = log.erasure(of: record) { erasure = hit; break }
            }
        }
        return SampleHistory(id: id, versions: versions, erasure: erasure)
    }
}
