import ArgumentParser
import TrailCore

struct FetchCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Bring in a remote's branches, tags, models, content and erasures.",
        discussion: """
            Everything the remote sends is checked before anything here moves (valid erasure records, models, tags and snapshots, media paths that stay inside an export folder); a remote that sends anything else is refused, naming each problem, and the store is left as it was. Branches arrive as REMOTE/BRANCH (e.g. origin/main) and are not merged; tags and models are added when new; the remote's erasure records are carried out here too, so content erased there leaves this store. The index catches up.

            Examples:
              trail fetch
              trail fetch backup
              trail diff main origin/main
            """)

    @OptionGroup var options: WorkOptions
    @Flag(name: .long, help: "Carry out the remote's erasure records even where they remove the content of samples here that they do not name (listed when refused).")
    var acceptErasures = false
    @Argument(help: "The remote.") var remote = "origin"

    func run(in context: CommandContext) throws {
        let remotes = Remotes(store: try context.store)
        let result = try context.withCredentials { session in
            try context.withProgress { try remotes.fetch(remote, credentials: session.provider, acceptErasures: acceptErasures, progress: receiving) }
        }
        try context.emit(result) { result in
            print("Fetched \(remote):")
            printFetch(result)
        }
    }
}
