import Foundation
import TrailCore

/// The HTML report of `trail audit model NAME`: what the model trained on (labels, annotators,
/// guideline versions, erased samples), what changed since the model registered before it, and
/// the history of its data with every model marked.
public struct ModelAuditReport {
    /// The audit the page reports.
    public var audit: ModelAudit
    /// The history of the model's data, newest first (as `CommitLog.entries` returns it).
    public var history: [CommitSummary]
    /// How many commits `history` was cut to.
    public var historyLimit: Int
    /// Every registered model.
    public var models: [ModelInfo]
    /// When and how the page was made, for its header and footer.
    public var context: ReportContext

    /// A report of `audit`; see the properties for what each argument means.
    public init(audit: ModelAudit, history: [CommitSummary], historyLimit: Int, models: [ModelInfo], context: ReportContext) {
        self.audit = audit
        self.history = history
        self.historyLimit = historyLimit
        self.models = models
        self.context = context
    }

    /// The whole page.
    public func html() -> String {
        let m = audit.model
        var cards: [HTMLPage.Card] = [.init(label: "Samples", value: Format.count(audit.samples), detail: "in its training data", tone: .accent)]
        for field in audit.labels.keys.sorted() {
            cards.append(.init(label: audit.labels.count > 1 ? "Labels (\(field))" : "Labels", value: Format.count(audit.labels[field]!.count),
                               detail: "distinct values"))
        }
        cards.append(.init(label: "Annotators", value: Format.count(audit.annotators.count), detail: "behind its labels"))
        cards.append(.init(label: "Guideline versions", value: Format.count(audit.guidelines.count), detail: nil))
        if let diff = audit.sincePrevious {
            let relabeled = diff.counts[ChangeKind.relabeled.rawValue] ?? 0
            cards.append(.init(label: "Relabeled since \(audit.previousModel ?? "")", value: Format.count(relabeled),
                               detail: "\(Format.percent(relabeled, of: diff.samplesBefore)) of its data", tone: relabeled > 0 ? .accent : .neutral))
        }
        if !audit.erased.isEmpty {
            cards.append(.init(label: "Erased since", value: Format.count(audit.erased.count), detail: "content gone, labels kept", tone: .warning))
        }
        if let p = audit.predictions {
            let accuracy = p.metrics?.accuracy.map { String(format: "%.1f%%", $0 * 100) } ?? "\u{2013}"
            cards.append(.init(label: "Accuracy on its data", value: accuracy,
                               detail: "\(Format.plural(p.count, "stored prediction")); trail eval \(m.name) re-scores"))
        }
        var summary = HTMLPage.cards(cards)
        if !audit.erased.isEmpty { summary += DiffSections.erasedCallout(audit.erased, kind: "model") }

        var sections: [HTMLPage.Section] = []
        sections.append(.inShort(findings()))
        sections.append(.init(id: "data", title: "Training data",
                              lead: "What \(m.name) trained on: each label's share of its samples, who labeled them, and under which guideline version.",
                              body: trainingData()))
        if let previous = audit.previousModel, let diff = audit.sincePrevious {
            var body = HTMLPage.cards(DiffSections.cards(diff))
            body += HTMLPage.bullets(DiffSections.findings(diff))
            body += HTMLPage.subheading("Label distribution")
            body += DiffSections.labelDistribution(diff)
            body += HTMLPage.subheading("Label transitions")
            body += HTMLPage.note("Rows: the label in \(previous)'s data; columns: the label in \(m.name)'s. Darker cells hold more samples.")
            body += DiffSections.transitions(diff, id: "since")
            body += HTMLPage.subheading("Who relabeled, under which guideline")
            body += DiffSections.relabelsBy(diff)
            sections.append(.init(id: "since", title: "Since \(previous)",
                                  lead: "What changed in the data from \(previous), the model registered before it, to \(m.name). "
                                      + "A is \(previous)'s data, B is \(m.name)'s.",
                                  body: body))
        } else {
            sections.append(.init(id: "since", title: "Since the previous model", lead: nil,
                                  body: HTMLPage.note("No model was registered before \(m.name).")))
        }
        var marks: [(String, String)] = [(m.commit, "this model")]
        if let previous = audit.previousModel, let p = models.first(where: { $0.name == previous }) { marks.append((p.commit, "previous")) }
        sections.append(.init(id: "timeline", title: "Timeline",
                              lead: "The history of \(m.name)'s data: the commits up to the one it trained on, and the models registered on them.",
                              body: HistorySection.body(history: history, models: models, marks: DiffSections.marks(marks),
                                                        limit: historyLimit, id: "model")))
        sections.append(.init(id: "tables", title: "Tables", lead: "The numbers behind the charts. Click a column to sort.", body: tables()))
        let page = HTMLPage(
            title: "Trail audit: model \(m.name)", kicker: "Trail \u{00b7} model audit", heading: "Model \(m.name)",
            facts: [("Trained on", Format.commit(m.commit)), ("Registered", Format.date(m.registeredAt)),
                    ("Registered by", m.registeredBy ?? "unknown"), ("Previous model", audit.previousModel ?? "none"),
                    ("Generated", context.generatedAt)],
            summary: summary, sections: sections, context: context)
        return page.render()
    }

    private func findings() -> [String] {
        let m = audit.model
        var out = ["\(m.name) trained on \(Format.plural(audit.samples, "sample")) at commit \(Format.commit(m.commit)), "
                   + "labeled by \(Format.plural(audit.annotators.count, "annotator")) under \(Format.plural(audit.guidelines.count, "guideline version"))."]
        for field in audit.labels.keys.sorted() {
            if let (label, n) = audit.labels[field]!.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).first {
                out.append("The most common label\(audit.labels.count > 1 ? " in \u{201c}\(field)\u{201d}" : "") is \u{201c}\(label)\u{201d}: "
                           + "\(Format.plural(n, "sample")) (\(Format.percent(n, of: audit.samples))).")
            }
        }
        if let (who, n) = audit.annotators.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).first, audit.annotators.count > 1 {
            out.append("\(who) labeled the most samples: \(Format.count(n)) (\(Format.percent(n, of: audit.samples))).")
        }
        if let previous = audit.previousModel, let diff = audit.sincePrevious {
            let relabeled = diff.counts[ChangeKind.relabeled.rawValue] ?? 0
            out.append("Since \(previous): \(Format.count(relabeled)) relabeled, \(Format.count(diff.counts[ChangeKind.added.rawValue] ?? 0)) added, "
                       + "\(Format.count(diff.counts[ChangeKind.removed.rawValue] ?? 0)) removed.")
        }
        if !audit.erased.isEmpty {
            out.append("\(Format.plural(audit.erased.count, "sample")) it trained on had \(audit.erased.count == 1 ? "its" : "their") content erased since; "
                       + "the labels remain.")
        }
        return out
    }

    private func trainingData() -> String {
        var html = ""
        let fields = audit.labels.keys.sorted()
        var charts: [String] = []
        for field in fields {
            var chart = BarChart(audit.labels[field]!, total: audit.samples, limit: 20, otherName: "other labels")
            chart.width = 900
            charts.append(HTMLPage.figure(fields.count > 1 ? "Labels in \u{201c}\(field)\u{201d}" : "Samples per label", chart.render()))
        }
        html += fields.isEmpty ? "<p class=\"empty\">No labels.</p>" : charts.joined()
        html += HTMLPage.grid([
            HTMLPage.figure("Samples by annotator", BarChart(audit.annotators, total: audit.samples, limit: 15, otherName: "other annotators").render(),
                            caption: audit.annotators.count > 15 ? "The 15 annotators with the most samples; the rest summed." : nil),
            HTMLPage.figure("Samples by guideline version", BarChart(audit.guidelines, total: audit.samples, limit: 15, otherName: "other versions").render()),
        ])
        return html
    }

    private func tables() -> String {
        let m = audit.model
        var html = HTMLPage.subheading("Registration")
        var rows: [[HTMLTable.Cell]] = [[.text("Model"), .text(m.name)], [.text("Trained on commit"), .text(m.commit)],
                                        [.text("Registration tag"), .text(m.tag)], [.text("Registered"), .text(Format.date(m.registeredAt))],
                                        [.text("Registered by"), .text(m.registeredBy ?? "unknown")]]
        rows += m.meta.sorted { $0.key < $1.key }.map { [.text("Metadata: \($0.key)"), .text($0.value)] }
        html += HTMLTable(id: "model-registration", columns: [.text("Field"), .text("Value")], rows: rows, filterAbove: 30).render()
        let fields = audit.labels.keys.sorted()
        html += HTMLPage.subheading("Labels")
        var labelRows: [[HTMLTable.Cell]] = []
        for field in fields {
            for (label, n) in audit.labels[field]!.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
                labelRows.append((fields.count > 1 ? [.text(field)] : []) + [.text(label), .count(n), .percent(n, of: audit.samples)])
            }
        }
        html += HTMLTable(id: "model-labels", columns: (fields.count > 1 ? [.text("Field")] : []) + [.text("Label"), .number("Samples"), .number("Share")],
                          rows: labelRows).render()
        html += HTMLPage.subheading("Annotators")
        html += countTable(audit.annotators, id: "model-annotators", title: "Annotator")
        html += HTMLPage.subheading("Guideline versions")
        html += countTable(audit.guidelines, id: "model-guidelines", title: "Guideline version")
        if let diff = audit.sincePrevious {
            html += DiffSections.tables(diff, id: "since", sampleFilter: nil, sampleLimit: 0, headingPrefix: "Since \(audit.previousModel ?? "the previous model"): ")
        }
        if !audit.erased.isEmpty {
            html += HTMLPage.subheading("Erased samples")
            html += DiffSections.erasedTable(audit.erased, id: "model-erased")
        }
        return html
    }

    private func countTable(_ counts: [String: Int], id: String, title: String) -> String {
        HTMLTable(id: id, columns: [.text(title), .number("Samples"), .number("Share")],
                  rows: counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { [.text($0.key), .count($0.value), .percent($0.value, of: audit.samples)] })
            .render()
    }
}

extension FlipsAuditReport {
    /// The whole page.
    public func html() -> String {
        let annotators = Dictionary(grouping: audit.groups, by: \.annotator).mapValues { $0.reduce(0) { $0 + $1.count } }
        let guidelines = Dictionary(grouping: audit.groups, by: \.guideline).mapValues { $0.reduce(0) { $0 + $1.count } }
        var cards: [HTMLPage.Card] = [
            .init(label: "Relabels", value: Format.count(audit.relabels), detail: "\(audit.from) \u{2192} \(audit.to)", tone: .accent),
            .init(label: "Annotators", value: Format.count(annotators.count), detail: nil),
            .init(label: "Guideline versions", value: Format.count(guidelines.count), detail: nil),
            .init(label: "Groups", value: Format.count(audit.groups.count), detail: "annotator \u{00d7} guideline"),
        ]
        if let top = audit.groups.first {
            cards.append(.init(label: "Largest group", value: Format.percent(top.count, of: audit.relabels), detail: "\(top.annotator) \u{00b7} \(top.guideline)"))
        }
        var findings: [String] = []
        if audit.relabels == 0 {
            findings.append("No sample was relabeled between \(audit.from) and \(audit.to).")
        } else {
            findings.append("\(Format.plural(audit.relabels, "sample was", "samples were")) relabeled between \(audit.from) and \(audit.to), "
                            + "by \(Format.plural(annotators.count, "annotator")) under \(Format.plural(guidelines.count, "guideline version")).")
            if let top = audit.groups.first {
                findings.append("The largest group: \(top.annotator) under guideline \(top.guideline), "
                                + "\(Format.plural(top.count, "relabel")) (\(Format.percent(top.count, of: audit.relabels))).")
            }
            if let t = transitions().max(by: { ($0.count, $1.row, $1.column) < ($1.count, $0.row, $0.column) }) {
                findings.append("The most common change: \u{201c}\(t.row)\u{201d} \u{2192} \u{201c}\(t.column)\u{201d}, \(Format.plural(t.count, "sample")).")
            }
        }
        let triples = audit.groups.map { (row: $0.annotator, column: $0.guideline, count: $0.count) }
        let groupMap = HeatMap(triples: triples, rowTitle: "Annotator", columnTitle: "Guideline version", unit: "relabels", id: "flips-groups",
                               rowKind: "annotators", columnKind: "versions")
        let labelMap = HeatMap(triples: transitions(), rowTitle: "Label in \(audit.from)", columnTitle: "Label in \(audit.to)", id: "flips-labels")
        let groupBars = BarChart(bars: audit.groups.map { .init(label: "\($0.annotator) \u{00b7} \($0.guideline)", value: $0.count) },
                                 total: audit.relabels, limit: 15, unit: "relabels", otherName: "other groups")
        let sections: [HTMLPage.Section] = [
            .inShort(findings),
            .init(id: "groups", title: "Annotator \u{00d7} guideline version",
                  lead: "Who made the relabels, and under which guideline version. Each cell counts the relabels of one annotator under one version.",
                  body: audit.groups.isEmpty ? "<p class=\"empty\">No relabels.</p>"
                      : HTMLPage.figure("Relabels by annotator and guideline version", groupMap.render(), caption: groupMap.otherNote)
                      + HTMLPage.figure("Largest groups", groupBars.render())),
            .init(id: "changes", title: "What the relabels changed",
                  lead: "Each row is a sample's label in \(audit.from); each column its label in \(audit.to).",
                  body: audit.groups.isEmpty ? "<p class=\"empty\">No relabels.</p>" : HTMLPage.figure("From label \u{2192} to label", labelMap.render(), caption: labelMap.otherNote)),
            .init(id: "tables", title: "Tables", lead: "The groups and every relabeled sample. Click a column to sort.", body: tables()),
        ]
        return HTMLPage(title: "Trail audit: relabels \(audit.from) \u{2192} \(audit.to)", kicker: "Trail \u{00b7} relabel audit",
                        heading: "Relabels from \(audit.from) to \(audit.to)",
                        facts: [("From", audit.from), ("To", audit.to), ("Relabels", Format.count(audit.relabels)), ("Generated", context.generatedAt)],
                        summary: HTMLPage.cards(cards), sections: sections, context: context).render()
    }

    /// Label transitions of every relabeled sample (all label fields).
    private func transitions() -> [(row: String, column: String, count: Int)] {
        var counts: [String: [String: Int]] = [:]
        for g in audit.groups {
            for s in g.samples {
                for field in Set(s.labelsBefore.keys).union(s.labelsAfter.keys) {
                    let a = s.labelsBefore[field] ?? "(none)", b = s.labelsAfter[field] ?? "(none)"
                    if a != b { counts[a, default: [:]][b, default: 0] += 1 }
                }
            }
        }
        return counts.flatMap { from, tos in tos.map { (row: from, column: $0.key, count: $0.value) } }
    }

    private func tables() -> String {
        var html = HTMLPage.subheading("Groups")
        html += HTMLTable(id: "flips-groups-table", columns: [.text("Annotator"), .text("Guideline version"), .number("Relabels"), .number("Share")],
                          rows: audit.groups.map { [.text($0.annotator), .text($0.guideline), .count($0.count), .percent($0.count, of: audit.relabels)] })
            .render()
        html += HTMLPage.subheading("Relabeled samples")
        let all = audit.groups.flatMap { $0.samples }.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        let rows: [[HTMLTable.Cell]] = all.prefix(listLimit).map { s in
            let fields = Set(s.labelsBefore.keys).union(s.labelsAfter.keys).sorted()
            return [.text(s.id), .text(DiffSections.labelText(s.labelsBefore, fields: fields)), .text(DiffSections.labelText(s.labelsAfter, fields: fields)),
                    .text(s.annotator ?? "(none)"), .text(s.guideline ?? "(none)")]
        }
        var table = HTMLTable(id: "flips-samples", columns: [.text("Sample", mono: true), .text("Label in \(audit.from)"), .text("Label in \(audit.to)"),
                                                             .text("Annotator"), .text("Guideline")], rows: rows)
        table.noteFirst(listLimit, of: all.count, "relabeled samples, by id", allListedBy: "trail audit flips \(audit.from) \(audit.to) --json")
        return html + table.render()
    }
}

extension AnnotatorAuditReport {
    /// The whole page.
    public func html() -> String {
        let byGuideline = Dictionary(grouping: audit.overturns) { $0.guideline ?? "(none)" }.mapValues(\.count)
        let cards: [HTMLPage.Card] = [
            .init(label: "Labels set", value: Format.count(audit.labelsSet), detail: "added or relabeled by them", tone: .accent),
            .init(label: "Samples", value: Format.count(audit.samples), detail: "they labeled"),
            .init(label: "Overturned", value: Format.count(audit.overturned), detail: "by a later label", tone: audit.overturned > 0 ? .warning : .good),
            .init(label: "Overturn rate", value: Format.percent(audit.overturned, of: audit.labelsSet), detail: "of labels set"),
            .init(label: "Overturned by", value: Format.count(audit.overturnedBy.count), detail: "other annotators"),
        ]
        var findings = ["\(audit.annotator) set \(Format.plural(audit.labelsSet, "label")) on \(Format.plural(audit.samples, "sample")); "
                        + "\(Format.count(audit.overturned)) (\(Format.percent(audit.overturned, of: audit.labelsSet))) were later changed by another label."]
        if let (who, n) = audit.overturnedBy.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).first {
            findings.append("Most overturns were by \(who): \(Format.count(n)) of \(Format.count(audit.overturned)).")
        }
        var pairs: [String: [String: Int]] = [:]
        for o in audit.overturns { pairs[o.label, default: [:]][o.overturnedTo, default: 0] += 1 }
        let triples = pairs.flatMap { from, tos in tos.map { (row: from, column: $0.key, count: $0.value) } }
        if let t = triples.max(by: { ($0.count, $1.row, $1.column) < ($1.count, $0.row, $0.column) }) {
            findings.append("The most common overturn: their \u{201c}\(t.row)\u{201d} became \u{201c}\(t.column)\u{201d} (\(Format.plural(t.count, "sample"))).")
        }
        let overturnMap = HeatMap(triples: triples, rowTitle: "Their label", columnTitle: "Overturned to", unit: "overturns", id: "annotator-labels")
        var sections: [HTMLPage.Section] = [
            .inShort(findings),
            .init(id: "who", title: "Who overturned their labels",
                  lead: "A label is overturned when the next label event on that sample changes it.",
                  body: audit.overturns.isEmpty ? HTMLPage.note("None of their labels was overturned.")
                      : HTMLPage.grid([
                          HTMLPage.figure("Overturns by annotator", BarChart(audit.overturnedBy, total: audit.overturned, unit: "overturns",
                                                                             otherName: "other annotators").render()),
                          HTMLPage.figure("Overturns by guideline version", BarChart(byGuideline, total: audit.overturned, unit: "overturns",
                                                                                     otherName: "other versions").render()),
                      ])),
            .init(id: "changes", title: "What their labels became",
                  lead: "Rows: the label \(audit.annotator) set; columns: the label that replaced it.",
                  body: audit.overturns.isEmpty ? HTMLPage.note("None of their labels was overturned.")
                      : HTMLPage.figure("Their label \u{2192} overturned to", overturnMap.render(), caption: overturnMap.otherNote)),
            .init(id: "tables", title: "Overturns", lead: "Every overturned label. Click a column to sort.", body: table()),
        ]
        if let judgments = audit.judgments { sections.insert(AgreementSections.annotator(judgments), at: 3) }
        return HTMLPage(title: "Trail audit: annotator \(audit.annotator)", kicker: "Trail \u{00b7} annotator audit",
                        heading: "Annotator \(audit.annotator)",
                        facts: [("Labels set", Format.count(audit.labelsSet)), ("Overturned", "\(Format.count(audit.overturned)) "
                                + "(\(Format.percent(audit.overturned, of: audit.labelsSet)))"), ("Generated", context.generatedAt)],
                        summary: HTMLPage.cards(cards), sections: sections, context: context).render()
    }

    private func table() -> String {
        let rows: [[HTMLTable.Cell]] = audit.overturns.prefix(listLimit).map { o in
            [.text(o.id), .text(o.label), .text(o.overturnedTo), .text(o.by ?? "(none)"), .text(o.guideline ?? "(none)"), .text(Format.commit(o.commit))]
        }
        var table = HTMLTable(id: "annotator-overturns", columns: [.text("Sample", mono: true), .text("Their label"), .text("Overturned to"),
                                                                   .text("By"), .text("Guideline"), .text("Commit", mono: true)], rows: rows)
        table.noteFirst(listLimit, of: audit.overturns.count, "overturns", allListedBy: "trail audit annotator \(audit.annotator) --json")
        return table.render()
    }
}

extension DisputedAuditReport {
    /// The whole page.
    public func html() -> String {
        let flipFlops = audit.samples.filter(\.flipFlop).count
        let most = audit.samples.map(\.changes).max() ?? 0
        var byChanges: [Int: Int] = [:]
        var annotators: [String: Int] = [:], labels: [String: Int] = [:]
        for s in audit.samples {
            byChanges[s.changes, default: 0] += 1
            for a in s.annotators { annotators[a, default: 0] += 1 }
            for l in Set(s.labels) { labels[l, default: 0] += 1 }
        }
        let cards: [HTMLPage.Card] = [
            .init(label: "Disputed samples", value: Format.count(audit.samples.count), detail: "relabeled \(audit.minChanges)+ times", tone: .accent),
            .init(label: "Flip-flops", value: Format.count(flipFlops), detail: "a label came back", tone: flipFlops > 0 ? .warning : .neutral),
            .init(label: "Most changes", value: Format.count(most), detail: "on one sample"),
            .init(label: "Annotators involved", value: Format.count(annotators.count), detail: nil),
        ]
        var findings: [String] = []
        if audit.samples.isEmpty {
            findings.append("No sample was relabeled \(audit.minChanges) or more times.")
        } else {
            findings.append("\(Format.plural(audit.samples.count, "sample was", "samples were")) relabeled \(audit.minChanges) or more times; "
                            + "\(Format.count(flipFlops)) of them flip-flopped (a label came back).")
            if let (who, n) = annotators.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).first {
                findings.append("\(who) made the most of these relabels: \(Format.count(n)).")
            }
            if let (label, n) = labels.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).first {
                findings.append("The label most often involved: \u{201c}\(label)\u{201d}, in \(Format.plural(n, "disputed sample")).")
            }
        }
        var labelBars = BarChart(labels, total: audit.samples.count, limit: 20, otherName: "other labels")
        labelBars.width = 900
        let changeBars = BarChart(bars: byChanges.keys.sorted().map { .init(label: Format.plural($0, "change"), value: byChanges[$0]!) },
                                  total: audit.samples.count, limit: 20, otherName: "others")
        let sections: [HTMLPage.Section] = [
            .inShort(findings),
            .init(id: "charts", title: "How often, who, which labels",
                  lead: "How many times the disputed samples were relabeled, who relabeled them, and which labels they moved between.",
                  body: audit.samples.isEmpty ? HTMLPage.note("Nothing to show.")
                      : HTMLPage.grid([
                          HTMLPage.figure("Samples by number of label changes", changeBars.render()),
                          HTMLPage.figure("Relabels by annotator", BarChart(annotators, unit: "relabels", otherName: "other annotators").render()),
                      ]) + HTMLPage.figure("Labels involved (samples whose history holds the label)", labelBars.render())),
            .init(id: "samples", title: "Disputed samples", lead: "Flip-flops first, then by number of changes. Click a column to sort.", body: table()),
        ]
        return HTMLPage(title: "Trail audit: disputed samples", kicker: "Trail \u{00b7} disputed samples",
                        heading: "Samples relabeled \(audit.minChanges) or more times",
                        facts: [("Samples", Format.count(audit.samples.count)), ("Flip-flops", Format.count(flipFlops)),
                                ("Threshold", Format.plural(audit.minChanges, "change")), ("Generated", context.generatedAt)],
                        summary: HTMLPage.cards(cards), sections: sections, context: context).render()
    }

    private func table() -> String {
        let rows: [[HTMLTable.Cell]] = audit.samples.prefix(listLimit).map { s in
            let path = s.labels.map { "<span class=\"chip\">\(esc($0))</span>" }.joined(separator: "<span class=\"arrow\">\u{2192}</span>")
            return [.text(s.id), .count(s.changes),
                    s.flipFlop ? .markup("<span class=\"badge warning\">flip-flop</span>", sortKey: "1") : .markup("", sortKey: "0"),
                    .markup(path, sortKey: s.labels.joined(separator: " ")), .text(s.annotators.joined(separator: ", "))]
        }
        var table = HTMLTable(id: "disputed-samples", columns: [.text("Sample", mono: true), .number("Changes"), .text("Flip-flop"),
                                                                .text("Labels, oldest first"), .text("Relabeled by")], rows: rows)
        table.noteFirst(listLimit, of: audit.samples.count, "samples", allListedBy: "trail audit disputed --min-changes \(audit.minChanges) --json")
        return table.render()
    }
}

/// The HTML report of `trail audit sample ID`: every version of one sample, its labels over
/// time, and the models that trained on each version.
public struct SampleAuditReport {
    /// The audit the page reports.
    public var audit: SampleAudit
    /// Every registered model (for the registration details of those that trained on it).
    public var models: [ModelInfo]
    /// When and how the page was made, for its header and footer.
    public var context: ReportContext

    /// A report of `audit`.
    public init(audit: SampleAudit, models: [ModelInfo], context: ReportContext) {
        self.audit = audit
        self.models = models
        self.context = context
    }

    /// The whole page.
    public func html() -> String {
        let h = audit.history
        let fields = Array(Set(h.versions.flatMap { $0.labels.keys })).sorted()
        let relabels = h.versions.filter { $0.kind == .relabeled }.count
        let annotators = Set(h.versions.compactMap(\.annotator))
        let current = h.versions.last
        let currentLabel = current.map { $0.kind == .removed ? "removed" : DiffSections.labelText($0.labels, fields: fields) } ?? "unknown"
        var summary = HTMLPage.cards([
            .init(label: "Versions", value: Format.count(h.versions.count), detail: "commits that changed it", tone: .accent),
            .init(label: "Label changes", value: Format.count(relabels), detail: nil, tone: relabels > 0 ? .accent : .neutral),
            .init(label: "Annotators", value: Format.count(annotators.count), detail: nil),
            .init(label: "Models trained on it", value: Format.count(audit.models.count), detail: audit.models.isEmpty ? "none" : nil),
        ])
        if let e = h.erasure {
            summary += HTMLPage.callout("Content erased", "<p>\(esc("Erasure \(e.sequence) on \(Format.date(e.date)) by \(e.erasedBy): \u{201c}\(e.reason)\u{201d}."))"
                                        + " The sample's text and media are gone from every version; its labels and this history remain.</p>", tone: .warning)
        }
        let points = h.versions.map { v in
            TimelinePoint(title: Format.commit(v.commit), date: v.date,
                          tooltip: "\(DiffSections.kindNames[v.kind]!) in \(Format.commit(v.commit)) \u{2014} \(v.subject)\n\(v.author), \(Format.date(v.date))",
                          value: nil, note: v.kind == .removed ? "(removed)" : DiffSections.labelText(v.labels, fields: fields),
                          models: v.models, marks: v.kind == .relabeled ? ["relabeled"] : [])
        }
        var findings = ["\(h.id) has \(Format.plural(h.versions.count, "version")) and changed label \(Format.plural(relabels, "time")); "
                        + (current?.kind == .removed ? "the latest version removed it." : "its label is now \u{201c}\(currentLabel)\u{201d}.")]
        findings.append(audit.models.isEmpty ? "No registered model trained on any version of it."
                        : "\(Format.plural(audit.models.count, "model")) trained on a version of it: \(audit.models.joined(separator: ", ")).")
        if h.erasure != nil { findings.append("Its content has been erased; only its labels and history remain.") }
        let sections: [HTMLPage.Section] = [
            .inShort(findings),
            .init(id: "history", title: "History",
                  lead: "Each point is a commit that changed this sample, oldest first, with the label it had from then on. "
                      + "Purple flags name the models that trained on exactly that version.",
                  body: HTMLPage.figure("Versions, oldest to newest", TimelineChart(points: points, valueName: "").render())),
            .init(id: "versions", title: "Versions", lead: nil, body: versionsTable(fields: fields)),
            .init(id: "models", title: "Models", lead: "Every registered model whose training data held a version of this sample.", body: modelsTable()),
        ]
        return HTMLPage(title: "Trail audit: sample \(h.id)", kicker: "Trail \u{00b7} sample audit", heading: "Sample \(h.id)",
                        facts: [("Versions", Format.count(h.versions.count)), ("Current label", currentLabel),
                                ("Models", audit.models.isEmpty ? "none" : audit.models.joined(separator: ", ")), ("Generated", context.generatedAt)],
                        summary: summary, sections: sections, context: context).render()
    }

    private func versionsTable(fields: [String]) -> String {
        let rows: [[HTMLTable.Cell]] = audit.history.versions.enumerated().map { i, v in
            [.count(i + 1), .markup(esc(Format.date(v.date)), sortKey: v.date), .text(Format.commit(v.commit)),
             .markup(DiffSections.kindBadge(v.kind), sortKey: v.kind.rawValue),
             v.kind == .removed ? .none : .text(DiffSections.labelText(v.labels, fields: fields)),
             v.annotator.map { .text($0) } ?? .none, v.guideline.map { .text($0) } ?? .none,
             v.models.isEmpty ? .none : .text(v.models.joined(separator: ", ")),
             .markup("\(esc(v.subject))<span class=\"sub\">\(esc(v.author))</span>", sortKey: v.subject)]
        }
        return HTMLTable(id: "sample-versions", columns: [.number("#"), .text("Date", nowrap: true), .text("Commit", mono: true), .text("Change"), .text("Label"),
                                                          .text("Annotator"), .text("Guideline"), .text("Models"), .text("Message")],
                         rows: rows).render()
    }

    private func modelsTable() -> String {
        let rows: [[HTMLTable.Cell]] = audit.models.map { name in
            let info = models.first { $0.name == name }
            let version = audit.history.versions.firstIndex { $0.models.contains(name) }.map { $0 + 1 }
            return [.text(name), version.map { .count($0) } ?? .none, info.map { .text(Format.commit($0.commit)) } ?? .none,
                    info.map { .markup(esc(Format.date($0.registeredAt)), sortKey: $0.registeredAt ?? "") } ?? .none,
                    info?.registeredBy.map { .text($0) } ?? .none]
        }
        return HTMLTable(id: "sample-models", columns: [.text("Model"), .number("Version"), .text("Trained on", mono: true), .text("Registered", nowrap: true),
                                                        .text("By")], rows: rows).render()
    }
}
