import ArgumentParser
import Foundation
import TrailCore

/// The sample ids, `--from-file`, `--reason` and `--include-shared`: what a new erasure is,
/// and what `erase --finish` takes none of.
struct ErasureRequestOptions: ParsableArguments {
    @Argument(help: "The ids of the samples to erase.")
    var samples: [String] = []
    @Option(name: .long, help: ArgumentHelp("A file with one sample id per line (blank lines and lines starting with # are skipped).", valueName: "file"))
    var fromFile: String?
    @Option(name: .long, help: ArgumentHelp("Why (the request, the legal basis); kept in the erasure record. Required, except with --finish.", valueName: "text"))
    var reason: String?
    @Flag(name: .long, help: "Also erase samples whose content is the same bytes as an erased sample's.")
    var includeShared = false

    /// True when none of them is given.
    var isEmpty: Bool { samples.isEmpty && fromFile == nil && reason == nil && !includeShared }

    /// Refuses an erasure that names no sample or gives no reason.
    func checkComplete() throws {
        guard !samples.isEmpty || fromFile != nil else {
            throw ValidationError("name the samples to erase: trail erase ID... --reason TEXT, or --from-file FILE")
        }
        guard let reason, !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("an erasure needs --reason TEXT (the request or legal basis; it is kept in the erasure record)")
        }
    }

    /// The erasure of the samples named and those `--from-file` lists, by `author` (as `--author`
    /// gives it; nil: TRAIL_AUTHOR, else git config).
    func request(in store: Store, author: String?) throws -> ErasureRequest {
        var ids = samples
        if let fromFile { ids += try Self.readIDs(fromFile) }
        return ErasureRequest(samples: ids, reason: reason ?? "", author: try store.author(given: author), includeShared: includeShared)
    }

    /// Sample ids from a file, one a line.
    private static func readIDs(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrailError(.fileSystem(path: path), "cannot read \(path)", hint: "check the path given to --from-file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, line: nil, message: "the file is not UTF-8 text", hint: "write one sample id per line")
        }
        return text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}

struct EraseCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase samples' content from every version, keeping history verifiable.",
        discussion: """
            For a deletion request or content that may not be kept. Trail removes the samples from every branch (a new commit on each branch that holds them), deletes their text and media from the object store (every pack that holds them is rewritten), and appends an erasure record (who, when, why, sample ids, content ids) to refs/trail/erasures. Every earlier commit, record, tag and model keeps its id: old versions still list the samples' labels and metadata, and report their content as erased.

            Content that another sample shares byte for byte is refused unless that sample is erased too (name it, or pass --include-shared). An interrupted erasure is finished the next time the store is opened; `trail erase --finish` does it explicitly.

            Examples:
              trail erase s000123 --reason "GDPR art. 17 request #4411"
              trail erase --from-file takedown.txt --reason "Legal hold released"
              trail erase --finish
              trail verify                     # prove it: every erased byte is gone
            See docs/compliance.md.
            """)

    @OptionGroup var options: WorkOptions
    @OptionGroup var erasure: ErasureRequestOptions
    @Flag(name: .long, help: "Only complete erasures already recorded (the next command finishes an interrupted one by itself; this does it explicitly).")
    var finish = false
    @Option(name: .long, help: ArgumentHelp("Who erases, as \"Name <email>\" (default: TRAIL_AUTHOR, else git config).", valueName: "author"))
    var author: String?

    func validate() throws {
        if finish {
            guard erasure.isEmpty else {
                throw ValidationError("--finish only completes recorded erasures: it takes no sample ids, --reason or --include-shared")
            }
            return
        }
        try erasure.checkComplete()
    }

    func run(in context: CommandContext) throws {
        let store = try context.store
        let result = try context.withProgress {
            if finish {
                return try Eraser(store: store).finish(author: try author.map { try store.author(given: $0) }, onWaitForLock: context.onWaitForLock)
            }
            return try Eraser(store: store).erase(erasure.request(in: store, author: author), onWaitForLock: context.onWaitForLock)
        }
        try context.emit(result) { result in
            if let record = result.record {
                print("Erasure \(record.sequence): \(record.samples.count) sample\(record.samples.count == 1 ? "" : "s"), \(record.content.count) content blob\(record.content.count == 1 ? "" : "s") (\(record.reason))")
            }
            if !result.shared.isEmpty { print("  also erased (same content): \(result.shared.joined(separator: ", "))") }
            if !result.alreadyErased.isEmpty {
                print("Already erased, nothing new to record: \(result.alreadyErased.joined(separator: ", "))")
            }
            for commit in result.commits {
                print("  [\(commit.branch) \(commit.commit.prefix(10))] removed \(commit.removed) sample\(commit.removed == 1 ? "" : "s")")
            }
            if result.record == nil && result.commits.isEmpty && result.copiesDeleted == 0 && result.contentUnlisted == 0 && (result.mediaDeleted ?? 0) == 0 {
                print("Nothing left to do: every recorded erasure is complete.")
            } else {
                print("  content blobs taken out of \(Store.contentRef): \(result.contentUnlisted); stored copies deleted: \(result.copiesDeleted) (\(result.packsRewritten) pack\(result.packsRewritten == 1 ? "" : "s") rewritten)")
            }
            if let deleted = result.mediaDeleted, deleted > 0, let location = store.mediaStoreLocation {
                print("  deleted from the media store \(location): \(deleted) object key\(deleted == 1 ? "" : "s") (and any cached copy)")
            }
        }
    }
}
