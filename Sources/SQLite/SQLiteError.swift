import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// An error from sqlite3: the result code, sqlite's message, and the statement or step involved.
///
/// Match a kind of failure by its code, as GRDB matches `ResultCode`s: `catch SQLiteError.Code.busy`
/// (a primary code matches every extended code under it) or
/// `catch let error as SQLiteError where error.isDiskFull`.
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    /// A sqlite3 result code: a primary one (`SQLITE_BUSY`) or an extended one
    /// (`SQLITE_CONSTRAINT_UNIQUE`, whose low byte is its primary code). Stable across sqlite
    /// versions.
    public struct Code: RawRepresentable, Hashable, Sendable {
        /// sqlite's number for it.
        public let rawValue: Int32
        /// The code sqlite numbers `rawValue`.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// The primary code: the low byte of an extended code, a primary code itself.
        public var primary: Code { Code(rawValue: rawValue & 0xff) }

        /// A generic error, such as an SQL syntax error (`SQLITE_ERROR`).
        public static let error = Code(rawValue: SQLITE_ERROR)
        /// An internal sqlite error (`SQLITE_INTERNAL`).
        public static let internalError = Code(rawValue: SQLITE_INTERNAL)
        /// The operating system refused access (`SQLITE_PERM`).
        public static let permission = Code(rawValue: SQLITE_PERM)
        /// A callback asked for the operation to stop (`SQLITE_ABORT`).
        public static let abort = Code(rawValue: SQLITE_ABORT)
        /// Another connection held the database longer than the busy timeout (`SQLITE_BUSY`).
        public static let busy = Code(rawValue: SQLITE_BUSY)
        /// A table is locked by this connection or a shared-cache one (`SQLITE_LOCKED`).
        public static let locked = Code(rawValue: SQLITE_LOCKED)
        /// sqlite could not allocate memory (`SQLITE_NOMEM`).
        public static let noMemory = Code(rawValue: SQLITE_NOMEM)
        /// A write to a database opened (or only openable) read-only (`SQLITE_READONLY`).
        public static let readOnly = Code(rawValue: SQLITE_READONLY)
        /// The operation was interrupted (`SQLITE_INTERRUPT`).
        public static let interrupt = Code(rawValue: SQLITE_INTERRUPT)
        /// A read, write, sync or lock of the file failed (`SQLITE_IOERR`); see `systemErrno`.
        public static let ioError = Code(rawValue: SQLITE_IOERR)
        /// The database file is damaged (`SQLITE_CORRUPT`).
        public static let corrupt = Code(rawValue: SQLITE_CORRUPT)
        /// The disk is full: a write was short (`SQLITE_FULL`).
        public static let full = Code(rawValue: SQLITE_FULL)
        /// The database file cannot be opened (`SQLITE_CANTOPEN`).
        public static let cannotOpen = Code(rawValue: SQLITE_CANTOPEN)
        /// The schema changed under a prepared statement (`SQLITE_SCHEMA`).
        public static let schema = Code(rawValue: SQLITE_SCHEMA)
        /// A string or blob is larger than sqlite's limit (`SQLITE_TOOBIG`).
        public static let tooBig = Code(rawValue: SQLITE_TOOBIG)
        /// A constraint (unique, foreign key, not null, check) was violated (`SQLITE_CONSTRAINT`).
        public static let constraint = Code(rawValue: SQLITE_CONSTRAINT)
        /// A value does not fit its column (`SQLITE_MISMATCH`).
        public static let mismatch = Code(rawValue: SQLITE_MISMATCH)
        /// The library was used wrongly, e.g. an empty statement (`SQLITE_MISUSE`).
        public static let misuse = Code(rawValue: SQLITE_MISUSE)
        /// A bound parameter's index is out of range (`SQLITE_RANGE`).
        public static let range = Code(rawValue: SQLITE_RANGE)
        /// The file is not a database (`SQLITE_NOTADB`).
        public static let notADatabase = Code(rawValue: SQLITE_NOTADB)

        // Extended codes (primary | n << 8): sqlite's C macros for them do not reach Swift.
        /// A UNIQUE constraint was violated (`SQLITE_CONSTRAINT_UNIQUE`).
        public static let constraintUnique = Code(rawValue: SQLITE_CONSTRAINT | 8 << 8)
        /// A PRIMARY KEY constraint was violated (`SQLITE_CONSTRAINT_PRIMARYKEY`).
        public static let constraintPrimaryKey = Code(rawValue: SQLITE_CONSTRAINT | 6 << 8)
        /// A FOREIGN KEY constraint was violated (`SQLITE_CONSTRAINT_FOREIGNKEY`).
        public static let constraintForeignKey = Code(rawValue: SQLITE_CONSTRAINT | 3 << 8)
        /// A NOT NULL constraint was violated (`SQLITE_CONSTRAINT_NOTNULL`).
        public static let constraintNotNull = Code(rawValue: SQLITE_CONSTRAINT | 5 << 8)
    }

    /// The extended result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`, ...).
    public let code: Code
    /// sqlite's message (with the operating system's reason for a failed read, write or open).
    public let message: String
    /// The SQL or operation that failed.
    public let context: String
    /// The operating system's error (errno) behind a failed read, write or open; 0 if none.
    public var systemErrno: Int32 = 0

    /// Makes an error with result code `code`.
    public init(code: Code, message: String, context: String, systemErrno: Int32 = 0) {
        self.code = code
        self.message = message
        self.context = context
        self.systemErrno = systemErrno
    }

    /// `context: message (sqlite code N)`, N the extended code.
    public var description: String { "\(context): \(message) (sqlite code \(code.rawValue))" }

    /// The database is locked by another connection longer than the busy timeout.
    public var isBusy: Bool { Code.busy ~= code || Code.locked ~= code }

    /// The disk is full, or a file would grow past the file-size limit (`ulimit -f`) or a quota.
    /// sqlite reports a short write as SQLITE_FULL, a refused one (EFBIG) as an I/O error.
    public var isDiskFull: Bool { Code.full ~= code || [ENOSPC, EFBIG, EDQUOT].contains(systemErrno) }
}

extension SQLiteError.Code {
    /// Matches a result code as GRDB does: a primary pattern (`.constraint`) matches every
    /// extended code under it (`.constraintUnique`), an extended pattern only itself.
    public static func ~= (pattern: SQLiteError.Code, code: SQLiteError.Code) -> Bool {
        pattern.primary == pattern ? code.primary == pattern : code == pattern
    }

    /// Matches an error that is a `SQLiteError` with this code: `catch SQLiteError.Code.busy`.
    public static func ~= (pattern: SQLiteError.Code, error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return false }
        return pattern ~= error.code
    }
}

extension SQLiteError {
    /// The error `rc` on `db`; for an I/O failure, with the operating system's reason, which
    /// sqlite's own message ("disk I/O error") leaves out. sqlite keeps that reason only for some
    /// failures, so `lastErrno` (the thread's errno as sqlite returned) fills in when it shows a
    /// full disk or file-size limit: the failed write is the last call that could have set it.
    init(code rc: Int32, db: OpaquePointer?, lastErrno: Int32, message: String, context: String) {
        let code = Code(rawValue: rc)
        var osError: Int32 = 0
        if Code.ioError ~= code || Code.full ~= code || Code.cannotOpen ~= code {
            osError = db.map { sqlite3_system_errno($0) } ?? 0
            if osError == 0 && [ENOSPC, EFBIG, EDQUOT].contains(lastErrno) { osError = lastErrno }
        }
        self.init(code: code, message: osError == 0 ? message : "\(message): \(String(cString: strerror(osError)))",
                  context: context, systemErrno: osError)
    }
}

@discardableResult
func check(_ rc: Int32, _ db: OpaquePointer?, _ context: @autoclosure () -> String) throws -> Int32 {
    switch rc {
    case SQLITE_OK, SQLITE_ROW, SQLITE_DONE: return rc
    default:
        let lastErrno = errno
        let message = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
        throw SQLiteError(code: rc, db: db, lastErrno: lastErrno, message: message, context: context())
    }
}
