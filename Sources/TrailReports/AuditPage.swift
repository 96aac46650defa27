import TrailCore

/// The HTML page of an audit that needs nothing but the audit itself: `trail audit flips`,
/// `annotator` and `disputed` (`FlipsAuditReport`, `AnnotatorAuditReport`,
/// `DisputedAuditReport`, each of which adds its `html()`).
public struct AuditPage<Audit> {
    /// The audit the page reports.
    public var audit: Audit
    /// At most this many rows are listed (relabeled samples, overturns, disputed samples).
    public var listLimit: Int
    /// When and how the page was made, for its header and footer.
    public var context: ReportContext

    /// A page of `audit`.
    public init(audit: Audit, listLimit: Int = 2000, context: ReportContext) {
        self.audit = audit
        self.listLimit = listLimit
        self.context = context
    }
}

/// The HTML report of `trail audit flips A B`: the relabels between two versions by annotator
/// × guideline version (a heat map), what they changed (a transition heat map), and every sample.
public typealias FlipsAuditReport = AuditPage<FlipsAudit>

/// The HTML report of `trail audit annotator ID`: how many of their labels were overturned,
/// by whom, under which guideline, and to what.
public typealias AnnotatorAuditReport = AuditPage<AnnotatorAudit>

/// The HTML report of `trail audit disputed`: samples relabeled again and again, flip-flops
/// (a label that came back) first, with who was involved.
public typealias DisputedAuditReport = AuditPage<DisputedAudit>
