import CCurl
import Foundation

/// One HTTP exchange's answer.
public struct HTTPResponse {
    /// The HTTP status (0 when no answer came).
    public var status: Int
    /// Response headers, names lower-cased.
    public var headers: [String: String]
    /// The body, unless it went to a sink.
    public var body: [UInt8]
}

/// A transport failure: libcurl's code and words.
public struct TransportError: Error {
    /// libcurl's `CURLcode`.
    public let code: Int
    /// libcurl's words for it.
    public let message: String
}

/// One libcurl easy handle, used by one thread at a time; kept between requests so that its
/// connection is reused (keep-alive). The S3 client and the push over smart HTTP use it.
public final class HTTPConnection {
    private let handle: UnsafeMutableRawPointer

    private static let globalSetup: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// A new handle (libcurl is set up once per process).
    public init() {
        _ = Self.globalSetup
        handle = curl_easy_init()
    }

    deinit { curl_easy_cleanup(handle) }

    /// What the callbacks write into.
    private final class Exchange {
        var headers: [String: String] = [:]
        var body: [UInt8] = []
        var sink: ((UnsafeRawBufferPointer) -> Bool)?
        var upload: ((UnsafeMutableRawBufferPointer) -> Int)?
        var status = 0
    }

    /// Sends `method url` with `headers` and `body` and returns the answer; the body goes to
    /// `sink` instead of memory when given for a 2xx answer (a false from it aborts the transfer).
    /// `upload`, instead of `body`, streams a body of unknown length (chunked): it fills the
    /// buffer it is given and returns the bytes written, 0 at the end, or -1 to abort.
    /// `basicAuth` is sent as HTTP basic authentication.
    /// `stallSeconds` fails a transfer that moves under 1 byte a second for that long (nil:
    /// never, for an answer that comes only once the server has finished its work).
    public func perform(method: String, url: String, headers: [(String, String)], body: UnsafeRawBufferPointer?,
                        connectTimeout: Int = 10, stallSeconds: Int? = 60, basicAuth: (user: String, password: String)? = nil,
                        upload: ((UnsafeMutableRawBufferPointer) -> Int)? = nil,
                        sink: ((UnsafeRawBufferPointer) -> Bool)? = nil) throws -> HTTPResponse {
        curl_easy_reset(handle)
        let exchange = Exchange()
        exchange.sink = sink
        exchange.upload = upload
        let box = Unmanaged.passUnretained(exchange).toOpaque()
        _ = trail_curl_set_string(handle, CURLOPT_URL, url)
        _ = trail_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = trail_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, connectTimeout)
        // A stalled transfer (under 1 byte a second for 60 s) fails instead of hanging.
        if let stallSeconds {
            _ = trail_curl_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
            _ = trail_curl_set_long(handle, CURLOPT_LOW_SPEED_TIME, stallSeconds)
        }
        switch method {
        case "GET": break
        case "HEAD": _ = trail_curl_set_long(handle, CURLOPT_NOBODY, 1)
        default: _ = trail_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, method)
        }
        var list: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(list) }
        // curl adds these for a body unless told not to; they are not signed.
        let given = Set(headers.map { $0.0.lowercased() })
        let defaults = [("Expect", ""), ("Content-Type", ""), ("Accept", "")].filter { !given.contains($0.0.lowercased()) }
        for (name, value) in headers + defaults {
            list = curl_slist_append(list, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        _ = trail_curl_set_list(handle, CURLOPT_HTTPHEADER, list)
        if let basicAuth {
            _ = trail_curl_set_long(handle, CURLOPT_HTTPAUTH, 1 /* CURLAUTH_BASIC */)
            _ = trail_curl_set_string(handle, CURLOPT_USERNAME, basicAuth.user)
            _ = trail_curl_set_string(handle, CURLOPT_PASSWORD, basicAuth.password)
        }
        if upload != nil {
            _ = trail_curl_set_long(handle, CURLOPT_POST, 1)
            _ = trail_curl_set_pointer(handle, CURLOPT_READDATA, box)
            _ = trail_curl_set_data_fn(handle, CURLOPT_READFUNCTION) { ptr, size, count, user in
                let exchange = Unmanaged<Exchange>.fromOpaque(user!).takeUnretainedValue()
                let n = exchange.upload!(UnsafeMutableRawBufferPointer(start: ptr, count: size * count))
                return n < 0 ? 0x1000_0000 /* CURL_READFUNC_ABORT */ : n
            }
        } else if let body {
            _ = trail_curl_set_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: body.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            _ = trail_curl_set_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, Int64(body.count))
        }
        _ = trail_curl_set_pointer(handle, CURLOPT_HEADERDATA, box)
        _ = trail_curl_set_data_fn(handle, CURLOPT_HEADERFUNCTION) { ptr, size, count, user in
            let exchange = Unmanaged<Exchange>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                exchange.headers = [:]  // a 100 Continue's, or a redirect's, are not the answer's
                let parts = line.split(separator: " ")
                exchange.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                exchange.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return n
        }
        _ = trail_curl_set_pointer(handle, CURLOPT_WRITEDATA, box)
        _ = trail_curl_set_data_fn(handle, CURLOPT_WRITEFUNCTION) { ptr, size, count, user in
            let exchange = Unmanaged<Exchange>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            let bytes = UnsafeRawBufferPointer(start: ptr, count: n)
            if let sink = exchange.sink, (200..<300).contains(exchange.status) {
                return sink(bytes) ? n : 0
            }
            exchange.body.append(contentsOf: bytes)
            return n
        }
        let code = withExtendedLifetime(exchange) { curl_easy_perform(handle) }
        if code != CURLE_OK {
            let message = String(cString: curl_easy_strerror(code))
            throw TransportError(code: Int(code.rawValue), message: message)
        }
        return HTTPResponse(status: trail_curl_response_code(handle), headers: exchange.headers, body: exchange.body)
    }
}
