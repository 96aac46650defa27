import Git

/// Orders the history behind a commit.
enum CommitWalk {
    /// Every commit reachable from `start`, parents always before their children (a post-order
    /// walk), which timestamps alone cannot give when several commits share a second.
    static func oldestFirst(from start: ObjectID, in repo: Repository) throws -> [Repository.CommitInfo] {
        var commits: [Repository.CommitInfo] = []
        var done: Set<ObjectID> = []
        var stack: [(info: Repository.CommitInfo, expanded: Bool)] = [(try repo.commit(start), false)]
        while let (info, expanded) = stack.popLast() {
            if done.contains(info.id) { continue }
            if expanded {
                done.insert(info.id)
                commits.append(info)
                continue
            }
            stack.append((info, true))
            for p in info.parents.reversed() where !done.contains(p) { stack.append((try repo.commit(p), false)) }
        }
        return commits
    }
}
