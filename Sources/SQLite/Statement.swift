import CSQLite

/// A prepared statement; finalized when released.
public final class Statement {
    private let handle: OpaquePointer
    private let connection: Connection
    private let sql: String

    init(connection: Connection, sql: String) throws {
        var stmt: OpaquePointer?
        try check(sqlite3_prepare_v2(connection.handle, sql, -1, &stmt, nil), connection.handle, "prepare \(sql.prefix(200))")
        guard let stmt else {
            throw SQLiteError(code: .misuse, message: "empty statement", context: sql)
        }
        self.handle = stmt
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds values to the `?` parameters, in order, after resetting the statement.
    public func bind(_ values: [SQLValue]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
            case .real(let v): rc = sqlite3_bind_double(handle, index, v)
            case .text(let v): rc = sqlite3_bind_text(handle, index, v, -1, trail_sqlite_transient())
            case .blob(let v):
                rc = v.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), trail_sqlite_transient()) }
            }
            try check(rc, connection.handle, "bind parameter \(index) of \(sql.prefix(200))")
        }
    }

    /// Resets the statement for another run with new bindings (cheaper than `bind(_:)` in a
    /// loop of millions of rows: no array, no enum per value).
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Binds text (or NULL for nil) to parameter `index` (1-based).
    public func bind(_ text: String?, at index: Int32) throws {
        guard var text else {
            try check(sqlite3_bind_null(handle, index), connection.handle, "bind parameter \(index)")
            return
        }
        let rc = text.withUTF8 { utf8 in
            sqlite3_bind_text(handle, index, UnsafeRawPointer(utf8.baseAddress!).assumingMemoryBound(to: CChar.self),
                              Int32(utf8.count), trail_sqlite_transient())
        }
        try check(rc, connection.handle, "bind parameter \(index)")
    }

    /// Binds UTF-8 bytes as text (or NULL for nil) to parameter `index` (1-based). SQLite copies
    /// them, so the buffer need only live through this call.
    public func bind(utf8 bytes: UnsafeBufferPointer<UInt8>?, at index: Int32) throws {
        let rc: Int32
        if let bytes {
            // A zero-length buffer may have no base address; SQLite needs a pointer for "".
            let pointer = bytes.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(("" as StaticString).utf8Start)
            rc = sqlite3_bind_text(handle, index, pointer.assumingMemoryBound(to: CChar.self), Int32(bytes.count), trail_sqlite_transient())
        } else {
            rc = sqlite3_bind_null(handle, index)
        }
        try check(rc, connection.handle, "bind parameter \(index)")
    }

    /// Binds an integer to parameter `index` (1-based).
    public func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value), connection.handle, "bind parameter \(index)")
    }

    /// Runs the statement to completion (for INSERT, UPDATE, DELETE).
    public func run() throws {
        while try step() {}
    }

    /// Advances to the next row; false when the statement is done.
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        try check(rc, connection.handle, sql.prefix(200).description)
        return rc == SQLITE_ROW
    }

    /// The number of columns in a result row.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The value of column `i` of the current row.
    public func value(at i: Int) -> SQLValue {
        let index = Int32(i)
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            // By its length, not up to a NUL: a sample id may hold U+0000.
            let count = Int(sqlite3_column_bytes(handle, index))
            guard let p = sqlite3_column_text(handle, index) else { return .text("") }
            return .text(String(decoding: UnsafeRawBufferPointer(start: p, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, index))
            guard let p = sqlite3_column_blob(handle, index) else { return .blob([]) }
            return .blob([UInt8](UnsafeRawBufferPointer(start: p, count: count)))
        default: return .null
        }
    }

    /// Feeds the current row to `hasher`, each column's type and bytes, without making values
    /// (a digest of ten million rows then costs a scan, not ninety million strings).
    public func hashRow(into hasher: inout Hasher) {
        for i in 0..<Int32(columnCount) {
            let type = sqlite3_column_type(handle, i)
            hasher.combine(type)
            switch type {
            case SQLITE_INTEGER: hasher.combine(sqlite3_column_int64(handle, i))
            case SQLITE_FLOAT: hasher.combine(sqlite3_column_double(handle, i))
            case SQLITE_TEXT, SQLITE_BLOB:
                // The pointer first, then its length, as SQLite asks.
                let p = type == SQLITE_TEXT ? sqlite3_column_text(handle, i).map { UnsafeRawPointer($0) } : sqlite3_column_blob(handle, i)
                let n = Int(sqlite3_column_bytes(handle, i))
                hasher.combine(n)
                if let p { hasher.combine(bytes: UnsafeRawBufferPointer(start: p, count: n)) }
            default: break
            }
        }
    }

    /// Column `i` as text, or nil for NULL.
    public func text(at i: Int) -> String? {
        if case .text(let s) = value(at: i) { return s }
        return nil
    }

    /// Column `i` as an integer, or nil for NULL.
    public func integer(at i: Int) -> Int64? {
        if case .integer(let v) = value(at: i) { return v }
        return nil
    }
}
