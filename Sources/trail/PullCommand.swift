import ArgumentParser
import TrailCore

struct PullCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch a remote and bring the current branch up to its copy there.",
        discussion: """
            Fetches (see `trail fetch`), then brings the current branch up to REMOTE/BRANCH: a fast-forward when only the remote moved, else a sample-level merge as `trail merge` does. Conflicting samples are listed and nothing is committed until they are settled with --ours, --theirs or --resolve FILE.

            Examples:
              trail pull
              trail pull backup
              trail pull --theirs
            """)

    @OptionGroup var options: WorkOptions
    @Flag(name: .long, help: "Carry out the remote's erasure records even where they remove the content of samples here that they do not name (listed when refused).")
    var acceptErasures = false
    @OptionGroup var mergeOptions: MergeOptions
    @Argument(help: "The remote.") var remote = "origin"

    func run(in context: CommandContext) throws {
        let store = try context.store
        let author = try store.author(given: nil)
        let result = try context.withCredentials { session in
            try context.withProgress {
                try Remotes(store: store).pull(remote, credentials: session.provider, strategy: mergeOptions.strategy,
                                               author: author, acceptErasures: acceptErasures, progress: receiving)
            }
        }
        try context.emit(result) { result in
            print("Fetched \(remote):")
            printFetch(result.fetch)
            switch result.outcome {
            case .upToDate: print("\(result.branch) is up to date with \(remote)/\(result.branch)")
            case .ahead: print("\(result.branch) is ahead of \(remote)/\(result.branch): `trail push` sends it")
            case .fastForward, .created: print("\(result.branch) is now at \(result.commit.prefix(10)) (\(result.outcome.rawValue))")
            case .merged, .conflicts: if let merge = result.merge { printMerge(merge) }
            }
        }
        if result.outcome == .conflicts { throw ExitCode(1) }
    }
}
