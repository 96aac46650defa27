import Foundation
import ArgumentParser
import Git
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

            Every command takes --store PATH (or TRAIL_STORE) to name the store. Exit codes: 0 success, 1 error (for verify: a problem found), 2 usage error, 3 no store found, 75 store busy.
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, StatusCommand.self, CommitCommand.self, LogCommand.self, ShowCommand.self, DiffCommand.self, HistoryCommand.self, AuditCommand.self, ExportCommand.self, EraseCommand.self, VerifyCommand.self, ReindexCommand.self,
            BranchCommand.self, CheckoutCommand.self, TagCommand.self, ModelCommand.self,
        ])

    /// Runs the command. Usage errors exit with 2 (as most Unix tools do) rather than
    /// ArgumentParser's 64; everything else keeps its code.
    static func main() {
        Trace.mark("started")
        GitLibrary.prepareInBackground()
        do {
            var command = try parseAsRoot()
            try command.run()
            Trace.mark("finished")
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
