import Foundation

/// Phase timings on stderr when `TRAIL_TRACE` is set (like `GIT_TRACE_PERFORMANCE`), for
/// finding where a slow command spends its time. Silent otherwise.
public enum Trace {
    /// getenv, not ProcessInfo: this is read at every start, and ProcessInfo copies the whole environment.
    public static let enabled = getenv("TRAIL_TRACE").map { String(cString: $0) }.map { !$0.isEmpty && $0 != "0" } ?? false
    /// Process start would be better; the first mark is close enough (after argument parsing).
    private static let start = DispatchTime.now().uptimeNanoseconds

    /// Writes `trace: <seconds since start> <message>` when tracing is on.
    @inline(__always)
    public static func mark(_ message: @autoclosure () -> String) {
        guard enabled else { return }
        let origin = start  // initialised on first use, so read it before the clock
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - origin) / 1e9
        FileHandle.standardError.write(Data(String(format: "trace: %7.3f s %@ %@\n", seconds, memory(), message()).utf8))
    }

    /// `anon+file MiB (peak MiB)` from /proc/self/status: heap and mapped-file pages apart, since
    /// a mapped pack's pages count in RSS but are the page cache's to drop.
    private static func memory() -> String {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "" }
        var kib: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            if parts.count >= 2, ["RssAnon", "RssFile", "RssShmem", "VmHWM"].contains(String(parts[0])) { kib[String(parts[0])] = Int(parts[1]) }
        }
        let mib = { (key: String) in (kib[key] ?? 0) / 1024 }
        return "[\(mib("RssAnon"))+\(mib("RssFile") + mib("RssShmem")) MiB, peak \(mib("VmHWM"))]"
    }
}
