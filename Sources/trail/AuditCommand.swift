import ArgumentParser
import TrailCore
import TrailReports

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Reports for compliance and annotation leads: models, flips, annotators, disputes, samples, agreement.",
        discussion: """
            Examples:
              trail audit model clf-v4                 # its data, and what changed since the model before it
              trail audit flips clf-v3 clf-v4          # relabels grouped by annotator × guideline
              trail audit annotator ann_017            # labels set, how many were overturned, by whom
              trail audit disputed --min-changes 2     # samples relabeled again and again, flip-flops first
              trail audit sample s000123               # history plus every model that trained on it
              trail audit agreement clf-v4             # annotator agreement from the samples' judgments
              trail audit model clf-v4 --html r.html   # the same, as a page with charts
            Every report takes --json, and --html FILE: the report as one self-contained HTML page (charts, then the tables behind them; nothing loaded from the network), written to FILE; then only "Wrote report to FILE" is printed (with --json too, the JSON instead). annotator and disputed read the lineage index, which they bring up to date first.
            """,
        subcommands: [Model.self, Flips.self, Annotator.self, Disputed.self, Sample.self, Agreement.self])

    struct Model: AuditReportCommand {
        static let configuration = CommandConfiguration(commandName: "model", abstract: "A model's training data and what changed since the previous model.",
                                                            discussion: "Example: trail audit model clf-v4 --html clf-v4.html")
        @OptionGroup var options: ReportOptions
        @Argument(help: "The model's name.") var name: String

        func audit(_ auditor: Auditor) throws -> ModelAudit { try auditor.model(name) }

        func page(_ audit: ModelAudit, store: Store) throws -> String {
            let limit = DiffCommand.reportHistory
            return try ModelAuditReport(audit: audit, history: CommitLog(store: store).entries(from: audit.model.commit, limit: limit),
                                        historyLimit: limit, models: Models(store: store).list(), context: reportContext()).html()
        }

        func printText(_ audit: ModelAudit) {
            let m = audit.model
            print("Model \(m.name): trained on \(m.commit.prefix(10)), registered \(m.registeredAt ?? "?") by \(m.registeredBy ?? "?")")
            if !m.meta.isEmpty { print("  " + m.meta.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "  ")) }
            print("")
            print("Samples: \(audit.samples)")
            printLabelCounts(audit.labels, total: audit.samples)
            print("")
            print("Annotators behind its labels: \(audit.annotators.count)")
            printCounts(audit.annotators, total: audit.samples, limit: 10)
            print("")
            print("Guideline versions:")
            printCounts(audit.guidelines, total: audit.samples)
            print("")
            if let p = audit.predictions {
                print("Predictions: \(thousands(p.count)) stored (\(p.source), \(p.storedAt.prefix(10))); " + (p.metrics.map(storedMetricsLine) ?? "not scored")
                      + ". Re-score: trail eval \(m.name) --labels HEAD")
                print("")
            }
            if !audit.erased.isEmpty {
                print("Trained on \(audit.erased.count) sample\(audit.erased.count == 1 ? "" : "s") erased since (labels kept, content gone):")
                for line in erasedLines(audit.erased) { print("  " + line) }
                print("")
            }
            guard let previous = audit.previousModel, let diff = audit.sincePrevious else {
                return print("No model was registered before it.")
            }
            print("Since \(previous): " + ChangeKind.allCases.map { "\($0.rawValue) \(diff.counts[$0.rawValue] ?? 0)" }.joined(separator: ", "))
            for t in diff.transitions.prefix(10) { print("  \(t.from) → \(t.to)  \(t.count)") }
            if diff.transitions.count > 10 { print("  ... see `trail diff \(previous) \(m.name)`") }
        }
    }

    struct Flips: AuditReportCommand {
        static let configuration = CommandConfiguration(commandName: "flips", abstract: "Relabels between two versions, grouped by annotator × guideline, with the samples.",
                                                            discussion: "Example: trail audit flips clf-v3 clf-v4 --html flips.html")
        @OptionGroup var options: ReportOptions
        @Argument(help: "The older version.") var from: String
        @Argument(help: "The newer version.") var to: String

        func audit(_ auditor: Auditor) throws -> FlipsAudit { try auditor.flips(from: from, to: to) }

        func page(_ audit: FlipsAudit, store: Store) -> String { FlipsAuditReport(audit: audit, context: reportContext()).html() }

        func printText(_ audit: FlipsAudit) {
            print("\(audit.relabels) relabels from \(from) to \(to), in \(audit.groups.count) annotator × guideline groups")
            for g in audit.groups {
                print("")
                print("\(g.annotator) under \(g.guideline): \(g.count)")
                for s in g.samples {
                    let fields = Set(s.labelsBefore.keys).union(s.labelsAfter.keys).sorted()
                    print("  \(s.id)  " + fields.map { "\(s.labelsBefore[$0] ?? "(none)") → \(s.labelsAfter[$0] ?? "(none)")" }.joined(separator: "; "))
                }
            }
        }
    }

    struct Annotator: AuditReportCommand {
        static let configuration = CommandConfiguration(commandName: "annotator", abstract: "An annotator's labels, which were later overturned, by whom, and their judgments against the final labels.",
                                                            discussion: "Example: trail audit annotator ann_017 --html ann_017.html")
        @OptionGroup var options: ReportOptions
        @Argument(help: "The annotator's id, as in the annotator field.") var id: String

        func audit(_ auditor: Auditor) throws -> AnnotatorAudit { try auditor.annotator(id) }

        func page(_ audit: AnnotatorAudit, store: Store) -> String { AnnotatorAuditReport(audit: audit, context: reportContext()).html() }

        func printText(_ audit: AnnotatorAudit) {
            let pct = audit.labelsSet > 0 ? Double(audit.overturned) * 100 / Double(audit.labelsSet) : 0
            print("Annotator \(audit.annotator): \(audit.labelsSet) labels on \(audit.samples) samples; \(audit.overturned) overturned (\(String(format: "%.1f", pct))%)")
            if !audit.overturnedBy.isEmpty {
                print("")
                print("Overturned by:")
                printCounts(audit.overturnedBy, total: audit.overturned)
                print("")
                print("Overturns:")
                for o in audit.overturns.prefix(50) {
                    print("  \(o.id)  \(o.label) → \(o.overturnedTo)  by \(o.by ?? "(none)") under \(o.guideline ?? "(none)")  (\(o.commit.prefix(10)))")
                }
                printRest(of: audit.overturns.count, shown: 50)
            }
            if let j = audit.judgments { printAnnotatorJudgments(j) }
        }
    }

    struct Disputed: AuditReportCommand {
        static let configuration = CommandConfiguration(commandName: "disputed", abstract: "Samples whose label changed many times, flip-flops first.",
                                                            discussion: "Example: trail audit disputed --min-changes 3 --html disputed.html")
        @OptionGroup var options: ReportOptions
        @Option(name: .customLong("min-changes"), help: "Report samples relabeled at least this many times.") var minChanges = 2

        func validate() throws {
            guard minChanges >= 1 else { throw ValidationError("--min-changes must be at least 1") }
        }

        func audit(_ auditor: Auditor) throws -> DisputedAudit { try auditor.disputed(minChanges: minChanges) }

        func page(_ audit: DisputedAudit, store: Store) -> String { DisputedAuditReport(audit: audit, context: reportContext()).html() }

        func printText(_ audit: DisputedAudit) {
            print("\(audit.samples.count) samples relabeled \(minChanges) or more times (\(audit.samples.filter(\.flipFlop).count) flip-flops)")
            for s in audit.samples.prefix(100) {
                print("  \(s.id)  \(s.changes) changes\(s.flipFlop ? ", flip-flop" : "")  \(s.labels.joined(separator: " → "))  by \(s.annotators.joined(separator: ", "))")
            }
            printRest(of: audit.samples.count, shown: 100)
        }
    }

    struct Sample: AuditReportCommand {
        static let configuration = CommandConfiguration(commandName: "sample", abstract: "A sample's history and every model that trained on it.",
                                                            discussion: "Example: trail audit sample s000123 --html s000123.html")
        @OptionGroup var options: ReportOptions
        @Argument(help: "The sample's id.") var id: String

        func audit(_ auditor: Auditor) throws -> SampleAudit { try auditor.sample(id) }

        func page(_ audit: SampleAudit, store: Store) throws -> String { try SampleAuditReport(audit: audit, models: Models(store: store).list(), context: reportContext()).html() }

        func printText(_ audit: SampleAudit) {
            print("Sample \(id): \(audit.history.versions.count) versions; models that trained on it: \(audit.models.isEmpty ? "none" : audit.models.joined(separator: ", "))")
            for v in audit.history.versions {
                let labels = v.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                print("  \(v.commit.prefix(10))  \(v.date)  \(v.kind.rawValue)  \(labels)  \(v.annotator ?? "")  \(v.guideline ?? "")  models: \(v.models.isEmpty ? "-" : v.models.joined(separator: ", "))")
            }
            if let e = audit.history.erasure {
                print("  content erased \(e.date) by \(e.erasedBy) (erasure \(e.sequence)): \(e.reason)")
            }
        }
    }
}
