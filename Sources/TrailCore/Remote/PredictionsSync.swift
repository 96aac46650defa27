import Git
import GitFormat

/// How predictions travel: `refs/predictions/NAME` comes in through the quarantine as
/// `trail/predictions/NAME` (under `trail/`, so that it is never taken for a branch or a snapshot
/// history), is checked like everything else, and then moves the local ref forward when it
/// extends it; a push sends the local ref when the remote's is absent or behind it.
extension Remotes {
    /// The quarantine's (and remote-tracking) place of a remote's predictions, below the prefix.
    static let incomingPredictions = "trail/predictions/"

    /// After a fetch was admitted: each remote predictions ref that belongs with the model of
    /// that name here (the same registration) creates or fast-forwards the local one. Returns
    /// the names taken and the clashes (`predictions/NAME`: another registration, or both sides
    /// stored predictions since they last met), which are left as they are here.
    func reconcilePredictions(remote: String) throws -> (taken: [String], conflicts: [String]) {
        let repo = store.repository
        let prefix = "refs/remotes/\(remote)/" + Self.incomingPredictions
        var taken: [String] = [], conflicts: [String] = []
        for ref in try repo.references(matching: prefix + "*") {
            let name = String(ref.name.dropFirst(prefix.count))
            let local = Predictions.refPrefix + name
            let theirs = try StoredPredictions.read(ref.target, repository: repo, name: name)
            guard let model = try repo.reference(Store.modelRefPrefix + name), model.hex == theirs.info.registration else {
                conflicts.append("predictions/\(name)")
                continue
            }
            guard let mine = try repo.reference(local) else {
                try repo.updateReference(local, to: ref.target, expected: nil, message: "trail fetch: predictions")
                taken.append(name)
                continue
            }
            if try mine == ref.target || repo.isDescendant(mine, of: ref.target) { continue }
            if try repo.isDescendant(ref.target, of: mine) {
                try repo.updateReference(local, to: ref.target, expected: mine, message: "trail fetch: predictions")
                taken.append(name)
            } else {
                conflicts.append("predictions/\(name)")
            }
        }
        return (taken, conflicts)
    }

    /// The refspecs that push local predictions the remote lacks or holds an older version of
    /// (never forced: a remote's that is not behind ours is left, and named in `notSent`).
    func predictionPushes(remote: String) throws -> (refspecs: [String], notSent: [String]) {
        let repo = store.repository
        var refspecs: [String] = [], notSent: [String] = []
        for ref in try repo.references(matching: Predictions.refPrefix + "*") {
            let name = String(ref.name.dropFirst(Predictions.refPrefix.count))
            switch try repo.reference("refs/remotes/\(remote)/" + Self.incomingPredictions + name) {
            case nil: refspecs.append("\(ref.name):\(ref.name)")
            case let theirs? where theirs == ref.target: break
            case let theirs? where (try? repo.isDescendant(ref.target, of: theirs)) == true: refspecs.append("\(ref.name):\(ref.name)")
            default: notSent.append("predictions/\(name)")
            }
        }
        return (refspecs, notSent)
    }
}

extension IncomingCheck {
    /// The problems of an incoming predictions ref (`trail/predictions/NAME`): it must name a
    /// commit, and each commit of its history that no local predictions ref reaches must be a
    /// predictions commit of that model (see `StoredPredictions.problems`).
    func predictionsProblems(_ name: String, _ target: ObjectID, shown: String) -> [String] {
        let repo = store.repository
        let model = String(name.dropFirst(Remotes.incomingPredictions.count))
        guard repo.header(target)?.type == .commit else {
            return ["\(shown) is a \(repo.header(target)?.type.name ?? "missing object"), not a commit of predictions"]
        }
        guard Repository.isValidReferenceName(Predictions.refPrefix + model) else { return ["\(shown) has a name that is not a valid model name"] }
        var known: [ObjectID] = []
        for glob in [Predictions.refPrefix + "*", "refs/remotes/*"] {
            for ref in (try? repo.references(matching: glob)) ?? [] where glob != "refs/remotes/*" || ref.name.contains("/" + Remotes.incomingPredictions) {
                known.append(ref.target)
            }
        }
        let commits: [ObjectID]
        do { commits = try repo.commits(from: [target], hiding: known) } catch {
            return ["\(shown): its history cannot be read: \(error)"]
        }
        var problems: [String] = []
        for commit in commits {
            problems += StoredPredictions.problems(commit, name: model, repository: repo).map { "\(remote)'s " + $0 }
            if problems.count >= 50 { break }
        }
        return problems
    }
}
