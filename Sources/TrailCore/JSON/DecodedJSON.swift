import Foundation

/// JSON that `JSONDecoder` could not decode into a Trail type, with what is wrong in words:
/// Swift's `DecodingError` prints as a dump of its cases and coding path, which tells a user
/// nothing they can find.
struct UndecodableJSON: Error {
    /// What is wrong, as the end of a sentence ("it is not valid JSON: ...").
    let problem: String
}

/// Decodes a `T` from JSON `bytes`, throwing `UndecodableJSON` when it cannot.
func decodeJSON<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
    do {
        return try JSONDecoder().decode(type, from: Data(bytes))
    } catch let error as DecodingError {
        // Trail's own parser says where the syntax breaks, as the manifest errors do.
        do { _ = try JSONParser.parse(bytes) } catch let syntax as JSONSyntaxError {
            throw UndecodableJSON(problem: "it is not valid JSON: \(syntax.message) at byte \(syntax.offset + 1) of \(bytes.count)")
        }
        throw UndecodableJSON(problem: describe(error))
    }
}

/// A decoding error as words: the member involved (`labels.label`) and what it should hold.
private func describe(_ error: DecodingError) -> String {
    func place(_ path: [CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    func kind(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if ["Int", "Int64", "Double", "Float", "UInt"].contains(name) { return "a number" }
        if name == "String" { return "a string" }
        if name == "Bool" { return "true or false" }
        if name.hasPrefix("Dictionary") { return "an object" }
        if name.hasPrefix("Array") { return "a list" }
        return "a value of another shape"
    }
    switch error {
    case .typeMismatch(let type, let context):
        return context.codingPath.isEmpty ? "it is not \(kind(type))" : "its member '\(place(context.codingPath))' is not \(kind(type))"
    case .valueNotFound(let type, let context):
        return "its member '\(place(context.codingPath))' is null, not \(kind(type))"
    case .keyNotFound(let key, let context):
        return "it has no member '\(place(context.codingPath + [key]))'"
    case .dataCorrupted(let context):
        return context.codingPath.isEmpty ? "it cannot be read as JSON" : "its member '\(place(context.codingPath))' holds a value it cannot have"
    @unknown default:
        return "it cannot be decoded"
    }
}
