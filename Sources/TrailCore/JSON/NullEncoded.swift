/// An optional property that the synthesized `Codable` conformance encodes as `null` when it
/// is nil, instead of leaving its key out: the reports whose undefined statistics (an alpha of
/// one judgment, a kappa of one label) the issues that asked for them name as null, not absent.
/// Decoding takes a null and a missing key alike as nil.
///
///     struct Scores: Codable { @NullEncoded var alpha: Double? }   // {"alpha":null}
@propertyWrapper
public struct NullEncoded<Value: Codable>: Codable {
    /// The value; nil is encoded as `null`.
    public var wrappedValue: Value?

    /// Wraps `wrappedValue`.
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    /// Decodes a value or `null`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(Value.self)
    }

    /// Encodes the value, or `null` when there is none.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

extension NullEncoded: Equatable where Value: Equatable {}
extension NullEncoded: Sendable where Value: Sendable {}

extension KeyedDecodingContainer {
    /// Decodes a `NullEncoded` property whose key may be missing (as nil), as the synthesized
    /// decoding of a plain optional does.
    public func decode<Value>(_ type: NullEncoded<Value>.Type, forKey key: Key) throws -> NullEncoded<Value> {
        NullEncoded(wrappedValue: try decodeIfPresent(Value.self, forKey: key))
    }
}
