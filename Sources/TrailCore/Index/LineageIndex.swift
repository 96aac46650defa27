import Foundation
import Git
@_exported import SQLite

/// The SQLite index beside the git objects: derived from them, rebuildable from them.
public final class LineageIndex {
    let db: Connection

    /// Opens (creating if needed) the index at `path` and brings its schema up to date.
    public init(path: String) throws {
        do {
            db = try Connection(path: path)
            try Migrator(migrations: SchemaMigrations.all).migrate(db)
        } catch let error as SQLiteError {
            throw TrailError("cannot open the index \(path): \(error.message)",
                             hint: "the index is derived from git; delete \(path) and run the command again to rebuild it")
        }
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

    /// Adds a commit and its sample changes, in one transaction. A large batch (a first import)
    /// drops the secondary indexes and builds them again after the rows are in, which is several
    /// times faster than updating them row by row.
    func insert(_ commit: CommitRow, changes: [SampleChange]) throws {
        let bulk = changes.count > 100_000
        try db.transaction {
            let seqRow = try db.rows("SELECT COALESCE(MAX(seq), 0) + 1 FROM commits")
            guard case .integer(let seq)? = seqRow.first?.first else { return }
            try db.run("INSERT INTO commits(id, seq, parent, author, email, time, subject, samples) VALUES (?,?,?,?,?,?,?,?)",
                       [.text(commit.id.hex), .integer(seq), commit.parent.map { .text($0.hex) } ?? .null, .text(commit.author),
                        .text(commit.email), .integer(commit.time), .text(commit.subject), .integer(Int64(commit.samples))])
            if bulk { try db.execute("DROP INDEX changes_by_sample; DROP INDEX changes_by_annotator;") }
            let change = try db.prepare("""
                INSERT INTO changes(seq, sample_id, kind, record_before, record_after, labels_before, labels_after, annotator, guideline)
                VALUES (?,?,?,?,?,?,?,?,?)
                """)
            let event = try db.prepare("""
                INSERT INTO label_events(seq, sample_id, field, from_label, to_label, annotator, guideline, time)
                VALUES (?,?,?,?,?,?,?,?)
                """)
            try change.bind([.integer(seq)])
            for c in changes {
                change.reset()
                try change.bind(c.id, at: 2)
                try change.bind(c.kind.rawValue, at: 3)
                try change.bind(c.recordBefore, at: 4)
                try change.bind(c.recordAfter, at: 5)
                try change.bind(c.kind == .added ? nil : labelsJSON(c.labelsBefore), at: 6)
                try change.bind(c.kind == .removed ? nil : labelsJSON(c.labelsAfter), at: 7)
                try change.bind(c.annotator, at: 8)
                try change.bind(c.guideline, at: 9)
                try change.run()
                guard c.kind == .relabeled else { continue }
                for field in Set(c.labelsBefore.keys).union(c.labelsAfter.keys).sorted() {
                    let from = c.labelsBefore[field] ?? "(none)", to = c.labelsAfter[field] ?? "(none)"
                    guard from != to else { continue }
                    try event.bind([.integer(seq), .text(c.id), .text(field), .text(from), .text(to),
                                    c.annotator.map { .text($0) } ?? .null, c.guideline.map { .text($0) } ?? .null,
                                    .integer(commit.time)])
                    while try event.step() {}
                }
            }
            if bulk {
                try db.execute("""
                    CREATE INDEX changes_by_sample ON changes(sample_id, seq);
                    CREATE INDEX changes_by_annotator ON changes(annotator, kind);
                    """)
            }
        }
    }

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

    /// Empties every derived table, for a rebuild.
    func reset() throws {
        try db.transaction {
            try db.execute("DELETE FROM label_events; DELETE FROM changes; DELETE FROM commits; DELETE FROM models; DELETE FROM sync_state;")
        }
    }

    /// Rows of a query, for reports and tests.
    public func rows(_ sql: String, _ arguments: [SQLValue] = []) throws -> [[SQLValue]] {
        try db.rows(sql, arguments)
    }

    private func labelsJSON(_ labels: [String: String]) -> String {
        // Nearly every sample has one label field: skip building a value tree for it.
        if labels.count == 1, let (field, label) = labels.first {
            var out: [UInt8] = [UInt8(ascii: "{")]
            CanonicalJSON.writeString(field, to: &out)
            out.append(UInt8(ascii: ":"))
            CanonicalJSON.writeString(label, to: &out)
            out.append(UInt8(ascii: "}"))
            return String(decoding: out, as: UTF8.self)
        }
        return String(decoding: CanonicalJSON.encode(.object(labels.map { JSONMember($0.key, .string($0.value)) })), as: UTF8.self)
    }

    /// Records that the index reflects `commit` for `ref`.
    public func markSynced(ref: String, commit: ObjectID) throws {
        try db.run("""
            INSERT INTO sync_state(ref, commit_id, synced_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))
            ON CONFLICT(ref) DO UPDATE SET commit_id = excluded.commit_id, synced_at = excluded.synced_at
            """, [.text(ref), .text(commit.hex)])
    }

    /// The commit the index reflects for `ref`, if any.
    public func syncedCommit(ref: String) throws -> ObjectID? {
        let rows = try db.rows("SELECT commit_id FROM sync_state WHERE ref = ?", [.text(ref)])
        guard case .text(let hex)? = rows.first?.first else { return nil }
        return ObjectID(hex: hex)
    }
}

/// The migrations in `schema/`, embedded in the binary so an installed `trail` needs no files.
/// A test checks that this list and the folder agree.
public enum SchemaMigrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "sync_state", sql: String(decoding: PackageResources._01_sync_state_sql, as: UTF8.self)),
        Migration(version: 2, name: "lineage", sql: String(decoding: PackageResources._02_lineage_sql, as: UTF8.self)),
    ]
}
