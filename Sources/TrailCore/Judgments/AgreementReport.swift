/// How well a version's annotators agree: over the samples with two or more judgments, overall,
/// by guideline version and by final label, and per annotator against the final labels
/// (`trail audit agreement`). Keys are snake_case, and undefined statistics are null (not absent),
/// as the issue that asked for the report names them.
public struct AgreementReport: Codable, Equatable, Sendable {
    /// One annotator's judgments against the final labels.
    public struct Annotator: Codable, Equatable, Sendable {
        /// The annotator, as judgments name them (`(none)` for judgments that name nobody).
        public var annotator: String
        /// Their judgments that give a label.
        public var judgments: Int
        /// The share of those that equal the sample's final label; null when they gave none.
        @NullEncoded public var agreementWithLabel: Double?
        /// Cohen's kappa of their labels against the final labels; null when undefined.
        @NullEncoded public var cohenKappa: Double?
        /// The final labels they most often judged otherwise, most frequent first (at most 5).
        public var mostDiffered: [Difference]

        enum CodingKeys: String, CodingKey {
            case annotator, judgments, agreementWithLabel = "agreement_with_label", cohenKappa = "cohen_kappa", mostDiffered = "most_differed"
        }
    }

    /// How often an annotator judged `to` where the final label is `from`.
    public struct Difference: Codable, Equatable, Sendable {
        /// The final label.
        public var from: String
        /// The annotator's label.
        public var to: String
        /// How many judgments.
        public var count: Int
    }

    /// Agreement over one group of samples (one guideline version, or one final label).
    public struct Group: Codable, Equatable, Sendable {
        /// The guideline version (in `by_guideline`) or final label (in `by_label`).
        public var name: String
        /// Krippendorff's alpha (nominal) over the group's samples with two or more judgments; null when undefined.
        public var krippendorffAlpha: Double?
        /// Samples with two or more judgments in the group.
        public var samples: Int
        /// Judgments (with a label) of those samples.
        public var judgments: Int
        /// `guideline` in `by_guideline`, `label` in `by_label`.
        let key: Key

        enum Key: String, Codable, Sendable { case guideline, label }
        private enum CodingKeys: String, CodingKey {
            case guideline, label, krippendorffAlpha = "krippendorff_alpha", samples, judgments
        }

        init(key: Key, name: String, tally: AgreementTally) {
            self.key = key
            self.name = name
            krippendorffAlpha = tally.krippendorffAlpha
            samples = tally.pairableUnits
            judgments = tally.pairableValues
        }

        /// Decodes what `encode(to:)` writes.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let g = try c.decodeIfPresent(String.self, forKey: .guideline) { key = .guideline; name = g } else {
                key = .label
                name = try c.decode(String.self, forKey: .label)
            }
            krippendorffAlpha = try c.decodeIfPresent(Double.self, forKey: .krippendorffAlpha)
            samples = try c.decode(Int.self, forKey: .samples)
            judgments = try c.decode(Int.self, forKey: .judgments)
        }

        /// Encodes with the snake_case keys of `CodingKeys`, an undefined statistic as `null` (not left out).
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: key == .guideline ? .guideline : .label)
            try c.encode(krippendorffAlpha, forKey: .krippendorffAlpha)
            try c.encode(samples, forKey: .samples)
            try c.encode(judgments, forKey: .judgments)
        }
    }

    /// Two annotators who judged the same samples, and how often they disagreed there.
    public struct Pair: Codable, Equatable, Sendable {
        /// The two annotators, in name order.
        public var annotators: [String]
        /// Samples both judged (with a label).
        public var samples: Int
        /// Of those, the samples where their labels differ.
        public var disagreements: Int
        /// `disagreements / samples`.
        public var disagreement: Double
    }

    /// The commit the report is of.
    public var commit: String
    /// The field whose labels the judgments give (the first label field they name).
    @NullEncoded public var field: String?
    /// Krippendorff's alpha (nominal) over samples with two or more judgments; null when undefined.
    @NullEncoded public var krippendorffAlpha: Double?
    /// Fleiss' kappa, when every such sample has the same number of judgments; else null.
    @NullEncoded public var fleissKappa: Double?
    /// Samples with two or more judgments (the ones alpha uses).
    public var samples: Int
    /// Judgments with a label, over every sample.
    public var judgments: Int
    /// Samples with exactly one judgment (left out of alpha: nothing to compare it with).
    public var singleJudgmentSamples: Int
    /// Judgments that give no label (missing), left out of every statistic.
    public var missingJudgments: Int
    /// Samples of the snapshot, judged or not.
    public var snapshotSamples: Int
    /// Per annotator, by name.
    public var annotators: [Annotator]
    /// Per guideline version of the judgments, by name.
    public var byGuideline: [Group]
    /// Per final label, by name.
    public var byLabel: [Group]
    /// The annotator pairs who disagree most (at most 10; pairs with fewer than `pairMinimum`
    /// shared samples are left out while enough pairs have more), most disagreeing first.
    public var pairs: [Pair]

    enum CodingKeys: String, CodingKey {
        case commit, field, krippendorffAlpha = "krippendorff_alpha", fleissKappa = "fleiss_kappa", samples, judgments
        case singleJudgmentSamples = "single_judgment_samples", missingJudgments = "missing_judgments", snapshotSamples = "snapshot_samples"
        case annotators, byGuideline = "by_guideline", byLabel = "by_label", pairs
    }

    /// Shared samples a pair needs to be ranked, unless fewer than 10 pairs have that many.
    public static let pairMinimum = 20

    /// True when the snapshot holds any judgment.
    public var hasJudgments: Bool { judgments + missingJudgments > 0 }
}
