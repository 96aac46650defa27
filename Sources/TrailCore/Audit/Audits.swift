import Foundation
import Git
import GitFormat
import SQLite

/// The data behind a model: what it trained on and what changed since the model before it.
public struct ModelAudit: Codable, Equatable {
    /// The registration: name, dataset commit, who registered it and its metadata.
    public var model: ModelInfo
    /// Samples in the dataset the model trained on.
    public var samples: Int
    /// Counts per label field, then per label value.
    public var labels: [String: [String: Int]]
    /// Samples per annotator (who set the current label).
    public var annotators: [String: Int]
    /// Samples per guideline version.
    public var guidelines: [String: Int]
    /// The model registered before this one, if any, and the diff from its data to this one's.
    public var previousModel: String?
    /// The changes from the previous model's data to this one's (nil for the first model).
    public var sincePrevious: SnapshotDiff?
    /// Samples of its data whose content was erased after it trained on them.
    public var erased: [ErasedSample] = []
    /// Its stored predictions, and their scores on its data; absent when it has none.
    public var predictions: PredictionsSummary?
}

/// The relabels between two versions, grouped by annotator and guideline version.
public struct FlipsAudit: Codable, Equatable {
    /// Relabels by one annotator under one guideline version.
    public struct Group: Codable, Equatable {
        /// Who relabeled.
        public var annotator: String
        /// The guideline version the relabels were made under.
        public var guideline: String
        /// How many relabels the group holds.
        public var count: Int
        /// The relabels themselves.
        public var samples: [SampleChange]
    }
    /// The earlier version (a revision, as given).
    public var from: String
    /// The later version.
    public var to: String
    /// Relabels between the two.
    public var relabels: Int
    /// The groups, largest first.
    public var groups: [Group]
}

/// One annotator's work: the labels they set, and how many were later overturned, by whom.
public struct AnnotatorAudit: Codable, Equatable {
    /// One label of this annotator's that a later change replaced.
    public struct Overturn: Codable, Equatable {
        /// The sample's id.
        public var id: String
        /// The label this annotator set.
        public var label: String
        /// The label that replaced it.
        public var overturnedTo: String
        /// Who replaced it (the later record's annotator).
        public var by: String?
        /// The guideline version of the replacing change.
        public var guideline: String?
        /// The commit of the replacing change.
        public var commit: String
    }
    /// The annotator, as named in records.
    public var annotator: String
    /// Labels this annotator set (a sample added or relabeled by them, counted per change).
    public var labelsSet: Int
    /// Distinct samples they labeled.
    public var samples: Int
    /// How many of their labels a later change replaced.
    public var overturned: Int
    /// Who overturned them, and how often.
    public var overturnedBy: [String: Int]
    /// Each overturned label, oldest first.
    public var overturns: [Overturn]
    /// Their judgments in HEAD against its final labels; absent when they made none there.
    public var judgments: AnnotatorJudgments? = nil
}

/// Samples whose label changed often, flip-flops (a label that came back) first.
public struct DisputedAudit: Codable, Equatable {
    /// One disputed sample.
    public struct Sample: Codable, Equatable {
        /// The sample's id.
        public var id: String
        /// How many times its label changed.
        public var changes: Int
        /// True when a label it had before came back.
        public var flipFlop: Bool
        /// The labels in order, oldest first.
        public var labels: [String]
        /// The annotators of those changes, oldest first.
        public var annotators: [String]
    }
    /// The fewest label changes a sample needs to be listed.
    public var minChanges: Int
    /// The disputed samples, flip-flops first, then by changes.
    public var samples: [Sample]
}

/// One sample's history and every model that trained on any version of it.
public struct SampleAudit: Codable, Equatable {
    /// Every version of the sample.
    public var history: SampleHistory
    /// Models whose data held any version of it.
    public var models: [String]
}

/// Audit reports, for compliance and annotation leads.
public struct Auditor {
    let store: Store

    /// Audits over `store` (its git objects and lineage index).
    public init(store: Store) { self.store = store }

    /// A model's training data: size, labels, annotators, guidelines, and what changed since the
    /// previously registered model.
    public func model(_ name: String) throws -> ModelAudit {
        // By registration time (the dates carry each registrar's UTC offset, so not as text).
        let models = try Models(store: store).list().sorted {
            (epochSeconds($0.registeredAt) ?? 0, $0.name) < (epochSeconds($1.registeredAt) ?? 0, $1.name)
        }
        guard let index = models.firstIndex(where: { $0.name == name }) else {
            throw TrailError(.notFound(.model, name: name), "no model named '\(name)'", hint: "`trail model list` shows the registered models")
        }
        let model = models[index]
        let revisions = Revisions(store: store)
        let snapshot = try revisions.snapshot(Store.modelRefPrefix.dropFirst("refs/".count) + name)
        let summary = try snapshot.summary()
        var audit = ModelAudit(model: model, samples: summary.samples, labels: summary.labels, annotators: summary.annotators,
                               guidelines: summary.guidelines, previousModel: nil, sincePrevious: nil,
                               erased: try ErasureLog.erasedSamples(in: snapshot, store: store))
        audit.predictions = try Predictions(store: store).summary(of: name)
        if index > 0 {
            let previous = models[index - 1]
            audit.previousModel = previous.name
            let old = try revisions.snapshot(Store.modelRefPrefix.dropFirst("refs/".count) + previous.name)
            audit.sincePrevious = try Differ(store: store).diff(old, snapshot, fromName: previous.name, toName: name, includeSamples: false)
        }
        return audit
    }

    /// The relabels from `from` to `to`, grouped by annotator × guideline, largest group first.
    public func flips(from: String, to: String) throws -> FlipsAudit {
        let revisions = Revisions(store: store)
        let diff = try Differ(store: store).diff(try revisions.snapshot(from), try revisions.snapshot(to),
                                                 fromName: from, toName: to, includeSamples: true)
        let relabels = (diff.samples ?? []).filter { $0.kind == .relabeled }
        let grouped = Dictionary(grouping: relabels) { "\($0.annotator ?? "(none)")\u{0}\($0.guideline ?? "(none)")" }
        let groups = grouped.map { key, samples -> FlipsAudit.Group in
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            return .init(annotator: parts[0], guideline: parts[1], count: samples.count, samples: samples)
        }.sorted { ($1.count, $0.annotator, $0.guideline) < ($0.count, $1.annotator, $1.guideline) }
        return FlipsAudit(from: from, to: to, relabels: relabels.count, groups: groups)
    }

    /// An annotator's labels, and which of them a later change overturned (from the index).
    public func annotator(_ id: String) throws -> AnnotatorAudit {
        let index = try caughtUpIndex()
        let set = try index.rows("""
            SELECT COUNT(*), COUNT(DISTINCT sample_id) FROM changes
            WHERE annotator = ? AND kind IN ('added', 'relabeled')
            """, [.text(id)])
        // A label this annotator set is overturned by the next label event on that sample.
        let overturns = try index.rows("""
            SELECT c.sample_id, c.labels_after, e.to_label, e.annotator, e.guideline, m.id
            FROM changes c
            JOIN label_events e ON e.sample_id = c.sample_id AND e.seq = (
                SELECT MIN(seq) FROM label_events WHERE sample_id = c.sample_id AND seq > c.seq)
            JOIN commits m ON m.seq = e.seq
            WHERE c.annotator = ? AND c.kind IN ('added', 'relabeled')
            ORDER BY c.sample_id, e.seq
            """, [.text(id)])
        var audit = AnnotatorAudit(annotator: id, labelsSet: int(set.first?[0]), samples: int(set.first?[1]),
                                   overturned: 0, overturnedBy: [:], overturns: [])
        for row in overturns {
            let by = text(row[3])
            audit.overturns.append(.init(id: text(row[0]) ?? "", label: labelText(text(row[1])),
                                         overturnedTo: text(row[2]) ?? "", by: by, guideline: text(row[4]), commit: text(row[5]) ?? ""))
            audit.overturnedBy[by ?? "(none)", default: 0] += 1
        }
        audit.overturned = audit.overturns.count
        // Judgments are read from HEAD's records, when the history has any.
        if try !index.rows("SELECT 1 FROM judgments LIMIT 1").isEmpty, try store.headCommit() != nil {
            audit.judgments = try judgments(of: id)
        }
        if audit.labelsSet == 0 && audit.judgments == nil {
            throw TrailError(.notFound(.annotator, name: id), "no labels by annotator '\(id)' in the indexed history",
                             hint: "check the name (it is case-sensitive); `trail show HEAD` lists the annotators")
        }
        return audit
    }

    /// Samples whose label changed at least `minChanges` times, flip-flops first.
    public func disputed(minChanges: Int) throws -> DisputedAudit {
        let index = try caughtUpIndex()
        let rows = try index.rows("""
            SELECT sample_id, from_label, to_label, annotator FROM label_events
            WHERE sample_id IN (SELECT sample_id FROM label_events GROUP BY sample_id HAVING COUNT(*) >= ?)
            ORDER BY sample_id, seq, field
            """, [.integer(Int64(minChanges))])
        var samples: [DisputedAudit.Sample] = []
        for row in rows {
            let id = text(row[0]) ?? ""
            if samples.last?.id != id {
                samples.append(.init(id: id, changes: 0, flipFlop: false, labels: [text(row[1]) ?? ""], annotators: []))
            }
            let to = text(row[2]) ?? ""
            samples[samples.count - 1].changes += 1
            if samples[samples.count - 1].labels.contains(to) { samples[samples.count - 1].flipFlop = true }
            samples[samples.count - 1].labels.append(to)
            samples[samples.count - 1].annotators.append(text(row[3]) ?? "(none)")
        }
        samples.sort { ($0.flipFlop ? 0 : 1, -$0.changes, $0.id) < ($1.flipFlop ? 0 : 1, -$1.changes, $1.id) }
        return DisputedAudit(minChanges: minChanges, samples: samples)
    }

    /// A sample's history and every model whose data held any version of it.
    public func sample(_ id: String) throws -> SampleAudit {
        let history = try HistoryReader(store: store).history(of: id)
        var models: [String] = []
        for v in history.versions { for m in v.models where !models.contains(m) { models.append(m) } }
        return SampleAudit(history: history, models: models)
    }

    /// The index, brought up to date with every branch, tag and model first.
    private func caughtUpIndex() throws -> LineageIndex {
        _ = try store.withWriteLock { try LineageUpdater(store: store).catchUp() }
        return try store.openIndex()
    }

    private func int(_ value: SQLValue?) -> Int {
        if case .integer(let n)? = value { return Int(n) }
        return 0
    }

    private func text(_ value: SQLValue) -> String? {
        if case .text(let s) = value { return s }
        return nil
    }

    /// The label text of a `{field: label}` JSON object (fields joined with `; ` when several).
    private func labelText(_ json: String?) -> String {
        guard let json, case .object(let members)? = try? JSONParser.parse(json) else { return "" }
        return members.compactMap { $0.value.stringValue }.joined(separator: "; ")
    }
}

/// Seconds since 1970 of an ISO 8601 date as Trail writes them (`2026-12-01T19:41:18+01:00` or
/// `…Z`); nil for anything else.
func epochSeconds(_ iso: String?) -> Int64? {
    guard let iso, iso.utf8.count >= 20 else { return nil }
    let chars = Array(iso.utf8)
    func number(_ range: Range<Int>) -> Int? { Int(String(decoding: chars[range], as: UTF8.self)) }
    guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10),
          let h = number(11..<13), let mi = number(14..<16), let s = number(17..<19) else { return nil }
    var offset = 0
    if chars.count >= 25, chars[19] == UInt8(ascii: "+") || chars[19] == UInt8(ascii: "-"), let oh = number(20..<22), let om = number(23..<25) {
        offset = (oh * 60 + om) * 60 * (chars[19] == UInt8(ascii: "-") ? -1 : 1)
    }
    // Days from civil (Howard Hinnant's algorithm), so no calendar or time zone database is needed.
    let yy = mo <= 2 ? y - 1 : y
    let era = (yy >= 0 ? yy : yy - 399) / 400
    let yoe = yy - era * 400
    let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146097 + doe - 719468
    return Int64(days * 86400 + h * 3600 + mi * 60 + s - offset)
}
