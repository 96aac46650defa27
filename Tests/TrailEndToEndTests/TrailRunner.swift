import Foundation
import XCTest

/// Runs the built `trail` binary (and `git`) the way a user would, in a temporary folder.
final class Sandbox {
    let root: URL
    var store: String { root.appendingPathComponent(".trail").path }
    var environment: [String: String]
    /// The folder commands run in (the sandbox's root unless a test moves it).
    lazy var currentDirectory: URL = root

    init(_ name: String = #function) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("trail-e2e-\(getpid())")
        root = base.appendingPathComponent(name.filter { $0.isLetter || $0.isNumber } + "-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var env = ProcessInfo.processInfo.environment
        env["TRAIL_AUTHOR"] = "Ana Annotator <ana@example.org>"
        env["TRAIL_STORE"] = nil
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["HOME"] = root.path
        environment = env
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The folder holding the built products (`trail`, `trail-demo-data`).
    static let productsDirectory: URL = {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug"))
        for dir in candidates where fm.isExecutableFile(atPath: dir.appendingPathComponent("trail").path) { return dir }
        fatalError("cannot find the built trail binary; run `swift build` first (looked in \(candidates.map(\.path)))")
    }()

    /// Runs `trail args...` in the sandbox.
    @discardableResult
    func trail(_ args: [String], stdin: String? = nil) throws -> Result {
        try run(Sandbox.productsDirectory.appendingPathComponent("trail").path, args, stdin: stdin)
    }

    /// Runs `trail` and fails the test unless it exits 0.
    @discardableResult
    func ok(_ args: String..., file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let result = try trail(args)
        XCTAssertEqual(result.status, 0, "trail \(args.joined(separator: " ")) failed: \(result.stderr)", file: file, line: line)
        return result
    }

    /// Runs the real git CLI against the store.
    @discardableResult
    func git(_ args: String...) throws -> Result {
        try run("/usr/bin/env", ["git", "--git-dir", store] + args)
    }

    func run(_ executable: String, _ args: [String], stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        process.currentDirectoryURL = currentDirectory
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read both pipes fully before waiting, so a large output cannot block the child.
        final class Collected: @unchecked Sendable { var data = Data() }
        let errData = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Writes a file under the sandbox and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return url.path
    }

    func read(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
    }

    /// A moderation dataset of `count` samples as JSON Lines (deterministic).
    static func dataset(_ count: Int, relabelEvery: Int? = nil, guideline: String = "v3.1", start: Int = 0) -> String {
        let labels = ["safe", "safe", "safe", "harassment", "spam", "minor_safety.dangerous_acts", "self_harm"]
        var lines: [String] = []
        for i in start..<(start + count) {
            var label = labels[i % labels.count]
            var annotator = "ann_\(i % 5)"
            var g = "v3.1"
            if let every = relabelEvery, i % every == 0 { label = "hate_speech"; annotator = "adjudicator"; g = guideline }
            // Keys in canonical order, so an export compares equal to the file.
            lines.append(#"{"annotator":"\#(annotator)","confidence":0.\#(50 + i % 50),"guideline":"\#(g)","id":"s\#(String(format: "%05d", i))","label":"\#(label)","severity":\#(i % 4),"text":"sample text number \#(i) with some words"}"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every file under `folder` (relative to the root) with its bytes: equal before and after
    /// means nothing there changed (for the small stores tests make).
    func fileContents(_ folder: String) throws -> [String: Data] {
        let base = root.appendingPathComponent(folder).path
        var contents: [String: Data] = [:]
        for name in try FileManager.default.subpathsOfDirectory(atPath: base).sorted() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: base + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            contents[name] = try Data(contentsOf: URL(fileURLWithPath: base + "/" + name))
        }
        return contents
    }

    /// Everything that tells whether a store changed: its refs and the files in its object folder.
    func storeState() throws -> String {
        let refs = try git("show-ref").stdout
        let head = try git("symbolic-ref", "HEAD").stdout
        let objects = try FileManager.default.subpathsOfDirectory(atPath: store + "/objects").sorted().joined(separator: "\n")
        return refs + head + objects
    }
}

extension Sandbox {
    /// The tree path of sample `id` (`ab/cd/<sha1 of id>`), computed the way the docs show.
    func recordPath(_ id: String) throws -> String {
        let key = try run("/bin/sh", ["-c", "printf %s '\(id)' | sha1sum | cut -c1-40"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return "\(key.prefix(2))/\(key.dropFirst(2).prefix(2))/\(key)"
    }

    /// Runs `script` with GIT_DIR set to the store (and a git identity), failing the test if it
    /// fails; returns its output, trimmed. For damage crafted with plain git.
    @discardableResult
    func gitScript(_ script: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run("/bin/sh", ["-c", """
            set -e
            export GIT_DIR='\(store)' GIT_INDEX_FILE='\(root.path)/edit-index'
            export GIT_AUTHOR_NAME=Mallory GIT_AUTHOR_EMAIL=m@example.org GIT_COMMITTER_NAME=Mallory GIT_COMMITTER_EMAIL=m@example.org
            \(script)
            """])
        XCTAssertEqual(result.status, 0, "\(script): \(result.stderr)", file: file, line: line)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
