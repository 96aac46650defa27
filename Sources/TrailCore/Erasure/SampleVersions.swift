import Foundation
import Git
import GitFormat

/// Finds every stored version of given samples across all history (every commit reachable
/// from a branch, tag, model or fetched remote branch), and the samples that hold given content.
struct SampleVersions {
    let store: Store
    /// Every commit reachable from a history ref (`Store.historyRefs`), fetched ones included.
    let commits: [ObjectID]
    /// Leaves already read: unchanged leaves keep their ids from commit to commit.
    private let cache = ShardedTree.Cache()

    init(store: Store) throws {
        self.store = store
        let repo = store.repository
        let tips = try store.historyRefs(includingFetched: true).map(\.commit)
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
            let root = try Snapshot(repository: repo, commit: commit).rootEntries
            // Folders are kept for one commit only: 256 of them per commit would add up.
            cache.folders.removeAll()
            for (id, key) in keys {
                guard let record = try ShardedTree.lookup(key, rootEntries: root, repository: repo, cache: cache) else { continue }
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

    /// A sample (in any version) whose record names content being erased.
    struct Sharing: Equatable {
        let sample: String
        let field: String
    }

    /// The samples of any version, other than those with `excluded` keys, whose records name
    /// any of `content`. Reads every distinct record of the history once, on every core.
    func samplesSharing(_ content: Set<ObjectID>, except excluded: Set<ObjectID>) throws -> [Sharing] {
        guard !content.isEmpty else { return [] }
        let idField = store.config.idField
        var problems: [String] = []
        let hits = try RecordWalk.run(commits: commits, repository: store.repository, problems: &problems) { _, _, _, bytes -> Sharing? in
            guard let entries = try? RecordView.read(bytes, plain: { $0.contentEntries() }, general: { $0.content }),
                  let shared = entries.first(where: { content.contains($0.blob) }),
                  let record = try? SampleRecord.decode(bytes) else { return nil }
            let id = record.field(idField).map(SampleChange.text) ?? ""
            return excluded.contains(SampleKey.of(id)) ? nil : Sharing(sample: id, field: shared.field)
        }
        if let problem = problems.first {
            throw TrailError(.damagedStore, "cannot read every version to look for shared content: \(problem)", hint: "run `trail verify` to see what is damaged; nothing was erased")
        }
        var seen = Set<String>()
        return hits.records.filter { seen.insert($0.sample).inserted }.sorted { $0.sample < $1.sample }
    }
}
