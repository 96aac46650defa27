/// A JSON value as Trail keeps it: numbers keep the exact text they were written with
/// (so integers beyond 2^53 and floats such as `0.10` survive a round trip), and objects
/// keep their members in the order they were read.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number's text exactly as written, e.g. `-0.50`, `1e3`, `12345678901234567890`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The value of member `key` of an object; nil when absent or not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The members, if this is an object.
    public var objectMembers: [JSONMember]? {
        if case .object(let m) = self { return m }
        return nil
    }

    /// "string", "number", ... as a user would call it in an error message.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// One `"key": value` member of a JSON object.
public struct JSONMember: Equatable, Sendable {
    /// The member's key, unescaped.
    public var key: String
    /// The member's value.
    public var value: JSONValue

    /// A member `key: value`.
    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}
