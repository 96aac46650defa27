import ArgumentParser
import Foundation
import TrailCore

/// `--ours`, `--theirs`, `--resolve FILE`: how merge and pull settle conflicting samples.
struct MergeOptions: ParsableArguments {
    @Flag(name: .long, help: "Settle every conflict with this branch's version.")
    var ours = false
    @Flag(name: .long, help: "Settle every conflict with the merged branch's version.")
    var theirs = false
    @Option(name: .long, help: ArgumentHelp("Settle conflicts as FILE says: {\"id\": \"...\", \"take\": \"ours\"|\"theirs\"} per line.", valueName: "file"))
    var resolve: String?

    func validate() throws {
        if [ours, theirs, resolve != nil].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --ours, --theirs and --resolve FILE")
        }
    }

    var strategy: MergeStrategy {
        if ours { return .ours }
        if theirs { return .theirs }
        if let resolve { return .file(resolve) }
        return .stop
    }
}

struct MergeCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge another branch into the current one, sample by sample.",
        discussion: """
            Against their common version: a sample changed on one side only takes that side's version; changed the same way on both, it is kept; changed differently on both (say, relabeled to different labels), it is a conflict. Conflicts are listed with both versions (labels, annotator, guideline) and nothing is committed until each is settled: --ours, --theirs, or --resolve FILE with one {"id": "...", "take": "ours"|"theirs"} per line.

            Exit codes: 0 merged (or nothing to do), 1 error or conflicts left.

            Examples:
              trail merge vendor-batch-7
              trail merge origin/main --theirs
              trail merge vendor-batch-7 --json > conflicts.json
              trail merge vendor-batch-7 --resolve decisions.jsonl -m "Merge vendor batch 7 after adjudication"
            """)

    @OptionGroup var options: ReadOptions
    @OptionGroup var mergeOptions: MergeOptions
    @Argument(help: "The branch (or remote branch, tag, commit) to merge in.") var other: String
    @Option(name: [.short, .long], help: "The merge commit's message.") var message: String?
    @Option(name: .long, help: ArgumentHelp("The author, as \"Name <email>\" (default: TRAIL_AUTHOR, else git config).", valueName: "author"))
    var author: String?

    func run(in context: CommandContext) throws {
        let store = try context.store
        let result = try Merger(store: store).merge(other, strategy: mergeOptions.strategy, message: message, author: try store.author(given: author))
        try context.emit(result, text: printMerge)
        if result.outcome == .conflicts { throw ExitCode(1) }
    }
}

/// Prints a merge's outcome, and its conflicts side by side.
func printMerge(_ m: MergeResult) {
    switch m.outcome {
    case .upToDate: print("\(m.branch) already holds \(m.other)")
    case .fastForward: print("\(m.branch) fast-forwarded to \(m.other) (\(m.commit?.prefix(10) ?? ""))")
    case .merged:
        print("Merged \(m.other) into \(m.branch) (\(m.commit?.prefix(10) ?? "")): \(m.takenFromTheirs) samples taken from \(m.other)"
              + (m.conflicts.isEmpty ? "" : ", \(m.conflicts.count) conflict\(m.conflicts.count == 1 ? "" : "s") settled (ours \(m.resolvedOurs), theirs \(m.resolvedTheirs))"))
    case .conflicts:
        print("\(m.conflicts.count) sample\(m.conflicts.count == 1 ? "" : "s") changed differently on \(m.branch) and \(m.other); nothing was committed:")
        func side(_ s: MergeConflict.Side?) -> String {
            guard let s else { return "(absent)" }
            if s.removed { return "removed" }
            return s.labels.sorted { $0.key < $1.key }.map(\.value).joined(separator: "; ") + " by \(s.annotator ?? "(none)") under \(s.guideline ?? "(none)")"
        }
        for c in m.conflicts.prefix(50) {
            print("  \(c.id)")
            print("    base:   \(side(c.base))")
            print("    ours:   \(side(c.ours))")
            print("    theirs: \(side(c.theirs))")
        }
        if m.conflicts.count > 50 { print("  ... and \(m.conflicts.count - 50) more (--json lists them all)") }
        print("Settle them with --ours, --theirs, or --resolve FILE ({\"id\": \"...\", \"take\": \"ours\"|\"theirs\"} per line).")
    }
}
