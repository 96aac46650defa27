import ArgumentParser
import Foundation
import TrailCore
import TrailReports

struct EvalCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a model's stored predictions against any version of the labels.",
        discussion: """
            A model's predictions are stored with it (`trail model register NAME REV --predictions FILE`, or `trail model predictions NAME FILE` later). eval scores them against the labels of --labels REV (default HEAD): accuracy, each label's precision, recall, F1 and support, macro F1, Cohen's kappa and the confusion matrix, as scikit-learn computes them. Predictions of samples REV does not hold are counted as missing, not scored; erased samples keep their labels and are scored.

            Examples:
              trail eval clf-v4                               # against HEAD's labels
              trail eval clf-v4 --labels clf-v4               # against the data it trained on
              trail eval clf-v3 --labels clf-v3 --compare HEAD
                # the same predictions under both label versions, and the samples whose
                # correctness the relabels flipped, by who relabeled them under which guideline
              trail eval clf-v3 clf-v4 --labels HEAD          # two models on one version
              trail eval clf-v4 --json | jq .macro_f1
              trail eval clf-v3 --labels clf-v3 --compare HEAD --html eval.html

            A label that is a list (multi-label) is scored as one label: its labels sorted and joined with +. With several label fields, --field chooses the one scored (default: the first label field the predictions hold). With --samples, the flipped samples (--compare) or the samples only one model gets right (two models) are listed. With --html FILE the evaluation is written to FILE as one self-contained page (per-label bars, the confusion heat map, flips by annotator), and only "Wrote report to FILE" is printed.
            """)

    @OptionGroup var options: ReadOptions
    @Argument(help: "The model whose predictions are scored; a second model compares the two on the same labels.")
    var models: [String]
    @Option(name: .long, help: ArgumentHelp("The version whose labels are the truth.", valueName: "rev"))
    var labels: String = "HEAD"
    @Option(name: .long, help: ArgumentHelp("Score under this version's labels too, and show what the relabels flipped.", valueName: "rev"))
    var compare: String?
    @Option(name: .long, help: ArgumentHelp("The label field to score (default: the first the predictions hold).", valueName: "name"))
    var field: String?
    @Flag(name: .long, help: "List the flipped samples (--compare), or those only one of two models gets right.")
    var samples = false
    @OptionGroup var report: HTMLOptions

    func validate() throws {
        guard (1...2).contains(models.count) else { throw ValidationError("give one model, or two to compare them") }
        if models.count == 2 && compare != nil { throw ValidationError("--compare takes one model: compare label versions or models, not both") }
    }

    func makeContext() -> CommandContext { CommandContext(options, report: report) }

    func run(in context: CommandContext) throws {
        let evaluator = Evaluator(store: try context.store)
        // The page lists the samples even when the text and JSON do not.
        let listing = samples || report.html != nil
        if models.count == 2 {
            let result = try evaluator.compare(models: models[0], models[1], labels: labels, field: field, listSamples: listing)
            try context.emit(samples ? result : result.withoutSamples, html: { EvalReport(models: result, context: reportContext()).html() }) { printModels($0) }
        } else if let compare {
            let result = try evaluator.compare(models[0], from: labels, to: compare, field: field, listSamples: listing)
            try context.emit(samples ? result : result.withoutSamples, html: { EvalReport(comparison: result, context: reportContext()).html() }) { printComparison($0) }
        } else {
            let result = try evaluator.evaluate(models[0], labels: labels, field: field)
            try context.emit(result, html: { EvalReport(scores: result, context: reportContext()).html() }) { printScores($0) }
        }
    }

    // MARK: - Text

    private func printScores(_ s: EvalScores) {
        print("\(s.model) on \(s.labels) (\(s.labelsCommit.prefix(10))), label field '\(s.field)'")
        printCoverage(s)
        print("")
        print("  Accuracy   \(percentText(s.accuracy))  (\(thousands(s.correct)) of \(thousands(s.samples)) right)")
        print("  Macro F1   \(scoreText(s.macroF1))  (precision \(scoreText(s.macroPrecision)), recall \(scoreText(s.macroRecall)))")
        print("  Kappa      \(scoreText(s.kappa))")
        guard !s.perLabel.isEmpty else { return }
        print("")
        let names = s.perLabel.map { TerminalText.escaped($0.label) }
        let width = max(5, names.map(\.count).max() ?? 0)
        print("  " + "Label".padding(toLength: width, withPad: " ", startingAt: 0) + "  Precision  Recall     F1   Support  Predicted")
        for (k, l) in s.perLabel.enumerated() {
            print("  " + names[k].padding(toLength: width, withPad: " ", startingAt: 0)
                  + rightAligned(scoreText(l.precision), 11) + rightAligned(scoreText(l.recall), 8) + rightAligned(scoreText(l.f1), 7)
                  + rightAligned(thousands(l.support), 10) + rightAligned(thousands(l.predicted), 11))
        }
        printConfusion(s.confusion, version: s.labels)
    }

    private func printCoverage(_ s: EvalScores) {
        var line = "  \(thousands(s.predictions)) prediction\(s.predictions == 1 ? "" : "s"): \(thousands(s.samples)) scored"
        if s.missing > 0 {
            let shown = s.missingSamples.prefix(3).map { TerminalText.escaped($0) }.joined(separator: ", ")
            line += ", \(thousands(s.missing)) missing (not in \(s.labels): \(shown)\(s.missing > 3 ? ", …" : ""))"
        }
        print(line)
        if s.erased > 0 {
            print("  \(thousands(s.erased)) of the scored sample\(s.erased == 1 ? " was" : "s were") erased since: scored by \(s.erased == 1 ? "its" : "their") labels, which erasure keeps")
        }
    }

    /// The confusion matrix with numbered columns (labels can be long); the 12 most supported labels.
    private func printConfusion(_ c: Confusion, version: String) {
        let shown = min(c.labels.count, 12)
        guard shown > 0 else { return }
        print("")
        print("  Confusion (rows: label in \(version); columns: predicted, numbered as the rows)" + (c.labels.count > shown ? ", the \(shown) most supported labels:" : ":"))
        let names = c.labels.prefix(shown).enumerated().map { "\(rightAligned(String($0.offset + 1), 2)) \(TerminalText.escaped($0.element))" }
        let width = min(40, names.map(\.count).max() ?? 0)
        let cell = max(6, (c.counts.prefix(shown).flatMap { $0.prefix(shown) }.map { thousands($0).count }.max() ?? 1) + 2)
        print("  " + String(repeating: " ", count: width) + (1...shown).map { rightAligned(String($0), cell) }.joined())
        for r in 0..<shown {
            let name = names[r].count > width ? String(names[r].prefix(width - 1)) + "…" : names[r].padding(toLength: width, withPad: " ", startingAt: 0)
            print("  " + name + (0..<shown).map { rightAligned(thousands(c.counts[r][$0]), cell) }.joined())
        }
    }

    private func printComparison(_ c: EvalComparison) {
        let a = c.from, b = c.to
        print("\(c.model) on \(a.labels) (\(a.labelsCommit.prefix(10))) and \(b.labels) (\(b.labelsCommit.prefix(10))), label field '\(c.field)'")
        let wa = max(a.labels.count, 8), wb = max(b.labels.count, 8)
        print("")
        print("  " + "".padding(toLength: 11, withPad: " ", startingAt: 0) + rightAligned(TerminalText.escaped(a.labels), wa) + "  " + rightAligned(TerminalText.escaped(b.labels), wb) + "    change")
        func row(_ name: String, _ x: String, _ y: String, _ change: String) {
            print("  " + name.padding(toLength: 11, withPad: " ", startingAt: 0) + rightAligned(x, wa) + "  " + rightAligned(y, wb) + rightAligned(change, 10))
        }
        row("Accuracy", percentText(a.accuracy), percentText(b.accuracy), pointChange(a.accuracy, b.accuracy))
        row("Macro F1", scoreText(a.macroF1), scoreText(b.macroF1), scoreChange(a.macroF1, b.macroF1))
        row("Kappa", scoreText(a.kappa), scoreText(b.kappa), scoreChange(a.kappa, b.kappa))
        row("Scored", thousands(a.samples), thousands(b.samples), signed(b.samples - a.samples))
        row("Missing", thousands(a.missing), thousands(b.missing), signed(b.missing - a.missing))
        print("")
        let f = c.flipped
        print("  \(thousands(c.relabeled)) predicted sample\(c.relabeled == 1 ? " was" : "s were") relabeled: \(thousands(f.rightToWrong)) went right → wrong, \(thousands(f.wrongToRight)) wrong → right"
              + (c.relabeled - f.rightToWrong - f.wrongToRight > 0 ? ", \(thousands(c.relabeled - f.rightToWrong - f.wrongToRight)) wrong under both labels" : ""))
        if !f.groups.isEmpty {
            print("")
            print("  Flips by annotator and guideline version (\(b.labels)'s records):")
            let names = f.groups.map { TerminalText.escaped("\($0.annotator) under \($0.guideline)") }
            let width = names.map(\.count).max() ?? 0
            print("    " + "".padding(toLength: width, withPad: " ", startingAt: 0) + "  right→wrong  wrong→right")
            for (k, g) in f.groups.prefix(20).enumerated() {
                print("    " + names[k].padding(toLength: width, withPad: " ", startingAt: 0) + rightAligned(thousands(g.rightToWrong), 13) + rightAligned(thousands(g.wrongToRight), 13))
            }
            if f.groups.count > 20 { print("    ... and \(f.groups.count - 20) more groups (see --json)") }
        }
        let changed = zip(a.perLabel, a.perLabel.map { l in b.perLabel.first { $0.label == l.label } })
        if !a.perLabel.isEmpty || !b.perLabel.isEmpty {
            print("")
            let names = a.perLabel.map { TerminalText.escaped($0.label) }
            let width = max(5, names.map(\.count).max() ?? 0)
            print("  " + "F1 by label".padding(toLength: width, withPad: " ", startingAt: 0) + rightAligned(TerminalText.escaped(a.labels), wa + 2) + rightAligned(TerminalText.escaped(b.labels), wb + 2) + "    change   support")
            for (k, (x, y)) in changed.enumerated() {
                print("  " + names[k].padding(toLength: width, withPad: " ", startingAt: 0) + rightAligned(scoreText(x.f1), wa + 2)
                      + rightAligned(scoreText(y?.f1), wb + 2) + rightAligned(scoreChange(x.f1, y?.f1), 10) + rightAligned(thousands(y?.support ?? 0), 10))
            }
            for l in b.perLabel where !a.perLabel.contains(where: { $0.label == l.label }) {
                print("  " + TerminalText.escaped(l.label).padding(toLength: width, withPad: " ", startingAt: 0) + rightAligned("–", wa + 2)
                      + rightAligned(scoreText(l.f1), wb + 2) + rightAligned("new", 10) + rightAligned(thousands(l.support), 10))
            }
        }
        printSamples("Flipped samples", f.samples.map { list in list.map { s in
            "\(TerminalText.escaped(s.id))  \(s.direction)  predicted \(TerminalText.escaped(s.predicted)); \(TerminalText.escaped(s.before)) → \(TerminalText.escaped(s.after))  by \(TerminalText.escaped(s.annotator)) under \(TerminalText.escaped(s.guideline))"
        } }, unlisted: f.rightToWrong + f.wrongToRight > 0 ? "--samples lists the flipped samples." : nil)
    }

    private func printModels(_ m: ModelComparison) {
        let a = m.models[0], b = m.models[1]
        print("\(a.model) and \(b.model) on \(m.labels) (\(m.labelsCommit.prefix(10))), label field '\(m.field)'")
        let wa = max(a.model.count, 8), wb = max(b.model.count, 8)
        print("")
        print("  " + "".padding(toLength: 11, withPad: " ", startingAt: 0) + rightAligned(TerminalText.escaped(a.model), wa) + "  " + rightAligned(TerminalText.escaped(b.model), wb))
        func row(_ name: String, _ x: String, _ y: String) {
            print("  " + name.padding(toLength: 11, withPad: " ", startingAt: 0) + rightAligned(x, wa) + "  " + rightAligned(y, wb))
        }
        row("Accuracy", percentText(a.accuracy), percentText(b.accuracy))
        row("Macro F1", scoreText(a.macroF1), scoreText(b.macroF1))
        row("Kappa", scoreText(a.kappa), scoreText(b.kappa))
        row("Scored", thousands(a.samples), thousands(b.samples))
        row("Missing", thousands(a.missing), thousands(b.missing))
        print("")
        print("  On the \(thousands(m.both)) sample\(m.both == 1 ? "" : "s") both predicted: both right \(thousands(m.bothRight)), both wrong \(thousands(m.bothWrong)), "
              + "only \(a.model) right \(thousands(m.onlyFirstRight)), only \(b.model) right \(thousands(m.onlySecondRight))")
        printSamples("Samples only one model gets right", m.samples.map { list in list.map { s in
            "\(TerminalText.escaped(s.id))  \(TerminalText.escaped(s.label)): \(a.model) said \(TerminalText.escaped(s.first)), \(b.model) said \(TerminalText.escaped(s.second))  (right: \(s.right))"
        } }, unlisted: m.onlyFirstRight + m.onlySecondRight > 0 ? "--samples lists the samples only one of them gets right." : nil)
    }

    /// The listed samples under `title`, or, when they were not asked for, the `unlisted` line
    /// that says how to list them.
    private func printSamples(_ title: String, _ lines: [String]?, unlisted: String?) {
        if let lines {
            print("")
            print("  \(title) (\(lines.count)):")
            for line in lines { print("    " + line) }
        } else if let unlisted {
            print("")
            print("  " + unlisted)
        }
    }

    private func pointChange(_ a: Double?, _ b: Double?) -> String {
        guard let a, let b else { return "" }
        let d = (b - a) * 100
        return (d > 0 ? "+" : "") + String(format: "%.1f pt", d)
    }

    private func scoreChange(_ a: Double?, _ b: Double?) -> String {
        guard let a, let b else { return "" }
        return (b - a > 0 ? "+" : "") + String(format: "%.3f", b - a)
    }

    private func signed(_ n: Int) -> String { n > 0 ? "+\(thousands(n))" : thousands(n) }
}

extension EvalComparison {
    /// The comparison without its sample list (the HTML page asked for it, the JSON did not).
    var withoutSamples: EvalComparison {
        var copy = self
        copy.flipped.samples = nil
        return copy
    }
}

extension ModelComparison {
    /// The comparison without its sample list (the HTML page asked for it, the JSON did not).
    var withoutSamples: ModelComparison {
        var copy = self
        copy.samples = nil
        return copy
    }
}
