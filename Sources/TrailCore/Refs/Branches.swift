import Git
import GitFormat

/// A branch or tag and the commit it points at.
public struct RefInfo: Codable, Equatable {
    /// The branch or tag name, without `refs/heads/` or `refs/tags/`.
    public var name: String
    /// The commit it points at.
    public var commit: String
    /// True for the branch HEAD names.
    public var current: Bool
}

/// Branches, tags and switching between branches.
public struct Branches {
    let store: Store

    /// Branches and tags of `store`.
    public init(store: Store) { self.store = store }

    /// All branches.
    public func list() throws -> [RefInfo] {
        let current = try store.currentBranchRef()
        return try store.repository.references(matching: "refs/heads/*").map {
            RefInfo(name: String($0.name.dropFirst("refs/heads/".count)), commit: $0.target.hex, current: $0.name == current)
        }
    }

    /// Creates branch `name` at `revision` (default HEAD).
    public func create(_ name: String, at revision: String?) throws -> RefInfo {
        let ref = "refs/heads/" + name
        try checkName(name, ref: ref, kind: "branch")
        let target = try Revisions(store: store).resolve(revision ?? "HEAD")
        try store.withWriteLock {
            if try store.repository.reference(ref) != nil {
                throw TrailError(.exists(.branch, name: name), "branch '\(name)' already exists", hint: "choose another name, or delete it first with `trail branch -d \(name)`")
            }
            try store.repository.updateReference(ref, to: target, expected: nil, message: "trail branch")
        }
        return RefInfo(name: name, commit: target.hex, current: false)
    }

    /// Deletes branch `name`; the current branch cannot be deleted.
    public func delete(_ name: String) throws {
        let ref = "refs/heads/" + name
        try store.withWriteLock {
            guard try store.repository.reference(ref) != nil else {
                throw TrailError(.notFound(.branch, name: name), "no branch named '\(name)'", hint: "`trail branch` lists the branches")
            }
            if try store.currentBranchRef() == ref {
                throw TrailError(.invalidState, "cannot delete '\(name)': it is the current branch", hint: "switch to another branch first with `trail checkout`")
            }
            try store.repository.deleteReference(ref)
        }
    }

    /// Makes `name` the current branch, creating it at HEAD first when `create` is set.
    /// The store has no working files, so switching only moves HEAD.
    public func checkout(_ name: String, create: Bool = false) throws -> RefInfo {
        let ref = "refs/heads/" + name
        if create { _ = try self.create(name, at: nil) }
        return try store.withWriteLock {
            guard let target = try store.repository.reference(ref) else {
                throw TrailError(.notFound(.branch, name: name), "no branch named '\(name)'", hint: "create it with `trail checkout -b \(name)` or `trail branch \(name) REV`")
            }
            try store.repository.setSymbolicReference("HEAD", to: ref, message: "trail checkout")
            return RefInfo(name: name, commit: target.hex, current: true)
        }
    }

    /// All tags, with the commit each names.
    public func tags() throws -> [RefInfo] {
        try store.repository.references(matching: "refs/tags/*").compactMap {
            guard let commit = try? store.repository.resolveCommit($0.name) else { return nil }
            return RefInfo(name: String($0.name.dropFirst("refs/tags/".count)), commit: commit.hex, current: false)
        }
    }

    /// Creates tag `name` at `revision`: annotated when `message` is given, else lightweight.
    public func createTag(_ name: String, at revision: String?, message: String?, tagger: Signature?) throws -> RefInfo {
        let ref = "refs/tags/" + name
        try checkName(name, ref: ref, kind: "tag")
        let target = try Revisions(store: store).resolve(revision ?? "HEAD")
        try store.withWriteLock {
            if try store.repository.reference(ref) != nil {
                throw TrailError(.exists(.tag, name: name), "tag '\(name)' already exists", hint: "tags do not move; choose another name")
            }
            var pointee = target
            if let message {
                guard let tagger else { throw TrailError(.failed, "an annotated tag needs a tagger", hint: "pass --author or set TRAIL_AUTHOR") }
                pointee = try store.repository.write(.tag, CommitFormat.encodeTag(target: target, type: .commit, name: name, tagger: tagger, message: message))
            }
            try store.repository.updateReference(ref, to: pointee, expected: nil, message: "trail tag")
        }
        return RefInfo(name: name, commit: target.hex, current: false)
    }

    /// Deletes tag `name`.
    public func deleteTag(_ name: String) throws {
        try store.withWriteLock {
            guard try store.repository.reference("refs/tags/" + name) != nil else {
                throw TrailError(.notFound(.tag, name: name), "no tag named '\(name)'", hint: "`trail tag` lists the tags")
            }
            try store.repository.deleteReference("refs/tags/" + name)
        }
    }

    func checkName(_ name: String, ref: String, kind: String) throws {
        guard !name.isEmpty, !name.hasPrefix("-"), Repository.isValidReferenceName(ref) else {
            throw TrailError(.usage, "'\(name)' is not a valid \(kind) name",
                             hint: "use letters, digits, '.', '_', '-' and '/'; no spaces, '..', '~', '^', ':' or a leading '-'")
        }
    }
}
