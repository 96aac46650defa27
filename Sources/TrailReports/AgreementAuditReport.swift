import Foundation
import TrailCore

/// `trail audit agreement --html`: agreement in one version (cards), where each annotator
/// departs from the final labels (an annotator × final label heat map), and alpha by guideline
/// version over the last commits.
public struct AgreementAuditReport {
    /// The report the page shows.
    public var report: AgreementReport
    /// The version, as the user named it.
    public var revision: String
    /// Agreement in the commits up to it, oldest first.
    public var history: AgreementHistory
    /// When and how the page was made.
    public var context: ReportContext

    /// A page of `report`.
    public init(report: AgreementReport, revision: String, history: AgreementHistory, context: ReportContext) {
        self.report = report
        self.revision = revision
        self.history = history
        self.context = context
    }

    private func score(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "\u{2013}" }

    /// The whole page.
    public func html() -> String {
        let r = report
        let cards: [HTMLPage.Card] = [
            .init(label: "Krippendorff's alpha", value: score(r.krippendorffAlpha), detail: "nominal, samples with 2+ judgments", tone: .accent),
            .init(label: "Fleiss' kappa", value: score(r.fleissKappa), detail: r.fleissKappa == nil ? "undefined (uneven judgments)" : "equal judgments per sample"),
            .init(label: "Samples", value: Format.count(r.samples), detail: "with 2+ judgments"),
            .init(label: "Judgments", value: Format.count(r.judgments), detail: "with a label"),
            .init(label: "Annotators", value: Format.count(r.annotators.count), detail: "who judged"),
        ]
        var findings: [String] = []
        if let worst = r.annotators.filter({ $0.agreementWithLabel != nil }).min(by: { $0.agreementWithLabel! < $1.agreementWithLabel! }) {
            var line = "\(worst.annotator) agrees least with the final labels: \(score(worst.agreementWithLabel.map { $0 * 100 }))% of \(Format.plural(worst.judgments, "judgment"))"
            if let d = worst.mostDiffered.first { line += ", most often judging \u{201c}\(d.to)\u{201d} where the final label is \u{201c}\(d.from)\u{201d} (\(Format.count(d.count)))" }
            findings.append(line + ".")
        }
        if let p = r.pairs.first {
            findings.append("The pair who disagree most: \(p.annotators.joined(separator: " and ")), on \(Format.percent(p.disagreements, of: p.samples)) of \(Format.plural(p.samples, "shared sample")).")
        }
        if r.singleJudgmentSamples > 0 {
            findings.append("\(Format.plural(r.singleJudgmentSamples, "sample")) with a single judgment are left out of alpha (nothing to compare it with).")
        }
        var triples: [(row: String, column: String, count: Int)] = []
        for a in r.annotators { for d in a.mostDiffered { triples.append((a.annotator, d.from, d.count)) } }
        let map = HeatMap(triples: triples, rowTitle: "Annotator", columnTitle: "Final label they departed from", unit: "judgments",
                          id: "agreement-annotators", rowKind: "annotators")
        let sections: [HTMLPage.Section] = [
            .init(id: "summary", title: "In short", lead: nil, body: findings.isEmpty ? HTMLPage.note("No judgments in this version.") : HTMLPage.bullets(findings)),
            .init(id: "heatmap", title: "Where annotators depart from the final label",
                  lead: "Rows: annotators; columns: the final label of the samples where their judgment differed (their five most frequent departures).",
                  body: triples.isEmpty ? HTMLPage.note("No judgment differs from its final label.") : HTMLPage.figure("Annotator \u{00d7} final label", map.render(), caption: map.otherNote)),
            .init(id: "guidelines", title: "Alpha by guideline version over commits",
                  lead: "Krippendorff's alpha of the judgments made under each guideline version, in the last commits up to \(revision).", body: historyTable()),
            .init(id: "annotators", title: "Annotators", lead: "Each annotator's judgments against the final labels. Click a column to sort.", body: annotatorTable()),
            .init(id: "labels", title: "By final label", lead: "Alpha over the samples with each final label.", body: groupTable(r.byLabel, id: "agreement-labels", title: "Final label")),
            .init(id: "pairs", title: "Pairs who disagree most", lead: nil, body: pairTable()),
        ]
        return HTMLPage(title: "Trail audit: agreement in \(revision)", kicker: "Trail \u{00b7} agreement audit", heading: "Annotator agreement in \(revision)",
                        facts: [("Commit", Format.commit(r.commit)), ("Label field", r.field ?? "(none)"), ("Generated", context.generatedAt)],
                        summary: HTMLPage.cards(cards), sections: sections, context: context).render()
    }

    private func historyTable() -> String {
        let guidelines = Array(Set(history.points.flatMap { $0.byGuideline.map(\.name) })).sorted()
        let rows: [[HTMLTable.Cell]] = history.points.map { p in
            var row: [HTMLTable.Cell] = [.text(Format.commit(p.commit)), .text(p.subject), .text(score(p.krippendorffAlpha))]
            for g in guidelines { row.append(p.byGuideline.first { $0.name == g }.map { .text(score($0.krippendorffAlpha)) } ?? .none) }
            return row
        }
        return HTMLTable(id: "agreement-history", columns: [.text("Commit", mono: true), .text("Subject"), .number("Alpha")] + guidelines.map { .number($0) },
                         rows: rows).render()
    }

    private func annotatorTable() -> String {
        let rows: [[HTMLTable.Cell]] = report.annotators.map { a in
            [.text(a.annotator), .count(a.judgments), .text(a.agreementWithLabel.map { String(format: "%.1f%%", $0 * 100) } ?? "\u{2013}"),
             .text(score(a.cohenKappa)), .text(a.mostDiffered.prefix(3).map { "\($0.from) \u{2192} \($0.to) (\($0.count))" }.joined(separator: ", "))]
        }
        return HTMLTable(id: "agreement-annotator-table", columns: [.text("Annotator"), .number("Judgments"), .number("Agreement with label"),
                                                                   .number("Cohen's kappa"), .text("Most differed (final \u{2192} theirs)")], rows: rows).render()
    }

    private func groupTable(_ groups: [AgreementReport.Group], id: String, title: String) -> String {
        HTMLTable(id: id, columns: [.text(title), .number("Alpha"), .number("Samples"), .number("Judgments")],
                  rows: groups.map { [.text($0.name), .text(score($0.krippendorffAlpha)), .count($0.samples), .count($0.judgments)] }).render()
    }

    private func pairTable() -> String {
        HTMLTable(id: "agreement-pairs", columns: [.text("Annotators"), .number("Shared samples"), .number("Disagreements"), .number("Disagreement")],
                  rows: report.pairs.map { [.text($0.annotators.joined(separator: " & ")), .count($0.samples), .count($0.disagreements),
                                            .percent($0.disagreements, of: $0.samples)] }).render()
    }
}
