import Foundation
import Git
import GitFormat

/// Where a fetch lands before anything local moves: the remote's refs go under
/// `refs/trail-incoming/<remote>/` (not `refs/remotes/`), are checked (`IncomingCheck`), and only
/// then admitted into `refs/remotes/<remote>/`. A refused fetch is discarded: its refs, the object
/// files it wrote and the erasure marker it set are removed, so the store is as it was.
final class Quarantine {
    let store: Store
    let remote: String
    /// The incoming namespace, ending in '/'.
    let prefix: String
    /// The object files that were there before the transfer (everything else is the fetch's).
    private let objectsBefore: Set<String>
    private let markerExisted: Bool
    /// Set once a ref has moved into `refs/remotes/`: from then on the objects stay (they are named).
    private var admittedAny = false

    /// Notes what the store holds now, before a fetch from `remote` writes anything.
    init(store: Store, remote: String) throws {
        self.store = store
        self.remote = remote
        prefix = "refs/trail-incoming/\(remote)/"
        objectsBefore = Self.objectFiles(store.repository.objectsDirectory)
        markerExisted = FileManager.default.fileExists(atPath: Eraser(store: store).markerPath)
        // Leftovers of a fetch killed before it was admitted or discarded.
        for ref in try store.repository.references(matching: prefix + "*") { try store.repository.deleteReference(ref.name) }
    }

    /// The refspecs of every fetch: everything from the remote into the incoming namespace. Branches go
    /// under `heads/`, apart from tags, models and Trail's refs, so that a remote branch named
    /// `trail-tags/x` or `trail/content` cannot pass for one of those.
    var refspecs: [String] {
        ["+refs/heads/*:\(prefix)heads/*",
         "+refs/tags/*:\(prefix)trail-tags/*",
         "+refs/models/*:\(prefix)trail-models/*",
         "+\(Predictions.refPrefix)*:\(prefix)\(Remotes.incomingPredictions)*",
         "+\(Store.contentRef):\(prefix)trail/content",
         "+\(ErasureLog.ref):\(prefix)trail/erasures"]
    }

    /// The incoming refs: (name below the prefix, target).
    func references() throws -> [(name: String, target: ObjectID)] {
        try store.repository.references(matching: prefix + "*").map { (String($0.name.dropFirst(prefix.count)), $0.target) }
    }

    /// Moves every incoming ref into `refs/remotes/<remote>/` (branches without their `heads/`),
    /// replacing what was there.
    func admit() throws {
        let repo = store.repository
        for (name, target) in try references() {
            let local = name.hasPrefix("heads/") ? String(name.dropFirst("heads/".count)) : name
            admittedAny = true
            try repo.updateReference("refs/remotes/\(remote)/\(local)", to: target, expected: nil, message: "trail fetch", force: true)
            try repo.deleteReference(prefix + name)
        }
        removeEmptyFolders()
    }

    /// Removes what the refused fetch brought: its refs, its object files, and the erasure marker
    /// when this fetch set it.
    func discard() {
        let repo = store.repository
        for (name, _) in (try? references()) ?? [] { try? repo.deleteReference(prefix + name) }
        removeEmptyFolders()
        let objects = repo.objectsDirectory
        // Once a ref moved, its objects are named: they stay (a clone's second transfer, say).
        if !admittedAny {
            for file in Self.objectFiles(objects).subtracting(objectsBefore) { try? FileManager.default.removeItem(atPath: objects + "/" + file) }
        }
        try? repo.refreshObjects()
        if !markerExisted { try? FileManager.default.removeItem(atPath: Eraser(store: store).markerPath) }
    }

    private func removeEmptyFolders() {
        let folder = store.path + "/refs/trail-incoming"
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return }
        let dirs = walker.compactMap { $0 as? String }.sorted { $0.count > $1.count }
        for dir in dirs { rmdir(folder + "/" + dir) }
        rmdir(folder)
    }

    /// Every file under `objects/` (packs, their indexes, loose objects), relative to it.
    private static func objectFiles(_ objects: String) -> Set<String> {
        var files = Set<String>()
        guard let walker = FileManager.default.enumerator(atPath: objects) else { return files }
        for case let name as String in walker {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: objects + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue { files.insert(name) }
        }
        return files
    }
}
