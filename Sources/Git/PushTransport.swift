import Foundation
import GitFormat
import HTTP
#if canImport(Glibc)
import Glibc
#endif

/// Where Trail's own push sends a pack: the server's side of git's receive-pack protocol,
/// reached over git://, smart HTTP(S), or a repository on this machine.
protocol PushTransport: AnyObject {
    /// The server's references and capabilities.
    func advertisement() throws -> ReceivePack.Advertisement
    /// Sends `commands` and a pack of `objectCount` objects that `writePack` produces through
    /// the appender it is given, and returns the server's report.
    func push(_ commands: [ReceivePack.Command], objectCount: Int,
              writePack: (_ append: ([PendingObject]) throws -> Void) throws -> Void) throws -> ReceivePack.Report
    /// Sends no commands: ends the exchange after the advertisement.
    func finishWithoutPush()
}

/// How a remote URL is reached, or nil for one libgit2 reaches instead (ssh, `host:path`).
func pushTransport(for url: String, credentials: CredentialProvider?) throws -> PushTransport? {
    if url.hasPrefix("git://") { return try GitDaemonTransport(url: url) }
    if url.hasPrefix("http://") || url.hasPrefix("https://") { return SmartHTTPTransport(url: url, credentials: credentials) }
    if url.hasPrefix("file://") {
        // file:///srv/x.git: no host, a percent-encoded path (as libgit2 reads it).
        let path = URLComponents(string: url)?.path ?? String(url.dropFirst("file://".count)).removingPercentEncoding
        return try LocalTransport(path: path ?? String(url.dropFirst("file://".count)))
    }
    if url.contains("://") { return nil }
    // scp-like `host:path` (a colon before the first slash) is ssh.
    if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") { return nil }
    return try LocalTransport(path: url)
}

// MARK: - git://

/// git-daemon's protocol: a TCP connection, one request line naming the service and the path,
/// then receive-pack's own exchange on the same connection.
final class GitDaemonTransport: PushTransport {
    private let fd: Int32
    private let url: String
    private var input: [UInt8] = []
    private var inputAt = 0

    init(url: String) throws {
        self.url = url
        guard let parts = URLComponents(string: url), let host = parts.host else {
            throw GitError(code: .invalidSpec, operation: "push to \(url)", message: "not a git:// URL with a host")
        }
        let port = parts.port ?? 9418
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
            throw GitError(operation: "push to \(url)", message: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(found) }
        var connected: Int32 = -1
        var at: UnsafeMutablePointer<addrinfo>? = first
        var lastErrno: Int32 = 0
        while let a = at, connected < 0 {
            let s = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            if s >= 0 {
                if connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { connected = s } else { lastErrno = errno; close(s) }
            }
            at = a.pointee.ai_next
        }
        guard connected >= 0 else {
            throw GitError(operation: "push to \(url)", message: "cannot connect to \(host):\(port): \(String(cString: strerror(lastErrno)))", systemError: lastErrno)
        }
        fd = connected
        // git daemon takes the path as it is, so an encoded one (`%20`) is decoded first.
        let path = parts.path.isEmpty ? "/" : parts.path
        let hostLine = parts.port.map { "\(host):\($0)" } ?? host
        try send(PktLine.encode(Array("git-receive-pack \(path)\0host=\(hostLine)\0".utf8)))
    }

    deinit { close(fd) }

    func advertisement() throws -> ReceivePack.Advertisement {
        var reader = PktLineReader(what: "the server's references") { [self] n in try receive(n) }
        do {
            return try ReceivePack.readAdvertisement(&reader)
        } catch let error as GitError where error.message == "the connection ended early" {
            // git daemon hangs up on a path it does not export or a service it does not run.
            throw GitError(operation: "push to \(url)", message: "the server closed the connection: it does not export this repository, or takes no pushes (git daemon --enable=receive-pack)")
        }
    }

    func push(_ commands: [ReceivePack.Command], objectCount: Int,
              writePack: (([PendingObject]) throws -> Void) throws -> Void) throws -> ReceivePack.Report {
        try send(ReceivePack.request(commands, capabilities: ["report-status", "agent=trail"]))
        let pack = try PackStream(count: objectCount) { [self] bytes in try send(bytes) }
        try writePack { try pack.append($0) }
        try pack.finish()
        var reader = PktLineReader(what: "the server's report") { [self] n in try receive(n) }
        return try ReceivePack.readReport(&reader)
    }

    func finishWithoutPush() { try? send(PktLine.flush) }

    private func send(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try send($0) } }

    private func send(_ bytes: UnsafeRawBufferPointer) throws {
        var at = 0
        while at < bytes.count {
            // MSG_NOSIGNAL: a server that hangs up gives an error here, not a SIGPIPE.
            let n = Glibc.send(fd, bytes.baseAddress! + at, bytes.count - at, Int32(MSG_NOSIGNAL))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw GitError.system("send to \(url)") }
            at += n
        }
    }

    /// The next `count` bytes (fewer only when the server closed the connection).
    private func receive(_ count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        while out.count < count {
            if inputAt == input.count {
                input = [UInt8](repeating: 0, count: 65536)
                let n = input.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
                if n < 0 && errno == EINTR { input = []; inputAt = 0; continue }
                guard n >= 0 else { throw GitError.system("receive from \(url)") }
                input.removeSubrange(n...)
                inputAt = 0
                if n == 0 { break }
            }
            let take = min(count - out.count, input.count - inputAt)
            out += input[inputAt..<(inputAt + take)]
            inputAt += take
        }
        return out
    }
}

// MARK: - Smart HTTP

/// git's smart HTTP protocol: `GET info/refs?service=git-receive-pack` for the advertisement,
/// then one `POST git-receive-pack` whose body (the commands and the pack) is streamed as it is
/// made, chunked: the pack is made on the calling thread into a bounded queue, which curl
/// empties on a second thread.
final class SmartHTTPTransport: PushTransport {
    private let url: String
    private let base: String
    private let credentials: CredentialProvider?
    private let connection = HTTPConnection()
    private var auth: (user: String, password: String)?
    private var attempts = 0

    /// Hosting services speak the smart protocol only to agents named `git/...` (libgit2 sends
    /// `git/2.0 (libgit2 ...)`).
    static let userAgent = ("User-Agent", "git/2.0 (trail)")

    init(url: String, credentials: CredentialProvider?) {
        self.url = url
        base = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.credentials = credentials
    }

    func advertisement() throws -> ReceivePack.Advertisement {
        while true {
            let response: HTTPResponse
            do {
                response = try connection.perform(method: "GET", url: base + "/info/refs?service=git-receive-pack",
                                                  headers: [("Accept", "*/*"), ("Pragma", "no-cache"), Self.userAgent], body: nil, basicAuth: auth)
            } catch let error as TransportError {
                throw GitError(operation: "push to \(url)", message: error.message)
            }
            if response.status == 401 {
                try askForCredentials()
                continue
            }
            try check(response)
            guard response.headers["content-type"]?.hasPrefix("application/x-git-receive-pack-advertisement") == true else {
                throw GitError(operation: "push to \(url)", message: "the server does not speak git's smart HTTP protocol (content type \(response.headers["content-type"] ?? "none"))")
            }
            var reader = PktLineReader(what: "the server's references", bytes: response.body)
            return try ReceivePack.readAdvertisement(&reader)
        }
    }

    func push(_ commands: [ReceivePack.Command], objectCount: Int,
              writePack: (([PendingObject]) throws -> Void) throws -> Void) throws -> ReceivePack.Report {
        let queue = ByteQueue(limit: 16 << 20)
        let request = ReceivePack.request(commands, capabilities: ["report-status", "agent=trail"])
        // curl pulls the body on a thread of its own; the pack is made here and queued.
        final class Outcome: @unchecked Sendable { var response: HTTPResponse?; var error: Error? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let connection = self.connection, target = base + "/git-receive-pack", auth = self.auth
        Thread.detachNewThread {
            do {
                outcome.response = try connection.perform(
                    method: "POST", url: target,
                    headers: [("Content-Type", "application/x-git-receive-pack-request"),
                              ("Accept", "application/x-git-receive-pack-result"), ("Transfer-Encoding", "chunked"), Self.userAgent],
                    // No stall limit: the report comes only once the server has indexed and
                    // checked every object, minutes after the last byte for millions of them.
                    body: nil, connectTimeout: 10, stallSeconds: nil, basicAuth: auth, upload: { queue.read(into: $0) })
            } catch { outcome.error = error }
            queue.abort()  // a producer still writing stops
            done.signal()
        }
        var producerError: Error?
        do {
            try queue.write(request)
            let pack = try PackStream(count: objectCount) { try queue.write(Array($0)) }
            try writePack { try pack.append($0) }
            try pack.finish()
            queue.close()
        } catch {
            producerError = error
            queue.fail()
        }
        done.wait()
        // The pack's own failure explains more than the upload it cut short; an upload that
        // stopped first (the server hung up) explains more than the pack it cut short.
        if let producerError, !(producerError is ByteQueue.ReaderStopped) { throw producerError }
        if let error = outcome.error as? TransportError { throw GitError(operation: "push to \(url)", message: error.message) }
        if let error = outcome.error { throw error }
        guard let response = outcome.response else { throw GitError(operation: "push to \(url)", message: "no answer") }
        if response.status == 401 {
            // Only the upload asked for credentials; git probes with a small request first.
            throw GitError(code: .auth, operation: "push to \(url)", message: auth == nil ? "authentication required" : "authentication failed (the credentials were rejected)")
        }
        try check(response)
        var reader = PktLineReader(what: "the server's report", bytes: response.body)
        return try ReceivePack.readReport(&reader)
    }

    func finishWithoutPush() {}

    /// Asks for credentials after a 401; the second ask means the first answer was refused.
    private func askForCredentials() throws {
        attempts += 1
        let username = URLComponents(string: url)?.user
        guard let provider = credentials, let given = provider(url, username, attempts) else {
            throw GitError(code: .auth, operation: "push to \(url)",
                           message: attempts > 1 ? "authentication failed (the credentials were rejected)" : "authentication required")
        }
        auth = (given.username, given.password)
    }

    private func check(_ response: HTTPResponse) throws {
        guard response.status == 200 else {
            throw GitError(operation: "push to \(url)", message: "unexpected http status code: \(response.status)", httpStatus: response.status)
        }
    }
}

/// Bytes handed from one thread (the pack being made) to another (curl sending it), at most
/// `limit` waiting; either side can stop the other.
final class ByteQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let limit: Int
    private var chunks: [[UInt8]] = []
    private var head = 0
    private var waiting = 0
    private var closed = false
    private var failed = false
    private var aborted = false

    /// What `write` throws once the reader has stopped.
    struct ReaderStopped: Error {}

    init(limit: Int) { self.limit = limit }

    /// Queues `bytes`, waiting while the queue is full; throws `ReaderStopped` when the reader stopped.
    func write(_ bytes: [UInt8]) throws {
        condition.lock()
        defer { condition.unlock() }
        while waiting >= limit && !aborted { condition.wait() }
        guard !aborted else { throw ReaderStopped() }
        chunks.append(bytes)
        waiting += bytes.count
        condition.broadcast()
    }

    /// Fills `buffer` with queued bytes, waiting for some; 0 at the end, -1 when the writer failed.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty && !closed && !failed { condition.wait() }
        if failed { return -1 }
        guard !chunks.isEmpty else { return 0 }
        var n = 0
        while n < buffer.count, !chunks.isEmpty {
            let chunk = chunks[0]
            let take = min(buffer.count - n, chunk.count - head)
            chunk.withUnsafeBytes { buffer.baseAddress!.advanced(by: n).copyMemory(from: $0.baseAddress! + head, byteCount: take) }
            n += take
            head += take
            if head == chunk.count { chunks.removeFirst(); head = 0 }
        }
        waiting -= n
        condition.broadcast()
        return n
    }

    /// The writer is done: the reader sees the end once the queue is empty.
    func close() { condition.lock(); closed = true; condition.broadcast(); condition.unlock() }
    /// The writer failed: the reader aborts the upload.
    func fail() { condition.lock(); failed = true; condition.broadcast(); condition.unlock() }
    /// The reader stopped: a waiting writer throws.
    func abort() { condition.lock(); aborted = true; condition.broadcast(); condition.unlock() }
}

// MARK: - A path

/// A repository on this machine: the pack is written straight into its object folder (it
/// becomes visible when its index is renamed into place, as for a commit), and each reference
/// is moved with compare-and-swap against the value read at the start.
final class LocalTransport: PushTransport {
    private let remote: Repository

    init(path: String) throws {
        do {
            remote = try Repository(openBare: path)
        } catch {
            remote = try Repository(openBare: path + "/.git")
        }
    }

    func advertisement() throws -> ReceivePack.Advertisement {
        var ad = ReceivePack.Advertisement()
        for ref in try remote.references(matching: "refs/*") { ad.refs[ref.name] = ref.target }
        ad.capabilities = ["report-status"]
        return ad
    }

    func push(_ commands: [ReceivePack.Command], objectCount: Int,
              writePack: (([PendingObject]) throws -> Void) throws -> Void) throws -> ReceivePack.Report {
        if objectCount > 0 {
            let pack = try PackWriter(objectsDirectory: remote.objectsDirectory, expectedCount: objectCount)
            do {
                try writePack { try pack.append($0) }
                try pack.finish()
            } catch {
                pack.abort()
                throw error
            }
        } else {
            try writePack { _ in }
        }
        var report = ReceivePack.Report()
        for c in commands {
            do {
                try remote.updateReference(c.ref, to: c.new, expected: c.old == .zero ? nil : c.old, message: "push")
                report.refs.append(ReceivePack.RefStatus(ref: c.ref))
            } catch let error as GitError {
                report.refs.append(ReceivePack.RefStatus(ref: c.ref, error: error.message))
            }
        }
        return report
    }

    func finishWithoutPush() {}
}
