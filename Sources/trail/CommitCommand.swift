import ArgumentParser
import Foundation
import TrailCore

struct CommitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commit",
        abstract: "Commit a manifest (JSON Lines or CSV) as a new version of the dataset.",
        discussion: """
            The manifest lists every sample, one per row; Trail stores what changed since HEAD. With --patch it lists only changes: each row replaces the sample with its id (or adds it), and {"id": "...", "_delete": true} removes one.

            The whole file is checked before anything is written: on bad input Trail names the file, line and field, and leaves the store as it was.

            Examples:
              trail commit v1.jsonl -m "Initial import"
              trail commit v2.csv -m "Guideline v3.2 relabel" --author "Ana <ana@example.org>"
              trail commit --patch adjudication.jsonl -m "Adjudication round 3"
              trail commit frames.jsonl --media-root /data/media -m "Add video frames"
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progress: ProgressOptions

    @Argument(help: "The manifest file (.jsonl or .csv).")
    var manifest: String
    @Option(name: [.short, .long], help: "The commit message.")
    var message: String
    @Flag(name: .long, help: "The manifest lists changes only (upserts and {\"_delete\": true} rows).")
    var patch = false
    @Option(name: .long, help: ArgumentHelp("The folder media paths are relative to (default: the manifest's folder).", valueName: "dir"))
    var mediaRoot: String?
    @Option(name: .long, help: ArgumentHelp("Read the manifest as jsonl or csv, whatever its name.", valueName: "format"))
    var format: String?
    @Option(name: .long, help: ArgumentHelp("The author, as \"Name <email>\" (default: TRAIL_AUTHOR, else git config).", valueName: "author"))
    var author: String?

    func run() throws {
        try runReportingErrors {
            let store = try storeOptions.open()
            let request = CommitRequest(manifestPath: manifest, format: try manifestFormat(format), mediaRoot: mediaRoot,
                                        message: message, author: try resolveAuthor(author, store: store), isPatch: patch)
            progress.start(json: output.json)
            let result = try Committer(store: store).commit(request, onWaitForLock: {
                note("Waiting for another trail process to finish writing to this store...")
            })
            progress.finish()
            Trace.mark("commit returned")
            if output.json { return try printJSON(result) }
            guard result.committed, let commit = result.commit else {
                print("Nothing to commit: \(manifest) matches HEAD (\(result.samples) samples).")
                return
            }
            print("[\(result.branch) \(commit.prefix(10))] \(message.split(separator: "\n").first ?? "")")
            print(" \(result.samples) samples: \(result.added) added, \(result.modified) modified, \(result.removed) removed;"
                  + " \(result.objectsWritten) objects written (\(formatBytes(result.packBytes)))")
        }
    }
}

/// The manifest format `--format` names (nil: go by the file's extension).
func manifestFormat(_ name: String?) throws -> ManifestFormat? {
    guard let name else { return nil }
    guard let format = ManifestFormat(rawValue: name.lowercased()) else {
        throw TrailError("unknown format '\(name)'", hint: "use jsonl or csv", exitCode: 2)
    }
    return format
}

/// "1.2 MB"-style sizes.
func formatBytes(_ n: Int) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(n)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
    return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
}
