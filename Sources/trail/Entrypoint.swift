import Foundation
import ArgumentParser
import TrailCore

/// The `trail` command: version ML training sets with per-sample label lineage.
@main
struct Trail: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trail",
        abstract: "Version ML training sets: commit, diff and audit them sample by sample.",
        discussion: """
            A store is a git repository (.trail/) that git itself can read. Each commit is a snapshot of the dataset: one small record per sample, content stored once.

            Start here:
              trail init                                  # create .trail/ in this folder
              trail commit data.jsonl -m "Weekly batch"   # commit a JSONL or CSV manifest
              trail commit --patch relabels.jsonl -m "Adjudication round 3"
              trail log                                   # list commits
              trail show HEAD                             # counts, labels, annotators
              trail model register clf-v4 HEAD --meta run=2026-11-20
              trail export clf-v4 --out train.jsonl       # the exact data a model saw
              trail diff clf-v3 clf-v4                    # what changed, label by label
              trail history s000123                       # every version of one sample
              trail erase s000123 --reason "GDPR #4411"   # its content out of every version
              trail verify                                # prove the store is sound
              trail clone https://git.example.org/data.git  # share it through any git server
              trail pull && trail push                    # merge sample by sample, then send

            Every command takes --store PATH (or TRAIL_STORE) to name the store. Exit codes: 0 success, 1 error (also: differences found, with diff/status --exit-code; problems found, for verify; conflicts left, for merge/pull), 2 usage error, 3 no store found, 75 store busy. See docs/json.md.
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, StatusCommand.self, CommitCommand.self, LogCommand.self, ShowCommand.self, DiffCommand.self, HistoryCommand.self, AuditCommand.self, EvalCommand.self, ExportCommand.self, EraseCommand.self, VerifyCommand.self, ReindexCommand.self,
            BranchCommand.self, CheckoutCommand.self, TagCommand.self, ModelCommand.self, MediaStoreCommand.self,
            RemoteCommand.self, CloneCommand.self, FetchCommand.self, PullCommand.self, PushCommand.self, MergeCommand.self,
        ])

    /// Runs the command. Usage errors exit with 2 (as most Unix tools do) rather than
    /// ArgumentParser's 64; everything else keeps its code.
    static func main() {
        // Past a file-size limit (`ulimit -f`) the kernel sends SIGXFSZ, which kills the process
        // mid-write by default; ignored, the write fails with EFBIG and the commit reports it.
        signal(SIGXFSZ, SIG_IGN)
        Trace.mark("started")
        Store.prepareInBackground()
        if let typo = unknownCommand(Array(CommandLine.arguments.dropFirst())) {
            TerminalText.writeError(lines: typo + "\n")
            Store.finishSetup()
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
            Store.finishSetup()
            Trace.mark("finished")
        } catch {
            Store.finishSetup()
            let code = exitCode(for: error)
            if code == .validationFailure {
                TerminalText.writeError(lines: fullMessage(for: error) + "\n")
                Foundation.exit(2)
            }
            // Any other error's message may quote user values: written through the escaping writer
            // too. Help and version requests (success) and silent exit codes keep ArgumentParser's way.
            if code != .success, !(error is ExitCode) {
                let message = fullMessage(for: error)
                if !message.isEmpty { TerminalText.writeError(lines: message + "\n") }
                Foundation.exit(code.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// The exit code for a core error of `kind`: the one place the command line chooses them (the
/// table in docs/cli.md, the summary in `trail --help`). Bad manifest input, damaged records and
/// JSON the core cannot read exit 1 too (`runReportingErrors`).
func exitStatus(for kind: TrailError.Kind) -> Int32 {
    switch kind {
    case .usage: return 2
    case .noStore: return 3
    case .busy: return 75  // EX_TEMPFAIL: try again later
    case .readOnly, .notFound, .exists, .invalidState, .concurrentUpdate, .diskFull, .fileSystem, .remote,
         .damagedStore, .refused, .objectStore, .git, .index, .failed:
        return 1
    }
}

/// "'comit' is not a trail command. Did you mean 'commit'?" for a first argument that names no
/// command, as git says it; nil when it does (or is an option).
func unknownCommand(_ arguments: [String]) -> String? {
    guard let word = arguments.first, !word.hasPrefix("-") else { return nil }
    let names = Trail.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
    guard !names.contains(word) else { return nil }
    let close = names.map { ($0, editDistance($0, word)) }.filter { $0.1 <= max(1, $0.0.count / 3) }.sorted { $0.1 < $1.1 }
    var text = "error: '\(word)' is not a trail command."
    if let best = close.first { text += " Did you mean '\(best.0)'?" }
    return text + "\nhint: `trail --help` lists the commands: " + names.filter { $0 != "help" }.joined(separator: ", ")
}

/// Levenshtein distance, for command suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var previous = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let current = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = current
        }
    }
    return row[b.count]
}
