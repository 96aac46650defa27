import Foundation
import Git
import GitFormat

/// Each commit's agreement counts, kept in the index's `agreement_tallies` table: a commit not
/// yet there is counted from its nearest first-parent ancestor that is, moved by the records that
/// changed since (so only those are read), or from all its records when none is; the result is
/// kept for the next time. Writing the cache is best effort (a read-only store just counts again).
enum AgreementCache {
    /// How many first parents are looked at for a cached ancestor.
    static let ancestorLimit = 64

    /// The counts of `snapshot`.
    static func counter(for snapshot: Snapshot, store: Store) throws -> AgreementCounter {
        let index = try? store.openIndex()
        if let cached = load(snapshot.commit, index) { return cached }
        var counter: AgreementCounter?
        var commit = snapshot.commit
        for _ in 0..<ancestorLimit {
            guard let parent = try store.repository.commit(commit).parents.first else { break }
            if var base = load(parent, index) {
                try base.update(from: Snapshot(repository: store.repository, commit: parent), to: snapshot)
                counter = base
                break
            }
            commit = parent
        }
        let result = try counter ?? AgreementCounter.count(snapshot)
        save(result, for: snapshot.commit, index)
        return result
    }

    /// Keeps the counts of a commit that just landed, when they come cheap: from its parent's
    /// cached counts and the records it changed, or for a first commit whose samples carry
    /// judgments, from all its records. Anything else is left for the first query.
    static func afterCommit(_ commit: ObjectID, parent: ObjectID?, firstRecord: [UInt8]?, store: Store) {
        guard let index = try? store.openIndex(), let snapshot = try? Snapshot(repository: store.repository, commit: commit) else { return }
        if let parent {
            guard var base = load(parent, index), let old = try? Snapshot(repository: store.repository, commit: parent),
                  (try? base.update(from: old, to: snapshot)) != nil else { return }
            save(base, for: commit, index)
        } else if let firstRecord, let config = try? snapshot.config(), JudgedRecord.Reader(config: config).rawJudgments(firstRecord) != nil,
                  let counter = try? AgreementCounter.count(snapshot) {
            save(counter, for: commit, index)
        }
    }

    /// Keeps `counter` as the counts of `commit`, which just landed (a first commit's, counted as
    /// its records were built).
    static func keep(_ counter: AgreementCounter, for commit: ObjectID, store: Store) {
        save(counter, for: commit, try? store.openIndex())
    }

    private static func load(_ commit: ObjectID, _ index: LineageIndex?) -> AgreementCounter? {
        guard let index, case .text(let json)? = (try? index.rows("SELECT tallies FROM agreement_tallies WHERE commit_id = ?", [.text(commit.hex)]))?.first?.first,
              let counter = try? JSONDecoder().decode(AgreementCounter.self, from: Data(json.utf8)), counter.isCurrentLayout else { return nil }
        return counter
    }

    private static func save(_ counter: AgreementCounter, for commit: ObjectID, _ index: LineageIndex?) {
        guard let index, let data = try? JSONEncoder().encode(counter) else { return }
        _ = try? index.rows("INSERT OR REPLACE INTO agreement_tallies(commit_id, tallies) VALUES (?, ?)",
                            [.text(commit.hex), .text(String(decoding: data, as: UTF8.self))])
    }
}
