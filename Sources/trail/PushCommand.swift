import ArgumentParser
import TrailCore

struct PushCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Send a branch, with every tag, model, the content and the erasure records, to a remote.",
        discussion: """
            Only what the remote lacks is sent (for a weekly relabel: the new records and trees, not the dataset). The branch must be a fast-forward of the remote's: if the remote has commits this store lacks, pull first. Content that other pushers sent is kept: Trail fetches the remote's content list first and sends the union.

            Credentials come from TRAIL_USERNAME and TRAIL_PASSWORD, else git's credential helpers.

            Examples:
              trail push
              trail push origin vendor-batch-7
            """)

    @OptionGroup var options: WorkOptions
    @Argument(help: "The remote.") var remote = "origin"
    @Argument(help: "The branch (default: the current one).") var branch: String?

    func run(in context: CommandContext) throws {
        let remotes = Remotes(store: try context.store)
        let result = try context.withCredentials { session in
            try context.withProgress { try remotes.push(remote, branch: branch, credentials: session.provider, progress: sending) }
        }
        try context.emit(result) { result in
            print("Pushed \(result.branch) (\(result.commit.prefix(10))) to \(remote), with tags, models, predictions, content and erasures")
            for name in result.notSent where !name.hasPrefix("predictions/") { print("  not sent: \(name) (\(remote) holds a different one under that name; tags and models never move)") }
            for name in result.notSent where name.hasPrefix("predictions/") { print("  not sent: \(name) (\(remote) holds predictions this store does not have; fetch, then store them again)") }
        }
    }
}
