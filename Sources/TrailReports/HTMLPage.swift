import Foundation

/// Escapes text for HTML and inline SVG, in element content and in quoted attribute values
/// alike: `&`, `<`, `>`, `"` and `'` become character references, and control characters that
/// HTML forbids (C0 other than tab, newline and carriage return; DEL; C1) become U+FFFD, so
/// any label, id or name prints as the text it is.
public func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
        default:
            let v = scalar.value
            if v < 0x20 || (0x7F...0x9F).contains(v) || (0xFDD0...0xFDEF).contains(v) || v & 0xFFFE == 0xFFFE {
                out += "\u{FFFD}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}

/// Shorthand for `escapeHTML` inside the report builders.
func esc(_ text: String) -> String { escapeHTML(text) }

/// The context every report names in its footer: when it was made, by what command.
public struct ReportContext: Sendable {
    /// When the report was generated, as the reader should see it (e.g. `2026-11-20 10:22 UTC`).
    public var generatedAt: String
    /// The command line that produced it, so a reader can make it again.
    public var command: String
    /// Trail's version.
    public var version: String

    /// A context with the given time, command line and version.
    public init(generatedAt: String, command: String, version: String) {
        self.generatedAt = generatedAt
        self.command = command
        self.version = version
    }
}

/// One self-contained HTML document: a header, a navigation bar, sections, a footer, and the
/// page's styles and script inline. A Content-Security-Policy pins the one style sheet and the
/// one script by hash and allows nothing else, so the page can fetch nothing from anywhere.
struct HTMLPage {
    /// One section of the page, listed in the navigation bar.
    struct Section {
        var id: String
        var title: String
        /// A sentence or two that says what the section shows, in plain words.
        var lead: String?
        /// The section's markup.
        var body: String

        /// The section every page opens with: what it found, as bullets, under "In short".
        static func inShort(_ findings: [String]) -> Section {
            Section(id: "summary", title: "In short", lead: nil, body: HTMLPage.bullets(findings))
        }
    }

    /// The document title (the browser tab, and the top of a print).
    var title: String
    /// The small line above the heading, e.g. "Trail · dataset diff".
    var kicker: String
    var heading: String
    /// Facts in the header, label → value, as plain text.
    var facts: [(String, String)]
    /// Markup between the header and the first section: summary cards, callouts.
    var summary: String
    var sections: [Section]
    var context: ReportContext

    /// The whole document.
    func render() -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="\(HTMLPage.contentSecurityPolicy)">
            <meta name="generator" content="trail \(esc(context.version))">
            <title>\(esc(title))</title>
            <style>\(HTMLPage.styleSheet)</style>
            </head>
            <body>
            <div class="page">
            <header class="masthead">
            <p class="kicker">\(esc(kicker))</p>
            <h1>\(esc(heading))</h1>

            """
        if !facts.isEmpty {
            html += "<dl class=\"facts\">"
            for (label, value) in facts { html += "<div><dt>\(esc(label))</dt><dd>\(esc(value))</dd></div>" }
            html += "</dl>\n"
        }
        html += "</header>\n"
        if sections.count > 1 {
            html += "<nav class=\"toc\" aria-label=\"Sections\">"
            html += sections.map { "<a href=\"#\(esc($0.id))\">\(esc($0.title))</a>" }.joined()
            html += "</nav>\n"
        }
        html += summary
        for section in sections {
            html += "<section id=\"\(esc(section.id))\">\n<h2>\(esc(section.title))</h2>\n"
            if let lead = section.lead { html += "<p class=\"lead\">\(esc(lead))</p>\n" }
            html += section.body + "\n</section>\n"
        }
        html += """
            <footer>
            <p>Generated \(esc(context.generatedAt)) by trail \(esc(context.version)) with <code>\(esc(context.command))</code>.
            The same numbers are available as JSON with <code>--json</code>. This page is self-contained: it loads nothing from the network.</p>
            </footer>
            </div>
            <script>\(HTMLPage.script)</script>
            </body>
            </html>

            """
        return html
    }

    // MARK: Building blocks

    /// A row of summary cards.
    static func cards(_ cards: [Card]) -> String {
        "<div class=\"cards\">" + cards.map(\.html).joined() + "</div>\n"
    }

    /// A highlighted box with a title and markup, e.g. for erased samples.
    static func callout(_ title: String, _ body: String, tone: Tone = .warning) -> String {
        "<div class=\"callout \(tone.rawValue)\" role=\"note\"><p class=\"callout-title\">\(esc(title))</p>\(body)</div>\n"
    }

    /// A bulleted list of plain-text sentences.
    static func bullets(_ items: [String]) -> String {
        items.isEmpty ? "" : "<ul class=\"findings\">" + items.map { "<li>\(esc($0))</li>" }.joined() + "</ul>\n"
    }

    /// A paragraph of plain text, muted.
    static func note(_ text: String) -> String { "<p class=\"note\">\(esc(text))</p>\n" }

    /// A figure: a chart with a title above it and a caption below.
    static func figure(_ title: String, _ chart: String, caption: String? = nil) -> String {
        var html = "<figure><figcaption class=\"figure-title\">\(esc(title))</figcaption><div class=\"chart\">\(chart)</div>"
        if let caption { html += "<p class=\"figure-caption\">\(esc(caption))</p>" }
        return html + "</figure>\n"
    }

    /// Figures side by side (one column when the page is narrow or printed).
    static func grid(_ items: [String]) -> String {
        "<div class=\"grid\">" + items.joined() + "</div>\n"
    }

    /// A small sub-heading inside a section.
    static func subheading(_ text: String) -> String { "<h3>\(esc(text))</h3>\n" }

    /// The tone of a card or callout.
    enum Tone: String { case neutral, accent, good, warning, danger }

    /// One summary card: a label, a big value, a detail line.
    struct Card {
        var label: String
        var value: String
        var detail: String?
        var tone: Tone = .neutral

        var html: String {
            "<div class=\"card \(tone.rawValue)\"><p class=\"card-label\">\(esc(label))</p><p class=\"card-value\">\(esc(value))</p>"
                + (detail.map { "<p class=\"card-detail\">\(esc($0))</p>" } ?? "") + "</div>"
        }
    }

    // MARK: Policy, styles, script

    static let contentSecurityPolicy = "default-src 'none'; style-src 'sha256-\(SHA256.base64(styleSheet))'; "
        + "script-src 'sha256-\(SHA256.base64(script))'; img-src data:; base-uri 'none'; form-action 'none'"

    static let styleSheet = """

        :root { --ink: #1f2933; --muted: #52606d; --faint: #7b8794; --line: #e4e7eb; --bg: #f5f7fa; --panel: #ffffff;
          --accent: #2459c4; --accent-soft: #e8effc; --good: #18794e; --warn: #9a5b00; --warn-soft: #fff6e5; --danger: #b42318; --danger-soft: #fdecea;
          --mono: "DejaVu Sans Mono", ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body { margin: 0; background: var(--bg); color: var(--ink);
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
        .page { max-width: 1160px; margin: 0 auto; padding: 28px 36px 40px; }
        .masthead { margin-bottom: 14px; }
        .kicker { margin: 0; color: var(--accent); font-size: 12.5px; font-weight: 600; letter-spacing: .08em; text-transform: uppercase; }
        h1 { margin: 4px 0 12px; font-size: 28px; line-height: 1.25; font-weight: 650; overflow-wrap: anywhere; }
        h2 { margin: 0 0 6px; font-size: 19px; font-weight: 650; }
        h3 { margin: 22px 0 8px; font-size: 15px; font-weight: 650; }
        .facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0; }
        .facts div { min-width: 0; }
        .facts dt { color: var(--faint); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
        .facts dd { margin: 0; font-weight: 550; overflow-wrap: anywhere; }
        .toc { display: flex; flex-wrap: wrap; gap: 6px; margin: 18px 0 6px; }
        .toc a { padding: 3px 11px; border: 1px solid var(--line); border-radius: 999px; background: var(--panel); color: var(--muted);
          font-size: 13px; text-decoration: none; }
        .toc a:hover { border-color: var(--accent); color: var(--accent); }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(128px, 1fr)); gap: 12px; margin: 16px 0; }
        .card { background: var(--panel); border: 1px solid var(--line); border-top: 3px solid #cbd2d9; border-radius: 8px; padding: 10px 14px 12px; }
        .card.accent { border-top-color: var(--accent); }
        .card.good { border-top-color: var(--good); }
        .card.warning { border-top-color: #e0a100; }
        .card.danger { border-top-color: var(--danger); }
        .card-label { margin: 0; color: var(--muted); font-size: 12.5px; font-weight: 600; }
        .card-value { margin: 2px 0 0; font-size: 25px; font-weight: 650; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
        .card-detail { margin: 0; color: var(--faint); font-size: 12.5px; }
        .callout { margin: 16px 0; padding: 12px 16px; border: 1px solid; border-left-width: 4px; border-radius: 8px; }
        .callout.warning { background: var(--warn-soft); border-color: #f0c36d; }
        .callout.danger { background: var(--danger-soft); border-color: #f4a29b; }
        .callout.neutral, .callout.accent, .callout.good { background: var(--accent-soft); border-color: #a9c1f0; }
        .callout-title { margin: 0 0 4px; font-weight: 650; }
        .callout p { margin: 0 0 4px; }
        section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 22px 26px 24px; margin: 18px 0; }
        .lead { margin: 0 0 14px; color: var(--muted); max-width: 80ch; }
        .note { margin: 8px 0; color: var(--muted); font-size: 13.5px; }
        .findings { margin: 0; padding-left: 20px; }
        .findings li { margin: 3px 0; }
        figure { margin: 0 0 18px; min-width: 0; }
        .figure-title { font-weight: 650; font-size: 14px; margin-bottom: 6px; }
        .figure-caption { margin: 6px 0 0; color: var(--faint); font-size: 12.5px; max-width: 80ch; }
        .chart { overflow-x: auto; }
        .chart svg { display: block; max-width: 100%; height: auto; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 8px 32px; }
        svg text { font-family: inherit; fill: #3e4c59; }
        svg .axis { fill: var(--faint); font-size: 11px; }
        svg .value { fill: var(--ink); font-size: 11.5px; font-variant-numeric: tabular-nums; }
        svg .label { font-size: 12px; }
        svg .strong { font-weight: 650; }
        svg .on-dark { fill: #ffffff; }
        .table-tools { display: flex; align-items: center; gap: 12px; margin: 10px 0 6px; }
        .table-tools input { font: inherit; font-size: 13.5px; padding: 5px 10px; border: 1px solid #cbd2d9; border-radius: 6px; width: 260px; }
        .table-tools input:focus { outline: 2px solid var(--accent-soft); border-color: var(--accent); }
        .table-tools .count { color: var(--faint); font-size: 12.5px; }
        .table-wrap { overflow: auto; border: 1px solid var(--line); border-radius: 8px; }
        .table-wrap.tall { max-height: 520px; }
        table { width: 100%; border-collapse: collapse; font-size: 13.5px; }
        thead th { position: sticky; top: 0; z-index: 1; background: #f0f3f7; text-align: left; font-weight: 650; color: var(--muted);
          font-size: 12.5px; padding: 0; border-bottom: 1px solid var(--line); white-space: nowrap; }
        thead th button, thead th span { display: block; width: 100%; padding: 7px 10px; border: 0; background: none; font: inherit; color: inherit; text-align: inherit; }
        thead th button { cursor: pointer; }
        thead th button:hover { color: var(--accent); }
        thead th button::after { content: " \\2195"; color: #b8c2cc; font-weight: 400; }
        thead th[aria-sort="ascending"] button::after { content: " \\2191"; color: var(--accent); }
        thead th[aria-sort="descending"] button::after { content: " \\2193"; color: var(--accent); }
        th.num, td.num { text-align: right; }
        td { padding: 6px 10px; border-bottom: 1px solid #eef1f4; vertical-align: baseline; overflow-wrap: break-word; }
        td .sub { display: block; color: var(--faint); font-size: 12px; }
        td .changed { font-weight: 650; }
        tbody tr:nth-child(even) td { background: #fafbfc; }
        tbody tr:last-child td { border-bottom: 0; }
        td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.mono, code { font-family: var(--mono); font-size: 12.5px; }
        td.mono, td.nowrap { white-space: nowrap; overflow-wrap: normal; }
        td.pos { color: var(--good); }
        td.neg { color: var(--danger); }
        .badge { display: inline-block; padding: 0 7px; border-radius: 999px; font-size: 12px; font-weight: 600; background: #eef1f4; color: var(--muted); white-space: nowrap; }
        .badge.warning { background: #fdebc8; color: var(--warn); }
        .badge.accent { background: var(--accent-soft); color: var(--accent); }
        .badge.danger { background: var(--danger-soft); color: var(--danger); }
        .arrow { color: var(--faint); padding: 0 4px; }
        .chip { display: inline-block; padding: 0 6px; margin: 1px 0; border: 1px solid var(--line); border-radius: 4px; background: #fafbfc; }
        .empty { color: var(--faint); font-style: italic; }
        footer { margin-top: 24px; color: var(--faint); font-size: 12.5px; }
        footer code { font-size: 12px; overflow-wrap: anywhere; }
        @media (max-width: 720px) { .page { padding: 16px; } section { padding: 16px; } .grid { grid-template-columns: 1fr; } }
        @media print {
          body { background: #fff; font-size: 12px; }
          .page { max-width: none; padding: 0; }
          .toc, .table-tools input { display: none; }
          section { border: 0; padding: 0; margin: 18px 0; break-inside: auto; }
          figure, .cards, .callout { break-inside: avoid; }
          h2, h3, .lead, .figure-title { break-after: avoid; }
          thead th button::after { content: none; }
          .table-wrap, .table-wrap.tall { max-height: none; overflow: visible; border: 0; }
          thead th { position: static; }
          a { color: inherit; text-decoration: none; }
        }

        """

    /// Sortable and filterable tables; nothing else runs. Written for any browser of the last
    /// decade, and so that a table without a body or a filter without a table is simply skipped.
    static let script = """

        (function () {
          'use strict';
          function sortKey(cell) {
            if (!cell) { return ''; }
            var key = cell.getAttribute('data-sort');
            return key !== null ? key : cell.textContent.trim();
          }
          var tables = document.querySelectorAll('table[data-sortable]');
          Array.prototype.forEach.call(tables, function (table) {
            var body = table.tBodies[0];
            if (!body || !table.tHead || !table.tHead.rows.length) { return; }
            var headers = table.tHead.rows[0].cells;
            Array.prototype.forEach.call(headers, function (th, column) {
              var button = th.querySelector('button');
              if (!button) { return; }
              button.addEventListener('click', function () {
                var numeric = th.getAttribute('data-type') === 'number';
                var ascending = th.getAttribute('aria-sort') !== 'ascending';
                Array.prototype.forEach.call(headers, function (h) { h.removeAttribute('aria-sort'); });
                th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
                var rows = Array.prototype.slice.call(body.rows);
                rows.sort(function (a, b) {
                  var x = sortKey(a.cells[column]), y = sortKey(b.cells[column]);
                  var order = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
                  return ascending ? order : -order;
                });
                rows.forEach(function (row) { body.appendChild(row); });
              });
            });
          });
          var filters = document.querySelectorAll('input[data-filter]');
          Array.prototype.forEach.call(filters, function (input) {
            var table = document.getElementById(input.getAttribute('data-filter'));
            var count = document.getElementById(input.getAttribute('data-count'));
            if (!table || !table.tBodies[0]) { return; }
            input.addEventListener('input', function () {
              var query = input.value.trim().toLowerCase();
              var rows = table.tBodies[0].rows, shown = 0;
              for (var i = 0; i < rows.length; i++) {
                var hit = query === '' || rows[i].textContent.toLowerCase().indexOf(query) !== -1;
                rows[i].hidden = !hit;
                if (hit) { shown++; }
              }
              if (count) {
                count.textContent = shown === rows.length ? rows.length + (rows.length === 1 ? ' row' : ' rows')
                  : shown + ' of ' + rows.length + ' rows';
              }
            });
          });
        })();

        """
}
