import Foundation
import XCTest

/// Every kind of bad input gets an error naming file, line and field, exit 1, and leaves the
/// store exactly as it was: same refs, same object files, no stray pack or temporary file.
final class BadInputTests: XCTestCase {
    struct Case {
        let name: String
        let file: String
        let content: Data
        let expected: [String]
    }

    func testEveryBadInputIsRejectedAndLeavesTheStoreAsItWas() throws {
        let good = #"{"id":"s1","label":"safe","text":"fine"}"#
        let cases: [Case] = [
            Case(name: "malformed JSON", file: "bad.jsonl", content: Data((good + "\n" + #"{"id":"s2","label":"safe""# + "\n").utf8),
                 expected: ["bad.jsonl:2:", "malformed JSON", "hint:"]),
            Case(name: "not an object", file: "bad.jsonl", content: Data((good + "\n[1,2]\n").utf8),
                 expected: ["bad.jsonl:2:", "expected a JSON object"]),
            Case(name: "missing id", file: "bad.jsonl", content: Data((good + "\n" + #"{"label":"safe"}"# + "\n").utf8),
                 expected: ["bad.jsonl:2:", "field 'id'", "no id"]),
            Case(name: "duplicate id", file: "bad.jsonl", content: Data((good + "\n" + #"{"id":"x"}"# + "\n" + good + "\n").utf8),
                 expected: ["bad.jsonl:3:", "field 'id'", "duplicate id 's1'", "also on line 1"]),
            Case(name: "duplicate key", file: "bad.jsonl", content: Data((#"{"id":"a","label":"x","label":"y"}"# + "\n").utf8),
                 expected: ["bad.jsonl:1:", "duplicate key \"label\""]),
            // Keys that are one text in Unicode (NFC and NFD, a singleton like KELVIN SIGN and K) are
            // one key to Swift and to a CSV export, so they are refused, naming both spellings.
            Case(name: "NFC and NFD spellings of one key", file: "bad.jsonl", content: Data((good + "\n" + #"{"id":"s2","caf\#u{E9}":1,"cafe\#u{301}":2}"# + "\n").utf8),
                 expected: ["bad.jsonl:2:", "duplicate key", #""caf\u{E9}""#, #""cafe\u{301}""#]),
            Case(name: "equivalent keys written as escapes, nested", file: "bad.jsonl", content: Data((#"{"id":"s2","x":[{"a":1,"\u00e9":1,"e\u0301":2}]}"# + "\n").utf8),
                 expected: ["bad.jsonl:1:", "duplicate key", #""\u{E9}""#, #""e\u{301}""#]),
            Case(name: "equivalent keys in a flat row of strings", file: "bad.jsonl", content: Data((#"{"id":"s2","label":"safe","\#u{212B}":"x","\#u{C5}":"y"}"# + "\n").utf8),
                 expected: ["bad.jsonl:1:", "duplicate key", #""\u{212B}""#, #""\u{C5}""#]),
            Case(name: "an ASCII key and its equivalent", file: "bad.jsonl", content: Data((#"{"id":"s2","K":"1","\#u{212A}":"2"}"# + "\n").utf8),
                 expected: ["bad.jsonl:1:", "duplicate key", #""K""#, #""\u{212A}""#]),
            Case(name: "NFC and NFD spellings of one CSV column", file: "bad.csv", content: Data("id,caf\u{E9},cafe\u{301}\na,1,2\n".utf8),
                 expected: ["bad.csv:1:", #""caf\u{E9}""#, #""cafe\u{301}""#]),
            Case(name: "invalid UTF-8", file: "bad.jsonl", content: Data(Array((good + "\n").utf8) + Array(#"{"id":"s2","text":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8) + [0x0a]),
                 expected: ["bad.jsonl:2:", "invalid UTF-8", "iconv"]),
            Case(name: "label of the wrong type", file: "bad.jsonl", content: Data((good + "\n" + #"{"id":"s2","label":3}"# + "\n").utf8),
                 expected: ["bad.jsonl:2:", "field 'label'", "must be a string", "not a number"]),
            Case(name: "label array of numbers", file: "bad.jsonl", content: Data((#"{"id":"s2","label":["a",1]}"# + "\n").utf8),
                 expected: ["bad.jsonl:1:", "field 'label'"]),
            Case(name: "missing media file", file: "bad.jsonl", content: Data((#"{"id":"s2","media":"media/none.bin"}"# + "\n").utf8),
                 expected: ["bad.jsonl:1:", "field 'media'", "does not exist", "--media-root"]),
            Case(name: "media path leaving the root", file: "bad.jsonl", content: Data((#"{"id":"s2","media":"../secret.bin"}"# + "\n").utf8),
                 expected: ["bad.jsonl:1:", "field 'media'", "leaves the media root"]),
            Case(name: "absolute media path", file: "bad.jsonl", content: Data((#"{"id":"s2","media":"/etc/passwd"}"# + "\n").utf8),
                 expected: ["bad.jsonl:1:", "field 'media'", "leaves the media root"]),
            Case(name: "ragged CSV row", file: "bad.csv", content: Data("id,label,text\ns1,safe,ok\ns2,spam\n".utf8),
                 expected: ["bad.csv:3:", "2 fields but the header has 3"]),
            Case(name: "unclosed CSV quote", file: "bad.csv", content: Data("id,label,text\ns1,safe,\"never closed\n".utf8),
                 expected: ["bad.csv:2:", "never closed"]),
            Case(name: "empty file", file: "bad.jsonl", content: Data(),
                 expected: ["bad.jsonl:", "empty"]),
            Case(name: "blank lines only", file: "bad.jsonl", content: Data("\n\n  \n".utf8),
                 expected: ["bad.jsonl:", "no samples"]),
            Case(name: "deep nesting", file: "bad.jsonl", content: Data((#"{"id":"d","x":"# + String(repeating: "[", count: 5000) + "\n").utf8),
                 expected: ["bad.jsonl:1:", "nesting deeper"]),
            // 100000 levels: refused at level 257 (by the parser's depth limit), never a stack overflow.
            Case(name: "100000 nested arrays as the line", file: "bad.jsonl", content: Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n").utf8),
                 expected: ["bad.jsonl:1:257:", "nesting deeper than 256 levels"]),
            Case(name: "100000 nested objects in a field", file: "bad.jsonl", content: Data((#"{"id":"d","x":"# + String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_001) + "\n").utf8),
                 expected: ["bad.jsonl:1:", "nesting deeper than 256 levels"]),
            Case(name: "100000 nested arrays in a label of a patch-shaped row", file: "bad.jsonl", content: Data((good + "\n" + #"{"id":"s2","label":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}\n").utf8),
                 expected: ["bad.jsonl:2:", "nesting deeper than 256 levels"]),
            Case(name: "unknown format", file: "bad.txt", content: Data(good.utf8),
                 expected: ["bad.txt", "--format"]),
        ]
        let box = try Sandbox()
        try box.write("secret.bin", "top secret")
        try box.write("v1.jsonl", Sandbox.dataset(30))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "good")
        let before = try box.storeState()
        for c in cases {
            try box.write(c.file, c.content)
            let result = try box.trail(["commit", c.file, "-m", "should fail"])
            XCTAssertEqual(result.status, 1, "\(c.name): expected exit 1, got \(result.status): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("error: "), "\(c.name): \(result.stderr)")
            for text in c.expected {
                XCTAssertTrue(result.stderr.contains(text), "\(c.name): expected '\(text)' in: \(result.stderr)")
            }
            XCTAssertEqual(result.stdout, "", c.name)
            XCTAssertEqual(try box.storeState(), before, "\(c.name) changed the store")
        }
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)
    }

    func testGarbageNeverCrashesOrHangs() throws {
        // Random bytes, truncations and huge fields: always an error with a location, never a crash.
        let box = try Sandbox()
        try box.ok("init")
        var generator = SplitMix(seed: 7)
        let valid = Sandbox.dataset(5)
        for trial in 0..<12 {
            var bytes = Array(valid.utf8)
            switch trial % 4 {
            case 0: bytes = (0..<200).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            case 1: bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count))))
            case 2: for _ in 0..<5 { bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next()) }
            default: bytes = Array((#"{"id":"big","text":""# + String(repeating: "x", count: 2_000_000)).utf8)
            }
            try box.write("fuzz.jsonl", Data(bytes))
            let result = try box.trail(["commit", "fuzz.jsonl", "-m", "fuzz"])
            XCTAssertTrue(result.status == 0 || result.status == 1, "trial \(trial): exit \(result.status) \(result.stderr)")
            if result.status == 1 { XCTAssertTrue(result.stderr.contains("fuzz.jsonl"), result.stderr) }
        }
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)
    }
}

/// A small deterministic random number generator for test inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
