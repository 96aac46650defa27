import Git
import GitFormat

/// The one answer to which refs are snapshot history: the refs whose commits (and their
/// ancestors) are versions of the dataset, which the index, erasure, `trail verify` and the
/// incoming check must all see alike.
enum HistoryRef {
    /// `refs/heads/…`
    case branch
    /// `refs/tags/…`
    case tag
    /// `refs/models/…`
    case model
    /// `refs/remotes/<remote>/…`: a branch, tag or model a fetch brought. The remote's content
    /// list and erasure log (`refs/remotes/<remote>/trail/…`) are not snapshots.
    case fetched

    /// The kind of history ref `name` is, or nil when it is none (the content ref, the erasure
    /// log, a fetch's quarantine, refs Trail does not write).
    init?(_ name: String) {
        if name.hasPrefix("refs/heads/") {
            self = .branch
        } else if name.hasPrefix("refs/tags/") {
            self = .tag
        } else if name.hasPrefix(Store.modelRefPrefix) {
            self = .model
        } else if name.hasPrefix("refs/remotes/") && !name.contains("/trail/") {
            self = .fetched
        } else {
            return nil
        }
    }
}

extension Store {
    /// The history refs that lead to a commit, with that commit: branches, then tags, then models,
    /// then, with `includingFetched`, what fetches brought. Erasure and the incoming check need
    /// those too (a fetched version holds content; what a fetch brought is the store's already);
    /// the lineage index leaves them out, as it records the history of this store's own refs.
    func historyRefs(includingFetched: Bool) throws -> [(name: String, kind: HistoryRef, commit: ObjectID)] {
        var refs: [(String, HistoryRef, ObjectID)] = []
        for prefix in ["refs/heads/", "refs/tags/", Store.modelRefPrefix] + (includingFetched ? ["refs/remotes/"] : []) {
            for ref in try repository.references(matching: prefix + "*") {
                guard let kind = HistoryRef(ref.name), let commit = try? repository.resolveCommit(ref.name) else { continue }
                refs.append((ref.name, kind, commit))
            }
        }
        return refs
    }
}
