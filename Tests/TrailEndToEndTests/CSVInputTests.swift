import Foundation
import XCTest

/// How Trail reads CSV where RFC 4180 leaves room: it reads what Python's `csv` module reads.
final class CSVInputTests: XCTestCase {
    /// Lone CR ends a line (old Mac files, some exporters), as in Python's csv; a quote inside an
    /// unquoted value is kept as a character (docs/cli.md says so).
    func testLoneCRLineEndingsAndBareQuotesAreReadLikePython() throws {
        let box = try Sandbox()
        let csv = "id,text,label\rs1,hello,safe\rs2,\"multi\rline\",spam\rs3,a\"b,x\"\"y\r\rs4,\"\"\"q\"\"\",\r"
        try box.write("cr.csv", csv)
        try box.ok("init")
        let commit = try box.ok("commit", "cr.csv", "-m", "lone CR")
        XCTAssertTrue(commit.stdout.contains("4 samples"), commit.stdout)
        let expected = [
            #"{"id":"s1","label":"safe","text":"hello"}"#,
            #"{"id":"s2","label":"spam","text":"multi\rline"}"#,
            #"{"id":"s3","label":"x\"\"y","text":"a\"b"}"#,
            #"{"id":"s4","label":"","text":"\"q\""}"#,
        ]
        XCTAssertEqual(try box.ok("export", "HEAD", "--out", "-").stdout, expected.joined(separator: "\n") + "\n")

        // Python reads the same rows (its blank line between s3 and s4 is an empty row, which Trail skips).
        if try box.run("/usr/bin/env", ["python3", "--version"]).status != 0 {
            throw MissingPrerequisite("python3 is needed to compare with Python's csv module", fix: "apt-get install python3")
        }
        let python = try box.run("/usr/bin/env", ["python3", "-c", """
            import csv, json, sys
            rows = [r for r in csv.reader(open(sys.argv[1], newline='', encoding='utf-8')) if r]
            print(json.dumps([dict(zip(rows[0], r)) for r in rows[1:]], sort_keys=True, separators=(',', ':')))
            """, box.root.appendingPathComponent("cr.csv").path])
        XCTAssertEqual(python.stdout, "[" + expected.joined(separator: ",") + "]\n", python.stderr)

        // Errors name the line, counting lone CRs (also inside quoted values) as line ends.
        try box.write("ragged.csv", "id,text\rs1,\"a\rb\"\rs2\r")
        let ragged = try box.trail(["commit", "ragged.csv", "-m", "x"])
        XCTAssertEqual(ragged.status, 1)
        XCTAssertTrue(ragged.stderr.contains("ragged.csv:4: row has 1 fields but the header has 2"), ragged.stderr)
        try box.write("latin1.csv", Data(Array("id,text\rs1,ok\rs2,".utf8) + [0xC3, 0x28] + [0x0d]))
        let latin1 = try box.trail(["commit", "latin1.csv", "-m", "x"])
        XCTAssertTrue(latin1.stderr.contains("latin1.csv:3: invalid UTF-8"), latin1.stderr)
    }
}
