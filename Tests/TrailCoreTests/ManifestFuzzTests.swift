import Foundation
import XCTest
import GitFormat
@testable import TrailCore

/// Malformed manifests, fed to the real readers (`ManifestInput`, as `trail commit` builds it):
/// random bytes, mutations and truncations of valid files, huge fields and headers, deep
/// nesting, control bytes, invalid UTF-8 and unbalanced quotes. The contract: the reader
/// returns within a few seconds, never crashes, and either accepts the input or throws an
/// `InputError` that names the file and the line (only whole-file problems have no line).
/// Every input comes from a seeded generator, so a failure replays exactly.
final class ManifestFuzzTests: XCTestCase {
    /// Generous: this guards against hangs and blowups, it does not measure speed.
    static let timeLimit = 5.0
    /// Errors about the file as a whole, which have no line to point at.
    static let wholeFileMessages = ["the file is empty", "the manifest holds no samples"]

    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("trail-fuzz-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// What reading one manifest gave.
    enum Outcome {
        case accepted(samples: Int, deletions: Int)
        case rejected(InputError)

        var error: InputError? { if case .rejected(let e) = self { return e } else { return nil } }
        var samples: Int? { if case .accepted(let n, _) = self { return n } else { return nil } }
    }

    /// Reads `bytes` as the manifest `name` and checks the contract; nil when it was broken
    /// (the test has failed already). `context` names the case in failure messages.
    @discardableResult
    func read(_ bytes: [UInt8], name: String, format: ManifestFormat? = nil, patch: Bool = false,
              _ context: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) throws -> Outcome? {
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let request = CommitRequest(manifestPath: path, format: format, message: "fuzz",
                                    author: Signature(name: "Fuzz", email: "fuzz@example.org", time: 0), isPatch: patch)
        let start = DispatchTime.now()
        var outcome: Outcome?
        var other: Error?
        do {
            let input = try ManifestInput(request: request, config: DatasetConfig(), isPatch: patch)
            outcome = .accepted(samples: input.samples.count, deletions: input.deletions.count)
        } catch let error as InputError {
            outcome = .rejected(error)
        } catch {
            other = error
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        XCTAssertLessThan(seconds, Self.timeLimit, "\(context()): took \(seconds) s on \(bytes.count) bytes", file: file, line: line)
        if let other {
            XCTFail("\(context()): not an InputError, so no location: \(type(of: other)) \(other)", file: file, line: line)
            return nil
        }
        guard let error = outcome?.error else { return outcome }
        // The location: this file, and a line (and column) that exist in it.
        var ok = error.file == path && error.description.hasPrefix(path)
        // CSV lines also end in a lone CR (as Python's csv reads them); JSON Lines only in LF.
        let csv = format == .csv || (format == nil && name.hasSuffix(".csv"))
        let lineCount = bytes.indices.reduce(1) { n, k in
            bytes[k] == 0x0a || (csv && bytes[k] == 0x0d && (k + 1 == bytes.count || bytes[k + 1] != 0x0a)) ? n + 1 : n
        }
        if let l = error.line {
            ok = ok && l >= 1 && l <= lineCount
        } else {
            ok = ok && Self.wholeFileMessages.contains(error.message)
        }
        if let c = error.column { ok = ok && c >= 1 && c <= bytes.count + 1 }
        ok = ok && !error.message.isEmpty && error.hint?.isEmpty != true
        XCTAssertTrue(ok, "\(context()): error without a proper location (\(lineCount) lines): \(error)", file: file, line: line)
        return ok ? outcome : nil
    }

    // MARK: - Inputs

    /// Valid JSON Lines in every shape the readers distinguish: flat rows (the fast path),
    /// nesting, escapes, non-ASCII, integer ids, label arrays and nulls, odd spacing.
    static let validJSONL: [UInt8] = {
        var lines: [String] = []
        for i in 0..<24 {
            switch i % 4 {
            case 0: lines.append(#"{"id":"s\#(i)","label":"safe","annotator":"ann_\#(i % 3)","guideline":"v3.1","text":"sample text \#(i)","score":0.\#(i)}"#)
            case 1: lines.append(#"{"id":\#(1000 + i),"labels":["spam","hate"],"meta":{"src":"web","tags":[1,2,{"k":null}]},"text":"line\nbreak \"q\" \u00e9"}"#)
            case 2: lines.append(#"{ "id" : "ü-\#(i)" , "label" : null , "note" : "✓ ünïcode" , "ok" : true }"#)
            default: lines.append(#"{"id":"s\#(i)","label":"spam","text":"","big":12345678901234567890,"neg":-0.5e-3}"#)
            }
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }()

    /// A valid patch: upserts and deletions.
    static let validPatch: [UInt8] = {
        var lines: [String] = []
        for i in 0..<12 {
            lines.append(i % 3 == 0 ? #"{"id":"s\#(i)","_delete":true}"# : #"{"id":"s\#(i)","label":"spam","note":"n\#(i)"}"#)
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }()

    /// Valid CSV with quoted commas, doubled quotes and quoted newlines.
    static let validCSV: [UInt8] = {
        var text = "id,label,annotator,text,note\n"
        for i in 0..<20 {
            switch i % 4 {
            case 0: text += "s\(i),safe,ann_\(i % 3),plain text \(i),\n"
            case 1: text += "s\(i),spam,ann_1,\"with, comma\",\"say \"\"hi\"\"\"\n"
            case 2: text += "ü-\(i),,ann_2,\"two\nlines\",ünïcode ✓\n"
            default: text += "\(1000 + i),hate,,\"\",\"a\"\n"
            }
        }
        return Array(text.utf8)
    }()

    /// For each line of a CSV file (1-based), the line its record starts on: a quoted newline
    /// continues the record above.
    static func recordStarts(_ csv: [UInt8]) -> [Int] {
        var starts = [0, 1]
        var inQuotes = false
        var recordStart = 1
        for c in csv {
            if c == UInt8(ascii: "\"") { inQuotes.toggle() }
            if c == 0x0a {
                if !inQuotes { recordStart = starts.count }
                starts.append(recordStart)
            }
        }
        return starts
    }

    /// Bytes that matter to the readers: structure, quotes, escapes, line endings, NUL, and
    /// starts of invalid or truncated UTF-8.
    static let interestingBytes: [UInt8] = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x2c, 0x3a, 0x5b, 0x5c, 0x5d, 0x7b, 0x7d,
                                            0x30, 0x2d, 0x65, 0x80, 0xbf, 0xc0, 0xc3, 0xed, 0xef, 0xf4, 0xf5, 0xff]

    static func byte(_ g: inout SeededGenerator) -> UInt8 {
        Bool.random(using: &g) ? interestingBytes.randomElement(using: &g)! : UInt8.random(in: 0...255, using: &g)
    }

    // MARK: - Random bytes

    func testRandomBytesAreRejectedWithALocationOrAccepted() throws {
        var g = SeededGenerator(seed: 1)
        let jsonAlphabet = Array(#"{}[]:,"\ 0123456789-+.eEtrufalsn"#.utf8) + [0x0a, 0x0d, 0x09, 0x00, 0xc3, 0xa9, 0xff]
        let csvAlphabet = Array("ab,\",,\"\"\n\r 1".utf8) + [0x00, 0xc3, 0xa9, 0x80]
        for trial in 0..<160 {
            let count = Int.random(in: 1...(trial % 10 == 0 ? 20_000 : 600), using: &g)
            let bytes: [UInt8]
            switch trial % 4 {
            case 0, 1: bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &g) }
            case 2: bytes = (0..<count).map { _ in jsonAlphabet.randomElement(using: &g)! }
            default: bytes = (0..<count).map { _ in csvAlphabet.randomElement(using: &g)! }
            }
            let csv = trial % 2 == 1
            try read(bytes, name: csv ? "random.csv" : "random.jsonl", "random trial \(trial)")
            // The same bytes under the other reader, chosen by --format.
            try read(bytes, name: "random.txt", format: csv ? .jsonl : .csv, "random trial \(trial), other format")
        }
    }

    // MARK: - Mutations

    /// One random edit of `bytes`; the byte offset and new byte when it replaced a single
    /// byte that was not, and is not, a newline (so every line keeps its number).
    static func mutate(_ bytes: inout [UInt8], _ g: inout SeededGenerator) -> (offset: Int, byte: UInt8)? {
        let lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false).map(Array.init)
        switch Int.random(in: 0..<8, using: &g) {
        case 0, 1:
            let at = Int.random(in: 0..<bytes.count, using: &g)
            let new = byte(&g)
            let old = bytes[at]
            bytes[at] = new
            return old != 0x0a && new != 0x0a && old != new ? (at, new) : nil
        case 2:
            let at = Int.random(in: 0...bytes.count, using: &g)
            bytes.insert(contentsOf: (0..<Int.random(in: 1...3, using: &g)).map { _ in byte(&g) }, at: at)
        case 3:
            let at = Int.random(in: 0..<bytes.count, using: &g)
            bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...20, using: &g)))
        case 4:
            bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &g)))
        case 5:
            // A line given twice (a duplicate id), or two lines swapped (still valid).
            var shuffled = lines
            let a = Int.random(in: 1..<(lines.count - 1), using: &g), b = Int.random(in: 1..<(lines.count - 1), using: &g)
            if Bool.random(using: &g) { shuffled.insert(lines[a], at: b) } else { shuffled.swapAt(a, b) }
            bytes = Array(shuffled.joined(separator: [0x0a]))
        case 6:
            let from = Int.random(in: 0..<bytes.count, using: &g)
            let slice = bytes[from..<min(bytes.count, from + Int.random(in: 1...40, using: &g))]
            bytes.insert(contentsOf: slice, at: Int.random(in: 0...bytes.count, using: &g))
        default:
            let at = Int.random(in: 0...bytes.count, using: &g)
            bytes.insert(contentsOf: (0..<Int.random(in: 1...30, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }, at: at)
        }
        return nil
    }

    static func line(of offset: Int, in bytes: [UInt8]) -> Int {
        bytes[..<offset].reduce(1) { $1 == 0x0a ? $0 + 1 : $0 }
    }

    func testMutatedJSONLinesAreAcceptedOrRejectedOnTheMutatedLine() throws {
        var g = SeededGenerator(seed: 2)
        XCTAssertEqual(try read(Self.validJSONL, name: "base.jsonl")?.samples, 24)
        XCTAssertEqual(try read(Self.validPatch, name: "base.jsonl", patch: true).flatMap { if case .accepted(let s, let d) = $0 { return [s, d] } else { return nil } }, [8, 4])
        var located = 0
        for trial in 0..<260 {
            let patch = trial % 4 == 3
            var bytes = patch ? Self.validPatch : Self.validJSONL
            let edit = Self.mutate(&bytes, &g)
            guard let outcome = try read(bytes, name: "mutated.jsonl", patch: patch, "JSONL mutation \(trial)") else { continue }
            // One byte changed on line k: lines before it parse as before, so any error is on
            // line k, or is a duplicate of an id that line k now has.
            guard let edit, let error = outcome.error else { continue }
            let k = Self.line(of: edit.offset, in: bytes)
            XCTAssertTrue(error.line == k || (error.message.contains("duplicate id") && error.message.contains("also on line \(k))")),
                          "JSONL mutation \(trial): byte \(edit.byte) at line \(k), error elsewhere: \(error)")
            located += 1
        }
        XCTAssertGreaterThan(located, 30, "enough single-byte edits broke a line to test where errors point")
    }

    func testMutatedCSVIsAcceptedOrRejectedAtOrAfterTheMutatedRecord() throws {
        var g = SeededGenerator(seed: 3)
        XCTAssertEqual(try read(Self.validCSV, name: "base.csv")?.samples, 20)
        let starts = Self.recordStarts(Self.validCSV)
        var located = 0
        for trial in 0..<260 {
            var bytes = Self.validCSV
            let edit = Self.mutate(&bytes, &g)
            guard let outcome = try read(bytes, name: "mutated.csv", "CSV mutation \(trial)") else { continue }
            // CSV is read in order: records before the edited one read as before, so an error
            // points at the edited record or one after it (a quote can swallow what follows).
            guard let edit, let error = outcome.error, let errorLine = error.line else { continue }
            let record = starts[Self.line(of: edit.offset, in: bytes)]
            XCTAssertGreaterThanOrEqual(errorLine, record, "CSV mutation \(trial): byte \(edit.byte) in the record on line \(record): \(error)")
            located += 1
        }
        XCTAssertGreaterThan(located, 30, "enough single-byte edits broke a record to test where errors point")
    }

    // MARK: - Truncation

    func testTruncatedJSONLinesFailOnTheLastLineUnlessCutAtALineEnd() throws {
        let bytes = Self.validJSONL
        var g = SeededGenerator(seed: 4)
        for trial in 0..<80 {
            let cut = Int.random(in: 1..<bytes.count, using: &g)
            let prefix = Array(bytes[..<cut])
            guard let outcome = try read(prefix, name: "cut.jsonl", "JSONL cut at \(cut)") else { continue }
            let complete = prefix.filter { $0 == 0x0a }.count
            // Every line ends in its only top-level '}', so a line is whole only up to its newline.
            if bytes[cut] == 0x0a || bytes[cut - 1] == 0x0a {
                XCTAssertEqual(outcome.samples, bytes[cut] == 0x0a ? complete + 1 : complete, "trial \(trial): cut at a line end")
            } else {
                XCTAssertEqual(outcome.error?.line, complete + 1, "trial \(trial): cut at \(cut) inside line \(complete + 1): \(outcome)")
                XCTAssertNotNil(outcome.error?.column, "trial \(trial): a syntax error has a column")
            }
        }
    }

    func testTruncatedCSVFailsOnTheLastRecordOrKeepsItShorter() throws {
        let bytes = Self.validCSV
        let starts = Self.recordStarts(bytes)
        var g = SeededGenerator(seed: 5)
        for trial in 0..<80 {
            let cut = Int.random(in: 1..<bytes.count, using: &g)
            let prefix = Array(bytes[..<cut])
            guard let outcome = try read(prefix, name: "cut.csv", "CSV cut at \(cut)") else { continue }
            let last = Self.line(of: cut, in: bytes)
            if let error = outcome.error {
                if error.line == nil { continue }  // only the header was left
                XCTAssertTrue((starts[last]...last).contains(error.line!), "trial \(trial): cut in the record of lines \(starts[last])...\(last): \(error)")
            }
        }
    }

    // MARK: - Huge inputs

    func testHugeFieldsAndHeadersAreReadInBoundedTime() throws {
        // Built from byte arrays: string interpolation of 20 MB is slow in a debug build.
        func b(_ text: String) -> [UInt8] { Array(text.utf8) }
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 20 << 20)
        // A 20 MB content field (its own blob) and a 20 MB plain field.
        XCTAssertEqual(try read(b(#"{"id":"big","text":""#) + big + b("\"}\n"), name: "big.jsonl")?.samples, 1)
        XCTAssertEqual(try read(b(#"{"id":"big","note":""#) + big + b(#"","label":"safe"}"#), name: "big.jsonl")?.samples, 1)
        // Never closed, and a 20 MB line of garbage with no newline.
        XCTAssertEqual(try read(b(#"{"id":"big","text":""#) + big, name: "big.jsonl")?.error?.line, 1)
        XCTAssertEqual(try read(b("{\"id\":\"ok\"}\n{") + big, name: "big.jsonl")?.error?.line, 2)
        // A 20 MB CSV field, quoted and not, and never closed.
        XCTAssertEqual(try read(b("id,text\nbig,\"") + big + b("\"\n"), name: "big.csv")?.samples, 1)
        XCTAssertEqual(try read(b("id,text\nbig,") + big, name: "big.csv")?.samples, 1)
        XCTAssertEqual(try read(b("id,text\nok,1\nbig,\"") + big, name: "big.csv")?.error?.line, 3)

        // 100k columns: accepted with a full row, rejected with a short one, no rows at all.
        let columns = 100_000
        let header = "id," + (1..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
        let row = "r1," + String(repeating: "v,", count: columns - 2) + "v\n"
        XCTAssertEqual(try read(Array((header + row).utf8), name: "wide.csv")?.samples, 1)
        let short = try read(Array((header + "r1,a,b\n").utf8), name: "wide.csv")?.error
        XCTAssertEqual(short?.line, 2)
        XCTAssertEqual(short?.message, "row has 3 fields but the header has \(columns)")
        XCTAssertEqual(try read(Array(header.utf8), name: "wide.csv")?.error?.message, "the manifest holds no samples")
        XCTAssertEqual(try read(Array(("id," + (1..<columns).map { _ in "same" }.joined(separator: ",") + "\n").utf8),
                                name: "wide.csv")?.error?.field, "same")

        // One JSON object with 100k keys, in and out of sorted order, and with a duplicate last.
        let keys = (0..<columns).map { #""k\#($0)":\#($0)"# }
        XCTAssertEqual(try read(Array(("{\"id\":\"wide\"," + keys.joined(separator: ",") + "}\n").utf8), name: "wide.jsonl")?.samples, 1)
        XCTAssertEqual(try read(Array(("{\"id\":\"wide\"," + keys.reversed().joined(separator: ",") + "}\n").utf8), name: "wide.jsonl")?.samples, 1)
        let duplicate = try read(Array(("{\"id\":\"wide\"," + keys.joined(separator: ",") + #","k7":0}"#).utf8), name: "wide.jsonl")?.error
        XCTAssertEqual(duplicate?.line, 1)
        XCTAssertTrue(duplicate?.message.contains(#"duplicate key "k7""#) == true, "\(String(describing: duplicate))")

        // A long line of a million array items, and a million-byte line of one number.
        let items = String(repeating: "1,", count: 1_000_000) + "1"
        XCTAssertEqual(try read(Array(#"{"id":"long","x":[\#(items)]}"#.utf8), name: "long.jsonl")?.samples, 1)
        XCTAssertEqual(try read(Array(#"{"id":"long","x":\#(String(repeating: "9", count: 1_000_000))}"#.utf8), name: "long.jsonl")?.samples, 1)
    }

    func testWideRowsGiveTheSameRecordOnBothPaths() throws {
        // The fast path sorts many keys differently from a few; the record must not change.
        let builder = RecordBuilder(config: DatasetConfig(), file: "wide.jsonl", mediaRoot: folder.path)
        let fast = FastRecordPath(builder: builder)
        for count in [63, 64, 65, 300] {
            let row = "{" + (0..<count).reversed().map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + #","id":"w","label":"safe"}"#
            var counts = fast.makeCounts()
            let fastResult = try Array(row.utf8).withUnsafeBytes { try fast.build($0, line: 1, counts: &counts) }
            let slow = try builder.build(ManifestRow(line: 1, members: try JSONParser.parse(row).objectMembers!))
            XCTAssertNotNil(fastResult, "\(count) keys")
            XCTAssertEqual(fastResult?.sample.record.data, slow.0.record.data, "\(count) keys")
            // A duplicate among them goes to the general path, which names it.
            let duplicated = String(row.dropLast()) + #","k\#(count / 2)":0}"#
            XCTAssertNil(try Array(duplicated.utf8).withUnsafeBytes { try fast.build($0, line: 1, counts: &counts) }, "\(count) keys")
            XCTAssertThrowsError(try JSONParser.parse(duplicated)) {
                XCTAssertEqual(($0 as? JSONSyntaxError)?.message, "duplicate key \"k\(count / 2)\"")
            }
        }
    }

    func testErrorsFarIntoALargeFileNameTheRightLine() throws {
        // Large enough to be read in several chunks at once; the line count must carry over.
        let padding = String(repeating: "words ", count: 20)
        var lines = (0..<24_000).map { #"{"id":"s\#($0)","label":"safe","text":"\#(padding)row \#($0)"}"# }
        lines[17_889] = #"{"id":"s17889","label":"safe","text":"broken"#
        let lf = Array((lines.joined(separator: "\n") + "\n").utf8)
        XCTAssertGreaterThan(lf.count, 3 << 20)
        XCTAssertEqual(try read(lf, name: "many.jsonl")?.error?.line, 17_890)
        XCTAssertEqual(try read(Array((lines.joined(separator: "\r\n") + "\r\n").utf8), name: "many.jsonl")?.error?.line, 17_890)
        // A duplicate across chunks names both lines.
        lines[17_889] = #"{"id":"s12","label":"safe"}"#
        let duplicate = try read(Array(lines.joined(separator: "\n").utf8), name: "many.jsonl")?.error
        XCTAssertEqual(duplicate?.line, 17_890)
        XCTAssertTrue(duplicate?.message.contains("also on line 13") == true, "\(String(describing: duplicate))")

        // CSV with quoted newlines before the bad row: lines are counted, not records.
        var csv = "id,text\n"
        for i in 0..<5_000 { csv += "s\(i),\"two\nlines\"\n" }
        csv += "bad,row,extra\n"
        XCTAssertEqual(try read(Array(csv.utf8), name: "many.csv")?.error?.line, 10_002)
    }

    // MARK: - Nesting

    func testDeepNestingIsBoundedOnEveryThread() throws {
        let limit = JSONParser.maxDepth
        func nested(_ depth: Int, closed: Bool = true) -> String {
            String(repeating: "[", count: depth) + (closed ? String(repeating: "]", count: depth) : "")
        }
        // The row object is the first level; read on the readers' worker threads.
        XCTAssertEqual(try read(Array(#"{"id":"d","x":\#(nested(limit - 1))}"#.utf8), name: "deep.jsonl")?.samples, 1)
        let over = try read(Array((#"{"id":"ok"}"# + "\n\n" + #"{"id":"d","x":\#(nested(limit))}"#).utf8), name: "deep.jsonl")?.error
        XCTAssertEqual(over?.line, 3)
        XCTAssertTrue(over?.message.contains("nesting deeper") == true, "\(String(describing: over))")
        XCTAssertNotNil(over?.column)
        let objects = String(repeating: #"{"a":"#, count: 100_000)
        XCTAssertEqual(try read(Array(#"{"id":"d","x":\#(objects)"#.utf8), name: "deep.jsonl")?.error?.line, 1)
        XCTAssertEqual(try read(Array(nested(1_000_000, closed: false).utf8), name: "deep.jsonl")?.error?.line, 1)
        XCTAssertEqual(try read(Array(nested(1_000_000).utf8), name: "deep.jsonl")?.error?.line, 1)
        // A label nested too deep goes the general path and still fails on its line.
        XCTAssertEqual(try read(Array(#"{"id":"d","label":\#(nested(300))}"#.utf8), name: "deep.jsonl")?.error?.line, 1)
    }

    // MARK: - Control bytes, line endings, UTF-8

    func testControlBytesAndLineEndings() throws {
        func jsonl(_ text: [UInt8]) throws -> Outcome? { try read(text, name: "ctl.jsonl", String(decoding: text, as: UTF8.self)) }
        func csv(_ text: [UInt8]) throws -> Outcome? { try read(text, name: "ctl.csv", String(decoding: text, as: UTF8.self)) }
        let a = Array(#"{"id":"a"}"#.utf8), b = Array(#"{"id":"b"}"#.utf8)

        // NUL: outside a string, raw inside one, escaped (valid), alone on a line, in CSV.
        XCTAssertEqual(try jsonl(a + [0x0a] + [0x00] + b)?.error?.line, 2)
        XCTAssertEqual(try jsonl(a + [0x0a] + Array(#"{"id":"b","t":"x"#.utf8) + [0x00] + Array(#""}"#.utf8))?.error?.column, 17)
        XCTAssertEqual(try jsonl(Array(#"{"id":"a\u0000b","t":"\u0000"}"#.utf8))?.samples, 1)
        XCTAssertEqual(try jsonl(a + [0x0a, 0x00, 0x0a] + b)?.error?.line, 2)
        XCTAssertEqual(try jsonl([0x00])?.error?.line, 1)
        XCTAssertEqual(try csv(Array("id,t\na".utf8) + [0x00] + Array(",x\0y\n".utf8))?.samples, 1)
        XCTAssertEqual(try csv(Array("id,t\0\na,b\n".utf8))?.samples, 1)

        // Lone CR: JSON whitespace inside a line, so two objects on one "line" are an error there.
        XCTAssertEqual(try jsonl(a + [0x0d] + b + [0x0d])?.error?.line, 1)
        XCTAssertEqual(try jsonl(a + [0x0a, 0x0d, 0x0a] + b)?.samples, 2)
        XCTAssertEqual(try jsonl(Array(#"{"id":"a","t":"x"#.utf8) + [0x0d] + Array(#"y"}"#.utf8))?.error?.line, 1)
        // In CSV a lone CR ends a line, as LF and CRLF do (and as in Python's csv); inside quotes it is kept.
        XCTAssertEqual(try csv(Array("id,t\ra,b\r".utf8))?.samples, 1)
        XCTAssertEqual(try csv(Array("id,t\na,b\rc\n".utf8))?.error?.line, 3)
        XCTAssertEqual(try csv(Array("id,t\na,\"b\rc\"\rd,e".utf8))?.samples, 2)
        XCTAssertEqual(try csv(Array("id,t\r\na,\"b\r\nc\"\r\nd,e\r\n".utf8))?.samples, 2)
        XCTAssertEqual(try csv(Array("id,t\r\na,b\r\nc\r\n".utf8))?.error?.line, 3)

        // Byte order marks: skipped at the start, an error anywhere else.
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        XCTAssertEqual(try jsonl(bom + a + [0x0d, 0x0a] + b + [0x0d, 0x0a])?.samples, 2)
        XCTAssertEqual(try jsonl(bom)?.error?.message, "the manifest holds no samples")
        XCTAssertEqual(try jsonl(a + [0x0a] + bom + b)?.error?.line, 2)
        XCTAssertEqual(try csv(bom + Array("id,t\r\na,b\r\n".utf8))?.samples, 1)
        XCTAssertEqual(try csv(bom)?.error?.line, 1)

        // Nothing but whitespace, blank lines, empty header fields.
        XCTAssertEqual(try jsonl([0x0a, 0x0d, 0x0a, 0x20, 0x09, 0x0a])?.error?.message, "the manifest holds no samples")
        XCTAssertEqual(try csv(Array("\n\n".utf8))?.error?.line, 1)
        XCTAssertEqual(try csv(Array("id,,t\na,b,c\n".utf8))?.error?.line, 1)
        XCTAssertEqual(try csv(Array("id,t\n\n\na,b\n\n".utf8))?.samples, 1)
    }

    func testInvalidUTF8IsRejectedWhereItStarts() throws {
        let sequences: [(String, [UInt8])] = [
            ("lone continuation", [0x80]), ("overlong slash", [0xC0, 0xAF]), ("overlong NUL", [0xE0, 0x80, 0x80]),
            ("surrogate", [0xED, 0xA0, 0x80]), ("past U+10FFFF", [0xF4, 0x90, 0x80, 0x80]), ("F5", [0xF5, 0x80, 0x80, 0x80]),
            ("FF", [0xFF]), ("two-byte start then ASCII", [0xC3, 0x28]), ("truncated three-byte", [0xE2, 0x82]),
        ]
        for (name, bad) in sequences {
            // In a JSON string, a key, and outside any string; the column is the bad byte's.
            for (prefix, suffix) in [(#"{"id":"a","t":"x"#, #""}"#), (#"{"id":"a",""#, #"":1}"#), (#"{"id":"a","n":"#, "}")] {
                let line = Array(prefix.utf8) + bad + Array(suffix.utf8)
                let error = try read(Array(#"{"id":"z"}"#.utf8) + [0x0a] + line + [0x0a], name: "utf8.jsonl", "\(name) in \(prefix)")?.error
                XCTAssertEqual(error?.line, 2, name)
                if prefix.hasSuffix("x") || prefix.hasSuffix("\"") {
                    XCTAssertEqual(error?.column, prefix.utf8.count + 1, name)
                    XCTAssertEqual(error?.message, "invalid UTF-8 byte sequence", name)
                }
            }
            // At the very end of the file, cut off.
            XCTAssertEqual(try read(Array(#"{"id":"a","t":"x"#.utf8) + bad, name: "utf8.jsonl", name)?.error?.line, 1)
            // CSV: in the header, in a quoted field spanning lines, at the end.
            XCTAssertEqual(try read(Array("id,t".utf8) + bad + Array("\na,b\n".utf8), name: "utf8.csv", name)?.error?.line, 1)
            XCTAssertEqual(try read(Array("id,t\na,\"b\nc".utf8) + bad + Array("\"\n".utf8), name: "utf8.csv", name)?.error?.line, 3)
            XCTAssertEqual(try read(Array("id,t\na,b".utf8) + bad, name: "utf8.csv", name)?.error?.line, 2)
        }
    }

    // MARK: - Quotes

    func testUnbalancedQuotes() throws {
        func csv(_ text: String) throws -> Outcome? { try read(Array(text.utf8), name: "q.csv", text) }
        XCTAssertEqual(try csv("id,t\na,\"never closed\n")?.error?.message, "a quoted value is never closed")
        XCTAssertEqual(try csv("id,t\na,b\nc,d\ne,\"opens here\nf,g\nh,i\n")?.error?.line, 4)
        XCTAssertEqual(try csv("id,t\na,\"x\"y\n")?.error?.line, 2)
        XCTAssertEqual(try csv("id,t\na,\"x\nz\"y\n")?.error?.line, 3)
        XCTAssertEqual(try csv("id,t\na,\"\"\"\n")?.error?.line, 2)
        XCTAssertEqual(try csv("\"id,t\na,b\n")?.error?.line, 1)
        XCTAssertEqual(try csv("id,t\"\na,b\n")?.samples, 1)  // a quote inside a value is data
        XCTAssertEqual(try csv("id,t\na,b\"c\"\n")?.samples, 1)
        XCTAssertEqual(try csv("id,t\na,\"x\"\"y\"\n")?.samples, 1)
        XCTAssertEqual(try csv("id,t\na,\"\"\n")?.samples, 1)
        XCTAssertEqual(try csv(String(repeating: "\"", count: 10_001))?.error?.line, 1)
        // Each quote closes the one above it, until the last, which never closes.
        XCTAssertEqual(try csv("id,t\n" + String(repeating: "a,\"\n", count: 5_001))?.error?.line, 5_002)

        func jsonl(_ text: String) throws -> Outcome? { try read(Array(text.utf8), name: "q.jsonl", text) }
        XCTAssertEqual(try jsonl(#"{"id":"a}"#)?.error?.line, 1)
        XCTAssertEqual(try jsonl("{\"id\":\"a\"}\n{\"id\":\"b\n\"}\n")?.error?.line, 2)
        XCTAssertEqual(try jsonl(#"{"id":"a","t":"\"}"#)?.error?.line, 1)
        XCTAssertEqual(try jsonl(#"{"id":"a","t":"\u12"}"#)?.error?.line, 1)
        XCTAssertEqual(try jsonl(#"{"id":"a","t":"\ud800"}"#)?.error?.line, 1)
        XCTAssertEqual(try jsonl(#"{"id":"a","t":"\udc00\ud800"}"#)?.error?.line, 1)
        XCTAssertEqual(try jsonl(#"{"id":"a","t":"\"#)?.error?.line, 1)
        XCTAssertEqual(try jsonl(#"{"id":"a","t":"\ud83d\ude00"}"#)?.samples, 1)
    }

    // MARK: - Media

    func testMediaThatIsNotARegularFileIsRejectedWithoutBlocking() throws {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("dir"), withIntermediateDirectories: true)
        let fifo = folder.appendingPathComponent("pipe").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertEqual(try read(Array(#"{"id":"a","media":"dir"}"#.utf8), name: "media.jsonl")?.error?.field, "media")
        XCTAssertEqual(try read(Array(#"{"id":"a","media":"."}"#.utf8), name: "media.jsonl")?.error?.field, "media")
        // A FIFO would block the reader until something writes to it: read it on another thread,
        // and if it blocks, open the FIFO's other end so the test ends rather than hangs.
        let finished = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var outcome: Outcome?; var error: Error? }
        let box = Box()
        Thread.detachNewThread { [self] in
            do { box.outcome = try self.read(Array("{\"id\":\"a\",\"media\":\"pipe\"}\n".utf8), name: "media.jsonl") } catch { box.error = error }
            finished.signal()
        }
        if finished.wait(timeout: .now() + Self.timeLimit) == .timedOut {
            let writer = open(fifo, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            finished.wait()
            XCTFail("reading a manifest whose media path names a FIFO blocked")
        }
        XCTAssertNil(box.error)
        XCTAssertEqual(box.outcome?.error?.line, 1)
        XCTAssertEqual(box.outcome?.error?.field, "media")
    }
}

/// SplitMix64: a tiny seeded generator, so that every run tries the same inputs.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
