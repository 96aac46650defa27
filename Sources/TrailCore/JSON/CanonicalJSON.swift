#if canImport(Glibc)
import Glibc
#endif

/// Writes Trail's canonical JSON: object keys sorted by their UTF-8 bytes, no insignificant
/// whitespace, numbers exactly as they were written, strings with only the escapes JSON
/// requires (`\"`, `\\` and control characters) and every other character as raw UTF-8.
///
/// The same value always gives the same bytes, so the same sample always gives the same
/// record blob id.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(value, to: &out)
        return out
    }

    /// Appends the canonical bytes of `value` to `out`.
    public static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            writeObject(members, to: &out)
        }
    }

    /// Appends an object with `members` in canonical key order.
    public static func writeObject(_ members: [JSONMember], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        let sorted = isSorted(members) ? members : members.sorted { keyPrecedes($0.key, $1.key) }
        for (k, member) in sorted.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            writeString(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            write(member.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// True when `a` sorts before `b` in canonical order (UTF-8 byte order).
    public static func keyPrecedes(_ a: String, _ b: String) -> Bool {
        // Byte order, not Swift's `<` (which compares canonically equivalent forms as equal).
        var a = a, b = b
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                let n = min(pa.count, pb.count)
                let c = n == 0 ? 0 : memcmp(pa.baseAddress!, pb.baseAddress!, n)
                return c != 0 ? c < 0 : pa.count < pb.count
            }
        }
    }

    private static func isSorted(_ members: [JSONMember]) -> Bool {
        var k = 1
        while k < members.count {
            if !keyPrecedes(members[k - 1].key, members[k].key) { return false }
            k += 1
        }
        return true
    }

    /// Appends a quoted, minimally escaped string.
    public static func writeString(_ s: String, to out: inout [UInt8]) {
        var copy = s
        copy.withUTF8 { writeString(utf8: UnsafeRawBufferPointer($0), to: &out) }
    }

    /// Appends valid UTF-8 bytes as a quoted, minimally escaped JSON string.
    public static func writeString(utf8: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        writeStringContent(utf8: utf8, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// Appends UTF-8 bytes minimally escaped, without the quotes. Only single ASCII bytes are
    /// escaped, so a string may be written in pieces cut anywhere (`ChunkedOutput` does).
    static func writeStringContent(utf8: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var runStart = 0
        for (k, c) in utf8.enumerated() where c < 0x20 || c == 0x22 || c == 0x5c {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[runStart..<k]))
            runStart = k + 1
            switch c {
            case 0x22: out.append(contentsOf: [0x5c, 0x22])
            case 0x5c: out.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5c, UInt8(ascii: "b")])
            case 0x0c: out.append(contentsOf: [0x5c, UInt8(ascii: "f")])
            default:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5c, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xf)]])
            }
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[runStart...]))
    }
}
