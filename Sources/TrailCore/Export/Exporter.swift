import Dispatch
import Foundation
import Git
import GitFormat

/// Where and how to export a snapshot.
public enum ExportFormat: String, CaseIterable, Codable, Sendable {
    /// JSON Lines, one sample per line, sorted by id.
    case jsonl
    /// CSV with a header row, columns in the order the manifests first used them.
    case csv
    /// A folder holding `manifest.jsonl` and every media file at its relative path.
    case folder

    /// The format an output path implies: `.jsonl`, `.csv`, `-` (JSON Lines on stdout), else a folder.
    public static func from(path: String) -> ExportFormat {
        let lower = path.lowercased()
        if path == "-" || lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        if lower.hasSuffix(".csv") { return .csv }
        return .folder
    }
}

/// What an export wrote.
public struct ExportResult: Codable, Equatable {
    /// The commit exported.
    public var commit: String
    /// The format written.
    public var format: ExportFormat
    /// Where the export was written.
    public var path: String
    /// Samples written.
    public var samples: Int
    /// Media files written beside the samples.
    public var mediaFiles: Int
    /// Samples of this version whose content was erased since: left out of the export.
    public var erased: [ErasedSample] = []
}

/// Writes a snapshot back out as the user gave it: same samples, same values.
///
/// Rows come out sorted by id (byte order) with keys in canonical order; numbers keep the
/// spelling they were committed with. The file appears only when complete (written to a
/// temporary name, then renamed).
public struct Exporter {
    let store: Store

    /// An exporter reading snapshots from `store`.
    public init(store: Store) { self.store = store }

    /// Exports `snapshot` to `path` (`-` for standard output, JSON Lines only).
    public func export(_ snapshot: Snapshot, to path: String, format: ExportFormat? = nil) throws -> ExportResult {
        let ext = (path as NSString).pathExtension
        if format == nil, ExportFormat.from(path: path) == .folder, !ext.isEmpty, !path.hasSuffix("/") {
            throw TrailError(.usage, "cannot tell the export format from '\(path)' (.\(ext) is not one Trail writes)",
                             hint: "name it .jsonl or .csv, give a folder path without an extension, or pass --format jsonl|csv|folder")
        }
        let format = format ?? ExportFormat.from(path: path)
        let config = try snapshot.config()
        let erasures = try ErasureLog.read(store.repository)
        let leftOut = LeftOut()
        // A folder's manifest is written from whole rows; the other formats read large texts as they write them.
        // JSON Lines rows are sorted on disk when they outgrow memory (see SortedRuns).
        let sorter = format == .jsonl ? SortedRuns(folder: store.path) : nil
        let rows = try readRows(snapshot, config: config, erased: Set(erasures.byContent.keys), leftOut: leftOut,
                                deferLargeTexts: format != .folder, sorter: sorter)
        var result = ExportResult(commit: snapshot.commit.hex, format: format, path: path, samples: sorter?.count ?? rows.count, mediaFiles: 0,
                                  erased: erasures.records.isEmpty ? [] : try erasures.erasedSamples(in: snapshot))
        // Every sample left out is named, also one whose content went with another sample's erasure.
        var named = Set(result.erased.map(\.id))
        for (id, blob) in leftOut.samples.sorted(by: { $0.id < $1.id }) where named.insert(id).inserted {
            guard let record = erasures.byContent[blob] else { continue }
            result.erased.append(ErasedSample(id: id, sequence: record.sequence, date: record.date, reason: record.reason))
        }
        result.erased.sort { $0.id < $1.id }
        switch format {
        case .jsonl:
            try writeAtomically(path) { out in
                if let sorter, sorter.spilled {
                    try sorter.forEach { try writeLine($0, to: out) }
                } else {
                    for row in sorter?.takeSortedInMemory() ?? rows { try writeLine(row, to: out) }
                }
            }
        case .csv:
            if path == "-" { throw TrailError(.usage, "CSV goes to a file, not standard output", hint: "use --out FILE.csv, or JSON Lines with --out -") }
            let columns = try csvColumns(rows, known: try snapshot.summary().columns)
            try writeAtomically(path) { out in
                var line: [UInt8] = []
                for (k, name) in columns.enumerated() {
                    if k > 0 { line.append(UInt8(ascii: ",")) }
                    appendCSVCell(name, to: &line)
                }
                line.append(0x0a)
                try out.write(line)
                for row in rows {
                    // Keyed canonically, which is safe: csvColumns refused keys that are one text.
                    var values: [String: JSONValue] = [:]
                    for m in try row.members() { values[m.key] = m.value }
                    line.removeAll(keepingCapacity: true)
                    for (k, name) in columns.enumerated() {
                        if k > 0 { line.append(UInt8(ascii: ",")) }
                        if let text = row.deferred.first(where: { $0.field.utf8.elementsEqual(name.utf8) }) {
                            try out.write(line)
                            line.removeAll(keepingCapacity: true)
                            try store.repository.read(text.blob, as: .blob).withUnsafeBytes { try writeCSVCell(utf8: $0, to: out) }
                            continue
                        }
                        appendCSVCell(values[name].map(csvText) ?? "", to: &line)
                    }
                    line.append(0x0a)
                    try out.write(line)
                }
            }
        case .folder:
            result.mediaFiles = try exportFolder(rows, to: path)
        }
        return result
    }

    // MARK: - Reading

    typealias Row = RowSplicer.Row

    /// A record blob as read, with its text content, waiting to be turned into a row.
    private struct RawRecord {
        /// The key the tree stores it under (nil for an entry no key names), the leaf it is in
        /// (`ab/cd`), and its name when that is not the key's.
        let key: ObjectID?
        let leaf: String
        let name: String?
        /// Where the tree stores it, for messages: built only for one.
        var place: String { leaf + "/" + (name ?? key!.hex) }
        let bytes: [UInt8]
        let layout: RowSplicer.Layout?
        /// The text content blobs, nil for those deferred to the writing.
        let texts: [[UInt8]?]
    }

    /// Texts from this size up are read as their rows are written, a slice of the output at a
    /// time, rather than held in every row until the sorted rows are written: a 100 MB text
    /// took several copies (blob, row, line, buffer), and every such row stayed in memory.
    static let deferredTextSize = 1 << 20

    /// Every row of the snapshot, sorted by id. Two stages run at once: one thread reads
    /// records and their texts through libgit2 (whose pack reads serialise on a global lock, so a
    /// second reader only adds contention), while another splices them into rows.
    /// Records naming `erased` content are left out: their content is gone.
    /// With `sorter`, the rows go to it instead (and none are returned).
    private func readRows(_ snapshot: Snapshot, config: DatasetConfig, erased: Set<ObjectID>, leftOut: LeftOut,
                          deferLargeTexts: Bool, sorter: SortedRuns? = nil) throws -> [Row] {
        let folders = ShardedTree.folders(snapshot.rootEntries)
        let path = store.repository.path
        let queue = HandOff<[RawRecord]>()
        let progress = ProgressReport.isActive ? ProgressCounter("Reading samples", total: try snapshot.summary().samples, unit: "samples") : nil
        var readError: Error?
        var parts = [Result<[Row], Error>](repeating: .success([]), count: 1)
        DispatchQueue.concurrentPerform(iterations: 2) { role in
            if role == 0 {
                defer { queue.finish() }
                do {
                    let repo = try Repository(openBare: path)
                    var chunk: [RawRecord] = []
                    chunk.reserveCapacity(4096)
                    // Entries no key names are read too: the export refuses such a tree rather than leave them out.
                    for folder in folders {
                        try ShardedTree.walk(folder: folder, repository: repo, keepingOtherNames: true) { leaf in
                            let entries = leaf.entries.map { (key: Optional($0.key), id: $0.id, name: String?.none) } + leaf.others.map { (nil, $0.id, $0.name) }
                            for entry in entries {
                                let bytes = try repo.read(entry.id, as: .blob)
                                let layout = RowSplicer.layout(bytes)
                                if !erased.isEmpty, let gone = try (layout?.content ?? StoredRecordError.locating(
                                    commit: snapshot.commit, key: entry.key, path: entry.name.map { leaf.path + "/" + $0 }, idField: config.idField,
                                    { try SampleRecord.decode(bytes).content })).first(where: { erased.contains($0.blob) }) {
                                    let id = (try? SampleRecord.decode(bytes))?.field(config.idField).map(idBytes) ?? Array((entry.name ?? entry.key!.hex).utf8)
                                    leftOut.samples.append((String(decoding: id, as: UTF8.self), gone.blob))
                                    continue
                                }
                                let texts = try layout?.content.filter { $0.path == nil }.map { text -> [UInt8]? in
                                    deferLargeTexts && text.size >= Exporter.deferredTextSize ? nil : try repo.read(text.blob, as: .blob)
                                } ?? []
                                chunk.append(RawRecord(key: entry.key, leaf: leaf.path, name: entry.name, bytes: bytes, layout: layout, texts: texts))
                                if chunk.count == 4096 {
                                    progress?.add(chunk.count)
                                    queue.put(chunk)
                                    chunk.removeAll(keepingCapacity: true)
                                }
                            }
                        }
                    }
                    progress?.add(chunk.count)
                    if !chunk.isEmpty { queue.put(chunk) }
                } catch {
                    readError = error
                }
            } else {
                parts[0] = Result {
                    let repo = try Repository(openBare: path)
                    let restorer = RowRestorer(repository: repo)
                    let splicer = RowSplicer(idField: config.idField)
                    var rows: [Row] = []
                    while let chunk = queue.take() {
                        for raw in chunk {
                            if let layout = raw.layout, let row = splicer.row(raw.bytes, layout: layout, texts: raw.texts) {
                                try checkKey(raw, row.id, snapshot)
                                if let sorter { try sorter.add(row) } else { rows.append(row) }
                                continue
                            }
                            let record = try StoredRecordError.locating(commit: snapshot.commit, key: raw.key, path: raw.place, idField: config.idField) {
                                try SampleRecord.decode(raw.bytes)
                            }
                            let id = record.field(config.idField).map(idBytes) ?? []
                            try checkKey(raw, id, snapshot)
                            let row = Row(id: id, json: CanonicalJSON.encode(.object(try restorer.row(record))),
                                          media: record.content.filter { $0.path != nil })
                            if let sorter { try sorter.add(row) } else { rows.append(row) }
                        }
                    }
                    return rows
                }
            }
        }
        if let readError { throw readError }
        var rows: [Row] = []
        for part in parts { rows.append(contentsOf: try part.get()) }
        return sorter != nil ? rows : SortedRuns.sorted(rows)
    }

    /// A record must sit under its own id's key: one stored under another sample's key (a tree
    /// edited outside Trail) would come out as a second row for its sample, or stand in for a
    /// sample that is not there.
    private func checkKey(_ raw: RawRecord, _ id: [UInt8], _ snapshot: Snapshot) throws {
        let own = id.withUnsafeBytes { SampleKey.of(utf8: $0) }
        guard raw.key != own else { return }
        let sample = String(decoding: id, as: UTF8.self)
        throw TrailError(.damagedStore, "commit \(snapshot.commit.abbreviated()) stores sample '\(sample)' at \(raw.place), which is not its key (\(SampleKey.path(own))); the tree was edited outside Trail, and an export would list the sample wrongly",
                         hint: "run `trail verify` to see every damaged record; nothing was exported")
    }

    private func idBytes(_ value: JSONValue) -> [UInt8] {
        switch value {
        case .string(let s): return Array(s.utf8)
        case .number(let n): return Array(n.utf8)
        default: return []
        }
    }

    /// The samples an export leaves out because their content was erased (id, erased blob).
    private final class LeftOut: @unchecked Sendable { var samples: [(id: String, blob: ObjectID)] = [] }

    // MARK: - Writing

    private func exportFolder(_ rows: [Row], to path: String) throws -> Int {
        let fm = FileManager.default
        if fm.fileExists(atPath: path), !((try? fm.contentsOfDirectory(atPath: path))?.isEmpty ?? false) {
            throw TrailError(.fileSystem(path: path), "\(path) exists and is not empty", hint: "export into a new or empty folder")
        }
        // Every media path is checked before anything is written: a record that arrived from
        // elsewhere (a crafted remote) must not write outside the folder, and one path may not
        // stand for two different files.
        var planned: [String: (blob: ObjectID, sample: String)] = [:]
        for row in rows {
            let sample = String(decoding: row.id, as: UTF8.self)
            for media in row.media {
                guard let given = media.path else { continue }
                if let why = MediaPath.unsafe(given) ?? (given == "manifest.jsonl" ? "it is the export's own manifest.jsonl" : nil) {
                    throw TrailError(.damagedStore, "sample '\(sample)' names media path '\(given)' (field '\(media.field)'), which would be written outside \(path): \(why)",
                                     hint: "the record was not written by Trail (run `trail verify`); nothing was exported")
                }
                // Older records may spell a path with '.' or empty parts: one file, one spelling.
                let relative = given.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
                if let earlier = planned[relative], earlier.blob != media.blob {
                    throw TrailError(.refused, "samples '\(earlier.sample)' and '\(sample)' name the same media path '\(relative)' for different files",
                                     hint: "export as JSON Lines or CSV (media stay in the store), or give them distinct paths and commit again; nothing was exported")
                }
                planned[relative] = (media.blob, sample)
            }
        }
        // A file where another path needs a folder ('a' and 'a/b') would fail halfway through.
        for relative in planned.keys {
            // Not NSString.deletingLastPathComponent: Foundation (Swift 6.3) traps on a one-letter path.
            func parentOf(_ path: String) -> String { path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "" }
            var parent = parentOf(relative)
            while !parent.isEmpty {
                if let file = planned[parent] {
                    throw TrailError(.refused, "sample '\(file.sample)' names media file '\(parent)', which sample '\(planned[relative]!.sample)' needs as a folder ('\(relative)')",
                                     hint: "export as JSON Lines or CSV (media stay in the store), or give them distinct paths and commit again; nothing was exported")
                }
                parent = parentOf(parent)
            }
        }
        let existed = fm.fileExists(atPath: path)
        try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
        do {
            // Media in a media store are downloaded (in parallel, through the cache) before the first is written.
            let reader = try MediaReader(store: store, blobs: planned.values.map(\.blob))
            defer { reader.finish() }
            for (relative, media) in planned.sorted(by: { $0.key < $1.key }) {
                let target = path + "/" + relative
                try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try writeNewFile(target, reader.read(media.blob))
            }
        } catch {
            // The folder was new or empty: what this export wrote goes, so nothing half-written stays.
            if existed { for entry in (try? fm.contentsOfDirectory(atPath: path)) ?? [] { try? fm.removeItem(atPath: path + "/" + entry) } }
            else { try? fm.removeItem(atPath: path) }
            throw error
        }
        let written = planned
        try writeAtomically(path + "/manifest.jsonl") { out in
            for row in rows { try out.write(row.json + [0x0a]) }
        }
        return written.count
    }

    /// The CSV header: the summary's columns in its order, then names it lacks in byte order.
    ///
    /// Swift strings, sets and dictionaries take NFC and NFD spellings of a name for one, which
    /// put two values of a record into one cell and dropped the other. One header cannot hold
    /// both spellings either (Trail's reader refuses it), so such names make the export fail.
    private func csvColumns(_ rows: [Row], known: [String]) throws -> [String] {
        // Each name as the samples spell it, keyed canonically.
        var spelling: [String: String] = [:]
        for row in rows {
            for m in try row.members() {
                guard let earlier = spelling[m.key] else { spelling[m.key] = m.key; continue }
                if !earlier.utf8.elementsEqual(m.key.utf8) { throw equivalentColumns(earlier, m.key, rows) }
            }
        }
        // Columns no sample still has (all such samples were removed) are dropped.
        var columns: [String] = []
        var seen = Set<String>()
        for name in known { if let spelled = spelling[name], seen.insert(spelled).inserted { columns.append(spelled) } }
        columns += spelling.values.filter { !seen.contains($0) }.sorted(by: CanonicalJSON.keyPrecedes)
        return columns
    }

    private func equivalentColumns(_ a: String, _ b: String, _ rows: [Row]) -> TrailError {
        let names = "\"\(a.scalarEscaped)\" and \"\(b.scalarEscaped)\""
        let both = rows.first { row in
            let keys = (try? row.members())?.map(\.key) ?? []
            return keys.contains { $0.utf8.elementsEqual(a.utf8) } && keys.contains { $0.utf8.elementsEqual(b.utf8) }
        }
        let what = both.map { "sample '\(String(decoding: $0.id, as: UTF8.self))' has keys \(names)" } ?? "samples use keys \(names)"
        return TrailError(.refused, "cannot export to CSV: \(what), which are the same text in Unicode (canonically equivalent, such as NFC and NFD), and one CSV header cannot hold both",
                          hint: "export to JSON Lines (--out FILE.jsonl), which keeps every key as it was committed; or commit the data again with one spelling")
    }

    private func csvText(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return s
        case .array, .object: return String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        }
    }

    /// Appends one CSV cell: quoted when it holds `,`, `"`, CR or LF, or starts with a byte order
    /// mark (which a reader would strip from the file's first cell), with each `"` doubled.
    /// Decided on UTF-8 bytes, not Characters: `"\r\n"`, or a `"` or `,` followed by a combining
    /// mark, is one Character equal to none of them, and was written unquoted.
    private func appendCSVCell(_ text: String, to out: inout [UInt8]) {
        let bytes = text.utf8
        let needsQuotes = bytes.starts(with: [0xEF, 0xBB, 0xBF])
            || bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0a || $0 == 0x0d }
        guard needsQuotes else {
            out.append(contentsOf: bytes)
            return
        }
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            out.append(b)
            if b == UInt8(ascii: "\"") { out.append(b) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Writes `bytes` to a new file at `path` (never through a symlink, never over a file), in
    /// chunks: one write(2) takes at most ~2 GiB, so a large video came back with zeros past it.
    private func writeNewFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TrailError(.fileSystem(path: path), "cannot write \(path): \(String(cString: strerror(errno)))", hint: "check free space and permissions")
        }
        defer { close(fd) }
        var done = 0
        try bytes.withUnsafeBytes { buffer in
            while done < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + done, min(buffer.count - done, 1 << 30))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw TrailError(.fileSystem(path: path), "cannot write \(path): \(String(cString: strerror(errno)))", hint: "check free space")
                }
                done += n
            }
        }
    }

    /// Writes a row and its newline, reading its deferred texts one at a time.
    private func writeLine(_ row: Row, to out: ChunkedOutput) throws {
        var written = 0
        try row.json.withUnsafeBytes { json in
            for text in row.deferred {
                try out.write(UnsafeRawBufferPointer(rebasing: json[written..<text.offset]))
                try store.repository.read(text.blob, as: .blob).withUnsafeBytes { try out.writeJSONString(utf8: $0) }
                written = text.offset + 2  // past the `""` standing in for it
            }
            try out.write(UnsafeRawBufferPointer(rebasing: json[written...]))
        }
        try out.write([0x0a])
    }

    /// `appendCSVCell` for a large text, written a slice at a time.
    private func writeCSVCell(utf8: UnsafeRawBufferPointer, to out: ChunkedOutput) throws {
        let quote = UInt8(ascii: "\"")
        let needsQuotes = utf8.starts(with: [0xEF, 0xBB, 0xBF])
            || utf8.contains { $0 == UInt8(ascii: ",") || $0 == quote || $0 == 0x0a || $0 == 0x0d }
        guard needsQuotes else { return try out.write(utf8) }
        try out.write([quote])
        var run = 0
        for (k, b) in utf8.enumerated() where b == quote {
            try out.write(UnsafeRawBufferPointer(rebasing: utf8[run...k]))  // the quote, then its double
            run = k
        }
        try out.write(UnsafeRawBufferPointer(rebasing: utf8[run...]))
        try out.write([quote])
    }

    /// Writes through a buffered sink to a temporary file renamed into place, or to stdout for `-`.
    private func writeAtomically(_ path: String, _ body: (ChunkedOutput) throws -> Void) throws {
        if path == "-" {
            let sink = ChunkedOutput.file(1, path: "standard output")
            try body(sink)
            try sink.flush()
            return
        }
        try AtomicFile.write(path, body)
    }
}

/// Byte order of two byte strings, through memcmp (the generic comparison was a tenth of an export).
func bytesPrecede(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            let n = min(pa.count, pb.count)
            let c = n == 0 ? 0 : memcmp(pa.baseAddress!, pb.baseAddress!, n)
            return c != 0 ? c < 0 : pa.count < pb.count
        }
    }
}

extension RowSplicer.Row {
    /// The row's members, parsed back from its JSON line (for CSV).
    func members() throws -> [JSONMember] {
        try JSONParser.parse(json).objectMembers ?? []
    }
}

/// The first 16 bytes of an id as two big-endian integers, so integer order is byte order.
struct SortKey {
    let high: UInt64, low: UInt64

    init(_ id: [UInt8]) {
        var h: UInt64 = 0, l: UInt64 = 0
        for k in 0..<8 { h = h << 8 | UInt64(k < id.count ? id[k] : 0) }
        for k in 8..<16 { l = l << 8 | UInt64(k < id.count ? id[k] : 0) }
        high = h
        low = l
    }
}
