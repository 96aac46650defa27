import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the object folder holds, file by file: each pack with the ids its index lists, and each
/// loose object. Erasure uses it to find every copy of an object; `trail verify` to check every
/// file against its checksum.
public struct ObjectInventory {
    /// One `pack-<sha>.pack` and its `.idx`.
    public struct Pack {
        /// The path without extension: `<objects>/pack/pack-<sha>`.
        public let base: String
        /// The ids the index lists, in index (sorted) order.
        public let ids: [ObjectID]
        /// The `.pack` file's path.
        public var packPath: String { base + ".pack" }
        /// The `.idx` file's path.
        public var indexPath: String { base + ".idx" }
        /// The file name without folder or extension: `pack-<sha>`.
        public var name: String { (base as NSString).lastPathComponent }
    }

    /// The packs found, each with the ids its index lists.
    public private(set) var packs: [Pack] = []
    /// Loose objects, with their file paths.
    public private(set) var loose: [(id: ObjectID, path: String)] = []
    /// Index files that could not be read (named in the error).
    public private(set) var unreadable: [(path: String, problem: String)] = []

    /// Lists the object folder `objects` (`<git dir>/objects`).
    public init(objectsDirectory objects: String) {
        let fm = FileManager.default
        let packDir = objects + "/pack"
        for name in ((try? fm.contentsOfDirectory(atPath: packDir)) ?? []).sorted() where name.hasSuffix(".idx") && name.hasPrefix("pack-") {
            let base = packDir + "/" + String(name.dropLast(4))
            do {
                packs.append(Pack(base: base, ids: try PackIndexFile.ids(at: base + ".idx")))
            } catch let error as GitError {
                unreadable.append((base + ".idx", error.message))
            } catch {
                unreadable.append((base + ".idx", "\(error)"))
            }
        }
        for folder in ((try? fm.contentsOfDirectory(atPath: objects)) ?? []).sorted() where folder.utf8.count == 2 {
            for file in ((try? fm.contentsOfDirectory(atPath: objects + "/" + folder)) ?? []).sorted() where file.utf8.count == 38 {
                if let id = ObjectID(hex: folder + file) { loose.append((id, objects + "/" + folder + "/" + file)) }
            }
        }
    }
}

/// Reads pack index files (version 2) and checks pack files against their trailers.
public enum PackIndexFile {
    /// The ids a version-2 `.idx` lists, after checking its layout and its own checksum.
    public static func ids(at path: String) throws -> [ObjectID] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GitError(operation: "read \(path)", message: "cannot read the file")
        }
        return try data.withUnsafeBytes { raw -> [ObjectID] in
            guard raw.count >= 8 + 256 * 4 + 40, raw.load(as: UInt32.self) == UInt32(0xff744f63).bigEndian,
                  UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) == 2 else {
                throw GitError(operation: "read \(path)", message: "not a version 2 pack index")
            }
            let count = Int(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 8 + 255 * 4, as: UInt32.self)))
            guard raw.count >= 8 + 256 * 4 + count * 28 + 40 else {
                throw GitError(operation: "read \(path)", message: "the index is truncated")
            }
            var sha = StreamingSHA1()
            sha.update(UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 20)]))
            guard sha.finish().elementsEqual(raw[(raw.count - 20)...]) else {
                throw GitError(operation: "read \(path)", message: "the index's checksum does not match its bytes")
            }
            let base = raw.baseAddress! + 8 + 256 * 4
            return (0..<count).map { ObjectID(bytes: base + $0 * 20) }
        }
    }

    /// Nil when the pack's trailing SHA-1 matches its bytes and the index names the same
    /// checksum; otherwise what is wrong. Reads the whole pack once.
    public static func checksumProblem(pack packPath: String, index indexPath: String) -> String? {
        let fd = open(packPath, O_RDONLY)
        guard fd >= 0 else { return "cannot open \(packPath): \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size >= 32 else { return "\(packPath) is too short to be a pack" }
        let size = Int(st.st_size)
        // Read through a buffer, not a mapping: a mapped pass would leave the whole pack resident.
        var sha = StreamingSHA1()
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        var trailer = [UInt8](repeating: 0, count: 20)
        var done = 0
        while done < size - 20 {
            let want = min(buffer.count, size - 20 - done)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(done)) }
            guard n > 0 else { return "cannot read \(packPath): \(String(cString: strerror(errno)))" }
            buffer.withUnsafeBytes { sha.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            done += n
        }
        guard trailer.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, 20, off_t(size - 20)) }) == 20 else {
            return "cannot read \(packPath): \(String(cString: strerror(errno)))"
        }
        let computed = sha.finish()
        guard computed.elementsEqual(trailer) else {
            return "\(packPath): the pack's checksum does not match its bytes (the file is damaged)"
        }
        guard let index = FileManager.default.contents(atPath: indexPath), index.count >= 40,
              index[(index.count - 40)..<(index.count - 20)].elementsEqual(computed) else {
            return "\(indexPath) does not belong to \(packPath) (their checksums differ)"
        }
        return nil
    }
}
