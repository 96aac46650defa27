/// Where a store keeps its media: `s3://BUCKET/PREFIX`. Each media file is the object
/// `PREFIX/<first 2 hex>/<other 38 hex>` of its git blob id.
public struct MediaStoreLocation: Equatable, Sendable, CustomStringConvertible {
    /// The bucket.
    public let bucket: String
    /// The key prefix, without a trailing `/`; empty for the bucket's root.
    public let prefix: String

    /// Parses `s3://BUCKET/PREFIX` (the prefix may be empty); an error (exit 2) for anything else.
    public init(parsing text: String) throws {
        guard text.hasPrefix("s3://") else {
            throw TrailError(.usage, "'\(text)' is not an S3 location", hint: "write it as s3://BUCKET/PREFIX, e.g. s3://moderation-media/trail")
        }
        let rest = text.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        let prefix = String(rest.dropFirst(bucket.count).drop { $0 == "/" })
        let valid = bucket.count >= 3 && bucket.count <= 63
            && bucket.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }
        guard valid else {
            throw TrailError(.usage, "'\(bucket)' is not a bucket name", hint: "bucket names are 3 to 63 lower-case letters, digits, '-' and '.'")
        }
        var trimmed = prefix
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        if trimmed.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            throw TrailError(.usage, "the prefix '\(prefix)' has an empty, '.' or '..' part", hint: "write it as s3://BUCKET/PREFIX with plain folder names")
        }
        self.bucket = bucket
        self.prefix = trimmed
    }

    /// The object key of the blob `id`.
    public func key(for id: ObjectID) -> String {
        let hex = id.hex
        let shard = "\(hex.prefix(2))/\(hex.dropFirst(2))"
        return prefix.isEmpty ? shard : "\(prefix)/\(shard)"
    }

    /// `s3://BUCKET/PREFIX`.
    public var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }
}
