import Foundation
import HTTP

/// Where a client sends its requests and how it names buckets there: made the standard AWS
/// way from the environment (`standard(environment:)`).
public struct S3Endpoint: Equatable, Sendable {
    /// `http` or `https`.
    public var scheme: String
    /// Host, with `:port` when one is given.
    public var authority: String
    /// The region requests are signed for.
    public var region: String
    /// True for path-style URLs (`http://host/bucket/key`), which servers other than AWS need;
    /// false for virtual-hosted ones (`https://bucket.s3.region.amazonaws.com/key`).
    public var pathStyle: Bool

    /// The endpoint the standard AWS way: `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (path-style),
    /// else AWS S3 in the region (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region` in
    /// `~/.aws/config`, else `us-east-1`; virtual-hosted unless `AWS_S3_ADDRESSING_STYLE=path`).
    /// Nil when the endpoint URL is not an http(s) URL.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> S3Endpoint? {
        let region = [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"],
                      ProfileFile.section(AWSCredentials.profileName(environment), in: AWSCredentials.configFile(environment), configStyle: true)?["region"]]
            .compactMap { $0 }.first { !$0.isEmpty } ?? "us-east-1"
        let forcePath = environment["AWS_S3_ADDRESSING_STYLE"] == "path"
        if let url = [environment["AWS_ENDPOINT_URL_S3"], environment["AWS_ENDPOINT_URL"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) {
            guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = parsed.host, !host.isEmpty else { return nil }
            let authority = parsed.port.map { "\(host):\($0)" } ?? host
            let virtual = environment["AWS_S3_ADDRESSING_STYLE"] == "virtual"
            return S3Endpoint(scheme: scheme, authority: authority, region: region, pathStyle: !virtual)
        }
        return S3Endpoint(scheme: "https", authority: "s3.\(region).amazonaws.com", region: region, pathStyle: forcePath)
    }

    /// `scheme://authority`, the server's name in messages.
    public var server: String { "\(scheme)://\(authority)" }
}

/// A synchronous S3 client (the object API Trail needs: PUT with multipart upload, GET, HEAD,
/// DELETE), safe to call from many threads at once: each call takes a connection from a pool.
/// Transport failures, 5xx and throttling answers are retried with exponential backoff.
public final class S3Client: @unchecked Sendable {
    /// Where requests go.
    public let endpoint: S3Endpoint
    /// The bucket every call addresses.
    public let bucket: String
    private let signer: SignatureV4
    private let lock = NSLock()
    private var idle: [HTTPConnection] = []
    /// How many times a failed request is tried in all.
    public var attempts = 4
    /// The first retry's wait in seconds; each next one doubles it.
    public var backoff = 0.25
    /// Bodies above this size are sent as a multipart upload.
    public var multipartThreshold = 64 << 20
    /// The size of each part of a multipart upload.
    public var partSize = 16 << 20

    /// A client for `bucket` at `endpoint`, signing with `credentials`.
    public init(endpoint: S3Endpoint, bucket: String, credentials: AWSCredentials) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.signer = SignatureV4(credentials: credentials, region: endpoint.region, service: "s3")
    }

    private func connection() -> HTTPConnection {
        lock.lock(); defer { lock.unlock() }
        return idle.popLast() ?? HTTPConnection()
    }

    private func release(_ connection: HTTPConnection) {
        lock.lock(); defer { lock.unlock() }
        idle.append(connection)
    }

    // MARK: - The object API

    /// Stores `body` as `key` (a multipart upload above `multipartThreshold`).
    public func put(_ key: String, body: UnsafeRawBufferPointer) throws {
        if body.count > multipartThreshold { return try multipartPut(key, body: body) }
        let response = try send("PUT", key: key, body: body)
        guard (200..<300).contains(response.status) else { throw failure(response, key: key) }
    }

    /// Stores `body` as `key`.
    public func put(_ key: String, body: [UInt8]) throws {
        try body.withUnsafeBytes { try put(key, body: $0) }
    }

    /// The size of `key`, or nil when there is no such object. A HEAD answer has no body to
    /// tell a missing bucket from a missing key: callers check the bucket once (`checkBucket`).
    public func head(_ key: String) throws -> Int? {
        let response = try send("HEAD", key: key)
        if response.status == 404 { return nil }
        guard (200..<300).contains(response.status) else { throw failure(response, key: key) }
        return response.headers["content-length"].flatMap(Int.init) ?? 0
    }

    /// The bytes of `key`; an `S3Error` of kind `.noSuchKey` when there is no such object.
    public func get(_ key: String) throws -> [UInt8] {
        let response = try send("GET", key: key)
        guard (200..<300).contains(response.status) else { throw failure(response, key: key) }
        return response.body
    }

    /// Writes the bytes of `key` to `path` (through `path` + `.part`, renamed when complete).
    public func download(_ key: String, to path: String) throws {
        let temporary = path + ".part.\(getpid()).\(UInt64.random(in: 0...UInt64.max))"
        var failedWrite: String?
        for attempt in 1...attempts {
            guard let file = fopen(temporary, "w") else {
                throw S3Error(.localFile(path: temporary), server: endpoint.server, bucket: bucket, key: key, detail: String(cString: strerror(errno)))
            }
            var written = true
            let response: HTTPResponse
            do {
                response = try sendOnce("GET", key: key, query: [], body: nil, sink: { bytes in
                    written = fwrite(bytes.baseAddress, 1, bytes.count, file) == bytes.count
                    if !written { failedWrite = String(cString: strerror(errno)) }
                    return written
                })
            } catch let error as TransportError {
                fclose(file)
                if !written { unlink(temporary); throw S3Error(.localFile(path: path), server: endpoint.server, bucket: bucket, key: key, detail: failedWrite ?? "write failed") }
                if attempt < attempts { pause(attempt); continue }
                unlink(temporary)
                throw S3Error(.unreachable, server: endpoint.server, bucket: bucket, key: key, detail: error.message)
            }
            let closed = fclose(file) == 0
            if retryable(response.status) && attempt < attempts { pause(attempt); continue }
            guard (200..<300).contains(response.status) else { unlink(temporary); throw failure(response, key: key) }
            guard closed, rename(temporary, path) == 0 else {
                let detail = String(cString: strerror(errno))
                unlink(temporary)
                throw S3Error(.localFile(path: path), server: endpoint.server, bucket: bucket, key: key, detail: detail)
            }
            return
        }
    }

    /// Removes `key` (no error when it is already gone).
    public func delete(_ key: String) throws {
        let response = try send("DELETE", key: key)
        guard (200..<300).contains(response.status) || response.status == 404 else { throw failure(response, key: key) }
    }

    /// Throws `.noSuchBucket` (or the access error) unless the bucket exists and answers.
    public func checkBucket() throws {
        let response = try send("HEAD", key: nil)
        if response.status == 404 {
            throw S3Error(.noSuchBucket, server: endpoint.server, bucket: bucket, key: nil, detail: "NoSuchBucket")
        }
        guard (200..<300).contains(response.status) else { throw failure(response, key: nil) }
    }

    /// Creates the bucket (for tests and set-up scripts); no error when this user owns it already.
    public func createBucket() throws {
        let response = try send("PUT", key: nil, body: UnsafeRawBufferPointer(start: nil, count: 0))
        guard (200..<300).contains(response.status) || response.status == 409 else { throw failure(response, key: nil) }
    }

    // MARK: - Multipart

    private func multipartPut(_ key: String, body: UnsafeRawBufferPointer) throws {
        let created = try send("POST", key: key, query: [("uploads", "")], body: UnsafeRawBufferPointer(start: nil, count: 0))
        guard (200..<300).contains(created.status), let uploadID = XMLText.value("UploadId", in: created.body) else {
            throw failure(created, key: key)
        }
        do {
            var etags: [String] = []
            var offset = 0, number = 1
            while offset < body.count {
                let part = UnsafeRawBufferPointer(rebasing: body[offset..<min(body.count, offset + partSize)])
                let response = try send("PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: part)
                guard (200..<300).contains(response.status), let etag = response.headers["etag"] else { throw failure(response, key: key) }
                etags.append(etag)
                offset += part.count
                number += 1
            }
            var xml = "<CompleteMultipartUpload>"
            for (i, etag) in etags.enumerated() { xml += "<Part><PartNumber>\(i + 1)</PartNumber><ETag>\(etag)</ETag></Part>" }
            xml += "</CompleteMultipartUpload>"
            let bytes = Array(xml.utf8)
            let done = try bytes.withUnsafeBytes { try send("POST", key: key, query: [("uploadId", uploadID)], body: $0) }
            // A complete request can fail with a 200 whose body is an error.
            guard (200..<300).contains(done.status), XMLText.value("Code", in: done.body) == nil else { throw failure(done, key: key) }
        } catch {
            _ = try? send("DELETE", key: key, query: [("uploadId", uploadID)])
            throw error
        }
    }

    // MARK: - Requests

    private func retryable(_ status: Int) -> Bool { status >= 500 || status == 429 }

    private func pause(_ attempt: Int) {
        let seconds = backoff * Double(1 << (attempt - 1)) * Double.random(in: 0.75...1.25)
        usleep(UInt32(seconds * 1_000_000))
    }

    /// Sends a request, retrying transport failures, 5xx and 429 answers with backoff.
    private func send(_ method: String, key: String?, query: [(String, String)] = [], body: UnsafeRawBufferPointer? = nil) throws -> HTTPResponse {
        var attempt = 1
        while true {
            do {
                let response = try sendOnce(method, key: key, query: query, body: body, sink: nil)
                if retryable(response.status) && attempt < attempts { pause(attempt); attempt += 1; continue }
                return response
            } catch let error as TransportError {
                if attempt < attempts { pause(attempt); attempt += 1; continue }
                throw S3Error(.unreachable, server: endpoint.server, bucket: bucket, key: key, detail: error.message)
            }
        }
    }

    private func sendOnce(_ method: String, key: String?, query: [(String, String)], body: UnsafeRawBufferPointer?,
                          sink: ((UnsafeRawBufferPointer) -> Bool)?) throws -> HTTPResponse {
        // A bucket name with dots would not match the TLS certificate as a host name: path-style then.
        let pathStyle = endpoint.pathStyle || bucket.contains(".")
        let host = pathStyle ? endpoint.authority : "\(bucket).\(endpoint.authority)"
        var path = pathStyle ? "/\(bucket)" : ""
        if let key { path += "/" + key } else if !pathStyle { path = "/" }
        let payloadHash = body.map { Digest.hex(Digest.sha256($0)) } ?? Digest.emptySHA256
        let amzDate = SignatureV4.amzDate(Date())
        var headers = [("host", host), ("x-amz-content-sha256", payloadHash), ("x-amz-date", amzDate)]
        if let token = signer.credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        let request = SignatureV4.Request(method: method, path: path, query: query, headers: headers, payloadHash: payloadHash)
        headers.append(("Authorization", signer.authorization(request, amzDate: amzDate)))
        var url = "\(endpoint.scheme)://\(host)\(SignatureV4.uriEncode(path, keepSlash: true))"
        if !query.isEmpty { url += "?" + SignatureV4.canonicalQuery(query) }
        let sent = headers.filter { $0.0 != "host" }
        let connection = connection()
        defer { release(connection) }
        return try connection.perform(method: method, url: url, headers: sent, body: body, sink: sink)
    }

    /// The error an unsuccessful answer means.
    private func failure(_ response: HTTPResponse, key: String?) -> S3Error {
        let code = XMLText.value("Code", in: response.body) ?? ""
        let message = XMLText.value("Message", in: response.body) ?? (response.body.isEmpty ? "HTTP \(response.status)" : String(decoding: response.body.prefix(300), as: UTF8.self))
        let server = endpoint.server
        switch (response.status, code) {
        case (_, "NoSuchBucket"): return S3Error(.noSuchBucket, server: server, bucket: bucket, key: key, detail: message)
        case (_, "NoSuchKey"), (404, ""): return S3Error(.noSuchKey, server: server, bucket: bucket, key: key, detail: message)
        case (403, _), (_, "InvalidAccessKeyId"), (_, "SignatureDoesNotMatch"), (_, "AccessDenied"):
            return S3Error(.accessDenied, server: server, bucket: bucket, key: key, detail: code.isEmpty ? message : "\(code): \(message)")
        default:
            return S3Error(.server(status: response.status, code: code), server: server, bucket: bucket, key: key, detail: message)
        }
    }
}

/// The one element of an S3 XML answer Trail reads, e.g. `<Code>NoSuchKey</Code>`.
enum XMLText {
    static func value(_ tag: String, in body: [UInt8]) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        guard let start = text.range(of: "<\(tag)>"), let end = text.range(of: "</\(tag)>", range: start.upperBound..<text.endIndex) else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }
}
