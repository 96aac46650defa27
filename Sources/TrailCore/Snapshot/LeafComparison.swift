import Dispatch
import Foundation
import Git
import GitFormat

/// Compares a newly built snapshot tree with its parent's, reading only the subtrees whose
/// ids differ, on every core (each worker with its own repository handle).
struct LeafComparison {
    /// Indices (into the sorted samples) of records the parent does not hold.
    var newRecords: [Int] = []
    var added = 0, modified = 0, removed = 0
    /// The parent's record of each modified sample, by index into the samples.
    var modifiedBefore: [Int: ObjectID] = [:]
    /// The parent's records of removed samples.
    var removedRecords: [ObjectID] = []

    static func compare(_ tree: ShardedTree, samples: [BuiltSample], parent: Snapshot, repositoryPath: String) throws -> LeafComparison {
        var oldMids: [String: ObjectID] = [:]
        for e in parent.shardFolders { oldMids[e.name] = e.id }
        let changedMids = tree.mids.filter { oldMids[$0.name] != $0.id }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, changedMids.count))
        var parts = [Result<LeafComparison, Error>](repeating: .success(LeafComparison()), count: workers)
        parts.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                base[w] = Result {
                    let repo = try Repository(openBare: repositoryPath)
                    var part = LeafComparison()
                    for k in stride(from: w, to: changedMids.count, by: workers) {
                        try part.compare(changedMids[k], oldMid: oldMids[changedMids[k].name], samples: samples, repo: repo)
                    }
                    return part
                }
            }
        }
        var result = LeafComparison()
        for part in parts {
            let p = try part.get()
            result.newRecords += p.newRecords
            result.added += p.added
            result.modified += p.modified
            result.removed += p.removed
            result.modifiedBefore.merge(p.modifiedBefore) { a, _ in a }
            result.removedRecords += p.removedRecords
        }
        // Shards the new tree no longer has at all.
        let kept = Set(tree.mids.map(\.name))
        let repo = parent.repository
        for (name, id) in oldMids where !kept.contains(name) {
            let gone = try Snapshot.recordIDs(in: id, repository: repo)
            result.removed += gone.count
            result.removedRecords += gone
        }
        result.newRecords.sort()
        return result
    }

    private mutating func compare(_ mid: ShardedTree.Mid, oldMid: ObjectID?, samples: [BuiltSample], repo: Repository) throws {
        var oldLeaves: [String: ObjectID] = [:]
        if let oldMid { for e in try repo.readTree(oldMid) { oldLeaves[e.name] = e.id } }
        for leaf in mid.leaves {
            let oldLeaf = oldLeaves.removeValue(forKey: leaf.name)
            if oldLeaf == leaf.id { continue }
            let old = try oldLeaf.map { try TreeFormat.decodeHexNamed(repo.read($0, as: .tree)) } ?? []
            // Both sides are sorted by key: merge them.
            var j = 0
            for k in leaf.entries {
                let key = samples[k].key
                while j < old.count && old[j].key < key { removed += 1; removedRecords.append(old[j].id); j += 1 }
                if j < old.count && old[j].key == key {
                    if old[j].id != samples[k].record.id {
                        modified += 1
                        newRecords.append(k)
                        modifiedBefore[k] = old[j].id
                    }
                    j += 1
                } else {
                    added += 1
                    newRecords.append(k)
                }
            }
            removed += old.count - j
            removedRecords += old[j...].map(\.id)
        }
        for gone in oldLeaves.values {
            let entries = try repo.readTree(gone)
            removed += entries.count
            removedRecords += entries.map(\.id)
        }
    }
}

extension Array where Element: Comparable {
    /// True when the elements are in ascending order.
    func isSorted() -> Bool {
        var i = 1
        while i < count { if self[i] < self[i - 1] { return false }; i += 1 }
        return true
    }
}
