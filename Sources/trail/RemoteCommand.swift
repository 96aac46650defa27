import ArgumentParser
import TrailCore

struct RemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Name the git servers (or paths) a store is shared through.",
        discussion: """
            Any git server hosts a Trail store: git://, http(s)://, ssh, file:// or a plain path to a bare repository.

            Examples:
              trail remote add origin https://git.example.org/tns/moderation-data.git
              trail remote add backup /mnt/backup/moderation.trail
              trail remote list
              trail remote remove backup
            """,
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: TrailCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a remote.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "Its name, e.g. origin.") var name: String
        @Argument(help: "Its URL or path.") var url: String

        func run(in context: CommandContext) throws {
            try Remotes(store: context.store).add(name, url: url)
            print("Added remote \(name): \(url)")
        }
    }

    struct Remove: TrailCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a remote and what was fetched from it.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "The remote's name.") var name: String

        func run(in context: CommandContext) throws {
            try Remotes(store: context.store).remove(name)
            print("Removed remote \(name)")
        }
    }

    struct List: TrailCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the remotes.")
        @OptionGroup var options: ReadOptions

        struct Entry: Encodable { let name: String; let url: String }

        func run(in context: CommandContext) throws {
            try context.emit(try Remotes(store: context.store).list().map { Entry(name: $0.name, url: $0.url) }) { remotes in
                for r in remotes { print(r.name, r.url, separator: "\t") }
            }
        }
    }
}

/// Prints what a fetch brought in (for fetch, pull and clone).
func printFetch(_ f: FetchResult) {
    for b in f.branches { print("  \(b.name)  \(b.commit.prefix(10))") }
    if !f.newTags.isEmpty { print("  new tags: \(f.newTags.joined(separator: ", "))") }
    if !f.newModels.isEmpty { print("  new models: \(f.newModels.joined(separator: ", "))") }
    if !f.newPredictions.isEmpty { print("  predictions of: \(f.newPredictions.joined(separator: ", "))") }
    if f.newErasures > 0 { print("  erasures carried out here: \(f.newErasures)") }
    if !f.sharedSamplesErased.isEmpty {
        print("  content removed from samples the erasures do not name (--accept-erasures): \(f.sharedSamplesErased.joined(separator: ", "))")
    }
    for c in f.erasureCommits { print("  [\(c.branch) \(c.commit.prefix(10))] removed \(c.removed) erased sample\(c.removed == 1 ? "" : "s") (push it)") }
    for c in f.conflicts {
        if c.hasPrefix("predictions/") {
            print("  kept ours: \(c) (the remote's are of another registration, or both sides stored new ones; `trail model predictions` settles it)")
        } else {
            print("  kept ours: \(c) (the remote has a different one under that name)")
        }
    }
    print("  \(f.objectsReceived) objects received (\(formatBytes(f.bytesReceived))), \(f.contentAdded) content blobs added")
}
