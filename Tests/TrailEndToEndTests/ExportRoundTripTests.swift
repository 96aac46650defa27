import Foundation
import XCTest

/// Exports give back what was committed: random cells built from everything that trips CSV and
/// JSON writers go through `trail export` to CSV and JSON Lines, and come back unchanged through
/// Trail's own reader and through Python's `csv` and `json` modules.
///
/// Seeded: a failure names its seed, and `TRAIL_PROPERTY_SEED=<seed>` reruns exactly that case.
/// Values are compared as UTF-8 bytes, never as Swift strings (whose `==` calls NFC and NFD equal).
final class ExportRoundTripTests: XCTestCase {
    /// Pieces cells are made of. Pairs such as `",\u{301}"` are listed whole because a Swift
    /// Character holding a quote or comma plus a combining mark is neither a quote nor a comma.
    static let atoms: [String] = [
        "a", "Z", "0", " ", "\t", "\\", "'", ";", "é", "e\u{301}", "\u{212B}",
        "\"", "\"\"", ",", "\r", "\n", "\r\n", "\n\r",
        "\u{301}", "\u{821}", "\u{20DD}", "\u{FE0F}", "\u{200D}",
        "\",\u{301}", ",\u{301}", "\"\u{301}", "\"\u{821}", ",\u{821}", "\r\n\u{301}", "\n\u{301}", "\r\u{301}",
        "\u{FEFF}", "\u{2028}", "\u{2029}", "\u{7F}", "\u{85}", "\u{9F}",
        "😀", "\u{1D11E}", "\u{10FFFF}", "\u{1F1EB}\u{1F1F7}", "👩\u{200D}💻",
    ]

    /// Column names, in the order the manifest first uses them (so the CSV header's first cell
    /// starts with a byte order mark, which must not be taken for the file's).
    static let columns = ["\u{FEFF}lead", "id", "plain", "quote\"comma,", "cafe\u{301}", "multi\r\nline", "ü"]

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["TRAIL_PROPERTY_SEED"].flatMap { UInt64($0) } ?? 0x7261_696C
    }

    func testRandomCellsSurviveCSVAndJSONLinesExport() throws {
        let seed = ExportRoundTripTests.seed
        print("ExportRoundTripTests seed: \(seed) (rerun with TRAIL_PROPERTY_SEED=\(seed))")
        for round in 0..<3 {
            try roundTrip(seed: seed &+ UInt64(round), rows: 120)
        }
    }

    /// The two rows of the issue, on their own.
    func testIssueRowsComeBackFromCSV() throws {
        let box = try Sandbox()
        try requirePython(box)
        try box.write("d.jsonl", #"{"id":"r1","a":"Once upon \r\na time"}"# + "\n" + #"{"id":"r2","b":"p,\u0301q"}"# + "\n"
                      + #"{"id":"r3","b":"x\"\u0301y"}"# + "\n")
        try box.ok("init")
        try box.ok("commit", "d.jsonl", "-m", "issue rows")
        try box.ok("export", "HEAD", "--out", "x.csv")
        let python = try pythonCSV(box, "x.csv")
        let expected = [["id", "a", "b"], ["r1", "Once upon \r\na time", ""], ["r2", "", "p,\u{301}q"], ["r3", "", "x\"\u{301}y"]]
        XCTAssertEqual(python, expected.map { $0.map(hex) }, "Python reads: \(python.map { $0.map(unhexEscaped) })")
        let again = try Sandbox()
        try again.write("x.csv", try Data(contentsOf: box.root.appendingPathComponent("x.csv")))
        try again.ok("init")
        try again.ok("commit", "x.csv", "-m", "csv")
        let exported = try again.ok("export", "HEAD", "--out", "-").stdout
        let expectedJSONL = #"{"a":"Once upon \r\na time","b":"","id":"r1"}"# + "\n" + #"{"a":"","b":"p,"# + "\u{301}" + #"q","id":"r2"}"# + "\n"
            + #"{"a":"","b":"x\""# + "\u{301}" + #"y","id":"r3"}"# + "\n"
        XCTAssertTrue(exported.utf8.elementsEqual(expectedJSONL.utf8), escaped(exported))
    }

    /// A 50 MB line (through the general parser: it has escapes) and a cell of 100000 `[` commit,
    /// and come back from both exports: no stack overflow, no size limit.
    func testA50MBLineAndDeepLookingTextComeBack() throws {
        let box = try Sandbox()
        let half = 25_000_000
        let line = #"{"deep":""# + String(repeating: "[", count: 100_000) + #"","id":"big","note":""#
            + String(repeating: #"ab\n"#, count: half / 4) + #"","text":""# + String(repeating: "x", count: half) + "\"}\n"
        try box.write("big.jsonl", line)
        try box.ok("init")
        try box.ok("commit", "big.jsonl", "-m", "one huge line")
        try box.ok("export", "HEAD", "--out", "big-out.jsonl")
        XCTAssertTrue(try Data(contentsOf: box.root.appendingPathComponent("big-out.jsonl")) == Data(line.utf8), "the JSON Lines export differs")
        try box.ok("export", "HEAD", "--out", "big.csv")
        // Every value is a string, so the CSV commits back to the same records.
        let again = try box.ok("commit", "big.csv", "-m", "same")
        XCTAssertTrue(again.stdout.contains("Nothing to commit"), again.stdout)
    }

    /// A record with two keys that are one text in Unicode (which an older Trail accepted) cannot
    /// go to CSV without losing a value: the export refuses and writes nothing; JSON Lines keeps both.
    func testCSVExportRefusesKeysThatAreOneTextInUnicode() throws {
        let box = try Sandbox()
        try box.write("d.jsonl", #"{"id":"n1","k1":"1","k2":"2"}"# + "\n")
        try box.ok("init")
        try box.ok("commit", "d.jsonl", "-m", "placeholder keys")
        // Put in the record an older Trail wrote: NFD and NFC keys, in canonical (byte) order.
        let record = #"{"fields":{"cafe\#u{301}":"2","caf\#u{E9}":"1","id":"n1"},"format":1}"#
        try replaceRecord(box, with: record)
        let csv = try box.trail(["export", "HEAD", "--out", "x.csv"])
        XCTAssertEqual(csv.status, 1, csv.stdout + csv.stderr)
        for text in ["error: ", "'n1'", #""caf\u{E9}""#, #""cafe\u{301}""#, "JSON Lines"] {
            XCTAssertTrue(csv.stderr.contains(text), "expected '\(text)' in: \(csv.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.appendingPathComponent("x.csv").path))
        let jsonl = try box.ok("export", "HEAD", "--out", "-").stdout
        XCTAssertTrue(jsonl.utf8.elementsEqual((#"{"cafe\#u{301}":"2","caf\#u{E9}":"1","id":"n1"}"# + "\n").utf8), escaped(jsonl))

        // Two samples, each with one of the spellings: one CSV column cannot hold both unchanged.
        try box.write("two.jsonl", #"{"id":"r1","caf\#u{E9}":"1"}"# + "\n" + #"{"id":"r2","cafe\#u{301}":"2"}"# + "\n")
        try box.ok("commit", "two.jsonl", "-m", "one spelling each")
        let two = try box.trail(["export", "HEAD", "--out", "x.csv"])
        XCTAssertEqual(two.status, 1, two.stdout + two.stderr)
        for text in [#""caf\u{E9}""#, #""cafe\u{301}""#, "JSON Lines"] {
            XCTAssertTrue(two.stderr.contains(text), "expected '\(text)' in: \(two.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.appendingPathComponent("x.csv").path))
    }

    /// Replaces the only record of HEAD's snapshot with `json`, as a new commit made with git plumbing.
    private func replaceRecord(_ box: Sandbox, with json: String) throws {
        let paths = try box.git("ls-tree", "-r", "--name-only", "HEAD").stdout.split(separator: "\n")
        let path = String(paths.first { $0.filter { $0 == "/" }.count == 2 }!)
        let file = try box.write("record.json", json)
        let blob = try box.git("hash-object", "-w", file).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try box.write("message.txt", try box.git("log", "-1", "--format=%B", "HEAD").stdout)
        box.environment["GIT_INDEX_FILE"] = box.root.appendingPathComponent("plumbing-index").path
        for name in ["GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"] { box.environment[name] = "Old Trail" }
        for name in ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"] { box.environment[name] = "old@example.org" }
        defer { box.environment["GIT_INDEX_FILE"] = nil }
        XCTAssertEqual(try box.git("read-tree", "HEAD").status, 0)
        XCTAssertEqual(try box.git("update-index", "--cacheinfo", "100644,\(blob),\(path)").status, 0)
        let tree = try box.git("write-tree").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let commit = try box.git("commit-tree", tree, "-p", "HEAD", "-F", box.root.appendingPathComponent("message.txt").path)
        XCTAssertEqual(commit.status, 0, commit.stderr)
        let ref = try box.git("symbolic-ref", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(try box.git("update-ref", ref, commit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).status, 0)
    }

    // MARK: - The round trip

    private func roundTrip(seed: UInt64, rows count: Int) throws {
        let context = "seed \(seed) (rerun with TRAIL_PROPERTY_SEED=\(seed))"
        var random = SplitMix(seed: seed)
        let columns = ExportRoundTripTests.columns
        var rows: [[String]] = []  // cells in column order; the id is column 1
        var manifest = ""
        for n in 0..<count {
            var row: [String] = []
            for column in columns {
                row.append(column == "id" ? String(format: "r%04d", n) : randomCell(&random))
            }
            rows.append(row)
            // Keys in column order (not canonical order), so the CSV header follows `columns`.
            manifest += "{" + zip(columns, row).map { jsonString($0, &random) + ":" + jsonString($1, &random) }.joined(separator: ",") + "}\n"
        }
        let box = try Sandbox()
        try requirePython(box)
        try box.write("gen.jsonl", manifest)
        try box.ok("init")
        let committed = try box.trail(["commit", "gen.jsonl", "-m", "random cells"])
        XCTAssertEqual(committed.status, 0, "\(context): commit failed: \(committed.stderr)")
        guard committed.status == 0 else { return }
        try box.ok("export", "HEAD", "--out", "x.csv")
        try box.ok("export", "HEAD", "--out", "x.jsonl")

        // JSON Lines: Python reads the values back, and committing the export changes nothing.
        let expectedObjects = rows.map { row in zip(columns, row).map { [hex($0), hex($1)] }.sorted { $0[0] < $1[0] } }
        let pythonObjects = try python(box, """
            import json, sys
            out = []
            for line in open(sys.argv[1], encoding='utf-8', newline=''):
                obj = json.loads(line)
                out.append(sorted([k.encode('utf-8').hex(), v.encode('utf-8').hex()] for k, v in obj.items()))
            print(json.dumps(out))
            """, "x.jsonl") as? [[[String]]]
        XCTAssertNotNil(pythonObjects, context)
        if let pythonObjects {
            XCTAssertEqual(pythonObjects.count, rows.count, "\(context): JSON Lines export has \(pythonObjects.count) rows")
            for (k, (got, want)) in zip(pythonObjects, expectedObjects).enumerated() where got != want {
                XCTFail("\(context): JSON Lines row \(k) reads back as \(got.map { $0.map(unhexEscaped) }), expected \(want.map { $0.map(unhexEscaped) })")
                break
            }
        }
        let again = try box.ok("commit", "x.jsonl", "-m", "same")
        XCTAssertTrue(again.stdout.contains("Nothing to commit"), "\(context): the JSON Lines export differs: \(again.stdout)")

        // CSV through Python's csv module: same header, same cells, no extra rows or cells.
        let pythonRows = try pythonCSV(box, "x.csv")
        let expectedRows = [columns.map(hex)] + rows.map { $0.map(hex) }
        XCTAssertEqual(pythonRows.count, expectedRows.count, "\(context): Python reads \(pythonRows.count) CSV rows, expected \(expectedRows.count)")
        for (k, (got, want)) in zip(pythonRows, expectedRows).enumerated() where got != want {
            XCTFail("\(context): Python reads CSV row \(k) as \(got.map(unhexEscaped)), expected \(want.map(unhexEscaped))")
            break
        }

        // CSV through Trail's reader: committed into a second store, it exports the same JSON Lines.
        let second = try Sandbox()
        try second.write("x.csv", try Data(contentsOf: box.root.appendingPathComponent("x.csv")))
        try second.ok("init")
        let csvCommit = try second.trail(["commit", "x.csv", "-m", "from csv"])
        XCTAssertEqual(csvCommit.status, 0, "\(context): committing the CSV export failed: \(csvCommit.stderr)")
        guard csvCommit.status == 0 else { return }
        let fromCSV = try second.ok("export", "HEAD", "--out", "-").stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let original = try box.read("x.jsonl").split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(fromCSV.count, original.count, "\(context): the CSV export committed again has \(fromCSV.count - 1) rows")
        for (got, want) in zip(fromCSV, original) where !got.utf8.elementsEqual(want.utf8) {
            XCTFail("\(context): a row changed through CSV:\n  got  \(escaped(String(got)))\n  want \(escaped(String(want)))")
            break
        }
    }

    // MARK: - Helpers

    private func randomCell(_ random: inout SplitMix) -> String {
        var cell = random.next() % 8 == 0 ? "\u{FEFF}" : ""
        for _ in 0..<Int(random.next() % 9) {
            if random.next() % 10 == 0 {
                cell.unicodeScalars.append(Unicode.Scalar(UInt8(1 + random.next() % 0x1F)))  // a control character, never NUL
            } else {
                cell += ExportRoundTripTests.atoms[Int(random.next() % UInt64(ExportRoundTripTests.atoms.count))]
            }
        }
        return cell
    }

    /// A JSON string literal; some characters are written as `\u` escapes (astral ones as surrogate pairs).
    private func jsonString(_ s: String, _ random: inout SplitMix) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || random.next() % 4 == 0:
                for unit in String(scalar).utf16 { out += String(format: "\\u%04x", unit) }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private func requirePython(_ box: Sandbox) throws {
        guard try box.run("/usr/bin/env", ["python3", "--version"]).status == 0 else {
            throw MissingPrerequisite("python3 is needed to read exports with Python's csv and json modules", fix: "apt-get install python3")
        }
    }

    /// Runs a Python script on a file of the sandbox and parses the JSON it prints.
    private func python(_ box: Sandbox, _ script: String, _ file: String) throws -> Any {
        let result = try box.run("/usr/bin/env", ["python3", "-c", script, box.root.appendingPathComponent(file).path])
        guard result.status == 0 else {
            XCTFail("python3 failed: \(result.stderr)")
            return []
        }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// The rows of a CSV file as Python's csv module reads them, each cell as hex of its UTF-8 bytes.
    private func pythonCSV(_ box: Sandbox, _ file: String) throws -> [[String]] {
        try python(box, """
            import csv, json, sys
            with open(sys.argv[1], newline='', encoding='utf-8') as f:
                print(json.dumps([[cell.encode('utf-8').hex() for cell in row] for row in csv.reader(f)]))
            """, file) as? [[String]] ?? []
    }

    private func hex(_ s: String) -> String { s.utf8.map { String(format: "%02x", $0) }.joined() }

    private func unhexEscaped(_ h: String) -> String {
        var bytes: [UInt8] = []
        var i = h.startIndex
        while i < h.endIndex, let j = h.index(i, offsetBy: 2, limitedBy: h.endIndex) {
            bytes.append(UInt8(h[i..<j], radix: 16) ?? 0x3f)
            i = j
        }
        return escaped(String(decoding: bytes, as: UTF8.self))
    }

    /// Every scalar outside printable ASCII as \u{…}, so NFC and NFD, CR and LF look different.
    private func escaped(_ s: String) -> String {
        s.unicodeScalars.map { (0x20..<0x7f).contains($0.value) ? String($0) : "\\u{\(String($0.value, radix: 16, uppercase: true))}" }.joined()
    }
}
