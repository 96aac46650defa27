import Git
import GitFormat

/// Orders the history behind a commit.
enum CommitWalk {
    /// Every commit reachable from `start`, parents always before their children (a post-order
    /// walk), which timestamps alone cannot give when several commits share a second.
    /// Commits for which `stopAt` is true are left out, and so are their ancestors.
    static func oldestFirst(from start: ObjectID, in repo: Repository,
                            stopAt: (ObjectID) throws -> Bool = { _ in false }) throws -> [Repository.CommitInfo] {
        var commits: [Repository.CommitInfo] = []
        var done: Set<ObjectID> = []
        if try stopAt(start) { return [] }
        var stack: [(info: Repository.CommitInfo, expanded: Bool)] = [(try repo.commit(start), false)]
        while let (info, expanded) = stack.popLast() {
            if done.contains(info.id) { continue }
            if expanded {
                done.insert(info.id)
                commits.append(info)
                continue
            }
            stack.append((info, true))
            for p in info.parents.reversed() where !done.contains(p) {
                if try stopAt(p) { done.insert(p); continue }
                stack.append((try repo.commit(p), false))
            }
        }
        return commits
    }
}
