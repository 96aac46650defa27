import Foundation
import TrailCore

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
    private var opened: Store?
    private var outputChecked = false

    /// The context for one run of a command with `options`, and `report` when its `--html`
    /// is declared apart from them (as `diff` does, last).
    init(_ options: some CommonOptions, report: HTMLOptions? = nil) {
        storeOptions = options.storeOptions
        json = options.json
        progressOptions = options.progressOptions
        reportOptions = report ?? options.reportOptions
    }

    /// The store, opened on first use (saying so on stderr when that finished an interrupted
    /// erasure). The output options are checked just before, so that a combination that cannot
    /// work (`--html -` with `--json`) fails before the store is touched.
    var store: Store {
        get throws {
            if let opened { return opened }
            try checkOutput()
            guard let storeOptions else { preconditionFailure("a command without --store opened a store") }
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

    /// Prints the result of a command that takes `--html`: with `--html FILE`, writes the page that `html` makes
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
