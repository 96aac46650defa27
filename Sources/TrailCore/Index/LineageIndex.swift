import Foundation
import Git
import GitFormat
import SQLite

/// The SQLite index beside the git objects: derived from them, rebuildable from them.
public final class LineageIndex {
    let db: Connection

    /// Page size of a new index. A commit's changes land on index pages all over the file (by
    /// sample id), and each touched page goes to the WAL whole: large pages mean far fewer page
    /// writes, and inserting a 40k-change patch into a million-row index took half the time
    /// with 64 KiB pages as with the default 4 KiB (measured with the sqlite3 CLI).
    static let pageSize = 65536

    /// Opens (creating if needed) the index at `path` and brings its schema up to date
    /// (`Store.openIndex()` opens the store's).
    init(path: String, mode: Connection.Mode = .shared) throws {
        do {
            db = try Connection(path: path, mode: mode, pageSize: Self.pageSize)
            try Migrator(migrations: SchemaMigrations.all).migrate(db)
        } catch let error as SQLiteError {
            throw TrailError(error.isDiskFull ? .diskFull : .index, "cannot open the index \(path): \(error.message)",
                             hint: error.isDiskFull ? "free some disk space (or raise the file-size limit) and run the command again; the store is unchanged"
                                                    : "the index is derived from git; delete \(path) and run the command again to rebuild it")
        }
    }

    /// Builds a whole new index with `fill` in a file beside `path`, then moves it over `path` in
    /// one rename. The new file is written without a journal (each page once: a million-row
    /// import takes a third of the time it takes through the WAL), which is safe because no
    /// one opens it before the rename; a crash leaves the old index as it was. The caller holds
    /// the store's write lock.
    static func build(replacing path: String, _ fill: (LineageIndex) throws -> Void) throws {
        let fresh = path + ".new"
        let fm = FileManager.default
        for leftover in [fresh, fresh + "-journal", fresh + "-wal", fresh + "-shm"] { try? fm.removeItem(atPath: leftover) }
        do {
            try fill(try LineageIndex(path: fresh, mode: .bulkLoad))  // closed when it goes out of scope
            try syncFile(fresh)
            // The old database's WAL must not be replayed into the new file: checkpoint it away
            // (readers that still have the old file open keep reading it).
            try? LineageIndex(path: path).db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for stale in [path + "-wal", path + "-shm"] { try? fm.removeItem(atPath: stale) }
            guard rename(fresh, path) == 0 else {
                throw TrailError(.fileSystem(path: path), "cannot move the new index into place: \(String(cString: strerror(errno)))",
                                 hint: "check the permissions of \((path as NSString).deletingLastPathComponent)")
            }
            try syncFile((path as NSString).deletingLastPathComponent)
        } catch {
            try? fm.removeItem(atPath: fresh)
            throw error
        }
    }

    private static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TrailError(.fileSystem(path: path), "cannot open \(path) to sync it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw TrailError(.fileSystem(path: path), "cannot sync \(path) to disk: \(String(cString: strerror(errno)))") }
    }

    /// Rows from which a batch is a bulk load: the secondary indexes are rebuilt after it rather
    /// than updated row by row, and a first commit's index goes into a new file (`RootImport`)
    /// rather than through the WAL of the empty one. `TRAIL_TEST_BULK_ROWS` lowers it so tests
    /// can take these paths with small data.
    static let bulkRows = ProcessInfo.processInfo.environment["TRAIL_TEST_BULK_ROWS"].flatMap { Int($0) } ?? 50_000

    /// See `Connection.deferCheckpoints`: `trail commit` checkpoints the index at its start,
    /// while it reads the manifest, rather than at its end, while the user waits.
    func deferCheckpoints() throws { try db.deferCheckpoints() }

    /// Copies the index's WAL into its database file (as far as readers allow).
    func checkpoint() throws { try db.checkpoint() }

    /// True when no commit is indexed yet.
    func isEmpty() throws -> Bool {
        try db.rows("SELECT 1 FROM commits LIMIT 1").isEmpty
    }

    /// A commit's row in the `commits` table.
    struct CommitRow {
        let id: ObjectID
        let parent: ObjectID?
        let author: String
        let email: String
        let time: Int64
        let subject: String
        let samples: Int
    }

    /// True when `commit` is in the index.
    func contains(_ commit: ObjectID) throws -> Bool {
        try !db.rows("SELECT 1 FROM commits WHERE id = ?", [.text(commit.hex)]).isEmpty
    }

    /// Every indexed commit.
    func commitIDs() throws -> Set<ObjectID> {
        var ids = Set<ObjectID>()
        for row in try db.rows("SELECT id FROM commits") {
            if case .text(let hex) = row[0], let id = ObjectID(hex: hex) { ids.insert(id) }
        }
        return ids
    }

    /// Removes commits and their rows (commits no ref reaches any more).
    func removeCommits(_ ids: Set<ObjectID>) throws {
        try db.transaction {
            for id in ids {
                let seq = try db.rows("SELECT seq FROM commits WHERE id = ?", [.text(id.hex)])
                guard case .integer(let n)? = seq.first?.first else { continue }
                for table in ["changes", "label_events", "judgments"] { try db.run("DELETE FROM \(table) WHERE seq = ?", [.integer(n)]) }
                try db.run("DELETE FROM commits WHERE seq = ?", [.integer(n)])
            }
        }
    }

    /// Adds a commit and its sample changes, in one transaction.
    func insert(_ commit: CommitRow, changes: [ChangeRow], config: DatasetConfig) throws {
        try db.transaction {
            let seq = try nextSeq(), start = try changesEnd()
            try insertChanges(changes, seq: seq, time: commit.time, config: config)
            try insertCommit(commit, seq: seq, changes: start..<changesEnd())
        }
    }

    /// As `insert(_:changes:config:)`, for `count` changes that come in batches (`next` returns
    /// nil after the last), so that indexing a commit of millions of samples never holds all its rows.
    func insert(_ commit: CommitRow, changeCount count: Int, config: DatasetConfig, next: () throws -> [ChangeRow]?) throws {
        try db.transaction {
            let seq = try nextSeq(), start = try changesEnd()
            try insertChanges(bulk: isBulk(count), seq: seq, time: commit.time, config: config, next: next)
            try insertCommit(commit, seq: seq, changes: start..<changesEnd())
        }
    }

    /// The number the next commit gets (parents have lower numbers than their children).
    func nextSeq() throws -> Int64 {
        guard case .integer(let seq)? = try db.rows("SELECT COALESCE(MAX(seq), 0) + 1 FROM commits").first?.first else {
            throw TrailError(.index, "cannot read the index's commit numbers", hint: "run `trail reindex` to rebuild the index")
        }
        return seq
    }

    /// Adds a commit's row as number `seq`, which its changes may already use (see `insertChanges`).
    /// `changes`: the rowids its rows of `changes` took (`changesEnd()` before and after they
    /// went in), which a diff along the history reads them by (see `ChangesAlongHistory`).
    func insertCommit(_ commit: CommitRow, seq: Int64, changes: Range<Int64>) throws {
        try db.run("""
            INSERT INTO commits(id, seq, parent, author, email, time, subject, samples, changes_from, changes_to)
            VALUES (?,?,?,?,?,?,?,?,?,?)
            """,
                   [.text(commit.id.hex), .integer(seq), commit.parent.map { .text($0.hex) } ?? .null, .text(commit.author),
                    .text(commit.email), .integer(commit.time), .text(commit.subject), .integer(Int64(commit.samples)),
                    .integer(changes.lowerBound), .integer(changes.upperBound)])
    }

    /// The rowid the next row of `changes` gets: rows are appended (SQLite gives a new row the
    /// largest rowid plus one), so a commit's rows, written by one writer in one go, are the
    /// rowids from this value before they went in up to this value after.
    func changesEnd() throws -> Int64 {
        guard case .integer(let last)? = try db.rows("SELECT COALESCE(MAX(rowid), 0) FROM changes").first?.first else {
            throw TrailError(.index, "cannot read the index's change numbers", hint: "run `trail reindex` to rebuild the index")
        }
        return last + 1
    }

    /// Adds the sample changes (and label events, stamped `time`) of commit number `seq`. The
    /// caller runs it in a transaction. A large batch (a first import) drops the secondary
    /// indexes and builds them again after the rows are in, several times faster than
    /// updating them row by row.
    func insertChanges(_ changes: [ChangeRow], seq: Int64, time: Int64, config: DatasetConfig) throws {
        var given: [ChangeRow]? = changes
        try insertChanges(bulk: isBulk(changes.count), seq: seq, time: time, config: config) {
            defer { given = nil }
            return given
        }
    }

    /// Whether `count` new changes are worth dropping and rebuilding the secondary indexes for.
    /// Rebuilding costs the whole table: worth it only when the batch is at least as large as what
    /// the table holds already (a first import, a reindex), not for a later commit of many
    /// changes into a large index (it made a 120k-change commit into a 3M-row index spend 27 s
    /// rebuilding them).
    private func isBulk(_ count: Int) throws -> Bool {
        guard count >= Self.bulkRows else { return false }
        guard case .integer(let held)? = try db.rows("SELECT COALESCE(MAX(rowid), 0) FROM changes").first?.first else { return true }
        return count >= Int(held)
    }

    /// As `insertChanges(_:seq:time:config:)`, for rows that come in batches (`next` returns nil
    /// after the last), so that a first import of millions of samples never holds all its rows.
    /// `bulk`: drop the secondary indexes first and build them again after the last batch.
    func insertChanges(bulk: Bool, seq: Int64, time: Int64, config: DatasetConfig, next: () throws -> [ChangeRow]?) throws {
        // The schema's own definitions, to build them again as they were.
        var indexes: [(name: String, sql: String)] = []
        if bulk {
            for row in try db.rows("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('changes', 'judgments') AND sql IS NOT NULL") {
                if case .text(let name) = row[0], case .text(let sql) = row[1] { indexes.append((name, sql)) }
            }
        }
        for index in indexes { try db.execute("DROP INDEX \(index.name)") }
        let insertChange = try db.prepare("""
            INSERT INTO changes(seq, sample_id, kind, record_before, record_after, labels_before, labels_after, annotator, guideline)
            VALUES (?,?,?,?,?,?,?,?,?)
            """)
        let insertEvent = try db.prepare("""
            INSERT INTO label_events(seq, sample_id, field, from_label, to_label, annotator, guideline, time)
            VALUES (?,?,?,?,?,?,?,?)
            """)
        let insertJudgment = try db.prepare("""
            INSERT INTO judgments(seq, sample_id, position, annotator, field, label, guideline, at) VALUES (?,?,?,?,?,?,?,?)
            """)
        try insertChange.bind([.integer(seq)])
        var binder = ChangeRowBinder(config: config)
        let judgmentReader = JudgedRecord.Reader(config: config), judgmentKeys = PlainJudgments.Keys(config)
        while let changes = try next() {
            for row in changes {
                insertChange.reset()
                let change = try binder.bind(row, to: insertChange)
                try insertChange.run()
                // An added record's judgments are bound from its bytes (a first import adds millions).
                if case .added(let record, _) = row, let plain = PlainJudgments(record, judgmentKeys), plain.id != nil || plain.judgments.isEmpty {
                    try record.withUnsafeBufferPointer { bytes in
                        func slice(_ range: Range<Int>?) -> UnsafeBufferPointer<UInt8>? { range.map { UnsafeBufferPointer(rebasing: bytes[$0]) } }
                        for (k, j) in plain.judgments.enumerated() {
                            insertJudgment.reset()
                            try insertJudgment.bind(seq, at: 1)
                            try insertJudgment.bind(utf8: slice(plain.id), at: 2)
                            try insertJudgment.bind(Int64(k), at: 3)
                            try insertJudgment.bind(utf8: slice(j.annotator), at: 4)
                            try insertJudgment.bind(j.field.map { judgmentKeys.labelNames[$0] }, at: 5)
                            try insertJudgment.bind(utf8: slice(j.label), at: 6)
                            try insertJudgment.bind(utf8: slice(j.guideline), at: 7)
                            try insertJudgment.bind(utf8: slice(j.at), at: 8)
                            try insertJudgment.run()
                        }
                    }
                } else if let (sample, judgments) = try row.newJudgments(change, reader: judgmentReader) {
                    for (k, j) in judgments.enumerated() {
                        insertJudgment.reset()
                        try insertJudgment.bind([.integer(seq), .text(sample), .integer(Int64(k)), j.annotator.map { .text($0) } ?? .null,
                                                 j.field.map { .text($0) } ?? .null, j.label.map { .text($0) } ?? .null,
                                                 j.guideline.map { .text($0) } ?? .null, j.at.map { .text($0) } ?? .null])
                        try insertJudgment.run()
                    }
                }
                guard let c = change, c.kind == .relabeled else { continue }
                for field in Set(c.labelsBefore.keys).union(c.labelsAfter.keys).sorted() {
                    let from = c.labelsBefore[field] ?? "(none)", to = c.labelsAfter[field] ?? "(none)"
                    guard from != to else { continue }
                    try insertEvent.bind([.integer(seq), .text(c.id), .text(field), .text(from), .text(to),
                                          c.annotator.map { .text($0) } ?? .null, c.guideline.map { .text($0) } ?? .null,
                                          .integer(time)])
                    try insertEvent.run()
                }
            }
        }
        Trace.mark("index rows inserted")
        if bulk {
            for index in indexes { try db.execute(index.sql) }
            Trace.mark("index: secondary indexes built")
        }
    }

    /// Runs `body` in one transaction.
    func transaction<T>(_ body: () throws -> T) throws -> T { try db.transaction(body) }

    /// Replaces the `models` table.
    func replaceModels(_ models: [ModelInfo]) throws {
        try db.transaction {
            try db.execute("DELETE FROM models")
            for m in models {
                let meta = String(decoding: CanonicalJSON.encode(.object(m.meta.map { JSONMember($0.key, .string($0.value)) })), as: UTF8.self)
                try db.run("INSERT INTO models(name, commit_id, tag, registered_by, registered_at, meta) VALUES (?,?,?,?,?,?)",
                           [.text(m.name), .text(m.commit), .text(m.tag), m.registeredBy.map { .text($0) } ?? .null,
                            m.registeredAt.map { .text($0) } ?? .null, .text(meta)])
            }
        }
    }

    /// Replaces the erasure tables with `log`'s records.
    func replaceErasures(_ log: ErasureLog) throws {
        try db.transaction {
            for table in ["erasures", "erased_samples", "erased_content"] { try db.execute("DELETE FROM \(table)") }
            let sample = try db.prepare("INSERT INTO erased_samples(erasure, sample_id) VALUES (?, ?)")
            let content = try db.prepare("INSERT INTO erased_content(erasure, blob) VALUES (?, ?)")
            for r in log.records {
                let seq = SQLValue.integer(Int64(r.sequence))
                try db.run("INSERT INTO erasures(sequence, erased_by, time, reason) VALUES (?,?,?,?)",
                           [seq, .text(r.erasedBy), .integer(r.time), .text(r.reason)])
                for id in r.samples { sample.reset(); try sample.bind([seq, .text(id)]); try sample.run() }
                for blob in r.content { content.reset(); try content.bind([seq, .text(blob)]); try content.run() }
            }
        }
    }

    /// Rows of a query, for reports and tests.
    func rows(_ sql: String, _ arguments: [SQLValue] = []) throws -> [[SQLValue]] {
        try db.rows(sql, arguments)
    }

    /// How many rows the index's table `table` holds (`changes`, `label_events`, ...).
    public func rowCount(of table: String) throws -> Int {
        try translatingLowerErrors {
            if case .integer(let n)? = try rows("SELECT COUNT(*) FROM \(table)").first?.first { return Int(n) }
            return 0
        }
    }

    /// Records that the index reflects `commit` for `ref`.
    func markSynced(ref: String, commit: ObjectID) throws {
        try db.run("""
            INSERT INTO sync_state(ref, commit_id, synced_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))
            ON CONFLICT(ref) DO UPDATE SET commit_id = excluded.commit_id, synced_at = excluded.synced_at
            """, [.text(ref), .text(commit.hex)])
    }

    /// The commit the index reflects for `ref`, if any.
    func syncedCommit(ref: String) throws -> ObjectID? {
        let rows = try db.rows("SELECT commit_id FROM sync_state WHERE ref = ?", [.text(ref)])
        guard case .text(let hex)? = rows.first?.first else { return nil }
        return ObjectID(hex: hex)
    }
}

/// The migrations in `schema/`, embedded in the binary so an installed `trail` needs no files.
/// A test checks that this list and the folder agree.
public enum SchemaMigrations {
    /// Every migration of the index schema, in version order.
    public static let all: [Migration] = [
        Migration(version: 1, name: "sync_state", sql: String(decoding: PackageResources._01_sync_state_sql, as: UTF8.self)),
        Migration(version: 2, name: "lineage", sql: String(decoding: PackageResources._02_lineage_sql, as: UTF8.self)),
        Migration(version: 3, name: "lean_label_events",
                  sql: String(decoding: PackageResources._03_lean_label_events_sql, as: UTF8.self)),
        Migration(version: 4, name: "erasures", sql: String(decoding: PackageResources._04_erasures_sql, as: UTF8.self)),
        Migration(version: 5, name: "judgments", sql: String(decoding: PackageResources._05_judgments_sql, as: UTF8.self)),
        Migration(version: 6, name: "change_ranges", sql: String(decoding: PackageResources._06_change_ranges_sql, as: UTF8.self)),
    ]
}
