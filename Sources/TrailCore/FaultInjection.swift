import Foundation

/// A test hook, compiled into debug builds only (the ones `swift test` runs): with
/// `TRAIL_TEST_KILL_AT=<point>` in the environment, the process kills itself (SIGKILL, as a crash
/// or `kill -9` would) on reaching that point, so that tests can check what a crash at exactly
/// that moment leaves behind. Points: `erase-recorded`, `erase-committed`, `erase-unlisted`,
/// `erase-pack-replaced`, `erase-media-deleted`, `clone-snapshots-arrived`, `media-uploading` (after a commit's
/// fifth media upload), `media-set-uploaded`, `media-set-configured` (`trail media-store set`). In a release build `reached` does nothing.
enum FaultInjection {
    #if DEBUG
    private static let point = getenv("TRAIL_TEST_KILL_AT").map { String(cString: $0) }
    #endif

    @inline(__always)
    static func reached(_ name: String) {
        #if DEBUG
        if point == name { kill(getpid(), SIGKILL) }
        #endif
    }
}
