import ArgumentParser
import TrailCore

struct LogCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "List commits, newest first.",
        discussion: """
            Examples:
              trail log
              trail log clf-v3 -n 5        # the history behind a model's data
              trail log --json | jq '.[0].commit'
            """)

    @OptionGroup var options: ReadOptions
    @Argument(help: "Where to start: a branch, tag, model or commit (default: HEAD).")
    var revision: String?
    @Option(name: [.customShort("n"), .customLong("max-count")], help: "Show at most this many commits.")
    var limit: Int?

    func run(in context: CommandContext) throws {
        try context.emit(try CommitLog(store: context.store).entries(from: revision, limit: limit)) { entries in
            if entries.isEmpty { print("No commits yet. Commit a manifest with: trail commit FILE -m MESSAGE") }
            for (k, entry) in entries.enumerated() {
                if k > 0 { print("") }
                let refs = entry.refs.isEmpty ? "" : " (\(entry.refs.joined(separator: ", ")))"
                print("commit \(entry.commit)\(refs)")
                print("Author: \(entry.author) <\(entry.email)>")
                print("Date:   \(entry.date)")
                if let samples = entry.samples { print("Samples: \(samples)") }
                print("")
                for line in entry.message.split(separator: "\n", omittingEmptySubsequences: false).reversed().drop(while: { $0.isEmpty }).reversed() {
                    print("    \(line)")
                }
            }
        }
    }
}
