/// One annotator's judgments against the final labels, in full (`trail audit annotator`).
public struct AnnotatorJudgments: Codable, Equatable, Sendable {
    /// Agreement by guideline version of the judgments.
    public struct ByGuideline: Codable, Equatable, Sendable {
        /// The guideline version.
        public var guideline: String
        /// Their judgments (with a label) under it.
        public var judgments: Int
        /// The share equal to the final label.
        @NullEncoded public var agreementWithLabel: Double?
        /// Cohen's kappa against the final labels.
        @NullEncoded public var cohenKappa: Double?

        enum CodingKeys: String, CodingKey {
            case guideline, judgments, agreementWithLabel = "agreement_with_label", cohenKappa = "cohen_kappa"
        }
    }
    /// The commit the judgments are read from.
    public var commit: String
    /// The totals, as in `AgreementReport.annotators`.
    public var summary: AgreementReport.Annotator
    /// The labels of `confusion`'s rows and columns.
    public var labels: [String]
    /// `confusion[f][j]`: judgments of label `labels[j]` on samples whose final label is `labels[f]`.
    public var confusion: [[Int]]
    /// By guideline version, by name.
    public var byGuideline: [ByGuideline]

    enum CodingKeys: String, CodingKey { case commit, summary, labels, confusion, byGuideline = "by_guideline" }
}
