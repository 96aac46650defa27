import ArgumentParser
import TrailCore

struct ExportCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a version back out as JSON Lines, CSV, or a folder with its media.",
        discussion: """
            The output's name picks the format: .jsonl, .csv, '-' (JSON Lines on standard output), anything else a folder holding manifest.jsonl and the media files. The samples come back with the values they were committed with; rows are sorted by id and keys in canonical order (see docs/storage-format.md).

            Examples:
              trail export clf-v3 --out train.jsonl
              trail export HEAD --out snapshot.csv
              trail export v2 --out exported/          # manifest.jsonl + media/...
              trail export clf-v3 --out - | head
            """)

    @OptionGroup var options: WorkOptions
    @Argument(help: "A branch, tag, model or commit.")
    var revision: String = "HEAD"
    @Option(name: [.short, .long], help: ArgumentHelp("Where to write: FILE.jsonl, FILE.csv, a folder, or - for stdout.", valueName: "path"))
    var out: String
    @Option(name: .long, help: ArgumentHelp("jsonl, csv or folder, whatever the output's name.", valueName: "format"))
    var format: String?

    func run(in context: CommandContext) throws {
        let store = try context.store
        var exportFormat: ExportFormat?
        if let format {
            guard let f = ExportFormat(rawValue: format.lowercased()) else {
                throw TrailError(.usage, "unknown format '\(format)'", hint: "use jsonl, csv or folder")
            }
            exportFormat = f
        }
        let snapshot = try Revisions(store: store).snapshot(revision)
        let result = try context.withProgress { try Exporter(store: store).export(snapshot, to: out, format: exportFormat) }
        if !result.erased.isEmpty && !context.json {
            note("note: \(result.erased.count) sample\(result.erased.count == 1 ? " was" : "s were") erased from this version since and \(result.erased.count == 1 ? "is" : "are") left out:")
            for line in erasedLines(result.erased) { note("  " + line) }
        }
        if out == "-" { return }  // the samples themselves went to standard output
        try context.emit(result) { result in
            let media = result.mediaFiles > 0 ? " and \(result.mediaFiles) media files" : ""
            print("Exported \(result.samples) sample\(result.samples == 1 ? "" : "s")\(media) of \(result.commit.prefix(10)) to \(out) (\(result.format.rawValue))")
        }
    }
}
