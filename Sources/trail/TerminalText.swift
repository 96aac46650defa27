import Foundation
import TrailCore

/// What `trail` prints to a terminal, made safe: ids, labels, annotators, guideline versions,
/// metadata, messages and names come from datasets and remotes that anyone may have written, and
/// an escape sequence in them could retitle the window, move the cursor, hide text, or print a fake
/// `error:` line; a bidi override could make a line read backwards.
///
/// Every line of text output goes through `print` (shadowed below for this module), `note` or
/// `printError`, and each of them writes through here, so a new command cannot forget it.
/// A line that holds a control character (C0, DEL, C1), a line or paragraph separator, or a bidi
/// control is written with those characters escaped as `\e`, `\n`, `\t`, `\u{202E}` ..., and every
/// backslash in it doubled so that the escapes read unambiguously (git's core.quotePath does the same
/// for file names); other lines are written exactly as they are. `--json` output keeps its values
/// exact: the same characters are written there as JSON's `\uXXXX` escapes.
enum TerminalText {
    /// True for the characters never written raw to a terminal.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true  // C0, DEL, C1 (0x9B is CSI, 0x9D is OSC)
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true  // bidi controls
        case 0x2028, 0x2029: return true  // line and paragraph separators
        default: return false
        }
    }

    /// True when `text` can be written as it is.
    static func isSafe(_ text: String) -> Bool {
        !text.unicodeScalars.contains(where: isUnsafe)
    }

    /// `text` with its unsafe characters escaped (and its backslashes doubled) when it has any;
    /// otherwise `text` itself. The result holds no unsafe character, so escaping it again changes
    /// nothing.
    static func escaped(_ text: String) -> String {
        guard !isSafe(text) else { return text }
        // Built as bytes: appending to a String.UnicodeScalarView copied the whole view each
        // time, which took minutes for a line of a few megabytes.
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        func append(_ s: String) { out.append(contentsOf: s.utf8) }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": append("\\\\")
            case "\u{07}": append("\\a")
            case "\u{08}": append("\\b")
            case "\t": append("\\t")
            case "\n": append("\\n")
            case "\u{0B}": append("\\v")
            case "\u{0C}": append("\\f")
            case "\r": append("\\r")
            case "\u{1B}": append("\\e")
            case _ where isUnsafe(scalar): append("\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}")
            default: out.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// JSON text with the unsafe characters that JSON allows raw (DEL, C1, bidi controls, U+2028
    /// and U+2029) written as `\uXXXX`: the same values, nothing a terminal acts on. Those characters
    /// can only occur inside strings (JSON's structure is ASCII), and JSON encoders already escape the
    /// C0 controls there, so the structural newlines and spaces are kept.
    static func jsonEscaped(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { $0.value >= 0x7F && isUnsafe($0) }) else { return json }
        var out: [UInt8] = []
        var copy = json
        copy.withUTF8 { _ = jsonEscaped(UnsafeRawBufferPointer($0), into: &out, final: true) }
        return String(decoding: out, as: UTF8.self)
    }

    /// `jsonEscaped` on UTF-8 bytes, appended to `out`, for JSON written in pieces: returns how
    /// many bytes of `utf8` it took, which is all of them when `final`, and otherwise leaves an
    /// unfinished multi-byte character at the end for the caller to put before the next piece.
    /// The unsafe characters from U+007F up are all in the two- and three-byte sequences
    /// checked here (C2 80–9F, D8 9C, E2 80 8E–8F, E2 80 A8–AE, E2 81 A6–A9), so only their lead
    /// bytes need a look; the rest is copied in runs.
    static func jsonEscaped(_ utf8: UnsafeRawBufferPointer, into out: inout [UInt8], final: Bool) -> Int {
        let n = utf8.count
        var i = 0, run = 0
        func escape(_ value: UInt32, length: Int) {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[run..<i]))
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), hex[Int(value >> 12 & 0xf)], hex[Int(value >> 8 & 0xf)],
                                    hex[Int(value >> 4 & 0xf)], hex[Int(value & 0xf)]])
            i += length
            run = i
        }
        while i < n {
            let b = utf8[i]
            let needed = b == 0xC2 || b == 0xD8 ? 2 : b == 0xE2 ? 3 : 1
            if needed > 1 && i + needed > n && !final { break }  // unfinished: the next piece completes it
            switch b {
            case 0x7F:
                escape(0x7F, length: 1)
            case 0xC2 where i + 1 < n && (0x80...0x9F).contains(utf8[i + 1]):
                escape(UInt32(utf8[i + 1]), length: 2)
            case 0xD8 where i + 1 < n && utf8[i + 1] == 0x9C:
                escape(0x061C, length: 2)
            case 0xE2 where i + 2 < n:
                let value = 0x2000 | UInt32(utf8[i + 1] & 0x3F) << 6 | UInt32(utf8[i + 2] & 0x3F)
                if utf8[i + 1] & 0xC0 == 0x80, utf8[i + 2] & 0xC0 == 0x80, let scalar = Unicode.Scalar(value), isUnsafe(scalar) {
                    escape(value, length: 3)
                } else {
                    i += 1
                }
            default:
                i += 1
            }
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[run..<i]))
        return i
    }

    /// Writes lines to stderr, each escaped; `text` may hold several lines, split on `\n`
    /// (for messages whose line structure is Trail's own, such as ArgumentParser's usage text).
    static func writeError(lines text: String) {
        let body = text.split(separator: "\n", omittingEmptySubsequences: false).map { escaped(String($0)) }
        FileHandle.standardError.write(Data(body.joined(separator: "\n").utf8))
    }

    /// Writes one line (or, with the terminator, the end of one) to stderr, escaped.
    static func writeError(_ line: String, terminator: String = "\n") {
        FileHandle.standardError.write(Data((escaped(line) + terminator).utf8))
    }

    /// Writes a prompt to stderr as it is, with no newline (the answer is typed on the same line):
    /// only for the prompts of `TerminalPrompt`.
    static func writePrompt(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Writes the JSON that `body` writes to stdout, `jsonEscaped`, a piece at a time (then a
    /// newline): a sample's text may be a hundred megabytes, which as one String, escaped, then
    /// printed, took several whole copies.
    static func writeJSON(_ body: (ChunkedOutput) throws -> Void) throws {
        // Through stdout's own buffer, after what `print` wrote before.
        func emit(_ bytes: UnsafeRawBufferPointer) { if bytes.count > 0 { fwrite(bytes.baseAddress!, 1, bytes.count, stdout) } }
        var carry: [UInt8] = [], escaped: [UInt8] = []
        func pass(_ piece: UnsafeRawBufferPointer, final: Bool) {
            escaped.removeAll(keepingCapacity: true)
            let taken = jsonEscaped(piece, into: &escaped, final: final)
            carry = Array(piece[taken...])  // at most an unfinished character
            escaped.withUnsafeBytes(emit)
        }
        let output = ChunkedOutput { piece in
            if carry.isEmpty { return pass(piece, final: false) }
            (carry + piece).withUnsafeBytes { pass($0, final: false) }
        }
        try body(output)
        try output.flush()
        carry.withUnsafeBytes { pass($0, final: true) }
        [UInt8(0x0a)].withUnsafeBytes { emit($0) }
    }

    /// Writes `text` to stdout exactly as it is: only for text Trail built to be safe
    /// (`jsonEscaped` JSON, or already `escaped` lines).
    static func writeVerbatim(_ text: String, terminator: String = "\n") {
        Swift.print(text, terminator: terminator)
    }
}

/// `print` for the whole `trail` target: the same call as the standard library's, but each item is
/// escaped (`TerminalText.escaped`), so one call writes one line of text however hostile its values.
/// The separator and terminator are Trail's own and written as they are (`print(a, b, separator: "\t")`
/// writes a real tab between escaped values).
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let line = items.map { TerminalText.escaped(String(describing: $0)) }.joined(separator: separator)
    Swift.print(line, terminator: terminator)
}
