/// The rule every media path obeys, on commit and wherever a record's media path is read back
/// (export, and records a fetch or clone brings): relative to the media root or the export
/// folder, and never able to leave it.
enum MediaPath {
    /// Why `path` is refused ("it is absolute", ...), or nil when it is a safe relative path.
    static func problem(_ path: String) -> String? {
        if path.isEmpty { return "it is empty" }
        if path.hasPrefix("/") { return "it is absolute" }
        if path.utf8.contains(0) { return "it holds a NUL byte" }
        if path.contains("\\") { return "it holds a backslash" }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") { return "it goes up with '..'" }
        if parts.contains(where: { $0.isEmpty || $0 == "." }) { return "it has an empty or '.' part" }
        if parts.contains(where: { $0 == ".git" || $0 == ".trail" }) { return "it names a store folder (.git or .trail)" }
        return nil
    }
}
