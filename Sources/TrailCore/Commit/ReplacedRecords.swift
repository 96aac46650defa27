import Git
import GitFormat

/// The records a patch replaces or removes, read once on every core for all that the commit
/// needs from them: their counts, to take out of the summary; their content, which the store
/// already holds; and the index rows of the changes.
struct ReplacedRecords {
    /// The old records' counts, negated: add it to the parent's summary to take them out.
    var uncounted = SnapshotSummary()
    /// For each touched sample, in order, its change row; nil when the patch rewrote it as it was.
    var rows: [ChangeRow?] = []
    /// Content blobs the old records name (so the store holds them).
    var content: Set<ObjectID> = []

    /// Reads `touched` (each sample's old record, and its new version or nil for a removal).
    static func read(_ touched: [(before: ObjectID, after: BuiltSample?)], oldConfig: DatasetConfig,
                     newConfig: DatasetConfig, repositoryPath: String) throws -> ReplacedRecords {
        let roles = FieldRoles(oldConfig)
        let oldKeys = FieldNames(oldConfig), newKeys = FieldNames(newConfig)
        let judgments = JudgedRecord.Reader(config: newConfig)
        let workers = Parallel.workerCount(items: touched.count, minimumPerWorker: 512)
        let chunk = (touched.count + workers - 1) / workers
        let parts = try Parallel.perform(workers: workers, repositoryPath: repositoryPath) { w, repo in
            var part = ReplacedRecords()
            for t in touched[min(w * chunk, touched.count)..<min((w + 1) * chunk, touched.count)] {
                let bytes = try repo.read(t.before, as: .blob)
                let old = PlainRecordFields(bytes, keys: oldKeys)
                if let old {
                    part.uncounted.count(old.counted(oldKeys), roles: roles, sign: -1)
                    part.content.formUnion(old.contentBlobs)
                } else {
                    let record = try SampleRecord.decode(bytes)
                    part.uncounted.count(record.fields, roles: roles, sign: -1)
                    part.content.formUnion(record.content.map(\.blob))
                }
                guard t.after?.record.id != t.before else { part.rows.append(nil); continue }
                let after = t.after.map { ($0.record.id, $0.record.data, PlainRecordFields($0.record.data, keys: newKeys)) }
                if let change = SampleChange.plain((t.before, bytes, old), after) {
                    part.rows.append(.change(change, judgments: try judgments.changedJudgments(before: bytes, after: t.after?.record.data)))
                } else {
                    part.rows.append(try .of(before: (t.before, bytes), after: t.after.map { ($0.record.id, $0.record.data) },
                                             oldConfig: oldConfig, newConfig: newConfig, names: (oldKeys, newKeys)))
                }
            }
            return part
        }
        var all = ReplacedRecords()
        all.rows.reserveCapacity(touched.count)
        for part in parts {
            all.uncounted.merge(part.uncounted)
            all.rows += part.rows
            all.content.formUnion(part.content)
        }
        return all
    }
}
