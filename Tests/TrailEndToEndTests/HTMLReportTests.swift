import Foundation
import XCTest

/// `trail diff --html` and `trail audit ... --html`: each page is self-contained and escapes
/// every user string, and a real browser (headless Chromium) renders it to a screenshot with
/// no console message at all: no script error, no blocked load, no Content-Security-Policy
/// violation. The pages log nothing by design, so any console line is a failure. A broken page
/// is rendered too, to prove the check can fail.
///
/// Set TRAIL_HTML_SHOTS to a folder to keep the pages and their screenshots there.
final class HTMLReportTests: XCTestCase {
    // Strings that break a page that forgets to escape: each would run a script, end an SVG
    // or an attribute early, or show as the wrong characters.
    static let nastyLabel = "<script>throw new Error(\"label not escaped\")</script>"
    static let quotedLabel = "a&b \"quoted\" 'single' </svg>"
    static let unicodeLabel = "café ✓ Ελληνικά"
    static let nastyAnnotator = "\"><script>throw new Error('annotator not escaped')</script>"
    static let nastyGuideline = "v4 <beta> & \"rc\""
    static let nastyID = "id-<&>\"'-1"

    /// A JSON string literal.
    static func json(_ s: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes]), as: UTF8.self)
            .dropFirst().dropLast().description
    }

    /// One sample as a JSON line (keys in canonical order).
    static func line(id: String, label: String, annotator: String, guideline: String, n: Int) -> String {
        "{\"annotator\":\(json(annotator)),\"guideline\":\(json(guideline)),\"id\":\(json(id)),\"label\":\(json(label)),"
            + "\"text\":\"sample text number \(n)\"}"
    }

    /// A store with three versions and three models: 300 samples over 22 labels (enough for
    /// the heat map to sum the rest into Other), relabels by several annotators under several
    /// guideline versions, hostile and non-ASCII labels, ids and names, flip-flops, and one
    /// erased sample.
    func makeStore() throws -> Sandbox {
        let box = try Sandbox()
        var labels = (0..<19).map { "topic_\(String(format: "%02d", $0))" } + [HTMLReportTests.quotedLabel, HTMLReportTests.unicodeLabel]
        labels.insert("safe", at: 0)
        func version(_ v: Int) -> String {
            var lines: [String] = []
            for i in 0..<300 {
                let id = i == 7 ? HTMLReportTests.nastyID : "s\(String(format: "%05d", i))"
                var label = labels[i % 5 == 0 ? 0 : i % labels.count], annotator = "ann_\(i % 6)", guideline = "v3.1"
                if v >= 2 && i % 4 == 0 {
                    label = labels[(i / 4) % labels.count]
                    annotator = i % 8 == 0 ? HTMLReportTests.nastyAnnotator : "Zoë O'Brien"
                    guideline = HTMLReportTests.nastyGuideline
                }
                if v >= 2 && i % 37 == 0 { label = HTMLReportTests.nastyLabel }
                if v >= 3 && i % 12 == 0 { label = labels[i % 5 == 0 ? 0 : i % labels.count]; annotator = "lead"; guideline = "v4.1" }
                if v >= 3 && i == 299 { continue }
                lines.append(HTMLReportTests.line(id: id, label: label, annotator: annotator, guideline: guideline, n: i))
            }
            if v >= 3 { lines.append(HTMLReportTests.line(id: "s09999", label: "safe", annotator: "ann_1", guideline: "v4.1", n: 9999)) }
            return lines.joined(separator: "\n") + "\n"
        }
        for v in 1...3 { try box.write("v\(v).jsonl", version(v)) }
        try box.ok("init")
        for v in 1...3 {
            try box.ok("commit", "v\(v).jsonl", "-m", "Version \(v) <of> the \"data\"")
            try box.ok("model", "register", "m\(v)", "HEAD", "--meta", "run=<run \(v)>")
        }
        try box.ok("erase", "s00000", "--reason", "GDPR <request> #1 & \"more\"")
        return box
    }

    /// The reports the test makes: file name → trail arguments.
    static let reports: [(String, [String])] = [
        ("diff.html", ["diff", "m1", "m3"]),
        ("audit-model.html", ["audit", "model", "m2"]),
        ("audit-flips.html", ["audit", "flips", "m1", "m2"]),
        ("audit-annotator.html", ["audit", "annotator", "ann_0"]),
        ("audit-disputed.html", ["audit", "disputed", "--min-changes", "2"]),
        ("audit-sample.html", ["audit", "sample", "s00000"]),
    ]

    /// Makes every report; returns each page's path and text.
    func makeReports(_ box: Sandbox) throws -> [(name: String, path: String, html: String)] {
        var pages: [(String, String, String)] = []
        for (name, args) in HTMLReportTests.reports {
            let result = try box.trail(args + ["--html", name])
            XCTAssertEqual(result.status, 0, "trail \(args.joined(separator: " ")) --html failed: \(result.stderr)")
            XCTAssertEqual(result.stdout, "Wrote report to \(name)\n", "with --html, only the one line is printed")
            pages.append((name, box.root.appendingPathComponent(name).path, try box.read(name)))
        }
        return pages
    }

    func testReportsAreSelfContainedAndEscapeEverything() throws {
        let box = try makeStore()
        for (name, _, html) in try makeReports(box) {
            XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"), name)
            XCTAssertTrue(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"), name)
            // Nothing to fetch: no address in a src, href or url(), no external style sheet, script, frame or import.
            let fetches = try NSRegularExpression(pattern: #"(?i)(src|href)\s*=\s*["']?\s*(https?:|//|file:)|url\(\s*["']?\s*(https?:|//)|<link\b|<iframe\b|<img\b|@import|<script[^>]*\bsrc\b"#)
            let hits = fetches.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { String(html[Range($0.range, in: html)!]) }
            XCTAssertEqual(hits, [], "\(name) would fetch something")
            XCTAssertFalse(html.contains("fetch(") || html.contains("XMLHttpRequest") || html.contains("import("), name)
            XCTAssertEqual(html.components(separatedBy: "<script").count - 1, 1, "\(name): one script, the page's own")
            // Every hostile string appears only escaped.
            for raw in [HTMLReportTests.nastyLabel, HTMLReportTests.nastyAnnotator, HTMLReportTests.quotedLabel, HTMLReportTests.nastyGuideline,
                        HTMLReportTests.nastyID, "<request>", "<run ", "<of>"] {
                XCTAssertFalse(html.contains(raw), "\(name) holds \(raw) unescaped")
            }
        }
        let diff = try box.read("diff.html")
        XCTAssertTrue(diff.contains("&lt;script&gt;throw new Error(&quot;label not escaped&quot;)&lt;/script&gt;"))
        XCTAssertTrue(diff.contains("a&amp;b &quot;quoted&quot; &#39;single&#39; &lt;/svg&gt;"))
        XCTAssertTrue(diff.contains(HTMLReportTests.unicodeLabel), "non-ASCII text is kept as UTF-8")
        XCTAssertTrue(diff.contains("Other ("), "22 labels: the heat map sums the rest into Other")
        for part in ["Label distribution", "Label transitions", "Relabels by annotator", "Relabels by guideline version", "Timeline",
                     "Erased content", "Changed samples", "model m1", "A: m1", "B: m3"] {
            XCTAssertTrue(diff.contains(part), "the diff report lacks \(part)")
        }
        let model = try box.read("audit-model.html")
        for part in ["Model m2", "Since m1", "this model", "previous", "Timeline", "run=&lt;run 2&gt;"] {
            XCTAssertTrue(model.contains(part), "the model report lacks \(part)")
        }
        XCTAssertTrue(try box.read("audit-disputed.html").contains("flip-flop"))
        XCTAssertTrue(try box.read("audit-sample.html").contains("GDPR &lt;request&gt; #1"), "the sample audit names its erasure")

        // No temporary file left beside the reports.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: box.root.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    func testHTMLOptionWithJSONAndStandardOutput() throws {
        let box = try makeStore()
        // With --json too: the JSON as before, and the page.
        let both = try box.ok("diff", "m1", "m2", "--json", "--html", "both.html")
        let diff = try JSONSerialization.jsonObject(with: Data(both.stdout.utf8)) as! [String: Any]
        XCTAssertNotNil(diff["counts"])
        XCTAssertNil(diff["samples"], "--html does not add the samples to the JSON")
        XCTAssertTrue(try box.read("both.html").contains("<!DOCTYPE html>"))
        let model = try box.ok("audit", "model", "m3", "--json", "--html", "m3.html")
        XCTAssertNotNil((try JSONSerialization.jsonObject(with: Data(model.stdout.utf8)) as! [String: Any])["samples"])
        // '-': the page on standard output, and nothing else.
        let out = try box.ok("audit", "flips", "m1", "m2", "--html", "-")
        XCTAssertTrue(out.stdout.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(out.stdout.hasSuffix("</html>\n"))
        XCTAssertEqual(try box.trail(["diff", "m1", "m2", "--json", "--html", "-"]).status, 2)
        // Replacing a report, and failing to write one.
        try box.ok("diff", "m1", "m2", "--html", "both.html")
        let missing = try box.trail(["diff", "m1", "m2", "--html", "no/such/folder/r.html"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("cannot write the report"), missing.stderr)
        XCTAssertTrue(try box.ok("help", "diff").stdout.contains("--html"))
        XCTAssertTrue(try box.ok("help", "audit", "model").stdout.contains("--html"))
    }

    func testReportsRenderInChromiumWithoutConsoleErrors() throws {
        let browser = try Browser.find()
        let box = try makeStore()
        let shots = ProcessInfo.processInfo.environment["TRAIL_HTML_SHOTS"].map { URL(fileURLWithPath: $0) }
            ?? box.root.appendingPathComponent("shots")
        try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
        for (name, path, html) in try makeReports(box) {
            let png = shots.appendingPathComponent(name.replacingOccurrences(of: ".html", with: ".png"))
            try Data(html.utf8).write(to: shots.appendingPathComponent(name))
            let render = try browser.render(URL(fileURLWithPath: path), screenshot: png, in: box.root)
            XCTAssertEqual(render.problems, [], "\(name): the browser reported problems")
            XCTAssertEqual(render.loadedFiles.filter { $0 != URL(fileURLWithPath: path).absoluteString }, [], "\(name) loaded other files")
            let size = try Browser.pngSize(png)
            XCTAssertEqual(size?.width, 1280, "\(name): not a 1280-wide PNG")
            XCTAssertEqual(size?.height, 2400)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: png.path)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(bytes, 40_000, "\(name): the screenshot is nearly blank")
        }
    }

    /// The negative control: a page with a script error, a console.error and a blocked load is
    /// flagged, and a clean page is not. Without this, a check that never fires would pass.
    func testTheConsoleCheckCatchesABrokenPage() throws {
        let browser = try Browser.find()
        let box = try Sandbox()
        let broken = try box.write("broken.html", """
            <!DOCTYPE html><html><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
            </head><body><p>broken</p><img src="missing.png">
            <script>throw new Error('deliberate')</script></body></html>
            """)
        let result = try browser.render(URL(fileURLWithPath: broken), screenshot: box.root.appendingPathComponent("broken.png"), in: box.root)
        XCTAssertTrue(result.problems.contains { $0.contains("Uncaught Error: deliberate") }, "missed the script error: \(result.problems)")
        XCTAssertTrue(result.problems.contains { $0.contains("Content Security Policy") }, "missed the blocked image: \(result.problems)")

        let clean = try box.write("clean.html", "<!DOCTYPE html><html><body><p>clean</p><script>document.body.dataset.ok = '1';</script></body></html>")
        XCTAssertEqual(try browser.render(URL(fileURLWithPath: clean), screenshot: box.root.appendingPathComponent("clean.png"), in: box.root).problems, [])
    }
}

/// Values built to break out of an HTML page (an attribute, a `<style>`, a CDATA section, a
/// `<title>`, a script string) in every place a report shows user data: labels, annotators,
/// guideline versions, ids, metadata, commit messages, model metadata and erasure reasons. Each
/// payload, if it ever ran, would mark the page (`data-pwned`) or log to the console; Chromium
/// renders each report, and its DOM after load must hold the page's own one script and one style
/// sheet, no injected element and no mark, with the payloads shown as text.
final class HTMLInjectionTests: XCTestCase {
    static func mark(_ name: String) -> String { "document.body.setAttribute('data-pwned','\(name)');console.log('pwned \(name)')" }
    static let attributeLabel = "\"><img src=x onerror=\"\(mark("img"))\">"
    static let styleLabel = "</style><style>body{display:none}</style><b data-pwned=\"style\">x</b>"
    static let separatorLabel = "line\u{2028}sep\u{2029}</script><script>\(mark("script"))</script>"
    static let cdataAnnotator = "]]><script>\(mark("cdata"))</script>"
    static let titleGuideline = "v9</title><script>\(mark("title"))</script>"
    static let hostileID = "x'><svg onload=\"\(mark("svg"))\">"
    static let hrefReason = "<a href=\"javascript:\(mark("href"))\">click</a>"
    static let frameMessage = "<iframe srcdoc=\"<script>parent.\(mark("frame"))</script>\"></iframe>"

    func makeStore() throws -> Sandbox {
        let box = try Sandbox()
        let t = HTMLInjectionTests.self
        func line(_ id: String, _ label: String, _ annotator: String, _ guideline: String, _ n: Int) -> String {
            HTMLReportTests.line(id: id, label: label, annotator: annotator, guideline: guideline, n: n)
        }
        let ids = [t.hostileID, "s1", "s2", "s3", "s4"]
        let v1 = ids.enumerated().map { line($1, "safe", "ann_1", "v1", $0) }
        let v2 = ids.enumerated().map { k, id in
            line(id, [t.attributeLabel, t.styleLabel, t.separatorLabel, "spam", "safe"][k], k < 3 ? t.cdataAnnotator : "ann_2", k < 3 ? t.titleGuideline : "v1", k)
        }
        let v3 = ids.enumerated().map { k, id in line(id, k < 3 ? "safe" : "spam", k < 3 ? t.cdataAnnotator : "ann_2", t.titleGuideline, k) }
        for (n, lines) in [v1, v2, v3].enumerated() { try box.write("v\(n + 1).jsonl", lines.joined(separator: "\n") + "\n") }
        try box.ok("init")
        for n in 1...3 {
            try box.ok("commit", "v\(n).jsonl", "-m", "Version \(n) \(t.frameMessage)")
            try box.ok("model", "register", "m\(n)", "HEAD", "--meta", "run=\(t.attributeLabel)", "--meta", "note=\(t.cdataAnnotator)")
        }
        try box.ok("erase", "s4", "--reason", t.hrefReason)
        return box
    }

    func testHostileValuesInjectNothingIntoTheReports() throws {
        let browser = try Browser.find()
        let box = try makeStore()
        let t = HTMLInjectionTests.self
        let reports: [(String, [String])] = [
            ("diff.html", ["diff", "m1", "m3"]), ("diff2.html", ["diff", "m1", "m2", "--annotator", t.cdataAnnotator]),
            ("model.html", ["audit", "model", "m2"]), ("flips.html", ["audit", "flips", "m1", "m2"]),
            ("annotator.html", ["audit", "annotator", t.cdataAnnotator]), ("disputed.html", ["audit", "disputed", "--min-changes", "1"]),
            ("sample.html", ["audit", "sample", t.hostileID]), ("erased.html", ["audit", "sample", "s4"]),
        ]
        let payloads = [t.attributeLabel, t.styleLabel, t.separatorLabel, t.cdataAnnotator, t.titleGuideline, t.hostileID, t.hrefReason, t.frameMessage]
        var shown = Set<String>()
        for (name, args) in reports {
            let result = try box.trail(args + ["--html", name])
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            let html = try box.read(name)
            for payload in payloads { XCTAssertFalse(html.contains(payload), "\(name) holds a payload unescaped: \(payload)") }
            for payload in payloads where html.contains(escapeForTest(payload)) { shown.insert(payload) }
            let page = box.root.appendingPathComponent(name)
            let render = try browser.render(page, screenshot: box.root.appendingPathComponent(name + ".png"), in: box.root)
            XCTAssertEqual(render.problems, [], "\(name): the browser logged something (a payload ran?)")
            let dom = try browser.dom(page, in: box.root)
            XCTAssertTrue(dom.contains("</html>"), "\(name): Chromium dumped no DOM")
            XCTAssertNil(dom.range(of: #"<body[^>]*data-pwned"#, options: .regularExpression), "\(name): a payload ran")
            for tag in ["<img", "<iframe", "<svg onload", "<a href=\"javascript", "<b data-pwned"] {
                XCTAssertFalse(dom.contains(tag), "\(name): an injected \(tag) element")
            }
            XCTAssertEqual(dom.components(separatedBy: "<script").count - 1, 1, "\(name): one script, the page's own")
            XCTAssertEqual(dom.components(separatedBy: "<style").count - 1, 1, "\(name): one style sheet, the page's own")
            XCTAssertFalse(dom.contains("v9</title>"), "\(name): a title was ended early")
        }
        // Every payload was shown somewhere, as text.
        XCTAssertEqual(Set(payloads).subtracting(shown), [], "payloads never shown as text")
    }

    /// The page's escaping (the same as TrailReports' escapeHTML, restated so the test does not trust it).
    func escapeForTest(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}

/// Headless Chromium, run once per page with nothing but the page to load.
struct Browser {
    let executable: String

    /// Chromium, or a failure that says how to install it.
    static func find() throws -> Browser {
        let env = ProcessInfo.processInfo.environment["TRAIL_CHROMIUM"]
        for candidate in [env, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].compactMap({ $0 })
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return Browser(executable: candidate)
        }
        throw MissingPrerequisite("headless Chromium is needed to render the HTML reports",
                                  fix: "apt-get install chromium (Ubuntu: chromium-browser), or set TRAIL_CHROMIUM to a Chromium or Chrome binary")
    }

    struct Render {
        /// Console messages, uncaught exceptions and blocked loads, as Chromium logged them.
        var problems: [String]
        /// The file: URLs Chromium loaded (when its verbose log names them).
        var loadedFiles: [String]
    }

    /// Renders `page` to a 1280 × 2400 screenshot and collects what the browser logged.
    func render(_ page: URL, screenshot: URL, in folder: URL) throws -> Render {
        let profile = folder.appendingPathComponent("chromium-profile-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: profile) }
        try? FileManager.default.removeItem(at: screenshot)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-sync", "--disable-background-networking", "--disable-component-update",
            // Nothing reaches a network: every host name fails to resolve.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=1",
            "--window-size=1280,2400", "--screenshot=\(screenshot.path)", page.absoluteString,
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(["HOME": folder.path]) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        XCTAssertTrue(FileManager.default.fileExists(atPath: screenshot.path), "Chromium wrote no screenshot; its log ends: \(log.suffix(2000))")

        var problems: [String] = [], loaded: [String] = []
        for line in log.split(separator: "\n").map(String.init) {
            // Console messages: `[...:INFO:CONSOLE:12] "message", source: file:///... (12)` (older: `CONSOLE(12)`).
            if line.range(of: #":CONSOLE[:(]"#, options: .regularExpression) != nil || line.contains("Uncaught ")
                || line.contains("Content Security Policy") || line.contains("Refused to ") {
                problems.append(line)
            }
            if let r = line.range(of: "FileURLLoader::Start: ") { loaded.append(String(line[r.upperBound...]).trimmingCharacters(in: .whitespaces)) }
        }
        return Render(problems: problems, loadedFiles: loaded)
    }

    /// The page's DOM after it loaded and its script ran, serialized (`--dump-dom`).
    func dom(_ page: URL, in folder: URL) throws -> String {
        let profile = folder.appendingPathComponent("chromium-profile-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-sync", "--disable-background-networking", "--disable-component-update", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--user-data-dir=\(profile.path)", "--dump-dom", page.absoluteString,
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(["HOME": folder.path]) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        return text
    }

    /// A PNG's width and height, from its header; nil when the file is not a PNG.
    static func pngSize(_ url: URL) throws -> (width: Int, height: Int)? {
        let data = [UInt8](try Data(contentsOf: url))
        guard data.count > 24, data[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { return nil }
        func be32(_ i: Int) -> Int { Int(data[i]) << 24 | Int(data[i + 1]) << 16 | Int(data[i + 2]) << 8 | Int(data[i + 3]) }
        return (be32(16), be32(20))
    }
}
