import Foundation
import XCTest

/// Predictions stored with models (`model register --predictions`, `model predictions`) and
/// `trail eval`: every metric checked against scikit-learn on the same pairs, flips after a
/// relabel against counts worked out by hand, missing and erased samples, two models, CSV, bad
/// rows refused with the store unchanged, predictions that travel through push, clone and pull,
/// a hostile predictions ref refused by the quarantine, and the HTML page in Chromium.
final class EvalTests: XCTestCase {
    static let labels = ["safe", "safe", "safe", "harassment", "spam", "minor_safety.dangerous_acts", "self_harm"]

    /// The label `Sandbox.dataset` gives sample `i`.
    static func truth(_ i: Int) -> String { labels[i % labels.count] }

    static func id(_ i: Int) -> String { "s\(String(format: "%05d", i))" }

    /// A prediction that is wrong for sample `i`: `wrong`, unless that is its label.
    static func wrong(_ i: Int, _ wrong: String, else other: String) -> String { truth(i) == wrong ? other : wrong }

    /// Model 1: right except every 10th sample (then "spam", or "safe" where the label is spam).
    static func model1(_ i: Int) -> String { i % 10 == 0 ? wrong(i, "spam", else: "safe") : truth(i) }
    /// Model 2: right except every 15th sample (then "self_harm", or "safe").
    static func model2(_ i: Int) -> String { i % 15 == 0 ? wrong(i, "self_harm", else: "safe") : truth(i) }

    /// JSON Lines predictions for samples `ids` (in an order other than the stored one).
    static func predictions(_ ids: [Int], _ model: (Int) -> String, extra: [String] = []) -> String {
        (ids.reversed().map { i in #"{"score": 0.\#(50 + i % 49), "label": "\#(model(i))", "id": "\#(id(i))"}"# } + extra).joined(separator: "\n") + "\n"
    }

    /// A store with the 300 samples of `Sandbox.dataset` committed and model m1 registered on
    /// them with model 1's predictions.
    private func makeStore() throws -> Sandbox {
        let box = try Sandbox()
        try box.write("v1.jsonl", Sandbox.dataset(300))
        try box.write("m1.jsonl", Self.predictions(Array(0..<300), Self.model1))
        try box.ok("init")
        try box.ok("commit", "v1.jsonl", "-m", "v1")
        let registered = try box.ok("model", "register", "m1", "HEAD", "--predictions", "m1.jsonl")
        XCTAssertTrue(registered.stdout.contains("Stored 300 predictions of m1 from m1.jsonl"), registered.stdout)
        XCTAssertTrue(registered.stdout.contains("accuracy 90.0%"), registered.stdout)
        return box
    }

    private func json(_ result: Sandbox.Result) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
    }

    // MARK: - Metrics against scikit-learn

    func testEvalMatchesScikitLearnAndTheStoreHoldsCanonicalPredictions() throws {
        let box = try makeStore()
        // The store, through git alone: a commit of exactly two files, rows canonical and sorted by id.
        XCTAssertEqual(try box.git("for-each-ref", "--format=%(objecttype) %(refname)", "refs/predictions").stdout, "commit refs/predictions/m1\n")
        XCTAssertEqual(try box.git("ls-tree", "--name-only", "refs/predictions/m1").stdout, "predictions.json\npredictions.jsonl\n")
        let rows = try box.git("cat-file", "-p", "refs/predictions/m1:predictions.jsonl").stdout.split(separator: "\n")
        XCTAssertEqual(rows.count, 300)
        XCTAssertEqual(rows.first, #"{"id":"s00000","label":"spam","score":0.50}"#)
        XCTAssertEqual(rows, rows.sorted(), "rows sorted by id")
        let info = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try box.git("cat-file", "-p", "refs/predictions/m1:predictions.json").stdout.utf8)) as? [String: Any])
        XCTAssertEqual(info["model"] as? String, "m1")
        XCTAssertEqual(info["count"] as? Int, 300)
        XCTAssertEqual(info["source"] as? String, "m1.jsonl")
        XCTAssertEqual(info["registration"] as? String, try box.git("rev-parse", "refs/models/m1").stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(try box.git("fsck", "--strict").status, 0)

        // Some labels the dataset never uses, predicted for a few samples, and a weak label.
        var preds = (0..<300).map { i -> String in
            if i % 37 == 0 { return "hate_speech" }
            if i % 7 == 5 && i % 3 == 0 { return "safe" }
            return Self.model1(i)
        }
        preds[8] = "self_harm"
        try box.write("m2.jsonl", (0..<300).map { #"{"id":"\#(Self.id($0))","label":"\#(preds[$0])"}"# }.joined(separator: "\n") + "\n")
        try box.ok("model", "register", "m2", "HEAD", "--predictions", "m2.jsonl")
        let result = try json(try box.ok("eval", "m2", "--json"))
        for key in ["model", "labels", "samples", "missing", "accuracy", "macro_f1", "per_label", "confusion", "kappa", "labels_commit", "field"] {
            XCTAssertNotNil(result[key], "eval --json has \(key)")
        }
        XCTAssertEqual(result["model"] as? String, "m2")
        XCTAssertEqual(result["labels"] as? String, "HEAD")
        XCTAssertEqual(result["samples"] as? Int, 300)
        XCTAssertEqual(result["missing"] as? Int, 0)

        let reference = try scikitLearn(box, truth: (0..<300).map(Self.truth), predicted: preds)
        let accuracy = try XCTUnwrap(result["accuracy"] as? Double)
        XCTAssertEqual(accuracy, try XCTUnwrap(reference["accuracy"] as? Double), accuracy: 1e-12)
        for (mine, theirs) in [("macro_f1", "macro_f1"), ("macro_precision", "macro_precision"), ("macro_recall", "macro_recall"), ("kappa", "kappa")] {
            XCTAssertEqual(try XCTUnwrap(result[mine] as? Double), try XCTUnwrap(reference[theirs] as? Double), accuracy: 1e-12, mine)
        }
        let labels = try XCTUnwrap(reference["labels"] as? [String])
        let perLabel = try XCTUnwrap(result["per_label"] as? [[String: Any]])
        XCTAssertEqual(Set(perLabel.compactMap { $0["label"] as? String }), Set(labels), "the labels scikit-learn scores")
        for row in perLabel {
            let label = try XCTUnwrap(row["label"] as? String)
            let k = try XCTUnwrap(labels.firstIndex(of: label))
            for field in ["precision", "recall", "f1"] {
                XCTAssertEqual(try XCTUnwrap(row[field] as? Double), try XCTUnwrap((reference[field] as? [Double])?[k]), accuracy: 1e-12, "\(field) of \(label)")
            }
            XCTAssertEqual(row["support"] as? Int, (reference["support"] as? [Int])?[k], "support of \(label)")
        }
        // The confusion matrix, in scikit-learn's label order.
        let confusion = try XCTUnwrap(result["confusion"] as? [String: Any])
        let order = try XCTUnwrap(confusion["labels"] as? [String]), counts = try XCTUnwrap(confusion["counts"] as? [[Int]])
        let expected = try XCTUnwrap(reference["confusion"] as? [[Int]])
        for (r, truth) in labels.enumerated() {
            for (c, predicted) in labels.enumerated() {
                XCTAssertEqual(counts[order.firstIndex(of: truth)!][order.firstIndex(of: predicted)!], expected[r][c], "\(truth) predicted as \(predicted)")
            }
        }
        // The text says the same.
        let text = try box.ok("eval", "m2").stdout
        XCTAssertTrue(text.contains("m2 on HEAD"), text)
        XCTAssertTrue(text.contains(String(format: "Accuracy   %.1f%%", accuracy * 100)), text)
        XCTAssertTrue(text.contains("hate_speech"), text)
        // The stored metrics are the same figures, on the model's own data.
        let audit = try json(try box.ok("audit", "model", "m2", "--json"))
        let stored = try XCTUnwrap((audit["predictions"] as? [String: Any])?["metrics"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(stored["accuracy"] as? Double), accuracy, accuracy: 1e-12)
        XCTAssertTrue(try box.ok("audit", "model", "m2").stdout.contains("Predictions: 300 stored (m2.jsonl"))
        let diff = try json(try box.ok("diff", "m1", "m2", "--json"))
        XCTAssertEqual(((diff["storedMetrics"] as? [String: Any])?["m1"] as? [String: Any])?["accuracy"] as? Double, 0.9)
        XCTAssertTrue(try box.ok("diff", "m1", "m2").stdout.contains("Model m1: on its own data"))
    }

    /// scikit-learn's figures for the pairs (truth, predicted), from the tests' Python.
    private func scikitLearn(_ box: Sandbox, truth: [String], predicted: [String]) throws -> [String: Any] {
        let python = try Self.pythonWithScikitLearn()
        let pairs = try JSONSerialization.data(withJSONObject: ["truth": truth, "predicted": predicted])
        try box.write("pairs.json", pairs)
        try box.write("reference.py", """
            import json, sys
            from sklearn.metrics import accuracy_score, cohen_kappa_score, confusion_matrix, f1_score, precision_recall_fscore_support
            d = json.load(open(sys.argv[1]))
            t, p = d["truth"], d["predicted"]
            labels = sorted(set(t) | set(p))
            pr, rc, f1, support = precision_recall_fscore_support(t, p, labels=labels, zero_division=0)
            macro = precision_recall_fscore_support(t, p, average="macro", zero_division=0)
            print(json.dumps({"accuracy": accuracy_score(t, p), "macro_f1": f1_score(t, p, average="macro", zero_division=0),
                              "macro_precision": macro[0], "macro_recall": macro[1], "kappa": cohen_kappa_score(t, p),
                              "labels": labels, "precision": list(pr), "recall": list(rc), "f1": list(f1), "support": [int(s) for s in support],
                              "confusion": confusion_matrix(t, p, labels=labels).tolist()}))
            """)
        let run = try box.run(python, [box.root.appendingPathComponent("reference.py").path, box.root.appendingPathComponent("pairs.json").path])
        XCTAssertEqual(run.status, 0, run.stderr)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
    }

    /// The tests' Python with scikit-learn: TRAIL_TEST_PYTHON, else `.venv-tests` (which
    /// `scripts/setup.sh --tests` makes), else python3; a failure that says what to install.
    static func pythonWithScikitLearn() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [ProcessInfo.processInfo.environment["TRAIL_TEST_PYTHON"], root.appendingPathComponent(".venv-tests/bin/python3").path,
                          "/usr/bin/python3"].compactMap { $0 }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: candidate)
            process.arguments = ["-c", "import sklearn"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus == 0 { return candidate }
        }
        throw MissingPrerequisite("scikit-learn is needed to check trail eval's metrics (looked in \(candidates.joined(separator: ", ")))",
                                  fix: "run scripts/setup.sh --tests (it installs scikit-learn into .venv-tests), or set TRAIL_TEST_PYTHON to a Python that has it")
    }

    // MARK: - Relabels, missing and erased samples, two models

    func testCompareAfterARelabelGroupsTheFlipsByAnnotatorAndGuideline() throws {
        let box = try makeStore()
        func row(_ i: Int, _ label: String, _ annotator: String, _ guideline: String) -> String {
            #"{"annotator":"\#(annotator)","confidence":0.\#(50 + i % 50),"guideline":"\#(guideline)","id":"\#(Self.id(i))","label":"\#(label)","severity":\#(i % 4),"text":"sample text number \#(i) with some words"}"#
        }
        // Model 1 is right on 1, 2, 3 and 4, wrong on 10 and 20 (it says "spam").
        try box.write("round.jsonl", [
            row(1, "harassment", "adj_a", "v3.2"),   // right → wrong
            row(2, "spam", "adj_a", "v3.2"),         // right → wrong
            row(3, "hate_speech", "adj_b", "v3.3"),  // right → wrong
            row(10, "spam", "adj_b", "v3.3"),        // wrong → right
            row(20, "safe", "adj_a", "v3.2"),        // wrong under both
            row(4, "spam", "adj_c", "v3.3"),         // the same label, another annotator: no relabel
        ].joined(separator: "\n") + "\n")
        try box.ok("commit", "--patch", "round.jsonl", "-m", "Adjudication")
        let result = try json(try box.ok("eval", "m1", "--labels", "m1", "--compare", "HEAD", "--json", "--samples"))
        XCTAssertEqual(result["relabeled"] as? Int, 5)
        let from = try XCTUnwrap(result["from"] as? [String: Any]), to = try XCTUnwrap(result["to"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(from["accuracy"] as? Double), 270.0 / 300, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(to["accuracy"] as? Double), 268.0 / 300, accuracy: 1e-12)
        XCTAssertEqual(from["labels"] as? String, "m1")
        XCTAssertEqual(to["labels"] as? String, "HEAD")
        let flipped = try XCTUnwrap(result["flipped"] as? [String: Any])
        XCTAssertEqual(flipped["right_to_wrong"] as? Int, 3)
        XCTAssertEqual(flipped["wrong_to_right"] as? Int, 1)
        let groups = try XCTUnwrap(flipped["groups"] as? [[String: Any]])
        XCTAssertEqual(groups.count, 2)
        XCTAssertEqual(groups.map { "\($0["annotator"]!) \($0["guideline"]!) \($0["right_to_wrong"]!) \($0["wrong_to_right"]!)" },
                       ["adj_a v3.2 2 0", "adj_b v3.3 1 1"])
        let samples = try XCTUnwrap(flipped["samples"] as? [[String: Any]])
        XCTAssertEqual(samples.map { "\($0["id"]!) \($0["direction"]!) \($0["before"]!)→\($0["after"]!)" },
                       ["s00001 right-to-wrong safe→harassment", "s00002 right-to-wrong safe→spam",
                        "s00003 right-to-wrong harassment→hate_speech", "s00010 wrong-to-right harassment→spam"])
        let text = try box.ok("eval", "m1", "--labels", "m1", "--compare", "HEAD").stdout
        XCTAssertTrue(text.contains("5 predicted samples were relabeled: 3 went right → wrong, 1 wrong → right, 1 wrong under both labels"), text)
        XCTAssertTrue(text.contains("adj_a under v3.2"), text)
        XCTAssertTrue(text.contains("-0.7 pt"), text)
        // Without --samples the JSON has the counts only.
        XCTAssertNil((try json(try box.ok("eval", "m1", "--labels", "m1", "--compare", "HEAD", "--json")))["flipped"].flatMap { ($0 as? [String: Any])?["samples"] })
    }

    func testMissingSamplesAreCountedAndErasedSamplesStillScored() throws {
        let box = try makeStore()
        try box.write("m3.jsonl", Self.predictions(Array(0..<300), Self.model1, extra: [#"{"id":"s99999","label":"safe"}"#, #"{"id":"ghost-1","label":"spam","score":1}"#]))
        try box.ok("model", "register", "m3", "HEAD", "--predictions", "m3.jsonl")
        var result = try json(try box.ok("eval", "m3", "--json"))
        XCTAssertEqual(result["predictions"] as? Int, 302)
        XCTAssertEqual(result["samples"] as? Int, 300)
        XCTAssertEqual(result["missing"] as? Int, 2)
        XCTAssertEqual(result["missing_samples"] as? [String], ["ghost-1", "s99999"])
        XCTAssertEqual(result["accuracy"] as? Double, 0.9, "missing samples are not scored")
        XCTAssertTrue(try box.ok("eval", "m3").stdout.contains("2 missing (not in HEAD: ghost-1, s99999)"))

        // Erasure keeps labels: in the model's data the erased samples are scored as before, and counted.
        try box.ok("erase", "s00005", "s00010", "--reason", "GDPR art. 17 #1")
        result = try json(try box.ok("eval", "m3", "--labels", "m3", "--json"))
        XCTAssertEqual(result["samples"] as? Int, 300)
        XCTAssertEqual(result["erased"] as? Int, 2)
        XCTAssertEqual(result["accuracy"] as? Double, 0.9)
        XCTAssertTrue(try box.ok("eval", "m3", "--labels", "m3").stdout.contains("2 of the scored samples were erased since"))
        // The erase commit took them out of HEAD: there they are missing (s00010 was a wrong prediction).
        result = try json(try box.ok("eval", "m3", "--json"))
        XCTAssertEqual(result["samples"] as? Int, 298)
        XCTAssertEqual(result["missing"] as? Int, 4)
        XCTAssertEqual(result["erased"] as? Int, 0)
        XCTAssertEqual(try XCTUnwrap(result["accuracy"] as? Double), 269.0 / 298, accuracy: 1e-12)
    }

    func testTwoModelsOnTheSameLabels() throws {
        let box = try makeStore()
        try box.write("m2.jsonl", Self.predictions(Array(0..<300), Self.model2))
        try box.ok("model", "register", "m2", "HEAD", "--predictions", "m2.jsonl")
        let result = try json(try box.ok("eval", "m1", "m2", "--json", "--samples"))
        // m1 is wrong on multiples of 10, m2 on multiples of 15.
        XCTAssertEqual(result["both"] as? Int, 300)
        XCTAssertEqual(result["both_wrong"] as? Int, 10)
        XCTAssertEqual(result["only_first_right"] as? Int, 10)
        XCTAssertEqual(result["only_second_right"] as? Int, 20)
        XCTAssertEqual(result["both_right"] as? Int, 260)
        let models = try XCTUnwrap(result["models"] as? [[String: Any]])
        XCTAssertEqual(models.map { $0["model"] as? String }, ["m1", "m2"])
        XCTAssertEqual(try XCTUnwrap(models[1]["accuracy"] as? Double), 280.0 / 300, accuracy: 1e-12)
        let samples = try XCTUnwrap(result["samples"] as? [[String: Any]])
        XCTAssertEqual(samples.count, 30)
        XCTAssertEqual(samples.first?["id"] as? String, "s00010")
        XCTAssertEqual(samples.first?["right"] as? String, "m2")
        XCTAssertTrue(try box.ok("eval", "m1", "m2").stdout.contains("only m1 right 10, only m2 right 20"))
        // One version or two models, not both.
        XCTAssertEqual(try box.trail(["eval", "m1", "m2", "--compare", "HEAD"]).status, 2)
        let none = try box.trail(["eval", "nope"])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("no model named 'nope'"), none.stderr)
    }

    func testCSVPredictionsAndReplacingThemKeepsTheirHistory() throws {
        let box = try makeStore()
        try box.ok("model", "register", "m4", "HEAD")
        let noPredictions = try box.trail(["eval", "m4"])
        XCTAssertEqual(noPredictions.status, 1)
        XCTAssertTrue(noPredictions.stderr.contains("has no stored predictions") && noPredictions.stderr.contains("trail model predictions m4 FILE"), noPredictions.stderr)
        let csv = "id,label,score\n" + (0..<300).map { "\(Self.id($0)),\(Self.model1($0)),\($0 % 2 == 0 ? "0.\(50 + $0 % 49)" : "")" }.joined(separator: "\n") + "\n"
        try box.write("m4.csv", csv)
        let stored = try box.ok("model", "predictions", "m4", "m4.csv").stdout
        XCTAssertTrue(stored.contains("Stored 300 predictions of m4 from m4.csv (label; 150 with a score)"), stored)
        XCTAssertEqual(try box.git("cat-file", "-p", "refs/predictions/m4:predictions.jsonl").stdout.split(separator: "\n").prefix(2),
                       [#"{"id":"s00000","label":"spam","score":0.50}"#, #"{"id":"s00001","label":"safe"}"#], "CSV scores stored as numbers")
        // The same predictions as JSON Lines give the same figures.
        var csvScores = try json(try box.ok("eval", "m4", "--json")), jsonlScores = try json(try box.ok("eval", "m1", "--json"))
        for key in ["model", "predictions_commit"] { csvScores[key] = nil; jsonlScores[key] = nil }
        XCTAssertEqual(NSDictionary(dictionary: csvScores), NSDictionary(dictionary: jsonlScores))

        // Again: nothing changes. Other predictions: a new commit, the old one its parent.
        XCTAssertTrue(try box.ok("model", "predictions", "m4", "m4.csv").stdout.contains("Nothing changed"))
        try box.write("m4b.jsonl", Self.predictions(Array(0..<150), Self.model2))
        let replaced = try box.ok("model", "predictions", "m4", "m4b.jsonl", "--json")
        let info = try json(replaced)
        XCTAssertEqual(info["count"] as? Int, 150)
        XCTAssertNotNil(info["previous"] as? String)
        XCTAssertEqual(try box.git("rev-list", "--count", "refs/predictions/m4").stdout, "2\n")
        XCTAssertEqual(try json(try box.ok("eval", "m4", "--json"))["predictions"] as? Int, 150)
        XCTAssertEqual((try json(try box.ok("audit", "model", "m4", "--json"))["predictions"] as? [String: Any])?["versions"] as? Int, 2)
        XCTAssertEqual(try box.trail(["verify"]).status, 0)
    }

    func testBadRowsAreRefusedWithTheirLineAndTheStoreIsUnchanged() throws {
        let box = try makeStore()
        let cases: [(String, String, String)] = [
            ("dup.jsonl", "{\"id\":\"s00001\",\"label\":\"safe\"}\n{\"id\":\"s00002\",\"label\":\"spam\"}\n{\"id\":\"s00001\",\"label\":\"spam\"}\n",
             "dup.jsonl:3: field 'id': duplicate id 's00001' (also on line 1)"),
            ("nolabel.jsonl", "{\"id\":\"s00001\",\"label\":\"safe\"}\n{\"id\":\"s00002\",\"score\":0.5}\n",
             "nolabel.jsonl:2: field 'label': the row has no predicted label"),
            ("score.jsonl", "{\"id\":\"s00001\",\"label\":\"safe\",\"score\":\"high\"}\n",
             "score.jsonl:1: field 'score': the score must be a number, not the string \"high\""),
            ("score.csv", "id,label,score\ns00001,safe,0.9\ns00002,spam,abc\n", "score.csv:3: field 'score': the score 'abc' is not a number"),
            ("extra.jsonl", "{\"id\":\"s00001\",\"label\":\"safe\",\"probability\":0.9}\n",
             "extra.jsonl:1: field 'probability': this field is not part of a prediction"),
            ("empty.jsonl", "{\"id\":\"s00001\",\"label\":\"\"}\n", "empty.jsonl:1: field 'label': the predicted label is empty"),
            ("broken.jsonl", "{\"id\":\"s00001\",\"label\":\"safe\"}\n{\"id\":\"s00002\",\n", "broken.jsonl:2:"),
        ]
        let before = try box.storeState()
        let files = try box.fileContents(".trail")
        for (name, text, expected) in cases {
            try box.write(name, text)
            for args in [["model", "register", "m9", "HEAD", "--predictions", name], ["model", "predictions", "m1", name]] {
                let result = try box.trail(args)
                XCTAssertEqual(result.status, 1, "\(args): \(result.stdout)")
                XCTAssertTrue(result.stderr.contains(expected), "\(args): expected '\(expected)' in \(result.stderr)")
                XCTAssertTrue(result.stderr.contains("hint: "), result.stderr)
            }
        }
        XCTAssertEqual(try box.storeState(), before, "refs and objects as they were")
        let after = try box.fileContents(".trail")
        XCTAssertEqual(Set(files.keys).union(after.keys).filter { files[$0] != after[$0] && $0 != "trail.lock" }.sorted(), [],
                       "every store file byte for byte as it was")
        XCTAssertEqual(try box.trail(["model", "list"]).stdout.contains("m9"), false, "nothing registered")
        // Ids need not be in the model's data; a model that does not exist is refused.
        try box.write("elsewhere.jsonl", "{\"id\":\"not-in-the-data\",\"label\":\"safe\"}\n")
        XCTAssertEqual(try box.trail(["model", "predictions", "nope", "elsewhere.jsonl"]).status, 1)
        XCTAssertTrue(try box.ok("model", "predictions", "m1", "elsewhere.jsonl").stdout.contains("0 scored, 1 missing"))
    }

    // MARK: - Remotes

    func testPredictionsTravelWithPushCloneAndPull() throws {
        let box = try makeStore()
        _ = try box.run("/usr/bin/env", ["git", "init", "-q", "--bare", box.root.appendingPathComponent("server.git").path])
        let server = box.root.appendingPathComponent("server.git").path
        try box.ok("remote", "add", "origin", server)
        try box.ok("push")
        let refs = try box.run("/usr/bin/env", ["git", "--git-dir", server, "for-each-ref", "--format=%(refname)"]).stdout
        XCTAssertTrue(refs.contains("refs/predictions/m1"), refs)
        let cloned = try box.ok("clone", "file://" + server, "b")
        XCTAssertTrue(cloned.stdout.contains("predictions of: m1"), cloned.stdout)
        XCTAssertEqual(try box.ok("eval", "m1", "--store", "b", "--json").stdout, try box.ok("eval", "m1", "--json").stdout)
        XCTAssertEqual(try box.trail(["verify", "--store", "b"]).status, 0)

        // New predictions on the origin reach the clone with a pull, history and all.
        try box.write("m1b.jsonl", Self.predictions(Array(0..<300), Self.model2))
        try box.ok("model", "predictions", "m1", "m1b.jsonl")
        try box.ok("push")
        let pulled = try box.ok("pull", "--store", "b")
        XCTAssertTrue(pulled.stdout.contains("predictions of: m1"), pulled.stdout)
        XCTAssertEqual(try box.ok("eval", "m1", "--store", "b", "--json").stdout, try box.ok("eval", "m1", "--json").stdout)
        XCTAssertEqual(try box.run("/usr/bin/env", ["git", "--git-dir", box.root.appendingPathComponent("b/.trail").path, "rev-list", "--count", "refs/predictions/m1"]).stdout, "2\n")

        // Both sides store new ones: neither overwrites the other.
        try box.write("m1c.jsonl", Self.predictions(Array(0..<100), Self.model1))
        try box.ok("model", "predictions", "m1", "m1c.jsonl", "--store", "b")
        try box.ok("model", "predictions", "m1", "m1.jsonl")
        try box.ok("push")
        let fetched = try box.ok("fetch", "--store", "b").stdout
        XCTAssertTrue(fetched.contains("kept ours: predictions/m1"), fetched)
        XCTAssertEqual(try json(try box.ok("eval", "m1", "--store", "b", "--json"))["predictions"] as? Int, 100)
        XCTAssertTrue(try box.ok("push", "--store", "b").stdout.contains("not sent: predictions/m1"))
    }

    func testHostilePredictionsAreRefusedByTheQuarantine() throws {
        let box = try makeStore()
        let server = box.root.appendingPathComponent("server.git").path
        _ = try box.run("/usr/bin/env", ["git", "init", "-q", "--bare", server])
        try box.ok("remote", "add", "origin", server)
        try box.ok("push")
        try box.ok("clone", server, "b")
        func hostile(_ script: String) throws {
            let result = try box.run("/bin/sh", ["-c", """
                set -e
                export GIT_DIR='\(server)' GIT_AUTHOR_NAME=Mallory GIT_AUTHOR_EMAIL=m@example.org GIT_COMMITTER_NAME=Mallory GIT_COMMITTER_EMAIL=m@example.org
                good=$(git rev-parse refs/predictions/m1)
                info=$(git rev-parse "$good:predictions.json")
                rows=$(git rev-parse "$good:predictions.jsonl")
                \(script)
                git update-ref refs/predictions/m1 "$(git commit-tree "$tree" -p "$good" -m hostile)"
                """])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        func assertRefused(_ expected: String, line: UInt = #line) throws {
            let before = try box.fileContents("b/.trail")
            let fetched = try box.trail(["fetch", "--store", "b"])
            XCTAssertEqual(fetched.status, 1, fetched.stdout, line: line)
            for text in [expected, "predictions of", "m1", "nothing here changed"] {
                XCTAssertTrue(fetched.stderr.contains(text), "expected '\(text)' in \(fetched.stderr)", line: line)
            }
            let after = try box.fileContents("b/.trail")
            XCTAssertEqual(Set(before.keys).union(after.keys).filter { before[$0] != after[$0] && $0 != "trail.lock" }.sorted(), [], line: line)
            XCTAssertEqual(try box.trail(["verify", "--store", "b"]).status, 0, line: line)
        }
        // A file Trail never writes beside the two.
        try hostile("""
            extra=$(echo '#!/bin/sh' | git hash-object -w --stdin)
            tree=$(printf "100644 blob $info\\tpredictions.json\\n100644 blob $rows\\tpredictions.jsonl\\n100755 blob $extra\\trun.sh\\n" | git mktree)
            """)
        try assertRefused("must hold exactly predictions.json and predictions.jsonl")
        // Rows out of order, one of them twice.
        try hostile("""
            rows=$(printf '{"id":"s00002","label":"safe"}\\n{"id":"s00001","label":"safe"}\\n{"id":"s00001","label":"spam"}\\n' | git hash-object -w --stdin)
            tree=$(printf "100644 blob $info\\tpredictions.json\\n100644 blob $rows\\tpredictions.jsonl\\n" | git mktree)
            """)
        try assertRefused("not sorted")
        // A ref that is not a commit.
        _ = try box.run("/bin/sh", ["-c", "GIT_DIR='\(server)' git update-ref refs/predictions/m1 \"$(GIT_DIR='\(server)' git rev-parse refs/predictions/m1^{tree})\""])
        try assertRefused("not a commit of predictions")
    }

    // MARK: - HTML

    func testEvaluationPagesRenderInChromium() throws {
        let browser = try Browser.find()
        let box = try makeStore()
        let nasty = HTMLReportTests.nastyLabel
        try box.write("m2.jsonl", Self.predictions(Array(1..<300), Self.model2, extra: ["{\"id\":\"s00000\",\"label\":\(HTMLReportTests.json(nasty))}"]))
        try box.ok("model", "register", "m2", "HEAD", "--predictions", "m2.jsonl")
        try box.write("round.jsonl", (0..<30).map { i in
            #"{"annotator":"adj_\#(i % 3)","guideline":"v3.2","id":"\#(Self.id(i * 7))","label":"spam","text":"sample text number \#(i * 7) with some words"}"#
        }.joined(separator: "\n") + "\n")
        try box.ok("commit", "--patch", "round.jsonl", "-m", "Relabels")
        let pages: [(String, [String], [String])] = [
            ("eval.html", ["eval", "m2"], ["Per label", "Confusion matrix", "Accuracy"]),
            ("compare.html", ["eval", "m1", "--labels", "m1", "--compare", "HEAD"], ["Flips by annotator", "adj_0", "Right \u{2192} wrong", "Flipped samples"]),
            ("models.html", ["eval", "m1", "m2"], ["F1 by label", "Samples only one model gets right"]),
        ]
        for (name, args, parts) in pages {
            let result = try box.trail(args + ["--html", name])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stdout, "Wrote report to \(name)\n")
            let html = try box.read(name)
            XCTAssertFalse(html.contains(nasty), "\(name) holds a label unescaped")
            for part in parts { XCTAssertTrue(html.contains(part), "\(name) lacks \(part)") }
            let path = box.root.appendingPathComponent(name)
            let png = box.root.appendingPathComponent(name + ".png")
            let render = try browser.render(path, screenshot: png, in: box.root)
            XCTAssertEqual(render.problems, [], "\(name): the browser reported problems")
            XCTAssertEqual(try Browser.pngSize(png)?.width, 1280)
            if let keep = ProcessInfo.processInfo.environment["TRAIL_HTML_SHOTS"] {
                try? FileManager.default.copyItem(at: png, to: URL(fileURLWithPath: keep).appendingPathComponent(name + ".png"))
            }
        }
        XCTAssertTrue(try box.read("eval.html").contains(escapeForTest(nasty)))
    }

    private func escapeForTest(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
