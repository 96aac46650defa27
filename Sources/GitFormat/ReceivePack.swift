import Foundation

/// The client's half of git's push protocol (gitprotocol-pack(5), "Pushing Data To a Server"):
/// the server's reference advertisement, the update commands, and the server's status report.
/// The bytes travel over any transport (git://, smart HTTP); this type only speaks the format.
public enum ReceivePack {
    /// What the server holds and what it can do.
    public struct Advertisement: Equatable, Sendable {
        /// Every reference the server advertised, with its value.
        public var refs: [String: ObjectID] = [:]
        /// The capabilities listed on the first line (`report-status`, `delete-refs`, ...).
        public var capabilities: Set<String> = []
        /// Objects the server has without a reference of its own to them (`.have` lines: those
        /// of repositories it borrows from, as a fork does).
        public var haves: [ObjectID] = []

        /// An advertisement of `refs` and `capabilities`.
        public init(refs: [String: ObjectID] = [:], capabilities: Set<String> = []) {
            self.refs = refs
            self.capabilities = capabilities
        }
    }

    /// One reference to move on the server, from `old` (`.zero`: create) to `new`.
    public struct Command: Equatable, Sendable {
        /// The server's value now, as advertised (`.zero` when it has none).
        public var old: ObjectID
        /// The value to set.
        public var new: ObjectID
        /// The full reference name, e.g. `refs/heads/main`.
        public var ref: String

        /// A command moving `ref` from `old` to `new`.
        public init(old: ObjectID, new: ObjectID, ref: String) {
            self.old = old
            self.new = new
            self.ref = ref
        }
    }

    /// One reference's outcome in the server's report.
    public struct RefStatus: Equatable, Sendable {
        /// The full reference name.
        public var ref: String
        /// Nil when the reference was updated, else why it was not.
        public var error: String?

        /// The outcome `error` (nil: updated) for `ref`.
        public init(ref: String, error: String? = nil) {
            self.ref = ref
            self.error = error
        }
    }

    /// The server's answer to a push.
    public struct Report: Equatable, Sendable {
        /// Nil when the pack was unpacked; else the server's reason.
        public var unpackError: String?
        /// Each reference's outcome, in the server's order.
        public var refs: [RefStatus] = []

        /// A report of `unpackError` (nil: unpacked) and each reference's outcome.
        public init(unpackError: String? = nil, refs: [RefStatus] = []) {
            self.unpackError = unpackError
            self.refs = refs
        }
    }

    /// Reads an advertisement up to its flush packet. The HTTP form's `# service=` line and
    /// flush, and a `version 1` line, are skipped.
    public static func readAdvertisement(_ reader: inout PktLineReader) throws -> Advertisement {
        var ad = Advertisement()
        var first = true
        while var line = try reader.nextText() {
            if first && line.hasPrefix("# service=") {
                // Smart HTTP: a service line and its own flush come before the refs.
                while try reader.next() != nil {}
                continue
            }
            if first && line == "version 1" { continue }
            // A shallow server's boundary commits: nothing to update or to count as held.
            if line.hasPrefix("shallow ") { continue }
            if first, let nul = line.firstIndex(of: "\0") {
                ad.capabilities = Set(line[line.index(after: nul)...].split(separator: " ").map(String.init))
                line = String(line[..<nul])
            }
            first = false
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let id = ObjectID(hex: String(parts[0])) else {
                throw GitError(operation: "read the server's references", message: "not a reference line: \(line.debugDescription)")
            }
            let name = String(parts[1])
            if name == ".have" { ad.haves.append(id); continue }
            // An empty repository advertises only its capabilities, under this placeholder.
            if name == "capabilities^{}" && id == .zero { continue }
            if name.hasSuffix("^{}") { continue }  // a peeled tag: the tag's own value is listed too
            ad.refs[name] = id
        }
        return ad
    }

    /// The request that precedes the pack: one pkt-line per command (the first carries the
    /// capabilities asked for) and a flush.
    public static func request(_ commands: [Command], capabilities: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, c) in commands.enumerated() {
            var line = "\(c.old.hex) \(c.new.hex) \(c.ref)"
            if i == 0 { line += "\0" + capabilities.joined(separator: " ") }
            out += PktLine.encode(line + "\n")
        }
        return out + PktLine.flush
    }

    /// Reads the `report-status` answer up to its flush packet.
    public static func readReport(_ reader: inout PktLineReader) throws -> Report {
        var report = Report()
        guard let unpack = try reader.nextText(), unpack.hasPrefix("unpack ") else {
            throw GitError(operation: "read the server's report", message: "the server sent no status report")
        }
        let status = String(unpack.dropFirst("unpack ".count))
        report.unpackError = status == "ok" ? nil : status
        while let line = try reader.nextText() {
            if line.hasPrefix("ok ") {
                report.refs.append(RefStatus(ref: String(line.dropFirst(3))))
            } else if line.hasPrefix("ng ") {
                let rest = line.dropFirst(3)
                let space = rest.firstIndex(of: " ") ?? rest.endIndex
                let reason = rest[space...].trimmingCharacters(in: .whitespaces)
                report.refs.append(RefStatus(ref: String(rest[..<space]), error: reason.isEmpty ? "rejected" : reason))
            }
        }
        return report
    }
}
