import CGit2
import GitFormat

/// Conversions between Trail's `ObjectID` and libgit2's `git_oid`, used only inside this module.
extension ObjectID {
    init(_ oid: git_oid) {
        var copy = oid
        self = withUnsafeBytes(of: &copy.id) { ObjectID(bytes: $0.baseAddress!) }
    }

    init(_ oid: UnsafePointer<git_oid>) { self.init(oid.pointee) }

    var gitOID: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { storeBytes(into: $0.baseAddress!) }
        return oid
    }
}
