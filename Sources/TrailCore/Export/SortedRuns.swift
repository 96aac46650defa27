import Foundation
import GitFormat
#if canImport(Glibc)
import Glibc
#endif

/// An external sort of export rows by id, for snapshots whose rows do not fit in memory at once:
/// rows are gathered up to `budget` bytes, sorted, and written as a run to a temporary file (under
/// the store when it is writable, else the system's temporary folder); `forEach` then merges the
/// runs. The files are deleted when the sorter is released. Rows keep their id, JSON and deferred
/// texts; media entries are not kept (only a folder export needs them, and it sorts in memory).
final class SortedRuns {
    typealias Row = RowSplicer.Row

    /// Bytes of rows (ids and JSON) held before a run is written. `TRAIL_EXPORT_RUN_BYTES` sets it.
    static let defaultBudget = ProcessInfo.processInfo.environment["TRAIL_EXPORT_RUN_BYTES"].flatMap { Int($0) } ?? (192 << 20)

    private let folder: String
    private let budget: Int
    private var pending: [Row] = []
    private var pendingBytes = 0
    private var runs: [String] = []
    /// Rows added in all.
    private(set) var count = 0

    /// A sorter whose runs go into `folder` (if it can be written, else the temporary folder).
    init(folder: String, budget: Int = SortedRuns.defaultBudget) {
        self.folder = access(folder, W_OK) == 0 ? folder : NSTemporaryDirectory()
        self.budget = max(budget, 1)
    }

    deinit {
        for run in runs { unlink(run) }
    }

    /// True once a run was written (the rows no longer fit the budget).
    var spilled: Bool { !runs.isEmpty }

    /// Adds a row; writes a run when the budget is reached.
    func add(_ row: Row) throws {
        pending.append(row)
        pendingBytes += row.id.count + row.json.count + 64
        count += 1
        if pendingBytes >= budget { try spill() }
    }

    /// The rows as one sorted array, when no run was written (the in-memory case).
    func takeSortedInMemory() -> [Row] {
        let rows = Self.sorted(pending)
        pending = []
        return rows
    }

    /// Every row in id order: the runs merged (the pending rows written as a last run first).
    func forEach(_ body: (Row) throws -> Void) throws {
        if !pending.isEmpty { try spill() }
        var readers = try runs.map { try RunReader(path: $0) }
        var heads: [Row?] = try readers.indices.map { try readers[$0].next() }
        var keys: [SortKey?] = heads.map { $0.map { SortKey($0.id) } }
        while true {
            var best = -1
            for k in heads.indices {
                guard let key = keys[k] else { continue }
                if best < 0 { best = k; continue }
                let bk = keys[best]!
                let first: Bool
                if key.high != bk.high {
                    first = key.high < bk.high
                } else if key.low != bk.low {
                    first = key.low < bk.low
                } else {
                    first = bytesPrecede(heads[k]!.id, heads[best]!.id)
                }
                if first { best = k }
            }
            guard best >= 0 else { break }
            try body(heads[best]!)
            heads[best] = try readers[best].next()
            keys[best] = heads[best].map { SortKey($0.id) }
        }
    }

    /// Rows sorted by id (byte order). The ids' first 16 bytes are compared as integers, and the
    /// whole ids only on a tie: ids often share long prefixes ("s000000…"), which made byte
    /// comparison a tenth of an export.
    static func sorted(_ rows: [Row]) -> [Row] {
        let keys = rows.map { SortKey($0.id) }
        var order = Array(rows.indices)
        order.sort { a, b in
            let ka = keys[a], kb = keys[b]
            if ka.high != kb.high { return ka.high < kb.high }
            if ka.low != kb.low { return ka.low < kb.low }
            return bytesPrecede(rows[a].id, rows[b].id)
        }
        return order.map { rows[$0] }
    }

    private func spill() throws {
        let rows = Self.sorted(pending)
        pending = []
        pendingBytes = 0
        var template = Array((folder + "/tmp_export_run_XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw TrailError(.fileSystem(path: folder), "cannot create a temporary file in \(folder): \(String(cString: strerror(errno)))",
                             hint: "an export of this size sorts its rows on disk; free some space or check the folder's permissions")
        }
        let path = String(cString: template)
        runs.append(path)
        defer { close(fd) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        func flush() throws {
            var done = 0
            while done < buffer.count {
                let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw TrailError(errno == ENOSPC ? .diskFull : .fileSystem(path: path), "cannot write \(path): \(String(cString: strerror(errno)))",
                                     hint: "an export of this size sorts its rows on disk; free some space and export again")
                }
                done += n
            }
            buffer.removeAll(keepingCapacity: true)
        }
        for row in rows {
            Self.put(UInt32(row.id.count), &buffer)
            buffer += row.id
            Self.put(UInt32(row.json.count), &buffer)
            buffer += row.json
            Self.put(UInt32(row.deferred.count), &buffer)
            for text in row.deferred {
                Self.put(UInt32(text.offset), &buffer)
                let field = Array(text.field.utf8)
                Self.put(UInt32(field.count), &buffer)
                buffer += field
                var raw = [UInt8](repeating: 0, count: 20)
                raw.withUnsafeMutableBytes { text.blob.storeBytes(into: $0.baseAddress!) }
                buffer += raw
            }
            if buffer.count >= 1 << 20 { try flush() }
        }
        try flush()
    }

    private static func put(_ value: UInt32, _ buffer: inout [UInt8]) {
        buffer.append(UInt8(value & 0xff)); buffer.append(UInt8(value >> 8 & 0xff))
        buffer.append(UInt8(value >> 16 & 0xff)); buffer.append(UInt8(value >> 24))
    }

    /// Reads one run back, a large slice at a time.
    private struct RunReader {
        let fd: Int32
        var buffer: [UInt8] = []
        var at = 0
        var atEnd = false

        init(path: String) throws {
            fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw TrailError(.fileSystem(path: path), "cannot read back \(path): \(String(cString: strerror(errno)))")
            }
        }

        /// Makes at least `n` bytes available from `at`, unless the file ends first.
        private mutating func fill(_ n: Int) throws -> Bool {
            if buffer.count - at >= n { return true }
            buffer.removeSubrange(0..<at)
            at = 0
            while buffer.count < n && !atEnd {
                var chunk = [UInt8](repeating: 0, count: max(1 << 20, n - buffer.count))
                let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if got < 0 && errno == EINTR { continue }
                guard got >= 0 else { throw TrailError(.fileSystem(path: "export run"), "cannot read an export run: \(String(cString: strerror(errno)))") }
                if got == 0 { atEnd = true; close(fd) } else { buffer += chunk[0..<got] }
            }
            return buffer.count - at >= n
        }

        private mutating func u32() throws -> Int {
            guard try fill(4) else { throw TrailError(.fileSystem(path: "export run"), "an export run ended early") }
            let v = Int(buffer[at]) | Int(buffer[at + 1]) << 8 | Int(buffer[at + 2]) << 16 | Int(buffer[at + 3]) << 24
            at += 4
            return v
        }

        private mutating func bytes(_ n: Int) throws -> [UInt8] {
            guard try fill(n) else { throw TrailError(.fileSystem(path: "export run"), "an export run ended early") }
            defer { at += n }
            return Array(buffer[at..<(at + n)])
        }

        mutating func next() throws -> Row? {
            guard try fill(1) else { return nil }
            let id = try bytes(u32())
            let json = try bytes(u32())
            var row = Row(id: id, json: json, media: [])
            for _ in 0..<(try u32()) {
                let offset = try u32()
                let field = String(decoding: try bytes(u32()), as: UTF8.self)
                let raw = try bytes(20)
                row.deferred.append((offset, field, ObjectID(rawBytes: raw)))
            }
            return row
        }
    }
}
