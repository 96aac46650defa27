import ArgumentParser
import TrailCore
import TrailReports

extension AuditCommand {
    struct Agreement: AuditReportCommand {
        static let configuration = CommandConfiguration(
            commandName: "agreement", abstract: "How well annotators agree, from the samples' judgments: overall, by guideline version, per annotator.",
            discussion: """
                Reads the judgments field of every sample of REV (default HEAD): Krippendorff's alpha (nominal) over the samples with two or more judgments; Fleiss' kappa when all of those have the same number of judgments; per annotator, agreement and Cohen's kappa against the final label and the labels they most often differ on; alpha by guideline version and by final label; the annotator pairs who disagree most.

                Example: trail audit agreement clf-v4 --html agreement.html
                """)
        @OptionGroup var options: ReportOptions
        @Argument(help: "The version (commit, branch, tag or model).") var revision = "HEAD"

        func audit(_ auditor: Auditor) throws -> AgreementReport { try auditor.agreement(at: revision) }

        func page(_ report: AgreementReport, store: Store) throws -> String {
            try AgreementAuditReport(report: report, revision: revision, history: AgreementHistory.of(store: store, from: revision),
                                     context: reportContext()).html()
        }

        func printText(_ report: AgreementReport) { printAgreement(report, revision: revision) }
    }
}

/// `audit agreement`'s text.
func printAgreement(_ r: AgreementReport, revision: String) {
    guard r.hasJudgments else {
        return print("No judgments in \(revision) (\(r.commit.prefix(10))): no sample has a judgments field with entries.")
    }
    print("Agreement in \(revision) (\(r.commit.prefix(10))), label field \(r.field ?? "(none)"):")
    print("  Krippendorff's alpha \(scoreText(r.krippendorffAlpha)), Fleiss' kappa \(scoreText(r.fleissKappa))"
          + (r.fleissKappa == nil && r.samples > 0 ? " (samples have different numbers of judgments)" : ""))
    print("  \(thousands(r.samples)) samples with 2+ judgments, \(thousands(r.judgments)) judgments; "
          + "\(thousands(r.singleJudgmentSamples)) with one judgment (left out), \(thousands(r.missingJudgments)) judgments without a label")
    printGroups("By guideline version:", r.byGuideline)
    if !r.annotators.isEmpty {
        print("")
        print("Annotators (agreement with the final label, Cohen's kappa), least agreeing first:")
        let ranked = r.annotators.sorted { ($0.agreementWithLabel ?? 2, $0.annotator) < ($1.agreementWithLabel ?? 2, $1.annotator) }
        for a in ranked.prefix(15) {
            let differs = a.mostDiffered.prefix(2).map { "\($0.from) → \($0.to) \($0.count)" }.joined(separator: ", ")
            print("  \(a.annotator)  \(thousands(a.judgments)) judgments  \(percentText(a.agreementWithLabel))  kappa \(scoreText(a.cohenKappa))"
                  + (differs.isEmpty ? "" : "  most differ: \(differs)"))
        }
        printRest(of: r.annotators.count, shown: 15)
    }
    printGroups("By final label:", r.byLabel)
    if !r.pairs.isEmpty {
        print("")
        print("Pairs who disagree most:")
        for p in r.pairs { print("  \(p.annotators.joined(separator: " & "))  \(percentText(p.disagreement)) of \(thousands(p.samples)) shared samples") }
    }
}

/// A section of `audit agreement`'s text: alpha per group, under `title`; nothing when there
/// are no groups.
private func printGroups(_ title: String, _ groups: [AgreementReport.Group]) {
    guard !groups.isEmpty else { return }
    print("")
    print(title)
    for g in groups { print("  \(g.name)  alpha \(scoreText(g.krippendorffAlpha))  \(thousands(g.samples)) samples") }
}

/// The judgments part of `audit annotator`'s text: agreement by guideline version, and the
/// confusion against the final labels (rows final, columns theirs; only labels that occur).
func printAnnotatorJudgments(_ j: AnnotatorJudgments) {
    let s = j.summary
    print("")
    print("Judgments in HEAD (\(j.commit.prefix(10))): \(thousands(s.judgments)); agreement with the final label \(percentText(s.agreementWithLabel)), Cohen's kappa \(scoreText(s.cohenKappa))")
    print("")
    print("By guideline version:")
    for g in j.byGuideline {
        print("  \(g.guideline)  \(thousands(g.judgments)) judgments  \(percentText(g.agreementWithLabel))  kappa \(scoreText(g.cohenKappa))")
    }
    print("")
    print("Final label → their label (judgments that differ):")
    var cells: [(from: String, to: String, n: Int)] = []
    for (f, row) in j.confusion.enumerated() { for (t, n) in row.enumerated() where f != t && n > 0 { cells.append((j.labels[f], j.labels[t], n)) } }
    cells.sort { ($1.n, $0.from, $0.to) < ($0.n, $1.from, $1.to) }
    if cells.isEmpty { print("  none: every judgment equals the final label") }
    for c in cells.prefix(20) { print("  \(c.from) → \(c.to)  \(c.n)") }
    printRest(of: cells.count, shown: 20)
}

/// `trail diff`'s agreement section.
func printDiffAgreement(_ d: DiffAgreement, from: String, to: String) {
    print("")
    print("Agreement (Krippendorff's alpha): \(from) \(scoreText(d.before.krippendorffAlpha)) → \(to) \(scoreText(d.after.krippendorffAlpha))"
          + "  (\(thousands(d.before.samples)) → \(thousands(d.after.samples)) samples with 2+ judgments)")
    let guidelines = Set(d.before.byGuideline.map(\.name)).union(d.after.byGuideline.map(\.name)).sorted()
    if !guidelines.isEmpty {
        print("  by guideline version:")
        for g in guidelines {
            let a = d.before.byGuideline.first { $0.name == g }, b = d.after.byGuideline.first { $0.name == g }
            print("    \(g)  \(scoreText(a?.krippendorffAlpha)) → \(scoreText(b?.krippendorffAlpha))  (\(thousands(a?.samples ?? 0)) → \(thousands(b?.samples ?? 0)) samples)")
        }
    }
    if !d.annotators.isEmpty {
        print("  agreement with the final label moved most:")
        for m in d.annotators {
            let change = m.change.map { String(format: "%+.1f points", $0 * 100) } ?? "judged in one version only"
            print("    \(m.annotator)  \(percentText(m.before)) → \(percentText(m.after))  (\(change))")
        }
    }
}
