import ArgumentParser
import TrailCore

struct BranchCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "branch",
        abstract: "List, create or delete branches.",
        discussion: """
            Examples:
              trail branch                      # list; * marks the current branch
              trail branch vendor-batch-7       # create at HEAD
              trail branch hotfix clf-v3        # create at a model's data
              trail branch -d vendor-batch-7
            """)

    @OptionGroup var options: ReadOptions
    @Argument(help: "The branch to create.")
    var name: String?
    @Argument(help: "Where the new branch starts (default: HEAD).")
    var startPoint: String?
    @Option(name: .customShort("d"), help: ArgumentHelp("Delete this branch.", valueName: "branch"))
    var delete: String?

    func run(in context: CommandContext) throws {
        let branches = Branches(store: try context.store)
        if let delete {
            try branches.delete(delete)
            return print("Deleted branch \(delete)")  // text even with --json, as ever
        }
        if let name {
            return try context.emit(try branches.create(name, at: startPoint)) { info in print("Created branch \(name) at \(info.commit.prefix(10))") }
        }
        try context.emit(try branches.list()) { list in
            for b in list { print("\(b.current ? "*" : " ") \(b.name)  \(b.commit.prefix(10))") }
        }
    }
}

struct CheckoutCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkout",
        abstract: "Switch the current branch (new commits go there).",
        discussion: """
            A store keeps no working copy, so switching only moves HEAD. Use `trail export` to get a version's files.

            Examples:
              trail checkout vendor-batch-7
              trail checkout -b relabel-v3.2
            """)

    @OptionGroup var options: StoreOptions
    @Argument(help: "The branch to switch to.")
    var branch: String
    @Flag(name: .customShort("b"), help: "Create the branch at HEAD first.")
    var create = false

    func run(in context: CommandContext) throws {
        let info = try Branches(store: try context.store).checkout(branch, create: create)
        print("Switched to\(create ? " a new" : "") branch '\(info.name)' (\(info.commit.prefix(10)))")
    }
}

struct TagCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "List, create or delete tags.",
        discussion: """
            Examples:
              trail tag                              # list
              trail tag q3-release                   # lightweight tag at HEAD
              trail tag audit-2026-11 HEAD~1 -m "Snapshot sent to the auditor"
              trail tag -d q3-release
            """)

    @OptionGroup var options: ReadOptions
    @Argument(help: "The tag to create.")
    var name: String?
    @Argument(help: "What it names (default: HEAD).")
    var revision: String?
    @Option(name: [.short, .long], help: "Make an annotated tag with this message.")
    var message: String?
    @Option(name: .long, help: ArgumentHelp("The tagger for an annotated tag, as \"Name <email>\".", valueName: "author"))
    var author: String?
    @Option(name: .customShort("d"), help: ArgumentHelp("Delete this tag.", valueName: "tag"))
    var delete: String?

    func run(in context: CommandContext) throws {
        let store = try context.store
        let branches = Branches(store: store)
        if let delete {
            try branches.deleteTag(delete)
            return print("Deleted tag \(delete)")  // text even with --json, as ever
        }
        if let name {
            let tagger = message == nil ? nil : try store.author(given: author)
            return try context.emit(try branches.createTag(name, at: revision, message: message, tagger: tagger)) { info in
                print("Tagged \(info.commit.prefix(10)) as \(name)")
            }
        }
        try context.emit(try branches.tags()) { tags in
            for t in tags { print("\(t.name)  \(t.commit.prefix(10))") }
        }
    }
}
