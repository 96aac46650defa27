import Git
import GitFormat

/// Where a sample lives in a snapshot tree. Sample ids are arbitrary text (`video/123`, URLs,
/// unicode), so the tree never uses them as names: a sample's entry is the SHA-1 of its id
/// (40 hex digits), under folders named by its first two bytes: `ab/cd/abcd…`.
public enum SampleKey {
    /// The 20-byte key of a sample id.
    public static func of(_ id: String) -> ObjectID {
        var copy = id
        return copy.withUTF8 { of(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// The key of a sample id given as UTF-8 bytes: a string id's text after JSON unescaping,
    /// an integer id's digits as written (so `42` and `"42"` are one sample). The one place a
    /// key is derived, for readers that hold an id's bytes rather than a `String`.
    static func of(utf8 id: UnsafeRawBufferPointer) -> ObjectID {
        ObjectHasher.sha1(id)
    }

    /// The path of a key in a snapshot tree: `ab/cd/abcd…`.
    public static func path(_ key: ObjectID) -> String {
        let hex = key.hex
        return "\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"
    }
}
