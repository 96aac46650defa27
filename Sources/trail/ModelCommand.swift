import ArgumentParser
import TrailCore

/// `--predictions FILE` and `--format`: the predictions `model register` stores with the model.
struct RegisteredPredictionsOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Store the model's predictions with it (JSON Lines or CSV: id, label, optional score).", valueName: "file"))
    var predictions: String?
    @Option(name: .long, help: ArgumentHelp("Read the predictions as jsonl or csv, whatever the file's name.", valueName: "format"))
    var format: String?

    /// The predictions the file holds, read and checked; nil without `--predictions`.
    func read(in store: Store) throws -> PendingPredictions? {
        try predictions.map { try TrailCore.Predictions(store: store).read(file: $0, format: try ManifestFormat.named(format)) }
    }
}

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Record which dataset version each model trained on.",
        discussion: """
            A model name works as a revision everywhere (log, show, export, ...).

            Examples:
              trail model register clf-v3 HEAD --meta run=train-0412 --meta auc=0.941
              trail model register clf-v4 HEAD --predictions clf-v4.eval.jsonl
              trail model predictions clf-v3 clf-v3.eval.jsonl   # add (or replace) them later
              trail model list
              trail export clf-v3 --out clf-v3-train.jsonl
              trail eval clf-v4 --labels HEAD                     # score it against today's labels
            """,
        subcommands: [Register.self, Predictions.self, List.self])

    struct Register: TrailCommand {
        static let configuration = CommandConfiguration(
            commandName: "register",
            abstract: "Register a model as trained on a dataset version.",
            discussion: """
                Writes an annotated tag at refs/models/NAME. Registrations never move: a retrained model gets a new name.

                With --predictions FILE, the model's predictions are stored with it (refs/predictions/NAME), so that `trail eval` can score it again against any later version of the labels. FILE is JSON Lines or CSV: per row the sample's id, the predicted label in the dataset's label field, and optionally a numeric score. It is checked before anything is written; a bad row is refused with its line and field, and nothing is registered.

                Examples:
                  trail model register clf-v4 main --meta run=train-0519 --meta f1=0.88
                  trail model register clf-v4 main --predictions clf-v4.eval.jsonl
                    # clf-v4.eval.jsonl: {"id": "s000123", "label": "spam", "score": 0.93} per line
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
        @OptionGroup var predictions: RegisteredPredictionsOptions

        func run(in context: CommandContext) throws {
            let store = try context.store
            // Read and checked before anything is written.
            let pending = try predictions.read(in: store)
            let pairs = try meta.map { item -> (String, String) in
                guard let eq = item.firstIndex(of: "=") else {
                    throw TrailError(.usage, "--meta '\(item)' is not key=value", hint: "write e.g. --meta run=train-0412")
                }
                return (String(item[..<eq]), String(item[item.index(after: eq)...]))
            }
            let info = try Models(store: store).register(name, revision: revision, meta: pairs, by: try store.author(given: author), predictions: pending)
            try context.emit(info) { info in
                print("Registered model \(name) on \(info.commit.prefix(10))")
                if pending != nil, let stored = try TrailCore.Predictions(store: store).stored(name) { printStoredPredictions(stored, model: name) }
            }
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
