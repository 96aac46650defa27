import Foundation
import Git
import GitFormat

/// What a pull did to the current branch.
public struct PullResult: Codable, Equatable {
    /// What became of the branch: `up-to-date`, `fast-forward`, `created`, `ahead` (nothing to take), `merged` or `conflicts`.
    public enum Outcome: String, Codable { case upToDate = "up-to-date", fastForward = "fast-forward", created, ahead, merged, conflicts }
    /// What the fetch brought in.
    public var fetch: FetchResult
    /// The current branch.
    public var branch: String
    /// What became of the branch.
    public var outcome: Outcome
    /// The commit the branch points at after the pull.
    public var commit: String
    /// The merge, when both sides had moved on.
    public var merge: MergeResult?
}

extension Remotes {
    /// Fetches `remote` and brings the current branch up to its remote branch: a fast-forward
    /// when only the remote moved, else a sample-level merge (see `Merger`) that stops on
    /// conflicts unless `strategy` settles them.
    public func pull(_ remote: String, credentials: CredentialProvider?, strategy: MergeStrategy = .stop,
                     author: Signature? = nil, acceptErasures: Bool = false,
                     progress: ((TransferProgress) -> Void)? = nil) throws -> PullResult {
        try store.withWriteLock {
            let repo = store.repository
            guard let branchRef = try store.currentBranchRef() else {
                throw TrailError(.invalidState, "HEAD is detached", hint: "switch to a branch with `trail checkout BRANCH` first")
            }
            let fetched = try fetchLocked(remote, credentials: credentials, progress: progress, acceptErasures: acceptErasures).0
            let name = String(branchRef.dropFirst("refs/heads/".count))
            guard let theirs = try repo.reference("refs/remotes/\(remote)/\(name)") else {
                throw TrailError(.notFound(.remoteBranch, name: "\(remote)/\(name)"), "\(remote) has no branch '\(name)'", hint: "push it with `trail push \(remote) \(name)`")
            }
            var result = PullResult(fetch: fetched, branch: name, outcome: .upToDate, commit: theirs.hex)
            guard let ours = try repo.reference(branchRef) else {
                try repo.updateReference(branchRef, to: theirs, expected: nil, message: "trail pull")
                result.outcome = .created
                try LineageUpdater(store: store).catchUp()
                return result
            }
            if ours == theirs { return result }
            if try repo.isDescendant(ours, of: theirs) {
                result.outcome = .ahead
                result.commit = ours.hex
                return result
            }
            guard try repo.isDescendant(theirs, of: ours) else {
                let signature = author ?? store.automaticSignature()
                let merge = try Merger(store: store).mergeLocked("\(remote)/\(name)", strategy: strategy,
                                                                 message: "Merge \(remote)/\(name) into \(name)", author: signature)
                result.merge = merge
                result.outcome = merge.outcome == .conflicts ? .conflicts : .merged
                result.commit = merge.commit ?? ours.hex
                return result
            }
            try repo.updateReference(branchRef, to: theirs, expected: ours, message: "trail pull: fast-forward")
            result.outcome = .fastForward
            // The remote's tip may still hold a sample erased here: carry it out again.
            _ = try Eraser(store: store).finishLocked(ErasureResult(), author: author ?? store.automaticSignature())
            try LineageUpdater(store: store).catchUp()
            return result
        }
    }
}
