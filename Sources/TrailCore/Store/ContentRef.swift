import Git
import GitFormat

/// `refs/trail/content`: keeps every content blob reachable, since records name content by id as
/// data, not as tree entries. It points at a parentless commit whose tree lists the blobs
/// (sharded by blob id), with a fixed author and time so that the same tree always gives the
/// same commit. A commit rather than the bare tree because git servers, and libgit2's push,
/// move only commits and tags through a push; stores made before this point the ref at the
/// tree itself, which every reader still accepts. The ref has no history: it is replaced.
enum ContentRef {
    static let name = Store.contentRef
    private static let signature = Signature(name: "Trail", email: "trail@localhost", time: 0)

    /// The ref's target (the commit, or a bare tree in older stores) and the tree it lists.
    static func read(_ repo: Repository, ref: String = name) throws -> (target: ObjectID, tree: ObjectID)? {
        guard let target = try repo.reference(ref) else { return nil }
        return (target, try tree(of: target, in: repo))
    }

    /// The tree a content ref target lists (the target itself when it is a tree).
    static func tree(of target: ObjectID, in repo: Repository) throws -> ObjectID {
        try repo.read(target).type == .commit ? repo.commit(target).tree : target
    }

    /// The commit that wraps `tree`, to be written with it.
    static func wrapper(for tree: ObjectID) -> PendingObject {
        PendingObject(type: .commit, data: CommitFormat.encodeCommit(
            tree: tree, parents: [], author: signature, committer: signature,
            message: "Trail content: every content and media blob the records name\n"))
    }

    /// Points the ref at a wrapper of `tree`'s root (a finished tree), writing the new trees and
    /// the wrapper the store lacks first; compare-and-swap on `expected` (nil: must not exist).
    /// A concurrent move throws libgit2's error, for the caller to explain.
    static func replace(in store: Store, with tree: ShardedTree, expected: ObjectID?, message: String) throws {
        let wrapper = wrapper(for: tree.root)
        try store.writeMissing(tree.newTrees + [wrapper])
        try store.repository.updateReference(name, to: wrapper.id, expected: expected, message: message)
    }

    /// The same for a tree already in the store.
    static func replace(in store: Store, withRoot root: ObjectID, expected: ObjectID?, message: String) throws {
        var tree = ShardedTree()
        tree.root = root
        try replace(in: store, with: tree, expected: expected, message: message)
    }
}
