import Foundation

/// Who made a commit or tag, and when: git's `Name <email> <seconds> <+hhmm>`.
public struct Signature: Equatable, Sendable {
    /// The author's or committer's name.
    public var name: String
    /// The author's or committer's email address, without angle brackets.
    public var email: String
    /// Seconds since 1970-01-01 UTC.
    public var time: Int64
    /// Offset from UTC in minutes.
    public var offsetMinutes: Int

    /// A signature at `time` (seconds since 1970 UTC), `offsetMinutes` from UTC.
    public init(name: String, email: String, time: Int64, offsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// A signature for now, in the machine's time zone.
    public static func now(name: String, email: String) -> Signature {
        let now = Date()
        let offset = TimeZone.current.secondsFromGMT(for: now) / 60
        return Signature(name: name, email: email, time: Int64(now.timeIntervalSince1970), offsetMinutes: offset)
    }

    /// Parses `Name <email>` (the form `git commit --author` takes), stamped with the current time.
    /// Returns nil when the text has no `<email>` part or holds characters git forbids there.
    public static func parse(_ text: String) -> Signature? {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close,
              text[text.index(after: close)...].trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        let name = text[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(text[text.index(after: open)..<close])
        guard !name.isEmpty, !name.contains(where: { "<>\n".contains($0) }),
              !email.contains(where: { "<>\n ".contains($0) }) else { return nil }
        return .now(name: name, email: email)
    }

    /// The signature line as it appears in a commit or tag header.
    public var headerValue: String {
        let sign = offsetMinutes < 0 ? "-" : "+"
        let m = abs(offsetMinutes)
        let zone = sign + String(format: "%02d%02d", m / 60, m % 60)
        return "\(name) <\(email)> \(time) \(zone)"
    }

    /// The time as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(time)) }
}
