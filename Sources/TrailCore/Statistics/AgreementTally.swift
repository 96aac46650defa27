/// Agreement among annotators, counted in one streaming pass: each unit (a sample) brings the
/// label codes its coders (annotators) gave it, and the tally keeps only what Krippendorff's alpha
/// and Fleiss' kappa need — how many units had how many values, how often each value occurs in
/// pairable units, and the pairs of values within units (the coincidences). Memory is
/// labels² × distinct rating counts, whatever the number of units.
///
/// Coders are not identified: nominal alpha and Fleiss' kappa depend only on the values within
/// each unit, so a sample judged by three of sixty annotators is one unit of three values.
public struct AgreementTally: Sendable, Equatable, Codable {
    /// How many units had each number of values: `unitsByRatings[m]` units had `m` values
    /// (0 or 1 included; those are not pairable).
    public private(set) var unitsByRatings: [Int] = []
    /// How often each label code occurs among the values of pairable units (Krippendorff's n_c).
    public private(set) var valueCounts: [Int] = []
    /// `pairs[m]` counts, over units of `m` values, the ordered pairs of two different values
    /// (by position) of the unit: (c, k) for every value c and every other value k. Kept apart
    /// per `m`, in integers, so the coincidences (each unit's pairs weighed by 1/(m−1)) are
    /// exact and tallies merge exactly; the sizes are few (the judgments asked per sample).
    var pairs: [CountMatrix] = []

    /// An empty tally.
    public init() {}

    /// A tally of reliability data in Krippendorff's layout: one row per coder, one column per
    /// unit, `nil` where that coder did not judge that unit. Every row must have the same length.
    public init(coders: [[Int?]]) {
        let unitCount = coders.first?.count ?? 0
        precondition(coders.allSatisfy { $0.count == unitCount }, "every coder has one value or nil per unit")
        var values: [Int] = []
        for unit in 0..<unitCount {
            values.removeAll(keepingCapacity: true)
            for coder in coders { if let v = coder[unit] { values.append(v) } }
            add(unit: values)
        }
    }

    /// Counts one unit: the label codes (0 or more) that its coders gave it, one per judgment;
    /// a coder who did not judge the unit gives nothing. A unit with fewer than 2 values has no
    /// pair to compare and is counted only in `unitsByRatings`.
    public mutating func add(unit values: [Int]) { count(unit: values, sign: 1) }

    /// Takes out a unit that `add(unit:)` counted (for tallies kept up to date as units change).
    mutating func remove(unit values: [Int]) { count(unit: values, sign: -1) }

    private mutating func count(unit values: [Int], sign: Int) {
        let m = values.count
        if m >= unitsByRatings.count { unitsByRatings += [Int](repeating: 0, count: m + 1 - unitsByRatings.count) }
        unitsByRatings[m] += sign
        guard m >= 2 else { return }
        if m >= pairs.count { pairs += [CountMatrix](repeating: CountMatrix(), count: m + 1 - pairs.count) }
        for i in 0..<m {
            let c = values[i]
            precondition(c >= 0, "label codes are not negative")
            if c >= valueCounts.count { valueCounts += [Int](repeating: 0, count: c + 1 - valueCounts.count) }
            valueCounts[c] += sign
            for j in 0..<m where j != i { pairs[m].add(c, values[j], sign) }
        }
    }

    /// Adds another tally's counts, as if its units had been added to this one (for tallies
    /// counted in parallel over parts of a dataset).
    public mutating func merge(_ other: AgreementTally) {
        if other.unitsByRatings.count > unitsByRatings.count {
            unitsByRatings += [Int](repeating: 0, count: other.unitsByRatings.count - unitsByRatings.count)
        }
        for (m, n) in other.unitsByRatings.enumerated() { unitsByRatings[m] += n }
        if other.valueCounts.count > valueCounts.count {
            valueCounts += [Int](repeating: 0, count: other.valueCounts.count - valueCounts.count)
        }
        for (c, n) in other.valueCounts.enumerated() { valueCounts[c] += n }
        if other.pairs.count > pairs.count { pairs += [CountMatrix](repeating: CountMatrix(), count: other.pairs.count - pairs.count) }
        for (m, matrix) in other.pairs.enumerated() { pairs[m].merge(matrix) }
    }

    /// The number of units added.
    public var units: Int { unitsByRatings.reduce(0, +) }

    /// The number of units with at least 2 values: the only ones alpha uses.
    public var pairableUnits: Int { unitsByRatings.dropFirst(2).reduce(0, +) }

    /// The number of values in pairable units (Krippendorff's n).
    public var pairableValues: Int { valueCounts.reduce(0, +) }

    /// The number of rows and columns of `coincidences`: the largest label code in a pairable
    /// unit plus one.
    public var labelCount: Int { valueCounts.count }

    /// Krippendorff's coincidence matrix, indexed by label code: `coincidences[c][k]` sums, over
    /// pairable units, the pairs (c, k) of different coders' values, each unit's pairs weighed by
    /// 1/(m−1) for its m values, so that each unit contributes m in all. Symmetric; the row sums
    /// are `valueCounts`.
    public var coincidences: [[Double]] {
        var result = [[Double]](repeating: [Double](repeating: 0, count: labelCount), count: labelCount)
        for (m, matrix) in pairs.enumerated() where m >= 2 && matrix.size > 0 {
            for c in 0..<matrix.size {
                for k in 0..<matrix.size where matrix[c, k] != 0 { result[c][k] += Double(matrix[c, k]) / Double(m - 1) }
            }
        }
        return result
    }
}
