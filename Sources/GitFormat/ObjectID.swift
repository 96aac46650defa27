
/// A git object id: the 20-byte SHA-1 of an object's header and content.
///
/// Stored as three integers so that hashing and comparing millions of ids stays cheap.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    // Bytes 0-7, 8-15 and 16-19 of the id, big-endian, so integer order is byte order.
    let a: UInt64, b: UInt64, c: UInt32

    /// The all-zero id git uses for "no object".
    public static let zero = ObjectID(a: 0, b: 0, c: 0)

    init(a: UInt64, b: UInt64, c: UInt32) { self.a = a; self.b = b; self.c = c }

    /// Reads 20 raw bytes.
    public init(bytes p: UnsafeRawPointer) {
        func be64(_ o: Int) -> UInt64 { UInt64(bigEndian: p.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        a = be64(0); b = be64(8)
        c = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
    }

    /// Reads 20 raw bytes from an array slice.
    public init<C: Collection>(rawBytes: C) where C.Element == UInt8 {
        precondition(rawBytes.count == 20, "an object id has 20 bytes")
        let array = Array(rawBytes)
        self = array.withUnsafeBytes { ObjectID(bytes: $0.baseAddress!) }
    }

    /// Parses 40 hexadecimal digits; nil for anything else.
    public init?(hex: String) {
        self.init(hexBytes: Array(hex.utf8)[...])
    }

    /// Parses 40 hexadecimal digits given as ASCII bytes; nil for anything else.
    public init?(hexBytes utf8: ArraySlice<UInt8>) {
        guard utf8.count == 40 else { return nil }
        var raw: (UInt64, UInt64, UInt32) = (0, 0, 0)
        let start = utf8.startIndex
        let ok = withUnsafeMutableBytes(of: &raw) { out -> Bool in
            for i in 0..<20 {
                guard let hi = hexValue(utf8[start + 2 * i]), let lo = hexValue(utf8[start + 2 * i + 1]) else { return false }
                out[i] = hi << 4 | lo
            }
            return true
        }
        guard ok else { return nil }
        self = withUnsafeBytes(of: &raw) { ObjectID(bytes: $0.baseAddress!) }
    }

    /// Writes the 20 raw bytes at `p`.
    public func storeBytes(into p: UnsafeMutableRawPointer) {
        p.storeBytes(of: a.bigEndian, toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: b.bigEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: c.bigEndian, toByteOffset: 16, as: UInt32.self)
    }

    /// The 20 raw bytes.
    public var rawBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 20) { buf, n in storeBytes(into: buf.baseAddress!); n = 20 }
    }

    /// The first byte, which picks the fan-out bucket of a pack index and the first shard of a tree.
    public var firstByte: UInt8 { UInt8(a >> 56) }
    /// The second byte, which picks the second shard.
    public var secondByte: UInt8 { UInt8((a >> 48) & 0xff) }

    /// 40 lowercase hexadecimal digits.
    public var hex: String {
        String(unsafeUninitializedCapacity: 40) { out in
            appendHex(into: out.baseAddress!)
            return 40
        }
    }

    /// Writes 40 hexadecimal digits at `out`.
    public func appendHex(into out: UnsafeMutablePointer<UInt8>) {
        var raw: (UInt64, UInt64, UInt32) = (a.bigEndian, b.bigEndian, c.bigEndian)
        withUnsafeBytes(of: &raw) { bytes in
            for i in 0..<20 {
                out[2 * i] = hexDigits[Int(bytes[i] >> 4)]
                out[2 * i + 1] = hexDigits[Int(bytes[i] & 0x0f)]
            }
        }
    }

    /// The first `length` hexadecimal digits, for display.
    public func abbreviated(_ length: Int = 10) -> String { String(hex.prefix(length)) }

    /// The full 40-digit lowercase hex form.
    public var description: String { hex }

    /// Orders ids by their bytes, as git sorts them.
    public static func < (l: ObjectID, r: ObjectID) -> Bool {
        if l.a != r.a { return l.a < r.a }
        if l.b != r.b { return l.b < r.b }
        return l.c < r.c
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

@inline(__always)
func hexValue(_ ch: UInt8) -> UInt8? {
    switch ch {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return ch - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return ch - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return ch - UInt8(ascii: "A") + 10
    default: return nil
    }
}
