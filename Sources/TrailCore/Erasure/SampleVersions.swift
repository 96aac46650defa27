import Foundation
import Git

/// Finds every stored version of given samples across all history (every commit reachable
/// from a branch, tag or model), and the samples of branch tips that hold given content.
struct SampleVersions {
    let store: Store
    /// Every commit reachable from a branch, tag or model.
    let commits: [ObjectID]
    /// Leaf trees already read: unchanged leaves keep their ids from commit to commit.
    private final class LeafCache { var leaves: [ObjectID: [(key: ObjectID, id: ObjectID)]] = [:] }
    private let cache = LeafCache()

    init(store: Store) throws {
        self.store = store
        let repo = store.repository
        var tips: [ObjectID] = []
        for prefix in ["refs/heads/", "refs/tags/", Store.modelRefPrefix] {
            for ref in try repo.references(matching: prefix + "*") {
                if let commit = try? repo.resolveCommit(ref.name) { tips.append(commit) }
            }
        }
        var seen = Set<ObjectID>()
        var all: [ObjectID] = []
        for tip in tips where !seen.contains(tip) {
            for info in try CommitWalk.oldestFirst(from: tip, in: repo, stopAt: { seen.contains($0) }) where seen.insert(info.id).inserted {
                all.append(info.id)
            }
        }
        commits = all
    }

    /// For each id held by some version, the distinct record blobs of its versions (ids that
    /// no version holds are absent).
    func records(of ids: [String]) throws -> [String: [ObjectID]] {
        let repo = store.repository
        let keys = ids.map { ($0, SampleKey.of($0)) }
        var found: [String: [ObjectID]] = [:]
        for commit in commits {
            let root = try repo.readTree(try repo.commit(commit).tree)
            var mids: [String: ObjectID] = [:]
            for entry in root where entry.mode == .tree { mids[entry.name] = entry.id }
            var midCache: [ObjectID: [TreeEntry]] = [:]
            for (id, key) in keys {
                guard let mid = mids[hexByte(key.firstByte)] else { continue }
                if midCache[mid] == nil { midCache[mid] = try repo.readTree(mid) }
                guard let leaf = midCache[mid]!.first(where: { $0.name == hexByte(key.secondByte) }) else { continue }
                guard let record = try leafEntries(leaf.id).first(where: { $0.key == key })?.id else { continue }
                if found[id, default: []].contains(record) == false { found[id, default: []].append(record) }
            }
        }
        return found
    }

    /// The content and media blobs that `records` name.
    func content(of records: [ObjectID]) throws -> Set<ObjectID> {
        var content = Set<ObjectID>()
        for record in records {
            content.formUnion(try SampleRecord.decode(store.repository.read(record, as: .blob)).content.map(\.blob))
        }
        return content
    }

    /// A sample of a branch tip whose record names erased content.
    struct Sharing: Equatable {
        let sample: String
        let field: String
        let branch: String
    }

    /// Samples of every branch tip, other than those with `excluded` keys, that hold any of
    /// `content`. Reads every record of each tip, on every core.
    func samplesSharing(_ content: Set<ObjectID>, except excluded: Set<ObjectID>) throws -> [Sharing] {
        guard !content.isEmpty else { return [] }
        let repo = store.repository
        var result: [Sharing] = []
        var scannedTrees = Set<ObjectID>()
        for (branch, tip) in try repo.references(matching: "refs/heads/*") {
            let snapshot = try Snapshot(repository: repo, commit: tip)
            guard scannedTrees.insert(snapshot.tree).inserted else { continue }
            let idField = try snapshot.config().idField
            let folders = snapshot.shardFolders
            let workers = Parallel.workerCount(items: folders.count)
            let hits = try Parallel.perform(workers: workers, repositoryPath: repo.path) { w, reader -> [Sharing] in
                var hits: [Sharing] = []
                for folder in stride(from: w, to: folders.count, by: workers).map({ folders[$0] }) {
                for leaf in try reader.readTree(folder.id) {
                    for entry in try TreeFormat.decodeHexNamed(reader.read(leaf.id, as: .tree)) where !excluded.contains(entry.key) {
                        let bytes = try reader.read(entry.id, as: .blob)
                        let entries = try RowSplicer.layout(bytes)?.content ?? SampleRecord.decode(bytes).content
                        guard let shared = entries.first(where: { content.contains($0.blob) }) else { continue }
                        let record = try SampleRecord.decode(bytes)
                        let id: String
                        switch record.field(idField) {
                        case .string(let s)?: id = s
                        case .number(let n)?: id = n
                        default: id = entry.key.hex
                        }
                        hits.append(Sharing(sample: id, field: shared.field, branch: String(branch.dropFirst("refs/heads/".count))))
                    }
                }
                }
                return hits
            }
            result += hits.flatMap { $0 }
        }
        return result
    }

    private func leafEntries(_ leaf: ObjectID) throws -> [(key: ObjectID, id: ObjectID)] {
        if let hit = cache.leaves[leaf] { return hit }
        let entries = try TreeFormat.decodeHexNamed(store.repository.read(leaf, as: .tree))
        cache.leaves[leaf] = entries
        return entries
    }
}
