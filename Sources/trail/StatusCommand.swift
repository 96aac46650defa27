import ArgumentParser
import Foundation
import TrailCore

struct StatusCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what committing a manifest would change, without writing anything.",
        discussion: """
            Runs every check `trail commit` runs (bad input fails the same way, naming file, line and field) and prints the diff from HEAD to the snapshot the manifest would make: counts per kind of change, the label transition matrix, label counts before and after, relabels by annotator and guideline.

            Exit codes: 0; with --exit-code, 1 when committing would change something (as `git diff --exit-code` and `trail diff --exit-code` do). Errors also exit 1, and say so on stderr.

            Examples:
              trail status week48.jsonl
              trail status --patch adjudication.jsonl --samples
              trail status week48.jsonl --json | jq .diff.counts
              trail status week48.jsonl --exit-code || echo "changes to commit"
            """)

    @OptionGroup var options: WorkOptions
    @Argument(help: "The manifest file (.jsonl or .csv).")
    var manifest: String
    @Flag(name: .long, help: "The manifest lists changes only (upserts and {\"_delete\": true} rows).")
    var patch = false
    @Flag(name: .long, help: "Also list each sample that would change.")
    var samples = false
    @Flag(name: .long, help: "Exit with 1 when committing would change something, 0 when not.")
    var exitCode = false
    @OptionGroup var reading: ManifestOptions

    func run(in context: CommandContext) throws {
        let store = try context.store
        let request = CommitRequest(manifestPath: manifest, format: try reading.manifestFormat(), mediaRoot: reading.mediaRoot,
                                    message: "", author: Signature.now(name: "status", email: "status"), isPatch: patch)
        var preview = try context.withProgress { try Committer(store: store).preview(request) }
        if !samples { preview.diff.samples = nil }
        try context.emit(preview) { preview in
            guard !preview.unchanged else {
                return print("On branch \(preview.branch): \(manifest) matches HEAD (\(preview.diff.samplesAfter) samples); nothing to commit.")
            }
            print("On branch \(preview.branch)\(preview.head == nil ? " (no commits yet)" : ""): committing \(manifest) would change:")
            printDiff(preview.diff, old: preview.head.map { String($0.prefix(10)) } ?? "empty", new: "not committed")
        }
        if exitCode && !preview.unchanged { throw ExitCode(1) }
    }
}
