import Git
import GitFormat

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
        try createReference(.branch, name, at: revision, existsHint: "choose another name, or delete it first with `trail branch -d \(name)`",
                            reflogMessage: "trail branch") { $0 }
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
        try createReference(.tag, name, at: revision, existsHint: "tags do not move; choose another name", reflogMessage: "trail tag") { target in
            guard let message else { return target }
            guard let tagger else { throw TrailError(.failed, "an annotated tag needs a tagger", hint: "pass --author or set TRAIL_AUTHOR") }
            return try store.repository.write(.tag, CommitFormat.encodeTag(target: target, type: .commit, name: name, tagger: tagger, message: message))
        }
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

    /// Creates the branch or tag `name`, which must not exist yet, at the commit `revision`
    /// names (default HEAD): under the write lock, the reference is set to what `pointee` makes
    /// of that commit (the commit itself, or an annotated tag object of it).
    private func createReference(_ subject: TrailError.Subject, _ name: String, at revision: String?, existsHint: String, reflogMessage: String,
                                 pointee: (ObjectID) throws -> ObjectID) throws -> RefInfo {
        let ref = (subject == .tag ? "refs/tags/" : "refs/heads/") + name
        try checkName(name, ref: ref, kind: subject.rawValue)
        let target = try Revisions(store: store).resolve(revision ?? "HEAD")
        try store.withWriteLock {
            if try store.repository.reference(ref) != nil {
                throw TrailError(.exists(subject, name: name), "\(subject.rawValue) '\(name)' already exists", hint: existsHint)
            }
            try store.repository.updateReference(ref, to: try pointee(target), expected: nil, message: reflogMessage)
        }
        return RefInfo(name: name, commit: target.hex, current: false)
    }

    func checkName(_ name: String, ref: String, kind: String) throws {
        guard !name.isEmpty, !name.hasPrefix("-"), Repository.isValidReferenceName(ref) else {
            throw TrailError(.usage, "'\(name)' is not a valid \(kind) name",
                             hint: "use letters, digits, '.', '_', '-' and '/'; no spaces, '..', '~', '^', ':' or a leading '-'")
        }
    }
}
