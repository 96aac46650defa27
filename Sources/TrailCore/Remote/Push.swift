import Foundation
import Git
import GitFormat

/// What a push sent.
public struct PushResult: Codable, Equatable {
    /// The remote pushed to.
    public var remote: String
    /// The branch pushed.
    public var branch: String
    /// The commit the remote branch now points at.
    public var commit: String
    /// Tags and models not sent because the remote holds a different one under the name, and
    /// predictions (`predictions/NAME`) the remote holds a version of that ours does not extend.
    public var notSent: [String] = []
}

extension Remotes {
    /// Pushes `branch` (default: the current one) with every tag, model, the content ref and the
    /// erasure log. Fetches first, so that the content ref sent is the union of both sides; the
    /// push is refused if the remote's content ref moved in between (another push), and retried.
    public func push(_ remote: String, branch: String?, credentials: CredentialProvider?,
                     progress: ((TransferProgress) -> Void)? = nil) throws -> PushResult {
        try store.withWriteLock {
            let repo = store.repository
            guard let branchRef = try branch.map({ "refs/heads/" + $0 }) ?? store.currentBranchRef(),
                  let tip = try repo.reference(branchRef) else {
                throw TrailError(branch.map { .notFound(.branch, name: $0) } ?? .invalidState, "nothing to push: \(branch.map { "no branch named '\($0)'" } ?? "the current branch has no commits")",
                                 hint: "`trail branch` lists the branches")
            }
            var lastError: Error?
            for _ in 0..<3 {
                let seenContent = try fetchLocked(remote, credentials: credentials, progress: nil).remoteContent
                // A store made before the content ref was a commit: wrap its tree, since only
                // commits and tags travel in a push.
                if let content = try ContentRef.read(repo), content.target == content.tree {
                    try ContentRef.replace(in: store, withRoot: content.tree, expected: content.target, message: "trail push: content as a commit")
                }
                // First the content ref and the erasure log, then what names content: a server
                // that refuses the first never holds records whose content nothing keeps.
                var first: [String] = []
                if try repo.reference(Store.contentRef) != nil { first.append("+\(Store.contentRef):\(Store.contentRef)") }
                if try repo.reference(ErasureLog.ref) != nil { first.append("\(ErasureLog.ref):\(ErasureLog.ref)") }
                // Tags and models never move: send the ones the remote lacks (each by name: a
                // push takes no globs); one it holds under the same name stays as it is there.
                var second = ["\(branchRef):\(branchRef)"]
                var notSent: [String] = []
                for (prefix, tracking) in [("refs/tags/", "trail-tags/"), (Store.modelRefPrefix, "trail-models/")] {
                    for ref in try repo.references(matching: prefix + "*") {
                        let name = String(ref.name.dropFirst(prefix.count))
                        switch try repo.reference("refs/remotes/\(remote)/\(tracking)\(name)") {
                        case nil: second.append("\(ref.name):\(ref.name)")
                        case let theirs? where theirs != ref.target: notSent.append(String(ref.name.dropFirst("refs/".count)))
                        default: break
                        }
                    }
                }
                // Predictions name registrations: sent with them, and only forward.
                let predictions = try predictionPushes(remote: remote)
                second += predictions.refspecs
                notSent += predictions.notSent
                do {
                    if !first.isEmpty {
                        try transfer("push to \(remote)") {
                            try repo.push(to: remote, refspecs: first, credentials: credentials, progress: progress, negotiate: { updates in
                                // The content ref is replaced, not fast-forwarded: send it only over what was merged.
                                guard let content = updates.first(where: { $0.destination == Store.contentRef }) else { return nil }
                                return content.remoteOld == seenContent ? nil : "the remote's content ref moved during the push"
                            })
                        }
                    }
                    try transfer("push to \(remote)") {
                        try repo.push(to: remote, refspecs: second, credentials: credentials, progress: progress)
                    }
                    return PushResult(remote: remote, branch: String(branchRef.dropFirst("refs/heads/".count)), commit: tip.hex, notSent: notSent)
                } catch let error as TrailError where error.kind == .remote(.contentMovedDuringPush) {
                    lastError = error
                    continue
                }
            }
            throw lastError!
        }
    }
}
