import ArgumentParser
import Foundation
import TrailCore

/// `--quiet`, taken by the commands that do long work.
struct ProgressOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Show no progress bar (none is shown when stderr is not a terminal anyway).")
    var quiet = false

    /// Starts drawing progress on stderr when it is a terminal and `--quiet` was not given.
    func start(json: Bool = false) {
        guard !quiet, !json, isatty(2) == 1 else { return }
        let bar = ProgressBar()
        ProgressReport.setHandler { bar.draw($0) }
    }

    /// Ends a bar still being drawn, before the command prints its result.
    func finish() {
        ProgressReport.setHandler(nil)
        ProgressBar.endLine()
    }
}

/// Draws one line on stderr: `Writing objects  [#######.......]  52%  1048576/2000000  (612k/s)`,
/// at most ten times a second, and starts a new line when the phase changes.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var phase = ""
    private var phaseStart = Date()
    private var lastDraw = Date.distantPast
    /// A phase whose bar reached its end ("done."): later reports of it are not drawn again.
    private var finishedPhase = ""
    nonisolated(unsafe) private static var drawn = false

    func draw(_ event: ProgressReport.Event) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        let finished = event.total.map { event.done >= $0 && $0 > 0 } ?? false
        if event.phase == finishedPhase { return }
        if event.phase != phase {
            finishedPhase = ""
            ProgressBar.endLine()
            phase = event.phase
            phaseStart = now
        } else if !finished && now.timeIntervalSince(lastDraw) < 0.1 {
            return
        }
        lastDraw = now
        let seconds = max(now.timeIntervalSince(phaseStart), 0.001)
        let rate = Double(event.done) / seconds
        // The bar's own codes (\r, ESC[K) are written raw; its words go through the escaping as all text does.
        let phaseText = TerminalText.escaped(event.phase)
        var line = phaseText.padding(toLength: max(18, phaseText.count), withPad: " ", startingAt: 0)
        if let total = event.total, total > 0 {
            let fraction = min(1, Double(event.done) / Double(total))
            let width = 24, filled = Int(fraction * Double(width))
            line += "  [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
            line += String(format: " %3d%%  %d/%d", Int(fraction * 100), event.done, total)
        } else {
            line += "  \(event.done)"
        }
        if !event.unit.isEmpty { line += " \(TerminalText.escaped(event.unit))" }
        if seconds > 0.2 { line += "  (\(ProgressBar.compact(rate))/s)" }
        FileHandle.standardError.write(Data(("\r\u{1b}[K" + line + (finished ? ", done.\n" : "")).utf8))
        ProgressBar.drawn = !finished
        if finished { finishedPhase = event.phase }
    }

    /// Ends a line left open, so that what follows starts on a fresh one.
    static func endLine() {
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }

    private static func compact(_ v: Double) -> String {
        v >= 1e6 ? String(format: "%.1fM", v / 1e6) : v >= 1e4 ? String(format: "%.0fk", v / 1e3) : String(format: "%.0f", v)
    }
}

/// Transfer progress of a fetch (or clone) as a bar.
let receiving: (TransferProgress) -> Void = { p in
    ProgressReport.forward("Receiving objects", done: p.receivedObjects, total: p.totalObjects, unit: "objects")
}

/// Transfer progress of a push as a bar.
let sending: (TransferProgress) -> Void = { p in
    ProgressReport.forward("Sending objects", done: p.receivedObjects, total: p.totalObjects, unit: "objects")
}
