import Foundation

/// A pack of a known number of objects written to a byte stream (a socket, a pipe to an HTTP
/// upload) rather than to a file: the header, full objects compressed on every core as
/// `PackWriter` does (small ones stored), and the SHA-1 trailer, computed as the bytes pass.
/// Nothing is kept but the hash, so a pack of any size streams in bounded memory. This is how
/// a push sends what the server lacks without building the pack first.
public final class PackStream {
    private let expectedCount: Int
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private var sha = StreamingSHA1()
    private var buffer: [UInt8] = []
    /// Objects written so far.
    public private(set) var count = 0
    /// Bytes written so far (the trailer included once `finish` returns).
    public private(set) var bytes = 0

    /// Starts a pack of exactly `count` objects whose bytes go to `sink`, in order.
    public init(count: Int, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        guard count <= Int(UInt32.max) else {
            throw GitError(operation: "write pack", message: "too many objects for one pack: \(count)")
        }
        expectedCount = count
        self.sink = sink
        buffer.reserveCapacity(1 << 20)
        try emit(packHeader(count: UInt32(count)))
    }

    /// Compresses `objects` on all cores and writes them, in order.
    public func append(_ objects: [PendingObject]) throws {
        guard count + objects.count <= expectedCount else {
            throw GitError(operation: "write pack", message: "more objects than the \(expectedCount) announced")
        }
        try CompressedChunk.compress(objects, level: 1, storeBelow: 8192) { chunk in try emit(chunk.bytes) }
        count += objects.count
    }

    /// Writes the trailer. Throws if fewer objects were written than announced.
    public func finish() throws {
        guard count == expectedCount else {
            throw GitError(operation: "write pack", message: "expected \(expectedCount) objects, got \(count)")
        }
        try flush()
        let checksum = sha.finish()
        try checksum.withUnsafeBytes { try sink($0) }
        bytes += checksum.count
    }

    private func emit(_ data: [UInt8]) throws {
        data.withUnsafeBytes { sha.update($0) }
        buffer.append(contentsOf: data)
        bytes += data.count
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        try buffer.withUnsafeBytes { try sink($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
