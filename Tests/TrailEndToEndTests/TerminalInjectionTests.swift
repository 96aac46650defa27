import Foundation
import XCTest

/// Values from a dataset or a remote (ids, labels, annotators, guideline versions, metadata, commit
/// messages, model metadata, erasure reasons) reach the terminal in every text output. Escape
/// sequences in them must not: an id could retitle the window, an annotator could print a fake
/// `error:` line, a guideline could reverse the line with a bidi override. Every text command is
/// run on such a store; no control character but Trail's own line ends reaches stdout or stderr,
/// and the escaped forms are visible. JSON output keeps the exact values.
final class TerminalInjectionTests: XCTestCase {
    static let hostileID = "s1\u{1B}]0;pwned-title\u{07}"
    static let hostileLabel = "safe\u{1B}[31mRED\u{1B}[0m"
    static let hostileAnnotator = "ann\n error: fake"
    static let hostileGuideline = "v2\u{202E}exe.txt"
    static let hostileMeta = "\u{9B}2J c1 \u{9D}0;t\u{9C} \r back \u{2028} tab\there \u{7F}"
    static let hostileMessage = "Relabel \u{1B}[2J\u{1B}[H round\nsecond line \u{1B}]0;msg\u{07}"
    static let hostileReason = "GDPR \u{1B}[8mhidden\u{1B}[0m \u{202E}#1"

    static func json(_ s: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes]), as: UTF8.self)
            .dropFirst().dropLast().description
    }

    static func line(id: String, label: String, annotator: String, guideline: String, note: String, n: Int) -> String {
        "{\"annotator\":\(json(annotator)),\"guideline\":\(json(guideline)),\"id\":\(json(id)),\"label\":\(json(label)),"
            + "\"note\":\(json(note)),\"text\":\"sample text \(n)\"}"
    }

    /// The characters no text output may hold raw, other than `\n` (Trail's own line ends).
    static func unsafeScalars(_ text: String) -> [String] {
        text.unicodeScalars.filter { s in
            switch s.value {
            case 0x0A: return false
            case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return true
            default: return false
            }
        }.map { String(format: "U+%04X", $0.value) }
    }

    func makeStore() throws -> Sandbox {
        let box = try Sandbox()
        let t = TerminalInjectionTests.self
        try box.write("v1.jsonl", [
            t.line(id: t.hostileID, label: "safe", annotator: "ann_1", guideline: "v1", note: "plain", n: 1),
            t.line(id: "s2", label: "spam", annotator: "ann_2", guideline: "v1", note: "plain", n: 2),
            t.line(id: "s3", label: "spam", annotator: "ann_2", guideline: "v1", note: "plain", n: 3),
        ].joined(separator: "\n") + "\n")
        try box.write("v2.jsonl", [
            t.line(id: t.hostileID, label: t.hostileLabel, annotator: t.hostileAnnotator, guideline: t.hostileGuideline, note: t.hostileMeta, n: 1),
            t.line(id: "s2", label: t.hostileLabel, annotator: t.hostileAnnotator, guideline: t.hostileGuideline, note: "plain", n: 2),
            t.line(id: "s3", label: "spam", annotator: "ann_2", guideline: "v1", note: "plain", n: 3),
        ].joined(separator: "\n") + "\n")
        try box.write("v3.jsonl", [
            t.line(id: t.hostileID, label: "safe", annotator: "ann_1", guideline: "v1", note: t.hostileMeta, n: 1),
            t.line(id: "s2", label: t.hostileLabel, annotator: t.hostileAnnotator, guideline: t.hostileGuideline, note: "plain", n: 2),
            t.line(id: "s3", label: "spam", annotator: "ann_2", guideline: "v1", note: "plain", n: 3),
        ].joined(separator: "\n") + "\n")
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "First")
        try box.ok("model", "register", "m1", "HEAD", "--meta", "run=\u{1B}]0;model-title\u{07}")
        try box.ok("commit", "v2.jsonl", "-m", t.hostileMessage)
        try box.ok("model", "register", "m2", "HEAD", "--meta", "note=\(t.hostileMeta)")
        try box.ok("commit", "v3.jsonl", "-m", "Back")
        try box.ok("tag", "t1", "HEAD~1", "-m", t.hostileMessage)
        return box
    }

    /// Every text command, and error messages that quote the hostile values.
    func testTextOutputEscapesControlCharacters() throws {
        let box = try makeStore()
        let t = TerminalInjectionTests.self
        let runs: [(args: [String], status: Int32)] = [
            (["log"], 0), (["show", "HEAD~1"], 0), (["show", "HEAD~1", t.hostileID], 0), (["show", "HEAD~1", "s2"], 0),
            (["diff", "m1", "m2", "--samples"], 0), (["diff", "m1", "HEAD", "--samples", "--annotator", t.hostileAnnotator], 0),
            (["status", "v1.jsonl", "--samples"], 0),
            (["history", t.hostileID], 0), (["history", "s2"], 0),
            (["audit", "model", "m2"], 0), (["audit", "flips", "m1", "m2"], 0), (["audit", "annotator", t.hostileAnnotator], 0),
            (["audit", "annotator", "ann_1"], 0), (["audit", "disputed", "--min-changes", "1"], 0), (["audit", "sample", t.hostileID], 0),
            (["model", "list"], 0), (["tag"], 0), (["branch"], 0), (["verify"], 0),
            (["erase", t.hostileID, "--reason", t.hostileReason], 0),
            (["show", "HEAD~1", t.hostileID], 0), (["history", t.hostileID], 0), (["diff", "m1", "HEAD"], 0),
            (["export", "m1", "--out", "m1.jsonl"], 0), (["audit", "model", "m1"], 0),
            // Errors that quote the values given.
            (["show", "HEAD", t.hostileID], 1), (["show", "HEAD", "nope\u{1B}]0;err-title\u{07}"], 1),
            (["diff", "m1", "m2", "--kind", "x\u{1B}[2Jy"], 2), (["log", "no\u{1B}[2Jbranch"], 1),
            (["history", "missing\n error: fake"], 1), (["audit", "model", "m\u{202E}9"], 1),
            (["commit", "nothere\u{1B}[1m.jsonl", "-m", "x"], 1), (["comit\u{1B}[2J"], 2),
            (["log", "-n", "9\u{1B}]0;usage-title\u{07}"], 2), (["remote", "add", "origin", "file:///tmp/x\u{1B}[2Jy\tz"], 0), (["remote", "list"], 0),
        ]
        var seen = ""
        for run in runs {
            let result = try box.trail(run.args)
            let shown = run.args.map { TerminalInjectionTests.unsafeScalars($0).isEmpty ? $0 : "<hostile>" }.joined(separator: " ")
            XCTAssertEqual(result.status, run.status, "trail \(shown): \(result.stderr)")
            // `remote list` separates name and URL with one tab of its own, as `git remote -v` does.
            let stdout = run.args == ["remote", "list"]
                ? result.stdout.split(separator: "\n").map { $0.replacingOccurrences(of: "\t", with: " ", options: [], range: $0.range(of: "\t")) }.joined(separator: "\n")
                : result.stdout
            XCTAssertEqual(t.unsafeScalars(stdout), [], "trail \(shown) printed raw control characters on stdout:\n\(result.stdout.debugDescription)")
            XCTAssertEqual(t.unsafeScalars(result.stderr), [], "trail \(shown) printed raw control characters on stderr:\n\(result.stderr.debugDescription)")
            // A hostile value never starts a line of its own.
            for line in (result.stdout + result.stderr).split(separator: "\n") {
                XCTAssertFalse(line.trimmingCharacters(in: .whitespaces).hasPrefix("error: fake"), "trail \(shown): a fake error line")
            }
            seen += result.stdout + result.stderr
        }
        // The escaped forms are visible (so the values can still be recognised).
        for escaped in [#"s1\e]0;pwned-title\a"#, #"safe\e[31mRED\e[0m"#, #"ann\n error: fake"#, #"v2\u{202E}exe.txt"#,
                        #"\u{9B}2J c1"#, #"\r back \u{2028} tab\there \u{7F}"#, #"Relabel \e[2J\e[H round"#, #"run=\e]0;model-title\a"#,
                        #"GDPR \e[8mhidden\e[0m \u{202E}#1"#, #"nope\e]0;err-title\a"#, #"x\e[2Jy"#, #"comit\e[2J"#, #"9\e]0;usage-title\a"#,
                        "origin\tfile:///tmp/x\\e[2Jy\\tz"] {
            XCTAssertTrue(seen.contains(escaped), "the output never shows \(escaped)")
        }
    }

    /// JSON keeps the exact values and stays valid JSON, with the characters a terminal acts on
    /// written as \u escapes.
    func testJSONOutputKeepsValuesAndEscapesControls() throws {
        let box = try makeStore()
        let t = TerminalInjectionTests.self
        for args in [["log", "--json"], ["show", "HEAD~1", t.hostileID, "--json"], ["diff", "m1", "m2", "--samples", "--json"],
                     ["history", t.hostileID, "--json"], ["model", "list", "--json"], ["audit", "sample", t.hostileID, "--json"]] {
            let result = try box.trail(args)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(t.unsafeScalars(result.stdout), [], "\(args[0]) --json printed raw control characters")
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)), "\(args[0]) --json is not JSON")
        }
        let show = try box.ok("show", "HEAD~1", t.hostileID, "--json")
        let sample = (try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any])["sample"] as! [String: Any]
        XCTAssertEqual(sample["id"] as? String, t.hostileID)
        XCTAssertEqual(sample["label"] as? String, t.hostileLabel)
        XCTAssertEqual(sample["annotator"] as? String, t.hostileAnnotator)
        XCTAssertEqual(sample["guideline"] as? String, t.hostileGuideline)
        XCTAssertEqual(sample["note"] as? String, t.hostileMeta)
        let log = try JSONSerialization.jsonObject(with: Data(try box.ok("log", "--json").stdout.utf8)) as! [[String: Any]]
        XCTAssertTrue(log.contains { ($0["message"] as? String)?.hasPrefix(t.hostileMessage) == true }, "the commit message is kept exactly")
        // The sample shown as text: its JSON line, still JSON and still exact.
        let text = try box.ok("show", "HEAD~1", t.hostileID).stdout
        let jsonLine = try XCTUnwrap(text.split(separator: "\n").last)
        let row = try JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as! [String: Any]
        XCTAssertEqual(row["note"] as? String, t.hostileMeta)
    }
}

/// The guard behind the escaping: in the CLI target, only TerminalText.swift writes to stdout or
/// stderr directly (and the HTML page for `--html -`, and the progress bar's own escape codes), so a
/// new command's output goes through the escaping `print`, `note` or `printError`.
final class SingleWriterTests: XCTestCase {
    func testOnlyTheTerminalWriterWritesDirectly() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/trail")
        let allowed: [String: [String]] = ["TerminalText.swift": [], "HTMLOutput.swift": ["FileHandle.standardOutput"],
                                           "ProgressBar.swift": ["FileHandle.standardError"]]
        let direct = ["FileHandle.standardOutput", "FileHandle.standardError", "Swift.print", "fputs(", "fwrite(", "putchar(", "puts(",
                      "write(1,", "write(2,", "STDOUT_FILENO", "STDERR_FILENO", "FileHandle(fileDescriptor: 1", "FileHandle(fileDescriptor: 2"]
        let files = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
        XCTAssertTrue(files.contains("TerminalText.swift"), "looked in \(sources.path)")
        for file in files where allowed[file] != [] {
            let code = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
            for call in direct where !(allowed[file] ?? []).contains(call) {
                XCTAssertFalse(code.contains(call), "\(file) writes with \(call): go through print, note or printError (TerminalText.swift)")
            }
        }
    }
}
