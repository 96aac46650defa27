/// A branch or tag and the commit it points at.
public struct RefInfo: Codable, Equatable {
    /// The branch or tag name, without `refs/heads/` or `refs/tags/`.
    public var name: String
    /// The commit it points at.
    public var commit: String
    /// True for the branch HEAD names.
    public var current: Bool
}
