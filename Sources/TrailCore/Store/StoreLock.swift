import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a store, held by one writing process at a time, or a shared one that
/// readers hold to keep writers out (`trail verify`).
///
/// An `flock` on `trail.lock`: the kernel releases it when the process dies, even by
/// `kill -9`, so a crash never leaves a stale lock behind.
final class StoreLock {
    private let fd: Int32

    /// Takes the lock, waiting up to `timeout` seconds; `onWait` is called once if it must wait.
    /// A `shared` lock writes nothing: it opens the file read-only (so it works on a read-only
    /// store) and holds no lock when the file does not exist (no writer ever ran there).
    init(path: String, timeout: Double, shared: Bool = false, onWait: () -> Void) throws {
        fd = shared ? open(path, O_RDONLY | O_CLOEXEC) : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if shared && fd < 0 && errno == ENOENT { return }
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            if errno == EROFS || errno == EACCES || errno == EPERM {
                let store = (path as NSString).deletingLastPathComponent
                throw TrailError(.readOnly(path: store), "the store at \(store) is read-only for you (\(reason)), and this command writes to it",
                                 hint: "reading works as it is (log, show, diff, history, audit, export, verify); to write, get write access to the store's folder or work in a clone (`trail clone \(store) DIR`)")
            }
            throw TrailError(.fileSystem(path: path), "cannot open the store lock \(path): \(reason)", hint: "check that you can write to the store")
        }
        let deadline = Date().addingTimeInterval(timeout)
        var waited = false
        while flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                close(fd)
                throw TrailError(.fileSystem(path: path), "cannot lock the store: \(String(cString: strerror(errno)))")
            }
            if !waited { onWait(); waited = true }
            if Date() >= deadline {
                let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                close(fd)
                throw TrailError(.busy(holder: holder.isEmpty ? nil : holder), "another trail process is writing to this store\(holder.isEmpty ? "" : " (\(holder))"); gave up after \(Int(timeout)) s",
                                 hint: "wait for it to finish and run the command again, or raise TRAIL_LOCK_TIMEOUT (seconds)")
            }
            usleep(50_000)
        }
        if shared { return }
        // Note who holds it, for the message another process shows while it waits.
        ftruncate(fd, 0)
        let note = "pid \(getpid())\n"
        _ = note.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
    }
}
