import Foundation
import XCTest

/// Judgments as a user meets them: `trail init --judgments-field`, `audit agreement` (text,
/// JSON keys, HTML rendered by Chromium), `history`, `audit annotator`, `diff`'s agreement
/// section, the index's judgments table under `verify` and `reindex` (checked with the sqlite3
/// CLI), patches and merges of judgments, and stores without judgments left exactly as before.
final class JudgmentsTests: XCTestCase {
    /// One sample with judgments as a JSON line: `judged` are (annotator, label, guideline).
    static func line(_ id: String, _ label: String, _ judged: [(String, String?, String)], field: String = "judgments") -> String {
        let judgments = judged.map { a, l, g in
            "{\"annotator\":\"\(a)\",\"at\":\"2026-01-0\(judged.count)T00:00:00Z\",\"guideline\":\"\(g)\",\"label\":\(l.map { "\"\($0)\"" } ?? "null")}"
        }
        return "{\"annotator\":\"lead\",\"guideline\":\"v1\",\"id\":\"\(id)\",\"\(field)\":[\(judgments.joined(separator: ","))],\"label\":\"\(label)\",\"text\":\"text of \(id)\"}"
    }

    /// Five samples: three judged by ann_a, ann_b and ann_c (ann_c flags safe as spam), one with a
    /// single judgment, one with none.
    static let v1 = [
        line("s1", "safe", [("ann_a", "safe", "v1"), ("ann_b", "safe", "v1"), ("ann_c", "spam", "v1")]),
        line("s2", "spam", [("ann_a", "spam", "v1"), ("ann_b", "spam", "v1"), ("ann_c", "spam", "v1")]),
        line("s3", "safe", [("ann_a", "safe", "v1"), ("ann_b", "spam", "v1"), ("ann_c", "spam", "v1")]),
        line("s4", "spam", [("ann_a", "spam", "v1")]),
        #"{"annotator":"lead","guideline":"v1","id":"s5","label":"safe","text":"text of s5"}"#,
    ].joined(separator: "\n") + "\n"

    func makeStore(field: String? = nil) throws -> Sandbox {
        let box = try Sandbox()
        try box.write("v1.jsonl", field.map { f in Self.v1.replacingOccurrences(of: "\"judgments\":", with: "\"\(f)\":") } ?? Self.v1)
        if let field { try box.ok("init", "--judgments-field", field) } else { try box.ok("init") }
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        return box
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testAuditAgreementReportsTheIssuesKeys() throws {
        let box = try makeStore()
        let report = try json(try box.ok("audit", "agreement", "--json").stdout)
        for key in ["krippendorff_alpha", "fleiss_kappa", "samples", "judgments", "annotators", "by_guideline", "by_label", "pairs"] {
            XCTAssertNotNil(report[key], "no \(key) in \(report.keys.sorted())")
        }
        XCTAssertEqual(report["samples"] as? Int, 3, "s4's single judgment and s5 are left out")
        XCTAssertEqual(report["judgments"] as? Int, 10)
        XCTAssertEqual(report["single_judgment_samples"] as? Int, 1)
        // Three judgments each: Fleiss' kappa is defined. Units {safe,safe,spam}, {spam×3}, {safe,spam,spam}:
        // alpha = 1 − (n−1)·D_o/D_e with n = 9, o(safe,spam) = 2·(2·1)/2 = 2 each way, n_safe = 3, n_spam = 6.
        let alpha = 1 - 8.0 * 4 / (2 * 3 * 6)
        XCTAssertEqual(try XCTUnwrap(report["krippendorff_alpha"] as? Double), alpha, accuracy: 1e-9)
        XCTAssertNotNil(report["fleiss_kappa"] as? Double)
        let annotators = try XCTUnwrap(report["annotators"] as? [[String: Any]])
        XCTAssertEqual(annotators.map { $0["annotator"] as? String }, ["ann_a", "ann_b", "ann_c"])
        for a in annotators {
            for key in ["annotator", "judgments", "agreement_with_label", "cohen_kappa", "most_differed"] { XCTAssertTrue(a.keys.contains(key), "\(key) in \(a)") }
        }
        XCTAssertEqual(annotators[0]["agreement_with_label"] as? Double, 1)
        XCTAssertEqual(annotators[2]["agreement_with_label"] as? Double, 1.0 / 3)
        let differed = try XCTUnwrap(annotators[2]["most_differed"] as? [[String: Any]])
        XCTAssertEqual(differed.first?["from"] as? String, "safe")
        XCTAssertEqual(differed.first?["to"] as? String, "spam")
        XCTAssertEqual(differed.first?["count"] as? Int, 2)
        let byGuideline = try XCTUnwrap(report["by_guideline"] as? [[String: Any]])
        XCTAssertEqual(byGuideline.first?["guideline"] as? String, "v1")
        XCTAssertEqual(byGuideline.first?["samples"] as? Int, 3)
        XCTAssertTrue(byGuideline.first?.keys.contains("krippendorff_alpha") ?? false)

        let text = try box.ok("audit", "agreement").stdout
        XCTAssertTrue(text.contains("Krippendorff's alpha \(String(format: "%.3f", alpha))"), text)
        XCTAssertTrue(text.contains("ann_c  3 judgments  33.3%"), text)
        XCTAssertTrue(text.contains("most differ: safe → spam 2"), text)
    }

    func testUnevenJudgmentsGiveFleissNullAndOtherJudgmentsField() throws {
        let box = try makeStore(field: "votes")
        try box.write("v2.jsonl", Self.line("s2", "spam", [("ann_a", "spam", "v2"), ("ann_b", "spam", "v2")], field: "votes") + "\n"
                      + Self.line("s4", "spam", [("ann_a", "spam", "v1"), ("ann_d", nil, "v1")], field: "votes") + "\n")
        try box.ok("commit", "--patch", "v2.jsonl", "-m", "v2")
        let report = try json(try box.ok("audit", "agreement", "--json").stdout)
        XCTAssertTrue(report["fleiss_kappa"] is NSNull, "s2 has 2 judgments, s1 and s3 have 3: \(report)")
        XCTAssertEqual(report["samples"] as? Int, 3)
        XCTAssertEqual(report["missing_judgments"] as? Int, 1, "ann_d gave no label")
        XCTAssertEqual((report["by_guideline"] as? [[String: Any]])?.map { $0["guideline"] as? String }, ["v1", "v2"])
        // The configuration names the field; the default name means nothing in this store.
        let config = try box.git("cat-file", "-p", "HEAD:dataset.json").stdout
        XCTAssertTrue(config.contains("\"judgmentsField\":\"votes\""), config)
        // At the first version, as it was.
        XCTAssertEqual(try json(try box.ok("audit", "agreement", "HEAD~1", "--json").stdout)["samples"] as? Int, 3)
    }

    func testStoresWithoutJudgmentsAreAsBefore() throws {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(20))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        XCTAssertFalse(try box.git("cat-file", "-p", "HEAD:dataset.json").stdout.contains("judgments"), "dataset.json as before judgments existed")
        try box.write("v2.jsonl", Sandbox.dataset(20, relabelEvery: 3))
        try box.ok("commit", "v2.jsonl", "-m", "v2")
        let diff = try box.ok("diff", "HEAD~1", "HEAD", "--json").stdout
        XCTAssertFalse(diff.contains("agreement"), "no agreement section without judgments")
        XCTAssertFalse(try box.ok("diff", "HEAD~1", "HEAD").stdout.contains("Agreement"))
        XCTAssertFalse(try box.ok("history", "s00003", "--json").stdout.contains("judgments"))
        XCTAssertTrue(try box.ok("audit", "agreement").stdout.contains("No judgments in HEAD"))
        XCTAssertEqual(try json(try box.ok("audit", "agreement", "--json").stdout)["samples"] as? Int, 0)
    }

    func testIndexVerifyAndReindexCoverJudgments() throws {
        let box = try makeStore()
        // s1 adjudicated (a fourth judgment) and relabeled; s3 relabeled with its judgments as they were.
        try box.write("v2.jsonl", Self.line("s1", "spam", [("ann_a", "safe", "v1"), ("ann_b", "safe", "v1"), ("ann_c", "spam", "v1"), ("adj", "spam", "v2")]) + "\n"
                      + Self.v1.split(separator: "\n")[2].replacingOccurrences(of: "\"label\":\"safe\",\"text\"", with: "\"label\":\"spam\",\"text\"") + "\n")
        try box.ok("commit", "--patch", "v2.jsonl", "-m", "v2")
        func query(_ sql: String) throws -> String { try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite", sql]).stdout }
        XCTAssertEqual(try query("SELECT m.subject, COUNT(*) FROM judgments j JOIN commits m ON m.seq = j.seq GROUP BY m.subject ORDER BY 1"), "v1|10\nv2|4\n")
        XCTAssertEqual(try query("SELECT sample_id, position, annotator, label, guideline FROM judgments WHERE annotator = 'adj'"), "s1|3|adj|spam|v2\n")
        let before = try query("SELECT * FROM judgments ORDER BY seq, sample_id, position")
        XCTAssertEqual(try box.trail(["verify"]).status, 0)
        let reindexed = try box.ok("reindex")
        XCTAssertTrue(reindexed.stdout.contains(", 14 judgments ("), reindexed.stdout)
        XCTAssertEqual(try json(try box.ok("reindex", "--json").stdout)["judgments"] as? Int, 14)
        XCTAssertEqual(try query("SELECT * FROM judgments ORDER BY seq, sample_id, position"), before, "reindex gives the same rows")
        // A row that git does not give is found.
        _ = try query("UPDATE judgments SET label = 'forged' WHERE annotator = 'adj'")
        let verify = try box.trail(["verify"])
        XCTAssertNotEqual(verify.status, 0)
        XCTAssertTrue(verify.stdout.contains("judgments:") || verify.stderr.contains("judgments:"), verify.stdout + verify.stderr)
        try box.ok("reindex")
        XCTAssertEqual(try box.trail(["verify"]).status, 0)
    }

    func testHistoryAnnotatorAndDiffShowJudgments() throws {
        let box = try makeStore()
        try box.write("v2.jsonl", Self.line("s3", "spam", [("ann_a", "safe", "v1"), ("ann_b", "spam", "v1"), ("ann_c", "spam", "v1"), ("adj", "spam", "v2")]) + "\n")
        try box.ok("commit", "--patch", "v2.jsonl", "-m", "adjudicate s3")
        let history = try box.ok("history", "s3").stdout
        XCTAssertTrue(history.contains("judgments: 3") && history.contains("judgments: 4"), history)
        XCTAssertTrue(history.contains("adj  spam  v2"), history)
        let versions = try XCTUnwrap(try json(try box.ok("history", "s3", "--json").stdout)["versions"] as? [[String: Any]])
        XCTAssertEqual(versions.map { ($0["judgments"] as? [Any])?.count }, [3, 4])

        let annotator = try json(try box.ok("audit", "annotator", "ann_c", "--json").stdout)
        let judgments = try XCTUnwrap(annotator["judgments"] as? [String: Any])
        XCTAssertEqual(judgments["labels"] as? [String], ["safe", "spam"])
        XCTAssertEqual(judgments["confusion"] as? [[Int]], [[0, 1], [0, 2]], "final safe judged spam once (s1); s3 is spam now")
        XCTAssertEqual((judgments["by_guideline"] as? [[String: Any]])?.first?["guideline"] as? String, "v1")
        XCTAssertEqual((judgments["by_guideline"] as? [[String: Any]])?.first?["judgments"] as? Int, 3)
        // The counts kept at commit (moved from the parent's by the patch) equal a count from scratch.
        let cached = try box.ok("audit", "annotator", "ann_c", "--json").stdout
        _ = try box.run("/usr/bin/env", ["sqlite3", box.store + "/index.sqlite", "DELETE FROM agreement_tallies"])
        XCTAssertEqual(try box.ok("audit", "annotator", "ann_c", "--json").stdout, cached)
        XCTAssertTrue(try box.ok("audit", "annotator", "ann_c").stdout.contains("safe → spam  1"))
        // An annotator who only judged (never set a final label) has an audit too.
        XCTAssertEqual(try box.trail(["audit", "annotator", "ann_b"]).status, 0)
        XCTAssertNotEqual(try box.trail(["audit", "annotator", "nobody"]).status, 0)

        let diff = try json(try box.ok("diff", "HEAD~1", "HEAD", "--json").stdout)
        let agreement = try XCTUnwrap(diff["agreement"] as? [String: Any])
        let before = try XCTUnwrap(agreement["before"] as? [String: Any]), after = try XCTUnwrap(agreement["after"] as? [String: Any])
        XCTAssertTrue(before.keys.contains("krippendorff_alpha") && after.keys.contains("by_guideline"))
        let moved = try XCTUnwrap(agreement["annotators"] as? [[String: Any]])
        // s3 became spam: ann_b and ann_c gain a third (2/3 → 1, 1/3 → 2/3), ann_a loses a quarter (4/4 → 3/4).
        XCTAssertEqual(Set(moved.prefix(2).compactMap { $0["annotator"] as? String }), ["ann_b", "ann_c"])
        for m in moved.prefix(2) { XCTAssertEqual(try XCTUnwrap(m["change"] as? Double), 1.0 / 3, accuracy: 1e-9) }
        XCTAssertEqual(moved[2]["annotator"] as? String, "ann_a")
        XCTAssertEqual(try XCTUnwrap(moved[2]["change"] as? Double), -0.25, accuracy: 1e-9)
        let text = try box.ok("diff", "HEAD~1", "HEAD").stdout
        XCTAssertTrue(text.contains("Agreement (Krippendorff's alpha): HEAD~1") && text.contains("ann_c  33.3% → 66.7%"), text)
    }

    func testMergeTakesJudgmentsFromEitherSide() throws {
        let box = try makeStore()
        try box.ok("branch", "review")
        try box.write("main.jsonl", Self.line("s4", "spam", [("ann_a", "spam", "v1"), ("ann_b", "spam", "v1")]) + "\n")
        try box.ok("commit", "--patch", "main.jsonl", "-m", "second judgment of s4")
        try box.ok("checkout", "review")
        try box.write("review.jsonl", Self.line("s1", "spam", [("ann_a", "safe", "v1"), ("ann_b", "safe", "v1"), ("ann_c", "spam", "v1"), ("adj", "spam", "v2")]) + "\n")
        try box.ok("commit", "--patch", "review.jsonl", "-m", "adjudicate s1")
        try box.ok("checkout", "main")
        try box.ok("merge", "review", "-m", "Merge review")
        let report = try json(try box.ok("audit", "agreement", "--json").stdout)
        XCTAssertEqual(report["samples"] as? Int, 4, "s4's second judgment from main, s1's fourth from review")
        XCTAssertEqual(report["judgments"] as? Int, 12)
        // Both sides changing one sample's judgments differently is a conflict, as for any field.
        try box.ok("checkout", "review")
        try box.write("r2.jsonl", Self.line("s2", "spam", [("ann_a", "spam", "v1")]) + "\n")
        try box.ok("commit", "--patch", "r2.jsonl", "-m", "review s2")
        try box.ok("checkout", "main")
        try box.write("m2.jsonl", Self.line("s2", "spam", [("ann_b", "spam", "v1")]) + "\n")
        try box.ok("commit", "--patch", "m2.jsonl", "-m", "main s2")
        let conflicts = try box.trail(["merge", "review", "--json"])
        XCTAssertEqual(conflicts.status, 1)
        XCTAssertTrue(conflicts.stdout.contains("\"id\" : \"s2\""), conflicts.stdout)
        XCTAssertEqual(try box.trail(["verify"]).status, 0)
    }

    func testAgreementPageRendersInChromium() throws {
        let box = try makeStore()
        try box.write("v2.jsonl", Self.line("s<&>", "spam", [("\\\"><script>throw new Error('x')</script>", "spam", "v <2>"), ("ann_b", "safe", "v <2>")]) + "\n")
        try box.ok("commit", "--patch", "v2.jsonl", "-m", "hostile names")
        let result = try box.ok("audit", "agreement", "--html", "agreement.html")
        XCTAssertEqual(result.stdout, "Wrote report to agreement.html\n")
        let html = try box.read("agreement.html")
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertFalse(html.contains("<script>throw"), "names are escaped")
        for part in ["Krippendorff", "Annotator \u{00d7} final label", "Alpha by guideline version over commits", "ann_c", "v &lt;2&gt;"] {
            XCTAssertTrue(html.contains(part), "the page lacks \(part)")
        }
        XCTAssertEqual(html.components(separatedBy: "<script").count - 1, 1, "one script, the page's own")
        let browser = try Browser.find()
        let png = box.root.appendingPathComponent("agreement.png")
        let render = try browser.render(box.root.appendingPathComponent("agreement.html"), screenshot: png, in: box.root)
        XCTAssertEqual(render.problems, [], "the browser reported problems")
        XCTAssertGreaterThan((try? FileManager.default.attributesOfItem(atPath: png.path)[.size] as? Int) ?? 0, 40_000, "the screenshot is nearly blank")

        // The diff's page and the annotator's page carry their agreement sections.
        try box.ok("diff", "HEAD~1", "HEAD", "--html", "diff.html")
        try box.ok("audit", "annotator", "ann_b", "--html", "annotator.html")
        let diffPage = try box.read("diff.html"), annotatorPage = try box.read("annotator.html")
        for part in ["Annotator agreement", "Alpha in HEAD~1", "Alpha in HEAD", "v &lt;2&gt;", "ann_b"] {
            XCTAssertTrue(diffPage.contains(part), "the diff page lacks \(part)")
        }
        for part in ["Their judgments against the final labels", "Final label \u{00d7} their judgment", "Agreement with label", "v &lt;2&gt;"] {
            XCTAssertTrue(annotatorPage.contains(part), "the annotator page lacks \(part)")
        }
        for page in [diffPage, annotatorPage] { XCTAssertFalse(page.contains("<script>throw"), "names are escaped") }
        for name in ["diff", "annotator"] {
            let shot = box.root.appendingPathComponent("\(name).png")
            let rendered = try browser.render(box.root.appendingPathComponent("\(name).html"), screenshot: shot, in: box.root)
            XCTAssertEqual(rendered.problems, [], "the browser reported problems on the \(name) page")
        }
        // A store without judgments has neither section.
        let plain = try Sandbox()
        try plain.write("v1.jsonl", Sandbox.dataset(20))
        try plain.write("v2.jsonl", Sandbox.dataset(20, relabelEvery: 3))
        try plain.ok("init")
        try plain.ok("commit", "v1.jsonl", "-m", "v1")
        try plain.ok("commit", "v2.jsonl", "-m", "v2")
        try plain.ok("diff", "HEAD~1", "HEAD", "--html", "diff.html")
        XCTAssertFalse(try plain.read("diff.html").contains("Annotator agreement"))
    }
}
