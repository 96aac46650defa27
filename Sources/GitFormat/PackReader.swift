import CDeflate
import Foundation

/// Reads whole objects straight from the store's pack files: a binary search in each mapped
/// `.idx`, then one libdeflate call on the mapped `.pack`. Trail's own packs hold every object
/// whole (no deltas), and reading them this way is about twice as fast as through libgit2,
/// whose pack windows take a process-wide lock on every read. Anything else (a delta, a loose
/// object, a pack written after this reader was made) is left to libgit2: `read` returns nil.
///
/// Not thread-safe (one decompressor); each `Repository` handle (module `Git`) has its own.
public final class PackReader {
    private struct Pack {
        let index: UnsafeRawBufferPointer
        let data: UnsafeRawBufferPointer
        let count: Int
    }

    private var packs: [Pack] = []
    private var mappings: [(UnsafeMutableRawPointer, Int)] = []
    private let decompressor: OpaquePointer?
    /// Reads since the resident set was last checked (see `MappedPages`).
    private var readsSinceCheck = 0

    /// Maps every pack in `objects/pack` of the git dir `path` (skipping any it cannot read).
    public init(gitDir path: String) {
        decompressor = libdeflate_alloc_decompressor()
        let folder = (path as NSString).appendingPathComponent("objects/pack")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where name.hasSuffix(".idx") {
            let base = (folder as NSString).appendingPathComponent(String(name.dropLast(4)))
            guard let index = map(base + ".idx"), let data = map(base + ".pack") else { continue }
            // Version 2 index: magic, version, 256-entry fan-out whose last entry is the count.
            guard index.count >= 8 + 256 * 4, index.load(as: UInt32.self) == UInt32(0xff744f63).bigEndian,
                  UInt32(bigEndian: index.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) == 2 else { continue }
            let count = Int(UInt32(bigEndian: index.loadUnaligned(fromByteOffset: 8 + 255 * 4, as: UInt32.self)))
            guard index.count >= 8 + 256 * 4 + count * 28 else { continue }
            packs.append(Pack(index: index, data: data, count: count))
        }
    }

    deinit {
        for (p, n) in mappings { munmap(p, n) }
        if let decompressor { libdeflate_free_decompressor(decompressor) }
    }

    private func map(_ file: String) -> UnsafeRawBufferPointer? {
        let fd = open(file, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0,
              let p = mmap(nil, Int(st.st_size), PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else { return nil }
        mappings.append((p, Int(st.st_size)))
        return UnsafeRawBufferPointer(start: p, count: Int(st.st_size))
    }

    /// The object, when a mapped pack holds it whole; nil otherwise.
    public func read(_ id: ObjectID) -> (type: ObjectType, data: [UInt8])? {
        guard let decompressor else { return nil }
        readsSinceCheck += 1
        if readsSinceCheck >= MappedPages.checkEvery {
            readsSinceCheck = 0
            MappedPages.releaseIfOverBudget(mappings)
        }
        for pack in packs {
            guard let offset = find(id, in: pack) else { continue }
            return entry(at: offset, in: pack.data, decompressor: decompressor)
        }
        return nil
    }

    /// The pack offset of `id`: the fan-out narrows the sorted ids to those sharing its first
    /// byte, then a search finds it. Ids are SHA-1s, spread evenly, so interpolating on their
    /// first 8 bytes lands beside the target in a probe or two, where a binary search over a
    /// million-object pack takes a dozen, each a likely cache miss. A few interpolation steps
    /// at most, then binary search, so a skewed pack cannot make it slow.
    private func find(_ id: ObjectID, in pack: Pack) -> Int? {
        let idx = pack.index
        let first = Int(id.a >> 56)
        func fan(_ k: Int) -> Int { Int(UInt32(bigEndian: idx.loadUnaligned(fromByteOffset: 8 + k * 4, as: UInt32.self))) }
        var lo = first == 0 ? 0 : fan(first - 1), hi = fan(first)
        let ids = idx.baseAddress! + 8 + 256 * 4
        func key(_ k: Int) -> ObjectID { ObjectID(bytes: ids + k * 20) }
        var interpolations = 0
        while lo < hi {
            var mid = (lo + hi) / 2
            if interpolations < 3 && hi - lo > 8 {
                interpolations += 1
                let low = key(lo).a, high = key(hi - 1).a
                guard id.a >= low, id.a <= high else { return nil }
                if high > low {
                    let fraction = Double(id.a - low) / Double(high - low)
                    mid = min(hi - 1, lo + Int(fraction * Double(hi - 1 - lo)))
                }
            }
            let candidate = key(mid)
            if candidate == id { return offset(at: mid, in: pack) }
            if candidate < id { lo = mid + 1 } else { hi = mid }
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
    private func entry(at offset: Int, in data: UnsafeRawBufferPointer, decompressor: OpaquePointer) -> (type: ObjectType, data: [UInt8])? {
        var p = offset
        guard p < data.count else { return nil }
        var byte = data[p]; p += 1
        guard let type = ObjectType(rawValue: (byte >> 4) & 7), (1...4).contains(type.rawValue) else { return nil }  // deltas: libgit2
        var size = Int(byte & 0x0f), shift = 4
        while byte & 0x80 != 0 {
            guard p < data.count, shift < 57 else { return nil }
            byte = data[p]; p += 1
            size |= Int(byte & 0x7f) << shift
            shift += 7
        }
        var out = [UInt8](repeating: 0, count: max(size, 1))  // never a nil base address
        var produced = 0
        let result = out.withUnsafeMutableBytes { buffer in
            libdeflate_zlib_decompress_ex(decompressor, data.baseAddress! + p, data.count - p,
                                          buffer.baseAddress, size, nil, &produced)
        }
        guard result == LIBDEFLATE_SUCCESS, produced == size else { return nil }
        if size == 0 { out.removeAll() }
        return (type, out)
    }
}
