import CSQLite

/// An error from sqlite3: the result code, sqlite's message, and the statement or step involved.
public struct SQLiteError: Error, CustomStringConvertible {
    /// The extended result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`, ...).
    public let code: Int32
    public let message: String
    /// The SQL or operation that failed.
    public let context: String

    public var description: String { "\(context): \(message) (sqlite code \(code))" }

    /// The database is locked by another connection longer than the busy timeout.
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
}

@discardableResult
func check(_ rc: Int32, _ db: OpaquePointer?, _ context: @autoclosure () -> String) throws -> Int32 {
    switch rc {
    case SQLITE_OK, SQLITE_ROW, SQLITE_DONE: return rc
    default:
        let message = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
        throw SQLiteError(code: rc, message: message, context: context())
    }
}
