import ArgumentParser
import Foundation
import TrailCore

struct VerifyCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the store: objects, refs, every record's content, erasures and the index.",
        discussion: """
            Checks every pack and its index against their checksums and every loose object file against its id (with --full: every object, one by one); that HEAD names a branch and that branches, tags, models, refs/trail/content and refs/trail/erasures can be read and point at what they must; that every tree entry of every version is a sample key and every record sits under its own id's key, is of record format 1 and names content that is in the store with the size it gives, or is covered by an erasure record, and that no erased content is left (with a media store: that every media object a record names is in the bucket with its size, and no erased one is); and that the lineage index holds exactly the rows a rebuild from git gives.

            Each problem is named on its own line, with what to do; one damaged object does not stop the checks that follow. verify writes nothing, so it runs on a read-only store. Exit codes: 0 when the store is sound, 1 when a problem was found (or the check could not run).

            Examples:
              trail verify
              trail verify --full --json
              git --git-dir .trail fsck --strict     # git's own check, which Trail's complements
            """)

    @OptionGroup var options: ReadOptions
    @Flag(name: .long, help: "Also re-hash every object in every pack, and download and re-hash every media store object (slower: reads everything).")
    var full = false

    func run(in context: CommandContext) throws {
        let store = try context.store
        let interactive = isatty(2) == 1 && !context.json
        let report = try Verifier(store: store).verify(full: full, progress: { if interactive { note("verify: \($0)...") } },
                                                       onWaitForLock: context.onWaitForLock)
        try context.emit(report) { report in
            print("Checked \(report.packs) pack\(report.packs == 1 ? "" : "s") and \(report.looseObjects) loose object\(report.looseObjects == 1 ? "" : "s") (\(report.objectsHashed) objects re-hashed), \(report.refs) refs, \(report.commits) commits, \(report.records) records, \(report.contentBlobs) content blobs, \(report.erasures) erasure\(report.erasures == 1 ? "" : "s"), \(report.indexRows) index rows.")
            if let media = report.mediaObjects, let location = store.mediaStoreLocation {
                print("Checked \(media) media object\(media == 1 ? "" : "s") in \(location)\(report.full ? " (downloaded and re-hashed)" : "").")
            }
            for p in report.problems { print("problem (\(p.kind)): \(p.message)") }
            print(report.ok ? "OK: no problems found." : "\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") found.")
        }
        if !report.ok { throw ExitCode(1) }
    }
}
