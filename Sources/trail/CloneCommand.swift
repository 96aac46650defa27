import ArgumentParser
import Foundation
import TrailCore

struct CloneCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone",
        abstract: "Copy a store from a remote: every version, model, erasure record, and the index.",
        discussion: """
            As with git clone, the store goes into DIR/.trail (DIR is created when missing; without DIR, .trail in this folder), so `cd DIR` and every trail command there uses the clone. The remote is named origin; its main branch (or its first) is checked out and the others are origin/NAME. The lineage index is built here from git, so diff, history and audit answer as on the origin.

            Examples:
              trail clone https://git.example.org/tns/moderation-data.git
              trail clone git://data-host/moderation.trail /data/moderation   # store: /data/moderation/.trail
              trail clone /mnt/backup/moderation.trail restored && cd restored && trail log
            """)

    @OptionGroup var options: CloneOptions
    @Argument(help: "The remote's URL or path.") var url: String
    @Argument(help: "The folder to clone into: the store is DIR/.trail (default: .trail in this folder).") var dir: String?

    func run(in context: CommandContext) throws {
        let path = Remotes.clonePath(into: dir)
        let (store, result) = try context.withCredentials { session in
            try context.withProgress { try Remotes.clone(url, into: path, credentials: session.provider, progress: receiving) }
        }
        try context.emit(result) { result in
            print("Cloned \(url) into \(store.path)")
            printFetch(result)
        }
    }
}
