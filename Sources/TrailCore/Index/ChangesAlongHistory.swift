import Foundation
import Git
import SQLite

/// What the index says changed from a commit to one of its first-parent descendants: each
/// commit's rows of `changes` are relative to its first parent, so the rows of the commits in
/// between, oldest first, add up to the diff (see `LineageIndex.changes(from:to:)`).
struct ChangesAlongHistory {
    /// The commits after the old one, up to and including the new one, newest first.
    var commits: [ObjectID] = []
    /// The samples that changed in exactly one of those commits: that commit's row is their
    /// change, as `SampleChange.between` worked it out from the two records when it was indexed.
    var changes: [SampleChange] = []
    /// The samples that changed in more than one: their record before the first change and
    /// after the last (nil where absent; both the same when the sample came back as it was).
    /// Their row is not the diff's (a removal's annotator, for one, is that of the version just
    /// before it), so the caller reads these records.
    var repeated: [(id: String, before: ObjectID?, after: ObjectID?)] = []
}

extension LineageIndex {
    /// The longest history `changes(from:to:)` follows; a longer one is left to git.
    static let longestIndexedHistory = 10_000

    /// The changes from `old` to `new` when the index knows them all: `new` is `old` or a
    /// descendant along first parents, and every commit after `old` was indexed with its rows'
    /// place (`commits.changes_from`, from schema 6 on). Nil otherwise, and when a range does
    /// not hold its commit's rows exactly; the caller then compares the trees.
    func changes(from old: ObjectID, to new: ObjectID) throws -> ChangesAlongHistory? {
        var result = ChangesAlongHistory()
        var ranges: [(seq: Int64, rows: Range<Int64>)] = []
        let lookup = try db.prepare("SELECT seq, parent, changes_from, changes_to FROM commits WHERE id = ?")
        var current = new
        while current != old {
            guard ranges.count < Self.longestIndexedHistory else { return nil }
            lookup.reset()
            try lookup.bind(current.hex, at: 1)
            guard try lookup.step(), let seq = lookup.integer(at: 0), let from = lookup.integer(at: 2), let to = lookup.integer(at: 3),
                  from <= to, let parent = lookup.text(at: 1).flatMap(ObjectID.init(hex:)) else { return nil }
            result.commits.append(current)
            ranges.append((seq, from..<to))
            current = parent
        }

        let select = try db.prepare("""
            SELECT sample_id, kind, record_before, record_after, labels_before, labels_after, annotator, guideline
            FROM changes WHERE rowid >= ? AND rowid < ? AND seq = ?
            """)
        // Oldest commit first; a sample seen again moves to `repeated`.
        var seen: [String: Int] = [:]
        var repeatedAt: [String: Int] = [:]
        let single = ranges.count == 1
        for (seq, rows) in ranges.reversed() {
            select.reset()
            try select.bind([.integer(rows.lowerBound), .integer(rows.upperBound), .integer(seq)])
            var count: Int64 = 0
            while try select.step() {
                count += 1
                guard let change = try Self.sampleChange(select) else { return nil }
                if single { result.changes.append(change); continue }
                if let k = repeatedAt[change.id] {
                    result.repeated[k].after = change.recordAfter.flatMap(ObjectID.init(hex:))
                } else if let k = seen[change.id] {
                    let first = result.changes[k]
                    repeatedAt[change.id] = result.repeated.count
                    result.repeated.append((change.id, first.recordBefore.flatMap(ObjectID.init(hex:)),
                                            change.recordAfter.flatMap(ObjectID.init(hex:))))
                    seen[change.id] = -1
                } else {
                    seen[change.id] = result.changes.count
                    result.changes.append(change)
                }
            }
            guard count == Int64(rows.count) else { return nil }
        }
        if !repeatedAt.isEmpty { result.changes.removeAll { repeatedAt[$0.id] != nil } }
        return result
    }

    /// The change a row of `changes` holds (the columns of `changes(from:to:)`'s query), or
    /// nil when a column is not what the indexer writes.
    private static func sampleChange(_ row: Statement) throws -> SampleChange? {
        guard let id = row.text(at: 0), let kind = row.text(at: 1).flatMap(ChangeKind.init(rawValue:)) else { return nil }
        func labels(_ column: Int) throws -> [String: String]? {
            guard let text = row.text(at: column) else { return [:] }
            guard case .object(let members) = try JSONParser.parse(text) else { return nil }
            var labels: [String: String] = [:]
            for member in members {
                guard case .string(let label) = member.value else { return nil }
                labels[member.key] = label
            }
            return labels
        }
        guard let before = try labels(4), let after = try labels(5) else { return nil }
        return SampleChange(id: id, kind: kind, labelsBefore: before, labelsAfter: after,
                            annotator: row.text(at: 6), guideline: row.text(at: 7),
                            recordBefore: row.text(at: 2), recordAfter: row.text(at: 3))
    }
}
