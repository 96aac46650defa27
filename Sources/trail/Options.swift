import ArgumentParser
import Foundation
import TrailCore

/// `--store`, taken by every command.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store's folder (default: TRAIL_STORE, else the nearest .trail/ here or above).", valueName: "path"))
    var store: String?

    /// Opens the store, or fails with a message that says how to create one.
    func open() throws -> Store {
        let opened = try Store.open(at: Store.locate(explicit: store))
        if opened.finishedInterruptedErasure {
            note("note: finished an erasure that was interrupted (see `trail verify`)")
        }
        return opened
    }
}

/// `--json`, taken by every read command.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of text (shapes in docs/json.md).")
    var json = false
}

/// Runs a command body, turning Trail's errors into a message on stderr and the exit code
/// `exitStatus(for:)` gives. The core reports its failures as its own errors; anything else a
/// core call throws goes through `TrailError(translating:)` first, so a git or sqlite failure
/// reads the same wherever it happened. Other errors (ArgumentParser's `ExitCode`) pass through.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        switch TrailError(translating: error) ?? error {
        case let error as TrailError:
            printError(error.message, hint: error.hint, details: error.details)
            throw ExitCode(exitStatus(for: error.kind))
        case let error as InputError:
            printError(error.description, hint: error.hint)
            throw ExitCode(1)
        case let error as StoredRecordError:
            printError(error.description, hint: error.hint)
            throw ExitCode(1)
        case let error as JSONSyntaxError:
            // Readers that know the file or record say so; this is the fallback for one that does not.
            printError("invalid JSON: \(error.description)", hint: error.hint ?? "`trail verify` checks the store")
            throw ExitCode(1)
        case let other:
            throw other
        }
    }
}

func printError(_ message: String, hint: String?, details: [String] = []) {
    ProgressBar.endLine()
    // Messages quote user values (ids, paths, field names): escaped like all text output.
    TerminalText.writeError("error: \(message)")
    for detail in details { TerminalText.writeError("  \(detail)") }
    if let hint { TerminalText.writeError("hint: \(hint)") }
}

/// Prints a value as pretty JSON with sorted keys (snake_case keys for `SnakeCaseKeys` results).
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    if value is SnakeCaseKeys { encoder.keyEncodingStrategy = .convertToSnakeCase }
    TerminalText.writeVerbatim(TerminalText.jsonEscaped(String(decoding: try encoder.encode(value), as: UTF8.self)))
}

/// Prints a note to stderr (progress, waiting), never to stdout where scripts read results.
func note(_ text: String) {
    TerminalText.writeError(text)
}
