import Foundation
import GitFormat

/// The media store's part of finishing erasures: every content id an erasure record names is
/// deleted from the bucket (a key that never held media costs one answered DELETE) and from the
/// cache. `media-erased` in the store notes the last record whose objects are all deleted, so a
/// finish deletes only what newer records name; a store without the note (a fresh clone) deletes
/// every record's once more, which is idempotent.
enum MediaErasure {
    static func notePath(_ store: Store) -> String { store.path + "/media-erased" }

    /// Deletes the objects of records not yet done; how many ids it deleted, nil without a media store.
    static func finish(_ log: ErasureLog, store: Store) throws -> Int? {
        guard let media = try store.mediaStore() else { return nil }
        let note = notePath(store)
        let done = (try? String(contentsOfFile: note, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        let pending = log.records.filter { $0.sequence > done }
        guard let last = pending.map(\.sequence).max() else { return 0 }
        var ids = Set<ObjectID>()
        for record in pending { ids.formUnion(record.content.compactMap(ObjectID.init(hex:))) }
        do {
            try media.delete(Array(ids))
        } catch let error as TrailError {
            throw TrailError(error.kind, error.message,
                             hint: "the erasure is recorded; once the object store answers, run `trail erase --finish` to delete the objects (\(error.hint ?? ""))")
        }
        FaultInjection.reached("erase-media-deleted")
        try? Data("\(last)\n".utf8).write(to: URL(fileURLWithPath: note), options: .atomic)
        return ids.count
    }
}
