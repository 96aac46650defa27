/// How well one label is predicted: scikit-learn's `precision_recall_fscore_support` for that
/// label, with its default `zero_division` behaviour (a 0 where the ratio is 0/0; scikit-learn
/// also warns, which a value cannot, so the counts are kept to tell). Made by a tally:
/// `ConfusionTally.scores(for:)`, `labelScores`.
public struct LabelScores: Sendable, Equatable, Codable {
    /// The label's code.
    public let code: Int
    /// Samples with this true label and this prediction (true positives).
    public let truePositives: Int
    /// Samples with this true label (scikit-learn's support).
    public let support: Int
    /// Samples predicted this label.
    public let predicted: Int

    /// True positives over predictions of the label; 0 when the label was never predicted.
    public var precision: Double { predicted > 0 ? Double(truePositives) / Double(predicted) : 0 }

    /// True positives over samples of the label; 0 when no sample truly has it.
    public var recall: Double { support > 0 ? Double(truePositives) / Double(support) : 0 }

    /// The harmonic mean of precision and recall, computed as scikit-learn does,
    /// 2·TP / (support + predicted): 0 when there is no true positive; for a label never seen
    /// either way 0/0, which gives 0 (such labels are not in `ConfusionTally.labelScores`).
    public var f1: Double {
        let denominator = support + predicted
        return denominator > 0 ? Double(2 * truePositives) / Double(denominator) : 0
    }
}

extension ConfusionTally {
    /// The scores of the label with this code (all zero if it never occurred).
    public func scores(for code: Int) -> LabelScores {
        guard code < labelCount else { return LabelScores(code: code, truePositives: 0, support: 0, predicted: 0) }
        return LabelScores(code: code, truePositives: matrix[code, code],
                           support: (0..<labelCount).reduce(0) { $0 + matrix[code, $1] },
                           predicted: (0..<labelCount).reduce(0) { $0 + matrix[$1, code] })
    }

    /// The scores of every label present in the truth or the predictions, by code: the labels
    /// scikit-learn scores when given no `labels` argument (`unique_labels(y_true, y_pred)`).
    public var labelScores: [LabelScores] {
        (0..<labelCount).map(scores(for:)).filter { $0.support > 0 || $0.predicted > 0 }
    }

    /// The unweighted mean of `labelScores`' precisions (scikit-learn's `average="macro"`): each
    /// label counts the same, however rare. A label only predicted counts with recall 0, one
    /// never predicted with precision 0. `nil` when nothing was counted.
    public var macroPrecision: Double? { macro(\.precision) }

    /// The unweighted mean of `labelScores`' recalls (scikit-learn's `average="macro"`).
    public var macroRecall: Double? { macro(\.recall) }

    /// The unweighted mean of `labelScores`' F1 scores (scikit-learn's `f1_score(average="macro")`:
    /// the mean of per-label F1, not the F1 of the mean precision and recall).
    public var macroF1: Double? { macro(\.f1) }

    private func macro(_ score: (LabelScores) -> Double) -> Double? {
        let scores = labelScores
        guard !scores.isEmpty else { return nil }
        return scores.reduce(0) { $0 + score($1) } / Double(scores.count)
    }
}
