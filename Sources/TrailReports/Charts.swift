import Foundation

/// The colors the charts share.
enum Palette {
    static let before = "#9aa5b1"
    static let after = "#2459c4"
    static let bar = "#3b6fd1"
    static let other = "#b8c2cc"
    static let track = "#f0f3f7"
    static let grid = "#e4e7eb"
    static let axis = "#9aa5b1"
    static let up = "#18794e"
    static let down = "#b42318"
    static let model = "#7048e8"
    static let mark = "#163d82"
    static let ink = "#1f2933"
}

/// Small helpers for writing SVG by hand: every text goes through `escapeHTML`.
enum SVG {
    /// The opening tag of a chart `width` × `height` pixels, described by `label` for screen readers.
    static func open(_ width: Double, _ height: Double, label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Format.svg(width))\" height=\"\(Format.svg(height))\" "
            + "viewBox=\"0 0 \(Format.svg(width)) \(Format.svg(height))\" role=\"img\" aria-label=\"\(esc(label))\">"
    }

    /// A rectangle, with a tooltip when `tip` is given.
    static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, rx: Double = 0, tip: String? = nil,
                     extra: String = "") -> String {
        let attrs = "x=\"\(Format.svg(x))\" y=\"\(Format.svg(y))\" width=\"\(Format.svg(max(0, w)))\" height=\"\(Format.svg(max(0, h)))\" "
            + "fill=\"\(fill)\"\(rx > 0 ? " rx=\"\(Format.svg(rx))\"" : "")\(extra.isEmpty ? "" : " " + extra)"
        if let tip { return "<rect \(attrs)><title>\(esc(tip))</title></rect>" }
        return "<rect \(attrs)/>"
    }

    /// A text element; `anchor` is start, middle or end.
    static func text(_ s: String, _ x: Double, _ y: Double, anchor: String = "start", cls: String = "label", size: Double? = nil,
                     fill: String? = nil, tip: String? = nil, extra: String = "") -> String {
        var attrs = "x=\"\(Format.svg(x))\" y=\"\(Format.svg(y))\" class=\"\(cls)\""
        if anchor != "start" { attrs += " text-anchor=\"\(anchor)\"" }
        if let size { attrs += " font-size=\"\(Format.svg(size))\"" }
        if let fill { attrs += " fill=\"\(fill)\"" }
        if !extra.isEmpty { attrs += " " + extra }
        return "<text \(attrs)>\(tip.map { "<title>\(esc($0))</title>" } ?? "")\(esc(s))</text>"
    }

    /// A straight line.
    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil) -> String {
        "<line x1=\"\(Format.svg(x1))\" y1=\"\(Format.svg(y1))\" x2=\"\(Format.svg(x2))\" y2=\"\(Format.svg(y2))\" stroke=\"\(stroke)\" "
            + "stroke-width=\"\(Format.svg(width))\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>"
    }

    /// Two white slashes across a bar at `x`: the bar is longer than the scale shows.
    static func breakMark(_ x: Double, _ y: Double, _ height: Double) -> String {
        "<path d=\"M\(Format.svg(x - 3)) \(Format.svg(y + height + 1)) L\(Format.svg(x + 1)) \(Format.svg(y - 1)) "
            + "M\(Format.svg(x + 2)) \(Format.svg(y + height + 1)) L\(Format.svg(x + 6)) \(Format.svg(y - 1))\" stroke=\"#ffffff\" stroke-width=\"2\"/>"
    }

    /// A round tick step near `max / count`: 1, 2 or 5 times a power of ten.
    static func niceStep(_ max: Int, count: Int = 5) -> Int {
        guard max > 0 else { return 1 }
        let raw = Double(max) / Double(count)
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        return Swift.max(1, Int(step))
    }

    /// A compact count for tight spaces: `950`, `1.2k`, `35k`, `1.2M`.
    static func compact(_ n: Int) -> String {
        let m = Double(n.magnitude), sign = n < 0 ? "\u{2212}" : ""
        if m < 1000 { return sign + String(n.magnitude) }
        if m < 10_000 { return sign + String(format: "%.1fk", m / 1000) }
        if m < 1_000_000 { return sign + String(format: "%.0fk", m / 1000) }
        return sign + String(format: "%.1fM", m / 1_000_000)
    }
}

/// A horizontal bar chart: one labeled bar per item, largest first, with the count (and share
/// of `total`) at the end of each bar. Items past `limit` are summed into one grey bar.
struct BarChart {
    struct Bar {
        var label: String
        var value: Int
    }

    var bars: [Bar]
    /// When set, each bar also shows its share of this total.
    var total: Int?
    var limit = 15
    var color = Palette.bar
    var width = 500.0
    /// What a bar counts, for tooltips: "relabels", "samples".
    var unit = "samples"
    /// What the grey bar sums: "other annotators".
    var otherName = "others"

    /// Bars from a dictionary, largest first, ties by name.
    init(_ counts: [String: Int], total: Int? = nil, limit: Int = 15, unit: String = "samples", otherName: String = "others") {
        bars = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { Bar(label: $0.key, value: $0.value) }
        self.total = total
        self.limit = limit
        self.unit = unit
        self.otherName = otherName
    }

    /// Bars in the order given.
    init(bars: [Bar], total: Int? = nil, limit: Int = 15, unit: String = "samples", otherName: String = "others") {
        self.bars = bars
        self.total = total
        self.limit = limit
        self.unit = unit
        self.otherName = otherName
    }

    func render() -> String {
        guard !bars.isEmpty else { return "<p class=\"empty\">None.</p>" }
        let (shown, otherIndex) = keepingFirst(limit, of: bars) { rest in
            Bar(label: "\(Format.count(rest.count)) \(otherName)", value: rest.reduce(0) { $0 + $1.value })
        }
        let fontSize = 12.0, rowHeight = 24.0, barHeight = 15.0
        let labelWidth = min(220, max(60, shown.map { TextMeasure.width($0.label, fontSize: fontSize) }.max() ?? 0) + 10)
        func valueText(_ v: Int) -> String {
            total.map { "\(Format.count(v))  (\(Format.percent(v, of: $0)))" } ?? Format.count(v)
        }
        let valueWidth = (shown.map { TextMeasure.width(valueText($0.value), fontSize: 11.5) }.max() ?? 40) + 10
        let barArea = max(80, width - labelWidth - valueWidth)
        // The scale fits the bars of their own; the summed bar may run off it (drawn broken).
        let maxValue = max(1, shown.enumerated().filter { $0.offset != otherIndex }.map(\.element.value).max() ?? 1)
        let height = Double(shown.count) * rowHeight + 6
        var svg = SVG.open(width, height, label: "Bar chart of \(bars.count) items")
        for (i, bar) in shown.enumerated() {
            let y = 3 + Double(i) * rowHeight
            let w = min(1, Double(bar.value) / Double(maxValue)) * barArea
            let tip = "\(bar.label): \(Format.plural(bar.value, String(unit.dropLast()), unit))"
                + (total.map { " (\(Format.percent(bar.value, of: $0)))" } ?? "")
            svg += SVG.text(TextMeasure.fit(bar.label, maxWidth: labelWidth - 10, fontSize: fontSize), labelWidth - 8, y + 16,
                            anchor: "end", tip: bar.label)
            svg += SVG.rect(labelWidth, y + (rowHeight - barHeight) / 2, barArea, barHeight, fill: Palette.track, rx: 2)
            svg += SVG.rect(labelWidth, y + (rowHeight - barHeight) / 2, max(bar.value > 0 ? 2 : 0, w), barHeight,
                            fill: i == otherIndex ? Palette.other : color, rx: 2, tip: tip)
            if bar.value > maxValue { svg += SVG.breakMark(labelWidth + barArea * 0.9, y + (rowHeight - barHeight) / 2, barHeight) }
            svg += SVG.text(valueText(bar.value), labelWidth + barArea + 6, y + 16, cls: "value")
        }
        return svg + "</svg>"
    }
}

/// Before/after bars per label: a grey bar for the older version and a blue one for the newer,
/// the counts at their ends and the change at the right, on a shared scale with gridlines.
struct GroupedBarChart {
    struct Group {
        var label: String
        var before: Int
        var after: Int
    }

    var groups: [Group]
    var beforeName: String
    var afterName: String
    var limit = 25
    var width = 1000.0

    func render() -> String {
        guard !groups.isEmpty else { return "<p class=\"empty\">No labels.</p>" }
        let (shown, otherIndex) = keepingFirst(limit, of: groups) { rest in
            Group(label: "\(Format.count(rest.count)) other labels", before: rest.reduce(0) { $0 + $1.before },
                  after: rest.reduce(0) { $0 + $1.after })
        }
        let fontSize = 12.0, rowHeight = 34.0, barHeight = 11.0
        let legendHeight = 28.0, axisHeight = 22.0
        let labelWidth = min(230, max(70, shown.map { TextMeasure.width($0.label, fontSize: fontSize) }.max() ?? 0) + 12)
        let deltaWidth = 70.0, valueRoom = 56.0
        let barArea = max(120, width - labelWidth - deltaWidth - valueRoom)
        // The scale fits the labels of their own; the summed row may run off it (drawn broken).
        let maxValue = max(1, shown.enumerated().filter { $0.offset != otherIndex }.map { max($0.element.before, $0.element.after) }.max() ?? 1)
        let step = SVG.niceStep(maxValue), top = Int((Double(maxValue) / Double(step)).rounded(.up)) * step
        let scale = barArea / Double(top)
        let height = legendHeight + Double(shown.count) * rowHeight + axisHeight
        var svg = SVG.open(width, height, label: "Label counts in \(beforeName) and \(afterName)")

        // Legend.
        var x = labelWidth
        for (name, color) in [(beforeName, Palette.before), (afterName, Palette.after)] {
            svg += SVG.rect(x, 6, 12, 12, fill: color, rx: 2)
            let text = TextMeasure.fit(name, maxWidth: 260, fontSize: fontSize)
            svg += SVG.text(text, x + 17, 16.5, tip: name)
            x += 17 + TextMeasure.width(text, fontSize: fontSize) + 22
        }
        svg += SVG.text("change", width - 8, 16.5, anchor: "end", cls: "axis")

        // Gridlines and axis.
        let plotTop = legendHeight, plotBottom = legendHeight + Double(shown.count) * rowHeight
        var tick = 0
        while tick <= top {
            let gx = labelWidth + Double(tick) * scale
            svg += SVG.line(gx, plotTop, gx, plotBottom, stroke: Palette.grid)
            svg += SVG.text(Format.count(tick), gx, plotBottom + 15, anchor: "middle", cls: "axis")
            tick += step
        }

        for (i, g) in shown.enumerated() {
            let y = plotTop + Double(i) * rowHeight
            let isOther = i == otherIndex
            svg += SVG.text(TextMeasure.fit(g.label, maxWidth: labelWidth - 12, fontSize: fontSize), labelWidth - 8, y + 21,
                            anchor: "end", cls: isOther ? "label axis" : "label", tip: g.label)
            for (k, (value, color, name)) in [(g.before, Palette.before, beforeName), (g.after, Palette.after, afterName)].enumerated() {
                let by = y + 5 + Double(k) * (barHeight + 2)
                let w = min(Double(top), Double(value)) * scale
                svg += SVG.rect(labelWidth, by, max(value > 0 ? 1.5 : 0, w), barHeight,
                                fill: isOther ? (k == 0 ? "#cbd2d9" : Palette.other) : color, rx: 1.5,
                                tip: "\(g.label) in \(name): \(Format.count(value))")
                if value > top { svg += SVG.breakMark(labelWidth + w * 0.92, by, barHeight) }
                svg += SVG.text(Format.count(value), labelWidth + w + 5, by + 9.5, cls: "value", size: 10.5)
            }
            let delta = g.after - g.before
            svg += SVG.text(Format.signed(delta), width - 8, y + 21, anchor: "end", cls: "value strong",
                            fill: delta > 0 ? Palette.up : delta < 0 ? Palette.down : "#7b8794")
            if i > 0 { svg += SVG.line(0, y, width, y, stroke: "#f0f3f7") }
        }
        return svg + "</svg>"
    }
}

/// The first `limit` items, and past that one more that `fold` makes of the rest (an "Other"
/// row), with its index so a chart can draw it apart.
func keepingFirst<T>(_ limit: Int, of items: [T], fold: (ArraySlice<T>) -> T) -> (shown: [T], otherIndex: Int?) {
    guard items.count > limit else { return (items, nil) }
    return (Array(items.prefix(limit)) + [fold(items.dropFirst(limit))], limit)
}
