import Foundation
import TrailCore

/// One point on a timeline: a commit, or a version of a sample.
struct TimelinePoint {
    /// The short name under the point (a short commit id).
    var title: String
    /// ISO 8601.
    var date: String?
    /// What a tooltip says (the commit's subject and author).
    var tooltip: String
    /// A count drawn as a bar above the point (the commit's samples).
    var value: Int?
    /// A short text just above the point (a sample's label in that version).
    var note: String?
    /// Models registered on it, drawn as flags.
    var models: [String] = []
    /// Badges such as "A" and "B" for the two versions a diff compares.
    var marks: [String] = []
}

/// Commits (or versions) oldest to newest, one slot each: sample counts as bars, the points on a
/// line, models as flags above, the compared versions as badges, dates and ids below. Slots are
/// evenly spaced, so commits made minutes apart stay as readable as those months apart.
struct TimelineChart {
    var points: [TimelinePoint]
    /// What the bars count.
    var valueName = "samples"
    var maxWidth = 1060.0

    func render() -> String {
        guard !points.isEmpty else { return "<p class=\"empty\">No commits.</p>" }
        let n = Double(points.count)
        let right = 24.0
        // Rotated labels hang down to the left of their point: room for the first one.
        let rotatedGuess = (maxWidth - 82) / n < 88
        let labelLength = rotatedGuess ? 150.0 : 30.0
        var left = rotatedGuess ? 100.0 : 58.0
        let slot = min(110, max(16, (maxWidth - left - right) / n))
        let width = max(520, left + right + slot * n)
        left += (width - (left + right + slot * n)) / 2 // few points: centered
        let hasValues = points.contains { $0.value != nil }
        let hasNotes = points.contains { $0.note != nil }
        let rotated = rotatedGuess
        func cx(_ i: Int) -> Double { left + slot * (Double(i) + 0.5) }

        // Model flags and badges: pills centered on their point, stacked in rows so none overlaps another.
        struct Pill { var point: Int; var text: String; var tip: String; var x: Double; var width: Double; var row = 0 }
        func pills(_ texts: (Int, TimelinePoint) -> [(String, String)], fontSize: Double, rows maxRows: Int) -> [Pill] {
            var out: [Pill] = [], rowEnds: [Double] = []
            for (i, p) in points.enumerated() {
                for (text, tip) in texts(i, p) {
                    let shown = TextMeasure.fit(text, maxWidth: 160, fontSize: fontSize)
                    let w = TextMeasure.width(shown, fontSize: fontSize) + 14
                    let x = min(max(cx(i) - w / 2, 2), width - w - 2)
                    var pill = Pill(point: i, text: shown, tip: tip, x: x, width: w)
                    pill.row = rowEnds.firstIndex { $0 + 4 <= x } ?? (rowEnds.count < maxRows ? rowEnds.count : rowEnds.indices.min { rowEnds[$0] < rowEnds[$1] }!)
                    if pill.row == rowEnds.count { rowEnds.append(x + w) } else { rowEnds[pill.row] = max(rowEnds[pill.row], x + w) }
                    out.append(pill)
                }
            }
            return out
        }
        let flags = pills({ _, p in p.models.map { ($0, "model \($0) on \(p.title)") } }, fontSize: 11, rows: 4)
        let badges = pills({ _, p in p.marks.isEmpty ? [] : [(p.marks.joined(separator: " \u{00b7} "), "\(p.marks.joined(separator: ", ")): \(p.title)")] },
                           fontSize: 11, rows: 3)
        let flagRows = (flags.map(\.row).max() ?? -1) + 1, badgeRows = (badges.map(\.row).max() ?? -1) + 1

        // Zones, top to bottom.
        var y = 8.0
        let flagTop = y
        y += Double(flagRows) * 21 + (flagRows > 0 ? 4 : 0)
        let markTop = y
        y += Double(badgeRows) * 21 + (badgeRows > 0 ? 3 : 0)
        y += hasValues ? 18 : 0 // room for the counts above the bars
        let barsTop = y
        let barsHeight = hasValues ? 110.0 : 0
        y += barsHeight + (hasValues ? 6 : 0)
        let noteY = y + 10
        y += hasNotes ? 24 : 0
        let lineY = y + 8
        y = lineY + 12
        let height = y + (rotated ? labelLength * 0.77 + 8 : labelLength)

        var svg = SVG.open(width, height, label: "Timeline of \(points.count) points")

        // Sample counts: bars on a y axis from zero.
        if hasValues {
            let maxValue = max(1, points.compactMap(\.value).max() ?? 1)
            let step = SVG.niceStep(maxValue, count: 3), top = Int((Double(maxValue) / Double(step)).rounded(.up)) * step
            var tick = 0
            while tick <= top {
                let ty = barsTop + barsHeight - Double(tick) / Double(top) * barsHeight
                svg += SVG.line(left - 4, ty, left + slot * n, ty, stroke: Palette.grid)
                svg += SVG.text(SVG.compact(tick), left - 8, ty + 4, anchor: "end", cls: "axis")
                tick += step
            }
            let barWidth = max(4, min(34, slot * 0.56))
            for (i, p) in points.enumerated() {
                guard let v = p.value else { continue }
                let h = Double(v) / Double(top) * barsHeight
                svg += SVG.rect(cx(i) - barWidth / 2, barsTop + barsHeight - h, barWidth, h,
                                fill: p.marks.isEmpty ? "#c9d6ea" : "#8fb0e6", rx: 1.5,
                                tip: "\(p.title): \(Format.count(v)) \(valueName)")
                if slot >= 44 {
                    svg += SVG.text(Format.count(v), cx(i), barsTop + barsHeight - h - 4, anchor: "middle", cls: "value", size: 10.5)
                }
            }
        }

        // Stems from each flag down to its point, then the flags and badges over them.
        for f in flags {
            svg += SVG.line(cx(f.point), flagTop + Double(f.row) * 21 + 17, cx(f.point), lineY - 6, stroke: Palette.model, dash: "3 3")
        }
        for f in flags {
            let fy = flagTop + Double(f.row) * 21
            svg += SVG.rect(f.x, fy, f.width, 17, fill: Palette.model, rx: 8.5, tip: f.tip)
            svg += SVG.text(f.text, f.x + f.width / 2, fy + 12.5, anchor: "middle", cls: "value on-dark", size: 11, extra: "pointer-events=\"none\"")
        }
        for b in badges {
            let by = markTop + Double(b.row) * 21
            svg += SVG.rect(b.x, by, b.width, 17, fill: Palette.mark, rx: 3, tip: b.tip)
            svg += SVG.text(b.text, b.x + b.width / 2, by + 12.5, anchor: "middle", cls: "value on-dark strong", size: 11, extra: "pointer-events=\"none\"")
        }

        // The line through the points.
        svg += SVG.line(left, lineY, left + slot * n, lineY, stroke: "#cbd2d9", width: 2)

        for (i, p) in points.enumerated() {
            let x = cx(i)
            if let note = p.note {
                svg += SVG.text(TextMeasure.fit(note, maxWidth: slot - 6, fontSize: 11.5), x, noteY + 4, anchor: "middle",
                                cls: "label strong", size: 11.5, tip: note)
            }
            let emphasized = !p.marks.isEmpty || !p.models.isEmpty
            svg += "<circle cx=\"\(Format.svg(x))\" cy=\"\(Format.svg(lineY))\" r=\"\(emphasized ? 6 : 4.5)\" fill=\""
                + "\(!p.models.isEmpty ? Palette.model : !p.marks.isEmpty ? Palette.mark : "#ffffff")\" stroke=\""
                + "\(!p.models.isEmpty ? Palette.model : Palette.mark)\" stroke-width=\"2\"><title>\(esc(p.tooltip))</title></circle>"

            // Labels below: the id and the day.
            let day = Format.day(p.date)
            if rotated {
                let ly = lineY + 18
                svg += SVG.text(TextMeasure.fit("\(p.title)  \(day)", maxWidth: labelLength, fontSize: 11), x + 3, ly, anchor: "end",
                                cls: "axis", tip: p.tooltip, extra: "transform=\"rotate(-50 \(Format.svg(x + 3)) \(Format.svg(ly)))\"")
            } else {
                svg += SVG.text(p.title, x, lineY + 22, anchor: "middle", cls: "axis", tip: p.tooltip)
                svg += SVG.text(day, x, lineY + 36, anchor: "middle", cls: "axis")
            }
        }
        return svg + "</svg>"
    }
}

extension TimelineChart {
    /// The timeline of a commit history (newest first, as `CommitLog` returns it): oldest on the
    /// left, models marked on the commits they trained on, `marks` as badges on the commits they name.
    init(history: [CommitSummary], models: [ModelInfo], marks: [String: [String]] = [:]) {
        var modelsByCommit: [String: [String]] = [:]
        for m in models.sorted(by: { ($0.registeredAt ?? "", $0.name) < ($1.registeredAt ?? "", $1.name) }) {
            modelsByCommit[m.commit, default: []].append(m.name)
        }
        points = history.reversed().map { c in
            TimelinePoint(title: Format.commit(c.commit), date: c.date,
                          tooltip: "\(Format.commit(c.commit)) \u{2014} \(c.subject)\n\(c.author), \(Format.date(c.date))"
                              + (c.samples.map { "\n\(Format.count($0)) samples" } ?? ""),
                          value: c.samples, note: nil, models: modelsByCommit[c.commit] ?? [], marks: marks[c.commit] ?? [])
        }
    }
}

/// The commit history behind a report, as a chart and a table.
enum HistorySection {
    /// The section body: the timeline chart, a caption, and the table of commits.
    static func body(history: [CommitSummary], models: [ModelInfo], marks: [String: [String]], limit: Int, id: String) -> String {
        guard !history.isEmpty else { return "<p class=\"empty\">No commits.</p>" }
        let chart = TimelineChart(history: history, models: models, marks: marks)
        var html = HTMLPage.figure("Commits, oldest to newest", chart.render(),
                                   caption: "Bars: samples in each commit. Purple flags: models registered on a commit "
                                       + "(the data they trained on). Dark badges: the versions this report is about.")
        if history.count >= limit {
            html += HTMLPage.note("Showing the last \(limit) commits. `trail log` lists them all.")
        }
        var modelsByCommit: [String: [ModelInfo]] = [:]
        for m in models { modelsByCommit[m.commit, default: []].append(m) }
        let rows: [[HTMLTable.Cell]] = history.map { c in
            let refs = c.refs.filter { !$0.hasPrefix("model: ") }
            let tags = (marks[c.commit] ?? []).map { "<span class=\"badge accent\">\(esc($0))</span>" }
                + (modelsByCommit[c.commit] ?? []).sorted { $0.name < $1.name }.map { "<span class=\"chip\">model \(esc($0.name))</span>" }
                + refs.map { "<span class=\"chip\">\(esc($0))</span>" }
            return [
                .markup(esc(Format.date(c.date)), sortKey: c.date), .text(Format.commit(c.commit)), .text(c.subject), .text(c.author),
                c.samples.map { .count($0) } ?? .none,
                tags.isEmpty ? .none : .markup(tags.joined(separator: " "), sortKey: (marks[c.commit] ?? []).joined() + refs.joined()),
            ]
        }
        html += HTMLTable(id: "\(id)-commits", columns: [.text("Date", nowrap: true), .text("Commit", mono: true), .text("Message"), .text("Author"),
                                                          .number("Samples"), .text("Marks and refs")],
                          rows: rows).render()
        let modelRows: [[HTMLTable.Cell]] = models.filter { m in history.contains { $0.commit == m.commit } }
            .sorted { ($0.registeredAt ?? "", $0.name) < ($1.registeredAt ?? "", $1.name) }
            .map { m in
                [.text(m.name), .text(Format.commit(m.commit)), .markup(esc(Format.date(m.registeredAt)), sortKey: m.registeredAt ?? ""),
                 m.registeredBy.map { .text($0) } ?? .none,
                 m.meta.isEmpty ? .none : .text(m.meta.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "  "))]
            }
        if !modelRows.isEmpty {
            html += HTMLPage.subheading("Models registered on these commits")
            html += HTMLTable(id: "\(id)-models", columns: [.text("Model"), .text("Trained on", mono: true), .text("Registered", nowrap: true),
                                                             .text("By"), .text("Metadata")],
                              rows: modelRows).render()
        }
        return html
    }
}
