#if canImport(Glibc)
import Glibc
#endif

/// Files that appear whole or not at all: an export's JSON Lines or CSV, an HTML report.
public enum AtomicFile {
    /// Writes what `body` gives to `path` through a temporary file beside it
    /// (`PATH.trail-tmp-PID`), synced when `sync`, then renamed over `path`: a reader never sees
    /// half a file, and a failure leaves what `path` held and no temporary file. `what` names the
    /// file in errors (default: its path).
    public static func write(_ path: String, what: String? = nil, sync: Bool = false, _ body: (ChunkedOutput) throws -> Void) throws {
        let name = what ?? path
        let temp = path + ".trail-tmp-\(getpid())"
        func failure(_ step: String) -> TrailError {
            TrailError(.fileSystem(path: path), "cannot write \(name): \(step) (\(String(cString: strerror(errno))))", hint: "check that the folder exists, is writable and has free space")
        }
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("create") }
        var isOpen = true
        do {
            let sink = ChunkedOutput.file(fd, path: name)
            try body(sink)
            try sink.flush()
            if sync && fsync(fd) != 0 { throw failure("sync") }
            isOpen = false
            guard close(fd) == 0 else { throw failure("close") }
            guard rename(temp, path) == 0 else { throw failure("rename") }
        } catch {
            if isOpen { close(fd) }
            unlink(temp)
            throw error
        }
    }
}
