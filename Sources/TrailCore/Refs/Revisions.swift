import Git
import GitFormat

/// Resolves the names users give for a version: a branch, a tag, a model name, a commit id
/// (abbreviated or not), or any git revision expression such as `HEAD~1`.
public struct Revisions {
    let store: Store

    /// Revision lookups in `store`.
    public init(store: Store) { self.store = store }

    /// The commit `spec` names. A name that is both a model and a branch or tag is rejected
    /// as ambiguous unless they point at the same commit.
    public func resolve(_ spec: String) throws -> ObjectID {
        let repo = store.repository
        var candidates: [(String, ObjectID)] = []
        for prefix in ["refs/heads/", "refs/tags/", Store.modelRefPrefix] where Repository.isValidReferenceName(prefix + spec) {
            if let id = try? repo.resolveCommit(prefix + spec) { candidates.append((prefix + spec, id)) }
        }
        if let first = candidates.first {
            if candidates.contains(where: { $0.1 != first.1 }) {
                throw TrailError(.usage, "'\(spec)' is ambiguous: it names \(candidates.map(\.0).joined(separator: " and "))",
                                 hint: "say which one, e.g. \(candidates.map { $0.0.replacingOccurrences(of: "refs/", with: "") }.joined(separator: " or "))")
            }
            return first.1
        }
        do {
            return try repo.resolveCommit(spec)
        } catch let error as GitError {
            if spec.hasPrefix("HEAD"), try store.headCommit() == nil {
                throw TrailError(.invalidState, "there are no commits yet", hint: "commit a manifest first: trail commit FILE -m MESSAGE")
            }
            if error.code == .notFound, walksBack(spec) {
                throw TrailError(.notFound(.revision, name: spec), "'\(spec)' goes back further than the history holds",
                                 hint: "`trail log` lists the commits; a first commit has no parent")
            }
            throw TrailError(.notFound(.revision, name: spec), "unknown revision '\(spec)' (\(error.message))",
                             hint: "use a branch, tag or model name (see `trail branch`, `trail tag`, `trail model list`) or a commit id from `trail log`")
        }
    }

    /// True when `spec` walks back from a commit that exists (`main~3`, `HEAD^2`, maybe then a
    /// path): a `.notFound` for it means the history is shorter than the walk. `^{...}` (peeling,
    /// searching) is no walk.
    private func walksBack(_ spec: String) -> Bool {
        guard let step = spec.firstIndex(where: { $0 == "~" || $0 == "^" }), !spec.contains("^{") else { return false }
        return (try? store.repository.resolveCommit(String(spec[..<step]))) != nil
    }

    /// The snapshot `spec` names.
    public func snapshot(_ spec: String) throws -> Snapshot {
        try Snapshot(repository: store.repository, commit: resolve(spec))
    }
}
