import Foundation
import XCTest

/// Every command's `--help` against its golden in Goldens/help/, and docs/cli.md's help blocks against
/// the goldens, so neither can go stale. `scripts/update-help.sh` rewrites both from the binary.
final class HelpGoldenTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let goldens = packageRoot.appendingPathComponent("Tests/TrailEndToEndTests/Goldens/help")
    static let fix = "run scripts/update-help.sh and commit what it changes"

    /// A command's golden: `model register` is Goldens/help/trail-model-register.txt.
    static func goldenName(_ words: [String]) -> String { (["trail"] + words).joined(separator: "-") + ".txt" }

    static func goldenNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: goldens.path).filter { $0.hasSuffix(".txt") }.sorted()
    }

    /// `trail WORDS --help` at the width the goldens are written at.
    static func help(_ words: [String], in box: Sandbox) throws -> String {
        box.environment["COLUMNS"] = "100"  // as in scripts/update-help.sh
        box.environment["LINES"] = nil
        let result = try box.trail(words + ["--help"])
        XCTAssertEqual(result.status, 0, "trail \(words.joined(separator: " ")) --help: \(result.stderr)")
        return result.stdout
    }

    /// The subcommands a help text lists under SUBCOMMANDS.
    static func subcommands(_ help: String) -> [String] {
        var inSection = false, names: [String] = []
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "SUBCOMMANDS:" { inSection = true; continue }
            if line.first?.isUppercase == true { inSection = false }
            if inSection, line.hasPrefix("  "), let first = line.dropFirst(2).first, first.isLowercase {
                names.append(String(line.dropFirst(2).prefix { $0 != " " }))
            }
        }
        return names
    }

    /// Where two texts first differ, as "line N: the binary has …, the golden has …", or nil when equal.
    static func firstDifference(_ actual: String, _ expected: String, _ names: (String, String) = ("the binary", "the golden")) -> String? {
        guard actual != expected else { return nil }
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let n = zip(a, e).prefix { $0 == $1 }.count
        let show = { (lines: [Substring]) in n < lines.count ? "\"\(lines[n])\"" : "(end)" }
        return "line \(n + 1): \(names.0) has \(show(a)), \(names.1) has \(show(e))"
    }

    /// Every command trail lists, group by group, with its help: `[]` is `trail` itself (walked once).
    static func commands(in box: Sandbox) throws -> [(words: [String], help: String)] {
        if let walked { return walked }
        var found: [(words: [String], help: String)] = [], queue: [[String]] = [[]]
        while !queue.isEmpty {
            let words = queue.removeFirst()
            let help = try help(words, in: box)
            found.append((words, help))
            queue += subcommands(help).map { words + [$0] }
        }
        walked = found
        return found
    }
    private static var walked: [(words: [String], help: String)]?

    func testEveryHelpMatchesItsGolden() throws {
        let box = try Sandbox()
        for (words, help) in try Self.commands(in: box) {
            let name = Self.goldenName(words)
            let command = (["trail"] + words).joined(separator: " ")
            guard let golden = try? String(contentsOf: Self.goldens.appendingPathComponent(name), encoding: .utf8) else {
                XCTFail("`\(command)` has no golden Goldens/help/\(name); \(Self.fix)")
                continue
            }
            if let difference = Self.firstDifference(help, golden) {
                XCTFail("`\(command) --help` differs from Goldens/help/\(name) (\(difference)); \(Self.fix)")
            }
        }
    }

    func testEveryCommandHasAGoldenAndNoGoldenIsLeftOver() throws {
        let commands = try Self.commands(in: try Sandbox())
        XCTAssertGreaterThan(commands.count, 20, "the SUBCOMMANDS sections were not found")
        XCTAssertEqual(try Self.goldenNames(), commands.map { Self.goldenName($0.words) }.sorted(),
                       "the goldens are not one per command trail lists; \(Self.fix)")
    }

    func testCliDocHelpBlocksMatchTheGoldens() throws {
        let doc = try String(contentsOf: Self.packageRoot.appendingPathComponent("docs/cli.md"), encoding: .utf8)
        let lines = doc.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [String: String] = [:]
        for (i, line) in lines.enumerated() where line.hasPrefix("<!-- help: trail") && line.hasSuffix(" -->") {
            let command = String(line.dropFirst("<!-- help: ".count).dropLast(" -->".count))
            XCTAssertEqual(lines[safe: i + 1], "```", "docs/cli.md:\(i + 1): no fence after the marker of \(command)")
            guard i + 2 <= lines.count, let end = lines[(i + 2)...].firstIndex(of: "```") else {
                XCTFail("docs/cli.md:\(i + 1): the help block of \(command) has no closing fence")
                continue
            }
            XCTAssertNil(blocks[command], "docs/cli.md has two help blocks for \(command)")
            blocks[command] = lines[(i + 2)..<end].joined(separator: "\n")
        }
        for (words, _) in try Self.commands(in: try Sandbox()) {
            let name = Self.goldenName(words)
            let command = (["trail"] + words).joined(separator: " ")
            guard let golden = try? String(contentsOf: Self.goldens.appendingPathComponent(name), encoding: .utf8) else {
                XCTFail("`\(command)` has no golden Goldens/help/\(name); \(Self.fix)")
                continue
            }
            var expected = Substring(golden)
            while expected.last == "\n" { expected = expected.dropLast() }
            guard let block = blocks.removeValue(forKey: command) else {
                XCTFail("docs/cli.md has no help block for `\(command)` (a `<!-- help: \(command) -->` line before a fence); add one under its heading and \(Self.fix)")
                continue
            }
            if let difference = Self.firstDifference(block, String(expected), ("docs/cli.md", "the golden")) {
                XCTFail("docs/cli.md's help block for `\(command)` differs from Goldens/help/\(name) (\(difference)); \(Self.fix)")
            }
        }
        XCTAssertEqual(Array(blocks.keys), [], "docs/cli.md has help blocks for commands trail does not list")
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
