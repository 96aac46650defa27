import CSQLite
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A value bound to or read from a statement.
public enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One sqlite3 connection. Owns the handle and closes it once.
public final class Connection {
    let handle: OpaquePointer

    /// How a connection writes.
    public enum Mode: Sendable {
        /// WAL journal, synced at commits: readers never block the writer, and a crash never
        /// leaves a half-written database.
        case shared
        /// No journal and no syncs, for filling a new file that nothing else opens until it is
        /// complete (and that is thrown away if the process dies first). Each page is written
        /// once, instead of to the WAL and again at the checkpoint.
        case bulkLoad
    }

    /// Opens (creating if needed) the database at `path`, with a busy timeout. `pageSize` (bytes,
    /// a power of two from 512 to 65536) applies to a database created here; an existing one
    /// keeps its own.
    public init(path: String, readOnly: Bool = false, mode: Mode = .shared, pageSize: Int? = nil) throws {
        _ = Connection.configureLibrary
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let lastErrno = errno
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            let error = SQLiteError(code: rc, db: db, lastErrno: lastErrno, message: message, context: "open \(path)")
            sqlite3_close(db)
            throw error
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 10_000)
        if !readOnly {
            // Before the journal mode, which writes the header of a new file.
            if let pageSize { try execute("PRAGMA page_size=\(pageSize)") }
            try execute(mode == .bulkLoad ? "PRAGMA journal_mode=OFF" : "PRAGMA journal_mode=WAL")
            try execute(mode == .bulkLoad ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=NORMAL")
            // A large page cache keeps a large commit's updates from spilling pages to the WAL
            // over and over; it is only allocated as it fills. A bulk load has no WAL and appends
            // in rowid order (its indexes are sorted at the end, spilling to files), so a small
            // one does: at ten million rows the larger cache was 200 MB of the commit's memory.
            try execute(mode == .bulkLoad ? "PRAGMA cache_size=-65536" : "PRAGMA cache_size=-262144")
            // Sorts (CREATE INDEX after a bulk load of a million rows) on every core.
            try execute("PRAGMA threads=\(ProcessInfo.processInfo.activeProcessorCount)")
            // A bulk load's sorts (its secondary indexes, over millions of rows) spill to temporary
            // files rather than grow in memory; other writers sort little, in memory.
            try execute(mode == .bulkLoad ? "PRAGMA temp_store=FILE" : "PRAGMA temp_store=MEMORY")
        }
        try execute("PRAGMA foreign_keys=ON")
    }

    deinit { sqlite3_close_v2(handle) }

    /// Process-wide settings, applied once before the first connection opens.
    private static let configureLibrary: Void = { _ = trail_sqlite_disable_memstatus() }()

    /// Leaves checkpoints (copying the WAL back into the database, with two fsyncs) to a later
    /// `checkpoint()`: none when a commit grows the WAL, none when this connection closes.
    /// For a writer whose caller is waiting, when the checkpoint can run at a better time.
    public func deferCheckpoints() throws {
        try execute("PRAGMA wal_autocheckpoint=0")
        try check(trail_sqlite_no_checkpoint_on_close(handle, 1), handle, "defer checkpoints")
    }

    /// Copies what the WAL holds into the database, as far as readers allow (never waits).
    public func checkpoint() throws {
        try execute("PRAGMA wal_checkpoint(PASSIVE)")
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let lastErrno = errno
            let message = errmsg.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errmsg)
            throw SQLiteError(code: rc, db: handle, lastErrno: lastErrno, message: message, context: String(sql.prefix(200)))
        }
    }

    /// Prepares a statement.
    public func prepare(_ sql: String) throws -> Statement { try Statement(connection: self, sql: sql) }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// All rows of a query, each as an array of values.
    public func rows(_ sql: String, _ arguments: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        var result: [[SQLValue]] = []
        while try statement.step() {
            result.append((0..<statement.columnCount).map { statement.value(at: $0) })
        }
        return result
    }

    /// Runs one statement with arguments.
    public func run(_ sql: String, _ arguments: [SQLValue] = []) throws {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        while try statement.step() {}
    }
}
