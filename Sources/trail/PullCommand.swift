import ArgumentParser
import TrailCore

struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch a remote and bring the current branch up to its copy there.",
        discussion: """
            Fetches (see `trail fetch`), then moves the current branch to REMOTE/BRANCH when that is a fast-forward. When both sides have new commits, nothing is changed and the pull says so.

            Examples:
              trail pull
              trail pull backup
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The remote (default: origin).") var remote = "origin"

    func run() throws {
        try runReportingErrors {
            let store = try storeOptions.open()
            let result = try Remotes(store: store).pull(remote, credentials: CredentialSource.standard())
            if output.json { return try printJSON(result) }
            print("Fetched \(remote):")
            printFetch(result.fetch)
            switch result.outcome {
            case .upToDate: print("\(result.branch) is up to date with \(remote)/\(result.branch)")
            case .ahead: print("\(result.branch) is ahead of \(remote)/\(result.branch): `trail push` sends it")
            case .fastForward, .created: print("\(result.branch) is now at \(result.commit.prefix(10)) (\(result.outcome.rawValue))")
            }
        }
    }
}
