import CDeflate
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An object to be written into a pack: its type, id and uncompressed content.
public struct PendingObject: Sendable {
    /// The object's type.
    public let type: ObjectType
    /// The object's id: the SHA-1 of its header and content.
    public let id: ObjectID
    /// The object's content, without the git header.
    public let data: [UInt8]

    /// An object whose id is computed here.
    public init(type: ObjectType, data: [UInt8]) {
        self.type = type
        self.data = data
        self.id = ObjectHasher.id(of: type, data)
    }

    /// An object whose id the caller has already computed (it must match `data`).
    public init(type: ObjectType, id: ObjectID, data: [UInt8]) {
        self.type = type
        self.id = id
        self.data = data
    }
}

/// Writes many objects as one git packfile (version 2, no deltas) and its index (version 2).
///
/// Why not libgit2's `git_mempack_dump`: its pack builder searches for deltas and compresses
/// on one thread, which takes minutes for millions of small records. Trail's records are
/// small and distinct, so deltas would save little; this writer compresses on every core
/// (libdeflate, about twice zlib's speed on 1-4 KB objects) and streams to a temporary file. The pack and its index become visible
/// only when the index is renamed into place, last, after both are on disk: a crash before
/// that leaves only a `tmp_*` file that no reader looks at.
public final class PackWriter {
    private let packDirectory: String
    private let expectedCount: Int
    /// True for a pack begun without its object count (`init(objectsDirectory:)`): the header's
    /// count is written at `finish`, and the checksum is then taken over the file as written.
    private let countLater: Bool
    private var fd: Int32
    private let tempPackPath: String
    private var sha = StreamingSHA1()
    private var offset: UInt64 = 0
    private var index: PackIndexEntries
    private var finished = false
    /// Compression level (1 fastest ... 12 smallest). On objects of a few hundred bytes,
    /// level 1 compresses as well as git's default 6 (measured: 0.711 vs 0.708 of the input).
    public var compressionLevel: Int32 = 1
    /// Objects smaller than this are stored in zlib's uncompressed form (still valid for git).
    /// zlib and libdeflate spend 5-8 µs on every object whatever its size (measured on
    /// 50-200 byte inputs), which for a million 300-byte records was most of a commit's time,
    /// to save a quarter of their size; larger objects (trees, long texts, media) are compressed.
    /// Called after each batch is written, with the number of objects written so far.
    public var onProgress: ((Int) -> Void)?
    /// Size in bytes below which objects are stored uncompressed (see the comment above `onProgress`); at most 65535.
    public var storeBelow = 8192 {
        didSet { precondition(storeBelow <= 0xffff, "stored objects must fit one deflate block") }
    }

    /// Starts a pack of exactly `expectedCount` objects in `<objectsDirectory>/pack`.
    public convenience init(objectsDirectory: String, expectedCount: Int) throws {
        try self.init(objectsDirectory: objectsDirectory, count: expectedCount)
    }

    /// Starts a pack whose number of objects is known only at the end, for a writer that
    /// streams objects as it makes them (a commit of millions of samples, never all held in
    /// memory). `finish` writes the count into the header and checksums the file, reading it
    /// back once.
    public convenience init(objectsDirectory: String) throws {
        try self.init(objectsDirectory: objectsDirectory, count: nil)
    }

    /// A pack begun without its count whose index spills a sorted run every `indexRunLength`
    /// entries (tests use small runs to cover the merge).
    convenience init(objectsDirectory: String, indexRunLength: Int) throws {
        try self.init(objectsDirectory: objectsDirectory, count: nil, indexRunLength: indexRunLength)
    }

    private init(objectsDirectory: String, count: Int?, indexRunLength: Int = PackWriter.indexRunLength) throws {
        self.packDirectory = objectsDirectory + "/pack"
        self.expectedCount = count ?? 0
        self.countLater = count == nil
        try FileManager.default.createDirectory(atPath: packDirectory, withIntermediateDirectories: true)
        var template = Array((packDirectory + "/tmp_pack_XXXXXX").utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw GitError.system("create a temporary pack in \(packDirectory)") }
        tempPackPath = String(cString: template)
        index = PackIndexEntries(directory: packDirectory, runLength: indexRunLength)
        try write(packHeader(count: UInt32(expectedCount)))
    }

    deinit {
        if !finished { abort() }
    }

    /// Compresses `objects` on all cores and appends them to the pack, in order.
    public func append(_ objects: [PendingObject]) throws {
        try CompressedChunk.compress(objects, level: compressionLevel, storeBelow: storeBelow, groupDone: { onProgress?(index.count) }) { chunk in
            for entry in chunk.entries {
                do { try index.append(id: entry.id, offset: offset + UInt64(entry.start), crc: entry.crc) } catch { abort(); throw error }
            }
            try write(chunk.bytes)
        }
    }

    /// Writes the checksum and the index, makes the pack visible, and returns its name
    /// (`pack-<sha1>`). Throws if the number of objects differs from the one announced.
    @discardableResult
    public func finish() throws -> String {
        guard countLater || index.count == expectedCount else {
            abort()
            throw GitError(operation: "write pack", message: "expected \(expectedCount) objects, got \(index.count)")
        }
        if countLater {
            guard index.count <= Int(UInt32.max) else {
                abort()
                throw GitError(operation: "write pack", message: "too many objects for one pack: \(index.count)")
            }
            do { sha = try checksumWithCount(UInt32(index.count)) } catch { abort(); throw error }
        }
        let checksum = sha.finish()
        try writeRaw(checksum)
        guard fsync(fd) == 0 else { let e = GitError.system("sync pack"); abort(); throw e }
        close(fd)
        fd = -1
        let name = "pack-" + checksum.map { String(format: "%02x", $0) }.joined()
        let packPath = packDirectory + "/" + name + ".pack"
        let idxPath = packDirectory + "/" + name + ".idx"
        let tempIdx = packDirectory + "/tmp_idx_" + name
        do {
            try writeIndex(to: tempIdx, packChecksum: checksum)
            try rename(tempPackPath, packPath)
            chmod(packPath, 0o444)
            try rename(tempIdx, idxPath)
            chmod(idxPath, 0o444)
            syncDirectory(packDirectory)
        } catch {
            unlink(tempIdx)
            unlink(tempPackPath)
            finished = true
            throw error
        }
        finished = true
        return name
    }

    /// Drops the temporary pack: nothing of it becomes visible.
    public func abort() {
        if fd >= 0 { close(fd); fd = -1 }
        index.discard()
        unlink(tempPackPath)
        finished = true
    }

    /// Writes `count` into the header of the pack written so far and returns the SHA-1 state
    /// over the whole file, read back in large slices (from the page cache, as it was just written).
    private func checksumWithCount(_ count: UInt32) throws -> StreamingSHA1 {
        let bytes = bigEndianBytes(count)
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress!, 4, 8) }
        guard written == 4 else { throw GitError.system("write the object count of \(tempPackPath)") }
        var hash = StreamingSHA1()
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        var at: off_t = 0
        while UInt64(at) < offset {
            let want = min(buffer.count, Int(offset - UInt64(at)))
            let n = buffer.withUnsafeMutableBytes { readAll(fd, into: $0.baseAddress!, count: want, at: Int(at)) } ?? 0
            guard n == want else { throw GitError.system("read back \(tempPackPath)") }
            buffer.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            at += off_t(n)
        }
        return hash
    }

    // MARK: - Index

    /// Entries the index holds in memory before it spills a sorted run (see PackIndexEntries).
    /// `TRAIL_PACK_INDEX_RUN` sets it (at least 1024: each run holds a descriptor open).
    static let indexRunLength = max(1 << 10, ProcessInfo.processInfo.environment["TRAIL_PACK_INDEX_RUN"].flatMap { Int($0) } ?? (1 << 20))

    /// Writes the index (version 2) in one pass over the entries in id order: the ids go straight
    /// into the file, CRCs and offsets into unlinked side files copied after them, so memory
    /// stays bounded however many objects the pack holds.
    private func writeIndex(to path: String, packChecksum: [UInt8]) throws {
        defer { index.discard() }
        let ifd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard ifd >= 0 else { throw GitError.system("create \(path)") }
        defer { close(ifd) }
        var out = HashingOutput(fd: ifd, what: path)
        var sides: [HashingOutput] = []
        defer { for side in sides { close(side.fd) } }
        for _ in 0..<3 { sides.append(try HashingOutput.temporary(in: packDirectory)) }
        var crcs = sides[0], offsets = sides[1], large = sides[2]

        try out.append([0xff, 0x74, 0x4f, 0x63] + bigEndianBytes(UInt32(2)))
        var running: UInt32 = 0
        for i in 0..<256 { running += index.fanout[i]; try out.append(running) }
        var previous: ObjectID?
        var largeCount: UInt32 = 0
        try index.forEachSorted { entry in
            let id = entry.id
            if id == previous { throw GitError(operation: "write pack index", message: "object \(id) added twice") }
            previous = id
            try out.append(id)
            try crcs.append(entry.crc)
            if entry.offset < 0x8000_0000 {
                try offsets.append(UInt32(entry.offset))
            } else {
                try offsets.append(UInt32(0x8000_0000) | largeCount)
                try large.append(entry.offset)
                largeCount += 1
            }
        }
        for var side in [crcs, offsets, large] { try side.flush(); try out.copy(from: side.fd, bytes: side.written) }
        try out.append(packChecksum)
        try out.flush()
        let checksum = out.hash?.finish() ?? []
        try checksum.withUnsafeBytes { try writeAll(ifd, $0, what: path) }
        guard fsync(ifd) == 0 else { throw GitError.system("sync \(path)") }
    }

    /// A buffered sequential writer, hashing what it writes when `hash` is set (the index's
    /// trailing checksum); integers go in big-endian, as the index format has them.
    private struct HashingOutput {
        let fd: Int32
        let what: String
        var hash: StreamingSHA1?
        private var buffer: [UInt8] = []
        /// Bytes appended so far.
        private(set) var written = 0

        init(fd: Int32, what: String, hashing: Bool = true) {
            self.fd = fd
            self.what = what
            hash = hashing ? StreamingSHA1() : nil
            buffer.reserveCapacity(1 << 20)
        }

        /// A writer (not hashing) into a new unlinked file under `directory`.
        static func temporary(in directory: String) throws -> HashingOutput {
            let fd = try unlinkedTemporaryFile(in: directory, prefix: "tmp_idx_side_")
            return HashingOutput(fd: fd, what: "a temporary file in \(directory)", hashing: false)
        }

        mutating func append(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try append($0) }
        }

        mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
            buffer.append(contentsOf: bytes)
            written += bytes.count
            if buffer.count >= 1 << 20 { try flush() }
        }

        mutating func append(_ value: UInt32) throws {
            var be = value.bigEndian
            try withUnsafeBytes(of: &be) { try append($0) }
        }

        mutating func append(_ value: UInt64) throws {
            var be = value.bigEndian
            try withUnsafeBytes(of: &be) { try append($0) }
        }

        mutating func append(_ id: ObjectID) throws {
            var raw: (UInt64, UInt64, UInt32) = (0, 0, 0)
            try withUnsafeMutableBytes(of: &raw) { p in
                id.storeBytes(into: p.baseAddress!)
                try append(UnsafeRawBufferPointer(rebasing: p[0..<20]))
            }
        }

        mutating func flush() throws {
            try buffer.withUnsafeBytes { bytes in
                hash?.update(bytes)
                try writeAll(fd, bytes, what: what)
            }
            buffer.removeAll(keepingCapacity: true)
        }

        /// Appends the first `bytes` bytes of the file `source`.
        mutating func copy(from source: Int32, bytes: Int) throws {
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            var at = 0
            while at < bytes {
                let want = min(chunk.count, bytes - at)
                let n = chunk.withUnsafeMutableBytes { readAll(source, into: $0.baseAddress!, count: want, at: at) } ?? 0
                guard n == want else { throw GitError.system("read back \(what)") }
                try chunk.withUnsafeBytes { try append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                at += n
            }
        }
    }

    // MARK: - I/O

    private func write(_ bytes: [UInt8]) throws {
        if !countLater { bytes.withUnsafeBytes { sha.update($0) } }
        try writeRaw(bytes)
        offset += UInt64(bytes.count)
    }

    private func writeRaw(_ bytes: [UInt8]) throws {
        do {
            try bytes.withUnsafeBytes { try writeAll(fd, $0, what: tempPackPath) }
        } catch {
            abort()
            throw error
        }
    }

    private func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw GitError.system("rename \(from) to \(to)") }
    }

}

/// Writes every byte, retrying short writes; a full disk or a file-size limit becomes an error.
func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, what: String) throws {
    var done = 0
    while done < buffer.count {
        let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
        if n < 0 {
            if errno == EINTR { continue }
            throw GitError.system("write \(what)")
        }
        done += n
    }
}

/// Reads up to `count` bytes of `fd` at `offset` into `buffer`, in as many reads as it takes.
/// Returns the bytes read (fewer only at the end of the file), or nil on an error.
func readAll(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) -> Int? {
    var done = 0
    while done < count {
        let n = pread(fd, buffer + done, count - done, off_t(offset + done))
        if n < 0 && errno == EINTR { continue }
        if n < 0 { return nil }
        if n == 0 { break }
        done += n
    }
    return done
}

/// A new file under `directory` named `prefix` and six random characters, unlinked at once:
/// only its descriptor (closed on exec) is left, so no crash leaves it behind, save one in the
/// instant between its creation and its unlinking (which a `tmp_idx_` prefix lets `Store` remove).
func unlinkedTemporaryFile(in directory: String, prefix: String) throws -> Int32 {
    var template = Array((directory + "/" + prefix + "XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw GitError.system("create a temporary file in \(directory)") }
    unlink(String(cString: template))
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    return fd
}

/// fsyncs a folder so that renames into it survive a power cut.
func syncDirectory(_ path: String) {
    let dfd = open(path, O_RDONLY)
    if dfd >= 0 { fsync(dfd); close(dfd) }
}

/// A run of objects compressed into pack entries, laid end to end.
struct CompressedChunk {
    var bytes: [UInt8] = []
    var entries: [(id: ObjectID, start: Int, crc: UInt32)] = []

    /// Compresses `objects` on all cores, 1024 to a chunk, and hands the chunks to `body` in
    /// order; a bounded group of chunks at a time, so memory stays proportional to the group.
    static func compress(_ objects: [PendingObject], level: Int32, storeBelow: Int, groupDone: () -> Void = {},
                         _ body: (CompressedChunk) throws -> Void) throws {
        let chunkSize = 1024, group = 64
        let chunkCount = (objects.count + chunkSize - 1) / chunkSize
        var first = 0
        while first < chunkCount {
            let last = min(first + group, chunkCount)
            var results = [CompressedChunk?](repeating: nil, count: last - first)
            results.withUnsafeMutableBufferPointer { slots in
                let base = slots.baseAddress!
                DispatchQueue.concurrentPerform(iterations: last - first) { k in
                    let c = first + k
                    let range = (c * chunkSize)..<min((c + 1) * chunkSize, objects.count)
                    (base + k).pointee = CompressedChunk(objects[range], level: level, storeBelow: storeBelow)
                }
            }
            for chunk in results { try body(chunk!) }
            groupDone()
            first = last
        }
    }

    init(_ objects: ArraySlice<PendingObject>, level: Int32, storeBelow: Int) {
        let compressor = libdeflate_alloc_compressor(level)!
        defer { libdeflate_free_compressor(compressor) }
        let estimate = objects.reduce(0) { $0 + $1.data.count + 32 }
        bytes.reserveCapacity(estimate)
        entries.reserveCapacity(objects.count)
        var scratch = [UInt8]()
        for object in objects {
            let start = bytes.count
            // Entry header: type and size, 4 bits then 7 bits per byte, low bits first.
            var size = object.data.count
            var byte = UInt8(object.type.rawValue << 4) | UInt8(size & 0x0f)
            size >>= 4
            while size > 0 {
                bytes.append(byte | 0x80)
                byte = UInt8(size & 0x7f)
                size >>= 7
            }
            bytes.append(byte)
            // Trees are mostly SHA-1s and deflate by a sixth at best; stored, they cost nothing to
            // write or read (a 10M-sample diff inflated 1.3 GB of 10 KB leaves), so any that
            // fits one stored block is stored.
            if object.data.count < storeBelow || (object.type == .tree && object.data.count <= 0xffff) {
                appendStored(object.data)
            } else {
                let bound = libdeflate_zlib_compress_bound(compressor, object.data.count)
                if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
                let written = object.data.withUnsafeBytes { src in
                    scratch.withUnsafeMutableBytes { dst in
                        libdeflate_zlib_compress(compressor, src.baseAddress, src.count, dst.baseAddress, dst.count)
                    }
                }
                precondition(written > 0, "libdeflate's bound was too small")
                scratch.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<written])) }
            }
            let crc = bytes.withUnsafeBytes { all in libdeflate_crc32(0, all.baseAddress! + start, all.count - start) }
            entries.append((object.id, start, crc))
        }
    }

    /// Appends `data` as a zlib stream of one uncompressed ("stored") deflate block:
    /// header 78 01, block header, LEN and its complement, the bytes, and their Adler-32.
    private mutating func appendStored(_ data: [UInt8]) {
        precondition(data.count <= 0xffff, "a stored block holds at most 65535 bytes")
        let len = UInt16(data.count)
        bytes.append(contentsOf: [0x78, 0x01, 0x01, UInt8(len & 0xff), UInt8(len >> 8), UInt8(~len & 0xff), UInt8(~len >> 8)])
        bytes.append(contentsOf: data)
        let adler = data.withUnsafeBytes { libdeflate_adler32(1, $0.baseAddress, $0.count) }
        bytes.append(contentsOf: bigEndianBytes(adler))
    }

}

/// A version 2 pack's 12-byte header: `PACK`, the version, the object count.
func packHeader(count: UInt32) -> [UInt8] {
    [UInt8]("PACK".utf8) + bigEndianBytes(UInt32(2)) + bigEndianBytes(count)
}

func bigEndianBytes(_ v: UInt32) -> [UInt8] {
    [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
}

func bigEndianBytes(_ v: UInt64) -> [UInt8] {
    bigEndianBytes(UInt32(v >> 32)) + bigEndianBytes(UInt32(v & 0xffff_ffff))
}
