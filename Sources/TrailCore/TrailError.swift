/// An error a Trail user can act on: what happened, and what to do about it.
public struct TrailError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, in one sentence.
    public let message: String
    /// What to do about it.
    public let hint: String?
    /// The process exit code the CLI should use.
    public let exitCode: Int32
    /// The individual problems behind `message`, one sentence each (a refused fetch lists them).
    public let details: [String]

    public init(_ message: String, hint: String? = nil, exitCode: Int32 = 1, details: [String] = []) {
        self.message = message
        self.hint = hint
        self.exitCode = exitCode
        self.details = details
    }

    public var description: String { message }
}

/// Bad input in a manifest: names the file, the line and the field, and says how to fix it.
public struct InputError: Error, CustomStringConvertible, Equatable {
    public let file: String
    /// 1-based line number, when the problem is on one line.
    public let line: Int?
    /// 1-based column (in bytes), when known.
    public let column: Int?
    /// The field (column name or JSON key) involved, when there is one.
    public let field: String?
    public let message: String
    public let hint: String?

    public init(file: String, line: Int?, column: Int? = nil, field: String? = nil, message: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
        self.hint = hint
    }

    /// `file:line:column: field 'x': message`, the way compilers point at a problem.
    public var description: String {
        var where_ = file
        if let line { where_ += ":\(line)" }
        if let column { where_ += ":\(column)" }
        var text = "\(where_): "
        if let field { text += "field '\(field)': " }
        return text + message
    }
}
