import Foundation
import XCTest

/// Branches, tags, checkout and models; a model name works wherever a revision does.
final class RefsAndModelsTests: XCTestCase {
    func testBranchesTagsModelsAndRevisions() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(20))
        try box.write("v2.jsonl", Sandbox.dataset(20, relabelEvery: 2))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("model", "register", "clf-v1", "HEAD", "--meta", "run=r1", "--meta", "auc=0.91")
        try box.ok("checkout", "-b", "relabel")
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        try box.ok("model", "register", "clf-v2", "relabel")
        try box.ok("tag", "release-1", "clf-v1", "-m", "first release")

        let models = try JSONSerialization.jsonObject(with: Data(try box.ok("model", "list", "--json").stdout.utf8)) as! [[String: Any]]
        XCTAssertEqual(models.map { $0["name"] as! String }, ["clf-v1", "clf-v2"])
        XCTAssertEqual(models[0]["meta"] as? [String: String], ["run": "r1", "auc": "0.91"])
        XCTAssertEqual(models[0]["registeredBy"] as? String, "Ana Annotator <ana@example.org>")

        // git sees models as annotated tags pointing at the dataset commits.
        let v1Commit = try box.git("rev-parse", "main").stdout
        XCTAssertEqual(try box.git("rev-parse", "refs/models/clf-v1^{commit}").stdout, v1Commit)
        XCTAssertEqual(try box.git("cat-file", "-t", "refs/models/clf-v1").stdout, "tag\n")
        XCTAssertTrue(try box.git("cat-file", "-p", "refs/models/clf-v1").stdout.contains("run: r1"))

        // A model name as a revision.
        try box.ok("export", "clf-v1", "--out", "m1.jsonl")
        XCTAssertEqual(try box.read("m1.jsonl"), try box.read("v1.jsonl"))
        XCTAssertTrue(try box.ok("log", "clf-v2", "-n", "1").stdout.contains("v2"))
        XCTAssertTrue(try box.ok("show", "release-1").stdout.contains("v1"))

        let branches = try box.ok("branch").stdout
        XCTAssertTrue(branches.contains("* relabel") && branches.contains("  main"), branches)
        XCTAssertEqual(try box.ok("tag").stdout.hasPrefix("release-1"), true)

        // Registrations never move; deleting the current branch is refused.
        let again = try box.trail(["model", "register", "clf-v1", "HEAD"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("already registered"), again.stderr)
        XCTAssertEqual(try box.trail(["branch", "-d", "relabel"]).status, 1)
        try box.ok("checkout", "main")
        try box.ok("branch", "-d", "relabel")
        XCTAssertEqual(try box.trail(["show", "relabel"]).status, 1)
        XCTAssertEqual(try box.ok("show", "clf-v2", "--json").status, 0, "the model keeps its data after the branch is gone")
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)
    }

    func testAmbiguousNameIsRejected() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(3))
        try box.write("v2.jsonl", Sandbox.dataset(4))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        try box.ok("tag", "x")
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        try box.ok("model", "register", "x", "HEAD")
        let result = try box.trail(["show", "x"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("ambiguous"), result.stderr)
        XCTAssertEqual(try box.trail(["show", "models/x"]).status, 0)
    }

    func testHelpExitCodesAndMissingStore() throws {
        let box = try Sandbox()
        let help = try box.ok("--help")
        XCTAssertTrue(help.stdout.contains("trail commit --patch"), help.stdout)
        XCTAssertTrue(try box.ok("commit", "--help").stdout.contains("Examples:"))
        XCTAssertEqual(try box.trail(["log", "--bogus"]).status, 2)
        let missing = try box.trail(["log"])
        XCTAssertEqual(missing.status, 3)
        XCTAssertTrue(missing.stderr.contains("trail init"), missing.stderr)
        try box.ok("init")
        let again = try box.trail(["init"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(try box.ok("log").stdout.contains("No commits yet"))
        // TRAIL_STORE and --store name a store elsewhere.
        try box.write("d.jsonl", Sandbox.dataset(2))
        try box.ok("init", "--store", "other")
        try box.ok("commit", "d.jsonl", "-m", "x", "--store", "other")
        box.environment["TRAIL_STORE"] = box.root.appendingPathComponent("other").path
        XCTAssertTrue(try box.ok("log").stdout.contains("Samples: 2"))
    }
}
