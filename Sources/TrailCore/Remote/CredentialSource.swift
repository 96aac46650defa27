import Foundation
import Git
import GitFormat

/// Asks a person for a remote's user name and password, when neither the environment nor git's
/// helpers had them: `origin` is the remote's scheme and host (with its port, when it names one),
/// as in `https://git.example.org:8443`; `username` is the one the URL gives, if any. Returns nil
/// to give up. The core never reads the terminal itself: the command line provides this.
public typealias CredentialPrompt = (_ origin: String, _ username: String?) -> (username: String, password: String)?

/// Where credentials for a remote come from, in the order git users expect: `TRAIL_USERNAME`
/// and `TRAIL_PASSWORD` in the environment, else git's own credential helpers
/// (`git credential fill`, which reads `credential.helper` from git's configuration), else the
/// caller's prompt.
public enum CredentialSource {
    /// A provider that asks once: a rejected credential is not offered again (and is reported
    /// to the helper with `git credential reject`), so a wrong password fails at once.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment,
                                prompt: CredentialPrompt? = nil) -> CredentialProvider {
        Session(environment: environment, prompt: prompt).provider
    }

    /// One transfer's credentials: the provider to hand to libgit2, and `approve()` to call once
    /// the transfer worked, so that git's helpers store a password typed at git's prompt (as
    /// git itself does).
    public final class Session {
        private let environment: [String: String]
        private let prompt: CredentialPrompt?
        private var offered: [String: String]?

        /// A session that reads `environment`, then asks git's helpers, then (when given) `prompt`.
        public init(environment: [String: String] = ProcessInfo.processInfo.environment, prompt: CredentialPrompt? = nil) {
            self.environment = environment
            self.prompt = prompt
        }

        /// The provider to hand to a transfer: it asks once per attempt, and gives up after a
        /// rejected credential.
        public var provider: CredentialProvider {
            { [self] url, username, attempt in
                if attempt > 1 {
                    if let offered { _ = CredentialSource.runCredential("reject", offered, environment: environment) }
                    offered = nil
                    return nil
                }
                if let user = environment["TRAIL_USERNAME"], let password = environment["TRAIL_PASSWORD"] {
                    return Credentials(username: user, password: password)
                }
                guard let parts = URLComponents(string: url), let scheme = parts.scheme, let host = parts.host else { return nil }
                var request = ["protocol": scheme, "host": parts.port.map { "\(host):\($0)" } ?? host]
                if !parts.path.isEmpty { request["path"] = String(parts.path.drop { $0 == "/" }) }
                if let username { request["username"] = username }
                if let answer = CredentialSource.runCredential("fill", request, environment: environment),
                   let user = answer["username"], let password = answer["password"] {
                    offered = answer
                    return Credentials(username: user, password: password)
                }
                // No helper had one: the caller may ask (git's own prompt cannot be used: the
                // helper runs in a process group of its own, which may not read the terminal).
                guard let typed = prompt?("\(scheme)://\(request["host"]!)", username) else { return nil }
                var answer = request
                answer["username"] = typed.username
                answer["password"] = typed.password
                offered = answer
                return Credentials(username: typed.username, password: typed.password)
            }
        }

        /// Tells git's helpers that the credential they gave worked (nothing when none was used).
        public func approve() {
            if let offered { _ = CredentialSource.runCredential("approve", offered, environment: environment) }
            offered = nil
        }
    }

    /// Runs `git credential ACTION` with `fields` on its input; its answer's fields, or nil.
    fileprivate static func runCredential(_ action: String, _ fields: [String: String], environment: [String: String]) -> [String: String]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "credential", action]
        var env = environment
        // Never git's own prompt: the helper's process group may not read the terminal (it would
        // stop, and the transfer hang); Trail asks itself when it has one.
        env["GIT_TERMINAL_PROMPT"] = "0"
        process.environment = env
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        do { try process.run() } catch { return nil }
        let text = fields.map { "\($0.key)=\($0.value)\n" }.sorted().joined() + "\n"
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        var answer: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            answer[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return answer
    }
}
