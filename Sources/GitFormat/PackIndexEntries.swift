import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The entries of a pack being written (each object's id, offset and CRC), kept for its index
/// with bounded memory: up to `runLength` entries wait in memory; a full run is sorted by id and
/// spilled to a temporary file beside the pack, unlinked as soon as it is open (so a crash leaves
/// nothing behind). `forEachSorted` merges the runs. A pack of 20 million objects then holds one
/// run (32 MiB) and a read buffer per run, not 800 MiB of entries and their copy being sorted.
struct PackIndexEntries {
    /// One object's entry, 32 bytes without padding (written to runs as it is laid out in memory).
    struct Entry {
        var a: UInt64, b: UInt64, offset: UInt64
        var c: UInt32, crc: UInt32

        init(id: ObjectID, offset: UInt64, crc: UInt32) {
            a = id.a; b = id.b; c = id.c
            self.offset = offset
            self.crc = crc
        }

        var id: ObjectID { ObjectID(a: a, b: b, c: c) }

        static func < (l: Entry, r: Entry) -> Bool {
            if l.a != r.a { return l.a < r.a }
            if l.b != r.b { return l.b < r.b }
            return l.c < r.c
        }
    }

    private let directory: String
    private let runLength: Int
    private var pending: [Entry] = []
    /// Spilled runs, each sorted, as open descriptors of unlinked files and their lengths.
    private var runs: [(fd: Int32, count: Int)] = []
    /// Entries by first byte of their id: the index's fan-out table, known without a pass.
    private(set) var fanout = [UInt32](repeating: 0, count: 256)
    /// Entries added so far.
    private(set) var count = 0

    /// Entries spilled under `directory` (the pack's folder), `runLength` at a time.
    init(directory: String, runLength: Int = 1 << 20) {
        self.directory = directory
        self.runLength = max(runLength, 1)
    }

    /// Adds one object's entry.
    mutating func append(id: ObjectID, offset: UInt64, crc: UInt32) throws {
        if pending.isEmpty { pending.reserveCapacity(min(runLength, 1 << 16)) }
        pending.append(Entry(id: id, offset: offset, crc: crc))
        fanout[Int(id.firstByte)] += 1
        count += 1
        if pending.count >= runLength { try spill() }
    }

    /// Closes the spilled runs (their files are already unlinked).
    mutating func discard() {
        for run in runs { close(run.fd) }
        runs = []
        pending = []
    }

    /// Calls `body` with every entry in id order (the pending ones and every run merged).
    /// Consumes the entries: call it once, then `discard`.
    mutating func forEachSorted(_ body: (Entry) throws -> Void) throws {
        pending.sort(by: <)
        if runs.isEmpty {
            for entry in pending { try body(entry) }
            return
        }
        if !pending.isEmpty { try spill() }
        var readers = try runs.map { try RunReader(fd: $0.fd, count: $0.count) }
        // A binary heap of the readers by their current entry: log2(runs) comparisons an entry.
        var heap = Array(readers.indices.filter { readers[$0].current != nil })
        func less(_ i: Int, _ j: Int) -> Bool { readers[heap[i]].current! < readers[heap[j]].current! }
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && less(l, m) { m = l }
                if r < heap.count && less(r, m) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        while let top = heap.first {
            try body(readers[top].current!)
            try readers[top].advance()
            if readers[top].current == nil {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
        }
    }

    private mutating func spill() throws {
        pending.sort(by: <)
        let fd = try unlinkedTemporaryFile(in: directory, prefix: "tmp_idx_run_")
        do {
            try pending.withUnsafeBytes { try writeAll(fd, $0, what: "a temporary index run in \(directory)") }
        } catch {
            close(fd)
            throw error
        }
        runs.append((fd, pending.count))
        pending.removeAll(keepingCapacity: true)
    }

    /// Reads one spilled run from its start, a buffer at a time.
    private struct RunReader {
        let fd: Int32
        var left: Int
        var buffer: [Entry] = []
        var at = 0
        var offset: off_t = 0
        private(set) var current: Entry?

        init(fd: Int32, count: Int) throws {
            self.fd = fd
            left = count
            try advance()
        }

        mutating func advance() throws {
            at += 1
            if at >= buffer.count {
                try refill()
                at = 0
            }
            current = at < buffer.count ? buffer[at] : nil
        }

        private mutating func refill() throws {
            let n = min(left, 1 << 15)
            guard n > 0 else { buffer = []; return }
            let bytes = n * MemoryLayout<Entry>.stride
            // Plain integers: every byte is read below before any is looked at, or the read throws.
            var storage = [Entry](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
            let got = storage.withUnsafeMutableBytes { readAll(fd, into: $0.baseAddress!, count: bytes, at: Int(offset)) }
            guard got == bytes else { throw GitError.system("read back a temporary index run") }
            offset += off_t(bytes)
            left -= n
            buffer = storage
        }
    }
}
