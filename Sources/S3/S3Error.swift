/// A failed object store request, naming the server, the bucket and the key.
public struct S3Error: Error, CustomStringConvertible, Equatable {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// The server could not be reached, or the connection failed on the way (after the retries).
        case unreachable
        /// 403: the credentials are wrong or lack permission (`code` says which).
        case accessDenied
        /// The bucket does not exist.
        case noSuchBucket
        /// The object does not exist.
        case noSuchKey
        /// No credentials were found.
        case noCredentials
        /// Any other answer: the HTTP status and the S3 error code.
        case server(status: Int, code: String)
        /// A local file (a download's target) could not be written.
        case localFile(path: String)
    }

    /// What went wrong.
    public let kind: Kind
    /// The endpoint, e.g. `http://127.0.0.1:8333`.
    public let server: String
    /// The bucket.
    public let bucket: String
    /// The object key, when the request named one.
    public let key: String?
    /// The server's (or the transport's) own words.
    public let detail: String

    /// A failure of the request for `key` in `bucket` on `server`.
    public init(_ kind: Kind, server: String, bucket: String, key: String?, detail: String) {
        self.kind = kind
        self.server = server
        self.bucket = bucket
        self.key = key
        self.detail = detail
    }

    /// One sentence naming what failed and where.
    public var description: String {
        let object = key.map { "s3://\(bucket)/\($0)" } ?? "s3://\(bucket)"
        switch kind {
        case .unreachable: return "cannot reach the object store \(server) for \(object): \(detail)"
        case .accessDenied: return "the object store \(server) refused access to \(object) (403): \(detail)"
        case .noSuchBucket: return "the object store \(server) has no bucket '\(bucket)'"
        case .noSuchKey: return "the object store \(server) has no object \(object)"
        case .noCredentials: return "no credentials for the object store \(server): \(detail)"
        case .server(let status, let code): return "the object store \(server) failed a request for \(object): HTTP \(status) \(code): \(detail)"
        case .localFile(let path): return "cannot write \(path) while downloading \(object) from \(server): \(detail)"
        }
    }
}
