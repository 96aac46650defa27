/// The agreement section of `trail diff A B`: alpha in A and in B (overall and by guideline
/// version), and the annotators whose agreement with the final label moved most. Only when
/// either version holds judgments.
public struct DiffAgreement: Codable, Equatable, Sendable {
    /// One version's agreement.
    public struct Side: Codable, Equatable, Sendable {
        /// The commit (40 hex).
        public var commit: String
        /// Krippendorff's alpha over its samples with two or more judgments.
        @NullEncoded public var krippendorffAlpha: Double?
        /// Fleiss' kappa (null unless every such sample has as many judgments).
        @NullEncoded public var fleissKappa: Double?
        /// Samples with two or more judgments.
        public var samples: Int
        /// Judgments with a label.
        public var judgments: Int
        /// Alpha by guideline version.
        public var byGuideline: [AgreementReport.Group]

        enum CodingKeys: String, CodingKey {
            case commit, krippendorffAlpha = "krippendorff_alpha", fleissKappa = "fleiss_kappa", samples, judgments, byGuideline = "by_guideline"
        }

        init(_ r: AgreementReport) {
            commit = r.commit
            krippendorffAlpha = r.krippendorffAlpha
            fleissKappa = r.fleissKappa
            samples = r.samples
            judgments = r.judgments
            byGuideline = r.byGuideline
        }
    }

    /// An annotator's agreement with the final label in A and in B.
    public struct Moved: Codable, Equatable, Sendable {
        /// The annotator.
        public var annotator: String
        /// Agreement with the final label in A (null when they had no judgment there).
        @NullEncoded public var before: Double?
        /// In B.
        @NullEncoded public var after: Double?
        /// `after − before`, null unless both are known.
        @NullEncoded public var change: Double?
        /// Their judgments in A and in B.
        public var judgmentsBefore: Int, judgmentsAfter: Int

        enum CodingKeys: String, CodingKey {
            case annotator, before, after, change, judgmentsBefore = "judgments_before", judgmentsAfter = "judgments_after"
        }
    }

    /// Agreement in A.
    public var before: Side
    /// Agreement in B.
    public var after: Side
    /// Annotators in either, by how far their agreement with the final label moved (at most
    /// 10; those judging in one version only come last).
    public var annotators: [Moved]

    /// The section between `a` and `b`, nil when neither holds a judgment.
    static func between(_ a: AgreementReport, _ b: AgreementReport) -> DiffAgreement? {
        guard a.hasJudgments || b.hasJudgments else { return nil }
        var old: [String: AgreementReport.Annotator] = [:], new: [String: AgreementReport.Annotator] = [:]
        for x in a.annotators { old[x.annotator] = x }
        for x in b.annotators { new[x.annotator] = x }
        let moved: [Moved] = Set(old.keys).union(new.keys).map { name in
            let x = old[name]?.agreementWithLabel, y = new[name]?.agreementWithLabel
            return Moved(annotator: name, before: x, after: y, change: x.flatMap { x in y.map { $0 - x } },
                         judgmentsBefore: old[name]?.judgments ?? 0, judgmentsAfter: new[name]?.judgments ?? 0)
        }.filter { $0.change != 0 }
        let ranked = moved.sorted { p, q in
            switch (p.change, q.change) {
            case let (x?, y?): return (abs(x), q.annotator) > (abs(y), p.annotator)
            case (.some, nil): return true
            case (nil, .some): return false
            default: return p.annotator < q.annotator
            }
        }
        return DiffAgreement(before: Side(a), after: Side(b), annotators: Array(ranked.prefix(10)))
    }
}

extension Differ {
    /// The agreement section between two versions, nil when neither holds a judgment. When the
    /// index says the store has never held one, no record is read.
    public func agreement(_ old: Snapshot, _ new: Snapshot) throws -> DiffAgreement? {
        if let index = try? store.openIndex(), (try? index.rows("SELECT 1 FROM commits LIMIT 1").isEmpty) == false,
           (try? index.rows("SELECT 1 FROM judgments LIMIT 1").isEmpty) == true {
            return nil
        }
        let a = try AgreementCache.counter(for: old, store: store).report(commit: old.commit)
        let b = try AgreementCache.counter(for: new, store: store).report(commit: new.commit)
        return DiffAgreement.between(a, b)
    }
}
