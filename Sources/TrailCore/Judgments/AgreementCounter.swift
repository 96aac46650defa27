import Git
import GitFormat

/// Counts a snapshot's judgments into the tallies behind `AgreementReport`: records are read on
/// every core (in the order of their ids, as eval reads them, so pack lookups stay in cache),
/// each worker interning labels, annotators and guidelines into its own codes; the counting then
/// runs once over the workers' compact rows in shared codes. Every count is signed, so a
/// counter moves from one version to another by taking out the records that changed and adding
/// their new versions (`update`), which is what `AgreementCache` keeps per commit.
struct AgreementCounter: Codable {
    /// The layout of the encoded counter; a cached counter of another layout is counted again.
    static let layout = 2
    private var layout = AgreementCounter.layout
    private var labels = LabelCodes(), annotators = LabelCodes(), guidelines = LabelCodes()
    private var overall = AgreementTally()
    private var byGuideline: [AgreementTally] = [], byLabel: [AgreementTally] = []
    private var perAnnotator: [ConfusionTally] = []
    /// Per annotator and guideline (key `annotator << 32 | guideline`), their tally against the
    /// final labels: `audit annotator`'s agreement by guideline version.
    private var byAnnotatorGuideline: [Int: ConfusionTally] = [:]
    private var pairTogether: [Int: Int] = [:], pairDisagree: [Int: Int] = [:]
    private var single = 0, missing = 0, snapshotSamples = 0
    private var field: String?

    private enum CodingKeys: String, CodingKey {
        case layout, labels, annotators, guidelines, overall, byGuideline, byLabel, perAnnotator, byAnnotatorGuideline, pairTogether, pairDisagree
        case single, missing, snapshotSamples, field
    }

    /// The judgments of one worker's records, in that worker's codes: sample `s` has judgments
    /// `starts[s]..<starts[s + 1]`; per judgment its label (-1 missing), the sample's final
    /// label of the judgment's field, its annotator and guideline.
    struct Rows {
        var labels = LabelCodes(), annotators = LabelCodes(), guidelines = LabelCodes()
        var starts: [Int32] = [0]
        var value: [Int32] = [], final: [Int32] = [], who: [Int32] = [], under: [Int32] = []
        var field: String?
        var records = 0
        /// The codes of values met in record bytes, by those bytes: most values repeat (a few
        /// dozen annotators, labels and guideline versions), so a judgment read in place costs
        /// three hash lookups and no string.
        private var labelBytes: [ArraySlice<UInt8>: Int32] = [:], annotatorBytes: [ArraySlice<UInt8>: Int32] = [:]
        private var guidelineBytes: [ArraySlice<UInt8>: Int32] = [:]

        private static func intern(_ text: ArraySlice<UInt8>, _ cache: inout [ArraySlice<UInt8>: Int32], _ codes: inout LabelCodes) -> Int32 {
            if let code = cache[text] { return code }
            let code = Int32(codes.code(String(decoding: text, as: UTF8.self)))
            cache[ArraySlice(Array(text))] = code  // a copy: the key must not keep the record alive
            return code
        }

        /// Adds a record read in place (`PlainJudgments`); false, having added nothing, when
        /// it needs the general path, which `add(_:)` takes from the decoded record.
        mutating func addPlain(_ bytes: [UInt8], _ keys: PlainJudgments.Keys) -> Bool {
            guard let found = PlainJudgments(bytes, keys) else { return false }
            records += 1
            guard !found.judgments.isEmpty else { return true }
            for j in found.judgments {
                value.append(j.label.map { Self.intern(bytes[$0], &labelBytes, &labels) } ?? -1)
                let finalLabel = j.field.flatMap { found.finals[$0] }
                final.append(finalLabel.map { Self.intern(bytes[$0], &labelBytes, &labels) } ?? Int32(labels.code(LabelText.none)))
                who.append(j.annotator.map { Self.intern(bytes[$0], &annotatorBytes, &annotators) } ?? Int32(annotators.code(LabelText.none)))
                under.append(j.guideline.map { Self.intern(bytes[$0], &guidelineBytes, &guidelines) } ?? Int32(guidelines.code(LabelText.none)))
                if field == nil, let f = j.field { field = keys.labelNames[f] }
            }
            starts.append(Int32(value.count))
            return true
        }

        /// Adds one record's judgments.
        mutating func add(_ record: JudgedRecord) {
            records += 1
            guard !record.judgments.isEmpty else { return }
            for j in record.judgments {
                value.append(j.label.map { Int32(labels.code($0)) } ?? -1)
                let finalLabel = j.field.flatMap { record.label($0) } ?? LabelText.none
                final.append(Int32(labels.code(finalLabel)))
                who.append(Int32(annotators.code(j.annotator ?? LabelText.none)))
                under.append(Int32(guidelines.code(j.guideline ?? LabelText.none)))
                if field == nil { field = j.field }
            }
            starts.append(Int32(value.count))
        }
    }

    private init() {}

    /// False for a counter decoded from another layout of the cache.
    var isCurrentLayout: Bool { layout == Self.layout }

    /// Reads every record of `snapshot` and counts its judgments.
    static func count(_ snapshot: Snapshot) throws -> AgreementCounter {
        let entries = try ShardedTree.diff(from: nil, to: snapshot.tree, in: snapshot.repository)
        let records = entries.compactMap { e in e.after.map { (record: $0, key: e.key) } }
        var counter = AgreementCounter()
        for part in try read(records, of: snapshot) { counter.add(part, sign: 1) }
        return counter
    }

    /// Moves this counter, which counts `old`, to count `new`: only the records whose ids differ
    /// are read (the old ones taken out, the new ones added).
    mutating func update(from old: Snapshot, to new: Snapshot) throws {
        let changes = try ShardedTree.diff(from: old.tree, to: new.tree, in: new.repository)
        for part in try Self.read(changes.compactMap { c in c.before.map { (record: $0, key: c.key) } }, of: old) { add(part, sign: -1) }
        for part in try Self.read(changes.compactMap { c in c.after.map { (record: $0, key: c.key) } }, of: new) { add(part, sign: 1) }
    }

    /// The judgments of `records` of `snapshot`, read on every core in the order of their ids.
    private static func read(_ records: [(record: ObjectID, key: ObjectID)], of snapshot: Snapshot) throws -> [Rows] {
        guard !records.isEmpty else { return [] }
        let config = try snapshot.config()
        let reader = JudgedRecord.Reader(config: config), keys = PlainJudgments.Keys(config)
        // Ordered by the first two bytes of the record id (the pack index's order).
        var counts = [Int](repeating: 0, count: 65537)
        for r in records { counts[Int(r.record.firstByte) << 8 | Int(r.record.secondByte) + 1] += 1 }
        for p in 0..<65536 { counts[p + 1] += counts[p] }
        var ordered = [(record: ObjectID, key: ObjectID)](repeating: (.zero, .zero), count: records.count)
        for r in records {
            let p = Int(r.record.firstByte) << 8 | Int(r.record.secondByte)
            ordered[counts[p]] = r
            counts[p] += 1
        }
        let total = ordered.count
        let workers = Parallel.workerCount(items: total, minimumPerWorker: 512)
        let chunk = (total + workers - 1) / max(workers, 1)
        return try Parallel.perform(workers: workers, repositoryPath: snapshot.repository.path) { w, repo -> Rows in
            var rows = Rows()
            for (id, key) in ordered[min(w * chunk, total)..<min((w + 1) * chunk, total)] {
                let bytes = try repo.read(id, as: .blob)
                if rows.addPlain(bytes, keys) { continue }
                rows.add(try StoredRecordError.locating(commit: snapshot.commit, key: key, idField: config.idField) { try reader.read(bytes) })
            }
            return rows
        }
    }

    /// The judgments of `records` (record bytes as committed), counted apart so that workers can
    /// each take a share; `add(_:)` then adds them up. A first commit counts its records this way
    /// as it builds them, instead of reading them all back.
    static func rows(of records: [[UInt8]], config: DatasetConfig) throws -> Rows {
        let reader = JudgedRecord.Reader(config: config), keys = PlainJudgments.Keys(config)
        var rows = Rows()
        for bytes in records where !rows.addPlain(bytes, keys) { rows.add(try reader.read(bytes)) }
        return rows
    }

    /// A counter of nothing yet, for `add(_:)`.
    static var empty: AgreementCounter { AgreementCounter() }

    /// Adds a share counted by `rows(of:config:)`.
    mutating func add(_ rows: Rows) {
        judgmentsSeen += rows.value.count
        add(rows, sign: 1)
    }

    /// Judgments added through `add(_:)`: zero when the records carry none (then no counts are kept).
    private(set) var judgmentsSeen = 0

    private mutating func add(_ rows: Rows, sign: Int) {
        snapshotSamples += sign * rows.records
        if field == nil { field = rows.field }
        let labelMap = rows.labels.labels.map { labels.code($0) }
        let whoMap = rows.annotators.labels.map { annotators.code($0) }
        let underMap = rows.guidelines.labels.map { guidelines.code($0) }
        if perAnnotator.count < annotators.count { perAnnotator += [ConfusionTally](repeating: ConfusionTally(), count: annotators.count - perAnnotator.count) }
        if byGuideline.count < guidelines.count { byGuideline += [AgreementTally](repeating: AgreementTally(), count: guidelines.count - byGuideline.count) }
        if byLabel.count < labels.count { byLabel += [AgreementTally](repeating: AgreementTally(), count: labels.count - byLabel.count) }
        func tally(_ t: inout AgreementTally, _ values: [Int]) { if sign > 0 { t.add(unit: values) } else { t.remove(unit: values) } }
        func bump(_ counts: inout [Int: Int], _ key: Int) {
            let n = counts[key, default: 0] + sign
            counts[key] = n == 0 ? nil : n
        }
        var values: [Int] = [], groupValues: [Int] = []
        for s in 0..<(rows.starts.count - 1) {
            let range = Int(rows.starts[s])..<Int(rows.starts[s + 1])
            values.removeAll(keepingCapacity: true)
            var sampleFinal = -1
            for k in range {
                guard rows.value[k] >= 0 else { missing += sign; continue }
                let v = labelMap[Int(rows.value[k])], f = labelMap[Int(rows.final[k])], a = whoMap[Int(rows.who[k])]
                values.append(v)
                if sampleFinal < 0 { sampleFinal = f }
                let g = a << 32 | underMap[Int(rows.under[k])]
                if sign > 0 {
                    perAnnotator[a].add(truth: f, predicted: v)
                    byAnnotatorGuideline[g, default: ConfusionTally()].add(truth: f, predicted: v)
                } else {
                    perAnnotator[a].remove(truth: f, predicted: v)
                    byAnnotatorGuideline[g]?.remove(truth: f, predicted: v)
                    if byAnnotatorGuideline[g]?.count == 0 { byAnnotatorGuideline[g] = nil }
                }
            }
            if values.count == 1 { single += sign }
            guard values.count >= 2 else { continue }
            tally(&overall, values)
            tally(&byLabel[sampleFinal], values)
            // By guideline: the judgments made under each version are one unit of that version.
            for k in range where rows.value[k] >= 0 {
                let g = rows.under[k]
                // The first judgment of each guideline in the sample gathers that guideline's values.
                if (range.lowerBound..<k).contains(where: { rows.value[$0] >= 0 && rows.under[$0] == g }) { continue }
                groupValues.removeAll(keepingCapacity: true)
                for i in k..<range.upperBound where rows.value[i] >= 0 && rows.under[i] == g { groupValues.append(labelMap[Int(rows.value[i])]) }
                if groupValues.count >= 2 { tally(&byGuideline[underMap[Int(g)]], groupValues) }
            }
            // Pairs of annotators within the sample.
            for i in range where rows.value[i] >= 0 {
                for j in (i + 1)..<range.upperBound where rows.value[j] >= 0 {
                    let a = whoMap[Int(rows.who[i])], b = whoMap[Int(rows.who[j])]
                    guard a != b else { continue }
                    let key = min(a, b) << 32 | max(a, b)
                    bump(&pairTogether, key)
                    if rows.value[i] != rows.value[j] { bump(&pairDisagree, key) }
                }
            }
        }
    }

    /// The report of what was counted.
    func report(commit: ObjectID) -> AgreementReport {
        let byName = { (a: AgreementReport.Group, b: AgreementReport.Group) in a.name < b.name }
        var pairs: [AgreementReport.Pair] = pairTogether.map { key, n in
            let names = [annotators[key >> 32], annotators[key & 0xffff_ffff]].sorted()
            let d = pairDisagree[key] ?? 0
            return .init(annotators: names, samples: n, disagreements: d, disagreement: Double(d) / Double(n))
        }
        if pairs.filter({ $0.samples >= AgreementReport.pairMinimum }).count >= 10 { pairs.removeAll { $0.samples < AgreementReport.pairMinimum } }
        pairs.sort { ($1.disagreement, $1.samples, $0.annotators.joined(separator: "\u{0}")) < ($0.disagreement, $0.samples, $1.annotators.joined(separator: "\u{0}")) }
        return AgreementReport(
            commit: commit.hex, field: field, krippendorffAlpha: overall.krippendorffAlpha, fleissKappa: overall.fleissKappa,
            samples: overall.pairableUnits, judgments: perAnnotator.reduce(0) { $0 + $1.count }, singleJudgmentSamples: single,
            missingJudgments: missing, snapshotSamples: snapshotSamples,
            annotators: (0..<annotators.count).map { annotatorSummary($0) }.filter { $0.judgments > 0 }.sorted { $0.annotator < $1.annotator },
            byGuideline: (0..<guidelines.count).map { AgreementReport.Group(key: .guideline, name: guidelines[$0], tally: byGuideline[$0]) }
                .filter { $0.samples > 0 }.sorted(by: byName),
            byLabel: (0..<labels.count).map { AgreementReport.Group(key: .label, name: labels[$0], tally: byLabel.indices.contains($0) ? byLabel[$0] : AgreementTally()) }
                .filter { $0.samples > 0 }.sorted(by: byName),
            pairs: Array(pairs.prefix(10)))
    }

    private func annotatorSummary(_ a: Int) -> AgreementReport.Annotator {
        let tally = perAnnotator[a]
        var differed: [AgreementReport.Difference] = []
        let matrix = tally.confusionMatrix
        for (f, row) in matrix.enumerated() {
            for (j, n) in row.enumerated() where f != j && n > 0 { differed.append(.init(from: labels[f], to: labels[j], count: n)) }
        }
        differed.sort { ($1.count, $0.from, $0.to) < ($0.count, $1.from, $1.to) }
        return .init(annotator: annotators[a], judgments: tally.count, agreementWithLabel: tally.accuracy, cohenKappa: tally.cohenKappa,
                     mostDiffered: Array(differed.prefix(5)))
    }

    /// Annotator `name`'s judgments in full; nil when they made none with a label.
    func judgments(of name: String, commit: ObjectID) -> AnnotatorJudgments? {
        guard let a = annotators.existingCode(name), perAnnotator[a].count > 0 else { return nil }
        // The labels they met (as judgment or final label), in name order: codes follow the order
        // the records happened to be counted in.
        let codes = perAnnotator[a].confusionMatrix
        let order = codes.indices.filter { i in codes[i].contains { $0 > 0 } || codes.contains { $0[i] > 0 } }
            .sorted { labels[$0] < labels[$1] }
        let matrix = order.map { i in order.map { j in codes[i][j] } }
        return AnnotatorJudgments(
            commit: commit.hex, summary: annotatorSummary(a), labels: order.map { labels[$0] }, confusion: matrix,
            byGuideline: byAnnotatorGuideline.filter { $0.key >> 32 == a }
                .map { key, t in .init(guideline: guidelines[key & 0xffff_ffff], judgments: t.count, agreementWithLabel: t.accuracy, cohenKappa: t.cohenKappa) }
                .sorted { $0.guideline < $1.guideline })
    }
}
