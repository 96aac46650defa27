import Foundation
import CGit2

/// An error reported by libgit2 or by Trail's own object writer.
public struct GitError: Error, CustomStringConvertible, Equatable {
    /// libgit2's return code (`GIT_ENOTFOUND`, ...), or -1 for Trail's own failures.
    public let code: Int32
    /// What Trail was doing when the call failed, e.g. "read object 1a2b…".
    public let operation: String
    /// libgit2's message (or Trail's), as the library gave it.
    public let message: String

    public init(code: Int32 = -1, operation: String, message: String) {
        self.code = code
        self.operation = operation
        self.message = message
    }

    /// The object, reference or path does not exist.
    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
    /// A reference moved under us (compare-and-swap failed) or its lock is held.
    public var isConcurrentUpdate: Bool { code == GIT_EMODIFIED.rawValue || code == GIT_ELOCKED.rawValue }

    /// The disk is full, or a file would grow past the file-size limit (`ulimit -f`) or a quota.
    public var isDiskFull: Bool { [ENOSPC, EFBIG, EDQUOT].contains { message.contains(String(cString: strerror($0))) } }

    public var description: String { "\(operation): \(message)" }
}

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
    throw GitError(code: rc, operation: operation(), message: message)
}
