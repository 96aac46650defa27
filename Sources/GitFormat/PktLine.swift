import Foundation

/// Git's pkt-line framing (gitprotocol-common(5)): four hex digits giving the length of the
/// line including themselves, then the payload; `0000` is a flush packet, which ends a section.
public enum PktLine {
    /// The flush packet.
    public static let flush: [UInt8] = Array("0000".utf8)

    /// `payload` framed as one pkt-line.
    public static func encode(_ payload: [UInt8]) -> [UInt8] {
        precondition(payload.count <= 65516, "a pkt-line holds at most 65516 bytes")
        return Array(String(format: "%04x", payload.count + 4).utf8) + payload
    }

    /// `text` (UTF-8) framed as one pkt-line.
    public static func encode(_ text: String) -> [UInt8] { encode(Array(text.utf8)) }
}

/// Reads pkt-lines from a source of bytes: `readExactly(n)` returns the next `n` bytes, or
/// fewer when the stream ended.
public struct PktLineReader {
    private let readExactly: (Int) throws -> [UInt8]
    private let what: String

    /// A reader over `readExactly`; `what` names the stream in errors (e.g. "the server's answer").
    public init(what: String, readExactly: @escaping (Int) throws -> [UInt8]) {
        self.what = what
        self.readExactly = readExactly
    }

    /// A reader over bytes already received.
    public init(what: String, bytes: [UInt8]) {
        var at = 0
        self.init(what: what) { n in
            let end = min(at + n, bytes.count)
            defer { at = end }
            return Array(bytes[at..<end])
        }
    }

    /// The next line's payload, or nil at a flush packet. Throws when the stream ends early, a
    /// length is malformed, or the line is an `ERR` packet (the server's message is kept).
    public mutating func next() throws -> [UInt8]? {
        let head = try readExactly(4)
        guard head.count == 4 else { throw GitError(operation: "read \(what)", message: "the connection ended early") }
        guard let length = Int(String(decoding: head, as: UTF8.self), radix: 16), length == 0 || length >= 4 else {
            throw GitError(operation: "read \(what)", message: "not a git protocol line: \(String(decoding: head, as: UTF8.self).debugDescription)")
        }
        if length == 0 { return nil }
        let payload = try readExactly(length - 4)
        guard payload.count == length - 4 else { throw GitError(operation: "read \(what)", message: "the connection ended early") }
        if payload.starts(with: Array("ERR ".utf8)) {
            throw GitError(operation: "read \(what)", message: "remote error: " + String(decoding: payload.dropFirst(4), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return payload
    }

    /// The next line as text without its trailing newline, or nil at a flush packet.
    public mutating func nextText() throws -> String? {
        guard let payload = try next() else { return nil }
        var text = String(decoding: payload, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
