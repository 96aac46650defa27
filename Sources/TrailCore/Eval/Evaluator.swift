import Foundation
import Git
import GitFormat

/// Scores models' stored predictions against the labels of any version: one version, two
/// versions side by side (and the samples the relabels between them flipped), or two models on
/// one version. The metrics are `ConfusionTally`'s (scikit-learn's definitions).
public struct Evaluator {
    let store: Store

    /// An evaluator reading predictions and labels from `store`.
    public init(store: Store) { self.store = store }

    /// How many missing samples a result names.
    static let missingListed = 20

    /// The predictions of `model` scored against the labels of `revision` (field `field`, default
    /// the first label field the predictions hold).
    public func evaluate(_ model: String, labels revision: String, field: String? = nil) throws -> EvalScores {
        let loaded = try load(model, field: field)
        var codes = loaded.codes
        let snapshot = try Revisions(store: store).snapshot(revision)
        let truth = try SnapshotLabels.read(snapshot, table: loaded.table, field: loaded.field, labels: &codes, erasedContent: erasedContent())
        Trace.mark("eval: labels of \(revision) read")
        return scores(loaded, truth: truth.truth, erased: truth.erased, codes: codes, revision: revision, commit: snapshot.commit)
    }

    /// The predictions of `model` under the labels of `from` and of `to`, and the samples whose
    /// correctness differs, grouped by who relabeled them under which guideline (from `to`'s
    /// records). Only the subtrees that differ between the two versions are read for `to`.
    public func compare(_ model: String, from: String, to: String, field: String? = nil, listSamples: Bool = false) throws -> EvalComparison {
        let loaded = try load(model, field: field)
        var codes = loaded.codes
        let revisions = Revisions(store: store)
        let old = try revisions.snapshot(from), new = try revisions.snapshot(to)
        let erased = try erasedContent()
        let before = try SnapshotLabels.read(old, table: loaded.table, field: loaded.field, labels: &codes, erasedContent: erased)
        Trace.mark("eval: labels of \(from) read")
        // B's labels: A's, except where the trees differ.
        var after = before.truth
        var afterErased = before.erased
        let config = try new.config()
        let scanner = RecordScanner(config: config, field: loaded.field)
        let changes = try ShardedTree.diff(from: old.tree, to: new.tree, in: store.repository)
        let table = loaded.table
        struct Changed { var index: Int; var fields: SnapshotLabels.RecordFields?; var erasedBefore: Bool }
        let predictedChanges = changes.compactMap { change in table.index(of: change.key).map { (change, $0) } }
        let read = try Parallel.map(predictedChanges, repositoryPath: store.repository.path) { repo, item -> Changed in
            let (change, k) = item
            var erasedBefore = false
            if !erased.isEmpty, let old = change.before, let bytes = try? repo.read(old, as: .blob) {
                erasedBefore = (RecordView(bytes)?.contentBlobs() ?? (try? SampleRecord.decode(bytes).content.map(\.blob)) ?? []).contains { erased.contains($0) }
            }
            guard let id = change.after else { return Changed(index: k, fields: nil, erasedBefore: erasedBefore) }
            let bytes = try repo.read(id, as: .blob)
            let fields = try scanner.scan(bytes, commit: new.commit, key: change.key, place: SampleKey.path(change.key), wantContent: !erased.isEmpty,
                                          wantPeople: true, checkID: { table.idMatches(k, $0) }, expectedID: { table.id(k) })
            return Changed(index: k, fields: fields, erasedBefore: erasedBefore)
        }
        var people: [Int: (annotator: String, guideline: String)] = [:]
        for item in read {
            if item.erasedBefore { afterErased -= 1 }
            guard let fields = item.fields else { after[item.index] = -1; continue }
            after[item.index] = Int32(codes.code(fields.label))
            if fields.content.contains(where: erased.contains) { afterErased += 1 }
            people[item.index] = (fields.annotator ?? LabelText.none, fields.guideline ?? LabelText.none)
        }
        Trace.mark("eval: \(predictedChanges.count) changed records of \(to) read")
        let a = scores(loaded, truth: before.truth, erased: before.erased, codes: codes, revision: from, commit: old.commit)
        let b = scores(loaded, truth: after, erased: afterErased, codes: codes, revision: to, commit: new.commit)
        var flips = Flips(rightToWrong: 0, wrongToRight: 0, groups: [], samples: listSamples ? [] : nil)
        var groups: [String: FlipGroup] = [:]
        var relabeled = 0
        for (k, person) in people.sorted(by: { $0.key < $1.key }) {
            let t0 = before.truth[k], t1 = after[k], p = table.predicted[k]
            guard t0 >= 0, t1 >= 0, t0 != t1 else { continue }
            relabeled += 1
            let wasRight = t0 == p, isRight = t1 == p
            guard wasRight != isRight else { continue }
            let key = person.annotator + "\u{0}" + person.guideline
            var group = groups[key] ?? FlipGroup(annotator: person.annotator, guideline: person.guideline, rightToWrong: 0, wrongToRight: 0)
            if wasRight { group.rightToWrong += 1; flips.rightToWrong += 1 } else { group.wrongToRight += 1; flips.wrongToRight += 1 }
            groups[key] = group
            if listSamples {
                flips.samples?.append(FlipSample(id: table.id(k), direction: wasRight ? "right-to-wrong" : "wrong-to-right",
                                                 predicted: codes[Int(p)], before: codes[Int(t0)], after: codes[Int(t1)],
                                                 annotator: person.annotator, guideline: person.guideline))
            }
        }
        flips.groups = groups.values.sorted {
            ($0.rightToWrong + $0.wrongToRight, $1.annotator, $1.guideline) > ($1.rightToWrong + $1.wrongToRight, $0.annotator, $0.guideline)
        }
        flips.samples?.sort { bytesPrecede(Array($0.id.utf8), Array($1.id.utf8)) }
        return EvalComparison(model: model, field: loaded.field, from: a, to: b, relabeled: relabeled, flipped: flips)
    }

    /// Two models' predictions on the labels of `revision`, and the samples only one gets right.
    public func compare(models first: String, _ second: String, labels revision: String, field: String? = nil,
                        listSamples: Bool = false) throws -> ModelComparison {
        let one = try load(first, field: field)
        let chosen = one.field
        let two = try load(second, field: chosen, defaultNote: "the field \(first) is scored on")
        let snapshot = try Revisions(store: store).snapshot(revision)
        let erased = try erasedContent()
        var codes = one.codes
        // The second model's labels join the first's table of codes.
        let remap = two.codes.labels.map { Int32(codes.code($0)) }
        let truthOne = try SnapshotLabels.read(snapshot, table: one.table, field: chosen, labels: &codes, erasedContent: erased)
        let truthTwo = try SnapshotLabels.read(snapshot, table: two.table, field: chosen, labels: &codes, erasedContent: erased)
        let a = scores(one, truth: truthOne.truth, erased: truthOne.erased, codes: codes, revision: revision, commit: snapshot.commit)
        let b = scores(two, truth: truthTwo.truth, erased: truthTwo.erased, codes: codes, revision: revision, commit: snapshot.commit,
                       predictedRemap: remap)
        var result = ModelComparison(labels: revision, labelsCommit: snapshot.commit.hex, field: chosen, models: [a, b], both: 0, bothRight: 0,
                                     bothWrong: 0, onlyFirstRight: 0, onlySecondRight: 0, samples: listSamples ? [] : nil)
        // Both tables are sorted by key: merge.
        var i = 0, j = 0
        let x = one.table, y = two.table
        while i < x.count && j < y.count {
            if x.keys[i] < y.keys[j] { i += 1; continue }
            if y.keys[j] < x.keys[i] { j += 1; continue }
            defer { i += 1; j += 1 }
            let t = truthOne.truth[i]
            guard t >= 0 else { continue }
            result.both += 1
            let p1 = x.predicted[i], p2 = remap[Int(y.predicted[j])]
            switch (p1 == t, p2 == t) {
            case (true, true): result.bothRight += 1
            case (false, false): result.bothWrong += 1
            case (let firstRight, _):
                if firstRight { result.onlyFirstRight += 1 } else { result.onlySecondRight += 1 }
                if listSamples {
                    result.samples?.append(Disagreement(id: x.id(i), label: codes[Int(t)], first: codes[Int(p1)], second: codes[Int(p2)],
                                                        right: firstRight ? first : second))
                }
            }
        }
        result.samples?.sort { bytesPrecede(Array($0.id.utf8), Array($1.id.utf8)) }
        return result
    }

    /// The figures stored with new predictions: the rows `rows` (canonical) scored against the
    /// model's own data. Nil when that version has none of the label fields... never: absent
    /// labels count as `(none)`.
    func storedMetrics(rows: [UInt8], info: PredictionsInfo, against snapshot: Snapshot) throws -> StoredMetrics {
        let field = info.labelFields[0]
        var codes = LabelCodes()
        let table = try PredictionTable(bytes: rows, idField: info.idField, field: field, labels: &codes, name: info.model)
        let predictedCodes = codes
        let truth = try SnapshotLabels.read(snapshot, table: table, field: field, labels: &codes, erasedContent: [])
        let loaded = Loaded(model: info.model, predictionsCommit: "", field: field, table: table, codes: predictedCodes)
        let s = scores(loaded, truth: truth.truth, erased: 0, codes: codes, revision: snapshot.commit.hex, commit: snapshot.commit)
        return StoredMetrics(labels: snapshot.commit.hex, field: field, samples: s.samples, missing: s.missing, accuracy: s.accuracy, macroF1: s.macroF1)
    }

    // MARK: - Internals

    /// A model's predictions, parsed for one field.
    struct Loaded {
        let model: String
        /// The commit of the stored predictions (`refs/predictions/NAME`); empty for predictions
        /// not stored yet.
        let predictionsCommit: String
        let field: String
        let table: PredictionTable
        /// The predicted labels' codes.
        let codes: LabelCodes
    }

    private func load(_ model: String, field: String?, defaultNote: String? = nil) throws -> Loaded {
        let stored = try Predictions(store: store).require(model)
        let info = stored.info
        let chosen = field ?? info.labelFields[0]
        guard info.labelFields.contains(chosen) else {
            throw TrailError(.usage, "the predictions of '\(model)' hold no label field '\(chosen)'\(defaultNote.map { " (\($0))" } ?? "")",
                             hint: "they hold \(info.labelFields.map { "'\($0)'" }.joined(separator: ", ")); choose one with --field")
        }
        let bytes = try store.repository.read(stored.rowsBlob, as: .blob)
        var codes = LabelCodes()
        let table = try PredictionTable(bytes: bytes, idField: info.idField, field: chosen, labels: &codes, name: model)
        guard table.count == info.count else {
            throw TrailError(.damagedStore, "the predictions of '\(model)' hold \(table.count) rows, but \(StoredPredictions.infoFile) says \(info.count)",
                             hint: "run `trail verify`; store them again with `trail model predictions \(model) FILE`")
        }
        Trace.mark("eval: \(table.count) predictions of \(model) read")
        return Loaded(model: model, predictionsCommit: stored.commit.hex, field: chosen, table: table, codes: codes)
    }

    private func erasedContent() throws -> Set<ObjectID> {
        Set(try ErasureLog.read(store.repository).byContent.keys)
    }

    /// The scores of `loaded`'s predictions against `truth` (a code per table entry, -1 for missing).
    private func scores(_ loaded: Loaded, truth: [Int32], erased: Int, codes: LabelCodes, revision: String, commit: ObjectID,
                        predictedRemap: [Int32]? = nil) -> EvalScores {
        var tally = ConfusionTally()
        var missing: [Int] = []
        let table = loaded.table
        for k in 0..<table.count {
            let t = truth[k]
            guard t >= 0 else { missing.append(k); continue }
            let p = predictedRemap.map { $0[Int(table.predicted[k])] } ?? table.predicted[k]
            tally.add(truth: Int(t), predicted: Int(p))
        }
        let listed = missing.map { table.id($0) }.sorted { bytesPrecede(Array($0.utf8), Array($1.utf8)) }.prefix(Self.missingListed)
        let perLabel = tally.labelScores.map { s in
            LabelScore(label: codes[s.code], precision: s.precision, recall: s.recall, f1: s.f1, support: s.support, predicted: s.predicted,
                       correct: s.truePositives)
        }.sorted { ($0.support, $1.label) > ($1.support, $0.label) }
        let order = perLabel.map { codes.existingCode($0.label)! }
        let matrix = tally.confusionMatrix
        let counts = order.map { t in order.map { p in t < matrix.count && p < matrix.count ? matrix[t][p] : 0 } }
        return EvalScores(model: loaded.model, predictionsCommit: loaded.predictionsCommit, labels: revision, labelsCommit: commit.hex,
                          field: loaded.field, predictions: table.count, samples: tally.count, missing: missing.count,
                          missingSamples: Array(listed), erased: erased, correct: perLabel.reduce(0) { $0 + $1.correct },
                          accuracy: tally.accuracy, macroPrecision: tally.macroPrecision, macroRecall: tally.macroRecall,
                          macroF1: tally.macroF1, kappa: tally.cohenKappa, perLabel: perLabel,
                          confusion: Confusion(labels: perLabel.map(\.label), counts: counts))
    }
}
