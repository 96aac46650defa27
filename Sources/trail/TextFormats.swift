import Foundation
import TrailCore
import TrailReports

// Text formats that several commands share.

/// Lines that name erased samples, grouped by erasure: `erasure 2 (2026-12-01, "GDPR request"): s1, s7`.
func erasedLines(_ erased: [ErasedSample], limit: Int = 10) -> [String] {
    var order: [Int] = []
    var byErasure: [Int: [ErasedSample]] = [:]
    for e in erased {
        if byErasure[e.sequence] == nil { order.append(e.sequence) }
        byErasure[e.sequence, default: []].append(e)
    }
    return order.map { n in
        let group = byErasure[n]!
        let ids = group.prefix(limit).map(\.id).joined(separator: ", ") + (group.count > limit ? ", ... (\(group.count) in all)" : "")
        return "erasure \(n) (\(group[0].date.prefix(10)), \"\(group[0].reason)\"): \(ids)"
    }
}

/// Prints counts as aligned rows, largest first, with percentages.
func printCounts(_ counts: [String: Int], total: Int, limit: Int? = nil) {
    // Keys escaped before they are padded, so that escaped ones stay aligned.
    let rows = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        .map { (key: TerminalText.escaped($0.key), value: $0.value) }
    let shown = limit.map { Array(rows.prefix($0)) } ?? rows
    let width = shown.map(\.key.count).max() ?? 0
    let numberWidth = shown.map { String($0.value).count }.max() ?? 0
    for (key, value) in shown {
        let pct = total > 0 ? Double(value) * 100 / Double(total) : 0
        let number = String(repeating: " ", count: numberWidth - String(value).count) + String(value)
        print("  \(key.padding(toLength: width, withPad: " ", startingAt: 0))  \(number)  \(String(format: "%5.1f%%", pct))")
    }
    if shown.count < rows.count { print("  ... and \(rows.count - shown.count) more") }
}

/// For each label field in turn: a blank line, `Labels (FIELD):`, and its counts.
func printLabelCounts(_ labels: [String: [String: Int]], total: Int) {
    for field in labels.keys.sorted() {
        print("")
        print("Labels (\(field)):")
        printCounts(labels[field]!, total: total)
    }
}

/// Ends a list cut to its first `shown` of `total` entries: `  ... and N more (see --json)`;
/// nothing when none was left out.
func printRest(of total: Int, shown: Int) {
    if total > shown { print("  ... and \(total - shown) more (see --json)") }
}

/// `text` padded on the left to `width` characters.
func rightAligned(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

/// "1.2 MB"-style sizes.
func formatBytes(_ n: Int) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(n)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
    return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
}

/// "Stored 1,000 predictions of clf-v3 ..." and the scores on the model's own data.
func printStoredPredictions(_ stored: StoredPredictions, model: String) {
    let info = stored.info
    let scores = info.scored == info.count ? "each with a score" : info.scored == 0 ? "no scores" : "\(thousands(info.scored)) with a score"
    print("Stored \(thousands(info.count)) prediction\(info.count == 1 ? "" : "s") of \(model) from \(info.source) (\(info.labelFields.joined(separator: ", ")); \(scores)) as \(stored.commit.abbreviated())")
    if let m = info.metrics { print("  " + storedMetricsLine(m).prefix(1).uppercased() + storedMetricsLine(m).dropFirst()) }
}

/// "on its own data (a1b2c3d4e5): accuracy 85.3%, macro F1 0.812; 1,000 scored, 0 missing".
func storedMetricsLine(_ m: StoredMetrics) -> String {
    "on its own data (\(m.labels.prefix(10))): accuracy \(percentText(m.accuracy)), macro F1 \(scoreText(m.macroF1)); \(thousands(m.samples)) scored, \(thousands(m.missing)) missing"
}

/// A count with thousands separators: 1,234,567.
func thousands(_ n: Int) -> String { groupedCount(n, minus: "-") }

/// A share as a percentage with one decimal ("85.3%"); "–" when undefined.
func percentText(_ x: Double?) -> String {
    x.map { String(format: "%.1f%%", $0 * 100) } ?? "–"
}

/// A score with three decimals ("0.812"); "–" when undefined.
func scoreText(_ x: Double?) -> String {
    x.map { String(format: "%.3f", $0) } ?? "–"
}
