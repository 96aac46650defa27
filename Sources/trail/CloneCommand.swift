import ArgumentParser
import Foundation
import TrailCore

struct CloneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone",
        abstract: "Copy a store from a remote: every version, model, erasure record, and the index.",
        discussion: """
            DIR is the new store's folder (default: .trail here). The remote is named origin; its main branch (or its first) is checked out and the others are origin/NAME. The lineage index is built here from git, so diff, history and audit answer as on the origin.

            Examples:
              trail clone https://git.example.org/tns/moderation-data.git
              trail clone git://data-host/moderation.trail /data/moderation.trail
              trail clone /mnt/backup/moderation.trail restored.trail
            """)

    @OptionGroup var output: OutputOptions
    @OptionGroup var progress: ProgressOptions
    @Argument(help: "The remote's URL or path.") var url: String
    @Argument(help: "Where to put the store (default: .trail in this folder).") var dir: String?

    func run() throws {
        try runReportingErrors {
            let path = Store.locate(explicit: dir ?? ".trail", searchUpward: false)
            let credentials = CredentialSource.Session()
            progress.start(json: output.json)
            let (store, result) = try Remotes.clone(url, into: path, credentials: credentials.provider, progress: receiving)
            progress.finish()
            credentials.approve()
            if output.json { return try printJSON(result) }
            print("Cloned \(url) into \(store.path)")
            printFetch(result)
        }
    }
}
