import CGit2
import Foundation
import GitFormat

/// A bare git repository, opened through libgit2. Owns its C handles and frees them once.
///
/// Objects are read through libgit2's object database (loose or packed, with deltas),
/// references are read and updated through libgit2 (with compare-and-swap), and many
/// objects are written at once with `PackWriter`.
public final class Repository {
    let handle: OpaquePointer
    private let odb: OpaquePointer
    /// The repository's folder (the git dir).
    public let path: String
    /// Whole objects from the packs, read without libgit2 (which it falls back to).
    private lazy var packReader = PackReader(gitDir: path)
    /// True when the object database borrows another's objects (`objects/info/alternates`).
    private lazy var hasAlternates = FileManager.default.fileExists(atPath: objectsDirectory + "/info/alternates")

    private init(handle: OpaquePointer) throws {
        self.handle = handle
        var odbHandle: OpaquePointer?
        do {
            try check(git_repository_odb(&odbHandle, handle), "open object database")
        } catch {
            git_repository_free(handle)
            throw error
        }
        self.odb = odbHandle!
        var p = String(cString: git_repository_path(handle))
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        self.path = p
    }

    deinit {
        git_odb_free(odb)
        git_repository_free(handle)
    }

    /// Opens the bare repository at `path`.
    public convenience init(openBare path: String) throws {
        _ = Libgit2.initialized
        var repo: OpaquePointer?
        try check(git_repository_open_bare(&repo, path), "open git repository at \(path)")
        try self.init(handle: repo!)
    }

    /// Creates a bare repository at `path` whose HEAD names `initialBranch`.
    public static func initBare(at path: String, initialBranch: String) throws -> Repository {
        _ = Libgit2.initialized
        var options = git_repository_init_options()
        try check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)), "init options")
        options.flags = GIT_REPOSITORY_INIT_BARE.rawValue | GIT_REPOSITORY_INIT_MKPATH.rawValue
            | GIT_REPOSITORY_INIT_NO_REINIT.rawValue
        var repo: OpaquePointer?
        try initialBranch.withCString { branch in
            options.initial_head = branch
            try check(git_repository_init_ext(&repo, path, &options), "create git repository at \(path)")
        }
        return try Repository(handle: repo!)
    }

    /// The folder holding the object database.
    public var objectsDirectory: String { path + "/objects" }

    // MARK: - Objects

    /// Reads an object's type and content.
    public func read(_ id: ObjectID) throws -> (type: ObjectType, data: [UInt8]) {
        if let object = packReader.read(id) { return object }
        var oid = id.gitOID
        var object: OpaquePointer?
        try check(git_odb_read(&object, odb, &oid), "read object \(id)")
        defer { git_odb_object_free(object) }
        let size = git_odb_object_size(object)
        let raw = git_odb_object_data(object)!
        let data = [UInt8](UnsafeRawBufferPointer(start: raw, count: size))
        let type = ObjectType(rawValue: UInt8(git_odb_object_type(object).rawValue)) ?? .blob
        return (type, data)
    }

    /// Reads an object that must be of `type`.
    public func read(_ id: ObjectID, as type: ObjectType) throws -> [UInt8] {
        let object = try read(id)
        guard object.type == type else {
            throw GitError(operation: "read \(type.name) \(id)", message: "object is a \(object.type.name)")
        }
        return object.data
    }

    /// Reads and decodes a tree.
    public func readTree(_ id: ObjectID) throws -> [TreeEntry] {
        try TreeFormat.decode(read(id, as: .tree))
    }

    /// An object's type and size, read from its header only (nil when the store lacks it or
    /// cannot read it).
    public func header(_ id: ObjectID) -> (type: ObjectType, size: Int)? {
        if let header = packReader.header(id) { return header }
        var oid = id.gitOID
        var size = 0
        var type = GIT_OBJECT_INVALID
        guard git_odb_read_header(&size, &type, odb, &oid) == 0 else { git_error_clear(); return nil }
        return ObjectType(rawValue: UInt8(type.rawValue)).map { ($0, size) }
    }

    /// True when the object database holds `id` (in any pack or loose). Does not rescan the
    /// pack folder on a miss (libgit2's default), which made each miss cost a directory read.
    public func contains(_ id: ObjectID) -> Bool {
        // The packs this handle has read first: their index is mapped once, by this handle. When
        // it read every pack, a miss is settled by looking for the loose file: asking libgit2
        // would search its own mapping of each index too, keeping twice the pages resident.
        if packReader.contains(id) { return true }
        if packReader.coversEveryPack && !hasAlternates {
            let hex = id.hex
            return access(objectsDirectory + "/" + hex.prefix(2) + "/" + hex.dropFirst(2), F_OK) == 0
        }
        var oid = id.gitOID
        return git_odb_exists_ext(odb, &oid, GIT_ODB_LOOKUP_NO_REFRESH.rawValue) == 1
    }

    /// Writes one object (loose). For many objects use `PackWriter`.
    @discardableResult
    public func write(_ type: ObjectType, _ data: [UInt8]) throws -> ObjectID {
        var oid = git_oid()
        _ = try data.withUnsafeBytes { raw in
            try check(git_odb_write(&oid, odb, raw.baseAddress, raw.count, git_object_t(rawValue: Int32(type.rawValue))),
                      "write \(type.name)")
        }
        return ObjectID(oid)
    }

    /// Makes packs written since opening visible to this handle.
    public func refreshObjects() throws {
        packReader = PackReader(gitDir: path)
        try check(git_odb_refresh(odb), "refresh object database")
    }

    // MARK: - Commits

    /// A commit as libgit2 parses it.
    public struct CommitInfo: Sendable {
        /// The commit's id.
        public let id: ObjectID
        /// The id of the commit's root tree.
        public let tree: ObjectID
        /// The parent commits, first parent first; empty for a root commit.
        public let parents: [ObjectID]
        /// Who wrote the change, and when.
        public let author: Signature
        /// Who made the commit, and when.
        public let committer: Signature
        /// The full commit message, as stored.
        public let message: String
    }

    /// Reads and parses a commit.
    public func commit(_ id: ObjectID) throws -> CommitInfo {
        var oid = id.gitOID
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &oid), "read commit \(id)")
        defer { git_commit_free(commit) }
        var parents: [ObjectID] = []
        for i in 0..<git_commit_parentcount(commit) {
            parents.append(ObjectID(git_commit_parent_id(commit, i)))
        }
        return CommitInfo(
            id: id, tree: ObjectID(git_commit_tree_id(commit)), parents: parents,
            author: Signature(git_commit_author(commit)!), committer: Signature(git_commit_committer(commit)!),
            message: String(cString: git_commit_message(commit)))
    }

    /// An annotated tag as libgit2 parses it.
    public struct TagInfo: Sendable {
        /// The tag object's id (not the target's).
        public let id: ObjectID
        /// The tag's name, without `refs/tags/`.
        public let name: String
        /// The id of the object the tag points at.
        public let target: ObjectID
        /// Who made the tag, and when; nil if the tag records no tagger.
        public let tagger: Signature?
        /// The full tag message, as stored.
        public let message: String
    }

    /// The commits reachable from `tips` but not from `hiding` (git's `tips --not hiding`), in
    /// no set order.
    public func commits(from tips: [ObjectID], hiding: [ObjectID]) throws -> [ObjectID] {
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, handle), "walk the history")
        defer { git_revwalk_free(walk) }
        for tip in tips {
            var oid = tip.gitOID
            try check(git_revwalk_push(walk, &oid), "walk from \(tip.abbreviated())")
        }
        for hidden in hiding {
            var oid = hidden.gitOID
            // A hidden commit that is missing here hides nothing; the walk goes on.
            if git_revwalk_hide(walk, &oid) != 0 { git_error_clear() }
        }
        var result: [ObjectID] = []
        var oid = git_oid()
        while true {
            let rc = git_revwalk_next(&oid, walk)
            if rc == GIT_ITEROVER.rawValue { git_error_clear(); break }
            try check(rc, "walk the history")
            result.append(ObjectID(oid))
        }
        return result
    }

    /// Reads and parses an annotated tag object.
    public func tag(_ id: ObjectID) throws -> TagInfo {
        var oid = id.gitOID
        var tag: OpaquePointer?
        try check(git_tag_lookup(&tag, handle, &oid), "read tag \(id)")
        defer { git_tag_free(tag) }
        let tagger = git_tag_tagger(tag).map { Signature($0) }
        let message = git_tag_message(tag).map { String(cString: $0) } ?? ""
        return TagInfo(id: id, name: String(cString: git_tag_name(tag)), target: ObjectID(git_tag_target_id(tag)),
                       tagger: tagger, message: message)
    }

    /// Resolves a revision expression (`main`, `v1`, `HEAD~2`, an abbreviated id) to the
    /// commit it names, peeling tags.
    public func resolveCommit(_ spec: String) throws -> ObjectID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, handle, spec), "resolve '\(spec)'")
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        try check(git_object_peel(&peeled, object, GIT_OBJECT_COMMIT), "'\(spec)' is not a commit")
        defer { git_object_free(peeled) }
        return ObjectID(git_object_id(peeled))
    }

    /// The default author from git configuration (`user.name`, `user.email`), if set.
    public func defaultSignature() -> Signature? {
        var sig: UnsafeMutablePointer<git_signature>?
        guard git_signature_default(&sig, handle) == 0, let sig else { git_error_clear(); return nil }
        defer { git_signature_free(sig) }
        return Signature(UnsafePointer(sig))
    }

    // MARK: - References

    /// The id a reference points at (following symbolic references), or nil if it does not exist.
    public func reference(_ name: String) throws -> ObjectID? {
        var oid = git_oid()
        let rc = git_reference_name_to_id(&oid, handle, name)
        if rc == GIT_ENOTFOUND.rawValue { git_error_clear(); return nil }
        try check(rc, "read reference \(name)")
        return ObjectID(oid)
    }

    /// The target of a symbolic reference such as HEAD (e.g. "refs/heads/main").
    public func symbolicTarget(_ name: String) throws -> String? {
        var ref: OpaquePointer?
        let rc = git_reference_lookup(&ref, handle, name)
        if rc == GIT_ENOTFOUND.rawValue { git_error_clear(); return nil }
        try check(rc, "read reference \(name)")
        defer { git_reference_free(ref) }
        guard let target = git_reference_symbolic_target(ref) else { return nil }
        return String(cString: target)
    }

    /// Points `name` at `id` if it still points at `expected` (nil: must not exist yet), or
    /// whatever it points at with `force`.
    /// Throws a `GitError` with `isConcurrentUpdate` when another writer moved it first.
    public func updateReference(_ name: String, to id: ObjectID, expected: ObjectID?, message: String, force: Bool = false) throws {
        var target = id.gitOID
        var ref: OpaquePointer?
        if force {
            try check(git_reference_create(&ref, handle, name, &target, 1, message), "update \(name)")
        } else if let expected {
            var current = expected.gitOID
            try check(git_reference_create_matching(&ref, handle, name, &target, 1, &current, message),
                      "update \(name)")
        } else {
            try check(git_reference_create(&ref, handle, name, &target, 0, message), "create \(name)")
        }
        git_reference_free(ref)
    }

    /// Points a symbolic reference (HEAD) at another reference.
    public func setSymbolicReference(_ name: String, to target: String, message: String) throws {
        var ref: OpaquePointer?
        try check(git_reference_symbolic_create(&ref, handle, name, target, 1, message), "set \(name)")
        git_reference_free(ref)
    }

    /// Deletes a reference.
    public func deleteReference(_ name: String) throws {
        try check(git_reference_remove(handle, name), "delete \(name)")
    }

    /// All references whose names match a glob such as `refs/heads/*`, with their targets.
    public func references(matching glob: String) throws -> [(name: String, target: ObjectID)] {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_glob_new(&iterator, handle, glob), "list \(glob)")
        defer { git_reference_iterator_free(iterator) }
        var result: [(String, ObjectID)] = []
        while true {
            var ref: OpaquePointer?
            let rc = git_reference_next(&ref, iterator)
            if rc == GIT_ITEROVER.rawValue { git_error_clear(); break }
            try check(rc, "list \(glob)")
            defer { git_reference_free(ref) }
            if let target = git_reference_target(ref) {
                result.append((String(cString: git_reference_name(ref)), ObjectID(target)))
            }
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// The loose reference files (under `refs/`) that libgit2 cannot read, with what is wrong.
    /// Listing references skips such files without a word, so a ref holding garbage (or
    /// nothing) would look like no ref at all.
    public func unreadableReferences() -> [(name: String, problem: String)] {
        var result: [(String, String)] = []
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: path + "/refs") else { return [] }
        for case let relative as String in walker where !relative.hasSuffix(".lock") {
            var isDirectory: ObjCBool = false
            let file = path + "/refs/" + relative
            guard fm.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let name = "refs/" + relative
            var ref: OpaquePointer?
            let rc = git_reference_lookup(&ref, handle, name)
            if rc == 0 { git_reference_free(ref); continue }
            var message = "libgit2 error \(rc)"
            if let last = git_error_last(), let text = last.pointee.message { message = String(cString: text) }
            git_error_clear()
            let bytes = fm.contents(atPath: file) ?? Data()
            let text = String(decoding: bytes.prefix(60), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            result.append((name, bytes.isEmpty ? "its file is empty" : "its file holds '\(text)', not an object id (\(message))"))
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// True when `name` is a valid reference name.
    public static func isValidReferenceName(_ name: String) -> Bool {
        _ = Libgit2.initialized
        var valid: Int32 = 0
        return git_reference_name_is_valid(&valid, name) == 0 && valid == 1
    }

    // MARK: - Configuration

    /// Reads a string from the repository's configuration (and the user's global one).
    public func configString(_ key: String) throws -> String? {
        var config: OpaquePointer?
        try check(git_repository_config_snapshot(&config, handle), "read configuration")
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        let rc = git_config_get_string(&value, config, key)
        if rc == GIT_ENOTFOUND.rawValue { git_error_clear(); return nil }
        try check(rc, "read configuration \(key)")
        return value.map { String(cString: $0) }
    }

    /// Sets a string in the repository's own configuration file.
    public func setConfigString(_ key: String, _ value: String) throws {
        var config: OpaquePointer?
        try check(git_repository_config(&config, handle), "open configuration")
        defer { git_config_free(config) }
        var local: OpaquePointer?
        try check(git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL), "open local configuration")
        defer { git_config_free(local) }
        try check(git_config_set_string(local, key, value), "set configuration \(key)")
    }
}

extension Signature {
    init(_ sig: UnsafePointer<git_signature>) {
        let s = sig.pointee
        self.init(name: String(cString: s.name), email: String(cString: s.email),
                  time: Int64(s.when.time), offsetMinutes: Int(s.when.offset))
    }
}
