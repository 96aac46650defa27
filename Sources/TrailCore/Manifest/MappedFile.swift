#if canImport(Glibc)
import Glibc
#endif

/// A file's bytes, mapped read-only into memory; unmapped when released.
final class MappedFile {
    let path: String
    let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?

    init(path: String) throws {
        self.path = path
        // Opened without blocking and checked first: a FIFO or device as the manifest is refused
        // at once instead of waiting forever for a writer.
        let fd: Int32, info: stat
        switch RegularFile.open(path) {
        case .success(let opened): (fd, info) = opened
        case .failure(let problem): throw InputError(file: path, line: nil, message: problem.message("the manifest"), hint: problem.hint)
        }
        defer { close(fd) }
        let size = Int(info.st_size)
        if size == 0 {
            mapping = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw InputError(file: path, line: nil, message: "cannot map the file: \(String(cString: strerror(errno)))")
        }
        madvise(p, size, MADV_SEQUENTIAL | MADV_WILLNEED)
        mapping = p
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    deinit {
        if let mapping { munmap(mapping, bytes.count) }
    }

    /// Gives back the pages of `range` that this process has read: they leave its resident set
    /// (the file stays in the page cache), so a manifest read window by window never counts whole
    /// against the process's memory. The bytes stay readable; reading them again faults them in.
    func release(_ range: Range<Int>) {
        guard let mapping, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound >= bytes.count ? bytes.count : range.upperBound / page * page
        guard end > start else { return }
        madvise(mapping + start, end - start, MADV_DONTNEED)
    }
}

/// Counts newline bytes in a buffer.
func countNewlines(_ b: UnsafeRawBufferPointer) -> Int {
    guard var p = b.baseAddress else { return 0 }
    let end = p + b.count
    var count = 0
    while p < end, let hit = memchr(p, 0x0a, end - p) {
        count += 1
        p = UnsafeRawPointer(hit) + 1
    }
    return count
}
