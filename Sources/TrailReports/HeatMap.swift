import Foundation

/// A matrix of counts as a heat map: rows × columns of cells, darker for more, with the count
/// in each cell, totals at the right and bottom, and a color legend. With many labels only the
/// busiest rows and columns are drawn; the rest are summed into an "Other" row and column.
struct HeatMap {
    var rows: [String]
    var columns: [String]
    /// `cells[row][column]`.
    var cells: [[Int]]
    var rowTitle: String
    var columnTitle: String
    /// What a cell counts, for tooltips: "samples".
    var unit = "samples"
    /// Names this chart's gradient; unique within a page.
    var id: String
    /// The label that sums rows or columns left out, if any (set by `init(triples:)`).
    var otherRow: String?
    var otherColumn: String?
    /// The legend's words for an empty cell where row and column are the same label.
    var sameLabelNote = "same label (no change)"

    /// A heat map of (row, column, count) triples, rows and columns ordered by their totals,
    /// each axis cut to its `limit` busiest labels (the rest summed into "Other").
    init(triples: [(row: String, column: String, count: Int)], rowTitle: String, columnTitle: String, unit: String = "samples",
         id: String, limit: Int = 18, rowKind: String = "labels", columnKind: String = "labels") {
        var rowTotals: [String: Int] = [:], columnTotals: [String: Int] = [:]
        for t in triples {
            rowTotals[t.row, default: 0] += t.count
            columnTotals[t.column, default: 0] += t.count
        }
        func ordered(_ totals: [String: Int]) -> [String] { totals.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key) }
        var rowOrder = ordered(rowTotals), columnOrder = ordered(columnTotals)
        var otherRow: String?, otherColumn: String?
        if rowOrder.count > limit {
            otherRow = "Other (\(rowOrder.count - limit + 1) \(rowKind))"
            rowOrder = Array(rowOrder.prefix(limit - 1)) + [otherRow!]
        }
        if columnOrder.count > limit {
            otherColumn = "Other (\(columnOrder.count - limit + 1) \(columnKind))"
            columnOrder = Array(columnOrder.prefix(limit - 1)) + [otherColumn!]
        }
        let rowIndex = Dictionary(uniqueKeysWithValues: rowOrder.enumerated().map { ($1, $0) })
        let columnIndex = Dictionary(uniqueKeysWithValues: columnOrder.enumerated().map { ($1, $0) })
        var cells = Array(repeating: Array(repeating: 0, count: columnOrder.count), count: rowOrder.count)
        for t in triples {
            let r = rowIndex[t.row] ?? rowOrder.count - 1, c = columnIndex[t.column] ?? columnOrder.count - 1
            cells[r][c] += t.count
        }
        self.rows = rowOrder
        self.columns = columnOrder
        self.cells = cells
        self.rowTitle = rowTitle
        self.columnTitle = columnTitle
        self.unit = unit
        self.id = id
        self.otherRow = otherRow
        self.otherColumn = otherColumn
    }

    /// Says that some rows or columns were summed, when they were.
    var otherNote: String? {
        otherRow == nil && otherColumn == nil ? nil
            : "Only the busiest have their own row or column; the rest are summed under Other, in grey (off the color scale)."
    }

    func render() -> String {
        guard !rows.isEmpty, !columns.isEmpty else { return "<p class=\"empty\">Nothing to show.</p>" }
        let fontSize = 12.0
        let n = columns.count
        let cell = n <= 6 ? 56.0 : n <= 10 ? 46.0 : n <= 14 ? 38.0 : 32.0
        let maxLabel = 210.0
        let rowLabelWidth = min(maxLabel, max(50, rows.map { TextMeasure.width($0, fontSize: fontSize) }.max() ?? 0)) + 12
        let longestColumn = min(maxLabel, columns.map { TextMeasure.width($0, fontSize: fontSize) }.max() ?? 0)
        let titleHeight = 20.0
        let columnLabelHeight = longestColumn * 0.71 + 16 // labels at -45°
        let rowTitleWidth = 22.0
        let left = rowTitleWidth + rowLabelWidth
        let top = titleHeight + columnLabelHeight
        let totalWidth = 58.0
        let legendHeight = 54.0
        let gridWidth = Double(n) * cell, gridHeight = Double(rows.count) * cell
        // The rotated column labels lean right, past the last column.
        let width = max(left + gridWidth + totalWidth + 8, left + gridWidth + longestColumn * 0.71 - cell / 2 + 10, left + 330)
        let height = top + gridHeight + cell * 0.7 + legendHeight
        // The color scale fits the cells of labels of their own; the summed Other cells may pass it (darkest).
        var ownCells: [Int] = []
        for (r, row) in cells.enumerated() where rows[r] != otherRow {
            for (c, v) in row.enumerated() where columns[c] != otherColumn { ownCells.append(v) }
        }
        let maxCount = max(1, (ownCells.isEmpty ? cells.flatMap { $0 } : ownCells).max() ?? 1)
        var svg = SVG.open(width, height, label: "Heat map: \(rowTitle) by \(columnTitle)")

        // Axis titles.
        svg += SVG.text(columnTitle + " \u{2192}", left + gridWidth / 2, 13, anchor: "middle", cls: "label strong")
        let midY = top + gridHeight / 2
        svg += SVG.text(rowTitle + " \u{2192}", 14, midY, anchor: "middle", cls: "label strong",
                        extra: "transform=\"rotate(-90 14 \(Format.svg(midY)))\"")

        // Column labels, rotated.
        for (c, label) in columns.enumerated() {
            let x = left + Double(c) * cell + cell / 2, y = top - 8
            svg += SVG.text(TextMeasure.fit(label, maxWidth: maxLabel, fontSize: fontSize), x, y,
                            cls: label == otherColumn ? "label axis" : "label", tip: label,
                            extra: "transform=\"rotate(-45 \(Format.svg(x)) \(Format.svg(y)))\"")
        }
        svg += SVG.text("Total", left + gridWidth + totalWidth / 2, top - 8, anchor: "middle", cls: "axis")

        // Cells.
        for (r, label) in rows.enumerated() {
            let y = top + Double(r) * cell
            svg += SVG.text(TextMeasure.fit(label, maxWidth: maxLabel, fontSize: fontSize), left - 8, y + cell / 2 + 4,
                            anchor: "end", cls: label == otherRow ? "label axis" : "label", tip: label)
            for c in 0..<n {
                let x = left + Double(c) * cell, count = cells[r][c]
                let same = label == columns[c] && label != otherRow
                if count == 0 {
                    svg += SVG.rect(x + 1, y + 1, cell - 2, cell - 2, fill: same ? "#e9ecf0" : "#f6f7f9", rx: 2)
                    if same { svg += SVG.line(x + cell * 0.3, y + cell * 0.7, x + cell * 0.7, y + cell * 0.3, stroke: "#cbd2d9") }
                    continue
                }
                // Sums of many labels are not on the scale: grey, so they do not outshout the rest.
                let summed = label == otherRow || columns[c] == otherColumn
                let t = summed ? 0 : HeatMap.level(count, max: maxCount)
                svg += SVG.rect(x + 1, y + 1, cell - 2, cell - 2, fill: summed ? "#dde2e8" : HeatMap.color(t), rx: 2,
                                tip: "\(label) \u{2192} \(columns[c]): \(Format.count(count)) \(unit)")
                let text = TextMeasure.width(Format.count(count), fontSize: 11.5) < cell - 6 ? Format.count(count) : SVG.compact(count)
                svg += SVG.text(text, x + cell / 2, y + cell / 2 + 4, anchor: "middle", cls: t > 0.55 ? "value on-dark" : "value",
                                size: cell < 36 ? 10.5 : 11.5, extra: "pointer-events=\"none\"")
            }
            let rowTotal = cells[r].reduce(0, +)
            svg += SVG.text(Format.count(rowTotal), left + gridWidth + totalWidth / 2, y + cell / 2 + 4, anchor: "middle", cls: "axis")
        }
        // Column totals.
        let totalsY = top + gridHeight + 16
        for c in 0..<n {
            let columnTotal = cells.reduce(0) { $0 + $1[c] }
            svg += SVG.text(Format.count(columnTotal), left + Double(c) * cell + cell / 2, totalsY, anchor: "middle", cls: "axis")
        }
        svg += SVG.text("Total", left - 8, totalsY, anchor: "end", cls: "axis")

        // Legend: the gradient on the same square-root scale as the cells, with a few counts.
        let legendY = top + gridHeight + cell * 0.7 + 8, legendWidth = 220.0, lx = left
        svg += "<defs><linearGradient id=\"\(esc(id))-scale\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"0\">"
        for k in 0...8 {
            let t = Double(k) / 8
            svg += "<stop offset=\"\(Format.svg(t * 100))%\" stop-color=\"\(HeatMap.color(HeatMap.lightest + (1 - HeatMap.lightest) * t))\"/>"
        }
        svg += "</linearGradient></defs>"
        svg += SVG.text("\(unit.prefix(1).uppercased() + unit.dropFirst()) per cell", lx, legendY + 8, cls: "axis")
        svg += SVG.rect(lx, legendY + 14, legendWidth, 10, fill: "url(#\(esc(id))-scale)", rx: 2)
        var ticks = [1]
        if maxCount <= 6 {
            ticks = Array(1...maxCount)
        } else {
            let step = SVG.niceStep(maxCount, count: 3)
            var v = step
            while v < maxCount { if v > 1 { ticks.append(v) }; v += step }
            ticks.append(maxCount)
        }
        func tickX(_ v: Int) -> Double { lx + (HeatMap.level(v, max: maxCount) - HeatMap.lightest) / (1 - HeatMap.lightest) * legendWidth }
        // Drop ticks that would crowd their neighbour (the largest always stays).
        var kept: [Int] = []
        for v in ticks where v == maxCount || (tickX(maxCount) - tickX(v) > 26 && (kept.last.map { tickX(v) - tickX($0) > 26 } ?? true)) {
            kept.append(v)
        }
        for v in kept {
            let tx = tickX(v)
            svg += SVG.line(tx, legendY + 24, tx, legendY + 28, stroke: Palette.axis)
            svg += SVG.text(Format.count(v), tx, legendY + 39, anchor: "middle", cls: "axis")
        }
        if rows.contains(where: { columns.contains($0) }) {
            let sx = lx + legendWidth + 28
            svg += SVG.rect(sx, legendY + 13, 12, 12, fill: "#e9ecf0", rx: 2)
            svg += SVG.line(sx + 3.5, legendY + 21.5, sx + 8.5, legendY + 16.5, stroke: "#cbd2d9")
            svg += SVG.text(sameLabelNote, sx + 18, legendY + 23, cls: "axis")
        }
        return svg + "</svg>"
    }

    /// Where a count of 1 sits on the color scale: light, but clearly not an empty cell.
    static let lightest = 0.2

    /// A count's place on the color scale, from `lightest` (1) to 1 (`max`), on a square-root
    /// scale so that small counts stay distinguishable beside one large one.
    static func level(_ count: Int, max: Int) -> Double {
        guard max > 1 else { return count > 1 ? 1 : 0.6 }
        return lightest + (1 - lightest) * min(1, (Double(count - 1) / Double(max - 1)).squareRoot())
    }

    /// The sequential blue scale, `t` from 0 (lightest) to 1 (darkest).
    static func color(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [(232, 240, 252), (180, 205, 242), (118, 162, 228), (57, 109, 199), (22, 58, 128)]
        let x = min(1, max(0, t)) * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(x)), f = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
}
