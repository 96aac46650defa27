/// A model's stored predictions scored against one version's labels (`trail eval MODEL`).
public struct EvalScores: Codable, Equatable, Sendable {
    /// The model.
    public var model: String
    /// The predictions commit scored (`refs/predictions/MODEL`).
    public var predictionsCommit: String
    /// The version whose labels are the truth, as given (`HEAD`, a branch, tag, model or commit).
    public var labels: String
    /// Its commit.
    public var labelsCommit: String
    /// The label field scored.
    public var field: String
    /// Stored predictions.
    public var predictions: Int
    /// Predictions of samples the version holds: the ones scored.
    public var samples: Int
    /// Predictions of samples the version does not hold: counted, not scored.
    public var missing: Int
    /// The first missing samples' ids (up to 20, sorted by bytes).
    public var missingSamples: [String]
    /// Scored samples whose content was erased since (their labels are kept, so they are scored).
    public var erased: Int
    /// Samples predicted right.
    public var correct: Int
    /// `correct / samples`; absent when nothing was scored.
    public var accuracy: Double?
    /// The unweighted means over `perLabel` (scikit-learn's `average="macro"`).
    public var macroPrecision: Double?
    /// The unweighted mean of `perLabel` recalls; absent when nothing was scored.
    public var macroRecall: Double?
    /// The unweighted mean of `perLabel` F1 scores; absent when nothing was scored.
    public var macroF1: Double?
    /// Cohen's kappa of predictions against labels; absent when undefined.
    public var kappa: Double?
    /// Every label present as truth or prediction, most supported first.
    public var perLabel: [LabelScore]
    /// Rows the version's label, columns the predicted one, in `perLabel`'s order.
    public var confusion: Confusion
}

/// One label's scores (scikit-learn's `precision_recall_fscore_support`, `zero_division=0`).
public struct LabelScore: Codable, Equatable, Sendable {
    /// The label scored.
    public var label: String
    /// `correct / predicted`; 0 when nothing was predicted this label.
    public var precision: Double
    /// `correct / support`; 0 when no scored sample has this label.
    public var recall: Double
    /// The harmonic mean of precision and recall; 0 when both are 0.
    public var f1: Double
    /// Scored samples with this label.
    public var support: Int
    /// Scored samples predicted this label.
    public var predicted: Int
    /// Scored samples with this label predicted right.
    public var correct: Int
}

/// A confusion matrix with its labels.
public struct Confusion: Codable, Equatable, Sendable {
    /// Row and column labels (the same list).
    public var labels: [String]
    /// `counts[t][p]`: samples whose label is `labels[t]` that were predicted `labels[p]`.
    public var counts: [[Int]]
}

/// One model's predictions scored under two label versions, and the samples whose correctness
/// the relabels between them flipped (`trail eval MODEL --labels A --compare B`).
public struct EvalComparison: Codable, Equatable, Sendable {
    /// The model.
    public var model: String
    /// The label field scored.
    public var field: String
    /// The scores under A's labels, then under B's.
    public var from: EvalScores
    /// The scores under B's labels.
    public var to: EvalScores
    /// Predicted samples in both versions whose label differs between them.
    public var relabeled: Int
    /// How the relabels changed the model's correctness.
    public var flipped: Flips
}

/// Samples scored in both versions whose correctness differs.
public struct Flips: Codable, Equatable, Sendable {
    /// Right under A's label, wrong under B's.
    public var rightToWrong: Int
    /// Wrong under A's label, right under B's.
    public var wrongToRight: Int
    /// By the annotator and guideline version of B's record of each sample (who relabeled, under
    /// what), largest first.
    public var groups: [FlipGroup]
    /// Each flipped sample (with `--samples`), by id.
    public var samples: [FlipSample]?
}

/// Flips by one annotator under one guideline version.
public struct FlipGroup: Codable, Equatable, Sendable {
    /// The annotator of B's records in this group.
    public var annotator: String
    /// The guideline version of B's records in this group.
    public var guideline: String
    /// Samples in this group right under A's label, wrong under B's.
    public var rightToWrong: Int
    /// Samples in this group wrong under A's label, right under B's.
    public var wrongToRight: Int
}

/// One sample whose correctness flipped.
public struct FlipSample: Codable, Equatable, Sendable {
    /// The sample's id.
    public var id: String
    /// `right-to-wrong` or `wrong-to-right`.
    public var direction: String
    /// What the model predicted.
    public var predicted: String
    /// Its label in A, then in B.
    public var before: String
    /// Its label in B.
    public var after: String
    /// The annotator of B's record of the sample.
    public var annotator: String
    /// The guideline version of B's record of the sample.
    public var guideline: String
}

/// Two models scored on the same labels, and the samples only one of them gets right
/// (`trail eval MODEL_A MODEL_B`).
public struct ModelComparison: Codable, Equatable, Sendable {
    /// The version whose labels are the truth, as given (`HEAD`, a branch, tag, model or commit).
    public var labels: String
    /// Its commit.
    public var labelsCommit: String
    /// The label field scored.
    public var field: String
    /// The first model's scores, then the second's (each over its own predictions).
    public var models: [EvalScores]
    /// Samples both models predicted and the version holds.
    public var both: Int
    /// Of `both`, samples both models get right.
    public var bothRight: Int
    /// Of `both`, samples both models get wrong.
    public var bothWrong: Int
    /// Samples only the first (second) model gets right.
    public var onlyFirstRight: Int
    /// Samples only the second model gets right.
    public var onlySecondRight: Int
    /// Those samples (with `--samples`), by id.
    public var samples: [Disagreement]?
}

/// A sample only one of two models gets right.
public struct Disagreement: Codable, Equatable, Sendable {
    /// The sample's id.
    public var id: String
    /// Its label in the version.
    public var label: String
    /// What the first and the second model predicted.
    public var first: String
    /// What the second model predicted.
    public var second: String
    /// The model that is right.
    public var right: String
}
