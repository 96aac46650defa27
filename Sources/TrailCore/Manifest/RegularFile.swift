#if canImport(Glibc)
import Glibc
#endif

/// Opening and reading files named by users (manifests, media, decision files) without the traps
/// of special files: a FIFO would block forever (while the store lock is held, for a commit), a
/// device could be endless, and a file that changes while it is read would be committed torn.
enum RegularFile {
    /// Why `path` cannot be read as input, or nil: a FIFO, a device, a socket or a folder, each
    /// named, with what to do.
    enum Problem: Error, Equatable {
        case cannotOpen(String)
        case notRegular(String)
        case changedWhileRead
        case readFailed(String)

        /// The sentence an error shows, about "the file" or "the media file".
        func message(_ what: String) -> String {
            switch self {
            case .cannotOpen(let reason): return "cannot open \(what): \(reason)"
            case .notRegular(let kind): return "\(what) is \(kind), not a regular file"
            case .changedWhileRead: return "\(what) changed while it was read"
            case .readFailed(let reason): return "cannot read \(what): \(reason)"
            }
        }

        /// What to do about it.
        var hint: String {
            switch self {
            case .cannotOpen: return "check the path and that you can read it"
            case .notRegular: return "give the path of a regular file (copy the data into one first)"
            case .changedWhileRead: return "wait until whatever writes it has finished, then run the command again"
            case .readFailed: return "check the disk and that the file is readable"
            }
        }
    }

    /// Opens `path` for reading without blocking (a FIFO opened so does not wait for a writer) and
    /// checks that it is a regular file. Returns the descriptor (the caller closes it) and its size.
    static func open(_ path: String) -> Result<(fd: Int32, info: stat), Problem> {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return .failure(.cannotOpen(String(cString: strerror(errno)))) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            return .failure(.cannotOpen(reason))
        }
        if let kind = kindName(info.st_mode) {
            close(fd)
            return .failure(.notRegular(kind))
        }
        // Reads of a regular file never block; clearing O_NONBLOCK keeps them plain.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return .success((fd, info))
    }

    /// Reads the whole regular file at `path`, in chunks (one read(2) returns at most ~2 GiB), and
    /// refuses it when its size or modification time changed while it was read.
    static func read(_ path: String) -> Result<[UInt8], Problem> {
        let opened: (fd: Int32, info: stat)
        switch open(path) {
        case .failure(let problem): return .failure(problem)
        case .success(let value): opened = value
        }
        defer { close(opened.fd) }
        let size = Int(opened.info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        let failure: Problem? = bytes.withUnsafeMutableBytes { buffer -> Problem? in
            while done < size {
                let n = Glibc.read(opened.fd, buffer.baseAddress! + done, min(size - done, 1 << 30))
                if n < 0 {
                    if errno == EINTR { continue }
                    return .readFailed(String(cString: strerror(errno)))
                }
                if n == 0 { return .changedWhileRead }  // it shrank
                done += n
            }
            return nil
        }
        if let failure { return .failure(failure) }
        var after = stat()
        var probe: UInt8 = 0
        var tail: Int
        repeat { tail = Glibc.read(opened.fd, &probe, 1) } while tail < 0 && errno == EINTR
        // Size, modification and status-change times: a writer that keeps the size and resets the
        // mtime still moves the ctime.
        guard tail == 0, fstat(opened.fd, &after) == 0, after.st_size == opened.info.st_size,
              after.st_mtim.tv_sec == opened.info.st_mtim.tv_sec, after.st_mtim.tv_nsec == opened.info.st_mtim.tv_nsec,
              after.st_ctim.tv_sec == opened.info.st_ctim.tv_sec, after.st_ctim.tv_nsec == opened.info.st_ctim.tv_nsec else {
            return .failure(.changedWhileRead)
        }
        return .success(bytes)
    }

    /// "a FIFO (named pipe)", "a folder", ... for what is not a regular file, nil for a regular one.
    static func kindName(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }
}
