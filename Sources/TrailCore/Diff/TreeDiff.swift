import Git
import GitFormat

/// The samples whose records differ between two snapshots, found by reading only the
/// subtrees whose ids differ (first-level folders on every core).
struct TreeDiff {
    /// One changed sample: its key and its record before and after (nil when absent).
    struct Entry {
        let key: ObjectID
        let before: ObjectID?
        let after: ObjectID?
    }

    /// The changed entries from `old` (nil: an empty snapshot) to `new`, sorted by key.
    static func changes(from old: Snapshot?, to new: Snapshot, repositoryPath: String) throws -> [Entry] {
        var oldMids: [String: ObjectID] = [:], newMids: [String: ObjectID] = [:]
        for e in old?.shardFolders ?? [] { oldMids[e.name] = e.id }
        for e in new.shardFolders { newMids[e.name] = e.id }
        let names = Set(oldMids.keys).union(newMids.keys).filter { oldMids[$0] != newMids[$0] }.sorted()
        let workers = Parallel.workerCount(items: names.count)
        let parts = try Parallel.perform(workers: workers, repositoryPath: repositoryPath) { w, repo in
            var entries: [Entry] = []
            for k in stride(from: w, to: names.count, by: workers) {
                try diffMid(oldMids[names[k]], newMids[names[k]], repo: repo, into: &entries)
            }
            return entries
        }
        var all: [Entry] = []
        for part in parts { all += part }
        all.sort { $0.key < $1.key }
        return all
    }

    private static func diffMid(_ old: ObjectID?, _ new: ObjectID?, repo: Repository, into entries: inout [Entry]) throws {
        var oldLeaves: [String: ObjectID] = [:], newLeaves: [String: ObjectID] = [:]
        if let old { for e in try repo.readTree(old) { oldLeaves[e.name] = e.id } }
        if let new { for e in try repo.readTree(new) { newLeaves[e.name] = e.id } }
        for name in Set(oldLeaves.keys).union(newLeaves.keys) where oldLeaves[name] != newLeaves[name] {
            let a = try oldLeaves[name].map { try TreeFormat.decodeHexNamed(repo.read($0, as: .tree)) } ?? []
            let b = try newLeaves[name].map { try TreeFormat.decodeHexNamed(repo.read($0, as: .tree)) } ?? []
            // Both sorted by key: merge.
            var i = 0, j = 0
            while i < a.count || j < b.count {
                if j == b.count || (i < a.count && a[i].key < b[j].key) {
                    entries.append(Entry(key: a[i].key, before: a[i].id, after: nil)); i += 1
                } else if i == a.count || b[j].key < a[i].key {
                    entries.append(Entry(key: b[j].key, before: nil, after: b[j].id)); j += 1
                } else {
                    if a[i].id != b[j].id { entries.append(Entry(key: a[i].key, before: a[i].id, after: b[j].id)) }
                    i += 1; j += 1
                }
            }
        }
    }
}
