import ArgumentParser
import TrailCore

struct FetchCommand: ParsableCommand {
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

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progress: ProgressOptions
    @Flag(name: .long, help: "Carry out the remote's erasure records even where they remove the content of samples here that they do not name (listed when refused).")
    var acceptErasures = false
    @Argument(help: "The remote.") var remote = "origin"

    func run() throws {
        try runReportingErrors {
            let store = try storeOptions.open()
            let credentials = CredentialSource.Session()
            progress.start(json: output.json)
            let result = try Remotes(store: store).fetch(remote, credentials: credentials.provider, acceptErasures: acceptErasures, progress: receiving)
            progress.finish()
            credentials.approve()
            if output.json { return try printJSON(result) }
            print("Fetched \(remote):")
            printFetch(result)
        }
    }
}
