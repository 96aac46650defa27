import Foundation

/// `1234567` → `1,234,567`, for the reports and the terminal alike; `minus` signs a negative
/// count (the pages use the typographic minus, the terminal `-`).
public func groupedCount(_ n: Int, minus: String = "\u{2212}") -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return (n < 0 ? minus : "") + out
}

/// Numbers, dates and text sizes as the reports show them. Locale-independent, so a report
/// reads the same wherever it was made.
enum Format {
    /// `1234567` → `1,234,567`.
    static func count(_ n: Int) -> String { groupedCount(n) }

    /// A signed change: `+12`, `−3` (a true minus sign), `0`.
    static func signed(_ n: Int) -> String {
        n > 0 ? "+" + count(n) : count(n)
    }

    /// `part` as a share of `total`: `12.5%`, `<0.1%` for a small non-zero share, `–` for no total.
    static func percent(_ part: Int, of total: Int) -> String {
        guard total > 0 else { return "\u{2013}" }
        let p = Double(part) * 100 / Double(total)
        if part > 0 && p < 0.1 { return "<0.1%" }
        if part == 0 || part == total { return String(format: "%.0f%%", p) }
        return String(format: "%.1f%%", p)
    }

    /// An ISO 8601 date as a reader wants it: `2026-11-20T10:22:31+01:00` → `2026-11-20 10:22 UTC+01:00`.
    static func date(_ iso: String?) -> String {
        guard let iso, iso.count >= 16 else { return iso ?? "unknown" }
        let chars = Array(iso)
        let day = String(chars[0..<10]), time = String(chars[11..<16])
        var zone = ""
        if iso.hasSuffix("Z") {
            zone = " UTC"
        } else if chars.count >= 25, chars[chars.count - 6] == "+" || chars[chars.count - 6] == "-" {
            zone = " UTC" + String(chars[(chars.count - 6)...])
        }
        return "\(day) \(time)\(zone)"
    }

    /// The day of an ISO 8601 date: `2026-11-20`.
    static func day(_ iso: String?) -> String {
        guard let iso, iso.count >= 10 else { return iso ?? "" }
        return String(iso.prefix(10))
    }

    /// A commit id as shown: its first 10 hex digits.
    static func commit(_ hex: String) -> String { String(hex.prefix(10)) }

    /// `1 sample`, `2 samples`.
    static func plural(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(count(n)) \(n == 1 ? singular : plural ?? singular + "s")"
    }

    /// A number for SVG coordinates: at most one decimal, no trailing `.0`.
    static func svg(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }
}

/// Estimates how wide text renders, so charts can size their label columns and shorten labels
/// that would not fit, without a font at hand.
enum TextMeasure {
    /// The width of `text` in pixels at `fontSize`, for a typical sans-serif font.
    static func width(_ text: String, fontSize: Double) -> Double {
        var em = 0.0
        for scalar in text.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F: continue // combining marks, zero-width
            case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                 0x1F300...0x1FAFF, 0x20000...0x3FFFD:
                em += 1.0 // wide: CJK, Hangul, emoji
            case 0x69, 0x6C, 0x6A, 0x2E, 0x2C, 0x3A, 0x3B, 0x27, 0x7C, 0x21, 0x49: em += 0.3 // i l j . , : ; ' | ! I
            case 0x20: em += 0.32
            case 0x66, 0x74, 0x72, 0x28, 0x29, 0x5B, 0x5D: em += 0.41 // f t r ( ) [ ]
            case 0x6D: em += 0.97
            case 0x77: em += 0.82
            case 0x4D, 0x57: em += 0.9 // M W
            case 0x41...0x5A: em += 0.72 // capitals
            case 0x30...0x39: em += 0.64 // digits
            case 0x5F, 0x2D: em += 0.5 // _ -
            default: em += 0.62 // as wide as DejaVu Sans, the widest common sans-serif; others get room to spare
            }
        }
        return em * fontSize
    }

    /// `text`, shortened with `…` to fit `maxWidth` at `fontSize` (whole characters only).
    static func fit(_ text: String, maxWidth: Double, fontSize: Double) -> String {
        guard width(text, fontSize: fontSize) > maxWidth else { return text }
        var out = "", used = width("\u{2026}", fontSize: fontSize)
        for ch in text {
            let w = width(String(ch), fontSize: fontSize)
            if used + w > maxWidth { break }
            out.append(ch)
            used += w
        }
        return out + "\u{2026}"
    }
}
