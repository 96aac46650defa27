import Foundation

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
        var out = String.UnicodeScalarView()
        func append(_ s: String) { out.append(contentsOf: s.unicodeScalars) }
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
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// JSON text with the unsafe characters that JSON allows raw (DEL, C1, bidi controls, U+2028
    /// and U+2029) written as `\uXXXX`: the same values, nothing a terminal acts on. Those characters
    /// can only occur inside strings (JSON's structure is ASCII), and JSON encoders already escape the
    /// C0 controls there, so the structural newlines and spaces are kept.
    static func jsonEscaped(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { $0.value >= 0x7F && isUnsafe($0) }) else { return json }
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            if scalar.value >= 0x7F && isUnsafe(scalar) {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
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
