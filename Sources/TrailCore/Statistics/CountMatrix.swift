/// A square matrix of counts indexed by label code, that grows as larger codes arrive: the
/// tallies meet their labels while streaming and cannot size it beforehand. Storage grows by
/// doubling, so `size` (the largest code seen plus one) and the row stride differ.
struct CountMatrix: Sendable {
    /// The number of rows and of columns: the largest code counted plus one.
    private(set) var size = 0
    private var stride = 0
    private var cells: [Int] = []

    init() {}

    /// Adds `n` to the cell at (`row`, `column`).
    @inline(__always)
    mutating func add(_ row: Int, _ column: Int, _ n: Int = 1) {
        let needed = max(row, column) + 1
        if needed > size { grow(to: needed) }
        cells[row * stride + column] += n
    }

    /// The count at (`row`, `column`); 0 outside the matrix.
    subscript(row: Int, column: Int) -> Int {
        row < size && column < size ? cells[row * stride + column] : 0
    }

    /// Makes the matrix at least `needed` × `needed` (new cells are 0).
    mutating func grow(to needed: Int) {
        guard needed > size else { return }
        if needed > stride {
            let newStride = max(needed, stride * 2, 8)
            var newCells = [Int](repeating: 0, count: newStride * newStride)
            for r in 0..<size {
                for c in 0..<size { newCells[r * newStride + c] = cells[r * stride + c] }
            }
            cells = newCells
            stride = newStride
        }
        size = needed
    }

    /// Adds another matrix cell by cell.
    mutating func merge(_ other: CountMatrix) {
        grow(to: other.size)
        for r in 0..<other.size {
            for c in 0..<other.size { cells[r * stride + c] += other[r, c] }
        }
    }

    /// The rows, `size` × `size`.
    var rows: [[Int]] {
        (0..<size).map { r in Array(cells[r * stride ..< r * stride + size]) }
    }

    /// The sum of the diagonal.
    var trace: Int { (0..<size).reduce(0) { $0 + cells[$1 * stride + $1] } }

    /// The sum of every cell.
    var total: Int { (0..<size).reduce(0) { sum, r in cells[r * stride ..< r * stride + size].reduce(sum, +) } }
}

extension CountMatrix: Equatable {
    // The logical cells only: two matrices with the same counts are equal whatever their stride.
    static func == (a: CountMatrix, b: CountMatrix) -> Bool { a.rows == b.rows }
}

extension CountMatrix: Codable {
    init(from decoder: Decoder) throws {
        let rows = try decoder.singleValueContainer().decode([[Int]].self)
        self.init()
        grow(to: rows.count)
        for (r, row) in rows.enumerated() {
            guard row.count == rows.count else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a count matrix must be square"))
            }
            for (c, n) in row.enumerated() { cells[r * stride + c] = n }
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rows)
    }
}
