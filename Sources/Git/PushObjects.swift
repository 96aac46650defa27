import Foundation
import GitFormat

extension Repository {
    /// One object a push sends: its id and type, and its bytes when the walk read them anyway
    /// (trees, commits, tags); a blob's are read only when it is sent.
    public struct ObjectToSend {
        /// The object's id.
        public let id: ObjectID
        /// Its type.
        public let type: ObjectType
        /// Its bytes, unless it is a blob.
        public let data: [UInt8]?
    }

    /// What a push walks, settled once so that every walk over it yields the same objects in
    /// the same order: the tag objects to send, the trees and blobs named directly, the new
    /// commits, and the trees a parentless commit is compared with.
    public struct PushWalk {
        fileprivate var tags: [ObjectToSend] = []
        fileprivate var roots: [(id: ObjectID, type: ObjectType)] = []
        fileprivate var commits: [ObjectID] = []
        fileprivate var replacedTrees: [ObjectID] = []
    }

    /// The walk that sends what a server holding `known` (and all they reach) lacks in order to
    /// hold `tips`. A commit without parents is compared with the trees of `replacing`: the
    /// commits (on the server) that the pushed refs now point at, such as the content list a new
    /// parentless content commit replaces.
    public func pushWalk(tips: [ObjectID], known: [ObjectID], replacing: [ObjectID] = []) throws -> PushWalk {
        var walk = PushWalk()
        var knownCommits: [ObjectID] = []
        var knownTags = Set<ObjectID>()
        for id in known where contains(id) {
            var at = id
            // Peel tags down to the commit the walk can hide.
            while case let (type, data)? = try? read(at), type == .tag, let target = Self.tagTarget(data) {
                knownTags.insert(at)
                at = target
            }
            if header(at)?.type == .commit { knownCommits.append(at) }
        }
        var commitTips: [ObjectID] = []
        for tip in tips {
            var at = tip
            var done = false
            while !done {
                let (type, data) = try read(at)
                switch type {
                case .tag:
                    if knownTags.contains(at) { done = true; break }
                    walk.tags.append(ObjectToSend(id: at, type: .tag, data: data))
                    guard let target = Self.tagTarget(data) else {
                        throw GitError(operation: "read tag \(at)", message: "the tag names no object")
                    }
                    at = target
                case .commit:
                    commitTips.append(at)
                    done = true
                default:
                    walk.roots.append((at, type))
                    done = true
                }
            }
        }
        if !commitTips.isEmpty { walk.commits = try commits(from: commitTips, hiding: knownCommits) }
        // A content list of an older store is a tree rather than a commit.
        walk.replacedTrees = try replacing.compactMap { id in
            switch header(id)?.type {
            case .commit?: return try commit(id).tree
            case .tree?: return id
            default: return nil
            }
        }
        return walk
    }

    /// Calls `body` with every object of `walk`, in the same order on every call. Each new
    /// commit's tree is compared with its parents' trees folder by folder, as Trail's sharded
    /// trees are meant to be: a subtree or blob a parent holds at the same path is skipped
    /// without being read. An object can come more than once (a sample changed back in a later
    /// commit, two commits sharing a subtree that neither parent has): `FirstOccurrences` finds
    /// those repeats. Unlike libgit2's pack builder, which keeps a record of every object it
    /// has seen (and every object the server holds), this walk holds only the path it is on.
    public func forEachObject(in walk: PushWalk, _ body: (ObjectToSend) throws -> Void) throws {
        for tag in walk.tags { try body(tag) }
        for root in walk.roots {
            if root.type == .tree {
                try walkTree(root.id, data: try read(root.id, as: .tree), bases: [], body)
            } else {
                try body(ObjectToSend(id: root.id, type: root.type, data: nil))
            }
        }
        for id in walk.commits {
            let data = try read(id, as: .commit)
            try body(ObjectToSend(id: id, type: .commit, data: data))
            let info = try commit(id)
            let bases = info.parents.isEmpty ? walk.replacedTrees : try info.parents.map { try commit($0).tree }
            guard !bases.contains(info.tree) else { continue }
            try walkTree(info.tree, data: try read(info.tree, as: .tree), bases: bases, body)
        }
    }

    /// Sends tree `id` (its bytes `data`) and what it holds that no tree of `bases` (the trees
    /// at the same path in the parents) holds under the same name.
    private func walkTree(_ id: ObjectID, data: [UInt8], bases: [ObjectID], _ body: (ObjectToSend) throws -> Void) throws {
        try body(ObjectToSend(id: id, type: .tree, data: data))
        let entries = try TreeFormat.decode(data)
        let baseEntries: [[String: TreeEntry]] = try bases.map { base in
            Dictionary(try readTree(base).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        }
        for entry in entries {
            if baseEntries.contains(where: { $0[entry.name]?.id == entry.id }) { continue }
            switch entry.mode {
            case .tree:
                let below = baseEntries.compactMap { $0[entry.name].flatMap { $0.mode == .tree ? $0.id : nil } }
                try walkTree(entry.id, data: try read(entry.id, as: .tree), bases: below, body)
            case .blob:
                try body(ObjectToSend(id: entry.id, type: .blob, data: nil))
            }
        }
    }

    /// The `object` line of a tag's bytes.
    private static func tagTarget(_ data: [UInt8]) -> ObjectID? {
        guard data.starts(with: Array("object ".utf8)), data.count >= 47 else { return nil }
        return ObjectID(hexBytes: data[7..<47])
    }
}
