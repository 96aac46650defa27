import CDeflate
import Foundation

/// Reads whole objects straight from the store's pack files: a search in each mapped `.idx`,
/// then one `pread` of the entry and one libdeflate call. Trail's own packs hold every object
/// whole (no deltas), and reading them this way is about twice as fast as through libgit2,
/// whose pack windows take a process-wide lock on every read. Anything else (a delta, a loose
/// object, a pack written after this reader was made) is left to libgit2: `read` returns nil.
///
/// Not thread-safe (one decompressor); each `Repository` handle (module `Git`) has its own.
public final class PackReader {
    /// One pack file and its index, mapped and open once per process (see `OpenPacks`).
    struct Pack {
        let index: UnsafeRawBufferPointer
        let data: UnsafeRawBufferPointer
        /// The pack file, open for `pread` (which any thread may call on it).
        let fd: Int32
        let count: Int
    }

    private var packs: [Pack] = []
    /// False when a pack of the folder could not be mapped or read (its objects are libgit2's only).
    public private(set) var coversEveryPack = true
    private let decompressor: OpaquePointer?
    /// Where small objects' compressed bytes are read (see `entry`).
    private var scratch = [UInt8](repeating: 0, count: 16 << 10)
    /// Objects up to this size are read with `pread` into `scratch`, which leaves no page of the
    /// pack in the process: a pass over a 6 GB pack keeps its resident set flat. Larger ones
    /// are decompressed from the mapping, whose pages are given back right after.
    static let preadBelow = 1 << 20
    /// Bytes read at first: most records and texts fit, with their entry header.
    static let firstRead = 1024
    /// Reads since the resident set was last checked (see `MappedPages`).
    private var readsSinceCheck = 0

    /// Reads every pack in `objects/pack` of the git dir `path` (skipping any it cannot read).
    public init(gitDir path: String) {
        decompressor = libdeflate_alloc_decompressor()
        let folder = (path as NSString).appendingPathComponent("objects/pack")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let indexNames = names.filter { $0.hasSuffix(".idx") }
        // Largest first: most lookups of objects the store holds end in its big first pack.
        packs = indexNames.compactMap { OpenPacks.open((folder as NSString).appendingPathComponent(String($0.dropLast(4)))) }
            .sorted { $0.count > $1.count }
        coversEveryPack = packs.count == indexNames.count
    }

    deinit {
        if let decompressor { libdeflate_free_decompressor(decompressor) }
    }

    /// True when one of the packs holds `id` (whole or not).
    public func contains(_ id: ObjectID) -> Bool {
        locate(id) != nil
    }

    /// The object, when a mapped pack holds it whole; nil otherwise.
    public func read(_ id: ObjectID) -> (type: ObjectType, data: [UInt8])? {
        guard let decompressor, let (pack, offset) = locate(id) else { return nil }
        return entry(at: offset, in: pack, decompressor: decompressor)
    }

    /// The type and size of `id` from its entry header, when a mapped pack holds it whole; nil
    /// otherwise (a delta, whose size is its result's, is left to libgit2). One small `pread`:
    /// libgit2's header read maps a 64 MiB window of the pack, and over a pack larger than its
    /// window budget (verify's content check reads ten million headers in id order) it mapped
    /// and unmapped windows at nearly every read.
    public func header(_ id: ObjectID) -> (type: ObjectType, size: Int)? {
        guard let (pack, offset) = locate(id), offset < pack.data.count else { return nil }
        let want = min(16, pack.data.count - offset)
        let parsed: (ObjectType, Int, Int)?
        if pack.fd >= 0 {
            guard let got = scratch.withUnsafeMutableBytes({ readAll(pack.fd, into: $0.baseAddress!, count: want, at: offset) }) else { return nil }
            parsed = scratch.withUnsafeBytes { Self.header(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
        } else {
            parsed = Self.header(UnsafeRawBufferPointer(rebasing: pack.data[offset..<(offset + want)]))
        }
        return parsed.map { ($0.0, $0.1) }
    }

    /// The first pack holding `id`, and the entry's offset in it.
    private func locate(_ id: ObjectID) -> (Pack, Int)? {
        countRead()
        for pack in packs {
            if let offset = find(id, in: pack) { return (pack, offset) }
        }
        return nil
    }

    /// Every few thousand lookups, lets the index pages go when the process is over budget.
    private func countRead() {
        readsSinceCheck += 1
        if readsSinceCheck >= MappedPages.checkEvery {
            readsSinceCheck = 0
            OpenPacks.releasePagesIfOverBudget()
        }
    }

    /// The pack offset of `id`: the fan-out narrows the sorted ids to those sharing its first
    /// byte. Ids are SHA-1s, spread evenly over that range, so the rest of the id says about
    /// where it sits; a couple of estimates from the ids read there land within a few entries.
    /// A gallop from there brackets it and a binary search of the bracket finds it. At ten
    /// million objects this reads a handful of nearby entries, where a binary search of a
    /// first-byte range (78k ids) took 17 reads a page apart, each a likely cache and TLB
    /// miss; a skewed pack only makes the gallop longer.
    private func find(_ id: ObjectID, in pack: Pack) -> Int? {
        let idx = pack.index
        let first = Int(id.a >> 56)
        func fan(_ k: Int) -> Int { Int(UInt32(bigEndian: idx.loadUnaligned(fromByteOffset: 8 + k * 4, as: UInt32.self))) }
        var lo = first == 0 ? 0 : fan(first - 1), hi = fan(first)
        guard lo < hi else { return nil }
        let ids = idx.baseAddress! + 8 + 256 * 4
        func key(_ k: Int) -> ObjectID { ObjectID(bytes: ids + k * 20) }
        // Entries per unit of the id's first 8 bytes, in this first-byte range.
        let density = Double(hi - lo) / 0x1p56
        func clamped(_ k: Double) -> Int { k.isFinite ? max(lo, min(hi - 1, Int(k))) : lo }
        var at = clamped(Double(lo) + Double(id.a & 0x00ff_ffff_ffff_ffff) * density)
        var candidate = key(at)
        for _ in 0..<2 where candidate != id {
            let next = clamped(Double(at) + (Double(id.a) - Double(candidate.a)) * density)
            if next == at { break }
            at = next
            candidate = key(at)
        }
        if candidate == id { return offset(at: at, in: pack) }
        // Gallop away from `at` toward `id` until an entry passes it: that bounds the bracket.
        var step = 1
        if candidate < id {
            lo = at + 1
            while at + step < hi {
                let k = key(at + step)
                if k == id { return offset(at: at + step, in: pack) }
                if k > id { hi = at + step; break }
                lo = at + step + 1
                step *= 2
            }
        } else {
            hi = at
            while at - step >= lo {
                let k = key(at - step)
                if k == id { return offset(at: at - step, in: pack) }
                if k < id { lo = at - step + 1; break }
                hi = at - step
                step *= 2
            }
        }
        while lo < hi {
            let mid = (lo + hi) / 2
            let k = key(mid)
            if k == id { return offset(at: mid, in: pack) }
            if k < id { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// The pack offset stored for the `k`th id of the index (large offsets in their own table).
    private func offset(at k: Int, in pack: Pack) -> Int? {
        let idx = pack.index
        let offsets = 8 + 256 * 4 + pack.count * 24
        let small = UInt32(bigEndian: idx.loadUnaligned(fromByteOffset: offsets + k * 4, as: UInt32.self))
        guard small & 0x8000_0000 != 0 else { return Int(small) }
        let large = offsets + pack.count * 4 + Int(small & 0x7fff_ffff) * 8
        guard large + 8 <= idx.count else { return nil }
        return Int(UInt64(bigEndian: idx.loadUnaligned(fromByteOffset: large, as: UInt64.self)))
    }

    /// A whole (non-delta) entry: its type and size in a variable-length header, then zlib data.
    /// A small one is read with one `pread` of its header and compressed bytes (a zlib stream
    /// is at most a few bytes per 16 KiB longer than its content, stored or not; a longer
    /// one is read again whole from the mapping).
    private func entry(at offset: Int, in pack: Pack, decompressor: OpaquePointer) -> (type: ObjectType, data: [UInt8])? {
        guard offset < pack.data.count else { return nil }
        let available = pack.data.count - offset
        guard pack.fd >= 0 else { return mappedEntry(at: offset, in: pack, decompressor: decompressor) }
        // A first read the size of a typical record: copying more from the page cache costs
        // more than a second read for the few larger objects.
        guard var got = scratch.withUnsafeMutableBytes({ readAll(pack.fd, into: $0.baseAddress!, count: min(Self.firstRead, available), at: offset) }),
              let (type, size, start) = scratch.withUnsafeBytes({ Self.header(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }) else { return nil }
        if size < Self.preadBelow {
            // The rest of the entry, up to its bound (grown in place: the bytes read stay).
            let want = min(start + size + size / 8 + 64, available)
            if want > scratch.count { scratch += repeatElement(0, count: want - scratch.count) }
            if got < want {
                guard let more = scratch.withUnsafeMutableBytes({ readAll(pack.fd, into: $0.baseAddress! + got, count: want - got, at: offset + got) }) else { return nil }
                got += more
            }
            if let object = scratch.withUnsafeBytes({ inflate(UnsafeRawBufferPointer(rebasing: $0[start..<got]), size: size, decompressor: decompressor) }) {
                return (type, object)
            }
            guard got < available else { return nil }
        }
        // Large, or longer than its bound: from the mapping.
        return mappedEntry(at: offset, in: pack, decompressor: decompressor)
    }

    /// An entry read from the pack's mapping (a large one, one longer than its bound, or any when
    /// the pack could not be kept open); the pages it touched go back afterwards.
    private func mappedEntry(at offset: Int, in pack: Pack, decompressor: OpaquePointer) -> (type: ObjectType, data: [UInt8])? {
        let available = pack.data.count - offset
        guard let (type, size, start) = Self.header(UnsafeRawBufferPointer(rebasing: pack.data[offset..<min(offset + 16, pack.data.count)])) else { return nil }
        let from = pack.data.baseAddress! + offset + start
        let object = inflate(UnsafeRawBufferPointer(start: from, count: available - start), size: size, decompressor: decompressor)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (Int(bitPattern: from) / page) * page
        let last = Int(bitPattern: pack.data.baseAddress! + pack.data.count)
        madvise(UnsafeMutableRawPointer(bitPattern: first), min(last - first, size + size / 8 + 64 + page), MADV_DONTNEED)
        return object.map { (type, $0) }
    }

    /// An entry's header: its type (whole objects only: deltas are libgit2's), its size, and
    /// where its zlib data starts; nil when `bytes` do not hold one.
    private static func header(_ bytes: UnsafeRawBufferPointer) -> (ObjectType, Int, Int)? {
        var p = 0
        guard p < bytes.count else { return nil }
        var byte = bytes[p]; p += 1
        guard let type = ObjectType(rawValue: (byte >> 4) & 7), (1...4).contains(type.rawValue) else { return nil }
        var size = Int(byte & 0x0f), shift = 4
        while byte & 0x80 != 0 {
            guard p < bytes.count, shift < 57 else { return nil }
            byte = bytes[p]; p += 1
            size |= Int(byte & 0x7f) << shift
            shift += 7
        }
        return (type, size, p)
    }

    /// Decompresses a zlib stream holding exactly `size` bytes from the start of `input`.
    private func inflate(_ input: UnsafeRawBufferPointer, size: Int, decompressor: OpaquePointer) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: max(size, 1))  // never a nil base address
        var produced = 0
        let result = out.withUnsafeMutableBytes { buffer in
            libdeflate_zlib_decompress_ex(decompressor, input.baseAddress, input.count, buffer.baseAddress, size, nil, &produced)
        }
        guard result == LIBDEFLATE_SUCCESS, produced == size else { return nil }
        if size == 0 { out.removeAll() }
        return out
    }
}

/// The packs this process has opened, each mapped and opened once, whichever thread or
/// repository handle reads it: workers reading a store on every core share one mapping of its
/// index, where a mapping each kept a copy of its pages resident per worker (1 GB more at ten
/// million samples). Mappings last as long as the process: a pack that erasure deletes stays
/// readable through them, and a rewritten pack has another name.
enum OpenPacks {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var byPath: [String: (inode: UInt64, size: Int, pack: PackReader.Pack)] = [:]

    /// The pack at `base` (`.idx` and `.pack`), mapped; nil when it cannot be read as a version 2 index and its pack.
    static func open(_ base: String) -> PackReader.Pack? {
        var st = stat()
        guard stat(base + ".idx", &st) == 0 else { return nil }
        lock.lock()
        defer { lock.unlock() }
        if let known = byPath[base], known.inode == UInt64(st.st_ino), known.size == Int(st.st_size) { return known.pack }
        _ = raisedFileLimit
        guard let (index, indexInode) = map(base + ".idx") else { return nil }
        // Version 2 index: magic, version, 256-entry fan-out whose last entry is the count.
        let count = index.count >= 8 + 256 * 4 ? Int(UInt32(bigEndian: index.loadUnaligned(fromByteOffset: 8 + 255 * 4, as: UInt32.self))) : 0
        guard index.count >= 8 + 256 * 4, index.load(as: UInt32.self) == UInt32(0xff744f63).bigEndian,
              UInt32(bigEndian: index.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) == 2,
              index.count >= 8 + 256 * 4 + count * 28 + 40,
              let (data, _) = map(base + ".pack") else {
            munmap(UnsafeMutableRawPointer(mutating: index.baseAddress!), index.count)
            return nil
        }
        // The pack must be the one its index describes, as libgit2 checks when it opens one: its
        // header's count, and its trailing checksum, which the index repeats. A truncated or
        // mismatched pack is left to libgit2 (which refuses it), never trusted from its index.
        let header = [UInt8](UnsafeRawBufferPointer(rebasing: data[0..<min(12, data.count)]))
        guard data.count >= 32, header[0..<4].elementsEqual("PACK".utf8),
              UInt32(bigEndian: data.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) == 2,
              Int(UInt32(bigEndian: data.loadUnaligned(fromByteOffset: 8, as: UInt32.self))) == count,
              memcmp(data.baseAddress! + data.count - 20, index.baseAddress! + index.count - 40, 20) == 0 else {
            munmap(UnsafeMutableRawPointer(mutating: index.baseAddress!), index.count)
            munmap(UnsafeMutableRawPointer(mutating: data.baseAddress!), data.count)
            return nil
        }
        // Without a descriptor to spare (EMFILE), objects are read from the mapping instead.
        let fd = Glibc.open(base + ".pack", O_RDONLY | O_CLOEXEC)
        let pack = PackReader.Pack(index: index, data: data, fd: fd, count: count)
        byPath[base] = (indexInode, index.count, pack)
        return pack
    }

    /// Each pack read keeps a descriptor open: the soft limit on open files (often 1024) goes up
    /// to the hard one, once, so that a store of many commits does not run out.
    private static let raisedFileLimit: Void = {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }()

    /// Gives the index pages back when the process holds more mapped-file pages than the budget (see `MappedPages`).
    static func releasePagesIfOverBudget() {
        lock.lock()
        let indexes = byPath.values.map { (UnsafeMutableRawPointer(mutating: $0.pack.index.baseAddress!), $0.pack.index.count) }
        lock.unlock()
        MappedPages.releaseIfOverBudget(indexes)
    }

    /// `file` mapped whole, and its inode (of the file opened, not of whatever the path names later).
    private static func map(_ file: String) -> (UnsafeRawBufferPointer, UInt64)? {
        let fd = Glibc.open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0,
              let p = mmap(nil, Int(st.st_size), PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else { return nil }
        return (UnsafeRawBufferPointer(start: p, count: Int(st.st_size)), UInt64(st.st_ino))
    }
}
