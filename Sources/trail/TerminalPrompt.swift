import Foundation

/// Asking the person at the terminal, the only reading of it (as `TerminalText` is the only
/// writer): the core leaves that to its caller, through closures such as `CredentialPrompt`.
enum TerminalPrompt {
    /// A remote's user name (unless the URL gave one) and password, asked on the terminal when
    /// both standard input and standard error are one; nil when they are not, or when nothing
    /// was typed. Git's own prompt cannot be used: its credential helper runs in a process group
    /// of its own, which may not read the terminal.
    static func credentials(origin: String, username: String?) -> (username: String, password: String)? {
        guard isatty(0) == 1, isatty(2) == 1 else { return nil }
        var user = username ?? ""
        if user.isEmpty {
            TerminalText.writePrompt("Username for '\(origin)': ")
            user = readLine() ?? ""
        }
        // `origin` is SCHEME://HOST; the password prompt names the user too: SCHEME://USER@HOST.
        var named = origin
        if let scheme = origin.range(of: "://") { named = String(origin[..<scheme.upperBound]) + user + "@" + String(origin[scheme.upperBound...]) }
        guard !user.isEmpty, let typed = getpass("Password for '\(named)': ") else { return nil }
        return (user, String(cString: typed))
    }
}
