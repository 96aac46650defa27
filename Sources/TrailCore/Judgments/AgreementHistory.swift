/// Agreement in the versions before one, for the report's "alpha by guideline version over
/// commits" (through `AgreementCache`: the oldest is counted in full unless cached, each later one
/// from the one before it).
public struct AgreementHistory: Codable, Equatable, Sendable {
    /// One commit's agreement.
    public struct Point: Codable, Equatable, Sendable {
        /// The commit (40 hex).
        public var commit: String
        /// Its subject line.
        public var subject: String
        /// Its date (ISO 8601).
        public var date: String
        /// Alpha over all its samples with two or more judgments.
        public var krippendorffAlpha: Double?
        /// Alpha by guideline version.
        public var byGuideline: [AgreementReport.Group]
    }

    /// Oldest first.
    public var points: [Point]

    /// The commits reachable from `revision` by first parents, at most `limit`, newest included.
    public static func of(store: Store, from revision: String, limit: Int = 8) throws -> AgreementHistory {
        let revisions = Revisions(store: store)
        var points: [Point] = []
        // Oldest first, so each commit's counts start from its parent's, just cached.
        for entry in try CommitLog(store: store).entries(from: revision, limit: limit).reversed() {
            let snapshot = try revisions.snapshot(entry.commit)
            let report = try AgreementCache.counter(for: snapshot, store: store).report(commit: snapshot.commit)
            points.append(Point(commit: entry.commit, subject: entry.subject, date: entry.date,
                                krippendorffAlpha: report.krippendorffAlpha, byGuideline: report.byGuideline))
        }
        return AgreementHistory(points: points)
    }
}
