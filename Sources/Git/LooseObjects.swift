import CGit2
import Foundation
import GitFormat

/// Reads loose object files only, never a pack. libgit2's object database prefers a packed
/// copy of an object, so a damaged loose file under the same id stays hidden from every normal
/// read; `trail verify` hashes the loose files through this reader to see them.
public final class LooseObjects {
    private let odb: OpaquePointer

    /// A reader of the loose objects in `objectsDirectory` (`<git dir>/objects`).
    public init(objectsDirectory: String) throws {
        _ = Libgit2.initialized
        var db: OpaquePointer?
        try check(git_odb_new(&db), "open loose objects")
        var backend: UnsafeMutablePointer<git_odb_backend>?
        do {
            try check(git_odb_backend_loose(&backend, objectsDirectory, -1, 0, 0, 0), "open loose objects in \(objectsDirectory)")
            // The odb owns (and frees) the backend once added.
            try check(git_odb_add_backend(db, backend, 1), "open loose objects")
        } catch {
            if let backend { backend.pointee.free?(backend) }
            git_odb_free(db)
            throw error
        }
        odb = db!
    }

    deinit { git_odb_free(odb) }

    /// The type and bytes the loose file of `id` holds, as stored (not checked against `id`).
    public func read(_ id: ObjectID) throws -> (type: ObjectType, data: [UInt8]) {
        var oid = id.gitOID
        var object: OpaquePointer?
        try check(git_odb_read(&object, odb, &oid), "read loose object \(id)")
        defer { git_odb_object_free(object) }
        let size = git_odb_object_size(object)
        let data = size == 0 ? [] : [UInt8](UnsafeRawBufferPointer(start: git_odb_object_data(object)!, count: size))
        guard let type = ObjectType(rawValue: UInt8(git_odb_object_type(object).rawValue)) else {
            throw GitError(operation: "read loose object \(id)", message: "unknown object type")
        }
        return (type, data)
    }
}
