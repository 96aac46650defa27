import Foundation
import Git
import GitFormat

/// A Trail store: a bare git repository (`.trail/`) plus the dataset configuration and
/// the SQLite lineage index kept beside the git files.
public final class Store {
    /// The store's folder, which is also its git dir (`git --git-dir <path> log` reads it).
    public let path: String
    /// The git repository. Internal: the core's callers see its data through the core's types
    /// and its failures as `TrailError`s.
    let repository: Repository
    /// Which fields mean what.
    public let config: DatasetConfig
    /// True when opening the store finished an erasure that a killed process had left half
    /// done (so the command line can say so).
    public internal(set) var finishedInterruptedErasure = false

    /// The branch new stores start on.
    public static let defaultBranch = "main"
    /// The reference that keeps every content blob reachable (a tree, replaced on each change, no history).
    public static let contentRef = "refs/trail/content"
    /// The reference holding the erasure records (see `ErasureLog`).
    public static let erasuresRef = ErasureLog.ref
    /// Where model references live.
    public static let modelRefPrefix = "refs/models/"

    var configPath: String { path + "/dataset.json" }
    var lockPath: String { path + "/trail.lock" }
    /// The SQLite index file.
    public var indexPath: String { path + "/index.sqlite" }

    private init(path: String, repository: Repository, config: DatasetConfig) {
        self.path = path
        self.repository = repository
        self.config = config
    }

    /// Where the store is: `explicit` (`--store`), else `TRAIL_STORE`, else the current folder when
    /// it is a store itself, else the nearest `.trail` folder in the current folder or above it, else
    /// `./.trail` (for `init`). An explicit path to a folder holding a `.trail` store means that store,
    /// as `git -C DIR` does for a work tree, so `trail clone URL DIR && trail --store DIR log` works.
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                              searchUpward: Bool = true) -> String {
        if let explicit, !explicit.isEmpty { return storeInside(absolute(explicit)) }
        if let env = environment["TRAIL_STORE"], !env.isEmpty { return storeInside(absolute(env)) }
        let cwd = FileManager.default.currentDirectoryPath
        if searchUpward {
            // Each folder is asked first whether it is a store, then whether it holds one: inside
            // another store's folder (a clone made there, say) the nearest store wins, never the outer one.
            var dir = URL(fileURLWithPath: cwd)
            while true {
                if isStore(dir.path) { return dir.path }
                let candidate = dir.appendingPathComponent(".trail").path
                if FileManager.default.fileExists(atPath: candidate + "/HEAD") { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return cwd + "/.trail"
    }

    /// True when `path` is a Trail store's folder: a git dir (HEAD, objects/, refs/) with Trail's
    /// dataset.json beside it.
    static func isStore(_ path: String) -> Bool {
        let fm = FileManager.default
        var folder: ObjCBool = false, file: ObjCBool = true
        for name in ["objects", "refs"] {
            guard fm.fileExists(atPath: path + "/" + name, isDirectory: &folder), folder.boolValue else { return false }
        }
        for name in ["HEAD", "dataset.json"] {
            guard fm.fileExists(atPath: path + "/" + name, isDirectory: &file), !file.boolValue else { return false }
        }
        return true
    }

    /// `path` itself when it is a store (or names nothing yet), else the `.trail` store inside it.
    private static func storeInside(_ path: String) -> String {
        if isStore(path) { return path }
        let inner = path + "/.trail"
        return FileManager.default.fileExists(atPath: inner + "/HEAD") ? inner : path
    }

    /// A store path that names a file (or lies under one) gets an error that says so, instead of
    /// "no store here" or libgit2's "directory exists".
    private static func refuseNonFolder(_ path: String) throws {
        var candidate = path
        while !candidate.isEmpty && candidate != "/" {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw TrailError(.noStore(path: candidate), "\(candidate) is a file, not a store folder",
                                     hint: "point --store (or TRAIL_STORE) at a store's folder, or at a new folder for `trail init`")
                }
                return
            }
            candidate = (candidate as NSString).deletingLastPathComponent
        }
    }

    private static func absolute(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    /// Creates a new store at `path`.
    public static func create(at path: String, config: DatasetConfig) throws -> Store {
        try translatingLowerErrors { try creating(at: path, config: config) }
    }

    private static func creating(at path: String, config: DatasetConfig) throws -> Store {
        try config.validate()
        try refuseNonFolder(path)
        if FileManager.default.fileExists(atPath: path + "/HEAD") {
            throw TrailError(.exists(.store, name: path), "a store already exists at \(path)", hint: "use it as it is, or choose another place with --store")
        }
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: path), !contents.isEmpty {
            throw TrailError(.fileSystem(path: path), "\(path) exists and is not empty", hint: "choose an empty or new folder with --store")
        }
        let repository: Repository
        do {
            repository = try Repository.initBare(at: path, initialBranch: "refs/heads/" + defaultBranch)
        } catch let error as GitError {
            throw TrailError(.fileSystem(path: path), "cannot create a store at \(path): \(error.message)", hint: "check that the parent folder exists and is writable")
        }
        // Reflogs would keep old content trees reachable after an erasure; a store keeps none.
        try repository.setConfigString("core.logAllRefUpdates", "false")
        try Data(config.encoded()).write(to: URL(fileURLWithPath: path + "/dataset.json"), options: .atomic)
        let store = Store(path: path, repository: repository, config: config)
        _ = try store.openIndex()
        return store
    }

    /// Opens the store at `path` (finishing an erasure a killed process left half done).
    public static func open(at path: String) throws -> Store {
        try translatingLowerErrors { try opening(at: path) }
    }

    private static func opening(at path: String) throws -> Store {
        try refuseNonFolder(path)
        guard FileManager.default.fileExists(atPath: path + "/HEAD") else {
            throw TrailError(.noStore(path: path), "no Trail store at \(path)",
                             hint: "run `trail init` to create one here, or point at one with --store PATH or TRAIL_STORE")
        }
        let repository: Repository
        do {
            repository = try Repository(openBare: path)
        } catch let error as GitError {
            throw TrailError(.git, "cannot open the store at \(path): \(error.message)", hint: "run `git --git-dir \(path) fsck` to check it")
        }
        guard let data = FileManager.default.contents(atPath: path + "/dataset.json") else {
            throw TrailError(.damagedStore, "the store at \(path) has no dataset.json (its field configuration)",
                             hint: "restore it, or copy it from the last commit: git --git-dir \(path) show HEAD:dataset.json > \(path)/dataset.json")
        }
        let config = try DatasetConfig.decode([UInt8](data))
        let store = Store(path: path, repository: repository, config: config)
        // An erasure a killed process left half done is finished before anything is read, and
        // the store opened again so that no handle still sees the deleted packs.
        if try store.finishInterruptedErasure() {
            let reopened = try open(at: path)
            reopened.finishedInterruptedErasure = true
            return reopened
        }
        return store
    }

    /// Runs `body` holding the store's write lock, after removing temporary files a crashed
    /// writer may have left (no other writer can be running while we hold the lock). A git or
    /// sqlite error `body` throws comes out as a `TrailError` (see `TrailError(translating:)`);
    /// a lock held too long by another process is a `.busy` one.
    public func withWriteLock<T>(timeout: Double? = nil, onWait: () -> Void = {}, _ body: () throws -> T) throws -> T {
        let seconds = timeout ?? ProcessInfo.processInfo.environment["TRAIL_LOCK_TIMEOUT"].flatMap(Double.init) ?? 60
        let lock = try StoreLock(path: lockPath, timeout: seconds, onWait: onWait)
        defer { withExtendedLifetime(lock) {} }
        removeStaleTemporaryFiles()
        return try translatingLowerErrors(body)
    }

    /// Runs `body` holding the store's lock shared: writers wait until it is done, other
    /// shared holders do not. Writes nothing (no pid note, no clean-up), so it works on a
    /// read-only store. Errors come out as `withWriteLock`'s do.
    public func withReadLock<T>(timeout: Double? = nil, onWait: () -> Void = {}, _ body: () throws -> T) throws -> T {
        let seconds = timeout ?? ProcessInfo.processInfo.environment["TRAIL_LOCK_TIMEOUT"].flatMap(Double.init) ?? 60
        let lock = try StoreLock(path: lockPath, timeout: seconds, shared: true, onWait: onWait)
        defer { withExtendedLifetime(lock) {} }
        return try translatingLowerErrors(body)
    }

    private func removeStaleTemporaryFiles() {
        let fm = FileManager.default
        let packDir = repository.objectsDirectory + "/pack"
        let packFiles = (try? fm.contentsOfDirectory(atPath: packDir)) ?? []
        for name in packFiles where name.hasPrefix("tmp_pack_") || name.hasPrefix("tmp_idx_") {
            try? fm.removeItem(atPath: packDir + "/" + name)
        }
        // A pack whose index was never renamed into place holds nothing any ref can reach.
        for name in packFiles where name.hasSuffix(".pack") && !packFiles.contains(String(name.dropLast(5)) + ".idx") {
            try? fm.removeItem(atPath: packDir + "/" + name)
        }
        // Reference lock files left by a writer killed mid-update would block every later update.
        var locks = ["HEAD.lock", "packed-refs.lock", "config.lock"].map { path + "/" + $0 }
        if let walker = fm.enumerator(atPath: path + "/refs") {
            for case let name as String in walker where name.hasSuffix(".lock") { locks.append(path + "/refs/" + name) }
        }
        for lock in locks where fm.fileExists(atPath: lock) { try? fm.removeItem(atPath: lock) }
    }

    // MARK: - HEAD and branches

    /// The reference HEAD names (e.g. `refs/heads/main`), or nil when HEAD is detached.
    public func currentBranchRef() throws -> String? {
        try repository.symbolicTarget("HEAD")
    }

    /// The commit HEAD points at, or nil before the first commit.
    public func headCommit() throws -> ObjectID? {
        if let ref = try currentBranchRef() { return try repository.reference(ref) }
        return try repository.reference("HEAD")
    }

    /// Opens the lineage index, applying pending migrations.
    public func openIndex() throws -> LineageIndex {
        try LineageIndex(path: indexPath)
    }

    /// The erasure records (see `ErasureLog`); empty when nothing was ever erased.
    public func erasureLog() throws -> ErasureLog {
        try translatingLowerErrors { try ErasureLog.read(repository) }
    }

    // MARK: - The media store

    /// Where the store keeps media, when not in git (`trail init --media-store`).
    public var mediaStoreLocation: MediaStoreLocation? {
        config.mediaStore.flatMap { try? MediaStoreLocation(parsing: $0) }
    }

    private var openedMediaStore: MediaStore?

    /// The media store client, made on first use; nil when media stay in git.
    func mediaStore() throws -> MediaStore? {
        if let openedMediaStore { return openedMediaStore }
        guard let text = config.mediaStore else { return nil }
        let opened = try MediaStore(location: MediaStoreLocation(parsing: text), storePath: path)
        openedMediaStore = opened
        return opened
    }

    // MARK: - The git library

    /// Starts the git library's global setup on another thread, so that it overlaps with
    /// argument parsing instead of adding to a quick command's time; whoever opens a store
    /// first waits for it. Call `finishSetup()` before the process exits.
    public static func prepareInBackground() {
        GitLibrary.prepareInBackground()
    }

    /// Waits for the setup `prepareInBackground()` started: exiting while another thread is
    /// inside libgit2's (and OpenSSL's) initialisation can crash in their teardown.
    public static func finishSetup() {
        GitLibrary.finishSetup()
    }

    // MARK: - Writing objects

    /// Writes `objects` as one new pack and returns its size in bytes; a full disk or a file-size
    /// limit becomes an error that says the store is unchanged (the pack appears only when complete).
    func writePack(_ objects: [PendingObject]) throws -> Int {
        do {
            let writer = try PackWriter(objectsDirectory: repository.objectsDirectory, expectedCount: objects.count)
            if ProgressReport.isActive && objects.count >= 10_000 {
                let total = objects.count
                ProgressReport.report("Writing objects", done: 0, total: total, unit: "objects")
                writer.onProgress = { ProgressReport.report("Writing objects", done: $0, total: total, unit: "objects") }
            }
            try writer.append(objects)
            Trace.mark("pack compressed")
            let name = try writer.finish()
            let attributes = try? FileManager.default.attributesOfItem(atPath: repository.objectsDirectory + "/pack/\(name).pack")
            return (attributes?[.size] as? Int) ?? 0
        } catch let error as GitError {
            throw TrailError(error.isDiskFull ? .diskFull : .git, "could not write the new objects: \(error.description)",
                             hint: error.isDiskFull ? "free some disk space (or raise the file-size limit) and commit again; the store is unchanged"
                                                    : "the store is unchanged; check the store folder's permissions and free space")
        }
    }

    /// Writes those of `objects` the store lacks, each once, as one pack, and makes them visible.
    func writeMissing(_ objects: [PendingObject]) throws {
        var seen = Set<ObjectID>()
        let fresh = objects.filter { !repository.contains($0.id) && seen.insert($0.id).inserted }
        if !fresh.isEmpty { _ = try writePack(fresh) }
        try repository.refreshObjects()
    }

    // MARK: - Signatures

    /// Who a user's command signs as: `given` (`--author`), else TRAIL_AUTHOR, else git's
    /// user.name and user.email; an error (exit 2) when none names someone.
    public func author(given: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Signature {
        if let text = given ?? environment["TRAIL_AUTHOR"], !text.isEmpty {
            guard let signature = Signature.parse(text) else {
                throw TrailError(.usage, "'\(text)' is not an author", hint: "write it as \"Name <email>\"")
            }
            return signature
        }
        if let signature = repository.defaultSignature() { return signature }
        throw TrailError(.usage, "no author given",
                         hint: "pass --author \"Name <email>\", set TRAIL_AUTHOR, or run git config --global user.name/user.email")
    }

    /// Who signs what Trail commits on its own (finishing an erasure, merging erasure logs,
    /// a pull's merge): TRAIL_AUTHOR when it parses, else git's user.name/user.email, else "Trail";
    /// never an error, unlike `author`.
    func automaticSignature() -> Signature {
        ProcessInfo.processInfo.environment["TRAIL_AUTHOR"].flatMap(Signature.parse)
            ?? repository.defaultSignature() ?? Signature.now(name: "Trail", email: "trail@localhost")
    }
}
