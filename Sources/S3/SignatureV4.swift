import Foundation

/// AWS Signature Version 4 for requests signed in the `Authorization` header
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
public struct SignatureV4: Sendable {
    /// The key pair that signs.
    public var credentials: AWSCredentials
    /// The region of the credential scope (`us-east-1`).
    public var region: String
    /// The service of the credential scope (`s3`).
    public var service: String

    /// A signer for `service` in `region`.
    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request to sign: its method, path (not yet encoded), query and headers.
    public struct Request: Sendable {
        /// `GET`, `PUT`, ...
        public var method: String
        /// The path, e.g. `/bucket/key` (encoded while signing, each byte but `A-Za-z0-9-._~/`).
        public var path: String
        /// The query parameters, unencoded; an empty value is written `name=`.
        public var query: [(String, String)]
        /// Headers to sign; `host` must be among them.
        public var headers: [(String, String)]
        /// The hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
        public var payloadHash: String

        /// A request to sign.
        public init(method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// `20150830T123600Z` for `date`.
    public static func amzDate(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// RFC 3986 percent-encoding of every byte but the unreserved ones (and `/` when `keepSlash`).
    public static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }

    /// The encoded, sorted query string, as it is signed and sent.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        var pairs: [(String, String)] = query.map { (uriEncode($0.0, keepSlash: false), uriEncode($0.1, keepSlash: false)) }
        pairs.sort { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        return pairs.map { (pair: (String, String)) -> String in pair.0 + "=" + pair.1 }.joined(separator: "&")
    }

    /// The canonical headers (lower-case names, trimmed values with inner runs of spaces made one,
    /// sorted) and the signed header list.
    static func canonicalHeaders(_ headers: [(String, String)]) -> (text: String, signed: String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let trimmed = value.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(trimmed)
        }
        let names = merged.keys.sorted()
        let text = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (text, names.joined(separator: ";"))
    }

    /// The canonical request (step 1 of the signing).
    public func canonicalRequest(_ request: Request) -> String {
        let headers = Self.canonicalHeaders(request.headers)
        return [request.method, Self.uriEncode(request.path, keepSlash: true), Self.canonicalQuery(request.query),
                headers.text, headers.signed, request.payloadHash].joined(separator: "\n")
    }

    /// The credential scope, `20150830/us-east-1/service/aws4_request`.
    public func scope(day: String) -> String { "\(day)/\(region)/\(service)/aws4_request" }

    /// The string to sign (step 2).
    public func stringToSign(_ request: Request, amzDate: String) -> String {
        "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope(day: String(amzDate.prefix(8))))\n\(Digest.sha256Hex(Array(canonicalRequest(request).utf8)))"
    }

    /// The signature (steps 3 and 4), lower-case hex.
    public func signature(_ request: Request, amzDate: String) -> String {
        let day = String(amzDate.prefix(8))
        var key = Digest.hmac(key: Array("AWS4\(credentials.secretAccessKey)".utf8), day)
        key = Digest.hmac(key: key, region)
        key = Digest.hmac(key: key, service)
        key = Digest.hmac(key: key, "aws4_request")
        return Digest.hex(Digest.hmac(key: key, stringToSign(request, amzDate: amzDate)))
    }

    /// The `Authorization` header's value for `request` (whose headers already hold `x-amz-date: amzDate`).
    public func authorization(_ request: Request, amzDate: String) -> String {
        let signed = Self.canonicalHeaders(request.headers).signed
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(day: String(amzDate.prefix(8)))), "
            + "SignedHeaders=\(signed), Signature=\(signature(request, amzDate: amzDate))"
    }
}
