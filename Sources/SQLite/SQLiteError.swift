import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// An error from sqlite3: the result code, sqlite's message, and the statement or step involved.
public struct SQLiteError: Error, CustomStringConvertible {
    /// The extended result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`, ...).
    public let code: Int32
    public let message: String
    /// The SQL or operation that failed.
    public let context: String
    /// The operating system's error (errno) behind a failed read, write or open; 0 if none.
    public var systemErrno: Int32 = 0

    public var description: String { "\(context): \(message) (sqlite code \(code))" }

    /// The database is locked by another connection longer than the busy timeout.
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }

    /// The disk is full, or a file would grow past the file-size limit (`ulimit -f`) or a quota.
    /// sqlite reports a short write as SQLITE_FULL, a refused one (EFBIG) as an I/O error.
    public var isDiskFull: Bool { code & 0xff == SQLITE_FULL || [ENOSPC, EFBIG, EDQUOT].contains(systemErrno) }
}

extension SQLiteError {
    /// The error `rc` on `db`; for an I/O failure, with the operating system's reason, which
    /// sqlite's own message ("disk I/O error") leaves out. sqlite keeps that reason only for some
    /// failures, so `lastErrno` (the thread's errno as sqlite returned) fills in when it shows a
    /// full disk or file-size limit: the failed write is the last call that could have set it.
    init(code rc: Int32, db: OpaquePointer?, lastErrno: Int32, message: String, context: String) {
        let primary = rc & 0xff
        var osError: Int32 = 0
        if primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN {
            osError = db.map { sqlite3_system_errno($0) } ?? 0
            if osError == 0 && [ENOSPC, EFBIG, EDQUOT].contains(lastErrno) { osError = lastErrno }
        }
        self.init(code: rc, message: osError == 0 ? message : "\(message): \(String(cString: strerror(osError)))",
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
