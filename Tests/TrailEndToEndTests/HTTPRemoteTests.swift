import Foundation
import XCTest

/// Push, clone and pull over smart HTTP: a real lighttpd on loopback runs `git http-backend`
/// behind HTTP basic auth, and the credentials come from TRAIL_USERNAME/TRAIL_PASSWORD or from
/// a git credential helper. A wrong or missing password fails at once, leaving nothing behind.
final class HTTPRemoteTests: XCTestCase {
    /// lighttpd on a free 127.0.0.1 port serving the bare repositories in the sandbox at
    /// `/git/` (`server.git`, made by `makeOrigin`, must exist), for one user. Stopped by
    /// `stop()`, which a test calls in a `defer`.
    private final class GitHTTPServer {
        static let user = "annotator", password = "s3cret-pw"
        let port: Int
        let process = Process()
        let errorLog: String

        init(_ box: Sandbox) throws {
            guard let lighttpd = ["/usr/sbin/lighttpd", "/usr/bin/lighttpd"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
                throw MissingPrerequisite("lighttpd is needed to serve a smart-HTTP git remote", fix: "apt-get install lighttpd")
            }
            let execPath = try box.run("/usr/bin/env", ["git", "--exec-path"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let root = box.root.path
            port = try LoopbackPorts.free(1)[0]
            errorLog = root + "/lighttpd-error.log"
            try box.write("users", "\(Self.user):\(Self.password)\n")
            try FileManager.default.createDirectory(atPath: root + "/www", withIntermediateDirectories: true)
            // REMOTE_USER (set by mod_auth) is what lets http-backend take pushes; the repository says so too.
            let config = try box.write("lighttpd.conf", """
                server.modules = ("mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi")
                server.bind = "127.0.0.1"
                server.port = \(port)
                server.document-root = "\(root)/www"
                server.errorlog = "\(errorLog)"
                alias.url = ("/git/" => "\(execPath)/git-http-backend/")
                $HTTP["url"] =~ "^/git/" {
                    cgi.assign = ("" => "")
                    setenv.add-environment = ("GIT_PROJECT_ROOT" => "\(root)", "GIT_HTTP_EXPORT_ALL" => "1")
                }
                auth.backend = "plain"
                auth.backend.plain.userfile = "\(root)/users"
                auth.require = ("/git/" => ("method" => "basic", "realm" => "trail", "require" => "valid-user"))

                """)
            process.executableURL = URL(fileURLWithPath: lighttpd)
            process.arguments = ["-D", "-f", config]
            process.environment = box.environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Ready once git itself can list the (empty) repository with the password: a few seconds at most.
            let probe = "http://\(Self.user):\(Self.password)@127.0.0.1:\(port)/git/server.git"
            let saved = box.environment
            box.environment["GIT_TERMINAL_PROMPT"] = "0"
            defer { box.environment = saved }
            var ready = false
            for _ in 0..<50 where !ready && process.isRunning {
                ready = (try? box.run("/usr/bin/env", ["git", "ls-remote", probe]))?.status == 0
                if !ready { usleep(100_000) }
            }
            guard ready else {
                let log = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
                stop()
                throw NotServing(description: "lighttpd did not serve git http-backend on 127.0.0.1:\(port): \(log)")
            }
        }

        /// Installed but not answering: a failure, not a skip.
        struct NotServing: Error, CustomStringConvertible { let description: String }

        var url: String { "http://127.0.0.1:\(port)/git/server.git" }

        /// Stops the server: SIGTERM, then SIGKILL if it is still there after 5 seconds.
        func stop() {
            guard process.isRunning else { return }
            process.terminate()
            for _ in 0..<50 where process.isRunning { usleep(100_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

    }

    /// A sandbox with no credentials from the outside: none in the environment, no prompt
    /// program, no git configuration but the sandbox's own (HOME is the sandbox).
    private func makeBox(_ name: String = #function) throws -> Sandbox {
        let box = try Sandbox(name)
        for key in ["TRAIL_USERNAME", "TRAIL_PASSWORD", "GIT_TERMINAL_PROMPT", "GIT_ASKPASS", "SSH_ASKPASS", "XDG_CONFIG_HOME",
                    "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"] {
            box.environment[key] = nil
        }
        return box
    }

    /// A store at `box.store` with two commits, a tag and two models, and the bare `server.git`
    /// that the web server serves (pushes allowed).
    private func makeOrigin(_ box: Sandbox) throws {
        try box.write("v1.jsonl", Sandbox.dataset(300))
        try box.write("v2.jsonl", Sandbox.dataset(310, relabelEvery: 6, guideline: "v3.2"))
        try box.ok("init", "--store", box.store)
        try box.ok("commit", "--store", box.store, "v1.jsonl", "-m", "v1")
        try box.ok("model", "register", "--store", box.store, "m1", "HEAD")
        try box.ok("tag", "--store", box.store, "release-1")
        try box.ok("commit", "--store", box.store, "v2.jsonl", "-m", "v2")
        try box.ok("model", "register", "--store", box.store, "m2", "HEAD")
        let server = box.root.appendingPathComponent("server.git").path
        _ = try box.run("/usr/bin/env", ["git", "init", "-q", "--bare", server])
        _ = try box.run("/usr/bin/env", ["git", "--git-dir", server, "config", "http.receivepack", "true"])
    }

    private func git(_ box: Sandbox, _ dir: String, _ args: String...) throws -> Sandbox.Result {
        // A clone's store is DIR/.trail, as git's is DIR/.git.
        let folder = box.root.appendingPathComponent(dir).path
        let gitDir = FileManager.default.fileExists(atPath: folder + "/.trail/HEAD") ? folder + "/.trail" : folder
        return try box.run("/usr/bin/env", ["git", "--git-dir", gitDir] + args)
    }

    /// Runs trail under a 30-second limit (a hang fails instead of stalling the suite); also
    /// returns how long it took.
    private func timedTrail(_ box: Sandbox, _ args: [String]) throws -> (Sandbox.Result, TimeInterval) {
        let start = Date()
        let result = try box.run("/usr/bin/env", ["timeout", "30", Sandbox.productsDirectory.appendingPathComponent("trail").path] + args)
        return (result, Date().timeIntervalSince(start))
    }

    private func useHelper(_ box: Sandbox, password: String, port: Int) throws {
        try box.write(".git-credentials", "http://\(GitHTTPServer.user):\(password)@127.0.0.1:\(port)\n")
        XCTAssertEqual(try box.run("/usr/bin/env", ["git", "config", "--global", "credential.helper", "store"]).status, 0)
    }

    /// The answers a user would compare between an origin and its copy.
    private func answers(_ box: Sandbox, _ store: String) throws -> [String] {
        try [["log", "--json"], ["export", "m1", "--out", "-"], ["diff", "m1", "m2", "--json"], ["model", "list", "--json"]].map { args in
            let result = try box.trail(args + ["--store", store])
            XCTAssertEqual(result.status, 0, "trail \(args) --store \(store): \(result.stderr)")
            return result.stdout
        }
    }

    func testPushCloneAndPullWithCredentialsFromTheEnvironment() throws {
        let box = try makeBox()
        try makeOrigin(box)
        let server = try GitHTTPServer(box)
        defer { server.stop() }
        box.environment["TRAIL_USERNAME"] = GitHTTPServer.user
        box.environment["TRAIL_PASSWORD"] = GitHTTPServer.password
        try box.ok("remote", "add", "--store", box.store, "origin", server.url)
        XCTAssertTrue(try box.ok("push", "--store", box.store).stdout.contains("Pushed main"))
        let refs = try git(box, "server.git", "for-each-ref", "--format=%(refname)").stdout
        for ref in ["refs/heads/main", "refs/models/m1", "refs/models/m2", "refs/tags/release-1", "refs/trail/content"] {
            XCTAssertTrue(refs.contains(ref), "the server holds \(ref): \(refs)")
        }
        XCTAssertEqual(try git(box, "server.git", "fsck", "--strict").status, 0)

        let cloned = try box.ok("clone", server.url, "b.trail").stdout
        XCTAssertTrue(cloned.contains("new models: m1, m2"), cloned)
        XCTAssertEqual(try answers(box, "b.trail"), try answers(box, box.store), "the clone answers as the origin does")
        let fsck = try git(box, "b.trail", "fsck", "--strict")
        XCTAssertEqual(fsck.status, 0, fsck.stderr)
        XCTAssertEqual(try box.trail(["verify", "--store", "b.trail"]).status, 0)

        // A new commit reaches the clone with a pull over HTTP too.
        try box.write("v3.jsonl", Sandbox.dataset(320, relabelEvery: 5, guideline: "v3.3"))
        try box.ok("commit", "--store", box.store, "v3.jsonl", "-m", "v3")
        try box.ok("push", "--store", box.store)
        let pulled = try box.ok("pull", "--store", "b.trail").stdout
        XCTAssertTrue(pulled.contains("fast-forward"), pulled)
        XCTAssertEqual(try box.ok("diff", "--store", "b.trail", "HEAD~1", "HEAD", "--json").stdout,
                       try box.ok("diff", "--store", box.store, "HEAD~1", "HEAD", "--json").stdout)
    }

    func testCredentialsFromAGitCredentialHelper() throws {
        let box = try makeBox()
        try makeOrigin(box)
        let server = try GitHTTPServer(box)
        defer { server.stop() }
        try useHelper(box, password: GitHTTPServer.password, port: server.port)
        try box.ok("remote", "add", "--store", box.store, "origin", server.url)
        try box.ok("push", "--store", box.store)
        try box.ok("clone", server.url, "b.trail")
        XCTAssertEqual(try answers(box, "b.trail"), try answers(box, box.store))
        XCTAssertEqual(try git(box, "b.trail", "fsck", "--strict").status, 0)
        XCTAssertTrue(try box.read(".git-credentials").contains(GitHTTPServer.password), "an accepted credential stays in the helper")
    }

    func testAWrongPasswordFailsAtOnceAndChangesNothing() throws {
        let box = try makeBox()
        try makeOrigin(box)
        let server = try GitHTTPServer(box)
        defer { server.stop() }
        try box.ok("remote", "add", "--store", box.store, "origin", server.url)
        box.environment["TRAIL_USERNAME"] = GitHTTPServer.user
        box.environment["TRAIL_PASSWORD"] = "wrong"
        let before = try box.storeState()
        for args in [["push", "--store", box.store], ["clone", server.url, "b.trail"]] {
            let (result, seconds) = try timedTrail(box, args)
            XCTAssertLessThan(seconds, 10, "trail \(args[0]) gave up at once, not after retries")
            XCTAssertEqual(result.status, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains("authentication failed") && result.stderr.contains("hint:")
                          && result.stderr.contains("TRAIL_PASSWORD") && result.stderr.contains("credential helper"), result.stderr)
        }
        XCTAssertEqual(try box.storeState(), before, "a refused push changes nothing here")
        XCTAssertEqual(try git(box, "server.git", "for-each-ref").stdout, "", "nor on the server")
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.appendingPathComponent("b.trail").path), "a failed clone leaves nothing")

        // A wrong password from the helper fails the same way, and is rejected there (as git does).
        box.environment["TRAIL_USERNAME"] = nil
        box.environment["TRAIL_PASSWORD"] = nil
        try useHelper(box, password: "wrong", port: server.port)
        let (result, seconds) = try timedTrail(box, ["clone", server.url, "c.trail"])
        XCTAssertLessThan(seconds, 10)
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("authentication failed"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.appendingPathComponent("c.trail").path))
        XCTAssertFalse(try box.read(".git-credentials").contains("wrong"), "the helper was told the password was rejected")
    }

    func testNoCredentialsAndNoTerminalFailsInsteadOfWaiting() throws {
        let box = try makeBox()
        try makeOrigin(box)
        let server = try GitHTTPServer(box)
        defer { server.stop() }
        try box.ok("remote", "add", "--store", box.store, "origin", server.url)
        let before = try box.storeState()
        // Standard input is a pipe, not a terminal, and GIT_TERMINAL_PROMPT is unset.
        for args in [["clone", server.url, "b.trail"], ["push", "--store", box.store], ["fetch", "--store", box.store]] {
            let (result, seconds) = try timedTrail(box, args)
            XCTAssertLessThan(seconds, 10, "trail \(args[0]) did not wait for a password")
            XCTAssertEqual(result.status, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains("authentication required") && result.stderr.contains("hint:")
                          && result.stderr.contains("TRAIL_USERNAME"), result.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.root.appendingPathComponent("b.trail").path))
        XCTAssertEqual(try box.storeState(), before)
    }

    func testAServerThatTakesNoPushesSaysSo() throws {
        let box = try makeBox()
        try makeOrigin(box)
        let server = try GitHTTPServer(box)
        defer { server.stop() }
        _ = try git(box, "server.git", "config", "http.receivepack", "false")
        box.environment["TRAIL_USERNAME"] = GitHTTPServer.user
        box.environment["TRAIL_PASSWORD"] = GitHTTPServer.password
        try box.ok("remote", "add", "--store", box.store, "origin", server.url)
        let (refused, _) = try timedTrail(box, ["push", "--store", box.store])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("403") && refused.stderr.contains("http.receivepack"), refused.stderr)
        XCTAssertEqual(try git(box, "server.git", "for-each-ref").stdout, "")
    }
}
