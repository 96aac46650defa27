import Foundation
import XCTest

/// Progress bars appear on a terminal, and never in a pipe or with --quiet.
final class ProgressTests: XCTestCase {
    func testProgressOnATerminalOnly() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            throw MissingPrerequisite("script(1) is needed to give trail a pseudo-terminal", fix: "apt-get install bsdutils (util-linux's script)")
        }
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(5000))
        try box.ok("init")
        let trail = Sandbox.productsDirectory.appendingPathComponent("trail").path
        // script(1) gives the command a pseudo-terminal and copies what it writes there.
        let onTerminal = try box.run("/usr/bin/script", ["-qec", "'\(trail)' commit v1.jsonl -m v1", "/dev/null"])
        XCTAssertEqual(onTerminal.status, 0, onTerminal.stdout)
        XCTAssertTrue(onTerminal.stdout.contains("Writing objects") && onTerminal.stdout.contains("100%") && onTerminal.stdout.contains("done."),
                      onTerminal.stdout)
        XCTAssertTrue(onTerminal.stdout.contains("5000 samples: 5000 added"), "the result follows the bar: \(onTerminal.stdout)")

        let exported = try box.run("/usr/bin/script", ["-qec", "'\(trail)' export HEAD --out x.jsonl", "/dev/null"])
        XCTAssertTrue(exported.stdout.contains("Reading samples") && exported.stdout.contains("5000/5000"), exported.stdout)
        let quiet = try box.run("/usr/bin/script", ["-qec", "'\(trail)' export HEAD --out y.jsonl --quiet", "/dev/null"])
        XCTAssertFalse(quiet.stdout.contains("Reading samples"), quiet.stdout)

        // In a pipe: nothing but the result.
        let piped = try box.ok("export", "HEAD", "--out", "z.jsonl")
        XCTAssertEqual(piped.stderr, "")
        let reindexed = try box.ok("reindex")
        XCTAssertEqual(reindexed.stderr, "")
    }
}

/// Shell completions come from the binary itself and know every command.
final class CompletionTests: XCTestCase {
    func testCompletionScriptsNameEveryCommand() throws {
        let box = try Sandbox()
        for shell in ["bash", "zsh", "fish"] {
            let script = try box.ok("--generate-completion-script", shell).stdout
            for command in ["commit", "status", "diff", "history", "audit", "erase", "verify", "export", "model"] {
                XCTAssertTrue(script.contains(command), "\(shell) completion lacks \(command)")
            }
        }
    }
}
