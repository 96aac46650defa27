import Dispatch
import Foundation
import GitFormat

/// A model's predictions as a user hands them in (JSON Lines or CSV), read and checked the way a
/// manifest is: every row holds the sample's id, the predicted label in the dataset's label
/// field(s), and optionally a numeric `score`; anything else, a duplicate id or a bad value is
/// refused with the file, line and field, before anything is written. The rows come out in
/// canonical form (Trail's canonical JSON, one object per line), sorted by the id's UTF-8 bytes.
struct PredictionFile {
    /// The name of the optional score member.
    static let scoreField = "score"

    /// One prediction in canonical form.
    struct Row {
        /// The id as text (an integer id by its digits), and its UTF-8 bytes for sorting.
        let id: String
        let idBytes: [UInt8]
        /// The canonical JSON object, without a line ending.
        let json: [UInt8]
        let line: Int
        let hasScore: Bool
    }

    /// The path as given.
    let file: String
    /// The label fields the predictions hold (the dataset's label fields the first row names, in
    /// the dataset's order); every row holds each of them.
    let labelFields: [String]
    /// The rows, sorted by id bytes.
    let rows: [Row]

    /// The canonical predictions file: each row and a newline.
    var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rows.reduce(0) { $0 + $1.json.count + 1 })
        for row in rows { out += row.json; out.append(0x0a) }
        return out
    }

    /// How many rows carry a score.
    var scored: Int { rows.reduce(0) { $0 + ($1.hasScore ? 1 : 0) } }

    /// Reads and checks `path` (format from its extension unless `format` is given) against the
    /// dataset's field roles; throws an `InputError` naming the line and field of the first problem.
    init(path: String, format: ManifestFormat? = nil, config: DatasetConfig) throws {
        file = path
        guard let format = format ?? ManifestFormat.from(path: path) else {
            throw InputError(file: path, line: nil, message: "cannot tell the predictions' format from the file name",
                             hint: "name it .jsonl or .csv, or pass --format jsonl|csv")
        }
        let mapped = try MappedFile(path: path)
        guard mapped.bytes.count > 0 else {
            throw InputError(file: path, line: nil, message: "the file is empty",
                             hint: "write one prediction per line, e.g. {\"\(config.idField)\": \"s1\", \"\(config.labelFields.first ?? "label")\": \"spam\", \"score\": 0.93}")
        }
        var chunks: [ManifestChunk]
        switch format {
        case .jsonl:
            chunks = JSONLines.chunks(of: mapped.bytes, parts: ProcessInfo.processInfo.activeProcessorCount * 4)
        case .csv:
            let parsed = try CSVReader.rows(mapped.bytes, file: path)
            try Self.checkColumns(parsed.columns, config: config, file: path)
            let size = max(1024, parsed.rows.count / (ProcessInfo.processInfo.activeProcessorCount * 4) + 1)
            chunks = stride(from: 0, to: parsed.rows.count, by: size).map { .rows(parsed.rows[$0..<min($0 + size, parsed.rows.count)]) }
        }
        // The label fields are the first row's: found before the rows are checked in parallel
        // (a first line that does not parse throws its own error here).
        struct Found: Error { let row: ManifestRow }
        var first: ManifestRow?
        for chunk in chunks where first == nil {
            do { try chunk.forEachRow(file: path) { throw Found(row: $0) } } catch let found as Found { first = found.row }
        }
        guard let first else {
            throw InputError(file: path, line: nil, message: "the file holds no predictions", hint: "add at least one row")
        }
        let present = Set(first.members.map(\.key))
        let fields = config.labelFields.filter { present.contains($0) }
        guard !fields.isEmpty else {
            throw InputError(file: path, line: first.line, field: config.labelFields.first,
                             message: "the row holds none of the dataset's label fields (\(config.labelFields.joined(separator: ", ")))",
                             hint: "write the predicted label under the dataset's label field, e.g. {\"\(config.idField)\": \"s1\", \"\(config.labelFields.first ?? "label")\": \"spam\"}")
        }
        labelFields = fields
        let checker = RowChecker(file: path, config: config, labelFields: fields, isCSV: format == .csv)
        var parts = [Result<[Row], Error>](repeating: .success([]), count: chunks.count)
        parts.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks.count) { k in
                base[k] = Result {
                    var rows: [Row] = []
                    try chunks[k].forEachRow(file: path) { rows.append(try checker.check($0)) }
                    return rows
                }
            }
        }
        withExtendedLifetime(mapped) {}
        var all: [Row] = []
        for part in parts { all += try part.get() }
        all.sort { bytesPrecede($0.idBytes, $1.idBytes) }
        for k in all.indices.dropFirst() where all[k].idBytes == all[k - 1].idBytes {
            let (a, b) = (all[k - 1].line, all[k].line)
            throw InputError(file: path, line: max(a, b), field: config.idField, message: "duplicate id '\(all[k].id)' (also on line \(min(a, b)))",
                             hint: "each sample may be predicted once per file; keep the prediction you mean")
        }
        rows = all
    }

    /// A CSV header may name only the id, label fields and score.
    private static func checkColumns(_ columns: [String], config: DatasetConfig, file: String) throws {
        guard columns.contains(config.idField) else {
            throw InputError(file: file, line: 1, field: config.idField, message: "the header has no id column",
                             hint: "name the column holding the sample ids '\(config.idField)' (the dataset's id field)")
        }
        for name in columns where name != config.idField && name != scoreField && !config.labelFields.contains(name) {
            throw InputError(file: file, line: 1, field: name, message: "this column is not part of a prediction",
                             hint: RowChecker.shapeHint(config))
        }
    }

    /// Checks one row and makes its canonical form.
    private struct RowChecker: Sendable {
        let file: String
        let config: DatasetConfig
        let labelFields: [String]
        let isCSV: Bool

        static func shapeHint(_ config: DatasetConfig) -> String {
            "a prediction holds the id ('\(config.idField)'), the predicted label (\(config.labelFields.map { "'\($0)'" }.joined(separator: " or "))) and optionally 'score'; remove other fields"
        }

        func check(_ row: ManifestRow) throws -> Row {
            func fail(_ field: String?, _ message: String, _ hint: String) -> InputError {
                InputError(file: file, line: row.line, field: field, message: message, hint: hint)
            }
            var members: [JSONMember] = []
            var id: String?
            var hasScore = false
            var seenLabels = Set<String>()
            for member in row.members {
                switch member.key {
                case config.idField:
                    switch member.value {
                    case .string(let s) where !s.isEmpty: id = s
                    case .number(let n) where !n.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }): id = n
                    default:
                        throw fail(member.key, "the id must be a non-empty string or an integer, not \(Self.describe(member.value))",
                                   "write the sample's id as it is in the dataset, e.g. \"s000123\"")
                    }
                    members.append(member)
                case let field where labelFields.contains(field):
                    try checkLabel(member.value, field: field, fail: fail)
                    seenLabels.insert(field)
                    members.append(member)
                case let field where config.labelFields.contains(field):
                    throw fail(field, "this label field is not in the file's first row (line 1 of the predictions names \(labelFields.map { "'\($0)'" }.joined(separator: ", ")))",
                               "give every row the same label fields")
                case PredictionFile.scoreField:
                    switch member.value {
                    case .number:
                        hasScore = true
                        members.append(member)
                    case .null:
                        break  // no score for this row
                    case .string(let s) where isCSV:
                        if s.isEmpty { break }
                        guard Self.isJSONNumber(s) else {
                            throw fail(member.key, "the score '\(s)' is not a number", "write the model's score for its prediction as a number, e.g. 0.93, or leave the cell empty")
                        }
                        hasScore = true
                        members.append(JSONMember(member.key, .number(s)))
                    default:
                        throw fail(member.key, "the score must be a number, not \(Self.describe(member.value))",
                                   "write the model's score for its prediction as a number, e.g. 0.93, or leave it out")
                    }
                default:
                    throw fail(member.key, "this field is not part of a prediction", Self.shapeHint(config))
                }
            }
            guard let id else {
                throw fail(config.idField, "the row has no id", "every prediction needs the sample's id in '\(config.idField)'")
            }
            for field in labelFields where !seenLabels.contains(field) {
                throw fail(field, "the row has no predicted label", "every row needs the predicted label in '\(field)' (as the file's first row has it)")
            }
            var json: [UInt8] = []
            CanonicalJSON.writeObject(members, to: &json)
            return Row(id: id, idBytes: Array(id.utf8), json: json, line: row.line, hasScore: hasScore)
        }

        private func checkLabel(_ value: JSONValue, field: String, fail: (String?, String, String) -> InputError) throws {
            let hint = "write the label the model predicted, e.g. \"spam\" (several: [\"spam\", \"scam\"]; none: null)"
            switch value {
            case .null: return
            case .string(let s):
                if s.isEmpty { throw fail(field, "the predicted label is empty", hint + "; leave a sample with no prediction out of the file") }
            case .array(let items):
                for item in items {
                    guard case .string(let s) = item, !s.isEmpty else {
                        throw fail(field, "a predicted label in the list is \(Self.describe(item)), not a non-empty string", hint)
                    }
                }
            default:
                throw fail(field, "the predicted label must be a string, a list of strings or null, not \(Self.describe(value))", hint)
            }
        }

        static func describe(_ value: JSONValue) -> String {
            switch value {
            case .string(let s): return s.isEmpty ? "an empty string" : "the string \"\(s)\""
            case .number(let n): return "the number \(n)"
            case .array: return "a list"
            case .object: return "an object"
            case .bool(let b): return "\(b)"
            case .null: return "null"
            }
        }

        /// True when `s` is a JSON number (RFC 8259), which the canonical file keeps as written.
        static func isJSONNumber(_ s: String) -> Bool {
            guard let value = try? JSONParser.parse(s), case .number = value else { return false }
            return true
        }
    }
}
