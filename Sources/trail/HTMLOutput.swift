import ArgumentParser
import Foundation
import TrailCore
import TrailReports

/// `--html FILE`, taken by `diff` and every `audit` report.
struct HTMLOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Write the report as one self-contained HTML page (charts and tables; nothing loaded from the network) to this file, "
            + "replacing it atomically, and print only 'Wrote report to FILE' (with --json, the JSON instead). '-' writes the page to standard output.",
        valueName: "file"))
    var html: String?

    /// Refuses `--html -` with `--json`: both would go to standard output.
    func check(json: Bool) throws {
        if html == "-" && json {
            throw TrailError(.usage, "--html - and --json both write to standard output", hint: "write the page to a file: --html report.html")
        }
    }
}

/// What a report's footer says about how it was made: now (UTC), this command line, this version.
func reportContext() -> ReportContext {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
    let words = ["trail"] + CommandLine.arguments.dropFirst().map(shellQuoted)
    return ReportContext(generatedAt: formatter.string(from: Date()), command: words.joined(separator: " "),
                         version: Trail.configuration.version)
}

/// `word` as a shell would need it typed: bare when safe, else in single quotes.
private func shellQuoted(_ word: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@+%^")
    if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Writes `html` to `path` ('-': standard output) whole or not at all (`AtomicFile`); then says
/// where it went, unless the command prints JSON instead.
func writeHTMLReport(_ html: String, to path: String, json: Bool) throws {
    if path == "-" {
        FileHandle.standardOutput.write(Data(html.utf8))
        return
    }
    try AtomicFile.write(path, what: "the report to \(path)", sync: true) { try $0.write(Array(html.utf8)) }
    if !json { print("Wrote report to \(path)") }
}
