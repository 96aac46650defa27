import Foundation

/// How far long work has come, for a progress bar. The core reports; the command line decides
/// whether and how to show it (a bar on a terminal, nothing in a pipe or with `--quiet`).
public enum ProgressReport {
    /// One step: `done` of `total` units (`total` nil when unknown) in `phase`.
    public struct Event: Sendable {
        /// What is being done, e.g. `Writing objects`.
        public let phase: String
        /// Units done so far in this phase.
        public let done: Int
        /// Units the phase will take; nil when unknown.
        public let total: Int?
        /// What is counted, e.g. `samples` or `objects`.
        public let unit: String
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var handler: (@Sendable (Event) -> Void)?

    /// Where events go (nil: nowhere, the default). Set once by the command line.
    public static func setHandler(_ newHandler: (@Sendable (Event) -> Void)?) {
        lock.lock(); defer { lock.unlock() }
        handler = newHandler
    }

    /// True when someone listens (so callers can skip counting work).
    static var isActive: Bool {
        lock.lock(); defer { lock.unlock() }
        return handler != nil
    }

    /// Reports a step from outside the core (a transfer's callback). Same as `report`.
    public static func forward(_ phase: String, done: Int, total: Int?, unit: String = "") {
        report(phase, done: done, total: total, unit: unit)
    }

    /// Reports a step; cheap when nobody listens. Callable from any thread.
    static func report(_ phase: String, done: Int, total: Int?, unit: String = "") {
        lock.lock()
        let current = handler
        lock.unlock()
        current?(Event(phase: phase, done: done, total: total, unit: unit))
    }
}

/// A counter that many threads add to, reporting each step (for `concurrentPerform` loops).
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    let phase: String, total: Int?, unit: String

    init(_ phase: String, total: Int?, unit: String = "") {
        self.phase = phase
        self.total = total
        self.unit = unit
        ProgressReport.report(phase, done: 0, total: total, unit: unit)
    }

    private var reported = 0

    /// Adds `n` done units; reports only every half percent (or so), so a per-item call is cheap.
    func add(_ n: Int) {
        lock.lock()
        done += n
        let now = done
        let step = max(1, (total ?? 100_000) / 200)
        let due = now - reported >= step || now == total
        if due { reported = now }
        lock.unlock()
        if due { ProgressReport.report(phase, done: now, total: total, unit: unit) }
    }
}
