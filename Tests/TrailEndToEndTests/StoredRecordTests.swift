import Foundation
import XCTest

/// What Trail reads back from the store: a damaged record (or summary, or configuration) is
/// named with its place, and a large sample's text comes out whole.
final class StoredRecordTests: XCTestCase {
    // MARK: - Damage crafted with plain git

    /// Commits main's tree with `bytes` (written with `git hash-object -w`) at `path`, on top of
    /// main, with git alone: as a remote or a tool other than Trail could have written it.
    /// Returns the blob id and the new commit.
    private func commitBlob(_ box: Sandbox, _ bytes: String, at path: String) throws -> (blob: String, commit: String) {
        try box.write("damaged.bin", bytes)
        let blob = try box.gitScript("git hash-object -w '\(box.root.path)/damaged.bin'")
        let commit = try box.gitScript("""
            git read-tree refs/heads/main
            git update-index --add --cacheinfo 100644,\(blob),\(path)
            tree=$(git write-tree)
            commit=$(git commit-tree "$tree" -p refs/heads/main -m 'written outside Trail')
            git update-ref refs/heads/main "$commit"
            rm -f "$GIT_INDEX_FILE"
            echo "$commit"
            """)
        return (blob, commit)
    }

    /// v1 (six samples), v2 (relabels), then a commit made with git whose record of s00003 is `bytes`.
    private func storeWithDamagedRecord(_ box: Sandbox, _ bytes: String) throws -> (blob: String, commit: String, path: String) {
        try box.write("v1.jsonl", Sandbox.dataset(6))
        try box.write("v2.jsonl", Sandbox.dataset(6, relabelEvery: 2))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        let path = try box.recordPath("s00003")
        let (blob, commit) = try commitBlob(box, bytes, at: path)
        return (blob, commit, path)
    }

    /// Every command that reads records back, on a record that is not JSON and on two that are
    /// JSON but not records: each names the record's blob, its place (tree path, and the sample's
    /// id when anything tells it), the commit, what is wrong in words, and what to do.
    func testADamagedRecordIsNamedWithItsPlaceByEveryCommandThatReadsIt() throws {
        let damages: [(name: String, bytes: String, problem: String, idInRecord: Bool)] = [
            // `n` of `nope` is byte 26.
            ("not JSON", #"{"fields":{"id":"s00003",nope}}"#, "byte 26", false),
            ("no fields", #"["a","list"]"#, "fields", false),
            ("bad content entry", #"{"content":{"text":{"blob":"not hex","size":3}},"fields":{"id":"s00003","label":"x"},"format":1}"#, "content entry 'text'", true),
        ]
        for damage in damages {
            let box = try Sandbox(damage.name)
            let (blob, commit, path) = try storeWithDamagedRecord(box, damage.bytes)
            let commands: [(args: [String], knowsID: Bool)] = [
                (["show", "HEAD", "s00003"], true), (["show", "HEAD", "s00003", "--json"], true),
                (["export", "HEAD", "--out", "x.jsonl"], damage.idInRecord), (["export", "HEAD", "--out", "x.csv"], damage.idInRecord),
                (["diff", "HEAD~1", "HEAD"], true), (["diff", "HEAD~1", "HEAD", "--json"], true),
                (["history", "s00003"], true), (["audit", "sample", "s00003"], true), (["audit", "flips", "HEAD~1", "HEAD"], true),
                (["reindex"], true),
                // A patch reads the record it replaces.
                (["commit", "--patch", "patch.jsonl", "-m", "relabel"], damage.idInRecord),
            ]
            try box.write("patch.jsonl", #"{"id":"s00003","label":"spam","text":"new text"}"# + "\n")
            for (args, knowsID) in commands {
                let what = "\(damage.name): trail \(args.joined(separator: " "))"
                let result = try box.trail(args)
                XCTAssertEqual(result.status, 1, "\(what): \(result.stdout)")
                let err = result.stderr
                XCTAssertTrue(err.hasPrefix("error: "), "\(what): \(err)")
                XCTAssertTrue(err.contains(blob), "\(what): names the record blob: \(err)")
                XCTAssertTrue(err.contains(path), "\(what): names the tree path: \(err)")
                XCTAssertTrue(err.contains(String(commit.prefix(10))), "\(what): names the commit \(commit): \(err)")
                XCTAssertTrue(err.contains(damage.problem), "\(what): says what is wrong (\(damage.problem)): \(err)")
                if knowsID { XCTAssertTrue(err.contains("'s00003'"), "\(what): names the sample: \(err)") }
                XCTAssertTrue(err.contains("\nhint: ") && err.contains("trail verify") && err.contains("backup"), "\(what): \(err)")
                for dump in ["JSONSyntaxError", "offset:", "TrailError(", "Error: "] {
                    XCTAssertFalse(err.contains(dump), "\(what): no Swift value dump: \(err)")
                }
                XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.appendingPathComponent("x.jsonl").path), what)
            }
            // The older versions still read.
            try box.ok("show", "HEAD~1", "s00003")
            try box.ok("export", "HEAD~1", "--out", "v2.out.jsonl")

            let verify = try box.trail(["verify"])
            XCTAssertEqual(verify.status, 1, damage.name)
            let lines = verify.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("problem") }
            let line = lines.first { $0.contains(blob) } ?? ""
            for part in [path, String(commit.prefix(10)), damage.problem, "restore"] {
                XCTAssertTrue(line.contains(part), "\(damage.name): verify names \(part): \(verify.stdout)")
            }
            if damage.idInRecord { XCTAssertTrue(line.contains("'s00003'"), "\(damage.name): \(verify.stdout)") }
            for dump in ["JSONSyntaxError", "offset:", "TrailError("] {
                XCTAssertFalse(verify.stdout.contains(dump) || verify.stderr.contains(dump), "\(damage.name): \(verify.stdout)\(verify.stderr)")
            }
        }
    }

    /// `trail show HEAD` reads summary.json, and every command dataset.json: damaged, each is
    /// named with its blob and commit, and what is wrong reads as a sentence (no DecodingError dump).
    func testADamagedSummaryOrConfigurationIsNamedInWords() throws {
        let damages: [(file: String, bytes: String, problem: String, command: [String])] = [
            ("summary.json", "not json at all", "not valid JSON", ["show", "HEAD"]),
            ("summary.json", #"{"samples":"many","labels":{},"annotators":{},"guidelines":{},"columns":[]}"#, "samples", ["show", "HEAD"]),
            ("dataset.json", "[1,2", "not valid JSON", ["export", "HEAD", "--out", "x.jsonl"]),
        ]
        for damage in damages {
            let box = try Sandbox(damage.file + damage.problem)
            try box.write("v1.jsonl", Sandbox.dataset(4))
            try box.ok("init")
            try box.ok("commit", "v1.jsonl", "-m", "v1")
            let (blob, commit) = try commitBlob(box, damage.bytes, at: damage.file)
            let what = "\(damage.file) \(damage.bytes): trail \(damage.command.joined(separator: " "))"
            let result = try box.trail(damage.command)
            XCTAssertEqual(result.status, 1, "\(what): \(result.stdout)")
            let err = result.stderr
            for part in ["error: ", damage.file, blob, String(commit.prefix(10)), damage.problem, "\nhint: ", "trail verify"] {
                XCTAssertTrue(err.contains(part), "\(what): names \(part): \(err)")
            }
            for dump in ["dataCorrupted", "typeMismatch", "Context(", "codingPath", "Error: "] {
                XCTAssertFalse(err.contains(dump), "\(what): no Swift value dump: \(err)")
            }
            // verify names it among the objects, once.
            let verify = try box.trail(["verify"])
            XCTAssertEqual(verify.status, 1, what)
            let lines = verify.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("problem (object): ") && $0.contains(blob) }
            XCTAssertEqual(lines.count, 1, "\(what): \(verify.stdout)")
            for part in [damage.file, String(commit.prefix(10)), damage.problem, "restore"] {
                XCTAssertTrue(lines.first?.contains(part) ?? false, "\(what): verify names \(part): \(verify.stdout)")
            }
        }
    }

    // MARK: - A large text blob

    /// Runs `trail args...` and fails the test unless it exits 0 within `seconds` (far more
    /// than it takes), so that output that slows down with the square of its size fails the
    /// test rather than hanging it.
    @discardableResult
    private func ok(_ box: Sandbox, within seconds: Int = 300, _ args: String..., file: StaticString = #filePath, line: UInt = #line) throws -> Sandbox.Result {
        let result = try box.run("/usr/bin/timeout", [String(seconds), Sandbox.productsDirectory.appendingPathComponent("trail").path] + args)
        XCTAssertEqual(result.status, 0, "trail \(args.joined(separator: " ")) failed\(result.status == 124 ? " to finish in \(seconds) s" : ""): \(result.stderr)",
                       file: file, line: line)
        return result
    }

    /// 20 MB of text with everything JSON and CSV must escape (quotes, backslashes, newlines, tabs,
    /// control characters, line separators, non-ASCII), and a second large text in the same
    /// sample between ordinary fields: `show` and both exports give them back whole.
    func testALargeTextBlobComesOutWhole() throws {
        let box = try Sandbox()
        func repeated(_ unit: String, toBytes size: Int) -> String {
            var text = ""
            text.reserveCapacity(size + unit.utf8.count)
            while text.utf8.count < size { text += unit }
            return text
        }
        let text = repeated("Lorem \"ipsum\", \\ dolor\tsit\namet\r\n\u{01}\u{1F} é ünï 日本語 \u{2028}\u{85}\u{202E} 🙂 / ", toBytes: 20 << 20)
        let body = repeated("second \"text\"\n", toBytes: 2 << 20)
        let rows: [[String: Any]] = [
            ["body": "", "id": "a", "label": "x", "note": "n", "text": "small", "zz": 1],
            ["body": body, "id": "big", "label": "y", "note": "short, too", "text": text, "zz": 2],
            ["body": "b", "id": "c", "label": "x", "note": "", "text": "small, too", "zz": 3],
        ]
        let manifest = try rows.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        try box.write("big.jsonl", manifest.joined(separator: "\n") + "\n")
        try box.ok("init", "--content-field", "text", "--content-field", "body", "--content-field", "note")
        try box.ok("commit", "big.jsonl", "-m", "big")

        func object(_ line: Substring) throws -> [String: Any] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        func checkBig(_ row: [String: Any], _ what: String) {
            XCTAssertEqual(row["text"] as? String, text, what)
            XCTAssertEqual(row["body"] as? String, body, what)
            XCTAssertEqual(row["note"] as? String, "short, too", what)
            XCTAssertEqual(row["id"] as? String, "big", what)
            XCTAssertEqual(row["zz"] as? Int, 2, what)
            XCTAssertEqual(row.count, 6, what)
        }
        // show: header lines, a blank line, then the row as one line of JSON.
        let shown = try ok(box, "show", "HEAD", "big").stdout
        let parts = shown.components(separatedBy: "\n\n")
        XCTAssertEqual(parts.count, 2, "one blank line, then one JSON line")
        guard parts.count == 2 else { return }
        XCTAssertTrue(parts[0].contains("content text: blob ") && parts[0].contains("\(text.utf8.count) bytes"), parts[0])
        XCTAssertEqual(parts[1].filter { $0 == "\n" }.count, 1, "the row is one line")
        XCTAssertFalse(parts[1].unicodeScalars.contains { $0 == "\u{2028}" || $0 == "\u{85}" || $0 == "\u{202E}" }, "written as \\u escapes")
        checkBig(try object(Substring(parts[1].dropLast())), "show")

        let json = try ok(box, "show", "HEAD", "big", "--json").stdout
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        checkBig(try XCTUnwrap(report["sample"] as? [String: Any]), "show --json")
        XCTAssertEqual((report["content"] as? [Any])?.count, 3)

        try ok(box, "export", "HEAD", "--out", "x.jsonl")
        let lines = try box.read("x.jsonl").split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 4, "three rows and the final newline")
        checkBig(try object(lines[1]), "export jsonl")
        XCTAssertEqual(try object(lines[0])["text"] as? String, "small")
        XCTAssertEqual(try object(lines[2])["note"] as? String, "")
        // The same bytes as a small sample's line would have: canonical JSON, keys in order.
        XCTAssertTrue(lines[1].hasPrefix(#"{"body":"second \"text\"\nsecond"#), String(lines[1].prefix(40)))
        XCTAssertTrue(lines[1].hasSuffix(#" / ","zz":2}"#), String(lines[1].suffix(40)))

        try ok(box, "export", "HEAD", "--out", "x.csv")
        func cell(_ s: String) -> String {
            s.utf8.contains { [0x2c, 0x22, 0x0d, 0x0a].contains($0) } ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        let csv = try box.read("x.csv")
        let expected = "body,id,label,note,text,zz\n,a,x,n,small,1\n\(cell(body)),big,y,\"short, too\",\(cell(text)),2\nb,c,x,,\"small, too\",3\n"
        XCTAssertEqual(csv.utf8.count, expected.utf8.count)
        XCTAssertTrue(csv == expected, "CSV differs")
    }
}
