/// One schema migration: a version number, a name, and the SQL that applies it.
public struct Migration: Sendable {
    /// The schema version this migration brings the database to; migrations run in ascending order.
    public let version: Int
    /// A short name, recorded beside the version.
    public let name: String
    /// The SQL that applies the migration; may hold several statements.
    public let sql: String

    /// A migration to version `version` running `sql`.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Reads a migration from a file named `NNN_name.sql`; nil for other names.
    public init?(fileName: String, sql: String) {
        guard fileName.hasSuffix(".sql"), let underscore = fileName.firstIndex(of: "_"),
              let version = Int(fileName[..<underscore]) else { return nil }
        let name = String(fileName[fileName.index(after: underscore)...].dropLast(4))
        self.init(version: version, name: name, sql: sql)
    }
}

/// Applies migrations in version order, each in its own transaction, recording each
/// in `schema_migrations` (as GRDB's DatabaseMigrator does) so it runs exactly once.
public struct Migrator {
    /// The migrations, sorted by version.
    public let migrations: [Migration]

    /// A migrator for `migrations`, in any order (they are sorted by version).
    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Applies the migrations not yet recorded; returns their versions.
    @discardableResult
    public func migrate(_ db: Connection) throws -> [Int] {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)
            """)
        let applied = Set(try db.rows("SELECT version FROM schema_migrations").compactMap { row -> Int? in
            if case .integer(let v) = row[0] { return Int(v) }
            return nil
        })
        var done: [Int] = []
        for migration in migrations where !applied.contains(migration.version) {
            try db.transaction {
                try db.execute(migration.sql)
                try db.run("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, datetime('now'))",
                           [.integer(Int64(migration.version)), .text(migration.name)])
            }
            done.append(migration.version)
        }
        return done
    }
}
