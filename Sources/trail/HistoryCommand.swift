import ArgumentParser
import TrailCore

struct HistoryCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show every version of one sample: who labeled it, when, under which guideline.",
        discussion: """
            A blame for one sample, oldest first: each commit that added, relabeled, edited or removed it, with the labels, annotator and guideline version of that version, and the models whose training data held exactly that version.

            Examples:
              trail history s000123
              trail history "video/8841" --json
              trail history s000123 --rev vendor-batch-7
            """)

    @OptionGroup var options: ReadOptions
    @Argument(help: "The sample's id.")
    var sample: String
    @Option(name: .long, help: ArgumentHelp("Whose history to walk (default: HEAD).", valueName: "revision"))
    var rev: String?

    func run(in context: CommandContext) throws {
        let store = try context.store
        Trace.mark("store opened")
        let history = try HistoryReader(store: store).history(of: sample, from: rev)
        Trace.mark("history read")
        try context.emit(history) { history in
            print("History of \(history.id): \(history.versions.count) version\(history.versions.count == 1 ? "" : "s")")
            for v in history.versions {
                print("")
                print("\(v.commit.prefix(10))  \(v.date)  \(v.kind.rawValue)  \(v.subject)")
                print("  author:    \(v.author)")
                if v.kind != .removed {
                    for (field, label) in v.labels.sorted(by: { $0.key < $1.key }) { print("  \(field):".padding(toLength: 13, withPad: " ", startingAt: 0) + label) }
                    print("  annotator: \(v.annotator ?? "(none)")")
                    print("  guideline: \(v.guideline ?? "(none)")")
                    print("  models:    \(v.models.isEmpty ? "(none)" : v.models.joined(separator: ", "))")
                    if let judgments = v.judgments {
                        print("  judgments: \(judgments.count)")
                        for j in judgments {
                            print("    \(j.annotator ?? "(none)")  \(j.label ?? "(missing)")  \(j.guideline ?? "(none)")" + (j.at.map { "  \($0)" } ?? ""))
                        }
                    }
                }
            }
            if let e = history.erasure {
                print("")
                print("Content erased \(e.date) by \(e.erasedBy) (erasure \(e.sequence)): \(e.reason)")
                print("  Every version above keeps its labels and metadata; its text and media are gone from the store.")
            }
        }
    }
}
