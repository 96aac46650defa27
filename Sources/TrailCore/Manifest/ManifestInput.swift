import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Git
import GitFormat

/// A whole manifest, read, checked and turned into records and content blobs on every core.
struct ManifestInput {
    /// A patch line that removes a sample.
    struct Deletion {
        let key: ObjectID
        let id: String
        let line: Int
    }

    let file: String
    /// The samples, sorted by key.
    private(set) var samples: [BuiltSample] = []
    private(set) var deletions: [Deletion] = []
    /// Counts over `samples` (with the manifest's columns).
    private(set) var summary = SnapshotSummary()

    /// A patch that only removes `ids` (erasure), as if each were a `_delete` line.
    init(removing ids: [String]) {
        file = "(erasure)"
        deletions = ids.enumerated().map { Deletion(key: SampleKey.of($0.element), id: $0.element, line: $0.offset + 1) }
    }

    /// Maps `request`'s manifest (refusing an empty file) and makes the builder of its records.
    static func open(_ request: CommitRequest, config: DatasetConfig) throws -> (MappedFile, RecordBuilder) {
        let path = request.manifestPath
        let mapped = try MappedFile(path: path)
        guard mapped.bytes.count > 0 else {
            throw InputError(file: path, line: nil, message: "the file is empty",
                             hint: "a manifest needs at least one sample (a JSON object per line, or a CSV header and rows)")
        }
        let mediaRoot = try resolveMediaRoot(request.mediaRoot, manifest: path)
        return (mapped, RecordBuilder(config: config, file: path, mediaRoot: mediaRoot))
    }

    init(request: CommitRequest, config: DatasetConfig, isPatch: Bool) throws {
        let path = request.manifestPath
        file = path
        guard let format = request.format ?? ManifestFormat.from(path: path) else {
            throw InputError(file: path, line: nil, message: "cannot tell the manifest's format from its name",
                             hint: "name it .jsonl or .csv, or pass --format jsonl|csv")
        }
        let (mapped, builder) = try Self.open(request, config: config)

        var chunks: [ManifestChunk]
        var csvColumns: [String] = []
        switch format {
        case .jsonl:
            chunks = JSONLines.chunks(of: mapped.bytes, parts: ProcessInfo.processInfo.activeProcessorCount * 8)
        case .csv:
            let parsed = try CSVReader.rows(mapped.bytes, file: path)
            csvColumns = parsed.columns
            let size = max(1024, parsed.rows.count / (ProcessInfo.processInfo.activeProcessorCount * 8) + 1)
            chunks = stride(from: 0, to: parsed.rows.count, by: size).map {
                .rows(parsed.rows[$0..<min($0 + size, parsed.rows.count)])
            }
        }

        var results = [ChunkResult](repeating: ChunkResult(), count: chunks.count)
        let weights = chunks.map { chunk -> Int in
            switch chunk { case .jsonl(let bytes, _): return bytes.count; case .rows(let rows): return rows.count }
        }
        let progress = ProgressReport.isActive && mapped.bytes.count > 4 << 20
            ? ProgressCounter("Reading \((path as NSString).lastPathComponent)", total: weights.reduce(0, +), unit: format == .jsonl ? "bytes" : "rows") : nil
        results.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks.count) { k in
                base[k] = ChunkResult.build(chunks[k], builder: builder, config: config, isPatch: isPatch)
                progress?.add(weights[k])
            }
        }
        withExtendedLifetime(mapped) {}

        summary.addColumns(csvColumns)
        for result in results {
            if let error = result.error { throw error }
        }
        var total = 0
        for result in results { total += result.samples.count }
        samples.reserveCapacity(total)
        for result in results {
            samples.append(contentsOf: result.samples)
            deletions.append(contentsOf: result.deletions)
            summary.merge(result.summary)
        }
        guard !samples.isEmpty || !deletions.isEmpty else {
            throw InputError(file: path, line: nil, message: "the manifest holds no samples",
                             hint: "add at least one row")
        }
        samples.sort { $0.key < $1.key }
        try checkUnique(config: config)
    }

    /// The media root: the one given, else the manifest's folder; resolved, so containment checks hold.
    static func resolveMediaRoot(_ given: String?, manifest: String) throws -> String {
        let folder = given ?? (URL(fileURLWithPath: manifest).deletingLastPathComponent().path)
        guard let resolved = realpath(folder, nil) else {
            throw TrailError(.fileSystem(path: folder), "the media root \(folder) does not exist", hint: "pass --media-root with the folder media paths are relative to")
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Rejects a sample id given twice, naming both lines.
    private func checkUnique(config: DatasetConfig) throws {
        var lines: [ObjectID: Int] = [:]
        func clash(_ key: ObjectID, _ line: Int, id: String?) throws {
            if let first = lines[key] {
                throw InputError(file: file, line: max(first, line), field: config.idField,
                                 message: "duplicate id\(id.map { " '\($0)'" } ?? "") (also on line \(min(first, line)))",
                                 hint: "each sample id may appear once per manifest")
            }
            lines[key] = line
        }
        var k = 1
        while k < samples.count {
            if samples[k].key == samples[k - 1].key {
                let first = samples[k - 1].line, second = samples[k].line
                let id = (try? SampleRecord.decode(samples[k].record.data).field(config.idField)).flatMap { value -> String? in
                    switch value { case .string(let s): return s; case .number(let n): return n; default: return nil }
                }
                throw InputError(file: file, line: max(first, second), field: config.idField,
                                 message: "duplicate id\(id.map { " '\($0)'" } ?? "") (also on line \(min(first, second)))",
                                 hint: "each sample id may appear once per manifest")
            }
            k += 1
        }
        guard !deletions.isEmpty else { return }
        for sample in samples { lines[sample.key] = sample.line }
        for deletion in deletions { try clash(deletion.key, deletion.line, id: deletion.id) }
    }
}

/// What one worker made of one chunk.
struct ChunkResult {
    var samples: [BuiltSample] = []
    var deletions: [ManifestInput.Deletion] = []
    var summary = SnapshotSummary()
    var error: Error?

    static func build(_ chunk: ManifestChunk, builder: RecordBuilder, config: DatasetConfig, isPatch: Bool) -> ChunkResult {
        var result = ChunkResult()
        var seenColumns = Set<String>()
        func add(_ row: ManifestRow) throws {
            var row = row
            if isPatch {
                if let deletion = try deletion(row, builder: builder, config: config) {
                    result.deletions.append(deletion)
                    return
                }
                row = ManifestRow(line: row.line, members: row.members.filter { $0.key != "_delete" })
            }
            for member in row.members where !seenColumns.contains(member.key) {
                seenColumns.insert(member.key)
                result.summary.columns.append(member.key)
            }
            let (sample, fields) = try builder.build(row)
            result.samples.append(sample)
            result.summary.count(fields, roles: builder.roles, sign: 1)
        }
        do {
            switch chunk {
            case .rows(let rows):
                for row in rows { try add(row) }
            case .jsonl(let bytes, let firstLine):
                let fast = FastRecordPath(builder: builder)
                var counts = fast.makeCounts()
                var lastKeys: UInt64 = 0
                let deleteKey = Array(#""_delete""#.utf8)
                defer { result.summary.merge(fast.summary(counts)) }
                try JSONLines.forEachLine(bytes, firstLine: firstLine) { line, text in
                    // Patch rows that delete go the general way; upserts are ordinary rows.
                    let mayDelete = isPatch && text.firstRange(of: deleteKey) != nil
                    if !mayDelete, let (sample, keyHash) = try fast.build(text, line: line, counts: &counts) {
                        result.samples.append(sample)
                        // Column order: rows usually repeat the previous row's keys, so only look when they differ.
                        if keyHash != lastKeys {
                            for member in try JSONLines.parseRow(text, line: line, file: builder.file).members
                            where seenColumns.insert(member.key).inserted {
                                result.summary.columns.append(member.key)
                            }
                            lastKeys = keyHash
                        }
                        return
                    }
                    try add(JSONLines.parseRow(text, line: line, file: builder.file))
                }
            }
        } catch {
            result.error = error
        }
        return result
    }

    /// A patch row `{"id": …, "_delete": true}`, or nil for an upsert.
    private static func deletion(_ row: ManifestRow, builder: RecordBuilder, config: DatasetConfig) throws -> ManifestInput.Deletion? {
        guard let flag = row.members.first(where: { $0.key == "_delete" })?.value else { return nil }
        // CSV patches have the column on every row: an empty or false cell means "upsert".
        if flag == .bool(false) || flag == .string("") || flag == .string("false") || flag == .null { return nil }
        guard flag == .bool(true) || flag == .string("true") else {
            throw InputError(file: builder.file, line: row.line, field: "_delete", message: "must be true or false",
                             hint: "write \"_delete\": true to remove the sample, or leave the field out")
        }
        let idValue = row.members.first(where: { $0.key == config.idField })?.value
        let id: String
        switch idValue {
        case .string(let s)? where !s.isEmpty: id = s
        case .number(let n)?: id = n
        default:
            throw InputError(file: builder.file, line: row.line, field: config.idField, message: "a deletion needs the sample's id",
                             hint: "write {\"\(config.idField)\": \"...\", \"_delete\": true}")
        }
        return .init(key: SampleKey.of(id), id: id, line: row.line)
    }
}

extension UnsafeRawBufferPointer {
    /// The first occurrence of `pattern`, found by scanning for its first byte with memchr.
    func firstRange(of pattern: [UInt8]) -> Range<Int>? {
        guard let base = baseAddress, !pattern.isEmpty, count >= pattern.count else { return nil }
        var start = 0
        while start <= count - pattern.count, let hit = memchr(base + start, Int32(pattern[0]), count - pattern.count - start + 1) {
            let at = UnsafeRawPointer(hit) - base
            if pattern.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, pattern.count) }) == 0 { return at..<(at + pattern.count) }
            start = at + 1
        }
        return nil
    }
}
