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

    /// Calls `body` with every object that a server holding `known` (and all they reach) lacks
    /// in order to hold `tips`, in the same order on every call over the same store. Each new
    /// commit's tree is compared with its parents' trees folder by folder, as Trail's sharded
    /// trees are meant to be: a subtree or blob a parent holds at the same path is skipped
    /// without being read. A commit without parents is compared with the trees of `replacing`
    /// instead: the commits (on the server) that the pushed refs now point at, such as the
    /// content list a new parentless content commit replaces. An object can come more than once (a sample changed back in a later
    /// commit, two commits sharing a subtree that neither parent has): `FirstOccurrences` finds
    /// those repeats. Unlike libgit2's pack builder, which keeps a record of every object it
    /// has seen (and every object the server holds), this walk holds only the path it is on.
    public func forEachObjectToSend(tips: [ObjectID], known: [ObjectID], replacing: [ObjectID] = [],
                                    _ body: (ObjectToSend) throws -> Void) throws {
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
                    try body(ObjectToSend(id: at, type: .tag, data: data))
                    guard let target = Self.tagTarget(data) else {
                        throw GitError(operation: "read tag \(at)", message: "the tag names no object")
                    }
                    at = target
                case .commit:
                    commitTips.append(at)
                    done = true
                case .tree:
                    try walkTree(at, data: data, bases: [], body)
                    done = true
                default:
                    try body(ObjectToSend(id: at, type: type, data: nil))
                    done = true
                }
            }
        }
        guard !commitTips.isEmpty else { return }
        let replacedTrees = try replacing.filter { contains($0) && header($0)?.type == .commit }.map { try commit($0).tree }
        for id in try commits(from: commitTips, hiding: knownCommits) {
            let data = try read(id, as: .commit)
            try body(ObjectToSend(id: id, type: .commit, data: data))
            let info = try commit(id)
            let bases = info.parents.isEmpty ? replacedTrees : try info.parents.map { try commit($0).tree }
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
