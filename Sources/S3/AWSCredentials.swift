import Foundation

/// An access key pair (and session token, for temporary credentials) that signs requests.
public struct AWSCredentials: Equatable, Sendable {
    /// The access key id (`AWS_ACCESS_KEY_ID`, `aws_access_key_id`).
    public var accessKeyID: String
    /// The secret access key (`AWS_SECRET_ACCESS_KEY`, `aws_secret_access_key`).
    public var secretAccessKey: String
    /// The session token of temporary credentials (`AWS_SESSION_TOKEN`), sent as `x-amz-security-token`.
    public var sessionToken: String?

    /// A key pair, with a session token for temporary credentials.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The credentials the standard AWS way: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with
    /// `AWS_SESSION_TOKEN`), else the profile `AWS_PROFILE` (default `default`) of the shared
    /// credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`); nil when neither has them.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> AWSCredentials? {
        if let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty,
           let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty {
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
        }
        let profile = profileName(environment)
        guard let section = ProfileFile.section(profile, in: credentialsFile(environment), configStyle: false),
              let id = section["aws_access_key_id"], let secret = section["aws_secret_access_key"] else { return nil }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: section["aws_session_token"])
    }

    /// The profile name: `AWS_PROFILE`, else `default`.
    public static func profileName(_ environment: [String: String]) -> String {
        environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    }

    /// The shared credentials file's path.
    public static func credentialsFile(_ environment: [String: String]) -> String {
        if let file = environment["AWS_SHARED_CREDENTIALS_FILE"], !file.isEmpty { return file }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.aws/credentials"
    }

    /// The shared config file's path (`AWS_CONFIG_FILE`, default `~/.aws/config`).
    public static func configFile(_ environment: [String: String]) -> String {
        if let file = environment["AWS_CONFIG_FILE"], !file.isEmpty { return file }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.aws/config"
    }
}

/// The INI files of the AWS tools: `[name]` sections (`[profile name]` in the config file) of
/// `key = value` lines, `#` and `;` comments.
enum ProfileFile {
    /// The keys of `profile`'s section in `path`, or nil when the file or the section is missing.
    static func section(_ profile: String, in path: String, configStyle: Bool) -> [String: String]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let wanted = configStyle && profile != "default" ? "profile \(profile)" : profile
        var current: String?
        var found: [String: String]?
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if current == wanted && found == nil { found = [:] }
                continue
            }
            guard current == wanted, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            found?[key] = value
        }
        return found
    }
}
