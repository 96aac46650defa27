import Foundation
import TrailCore

/// The HTML report of `trail diff A B`: what changed between two versions of the data, as
/// summary cards, charts (label counts before and after, the transition heat map, relabels by
/// annotator and guideline version), the commit timeline, and the tables behind the charts.
public struct DiffReport {
    /// The diff, with `samples` filled in to list the changed samples.
    public var diff: SnapshotDiff
    /// A's full commit id.
    public var fromCommit: String
    /// B's full commit id.
    public var toCommit: String
    /// B's history, newest first (as `CommitLog.entries` returns it).
    public var history: [CommitSummary]
    /// How many commits `history` was cut to (to say so when it is full).
    public var historyLimit: Int
    /// Every registered model (those on `history`'s commits are marked on the timeline).
    public var models: [ModelInfo]
    /// Describes a filter applied to `diff.samples`, e.g. `kind relabeled`; nil when unfiltered.
    public var sampleFilter: String?
    /// At most this many changed samples are listed.
    public var sampleLimit: Int
    /// When and how the page was made, for its header and footer.
    public var context: ReportContext

    /// A report of `diff`; see the properties for what each argument means.
    public init(diff: SnapshotDiff, fromCommit: String, toCommit: String, history: [CommitSummary], historyLimit: Int,
                models: [ModelInfo], sampleFilter: String? = nil, sampleLimit: Int = 1000, context: ReportContext) {
        self.diff = diff
        self.fromCommit = fromCommit
        self.toCommit = toCommit
        self.history = history
        self.historyLimit = historyLimit
        self.models = models
        self.sampleFilter = sampleFilter
        self.sampleLimit = sampleLimit
        self.context = context
    }

    /// The whole page.
    public func html() -> String {
        let a = diff.from, b = diff.to
        var summary = HTMLPage.cards(DiffSections.cards(diff))
        if !diff.erased.isEmpty { summary += DiffSections.erasedCallout(diff.erased, kind: "diff") }
        var sections: [HTMLPage.Section] = [
            .inShort(DiffSections.findings(diff)),
            .init(id: "labels", title: "Label distribution",
                  lead: "How many samples carry each label in \(a) (grey) and in \(b) (blue), and the change.",
                  body: DiffSections.labelDistribution(diff)),
            .init(id: "transitions", title: "Label transitions",
                  lead: "Each row is the label a relabeled sample had in \(a); each column the label it has in \(b). "
                      + "The number in a cell is how many samples moved that way; darker cells hold more.",
                  body: DiffSections.transitions(diff, id: "diff")),
            .init(id: "who", title: "Who relabeled, under which guideline",
                  lead: "The relabels by the annotator and the guideline version recorded on the new label.",
                  body: DiffSections.relabelsBy(diff)),
        ]
        if let agreement = diff.agreement { sections.append(AgreementSections.diff(agreement, from: a, to: b)) }
        if !diff.erased.isEmpty {
            sections.append(.init(id: "erased", title: "Erased samples",
                                  lead: "Samples of these versions whose content was erased since. Their labels still count above.",
                                  body: DiffSections.erasedTable(diff.erased, id: "diff-erased")))
        }
        let marks = DiffSections.marks([(fromCommit, "A: \(a)"), (toCommit, "B: \(b)")])
        var timeline = HistorySection.body(history: history, models: models, marks: marks, limit: historyLimit, id: "diff")
        if !history.isEmpty && !history.contains(where: { $0.commit == fromCommit }) {
            timeline = HTMLPage.note("A (\(a), \(Format.commit(fromCommit))) is not among these commits of \(b)'s history.") + timeline
        }
        sections.append(.init(id: "timeline", title: "Timeline",
                              lead: "The history of \(b): its commits and the models registered on them.", body: timeline))
        sections.append(.init(id: "tables", title: "Tables", lead: "The numbers behind the charts. Click a column to sort.",
                              body: DiffSections.tables(diff, id: "diff", sampleFilter: sampleFilter, sampleLimit: sampleLimit)))
        let page = HTMLPage(
            title: "Trail diff: \(a) \u{2192} \(b)", kicker: "Trail \u{00b7} dataset diff", heading: "\(a) \u{2192} \(b)",
            facts: [("A (older)", "\(a) \u{00b7} \(Format.commit(fromCommit))"), ("B (newer)", "\(b) \u{00b7} \(Format.commit(toCommit))"),
                    ("Samples", "\(Format.count(diff.samplesBefore)) \u{2192} \(Format.count(diff.samplesAfter))"
                        + (diff.samplesAfter == diff.samplesBefore ? "" : " (\(Format.signed(diff.samplesAfter - diff.samplesBefore)))")),
                    ("Generated", context.generatedAt)],
            summary: summary, sections: sections, context: context)
        return page.render()
    }
}

/// The parts of a diff report, shared with the model audit's "since the previous model".
enum DiffSections {
    static let kindNames: [ChangeKind: String] = [.added: "Added", .removed: "Removed", .relabeled: "Relabeled",
                                                  .contentChanged: "Content changed", .metadataChanged: "Metadata changed"]

    /// Samples unchanged between the versions.
    static func unchanged(_ diff: SnapshotDiff) -> Int {
        diff.samplesBefore - ChangeKind.allCases.filter { $0 != .added }.reduce(0) { $0 + (diff.counts[$1.rawValue] ?? 0) }
    }

    static func cards(_ diff: SnapshotDiff) -> [HTMLPage.Card] {
        var cards: [HTMLPage.Card] = []
        for kind in ChangeKind.allCases {
            let n = diff.counts[kind.rawValue] ?? 0
            let base = kind == .added ? diff.samplesAfter : diff.samplesBefore
            cards.append(.init(label: kindNames[kind]!, value: Format.count(n),
                               detail: "\(Format.percent(n, of: base)) of \(kind == .added ? "B" : "A")",
                               tone: n == 0 ? .neutral : kind == .relabeled ? .accent : kind == .removed ? .danger : .neutral))
        }
        cards.append(.init(label: "Unchanged", value: Format.count(unchanged(diff)),
                           detail: "\(Format.percent(unchanged(diff), of: diff.samplesBefore)) of A", tone: .good))
        if !diff.erased.isEmpty {
            cards.append(.init(label: "Erased since", value: Format.count(diff.erased.count), detail: "content gone, labels kept", tone: .warning))
        }
        return cards
    }

    /// Plain sentences about the largest changes.
    static func findings(_ diff: SnapshotDiff) -> [String] {
        let changed = diff.counts.values.reduce(0, +)
        guard changed > 0 else { return ["\(diff.from) and \(diff.to) hold the same samples, with the same labels and content."] }
        var out: [String] = []
        let relabeled = diff.counts[ChangeKind.relabeled.rawValue] ?? 0
        out.append("\(Format.plural(changed, "sample")) changed between \(diff.from) and \(diff.to): "
                   + ChangeKind.allCases.compactMap { k in
                       let n = diff.counts[k.rawValue] ?? 0
                       let share = k == .relabeled ? " (\(Format.percent(n, of: diff.samplesBefore)) of \(diff.from))" : ""
                       return n > 0 ? "\(Format.count(n)) \(kindNames[k]!.lowercased())\(share)" : nil
                   }.joined(separator: ", ") + ".")
        if diff.samplesAfter != diff.samplesBefore {
            out.append("The data went from \(Format.plural(diff.samplesBefore, "sample")) to \(Format.count(diff.samplesAfter)) "
                       + "(\(Format.signed(diff.samplesAfter - diff.samplesBefore))).")
        }
        if relabeled > 0 {
            let totalTransitions = diff.transitions.reduce(0) { $0 + $1.count }
            if let top = diff.transitions.first {
                out.append("The most common relabel was \u{201c}\(top.from)\u{201d} \u{2192} \u{201c}\(top.to)\u{201d}: "
                           + "\(Format.plural(top.count, "sample")) (\(Format.percent(top.count, of: totalTransitions)) of label changes).")
            }
            if let (who, n) = diff.relabelsByAnnotator.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).first {
                out.append(diff.relabelsByAnnotator.count == 1
                           ? "Every relabel was made by \(who)."
                           : "\(who) made the most relabels: \(Format.count(n)) of \(Format.count(relabeled)) (\(Format.percent(n, of: relabeled))), "
                               + "among \(Format.plural(diff.relabelsByAnnotator.count, "annotator")).")
            }
            if let (g, n) = diff.relabelsByGuideline.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).first {
                out.append(diff.relabelsByGuideline.count == 1
                           ? "Every relabel carries guideline version \(g)."
                           : "\(Format.count(n)) of the relabels (\(Format.percent(n, of: relabeled))) carry guideline version \(g).")
            }
        }
        if let shift = diff.labels.filter({ $0.delta != 0 }).max(by: { (abs($0.delta), $1.label) < (abs($1.delta), $0.label) }) {
            out.append("The largest shift in a label's count: \u{201c}\(shift.label)\u{201d} went from \(Format.count(shift.before)) "
                       + "to \(Format.count(shift.after)) (\(Format.signed(shift.delta))).")
        }
        if !diff.erased.isEmpty {
            out.append("\(Format.plural(diff.erased.count, "sample")) of these versions had \(diff.erased.count == 1 ? "its" : "their") "
                       + "content erased since; labels still count.")
        }
        return out
    }

    static func fields(_ diff: SnapshotDiff) -> [String] { Array(Set(diff.labels.map(\.field))).sorted() }

    /// Grouped before/after bars, one chart per label field.
    static func labelDistribution(_ diff: SnapshotDiff) -> String {
        let fields = fields(diff)
        guard !fields.isEmpty else { return "<p class=\"empty\">Neither version has labels.</p>" }
        var html = ""
        for field in fields {
            let rows = diff.labels.filter { $0.field == field }
                .sorted { (max($1.before, $1.after), $0.label) < (max($0.before, $0.after), $1.label) }
            let chart = GroupedBarChart(groups: rows.map { .init(label: $0.label, before: $0.before, after: $0.after) },
                                        beforeName: "A: \(diff.from)", afterName: "B: \(diff.to)")
            let caption = rows.count > chart.limit
                ? "The \(chart.limit) largest labels of \(rows.count); the rest are summed in the last row and listed in the tables below."
                : nil
            html += HTMLPage.figure(fields.count > 1 ? "Labels in \u{201c}\(field)\u{201d}" : "Samples per label", chart.render(), caption: caption)
        }
        return html
    }

    /// The transition heat map, one per label field.
    static func transitions(_ diff: SnapshotDiff, id: String) -> String {
        let fields = Array(Set(diff.transitions.map(\.field))).sorted()
        guard !fields.isEmpty else { return "<p class=\"empty\">No sample was relabeled.</p>" }
        var html = ""
        for (k, field) in fields.enumerated() {
            let rows = diff.transitions.filter { $0.field == field }
            let map = HeatMap(triples: rows.map { ($0.from, $0.to, $0.count) }, rowTitle: "Label in A (\(diff.from))",
                              columnTitle: "Label in B (\(diff.to))", id: "\(id)-heat-\(k)")
            let total = rows.reduce(0) { $0 + $1.count }
            var caption = "\(Format.plural(total, "label change")) in \(Format.plural(rows.count, "distinct transition")). Hover a cell for its labels."
            if let note = map.otherNote { caption += " " + note }
            html += HTMLPage.figure(fields.count > 1 ? "Transitions in \u{201c}\(field)\u{201d}" : "From label \u{2192} to label",
                                    map.render(), caption: caption)
        }
        return html
    }

    /// Relabels by annotator and by guideline version, side by side.
    static func relabelsBy(_ diff: SnapshotDiff) -> String {
        guard !diff.relabelsByAnnotator.isEmpty else { return "<p class=\"empty\">No sample was relabeled.</p>" }
        let total = diff.relabelsByAnnotator.values.reduce(0, +)
        let byAnnotator = BarChart(diff.relabelsByAnnotator, total: total, limit: 15, unit: "relabels", otherName: "other annotators")
        let byGuideline = BarChart(diff.relabelsByGuideline, total: total, limit: 15, unit: "relabels", otherName: "other versions")
        return HTMLPage.grid([
            HTMLPage.figure("Relabels by annotator", byAnnotator.render(),
                            caption: diff.relabelsByAnnotator.count > 15 ? "The 15 annotators with the most relabels; the rest summed." : nil),
            HTMLPage.figure("Relabels by guideline version", byGuideline.render()),
        ])
    }

    /// The warning above the sections when erased samples are involved.
    static func erasedCallout(_ erased: [ErasedSample], kind: String) -> String {
        let what = kind == "model"
            ? "This model trained on \(Format.plural(erased.count, "sample")) whose content has been erased since."
            : "\(Format.plural(erased.count, "sample")) of these versions had \(erased.count == 1 ? "its" : "their") content erased since."
        let erasures = Set(erased.map(\.sequence)).sorted().map { n -> String in
            let e = erased.first { $0.sequence == n }!
            return "erasure \(n) on \(Format.day(e.date)) (\u{201c}\(e.reason)\u{201d})"
        }
        let kept = erased.count == 1 ? "Its labels are kept and still count in this report; its text and media are"
            : "Their labels are kept and still count in this report; their text and media are"
        return HTMLPage.callout("Erased content", "<p>\(esc(what)) \(kept) gone from every version.</p><p>\(esc("By " + erasures.joined(separator: "; ") + "."))</p>",
                                tone: .warning)
    }

    static func erasedTable(_ erased: [ErasedSample], id: String) -> String {
        HTMLTable(id: id, columns: [.text("Sample", mono: true), .number("Erasure"), .text("Date", nowrap: true), .text("Reason")],
                  rows: erased.map { [.text($0.id), .count($0.sequence), .markup(esc(Format.date($0.date)), sortKey: $0.date), .text($0.reason)] })
            .render()
    }

    /// Commit id → badges, merging the badges of a commit named twice (A and B the same).
    static func marks(_ pairs: [(String, String)]) -> [String: [String]] {
        var marks: [String: [String]] = [:]
        for (commit, mark) in pairs { marks[commit, default: []].append(mark) }
        return marks
    }

    /// The transitions, label counts and changed samples, as tables.
    static func tables(_ diff: SnapshotDiff, id: String, sampleFilter: String?, sampleLimit: Int, headingPrefix: String = "") -> String {
        let multi = fields(diff).count > 1 || Set(diff.transitions.map(\.field)).count > 1
        var html = HTMLPage.subheading(headingPrefix + "Label transitions")
        let transitionTotal = diff.transitions.reduce(0) { $0 + $1.count }
        let transitionLimit = 2000
        var transitions = HTMLTable(id: "\(id)-transitions",
                                    columns: (multi ? [.text("Field")] : []) + [.text("From (A)"), .text("To (B)"), .number("Samples"), .number("Share")],
                                    rows: diff.transitions.prefix(transitionLimit).map { t in
                                        (multi ? [.text(t.field)] : []) + [.text(t.from), .text(t.to), .count(t.count), .percent(t.count, of: transitionTotal)]
                                    })
        if diff.transitions.count > transitionLimit {
            transitions.footnote = "Showing the \(Format.count(transitionLimit)) largest of \(Format.count(diff.transitions.count)) transitions. "
                + "`trail diff \(diff.from) \(diff.to) --json` lists them all."
        }
        html += transitions.render()
        html += HTMLPage.subheading(headingPrefix + "Label counts")
        var totals: [String: (Int, Int)] = [:]
        for l in diff.labels { totals[l.field, default: (0, 0)].0 += l.before; totals[l.field, default: (0, 0)].1 += l.after }
        html += HTMLTable(id: "\(id)-labels",
                          columns: (multi ? [.text("Field")] : []) + [.text("Label"), .number("In A"), .number("Share in A"),
                                                                     .number("In B"), .number("Share in B"), .number("Change")],
                          rows: diff.labels.map { l in
                              let t = totals[l.field] ?? (0, 0)
                              return (multi ? [.text(l.field)] : []) + [.text(l.label), .count(l.before), .percent(l.before, of: t.0),
                                                                       .count(l.after), .percent(l.after, of: t.1), .delta(l.delta)]
                          }).render()
        if let samples = diff.samples {
            html += HTMLPage.subheading("Changed samples" + (sampleFilter.map { " (\($0))" } ?? ""))
            html += samplesTable(samples, id: "\(id)-samples", limit: sampleLimit, total: samples.count,
                                 listCommand: "trail diff \(diff.from) \(diff.to) --samples --json")
        }
        return html
    }

    /// A change kind as a badge.
    static func kindBadge(_ kind: ChangeKind) -> String {
        let tone = kind == .relabeled ? " accent" : kind == .removed ? " danger" : ""
        return "<span class=\"badge\(tone)\">\(esc(kindNames[kind]!.lowercased()))</span>"
    }

    /// Labels of a sample as text: the value alone for one field, `field: value; ...` for several.
    static func labelText(_ labels: [String: String], fields: [String]) -> String {
        if fields.count == 1 { return labels[fields[0]] ?? "(none)" }
        return fields.map { "\($0): \(labels[$0] ?? "(none)")" }.joined(separator: "; ")
    }

    static func samplesTable(_ samples: [SampleChange], id: String, limit: Int, total: Int, listCommand: String) -> String {
        let rows: [[HTMLTable.Cell]] = samples.prefix(limit).map { s in
            let fields = Set(s.labelsBefore.keys).union(s.labelsAfter.keys).sorted()
            let before = s.kind == .added ? nil : labelText(s.labelsBefore, fields: fields)
            let after = s.kind == .removed ? nil : labelText(s.labelsAfter, fields: fields)
            let afterCell: HTMLTable.Cell = after.map { a in
                a == before ? .text(a) : .markup("<span class=\"changed\">\(esc(a))</span>", sortKey: a)
            } ?? .none
            return [.text(s.id), .markup(kindBadge(s.kind), sortKey: s.kind.rawValue), before.map { .text($0) } ?? .none, afterCell,
                    s.annotator.map { .text($0) } ?? .none, s.guideline.map { .text($0) } ?? .none]
        }
        var table = HTMLTable(id: id, columns: [.text("Sample", mono: true), .text("Change"), .text("Label in A"), .text("Label in B"),
                                                .text("Annotator"), .text("Guideline")], rows: rows)
        table.noteFirst(limit, of: total, "changed samples, by id", allListedBy: listCommand)
        return table.render()
    }
}
