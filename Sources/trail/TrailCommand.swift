import ArgumentParser
import TrailCore

/// A `trail` command, in the way of SwiftPM's commands and their `SwiftCommandState`: it takes
/// its shared options as one group (`options`: `--store`, `--json`, `--quiet`, `--html`, as its
/// kind of command needs), and its `run()` is given here: it makes a `CommandContext` from them
/// and calls `run(in:)` inside Trail's error reporting (`runReportingErrors`: a message on stderr
/// and an exit code). So a command says only what is its own: its arguments, which core call to
/// make, and how its result reads as text.
protocol TrailCommand: ParsableCommand {
    associatedtype Options: CommonOptions
    /// The options the command shares with others of its kind, declared first.
    var options: Options { get }
    /// The context for one run; by default made from `options` alone.
    func makeContext() -> CommandContext
    /// The command's own work: its core call, and its result written through `context`.
    func run(in context: CommandContext) throws
}

extension TrailCommand {
    func makeContext() -> CommandContext { CommandContext(options) }

    /// Runs `run(in:)` with a fresh context, reporting Trail's errors as `error:`/`hint:` lines.
    func run() throws {
        try runReportingErrors { try run(in: makeContext()) }
    }
}

/// The options a kind of command shares, as one `@OptionGroup` (flattened in `--help` exactly
/// as if declared one by one): what `CommandContext` is made from.
protocol CommonOptions: ParsableArguments {
    /// `--store`, for a command that works on an existing store.
    var storeOptions: StoreOptions? { get }
    /// True with `--json`.
    var json: Bool { get }
    /// `--quiet`, for a command that draws progress.
    var progressOptions: ProgressOptions? { get }
    /// `--html FILE`, for a command that writes a report.
    var reportOptions: HTMLOptions? { get }
}

extension CommonOptions {
    var storeOptions: StoreOptions? { nil }
    var json: Bool { false }
    var progressOptions: ProgressOptions? { nil }
    var reportOptions: HTMLOptions? { nil }
}

/// `--store`: a command that works on an existing store (alone: checkout, remote add and
/// remove; init names the store to make with it).
extension StoreOptions: CommonOptions {
    var storeOptions: StoreOptions? { self }
}

/// `--json`: a command that prints its result as JSON.
extension OutputOptions: CommonOptions {}

/// `--quiet`: a command that does long work.
extension ProgressOptions: CommonOptions {
    var progressOptions: ProgressOptions? { self }
}

/// `--html FILE`: a command that writes a report.
extension HTMLOptions: CommonOptions {
    var reportOptions: HTMLOptions? { self }
}

/// Two groups of options, `First`'s before `Second`'s.
struct Both<First: CommonOptions, Second: CommonOptions>: CommonOptions {
    @OptionGroup var first: First
    @OptionGroup var second: Second

    var storeOptions: StoreOptions? { first.storeOptions ?? second.storeOptions }
    var json: Bool { first.json || second.json }
    var progressOptions: ProgressOptions? { first.progressOptions ?? second.progressOptions }
    var reportOptions: HTMLOptions? { first.reportOptions ?? second.reportOptions }
}

/// `--store` and `--json`: a command on a store that prints one result.
typealias ReadOptions = Both<StoreOptions, OutputOptions>
/// `--store`, `--json` and `--quiet`: a command on a store that does long work.
typealias WorkOptions = Both<ReadOptions, ProgressOptions>
/// `--store`, `--json` and `--html FILE`: a report (`trail audit ...`).
typealias ReportOptions = Both<ReadOptions, HTMLOptions>
/// `--json` and `--quiet`: long work that makes its own store (clone).
typealias CloneOptions = Both<OutputOptions, ProgressOptions>
