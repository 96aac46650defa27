import ArgumentParser
import Foundation
import TrailCore

struct CommitCommand: TrailCommand {
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

    @OptionGroup var options: WorkOptions

    @Argument(help: "The manifest file (.jsonl or .csv).")
    var manifest: String
    @Option(name: [.short, .long], help: "The commit message.")
    var message: String
    @Flag(name: .long, help: "The manifest lists changes only (upserts and {\"_delete\": true} rows).")
    var patch = false
    @OptionGroup var reading: ManifestOptions
    @Option(name: .long, help: ArgumentHelp("The author, as \"Name <email>\" (default: TRAIL_AUTHOR, else git config).", valueName: "author"))
    var author: String?

    func run(in context: CommandContext) throws {
        let store = try context.store
        let request = CommitRequest(manifestPath: manifest, format: try reading.manifestFormat(), mediaRoot: reading.mediaRoot,
                                    message: message, author: try store.author(given: author), isPatch: patch)
        let result = try context.withProgress { try Committer(store: store).commit(request, onWaitForLock: context.onWaitForLock) }
        Trace.mark("commit returned")
        try context.emit(result) { result in
            guard result.committed, let commit = result.commit else {
                return print("Nothing to commit: \(manifest) matches HEAD (\(result.samples) samples).")
            }
            print("[\(result.branch) \(commit.prefix(10))] \(message.split(separator: "\n").first ?? "")")
            print(" \(result.samples) samples: \(result.added) added, \(result.modified) modified, \(result.removed) removed;"
                  + " \(result.objectsWritten) objects written (\(formatBytes(result.packBytes)))")
            if let uploaded = result.mediaUploaded, let stored = result.mediaAlreadyStored, uploaded + stored > 0 {
                print(" media store: \(uploaded) files uploaded, \(stored) already there")
            }
        }
    }
}

/// `--media-root` and `--format`: how `commit` and `status` read a manifest.
struct ManifestOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The folder media paths are relative to (default: the manifest's folder).", valueName: "dir"))
    var mediaRoot: String?
    @Option(name: .long, help: ArgumentHelp("Read the manifest as jsonl or csv, whatever its name.", valueName: "format"))
    var format: String?

    /// The manifest format `--format` names (nil: go by the file's extension).
    func manifestFormat() throws -> ManifestFormat? { try ManifestFormat.named(format) }
}

extension ManifestFormat {
    /// The manifest format `--format NAME` names (nil: go by the file's extension).
    static func named(_ name: String?) throws -> ManifestFormat? {
        guard let name else { return nil }
        guard let format = ManifestFormat(rawValue: name.lowercased()) else {
            throw TrailError(.usage, "unknown format '\(name)'", hint: "use jsonl or csv")
        }
        return format
    }
}
