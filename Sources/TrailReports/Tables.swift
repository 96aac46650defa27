import Foundation

/// An HTML table whose columns sort when their header is clicked, optionally with a filter
/// box above it. Cells hold plain text (escaped here) or markup the report built itself.
struct HTMLTable {
    /// A column: its title, and whether it holds numbers (right-aligned, sorted numerically).
    struct Column {
        var title: String
        var numeric = false
        /// Ids and hashes: shown in a monospace font, never wrapped.
        var mono = false
        /// Dates and other short values that read badly when wrapped.
        var nowrap = false

        static func text(_ title: String, mono: Bool = false, nowrap: Bool = false) -> Column {
            Column(title: title, mono: mono, nowrap: nowrap)
        }
        static func number(_ title: String) -> Column { Column(title: title, numeric: true) }
    }

    /// One cell.
    enum Cell {
        /// Plain text.
        case text(String)
        /// A count, shown with thousands separators.
        case count(Int)
        /// A signed change, colored green when up and red when down.
        case delta(Int)
        /// A share of a total, sorted by its value.
        case percent(Int, of: Int)
        /// Markup made by the report, with the plain text to sort by.
        case markup(String, sortKey: String)
        /// Nothing to show (a muted dash).
        case none
    }

    /// The table's element id (also names its filter box).
    var id: String
    var columns: [Column]
    var rows: [[Cell]]
    /// Shows a filter box above the table when it has more rows than this.
    var filterAbove = 8
    /// Caps the table's height (it scrolls, with a sticky header) when it has more rows than this.
    var scrollAbove = 15
    /// A sentence below the table, e.g. that only the first rows are shown.
    var footnote: String?

    /// When the table lists only the first `limit` of `total` rows (`what` they are, e.g.
    /// "overturns"), says so below it, and which command lists them all.
    mutating func noteFirst(_ limit: Int, of total: Int, _ what: String, allListedBy command: String) {
        guard total > limit else { return }
        footnote = "Showing the first \(Format.count(limit)) of \(Format.count(total)) \(what). `\(command)` lists them all."
    }

    func render() -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">None.</p>\n" }
        var html = ""
        if rows.count > filterAbove {
            html += "<div class=\"table-tools\"><input type=\"search\" placeholder=\"Filter rows\u{2026}\" aria-label=\"Filter rows\" "
                + "data-filter=\"\(esc(id))\" data-count=\"\(esc(id))-count\"><span class=\"count\" id=\"\(esc(id))-count\">"
                + "\(Format.plural(rows.count, "row"))</span></div>"
        }
        html += "<div class=\"table-wrap\(rows.count > scrollAbove ? " tall" : "")\"><table id=\"\(esc(id))\" data-sortable>"
        html += "<thead><tr>"
        for c in columns {
            let cls = c.numeric ? " class=\"num\" data-type=\"number\"" : ""
            html += "<th scope=\"col\"\(cls)><button type=\"button\">\(esc(c.title))</button></th>"
        }
        html += "</tr></thead><tbody>"
        for row in rows {
            html += "<tr>"
            for (i, cell) in row.enumerated() {
                let column = i < columns.count ? columns[i] : Column(title: "")
                html += render(cell, column)
            }
            html += "</tr>"
        }
        html += "</tbody></table></div>\n"
        if let footnote { html += HTMLPage.note(footnote) }
        return html
    }

    private func render(_ cell: Cell, _ column: Column) -> String {
        let mono = (column.mono ? " mono" : "") + (column.nowrap ? " nowrap" : "")
        switch cell {
        case .text(let s):
            return mono.isEmpty ? "<td>\(esc(s))</td>" : "<td class=\"\(mono.dropFirst())\">\(esc(s))</td>"
        case .count(let n):
            return "<td class=\"num\" data-sort=\"\(n)\">\(Format.count(n))</td>"
        case .delta(let n):
            return "<td class=\"num\(n > 0 ? " pos" : n < 0 ? " neg" : "")\" data-sort=\"\(n)\">\(Format.signed(n))</td>"
        case .percent(let part, let total):
            let value = total > 0 ? Double(part) / Double(total) : 0
            return "<td class=\"num\" data-sort=\"\(value)\">\(Format.percent(part, of: total))</td>"
        case .markup(let html, let key):
            let cls = (column.numeric ? "num" : "") + mono
            return "<td\(cls.isEmpty ? "" : " class=\"\(cls.trimmingCharacters(in: .whitespaces))\"") data-sort=\"\(esc(key))\">\(html)</td>"
        case .none:
            return "<td class=\"\(column.numeric ? "num " : "")empty\" data-sort=\"\">\u{2013}</td>"
        }
    }
}
