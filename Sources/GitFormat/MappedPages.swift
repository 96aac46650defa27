import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the pages of mapped pack files (their `.idx`; small objects are read with `pread`) from
/// filling the process's resident set.
///
/// An index is mapped whole and searched where its ids lie. Every page touched stays mapped (and
/// counted in RSS) until it is unmapped, so lookups all over a 600 MB index would show 600 MB
/// resident although the kernel may drop those pages at any time. Readers check the process's resident
/// file pages every few thousand reads and, past `budget`, tell the kernel they are done with
/// their mappings (`MADV_DONTNEED`): the pages leave the process but stay in the page cache, so
/// touching them again costs a minor fault, not a disk read.
public enum MappedPages {
    /// Resident mapped-file bytes allowed before a reader lets its pages go. `TRAIL_MAPPED_BUDGET`
    /// (bytes) sets it; the default is 1 GiB. Pages given back are faulted in again on the next
    /// read, which costs a few microseconds a record when reads jump about the pack (records
    /// read in key order from a pack written in manifest order): 256 MiB made a 1M-sample export
    /// 1.6x slower, while a 1 GiB budget keeps a 1M-sample store's packs mapped whole.
    public static let budget: Int = getenv("TRAIL_MAPPED_BUDGET").flatMap { Int(String(cString: $0)) } ?? (1 << 30)

    /// Reads between checks of the resident set (a read of /proc costs some microseconds).
    static let checkEvery = 4096

    /// The process's resident file-backed and shared bytes, from /proc/self/statm (0 if unreadable).
    static func residentFileBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = read(fd, &buffer, buffer.count - 1)
        guard n > 0 else { return 0 }
        // Fields: size resident shared text lib data dt, in pages; `shared` is the third.
        let fields = buffer[0..<n].split(separator: UInt8(ascii: " "))
        guard fields.count >= 3, let pages = Int(String(decoding: fields[2], as: UTF8.self)) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Gives the pages of `mappings` back to the page cache when the process holds more than
    /// `budget` of mapped files. The mappings stay valid.
    static func releaseIfOverBudget(_ mappings: [(UnsafeMutableRawPointer, Int)]) {
        guard residentFileBytes() > budget else { return }
        for (p, n) in mappings { madvise(p, n, MADV_DONTNEED) }
    }
}
