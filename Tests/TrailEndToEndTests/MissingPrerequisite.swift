import Foundation

/// What a test throws when something it needs is not on this machine: the test fails (never skips)
/// and says what to install. `scripts/test.sh`, the README's test command, installs all of it.
struct MissingPrerequisite: Error, CustomStringConvertible, LocalizedError {
    let what: String
    let fix: String
    /// False for what no package provides (rights, a loopback address).
    let installable: Bool

    init(_ what: String, fix: String, installable: Bool = true) {
        self.what = what
        self.fix = fix
        self.installable = installable
    }

    var description: String { "\(what): \(fix)" + (installable ? " (scripts/test.sh installs everything the tests need)" : "") }
    var errorDescription: String? { description }
}
