/// The rules media paths obey: relative to the media root or the export folder, and never able
/// to leave it. `unsafe` is what is refused wherever a record's media path is read back (export,
/// and records a fetch or clone brings); `problem`, on commit, refuses more, so that new records
/// stay clean while records older versions committed (with `.` or empty parts, say) still read.
enum MediaPath {
    /// Why `path` could leave its folder ("it is absolute", ...), or nil when it cannot.
    static func unsafe(_ path: String) -> String? {
        if path.isEmpty { return "it is empty" }
        if path.hasPrefix("/") { return "it is absolute" }
        if path.utf8.contains(0) { return "it holds a NUL byte" }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains("..") { return "it goes up with '..'" }
        return nil
    }

    /// Why a new record may not name `path`, or nil when it is a clean relative path.
    static func problem(_ path: String) -> String? {
        if let unsafe = unsafe(path) { return unsafe }
        if path.contains("\\") { return "it holds a backslash" }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains(where: { $0.isEmpty || $0 == "." }) { return "it has an empty or '.' part" }
        if parts.contains(where: { $0 == ".git" || $0 == ".trail" }) { return "it names a store folder (.git or .trail)" }
        return nil
    }
}
