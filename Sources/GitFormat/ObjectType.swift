/// The four kinds of git object, with the numbers packfiles use for them.
public enum ObjectType: UInt8, Sendable {
    case commit = 1, tree = 2, blob = 3, tag = 4

    /// The word in an object's header: "blob", "tree", ...
    public var name: String {
        switch self {
        case .commit: return "commit"
        case .tree: return "tree"
        case .blob: return "blob"
        case .tag: return "tag"
        }
    }
}
