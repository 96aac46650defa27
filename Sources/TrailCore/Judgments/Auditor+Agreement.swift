extension Auditor {
    /// Annotator agreement in the version `revision` (a commit, branch, tag or model), from its
    /// records' judgments.
    public func agreement(at revision: String) throws -> AgreementReport {
        let snapshot = try Revisions(store: store).snapshot(revision)
        return try AgreementCache.counter(for: snapshot, store: store).report(commit: snapshot.commit)
    }

    /// One annotator's judgments in `revision` against its final labels: their confusion and
    /// their agreement by guideline version; nil when they made no judgment there.
    public func judgments(of annotator: String, at revision: String = "HEAD") throws -> AnnotatorJudgments? {
        let snapshot = try Revisions(store: store).snapshot(revision)
        return try AgreementCache.counter(for: snapshot, store: store).judgments(of: annotator, commit: snapshot.commit)
    }
}
