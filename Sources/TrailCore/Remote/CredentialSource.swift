import Foundation
import Git
import GitFormat

/// Where credentials for a remote come from, in the order git users expect: `TRAIL_USERNAME`
/// and `TRAIL_PASSWORD` in the environment, else git's own credential helpers
/// (`git credential fill`, which reads `credential.helper` from git's configuration).
public enum CredentialSource {
    /// A provider that asks once: a rejected credential is not offered again (and is reported
    /// to the helper with `git credential reject`), so a wrong password fails at once.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> CredentialProvider {
        Session(environment: environment).provider
    }

    /// One transfer's credentials: the provider to hand to libgit2, and `approve()` to call once
    /// the transfer worked, so that git's helpers store a password typed at git's prompt (as
    /// git itself does).
    public final class Session {
        private let environment: [String: String]
        private var offered: [String: String]?

        public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.environment = environment
        }

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
                // No helper had one: on a terminal, ask (git's own prompt cannot be used: the
                // helper runs in a process group of its own, which may not read the terminal).
                guard isatty(0) == 1, isatty(2) == 1 else { return nil }
                var user = username ?? ""
                if user.isEmpty {
                    FileHandle.standardError.write(Data("Username for '\(scheme)://\(request["host"]!)': ".utf8))
                    user = readLine() ?? ""
                }
                guard !user.isEmpty, let typed = getpass("Password for '\(scheme)://\(user)@\(request["host"]!)': ") else { return nil }
                var answer = request
                answer["username"] = user
                answer["password"] = String(cString: typed)
                offered = answer
                return Credentials(username: user, password: answer["password"]!)
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
