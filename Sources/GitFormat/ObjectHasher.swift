import CCrypto

/// Computes git object ids, as `git hash-object` does, with OpenSSL's SHA-1.
///
/// OpenSSL is used rather than libgit2's hash because Trail hashes millions of small
/// objects per commit and libgit2 exposes no incremental hash; OpenSSL uses the CPU's
/// SHA instructions where present.
public enum ObjectHasher {
    /// The id of an object of `type` holding `data`.
    public static func id(of type: ObjectType, _ data: UnsafeRawBufferPointer) -> ObjectID {
        // The header "<type> <size>\0", built on the stack: this runs for every object.
        var header: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var out: (UInt64, UInt64, UInt32) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &header) { h in
            var n = 0
            for c in type.name.utf8 { h[n] = c; n += 1 }
            h[n] = UInt8(ascii: " "); n += 1
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
            let count = withUnsafeMutableBytes(of: &digits) { d -> Int in
                var v = data.count, k = 0
                repeat { d[k] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10; k += 1 } while v > 0
                for j in 0..<k { h[n + j] = d[k - 1 - j] }
                return k
            }
            n += count
            h[n] = 0; n += 1
            return withUnsafeMutableBytes(of: &out) { digest in
                trail_sha1_two(h.baseAddress, n, data.baseAddress, data.count,
                               digest.baseAddress!.assumingMemoryBound(to: UInt8.self))
                return ObjectID(bytes: digest.baseAddress!)
            }
        }
    }

    /// The id of an object of `type` holding `bytes`.
    public static func id(of type: ObjectType, _ bytes: [UInt8]) -> ObjectID {
        bytes.withUnsafeBytes { id(of: type, $0) }
    }
}

/// An incremental SHA-1 over a stream (a packfile, a pack index).
struct StreamingSHA1 {
    private var ctx = trail_sha1_ctx()

    init() { trail_sha1_init(&ctx) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        trail_sha1_update(&ctx, bytes.baseAddress, bytes.count)
    }

    mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    mutating func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        out.withUnsafeMutableBufferPointer { trail_sha1_final(&ctx, $0.baseAddress!) }
        return out
    }
}

extension ObjectHasher {
    /// The plain SHA-1 of `bytes` (no git header), as 20 bytes in an `ObjectID`.
    public static func sha1(_ bytes: UnsafeRawBufferPointer) -> ObjectID {
        var out: (UInt64, UInt64, UInt32) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &out) { digest in
            trail_sha1_two(bytes.baseAddress, 0, bytes.baseAddress, bytes.count,
                           digest.baseAddress!.assumingMemoryBound(to: UInt8.self))
            return ObjectID(bytes: digest.baseAddress!)
        }
    }
}
