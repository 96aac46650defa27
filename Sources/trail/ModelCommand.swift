import ArgumentParser
import TrailCore

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Record which dataset version each model trained on.",
        discussion: """
            A model name works as a revision everywhere (log, show, export, ...).

            Examples:
              trail model register clf-v3 HEAD --meta run=train-0412 --meta auc=0.941
              trail model list
              trail export clf-v3 --out clf-v3-train.jsonl
            """,
        subcommands: [Register.self, List.self])

    struct Register: TrailCommand {
        static let configuration = CommandConfiguration(
            commandName: "register",
            abstract: "Register a model as trained on a dataset version.",
            discussion: """
                Writes an annotated tag at refs/models/NAME. Registrations never move: a retrained model gets a new name.

                Example:
                  trail model register clf-v4 main --meta run=train-0519 --meta f1=0.88
                """)

        @OptionGroup var options: ReadOptions
        @Argument(help: "The model's name.")
        var name: String
        @Argument(help: "The dataset version it trained on.")
        var revision: String
        @Option(name: .long, help: ArgumentHelp("Metadata to keep with it (repeatable).", valueName: "key=value"))
        var meta: [String] = []
        @Option(name: .long, help: ArgumentHelp("Who registers it, as \"Name <email>\".", valueName: "author"))
        var author: String?

        func run(in context: CommandContext) throws {
            let store = try context.store
            let pairs = try meta.map { item -> (String, String) in
                guard let eq = item.firstIndex(of: "=") else {
                    throw TrailError("--meta '\(item)' is not key=value", hint: "write e.g. --meta run=train-0412", exitCode: 2)
                }
                return (String(item[..<eq]), String(item[item.index(after: eq)...]))
            }
            let info = try Models(store: store).register(name, revision: revision, meta: pairs, by: try store.author(given: author))
            try context.emit(info) { info in print("Registered model \(name) on \(info.commit.prefix(10))") }
        }
    }

    struct List: TrailCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List registered models.")

        @OptionGroup var options: ReadOptions

        func run(in context: CommandContext) throws {
            try context.emit(try Models(store: context.store).list()) { models in
                if models.isEmpty { print("No models registered. Register one with: trail model register NAME REV") }
                for m in models {
                    let meta = m.meta.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                    print("\(m.name)  \(m.commit.prefix(10))  \(m.registeredAt ?? "")  \(meta)")
                }
            }
        }
    }
}
