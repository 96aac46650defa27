import Dispatch
import Foundation
import Git
import GitFormat

/// What happened to a sample between two versions.
public enum ChangeKind: String, Codable, CaseIterable, Sendable {
    case added, removed, relabeled
    case contentChanged = "content-changed"
    case metadataChanged = "metadata-changed"
}

extension ChangeKind {
    /// What happened to a sample, from its label fields as text and its content blob ids before
    /// and after (nil where it is absent): a relabel counts before a content change, and that
    /// before any other change. The one decision for the general path and the byte path alike.
    static func classify<Content: Sequence<ObjectID>>(before: (labels: [String: String], content: Content)?,
                                                      after: (labels: [String: String], content: Content)?) -> ChangeKind {
        guard let before else { return .added }
        guard let after else { return .removed }
        if before.labels != after.labels { return .relabeled }
        if !before.content.elementsEqual(after.content) { return .contentChanged }
        return .metadataChanged
    }
}

/// One changed sample, label by label.
public struct SampleChange: Codable, Equatable, Sendable {
    /// The sample's id.
    public var id: String
    /// What happened to the sample.
    public var kind: ChangeKind
    /// Label fields before and after, as text (`(none)` when missing or null; multi-label
    /// arrays joined with `+`).
    public var labelsBefore: [String: String]
    /// Label fields after, as text, in the same form.
    public var labelsAfter: [String: String]
    /// The annotator and guideline of the new version (of the old one for a removal).
    public var annotator: String?
    /// The guideline version of the new record (of the old one for a removal); nil if it records none.
    public var guideline: String?
    /// The id of the sample's record blob before; nil for an added sample.
    public var recordBefore: String?
    /// The id of the sample's record blob after; nil for a removed sample.
    public var recordAfter: String?
}

/// A label-aware diff between two snapshots.
public struct SnapshotDiff: Codable, Equatable, Sendable {
    /// How many relabeled samples moved from one label to another in one field.
    public struct Transition: Codable, Equatable, Sendable {
        /// The label field.
        public var field: String
        /// The label before, as text.
        public var from: String
        /// The label after, as text.
        public var to: String
        /// Relabeled samples that made this move.
        public var count: Int
    }

    /// One label's sample count in the two versions.
    public struct LabelCount: Codable, Equatable, Sendable {
        /// The label field.
        public var field: String
        /// The label, as text.
        public var label: String
        /// Samples with this label in the old version.
        public var before: Int
        /// Samples with this label in the new version.
        public var after: Int
        /// `after - before`.
        public var delta: Int
    }

    /// The old version, as given (`HEAD`, a branch, tag, model or commit).
    public var from: String
    /// The new version, as given.
    public var to: String
    /// Samples in the old version.
    public var samplesBefore: Int
    /// Samples in the new version.
    public var samplesAfter: Int
    /// How many samples changed in each way.
    public var counts: [String: Int]
    /// Label transitions of relabeled samples (from → to, count), largest first.
    public var transitions: [Transition]
    /// Every label's count in the two versions (from their summaries).
    public var labels: [LabelCount]
    /// Relabels by the annotator and by the guideline version of the new label.
    public var relabelsByAnnotator: [String: Int]
    /// Relabels by the guideline version of the new label.
    public var relabelsByGuideline: [String: Int]
    /// Every changed sample, by id (only when asked for).
    public var samples: [SampleChange]?
    /// Samples of either version whose content was erased since (their labels still count).
    public var erased: [ErasedSample] = []
    /// When A or B names a model with stored predictions: its scores on its own data, by model
    /// name (see `Predictions.storedMetrics(of:)`); absent otherwise.
    public var storedMetrics: [String: StoredMetrics]?
    /// Annotator agreement in both versions (`trail diff` only), when either holds judgments; absent otherwise.
    public var agreement: DiffAgreement?
}

/// Computes label-aware diffs.
public struct Differ {
    let store: Store

    /// A differ reading snapshots from `store`.
    public init(store: Store) { self.store = store }

    /// The diff from `old` to `new`. Reads only the subtrees whose ids differ, then the records
    /// of the changed samples. With `includeSamples`, it lists the changed samples that `filter`
    /// keeps (all of them by default); the counts and the rest always cover every change.
    public func diff(_ old: Snapshot, _ new: Snapshot, fromName: String, toName: String, includeSamples: Bool,
                     filter: DiffFilter = DiffFilter()) throws -> SnapshotDiff {
        let oldConfig = try old.config(), newConfig = try new.config()
        let changes: [SampleChange]
        if let indexed = try changesFromIndex(old, new, oldConfig: oldConfig, newConfig: newConfig, sorted: includeSamples) {
            changes = indexed
        } else {
            let entries = try ShardedTree.diff(from: old.tree, to: new.tree, in: store.repository)
            Trace.mark("diff: \(entries.count) records differ")
            changes = try classify(entries, old, new, oldConfig: oldConfig, newConfig: newConfig)
            Trace.mark("diff: records read and classified")
        }
        var diff = Differ.summarize(changes, before: try old.summary(), after: try new.summary(), fromName: fromName, toName: toName,
                                    includeSamples: includeSamples)
        if !filter.isEmpty { diff.samples = diff.samples?.filter(filter.includes) }
        let log = try ErasureLog.read(store.repository)
        if !log.records.isEmpty {
            let inOld = try log.erasedSamples(in: old), inNew = try log.erasedSamples(in: new)
            diff.erased = inOld + inNew.filter { e in !inOld.contains { $0.id == e.id } }
        }
        return diff
    }

    /// The changes from `old` to `new` as the index holds them (see `LineageIndex.changes(from:to:)`),
    /// when `new` descends from `old` and every commit in between was indexed with its rows'
    /// place: a range of rows instead of two trees and every changed record (at ten million
    /// samples, 0.6 s against 2.8). Nil when the index cannot say, or the history in between was
    /// committed with another configuration (its rows' labels would be another's); the caller
    /// then compares the trees. The index is derived from these very commits, so its rows are
    /// what `classify` would find, which a test checks over many histories.
    /// `sorted`: in id order, as a listing needs (the counts do not; at ten million samples
    /// sorting 400k changes was a tenth of the diff).
    func changesFromIndex(_ old: Snapshot, _ new: Snapshot, oldConfig: DatasetConfig, newConfig: DatasetConfig,
                          sorted: Bool) throws -> [SampleChange]? {
        guard FileManager.default.fileExists(atPath: store.indexPath),
              let along = try? store.openIndex().changes(from: old.commit, to: new.commit) else { return nil }
        if along.commits.count > 1 {
            guard let config = old.configID, new.configID == config else { return nil }
            for commit in along.commits.dropFirst() where try Snapshot(repository: store.repository, commit: commit).configID != config {
                return nil
            }
        }
        Trace.mark("diff: \(along.changes.count + along.repeated.count) changes from the index, \(along.commits.count) commits")
        var changes = along.changes
        // A sample changed several times: its first and last records say what the diff is.
        let entries = along.repeated.filter { $0.before != $0.after }.map { ShardedTree.Change(key: SampleKey.of($0.id), before: $0.before, after: $0.after) }
        if !entries.isEmpty {
            changes += try classify(entries, old, new, oldConfig: oldConfig, newConfig: newConfig)
            Trace.mark("diff: \(entries.count) records of samples changed more than once read")
        }
        return sorted ? Differ.sortedByID(changes) : changes
    }

    /// Reads the records of `entries` (changed between `old` and `new`) and says what changed,
    /// sorted by id; a damaged record's error names the sample and the commit.
    private func classify(_ entries: [ShardedTree.Change], _ old: Snapshot, _ new: Snapshot, oldConfig: DatasetConfig,
                          newConfig: DatasetConfig) throws -> [SampleChange] {
        try StoredRecordError.locating(entries, from: (old.commit, oldConfig), to: (new.commit, newConfig), repository: store.repository) {
            try Differ.classify(entries, oldConfig: oldConfig, newConfig: newConfig, repositoryPath: store.repository.path)
        }
    }

    /// The counts, transitions and label deltas of `changes` (sorted by id when `includeSamples`, which lists them), between two
    /// versions whose summaries are `before` and `after`.
    static func summarize(_ changes: [SampleChange], before: SnapshotSummary, after: SnapshotSummary,
                          fromName: String, toName: String, includeSamples: Bool) -> SnapshotDiff {
        var counts: [String: Int] = [:]
        for kind in ChangeKind.allCases { counts[kind.rawValue] = 0 }
        var transitions: [String: [String: [String: Int]]] = [:]
        var byAnnotator: [String: Int] = [:], byGuideline: [String: Int] = [:]
        for change in changes {
            counts[change.kind.rawValue, default: 0] += 1
            guard change.kind == .relabeled else { continue }
            for (field, after) in change.labelsAfter {
                let before = change.labelsBefore[field] ?? "(none)"
                if before != after { transitions[field, default: [:]][before, default: [:]][after, default: 0] += 1 }
            }
            for (field, before) in change.labelsBefore where change.labelsAfter[field] == nil && before != "(none)" {
                transitions[field, default: [:]][before, default: [:]]["(none)", default: 0] += 1
            }
            byAnnotator[change.annotator ?? "(none)", default: 0] += 1
            byGuideline[change.guideline ?? "(none)", default: 0] += 1
        }
        var flat: [SnapshotDiff.Transition] = []
        for (field, froms) in transitions {
            for (from, tos) in froms { for (to, n) in tos { flat.append(.init(field: field, from: from, to: to, count: n)) } }
        }
        flat.sort { ($0.count, $1.field, $1.from, $1.to) > ($1.count, $0.field, $0.from, $0.to) }

        var labelCounts: [SnapshotDiff.LabelCount] = []
        for field in Set(before.labels.keys).union(after.labels.keys).sorted() {
            let b = before.labels[field] ?? [:], a = after.labels[field] ?? [:]
            for label in Set(b.keys).union(a.keys) {
                labelCounts.append(.init(field: field, label: label, before: b[label] ?? 0, after: a[label] ?? 0,
                                         delta: (a[label] ?? 0) - (b[label] ?? 0)))
            }
        }
        labelCounts.sort { ($0.field, -$0.after, $0.label) < ($1.field, -$1.after, $1.label) }

        return SnapshotDiff(from: fromName, to: toName, samplesBefore: before.samples, samplesAfter: after.samples,
                            counts: counts, transitions: flat, labels: labelCounts,
                            relabelsByAnnotator: byAnnotator, relabelsByGuideline: byGuideline,
                            samples: includeSamples ? changes : nil)
    }

    /// Reads both records of each changed sample (on every core) and says what changed.
    static func classify(_ entries: [ShardedTree.Change], oldConfig: DatasetConfig, newConfig: DatasetConfig,
                          repositoryPath: String) throws -> [SampleChange] {
        let names = (old: FieldNames(oldConfig), new: FieldNames(newConfig))
        let all = try Parallel.map(entries, repositoryPath: repositoryPath) { repo, entry in
            try SampleChange.between(recordBytes: entry.before.map { ($0, try repo.read($0, as: .blob)) },
                                     entry.after.map { ($0, try repo.read($0, as: .blob)) },
                                     oldConfig: oldConfig, newConfig: newConfig, names: names)
        }
        return sortedByID(all)
    }

    /// `changes` in canonical (UTF-8 byte) order of ids; sorting indices over ready byte keys
    /// moves no changes around and converts no strings in the comparisons.
    static func sortedByID(_ changes: [SampleChange]) -> [SampleChange] {
        let keys = changes.map { Array($0.id.utf8) }
        return keys.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }.map { changes[$0] }
    }
}

extension SampleChange {
    /// The change from `before` to `after` (either may be nil).
    static func between(_ before: SampleRecord?, _ after: SampleRecord?, oldConfig: DatasetConfig, newConfig: DatasetConfig,
                        recordBefore: ObjectID?, recordAfter: ObjectID?) -> SampleChange {
        let labelsBefore = before.map { labels($0, oldConfig) } ?? [:]
        let labelsAfter = after.map { labels($0, newConfig) } ?? [:]
        let kind = ChangeKind.classify(before: before.map { (labelsBefore, $0.content.lazy.map(\.blob)) },
                                       after: after.map { (labelsAfter, $0.content.lazy.map(\.blob)) })
        let latest = after ?? before!
        let config = after == nil ? oldConfig : newConfig
        let id = latest.field(config.idField).map(text) ?? "?"
        return SampleChange(id: id, kind: kind, labelsBefore: labelsBefore, labelsAfter: labelsAfter,
                            annotator: latest.field(config.annotatorField).flatMap { $0 == .null ? nil : text($0) },
                            guideline: latest.field(config.guidelineField).flatMap { $0 == .null ? nil : text($0) },
                            recordBefore: recordBefore?.hex, recordAfter: recordAfter?.hex)
    }

    /// An added sample read straight from its canonical record bytes (no value tree); nil when
    /// a value needs the general path (escapes, arrays, nesting).
    static func added(recordBytes bytes: [UInt8], recordID: ObjectID, config: DatasetConfig) -> SampleChange? {
        plain(nil, (recordID, bytes, PlainRecordFields(bytes, keys: .init(config))))
    }

    /// The label fields a record has, as text.
    static func labels(_ record: SampleRecord, _ config: DatasetConfig) -> [String: String] {
        var result: [String: String] = [:]
        for field in config.labelFields {
            if let value = record.field(field) { result[field] = text(value) }
        }
        return result
    }

    /// A value as a user reads it: strings bare, null as `(none)`, arrays joined with `+`.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .null: return "(none)"
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .array(let items): return items.isEmpty ? "(none)" : items.map(text).joined(separator: "+")
        case .object: return String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        }
    }
}
