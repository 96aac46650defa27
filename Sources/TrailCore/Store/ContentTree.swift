import Foundation
import Git
import GitFormat

/// Reading the content ref's tree (sharded like a snapshot, keyed by blob id).
enum ContentTree {
    /// Every blob id the tree at `root` lists.
    static func ids(_ root: ObjectID, in repo: Repository) throws -> [ObjectID] {
        var ids: [ObjectID] = []
        for mid in try repo.readTree(root) where mid.mode == .tree {
            for leaf in try repo.readTree(mid.id) where leaf.mode == .tree {
                ids += try TreeFormat.decodeHexNamed(repo.read(leaf.id, as: .tree)).map(\.id)
            }
        }
        return ids
    }

    /// The ids `root` lists that `other` does not, reading only the subtrees whose ids differ.
    static func idsOnlyIn(_ root: ObjectID, comparedWith other: ObjectID, in repo: Repository) throws -> [ObjectID] {
        var theirs: [String: ObjectID] = [:]
        for e in try repo.readTree(other) where e.mode == .tree { theirs[e.name] = e.id }
        var result: [ObjectID] = []
        for mid in try repo.readTree(root) where mid.mode == .tree && theirs[mid.name] != mid.id {
            var otherLeaves: [String: ObjectID] = [:]
            if let otherMid = theirs[mid.name] { for e in try repo.readTree(otherMid) { otherLeaves[e.name] = e.id } }
            for leaf in try repo.readTree(mid.id) where otherLeaves[leaf.name] != leaf.id {
                let known = Set(try otherLeaves[leaf.name].map { try TreeFormat.decodeHexNamed(repo.read($0, as: .tree)).map(\.key) } ?? [])
                result += try TreeFormat.decodeHexNamed(repo.read(leaf.id, as: .tree)).map(\.key).filter { !known.contains($0) }
            }
        }
        return result
    }
}
