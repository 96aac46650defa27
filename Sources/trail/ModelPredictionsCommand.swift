import ArgumentParser
import Foundation
import TrailCore

/// FILE and `--format`: the predictions `model predictions` stores.
struct PredictionsFileArguments: ParsableArguments {
    @Argument(help: "The predictions (.jsonl or .csv).")
    var file: String
    @Option(name: .long, help: ArgumentHelp("Read the file as jsonl or csv, whatever its name.", valueName: "format"))
    var format: String?

    /// The predictions the file holds, read and checked.
    func read(with predictions: TrailCore.Predictions) throws -> PendingPredictions {
        try predictions.read(file: file, format: try ManifestFormat.named(format))
    }
}

extension ModelCommand {
    struct Predictions: TrailCommand {
        static let configuration = CommandConfiguration(
            commandName: "predictions",
            abstract: "Store a registered model's predictions, to score it against any version of the labels.",
            discussion: """
                FILE is JSON Lines or CSV, one prediction per row: the sample's id (the dataset's id field), the predicted label in the dataset's label field (a string; a list of strings for several; null for none), and optionally a numeric "score". Ids need not be in the model's data (an eval split, say). The file is checked before anything is written: a duplicate id, a row without a label, a score that is not a number or any other field is refused with its line and field, and the store is left as it was.

                Stored predictions replace the ones stored before, which stay in their history (refs/predictions/NAME: `git --git-dir .trail log refs/predictions/NAME`). They travel with the model on push, pull and clone. On storing, the model is scored against its own data; `trail audit model` and `trail diff` name those figures, and `trail eval` scores against any version.

                Examples:
                  trail model predictions clf-v3 clf-v3.eval.jsonl
                    # {"id": "s000123", "label": "spam", "score": 0.93} per line
                  trail model predictions clf-v3 preds.csv        # header: id,label,score
                  trail eval clf-v3 --labels HEAD                 # then score it on today's labels
                """)

        @OptionGroup var options: ReadOptions
        @Argument(help: "The registered model's name.")
        var name: String
        @OptionGroup var input: PredictionsFileArguments
        @Option(name: .long, help: ArgumentHelp("Who stores them, as \"Name <email>\" (default: TRAIL_AUTHOR, else git config).", valueName: "author"))
        var author: String?

        func run(in context: CommandContext) throws {
            let store = try context.store
            let predictions = TrailCore.Predictions(store: store)
            let pending = try input.read(with: predictions)
            let result = try predictions.add(pending, to: name, by: try store.author(given: author))
            try context.emit(result) { result in
                if result.unchanged {
                    return print("Nothing changed: \(input.file) holds the predictions of \(name) already stored (\(result.commit.prefix(10))).")
                }
                guard let stored = try predictions.stored(name) else { return }
                printStoredPredictions(stored, model: name)
                if let previous = result.previous {
                    print("  Replaced the predictions stored before (\(previous.prefix(10))), kept in the history of refs/predictions/\(name)")
                }
            }
        }
    }
}
