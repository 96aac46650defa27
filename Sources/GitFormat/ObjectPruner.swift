import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Removes objects from the object database for good: every pack that holds one is rewritten
/// without it, and loose copies are deleted. This is what erasure needs and `git gc` cannot
/// give while the objects are still named somewhere (git would keep them).
///
/// Crash safety: a pack's replacement is written and made visible (index renamed into place)
/// before the old pack is deleted, so at every moment each kept object is in at least one
/// visible pack. A crash in between leaves both packs; running the removal again finishes it.
public enum ObjectPruner {
    /// What a removal did.
    public struct Result: Sendable, Equatable {
        /// Packs rewritten (or deleted, when nothing else was in them).
        public var packsRewritten = 0
        /// Copies removed (an object may have been in several packs).
        public var copiesRemoved = 0
        /// Objects copied into the replacement packs.
        public var objectsKept = 0
    }

    /// Removes every copy of `ids` from the object folder `objects`. Objects that share a pack
    /// with them are copied into its replacement whole (deltas resolved, by `read`), so nothing
    /// else is lost. `onPackReplaced` runs each time a replacement pack is visible and the old
    /// one not yet deleted. Whoever reads the folder must then re-scan its packs.
    public static func remove(_ ids: Set<ObjectID>, fromObjectsDirectory objects: String,
                              read: (ObjectID) throws -> (type: ObjectType, data: [UInt8]),
                              onPackReplaced: () -> Void = {}) throws -> Result {
        var result = Result()
        guard !ids.isEmpty else { return result }
        let inventory = ObjectInventory(objectsDirectory: objects)
        if let bad = inventory.unreadable.first {
            throw GitError(operation: "read \(bad.path)", message: bad.problem)
        }
        for pack in inventory.packs {
            let hits = pack.ids.reduce(0) { $0 + (ids.contains($1) ? 1 : 0) }
            guard hits > 0 else { continue }
            let kept = pack.ids.filter { !ids.contains($0) }
            if !kept.isEmpty {
                let writer = try PackWriter(objectsDirectory: objects, expectedCount: kept.count)
                // Bounded batches keep memory flat on a million-object pack.
                var start = 0
                while start < kept.count {
                    let batch = kept[start..<min(start + 20_000, kept.count)]
                    try writer.append(try batch.map { id in
                        let object = try read(id)
                        return PendingObject(type: object.type, id: id, data: object.data)
                    })
                    start += batch.count
                }
                try writer.finish()
                onPackReplaced()
            }
            try deletePack(pack)
            result.packsRewritten += 1
            result.copiesRemoved += hits
            result.objectsKept += kept.count
        }
        for object in inventory.loose where ids.contains(object.id) {
            guard unlink(object.path) == 0 || errno == ENOENT else { throw GitError.system("delete \(object.path)") }
            result.copiesRemoved += 1
        }
        // A multi-pack index (written by `git multi-pack-index` or `git gc` with that setting)
        // would go on naming the deleted packs; git rebuilds it when wanted.
        if result.packsRewritten > 0 {
            for name in ["multi-pack-index", "multi-pack-index.bitmap", "multi-pack-index.rev"] {
                unlink(objects + "/pack/" + name)
            }
        }
        syncDirectory(objects + "/pack")
        return result
    }

    /// Deletes a pack: its index first (which makes it invisible), then the pack and the files
    /// git may keep beside it (reverse index, bitmap, mtimes, keep).
    private static func deletePack(_ pack: ObjectInventory.Pack) throws {
        for ext in [".idx", ".pack", ".rev", ".bitmap", ".mtimes", ".keep", ".promisor"] {
            let path = pack.base + ext
            if unlink(path) != 0 && errno != ENOENT { throw GitError.system("delete \(path)") }
        }
    }
}
