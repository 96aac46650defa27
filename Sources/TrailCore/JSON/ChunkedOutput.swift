#if canImport(Glibc)
import Glibc
#endif

/// A buffered writer that hands its bytes on a megabyte at a time, so that writing a large
/// value (a sample's text of a hundred megabytes) never builds a second whole copy of it, nor
/// its escaped JSON: a piece larger than the buffer goes through in slices.
public final class ChunkedOutput {
    /// How many bytes gather before `flush` hands them on.
    static let chunk = 1 << 20

    private var buffer: [UInt8] = []
    private let deliver: (UnsafeRawBufferPointer) throws -> Void

    /// An output that hands each piece to `deliver`, in order.
    public init(_ deliver: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.deliver = deliver
        buffer.reserveCapacity(ChunkedOutput.chunk + 4096)
    }

    /// An output to the open file descriptor `fd`; a failed write names `path`.
    static func file(_ fd: Int32, path: String) -> ChunkedOutput {
        ChunkedOutput { bytes in
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw TrailError(.fileSystem(path: path), "cannot write \(path): \(String(cString: strerror(errno)))", hint: "check free space")
                }
                done += n
            }
        }
    }

    /// Writes `bytes`, buffering them; throws what `deliver` throws.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + ChunkedOutput.chunk)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            start = end
            if buffer.count >= ChunkedOutput.chunk { try flush() }
        }
    }

    /// Writes `bytes`, buffering them; throws what `deliver` throws.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Writes `text` as UTF-8, buffering it; throws what `deliver` throws.
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Writes valid UTF-8 bytes as a quoted JSON string, escaped as `CanonicalJSON` escapes.
    public func writeJSONString(utf8: UnsafeRawBufferPointer) throws {
        buffer.append(UInt8(ascii: "\""))
        var start = 0
        while start < utf8.count {
            let end = min(utf8.count, start + ChunkedOutput.chunk)
            CanonicalJSON.writeStringContent(utf8: UnsafeRawBufferPointer(rebasing: utf8[start..<end]), to: &buffer)
            start = end
            if buffer.count >= ChunkedOutput.chunk { try flush() }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// Writes a string as a quoted JSON string.
    public func writeJSONString(_ text: String) throws {
        var text = text
        try text.withUTF8 { try writeJSONString(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Writes `value` as canonical JSON (the bytes `CanonicalJSON.encode` gives).
    public func writeJSON(_ value: JSONValue) throws {
        switch value {
        case .string(let s):
            try writeJSONString(s)
        case .array(let items):
            try write("[")
            for (k, item) in items.enumerated() {
                if k > 0 { try write(",") }
                try writeJSON(item)
            }
            try write("]")
        case .object(let members):
            try write("{")
            for (k, member) in members.sorted(by: { CanonicalJSON.keyPrecedes($0.key, $1.key) }).enumerated() {
                if k > 0 { try write(",") }
                try writeJSONString(member.key)
                try write(":")
                try writeJSON(member.value)
            }
            try write("}")
        default:
            CanonicalJSON.write(value, to: &buffer)
        }
    }

    /// Hands on what the buffer holds.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try deliver($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
