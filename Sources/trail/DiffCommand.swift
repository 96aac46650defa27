import ArgumentParser
import Foundation
import TrailCore
import TrailReports

/// `--kind`, `--label`, `--annotator`: which changed samples `diff` lists.
struct DiffFilterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("List only this kind of change: added, removed, relabeled, content-changed, metadata-changed.", valueName: "kind"))
    var kind: String?
    @Option(name: .long, help: ArgumentHelp("List only samples with this label before or after.", valueName: "label"))
    var label: String?
    @Option(name: .long, help: ArgumentHelp("List only samples whose new version is by this annotator.", valueName: "annotator"))
    var annotator: String?

    /// The filter they name; an unknown kind is a usage error (listing the kinds).
    func filter() throws -> DiffFilter { try DiffFilter(kind: kind, label: label, annotator: annotator) }
}

struct DiffCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show how the data changed between two versions, label by label.",
        discussion: """
            A and B are commits, branches, tags or model names. The summary counts samples added, removed, relabeled, content-changed and metadata-changed; shows the label transition matrix of the relabels; each label's count before and after; and the relabels by annotator and by guideline version. When B descends from A, the changes come from the lineage index's rows for the commits in between; otherwise only the parts of the two trees that differ are read.

            Examples:
              trail diff clf-v3 clf-v4
              trail diff HEAD~1 HEAD --samples --kind relabeled --label minor_safety.dangerous_acts
              trail diff clf-v3 clf-v4 --samples --annotator ann_017 --json
              trail diff main vendor-batch-7 --exit-code   # exit 1 if anything changed
              trail diff clf-v3 clf-v4 --html diff.html    # a page with charts, for people

            With --html FILE the report is written to FILE as one self-contained HTML page (label counts before and after, the transition heat map, relabels by annotator and guideline version, the last 50 commits of B with their models, and the tables behind them; the changed samples are listed, up to 1000, filtered by --kind, --label and --annotator), and only "Wrote report to FILE" is printed; with --json too, the JSON is printed instead of that line.
            """)

    @OptionGroup var options: ReadOptions
    @Argument(help: "The older version.")
    var from: String
    @Argument(help: "The newer version.")
    var to: String = "HEAD"
    @Flag(name: .long, help: "List every changed sample (id, kind, old → new label, annotator).")
    var samples = false
    @OptionGroup var filtering: DiffFilterOptions
    @Flag(name: .long, help: "Exit with 1 when the versions differ, 0 when they hold the same samples.")
    var exitCode = false
    @OptionGroup var report: HTMLOptions

    /// How many commits of B's history the HTML report shows.
    static let reportHistory = 50

    func makeContext() -> CommandContext { CommandContext(options, report: report) }

    func run(in context: CommandContext) throws {
        let filter = try filtering.filter()
        let store = try context.store
        let revisions = Revisions(store: store)
        let old = try revisions.snapshot(from), new = try revisions.snapshot(to)
        let listing = samples || !filter.isEmpty
        // The page lists the (filtered) samples even when the text and JSON do not.
        var diff = try Differ(store: store).diff(old, new, fromName: from, toName: to, includeSamples: listing || report.html != nil, filter: filter)
        diff.storedMetrics = TrailCore.Predictions(store: store).storedMetrics(of: [from, to])
        diff.agreement = try Differ(store: store).agreement(old, new)
        var shown = diff
        if !listing { shown.samples = nil }
        try context.emit(shown, html: {
            try DiffReport(diff: diff, fromCommit: old.commit.hex, toCommit: new.commit.hex,
                           history: CommitLog(store: store).entries(from: new.commit.hex, limit: Self.reportHistory),
                           historyLimit: Self.reportHistory, models: Models(store: store).list(),
                           sampleFilter: filter.summary, context: reportContext()).html()
        }) { shown in
            printDiff(shown, old: old.commit.abbreviated(), new: new.commit.abbreviated())
            if let metrics = shown.storedMetrics {
                print("")
                for name in metrics.keys.sorted() { print("Model \(name): " + storedMetricsLine(metrics[name]!)) }
                let models = metrics.keys.sorted()
                print("  re-score on the other version's labels: trail eval \(models[0]) --labels \(from) --compare \(to)")
            }
            if let agreement = shown.agreement { printDiffAgreement(agreement, from: from, to: to) }
        }
        if exitCode && diff.counts.values.reduce(0, +) > 0 { throw ExitCode(1) }
    }
}

/// Prints a diff the way `trail diff` shows it (also used by `trail status`).
func printDiff(_ diff: SnapshotDiff, old: String, new: String) {
    print("\(diff.from) (\(old)) → \(diff.to) (\(new)): \(diff.samplesBefore) → \(diff.samplesAfter) samples")
    print("  " + ChangeKind.allCases.map { "\($0.rawValue) \(diff.counts[$0.rawValue] ?? 0)" }.joined(separator: ", "))
    for field in Set(diff.transitions.map(\.field)).sorted() {
        let rows = diff.transitions.filter { $0.field == field }
            .map { (from: TerminalText.escaped($0.from), to: TerminalText.escaped($0.to), count: $0.count) }  // escaped before padding
        print("")
        print("Label transitions (\(field)), \(rows.reduce(0) { $0 + $1.count }) relabels:")
        let width = rows.map { $0.from.count + $0.to.count + 3 }.max() ?? 0
        for t in rows.prefix(25) {
            let pair = "\(t.from) → \(t.to)"
            print("  \(pair.padding(toLength: max(width, pair.count), withPad: " ", startingAt: 0))  \(t.count)")
        }
        printRest(of: rows.count, shown: 25)
    }
    for field in Set(diff.labels.map(\.field)).sorted() {
        let rows = diff.labels.filter { $0.field == field }
            .map { (label: TerminalText.escaped($0.label), before: $0.before, after: $0.after, delta: $0.delta) }
        print("")
        let width = max(rows.map(\.label.count).max() ?? 0, 5)
        print("Labels (\(field)):".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "    before     after     delta")
        for r in rows {
            let delta = r.delta > 0 ? "+\(r.delta)" : "\(r.delta)"
            print("  " + r.label.padding(toLength: width, withPad: " ", startingAt: 0)
                  + rightAligned(String(r.before), 10) + rightAligned(String(r.after), 10) + rightAligned(delta, 10))
        }
    }
    if !diff.relabelsByAnnotator.isEmpty {
        print("")
        print("Relabels by annotator:")
        printCounts(diff.relabelsByAnnotator, total: diff.relabelsByAnnotator.values.reduce(0, +), limit: 15)
        print("")
        print("Relabels by guideline version:")
        printCounts(diff.relabelsByGuideline, total: diff.relabelsByGuideline.values.reduce(0, +))
    }
    if let samples = diff.samples {
        print("")
        print("Samples (\(samples.count)):")
        for s in samples {
            let fields = Set(s.labelsBefore.keys).union(s.labelsAfter.keys).sorted()
            let labels = fields.map { f -> String in
                let a = s.labelsBefore[f] ?? "(none)", b = s.labelsAfter[f] ?? "(none)"
                return a == b ? a : "\(a) → \(b)"
            }.joined(separator: "; ")
            print("  \(s.id)  \(s.kind.rawValue)  \(labels)  \(s.annotator ?? "")")
        }
    }
    if !diff.erased.isEmpty {
        print("")
        print("Erased since (\(diff.erased.count) sample\(diff.erased.count == 1 ? "" : "s") of these versions; labels kept, content gone):")
        for line in erasedLines(diff.erased) { print("  " + line) }
    }
}
