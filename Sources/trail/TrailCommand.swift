import ArgumentParser
import Foundation
import TrailCore

/// A `trail` command. Its `run()` is given here: it makes the command's `CommandContext` and
/// calls `run(in:)` inside Trail's error reporting (`runReportingErrors`: a message on stderr and
/// an exit code), so that a command says only what is its own: which core call to make, and how
/// its result reads as text.
///
/// What the context offers follows from the option groups a command declares, by conforming to
/// `StoreCommand` (`--store`), `JSONCommand` (`--json`), `ProgressCommand` (`--quiet`) and
/// `ReportCommand` (`--html FILE`), the way SwiftPM's commands share one `SwiftCommandState`
/// made from their global options.
protocol TrailCommand: ParsableCommand {
    /// The command's own work: its core call, and its result written through `context`.
    func run(in context: CommandContext) throws
}

extension TrailCommand {
    /// Runs `run(in:)` with a fresh context, reporting Trail's errors as `error:`/`hint:` lines.
    func run() throws {
        try runReportingErrors { try run(in: CommandContext(for: self)) }
    }
}

/// A command that works on an existing store: `--store`, else TRAIL_STORE, else the nearest
/// store here or above (`CommandContext.store`).
protocol StoreCommand: TrailCommand {
    var storeOptions: StoreOptions { get }
}

/// A command that prints its result as JSON with `--json` (`CommandContext.emit`).
protocol JSONCommand: TrailCommand {
    var output: OutputOptions { get }
}

/// A command that does long work, drawn as a progress bar unless `--quiet`
/// (`CommandContext.withProgress`).
protocol ProgressCommand: JSONCommand {
    var progress: ProgressOptions { get }
}

/// A command whose result can also be one self-contained HTML page, `--html FILE`
/// (`CommandContext.emit(_:html:text:)`).
protocol ReportCommand: JSONCommand {
    var report: HTMLOptions { get }
}

/// What every command's run needs besides its own arguments, made once per run from the
/// command's option groups (as SwiftPM's `SwiftCommandState` is from its global options): the
/// store, opened on first use; the note said while waiting for the store's lock; the progress
/// bar; credentials for a remote; and the result, written as text, JSON or an HTML page.
final class CommandContext {
    /// True with `--json`: results are printed as JSON, and no progress is drawn.
    let json: Bool
    private let storeOptions: StoreOptions?
    private let progressOptions: ProgressOptions?
    private let reportOptions: HTMLOptions?
    private let commandName: String
    private var opened: Store?
    private var outputChecked = false

    /// The context for one run of `command`.
    init(for command: any TrailCommand) {
        storeOptions = (command as? any StoreCommand)?.storeOptions
        json = (command as? any JSONCommand)?.output.json ?? false
        progressOptions = (command as? any ProgressCommand)?.progress
        reportOptions = (command as? any ReportCommand)?.report
        commandName = type(of: command).configuration.commandName ?? "\(type(of: command))"
    }

    /// The store, opened on first use (saying so on stderr when that finished an interrupted
    /// erasure). The output options are checked just before, so that a combination that cannot
    /// work (`--html -` with `--json`) fails before the store is touched.
    var store: Store {
        get throws {
            if let opened { return opened }
            try checkOutput()
            guard let storeOptions else { preconditionFailure("trail \(commandName) takes no --store") }
            let store = try storeOptions.open()
            opened = store
            return store
        }
    }

    /// Says on stderr that the command is waiting for another process's write lock: pass it to
    /// the core as `onWaitForLock`.
    let onWaitForLock: () -> Void = { note("Waiting for another trail process to finish writing to this store...") }

    /// Runs `body`, the command's long work, with a progress bar on stderr when that is a
    /// terminal (never with `--json` or `--quiet`), and ends the bar's line when it returns. When
    /// `body` throws, the error's message ends the line instead.
    func withProgress<T>(_ body: () throws -> T) rethrows -> T {
        progressOptions?.start(json: json)
        let result = try body()
        progressOptions?.finish()
        return result
    }

    /// Runs a transfer with one credential session (TRAIL_USERNAME and TRAIL_PASSWORD, else git's
    /// helpers, else a prompt on the terminal: `TerminalPrompt.credentials`); once `body`
    /// returns, git's helpers are told that the credential they gave worked.
    func withCredentials<T>(_ body: (CredentialSource.Session) throws -> T) rethrows -> T {
        let session = CredentialSource.Session(prompt: TerminalPrompt.credentials)
        let result = try body(session)
        session.approve()
        return result
    }

    /// Prints a command's result: with `--json` as pretty JSON with sorted keys (docs/json.md),
    /// else as `text` prints it.
    func emit<T: Encodable>(_ value: T, text: (T) throws -> Void) throws {
        try checkOutput()
        if json { try printJSON(value) } else { try text(value) }
    }

    /// Prints a `ReportCommand`'s result: with `--html FILE`, writes the page that `html` makes
    /// (to FILE, atomically, or to standard output for `-`), then prints `value` as JSON with
    /// `--json`, else "Wrote report to FILE"; without `--html`, as `emit(_:text:)`.
    func emit<T: Encodable>(_ value: T, html: () throws -> String, text: (T) throws -> Void) throws {
        try checkOutput()
        guard let path = reportOptions?.html else { return try emit(value, text: text) }
        try writeHTMLReport(html(), to: path, json: json)
        if json { try printJSON(value) }
    }

    /// Refuses output options that cannot go together, once.
    private func checkOutput() throws {
        guard !outputChecked else { return }
        outputChecked = true
        try reportOptions?.check(json: json)
    }
}

/// Asking the person at the terminal: the command line's side of what the core leaves to its
/// caller.
enum TerminalPrompt {
    /// A remote's user name (unless the URL gave one) and password, asked on the terminal when
    /// both standard input and standard error are one; nil when they are not, or when nothing
    /// was typed. Git's own prompt cannot be used: its credential helper runs in a process group
    /// of its own, which may not read the terminal.
    static func credentials(origin: String, username: String?) -> (username: String, password: String)? {
        guard isatty(0) == 1, isatty(2) == 1 else { return nil }
        var user = username ?? ""
        if user.isEmpty {
            FileHandle.standardError.write(Data("Username for '\(origin)': ".utf8))
            user = readLine() ?? ""
        }
        // `origin` is SCHEME://HOST; the password prompt names the user too: SCHEME://USER@HOST.
        var named = origin
        if let scheme = origin.range(of: "://") { named = String(origin[..<scheme.upperBound]) + user + "@" + String(origin[scheme.upperBound...]) }
        guard !user.isEmpty, let typed = getpass("Password for '\(named)': ") else { return nil }
        return (user, String(cString: typed))
    }
}
