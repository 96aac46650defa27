import CGit2
import Foundation
import GitFormat

/// Initialises libgit2 once per process; it is never shut down (as git2-rs does).
enum Libgit2 {
    static let initialized: Void = {
        git_libgit2_init()
        // libgit2 re-hashes every object it reads (with collision-detecting SHA-1) by default,
        // which made reading a million records several times slower than inflating them.
        // `trail verify` checks every object's hash explicitly instead.
        _ = trail_git_disable_read_verification()
        // Trail reads each record once; libgit2's object cache only added hashing and locking.
        _ = trail_git_set_caching(0)
        // Mapped pack pages count in RSS: with its defaults one pass over a 6 GB pack could show 6 GB.
        _ = trail_git_set_pack_windows(64 << 20, MappedPages.budget)
    }()
}

/// libgit2's global setup, started early.
public enum GitLibrary {
    /// Starts libgit2's global setup on another thread. It takes milliseconds (Debian's build
    /// parses the system's CA certificates there), which then overlap with argument parsing
    /// instead of adding to a quick command's time; whoever needs libgit2 first waits for it.
    public static func prepareInBackground() {
        Thread.detachNewThread { _ = Libgit2.initialized }
    }

    /// Waits for that setup to end. Called before the process exits: exiting while another
    /// thread is inside libgit2's (and OpenSSL's) initialisation can crash in their teardown.
    public static func finishSetup() {
        _ = Libgit2.initialized
    }
}

/// Turns a negative libgit2 return code into a `GitError` carrying `git_error_last()`'s message.
@discardableResult
func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws -> Int32 {
    guard rc < 0 else { return rc }
    var message = "libgit2 error \(rc)"
    if let last = git_error_last(), let text = last.pointee.message {
        message = String(cString: text)
    }
    git_error_clear()
    throw GitError(code: GitError.Code(rawValue: rc), operation: operation(), message: message)
}
