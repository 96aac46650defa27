/// A JSON syntax error at a byte offset of the parsed text.
public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    /// Zero-based byte offset where the problem was found.
    public let offset: Int
    /// What is wrong, in words.
    public let message: String
    /// How to fix it, when the message alone does not say.
    public var hint: String? = nil
    /// True when the bytes are not UTF-8 at all (at `offset`), rather than malformed JSON.
    public var isInvalidUTF8 = false

    /// The message and where, in words (bytes counted from 1, as columns are): readers that
    /// know which file or record it was say so around it.
    public var description: String { "\(message) at byte \(offset + 1)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Hand-written rather than Foundation's `JSONSerialization` because Trail must keep each
/// number's exact spelling, reject duplicate keys and invalid UTF-8 with a position, and parse
/// hundreds of megabytes a second.
public struct JSONParser {
    /// Deeper nesting than this is rejected, so hostile input cannot exhaust the stack.
    public static let maxDepth = 256

    private let bytes: UnsafeRawBufferPointer
    private let rejectsEquivalentKeys: Bool
    private var i = 0

    private init(_ bytes: UnsafeRawBufferPointer, rejectsEquivalentKeys: Bool) {
        self.bytes = bytes
        self.rejectsEquivalentKeys = rejectsEquivalentKeys
    }

    /// Parses exactly one JSON value (surrounded by optional whitespace).
    ///
    /// Keys of one object must differ in their bytes. With `rejectingEquivalentKeys` they must
    /// also differ as Unicode text: NFC `é` and NFD `e`+U+0301, or `K` and U+212A KELVIN SIGN, are
    /// then duplicates too. Manifests are parsed that way, since Swift strings, dictionaries and
    /// CSV columns take such keys for one; stored records are not, so that what an older Trail
    /// stored can still be read.
    public static func parse(_ bytes: UnsafeRawBufferPointer, rejectingEquivalentKeys: Bool = false) throws -> JSONValue {
        if let bad = UTF8Validation.firstInvalidByte(bytes) {
            throw JSONSyntaxError(offset: bad, message: "invalid UTF-8", isInvalidUTF8: true)
        }
        var parser = JSONParser(bytes, rejectsEquivalentKeys: rejectingEquivalentKeys)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.i != bytes.count {
            throw JSONSyntaxError(offset: parser.i, message: "unexpected text after the JSON value")
        }
        return value
    }

    /// Parses a JSON value from an array of bytes.
    public static func parse(_ bytes: [UInt8], rejectingEquivalentKeys: Bool = false) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse($0, rejectingEquivalentKeys: rejectingEquivalentKeys) }
    }

    /// Parses a JSON value from a string.
    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Array(text.utf8))
    }

    private var current: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0a, 0x0d: i += 1
            default: return
            }
        }
    }

    private func fail(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset ?? i, message: message)
    }

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        guard let c = current else { throw fail("unexpected end of input, expected a value") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected character '\(printable(c))', expected a value")
        }
    }

    private mutating func expectWord(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count, memcmp(bytes.baseAddress! + i, word.utf8Start, n) == 0 else {
            throw fail("invalid literal, expected '\(word)'")
        }
        i += n
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        if depth > JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth) levels") }
        i += 1
        var members: [JSONMember] = []
        // Keys by their bytes, once an object is too large to scan for each new key.
        var keys: Set<[UInt8]>?
        // Keys as Swift strings (which hash and compare canonically), once a key is not ASCII:
        // ASCII keys that differ in bytes differ as text, but a non-ASCII key may equal an ASCII one.
        var equivalents: [String: String]?
        skipWhitespace()
        if current == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
            let keyOffset = i
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw fail("expected ':' after key \"\(key)\"") }
            i += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            // Byte equality: Swift's == would call NFC and NFD spellings of a key the same. A
            // scan per key is quadratic: 100k keys on one line took minutes, so large objects hash.
            let duplicate: Bool
            if members.count < 32 {
                duplicate = members.contains(where: { $0.key.utf8.elementsEqual(key.utf8) })
            } else {
                if keys == nil { keys = Set(members.map { Array($0.key.utf8) }) }
                duplicate = !keys!.insert(Array(key.utf8)).inserted
            }
            if duplicate { throw fail("duplicate key \"\(key)\"", at: keyOffset) }
            if rejectsEquivalentKeys, equivalents != nil || key.utf8.contains(where: { $0 >= 0x80 }) {
                if equivalents == nil { equivalents = Dictionary(members.map { ($0.key, $0.key) }, uniquingKeysWith: { a, _ in a }) }
                if let earlier = equivalents!.updateValue(key, forKey: key) {
                    throw JSONSyntaxError(offset: keyOffset,
                                          message: "duplicate key \"\(key)\": \"\(key.scalarEscaped)\" here and \"\(earlier.scalarEscaped)\" before it are the same text in Unicode (canonically equivalent, such as NFC and NFD)",
                                          hint: "spell each key once, in one Unicode form (NFC: `uconv -x any-nfc`, or Python's unicodedata.normalize('NFC', key))")
                }
            }
            members.append(JSONMember(key, value))
            skipWhitespace()
            guard let c = current else { throw fail("unexpected end of input inside an object") }
            i += 1
            if c == UInt8(ascii: "}") { return .object(members) }
            guard c == UInt8(ascii: ",") else { throw fail("expected ',' or '}' in an object", at: i - 1) }
        }
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        if depth > JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth) levels") }
        i += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard let c = current else { throw fail("unexpected end of input inside an array") }
            i += 1
            if c == UInt8(ascii: "]") { return .array(items) }
            guard c == UInt8(ascii: ",") else { throw fail("expected ',' or ']' in an array", at: i - 1) }
        }
    }

    private mutating func parseNumber() throws -> String {
        let start = i
        func digits() -> Int {
            let s = i
            while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { i += 1 }
            return i - s
        }
        if current == UInt8(ascii: "-") { i += 1 }
        if current == UInt8(ascii: "0") {
            i += 1
        } else if digits() == 0 {
            throw fail("invalid number: expected a digit")
        }
        if current == UInt8(ascii: ".") {
            i += 1
            if digits() == 0 { throw fail("invalid number: expected a digit after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            i += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { i += 1 }
            if digits() == 0 { throw fail("invalid number: expected a digit in the exponent") }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    }

    private mutating func parseString() throws -> String {
        let open = i
        i += 1
        let start = i
        // Fast path: no escapes. The whole input was validated as UTF-8 already.
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("control character U+\(hex4(UInt16(c))) in a string; escape it as \\u\(hex4(UInt16(c)))") }
            i += 1
        }
        guard i < bytes.count else { throw fail("unterminated string", at: open) }
        var out = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw fail("control character U+\(hex4(UInt16(c))) in a string; escape it as \\u\(hex4(UInt16(c)))") }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard let e = current else { break }
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5c)
            case UInt8(ascii: "/"): out.append(0x2f)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(try parseHex4())
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired UTF-16 surrogate \\u\(hex4(UInt16(scalar)))")
                    }
                    i += 2
                    let low = UInt32(try parseHex4())
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired UTF-16 surrogate \\u\(hex4(UInt16(scalar)))") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("unpaired UTF-16 surrogate \\u\(hex4(UInt16(scalar)))")
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default:
                throw fail("invalid escape '\\\(printable(e))' in a string", at: i - 2)
            }
        }
        throw fail("unterminated string", at: open)
    }

    private mutating func parseHex4() throws -> UInt16 {
        guard i + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt16 = 0
        for k in 0..<4 {
            let c = bytes[i + k]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape: expected 4 hexadecimal digits")
            }
            v = v << 4 | UInt16(d)
        }
        i += 4
        return v
    }
}

extension String {
    /// The text with every scalar outside printable ASCII (and `\`, `"`) written as `\u{…}`, so
    /// that spellings which look alike (NFC and NFD) can be told apart in a message.
    var scalarEscaped: String {
        var out = ""
        for scalar in unicodeScalars {
            if (0x20..<0x7f).contains(scalar.value) && scalar != "\\" && scalar != "\"" {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }
}

private func hex4(_ v: UInt16) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: 4 - s.count) + s
}

private func printable(_ c: UInt8) -> String {
    (0x20..<0x7f).contains(c) ? String(UnicodeScalar(c)) : "\\x" + String(c, radix: 16)
}

#if canImport(Glibc)
import Glibc
#endif
