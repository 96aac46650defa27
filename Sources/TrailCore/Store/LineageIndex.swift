import Foundation
import Git
import SQLite

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
    ]
}
