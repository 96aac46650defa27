import Foundation
import TrailCore

/// The agreement sections that other pages carry: the diff's (alpha in A and in B, annotators
/// who moved) and an annotator audit's (their judgments against the final labels).
enum AgreementSections {
    static func score(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "\u{2013}" }
    static func share(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "\u{2013}" }

    /// `trail diff --html`: alpha overall and by guideline version in A and in B, and the
    /// annotators whose agreement with the final label moved most.
    static func diff(_ agreement: DiffAgreement, from a: String, to b: String) -> HTMLPage.Section {
        let x = agreement.before, y = agreement.after
        var rows: [[HTMLTable.Cell]] = [[.text("All guideline versions"), .text(score(x.krippendorffAlpha)), .text(score(y.krippendorffAlpha)),
                                         .count(x.samples), .count(y.samples)]]
        for g in Set(x.byGuideline.map(\.name)).union(y.byGuideline.map(\.name)).sorted() {
            let p = x.byGuideline.first { $0.name == g }, q = y.byGuideline.first { $0.name == g }
            rows.append([.text(g), .text(score(p?.krippendorffAlpha)), .text(score(q?.krippendorffAlpha)), .count(p?.samples ?? 0), .count(q?.samples ?? 0)])
        }
        let alpha = HTMLTable(id: "diff-agreement-alpha", columns: [.text("Guideline version"), .number("Alpha in \(a)"), .number("Alpha in \(b)"),
                                                                    .number("Samples in \(a)"), .number("Samples in \(b)")], rows: rows).render()
        let moved = agreement.annotators.isEmpty ? HTMLPage.note("No annotator's agreement with the final labels moved.")
            : HTMLTable(id: "diff-agreement-annotators",
                        columns: [.text("Annotator"), .number("Agreement in \(a)"), .number("Agreement in \(b)"), .number("Change (points)"),
                                  .number("Judgments in \(a)"), .number("Judgments in \(b)")],
                        rows: agreement.annotators.map { m in
                            [.text(m.annotator), .text(share(m.before)), .text(share(m.after)),
                             .text(m.change.map { String(format: "%+.1f", $0 * 100) } ?? "\u{2013}"), .count(m.judgmentsBefore), .count(m.judgmentsAfter)]
                        }).render()
        return .init(id: "agreement", title: "Annotator agreement",
                     lead: "Krippendorff's alpha (nominal) of the samples' judgments in \(a) and in \(b), overall and by the guideline version each judgment was made under; then the annotators whose agreement with the final label moved most.",
                     body: alpha + moved)
    }

    /// `trail audit annotator --html`: where their judgments depart from the final labels (a
    /// heat map, final label × their judgment) and their agreement by guideline version.
    static func annotator(_ judgments: AnnotatorJudgments) -> HTMLPage.Section {
        var triples: [(row: String, column: String, count: Int)] = []
        for (f, row) in judgments.confusion.enumerated() {
            for (j, n) in row.enumerated() where f != j && n > 0 { triples.append((judgments.labels[f], judgments.labels[j], n)) }
        }
        let map = HeatMap(triples: triples, rowTitle: "Final label", columnTitle: "Their judgment", unit: "judgments", id: "annotator-judgments")
        let departures = triples.isEmpty ? HTMLPage.note("Every judgment of theirs matches the final label.")
            : HTMLPage.figure("Final label \u{00d7} their judgment", map.render(), caption: map.otherNote)
        let s = judgments.summary
        let table = HTMLTable(id: "annotator-judgments-guidelines",
                              columns: [.text("Guideline version"), .number("Judgments"), .number("Agreement with label"), .number("Cohen's kappa")],
                              rows: [[.text("All"), .count(s.judgments), .text(share(s.agreementWithLabel)), .text(score(s.cohenKappa))]]
                                  + judgments.byGuideline.map { [.text($0.guideline), .count($0.judgments), .text(share($0.agreementWithLabel)), .text(score($0.cohenKappa))] })
            .render()
        return .init(id: "judgments", title: "Their judgments against the final labels",
                     lead: "In \(Format.commit(judgments.commit)): \(Format.plural(s.judgments, "judgment")), \(share(s.agreementWithLabel)) matching the final label. "
                         + "Rows: the final label; columns: their judgment where it differed.",
                     body: departures + table)
    }
}
