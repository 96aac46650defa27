/// Predictions scored against the truth, counted in one streaming pass: each sample brings the
/// label code it truly has (say, a label version's label) and the one predicted (a stored model
/// prediction, or an annotator's judgment). Memory is labels², whatever the number of samples.
/// The scores follow scikit-learn's definitions, so numbers match what a team computes in Python.
public struct ConfusionTally: Sendable, Equatable, Codable {
    /// Rows the true label, columns the predicted one.
    var matrix = CountMatrix()
    /// The number of pairs counted.
    public private(set) var count = 0

    /// An empty tally.
    public init() {}

    /// A tally of two label sequences of the same length, paired by position.
    public init(truth: [Int], predicted: [Int]) {
        precondition(truth.count == predicted.count, "one prediction per true label")
        for (t, p) in zip(truth, predicted) { add(truth: t, predicted: p) }
    }

    /// Counts one sample.
    public mutating func add(truth: Int, predicted: Int) {
        precondition(truth >= 0 && predicted >= 0, "label codes are not negative")
        matrix.add(truth, predicted)
        count += 1
    }

    /// Takes out a sample that `add` counted (for tallies kept up to date as samples change).
    mutating func remove(truth: Int, predicted: Int) {
        matrix.add(truth, predicted, -1)
        count -= 1
    }

    /// Adds another tally's counts (for tallies counted in parallel over parts of a dataset).
    public mutating func merge(_ other: ConfusionTally) {
        matrix.merge(other.matrix)
        count += other.count
    }

    /// The number of rows and columns of `confusionMatrix`: the largest label code seen, true
    /// or predicted, plus one.
    public var labelCount: Int { matrix.size }

    /// The confusion matrix, indexed by label code: `confusionMatrix[t][p]` samples had true
    /// label t and were predicted p (scikit-learn's `confusion_matrix` layout). Codes below
    /// `labelCount` that occur neither way have a row and a column of zeros.
    public var confusionMatrix: [[Int]] { matrix.rows }

    /// How many samples have each label as truth (each label's support), by code.
    public var truthCounts: [Int] { (0..<labelCount).map { t in (0..<labelCount).reduce(0) { $0 + matrix[t, $1] } } }

    /// How many samples were predicted each label, by code.
    public var predictedCounts: [Int] { (0..<labelCount).map { p in (0..<labelCount).reduce(0) { $0 + matrix[$1, p] } } }

    /// The share of samples predicted right; `nil` when nothing was counted.
    public var accuracy: Double? {
        count > 0 ? Double(matrix.trace) / Double(count) : nil
    }
}
