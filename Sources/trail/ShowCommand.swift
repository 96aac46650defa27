import ArgumentParser
import Foundation
import TrailCore

struct ShowCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a version's counts, or one sample as it was committed.",
        discussion: """
            With a revision alone: the commit, its sample count, label distribution, annotators and guideline versions. With a sample id too: that sample exactly as the user gave it in that version, content included.

            Examples:
              trail show HEAD
              trail show clf-v3 --json
              trail show HEAD s000000042
            """)

    @OptionGroup var options: ReadOptions
    @Argument(help: "A branch, tag, model or commit.")
    var revision: String = "HEAD"
    @Argument(help: "A sample id.")
    var sample: String?

    struct VersionReport: Encodable {
        let commit: CommitSummary
        let summary: SnapshotSummary
    }

    func run(in context: CommandContext) throws {
        let store = try context.store
        let snapshot = try Revisions(store: store).snapshot(revision)
        if let sample { return try show(sample, in: snapshot, of: store, json: context.json) }
        let report = VersionReport(commit: try CommitLog(store: store).summary(of: snapshot.commit), summary: try snapshot.summary())
        try context.emit(report) { report in
            let (commit, summary) = (report.commit, report.summary)
            print("commit \(commit.commit)\(commit.refs.isEmpty ? "" : " (\(commit.refs.joined(separator: ", ")))")")
            print("Author: \(commit.author) <\(commit.email)>")
            print("Date:   \(commit.date)")
            print("")
            print("    \(commit.subject)")
            print("")
            print("Samples: \(summary.samples)")
            printLabelCounts(summary.labels, total: summary.samples)
            if !summary.annotators.isEmpty {
                print("")
                print("Annotators: \(summary.annotators.count)")
                printCounts(summary.annotators, total: summary.samples, limit: 10)
            }
            if !summary.guidelines.isEmpty {
                print("")
                print("Guideline versions:")
                printCounts(summary.guidelines, total: summary.samples)
            }
        }
    }

    /// One sample as it was committed; its JSON is written a piece at a time (its text may be large).
    private func show(_ sample: String, in snapshot: Snapshot, of store: Store, json: Bool) throws {
        guard let view = try SampleView.read(sample, in: snapshot) else {
            if let e = try store.erasureLog().bySample[sample] {
                throw TrailError(.notFound(.sample, name: sample), "sample '\(sample)' is not in \(revision): it was erased \(e.date) (erasure \(e.sequence): \(e.reason))",
                                 hint: "older versions still list its labels and metadata: `trail history \(sample)`")
            }
            throw TrailError(.notFound(.sample, name: sample), "sample '\(sample)' is not in \(revision) (\(snapshot.commit.abbreviated()))",
                             hint: "check the id; `trail export \(revision) --out -` lists the samples")
        }
        if json {
            // Built as a JSONValue so the sample's numbers print exactly as committed.
            let content: [JSONValue] = view.content.map { c in
                var members = [JSONMember("blob", .string(c.blob.hex)), JSONMember("field", .string(c.field)),
                               JSONMember("size", .number(String(c.size)))]
                if let path = c.path { members.append(JSONMember("path", .string(path))) }
                return .object(members)
            }
            var members = [
                JSONMember("commit", .string(view.commit.hex)), JSONMember("content", .array(content)),
                JSONMember("record", .string(view.record.hex)), JSONMember("sample", .object(view.row)),
            ]
            if let e = view.erasure {
                members.append(JSONMember("erased", .object([
                    JSONMember("date", .string(e.date)), JSONMember("erasedBy", .string(e.erasedBy)),
                    JSONMember("reason", .string(e.reason)), JSONMember("sequence", .number(String(e.sequence))),
                ])))
            }
            return try TerminalText.writeJSON { try writePrettyJSON(.object(members), to: $0) }
        }
        print("sample \(sample) in commit \(view.commit.hex)")
        print("record \(view.record.hex)")
        let erased = Set(view.erasure?.content ?? [])
        for content in view.content {
            let gone = erased.contains(content.blob.hex) ? " (erased)" : ""
            print("content \(content.field): blob \(content.blob.hex), \(content.size) bytes\(content.path.map { ", file \($0)" } ?? "")\(gone)")
        }
        if let e = view.erasure {
            print("erased  \(e.date) by \(e.erasedBy) (erasure \(e.sequence)): \(e.reason)")
        }
        print("")
        try TerminalText.writeJSON { try $0.writeJSON(.object(view.row)) }
    }
}

/// Writes a `JSONValue` as indented JSON (keys sorted, numbers exactly as written), like
/// `printJSON`'s output; to `out` piece by piece, so a large string is never copied whole.
func writePrettyJSON(_ value: JSONValue, indent: String = "", to out: ChunkedOutput) throws {
    let inner = indent + "  "
    switch value {
    case .array(let items) where !items.isEmpty:
        try out.write("[\n")
        for (k, item) in items.enumerated() {
            try out.write((k > 0 ? ",\n" : "") + inner)
            try writePrettyJSON(item, indent: inner, to: out)
        }
        try out.write("\n" + indent + "]")
    case .object(let members) where !members.isEmpty:
        try out.write("{\n")
        for (k, m) in members.sorted(by: { CanonicalJSON.keyPrecedes($0.key, $1.key) }).enumerated() {
            try out.write((k > 0 ? ",\n" : "") + inner)
            try out.writeJSONString(m.key)
            try out.write(" : ")
            try writePrettyJSON(m.value, indent: inner, to: out)
        }
        try out.write("\n" + indent + "}")
    default:
        try out.writeJSON(value)
    }
}
