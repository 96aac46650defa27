import ArgumentParser
import Foundation
import TrailCore

struct ReindexCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild the lineage index (.trail/index.sqlite) from the git objects alone.",
        discussion: """
            The index is derived data: every row comes from the commits reachable from branches, tags and models. Commands keep it up to date by themselves; reindex starts it over, e.g. after copying a store without its index or to check it.

            Examples:
              trail reindex
              sqlite3 .trail/index.sqlite "SELECT kind, COUNT(*) FROM changes GROUP BY kind"
            """)

    @OptionGroup var options: WorkOptions

    struct Report: Encodable {
        let commits: Int
        let changes: Int
        let labelEvents: Int
        let judgments: Int
        let seconds: Double
    }

    func run(in context: CommandContext) throws {
        let store = try context.store
        let started = Date()
        // Its own words for the wait (no "to this store"), as reindex has always said.
        let commits = try context.withProgress {
            try store.withWriteLock(onWait: { note("Waiting for another trail process to finish writing...") }) { try LineageUpdater(store: store).rebuild() }
        }
        let index = try store.openIndex()
        func count(_ table: String) throws -> Int { try index.rowCount(of: table) }
        let report = Report(commits: commits, changes: try count("changes"), labelEvents: try count("label_events"),
                            judgments: try count("judgments"), seconds: Date().timeIntervalSince(started))
        try context.emit(report) { report in
            // Stores without judgments read as they always have.
            let judgments = report.judgments > 0 ? ", \(report.judgments) judgments" : ""
            print("Reindexed \(report.commits) commits: \(report.changes) sample changes, \(report.labelEvents) label events\(judgments) (\(String(format: "%.1f", report.seconds)) s)")
        }
    }
}
