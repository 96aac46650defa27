import Foundation
import TrailCore

/// The HTML page of `trail eval`: a model's scores on one version (per-label bars, the confusion
/// heat map, the tables), on two versions side by side with the flips by annotator and guideline,
/// or two models on one version with the samples only one gets right.
public struct EvalReport {
    private enum Kind {
        case scores(EvalScores)
        case comparison(EvalComparison)
        case models(ModelComparison)
    }

    private let kind: Kind
    /// When and how the page was made.
    public var context: ReportContext

    /// The page of one model on one version.
    public init(scores: EvalScores, context: ReportContext) {
        kind = .scores(scores)
        self.context = context
    }

    /// The page of one model under two label versions.
    public init(comparison: EvalComparison, context: ReportContext) {
        kind = .comparison(comparison)
        self.context = context
    }

    /// The page of two models on one version.
    public init(models: ModelComparison, context: ReportContext) {
        kind = .models(models)
        self.context = context
    }

    /// How many samples the page's tables list at most.
    static let sampleLimit = 1000

    /// The whole page.
    public func html() -> String {
        switch kind {
        case .scores(let s): return scoresPage(s)
        case .comparison(let c): return comparisonPage(c)
        case .models(let m): return modelsPage(m)
        }
    }

    // MARK: - Pages

    private func scoresPage(_ s: EvalScores) -> String {
        var sections: [HTMLPage.Section] = []
        sections.append(.inShort(findings(s)))
        sections.append(.init(id: "labels", title: "Per label",
                              lead: "Precision (of the samples predicted this label, the share that have it), recall (of the samples that have it, the share predicted) and F1, their harmonic mean.",
                              body: HTMLPage.figure("Scores by label", ScoreBars(labels: s.perLabel.map(\.label), series: [
                                  ("precision", "#9aa5b1", s.perLabel.map(\.precision)), ("recall", "#7b9fe0", s.perLabel.map(\.recall)),
                                  ("F1", Palette.after, s.perLabel.map(\.f1)),
                              ]).render())))
        sections.append(.init(id: "confusion", title: "Confusion matrix",
                              lead: "Rows: the label in \(s.labels); columns: the label predicted. The diagonal holds the right predictions.",
                              body: confusionMap(s, id: "confusion")))
        sections.append(.init(id: "tables", title: "Tables", lead: "The numbers behind the charts. Click a column to sort.", body: labelTable(s, id: "per-label")
                                + missingNote(s)))
        return HTMLPage(title: "Trail eval: \(s.model) on \(s.labels)", kicker: "Trail \u{00b7} model evaluation", heading: "\(s.model) on \(s.labels)",
                        facts: facts(s), summary: HTMLPage.cards(cards(s)), sections: sections, context: context).render()
    }

    private func comparisonPage(_ c: EvalComparison) -> String {
        let a = c.from, b = c.to, f = c.flipped
        var cards = [
            HTMLPage.Card(label: "Accuracy", value: "\(pct(a.accuracy)) \u{2192} \(pct(b.accuracy))", detail: "\(a.labels) \u{2192} \(b.labels)", tone: .accent),
            HTMLPage.Card(label: "Macro F1", value: "\(dec(a.macroF1)) \u{2192} \(dec(b.macroF1))", detail: nil),
            HTMLPage.Card(label: "Relabeled", value: Format.count(c.relabeled), detail: "predicted samples whose label changed"),
            HTMLPage.Card(label: "Right \u{2192} wrong", value: Format.count(f.rightToWrong), detail: "right under \(a.labels), wrong under \(b.labels)",
                          tone: f.rightToWrong > 0 ? .danger : .neutral),
            HTMLPage.Card(label: "Wrong \u{2192} right", value: Format.count(f.wrongToRight), detail: "wrong under \(a.labels), right under \(b.labels)",
                          tone: f.wrongToRight > 0 ? .good : .neutral),
        ]
        if b.missing != a.missing { cards.append(.init(label: "Missing", value: "\(Format.count(a.missing)) \u{2192} \(Format.count(b.missing))", detail: "predicted, not in the version")) }
        var sections: [HTMLPage.Section] = []
        var findings = ["Under \(a.labels)'s labels \(c.model) scores \(pct(a.accuracy)) accuracy and \(dec(a.macroF1)) macro F1; under \(b.labels)'s, \(pct(b.accuracy)) and \(dec(b.macroF1)).",
                        "\(Format.plural(c.relabeled, "predicted sample")) changed label between the two: \(Format.count(f.rightToWrong)) went from right to wrong, \(Format.count(f.wrongToRight)) from wrong to right."]
        if let top = f.groups.first {
            findings.append("Most flips come from \(top.annotator) under guideline \(top.guideline): \(Format.count(top.rightToWrong)) right \u{2192} wrong, \(Format.count(top.wrongToRight)) wrong \u{2192} right.")
        }
        sections.append(.inShort(findings))
        let labels = a.perLabel.map(\.label) + b.perLabel.map(\.label).filter { l in !a.perLabel.contains { $0.label == l } }
        func f1(_ s: EvalScores) -> [Double] { labels.map { l in s.perLabel.first { $0.label == l }?.f1 ?? 0 } }
        sections.append(.init(id: "labels", title: "F1 by label", lead: "Each label's F1 under both versions' labels: the same predictions, judged twice.",
                              body: HTMLPage.figure("F1 by label", ScoreBars(labels: labels, series: [(a.labels, Palette.before, f1(a)), (b.labels, Palette.after, f1(b))]).render())))
        var flipsBody = ""
        if f.groups.isEmpty {
            flipsBody = HTMLPage.note("No prediction changed from right to wrong or back.")
        } else {
            var r2w: [String: Int] = [:], w2r: [String: Int] = [:]
            for g in f.groups {
                let name = "\(g.annotator) \u{00b7} \(g.guideline)"
                if g.rightToWrong > 0 { r2w[name] = g.rightToWrong }
                if g.wrongToRight > 0 { w2r[name] = g.wrongToRight }
            }
            var left = BarChart(r2w, limit: 15, unit: "flips", otherName: "other groups")
            left.color = Palette.down
            var right = BarChart(w2r, limit: 15, unit: "flips", otherName: "other groups")
            right.color = Palette.up
            flipsBody += HTMLPage.grid([HTMLPage.figure("Right \u{2192} wrong, by annotator \u{00b7} guideline", left.render()),
                                        HTMLPage.figure("Wrong \u{2192} right, by annotator \u{00b7} guideline", right.render())])
            flipsBody += HTMLTable(id: "flip-groups", columns: [.text("Annotator"), .text("Guideline"), .number("Right \u{2192} wrong"), .number("Wrong \u{2192} right")],
                                   rows: f.groups.map { [.text($0.annotator), .text($0.guideline), .count($0.rightToWrong), .count($0.wrongToRight)] }).render()
        }
        sections.append(.init(id: "flips", title: "Flips by annotator",
                              lead: "The samples whose correctness the relabels changed, by who relabeled them under which guideline version (from \(b.labels)'s records).",
                              body: flipsBody))
        sections.append(.init(id: "confusion", title: "Confusion matrices", lead: "Rows: the version's label; columns: the label predicted.",
                              body: HTMLPage.subheading("Under \(a.labels)") + confusionMap(a, id: "confusion-a")
                                + HTMLPage.subheading("Under \(b.labels)") + confusionMap(b, id: "confusion-b")))
        var tables = HTMLPage.subheading("Under \(a.labels)") + labelTable(a, id: "labels-a") + HTMLPage.subheading("Under \(b.labels)") + labelTable(b, id: "labels-b")
        if let list = f.samples, !list.isEmpty {
            tables += HTMLPage.subheading("Flipped samples")
            tables += HTMLTable(id: "flipped", columns: [.text("Sample", mono: true), .text("Flip"), .text("Predicted"), .text("Label in \(a.labels)"),
                                                         .text("Label in \(b.labels)"), .text("Annotator"), .text("Guideline")],
                                rows: list.prefix(Self.sampleLimit).map { [.text($0.id), .text($0.direction == "right-to-wrong" ? "right \u{2192} wrong" : "wrong \u{2192} right"),
                                                                            .text($0.predicted), .text($0.before), .text($0.after), .text($0.annotator), .text($0.guideline)] },
                                footnote: list.count > Self.sampleLimit ? "The first \(Format.count(Self.sampleLimit)) of \(Format.count(list.count)); --json --samples lists them all." : nil).render()
        }
        sections.append(.init(id: "tables", title: "Tables", lead: "The numbers behind the charts. Click a column to sort.", body: tables))
        return HTMLPage(title: "Trail eval: \(c.model) on \(a.labels) and \(b.labels)", kicker: "Trail \u{00b7} model evaluation",
                        heading: "\(c.model): \(a.labels) \u{2192} \(b.labels)",
                        facts: [("Model", c.model), ("Labels A", "\(a.labels) (\(Format.commit(a.labelsCommit)))"), ("Labels B", "\(b.labels) (\(Format.commit(b.labelsCommit)))"),
                                ("Field", c.field), ("Generated", context.generatedAt)],
                        summary: HTMLPage.cards(cards), sections: sections, context: context).render()
    }

    private func modelsPage(_ m: ModelComparison) -> String {
        let a = m.models[0], b = m.models[1]
        let cards = [
            HTMLPage.Card(label: "Accuracy", value: "\(pct(a.accuracy)) \u{00b7} \(pct(b.accuracy))", detail: "\(a.model) \u{00b7} \(b.model)", tone: .accent),
            HTMLPage.Card(label: "Macro F1", value: "\(dec(a.macroF1)) \u{00b7} \(dec(b.macroF1))", detail: nil),
            HTMLPage.Card(label: "Both predicted", value: Format.count(m.both), detail: "\(Format.count(m.bothRight)) both right, \(Format.count(m.bothWrong)) both wrong"),
            HTMLPage.Card(label: "Only \(a.model) right", value: Format.count(m.onlyFirstRight), detail: nil),
            HTMLPage.Card(label: "Only \(b.model) right", value: Format.count(m.onlySecondRight), detail: nil),
        ]
        var sections: [HTMLPage.Section] = []
        sections.append(.inShort([
            "On \(m.labels)'s labels \(a.model) scores \(pct(a.accuracy)) accuracy and \(dec(a.macroF1)) macro F1; \(b.model) \(pct(b.accuracy)) and \(dec(b.macroF1)).",
            "Of the \(Format.plural(m.both, "sample")) both predicted, \(Format.count(m.onlyFirstRight)) only \(a.model) gets right and \(Format.count(m.onlySecondRight)) only \(b.model).",
        ]))
        let labels = a.perLabel.map(\.label) + b.perLabel.map(\.label).filter { l in !a.perLabel.contains { $0.label == l } }
        func f1(_ s: EvalScores) -> [Double] { labels.map { l in s.perLabel.first { $0.label == l }?.f1 ?? 0 } }
        sections.append(.init(id: "labels", title: "F1 by label", lead: "Each label's F1 for both models, on the same labels.",
                              body: HTMLPage.figure("F1 by label", ScoreBars(labels: labels, series: [(a.model, Palette.before, f1(a)), (b.model, Palette.model, f1(b))]).render())))
        sections.append(.init(id: "confusion", title: "Confusion matrices", lead: "Rows: the label in \(m.labels); columns: the label predicted.",
                              body: HTMLPage.subheading(a.model) + confusionMap(a, id: "confusion-a") + HTMLPage.subheading(b.model) + confusionMap(b, id: "confusion-b")))
        var tables = HTMLPage.subheading(a.model) + labelTable(a, id: "labels-a") + HTMLPage.subheading(b.model) + labelTable(b, id: "labels-b")
        if let list = m.samples, !list.isEmpty {
            tables += HTMLPage.subheading("Samples only one model gets right")
            tables += HTMLTable(id: "disagreements", columns: [.text("Sample", mono: true), .text("Label"), .text(a.model), .text(b.model), .text("Right")],
                                rows: list.prefix(Self.sampleLimit).map { [.text($0.id), .text($0.label), .text($0.first), .text($0.second), .text($0.right)] },
                                footnote: list.count > Self.sampleLimit ? "The first \(Format.count(Self.sampleLimit)) of \(Format.count(list.count)); --json --samples lists them all." : nil).render()
        }
        sections.append(.init(id: "tables", title: "Tables", lead: "The numbers behind the charts. Click a column to sort.", body: tables))
        return HTMLPage(title: "Trail eval: \(a.model) and \(b.model) on \(m.labels)", kicker: "Trail \u{00b7} model evaluation",
                        heading: "\(a.model) and \(b.model) on \(m.labels)",
                        facts: [("Labels", "\(m.labels) (\(Format.commit(m.labelsCommit)))"), ("Field", m.field), ("Generated", context.generatedAt)],
                        summary: HTMLPage.cards(cards), sections: sections, context: context).render()
    }

    // MARK: - Parts

    private func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "\u{2013}" }
    private func dec(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "\u{2013}" }

    private func facts(_ s: EvalScores) -> [(String, String)] {
        [("Model", s.model), ("Labels", "\(s.labels) (\(Format.commit(s.labelsCommit)))"), ("Field", s.field),
         ("Predictions", Format.commit(s.predictionsCommit)), ("Generated", context.generatedAt)]
    }

    private func cards(_ s: EvalScores) -> [HTMLPage.Card] {
        var cards = [
            HTMLPage.Card(label: "Accuracy", value: pct(s.accuracy), detail: "\(Format.count(s.correct)) of \(Format.count(s.samples)) right", tone: .accent),
            HTMLPage.Card(label: "Macro F1", value: dec(s.macroF1), detail: "precision \(dec(s.macroPrecision)), recall \(dec(s.macroRecall))"),
            HTMLPage.Card(label: "Cohen's kappa", value: dec(s.kappa), detail: nil),
            HTMLPage.Card(label: "Scored", value: Format.count(s.samples), detail: "of \(Format.plural(s.predictions, "prediction"))"),
        ]
        if s.missing > 0 { cards.append(.init(label: "Missing", value: Format.count(s.missing), detail: "predicted, not in \(s.labels)", tone: .warning)) }
        if s.erased > 0 { cards.append(.init(label: "Erased", value: Format.count(s.erased), detail: "scored by their kept labels", tone: .warning)) }
        return cards
    }

    private func findings(_ s: EvalScores) -> [String] {
        var out = ["\(s.model) predicts \(pct(s.accuracy)) of \(Format.plural(s.samples, "sample")) right on \(s.labels)'s labels (field \u{201c}\(s.field)\u{201d}); macro F1 \(dec(s.macroF1))."]
        if let worst = s.perLabel.filter({ $0.support > 0 }).min(by: { ($0.f1, $1.support) < ($1.f1, $0.support) }) {
            out.append("The weakest label is \u{201c}\(worst.label)\u{201d}: F1 \(dec(worst.f1)) over \(Format.plural(worst.support, "sample")).")
        }
        if s.missing > 0 { out.append("\(Format.plural(s.missing, "prediction")) name samples \(s.labels) does not hold: counted as missing, not scored.") }
        if s.erased > 0 { out.append("\(Format.plural(s.erased, "scored sample")) had their content erased; erasure keeps labels, so they are scored.") }
        return out
    }

    private func confusionMap(_ s: EvalScores, id: String) -> String {
        var triples: [(row: String, column: String, count: Int)] = []
        for (r, row) in s.confusion.counts.enumerated() {
            for (c, n) in row.enumerated() where n > 0 { triples.append((s.confusion.labels[r], s.confusion.labels[c], n)) }
        }
        guard !triples.isEmpty else { return "<p class=\"empty\">Nothing was scored.</p>" }
        var map = HeatMap(triples: triples, rowTitle: "Label in \(s.labels)", columnTitle: "Predicted", unit: "samples", id: id)
        if map.otherRow == nil && map.otherColumn == nil {
            // The same order on both axes, so that the right predictions are the diagonal.
            let labels = s.confusion.labels.filter { l in triples.contains { $0.row == l || $0.column == l } }
            let index = Dictionary(uniqueKeysWithValues: s.confusion.labels.enumerated().map { ($1, $0) })
            map.rows = labels
            map.columns = labels
            map.cells = labels.map { r in labels.map { c in s.confusion.counts[index[r]!][index[c]!] } }
        }
        map.sameLabelNote = "right prediction (none here)"
        return HTMLPage.figure("Confusion matrix", map.render(), caption: map.otherNote)
    }

    private func labelTable(_ s: EvalScores, id: String) -> String {
        HTMLTable(id: id, columns: [.text("Label"), .number("Precision"), .number("Recall"), .number("F1"), .number("Support"), .number("Predicted"), .number("Right")],
                  rows: s.perLabel.map { l in
                      [.text(l.label), .markup(dec(l.precision), sortKey: String(l.precision)), .markup(dec(l.recall), sortKey: String(l.recall)),
                       .markup(dec(l.f1), sortKey: String(l.f1)), .count(l.support), .count(l.predicted), .count(l.correct)]
                  }).render()
    }

    private func missingNote(_ s: EvalScores) -> String {
        guard s.missing > 0 else { return "" }
        return HTMLPage.note("Missing (predicted, not in \(s.labels)): \(s.missingSamples.joined(separator: ", "))\(s.missing > s.missingSamples.count ? ", \u{2026} (\(Format.count(s.missing)) in all)" : "").")
    }
}

/// Horizontal bars of scores between 0 and 1: one row per label, one bar per series (precision,
/// recall, F1; or the F1 of two versions), on a shared 0–1 scale with gridlines.
struct ScoreBars {
    var labels: [String]
    var series: [(name: String, color: String, values: [Double])]
    var width = 1000.0
    var limit = 30

    func render() -> String {
        guard !labels.isEmpty else { return "<p class=\"empty\">No labels.</p>" }
        let shown = Array(labels.prefix(limit))
        let fontSize = 12.0, barHeight = 10.0, gap = 2.0
        let rowHeight = Double(series.count) * (barHeight + gap) + 12
        let legendHeight = 28.0, axisHeight = 22.0
        let labelWidth = min(230, max(70, shown.map { TextMeasure.width($0, fontSize: fontSize) }.max() ?? 0) + 12)
        let valueRoom = 48.0
        let barArea = max(120, width - labelWidth - valueRoom)
        let height = legendHeight + Double(shown.count) * rowHeight + axisHeight
        var svg = SVG.open(width, height, label: "Scores by label: \(series.map(\.name).joined(separator: ", "))")
        var x = labelWidth
        for s in series {
            svg += SVG.rect(x, 6, 12, 12, fill: s.color, rx: 2)
            let text = TextMeasure.fit(s.name, maxWidth: 260, fontSize: fontSize)
            svg += SVG.text(text, x + 17, 16.5, tip: s.name)
            x += 17 + TextMeasure.width(text, fontSize: fontSize) + 22
        }
        let plotTop = legendHeight, plotBottom = legendHeight + Double(shown.count) * rowHeight
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let gx = labelWidth + tick * barArea
            svg += SVG.line(gx, plotTop, gx, plotBottom, stroke: Palette.grid)
            svg += SVG.text(String(format: "%.2f", tick), gx, plotBottom + 15, anchor: "middle", cls: "axis")
        }
        for (i, label) in shown.enumerated() {
            let y = plotTop + Double(i) * rowHeight
            svg += SVG.text(TextMeasure.fit(label, maxWidth: labelWidth - 12, fontSize: fontSize), labelWidth - 8, y + rowHeight / 2 + 4,
                            anchor: "end", tip: label)
            for (k, s) in series.enumerated() {
                let value = i < s.values.count ? min(1, max(0, s.values[i])) : 0
                let by = y + 6 + Double(k) * (barHeight + gap)
                svg += SVG.rect(labelWidth, by, max(value > 0 ? 1.5 : 0, value * barArea), barHeight, fill: s.color, rx: 1.5,
                                tip: "\(label), \(s.name): \(String(format: "%.3f", value))")
                svg += SVG.text(String(format: "%.3f", value), labelWidth + value * barArea + 5, by + 9, cls: "value", size: 10.5)
            }
            if i > 0 { svg += SVG.line(0, y, width, y, stroke: "#f0f3f7") }
        }
        if labels.count > shown.count {
            svg += SVG.text("… and \(labels.count - shown.count) more labels (see the tables)", labelWidth, height - 2, cls: "axis")
        }
        return svg + "</svg>"
    }
}
