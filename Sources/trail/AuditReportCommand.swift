import TrailCore

/// A `trail audit` report: it audits the store, then prints the audit as text, as JSON with
/// `--json`, or writes its HTML page with `--html FILE`. The run is the same for every report;
/// each says how it audits, how its page is made and how its text reads.
protocol AuditReportCommand: TrailCommand {
    /// What the report audits into (`ModelAudit`, `FlipsAudit`, ...).
    associatedtype Audit: Encodable
    /// The audit, made with `auditor`.
    func audit(_ auditor: Auditor) throws -> Audit
    /// The HTML page of `audit`, reading anything else it shows from `store`.
    func page(_ audit: Audit, store: Store) throws -> String
    /// Prints `audit` as text.
    func printText(_ audit: Audit)
}

extension AuditReportCommand {
    func run(in context: CommandContext) throws {
        let store = try context.store
        let audit = try audit(Auditor(store: store))
        try context.emit(audit, html: { try page(audit, store: store) }, text: printText)
    }
}
