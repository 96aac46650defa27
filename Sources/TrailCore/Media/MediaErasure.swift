import Foundation
import GitFormat

/// The media store's part of finishing erasures. `media-erased` in the store notes the last
/// erasure record this store has handled; each finish handles the newer ones, as its `Scope` says.
enum MediaErasure {
    /// How far a finish goes with the media store.
    enum Scope {
        /// Only cached copies are deleted: no request to the bucket, no credentials needed. For
        /// records that arrive by fetch, pull or clone (whoever made them deleted the objects).
        case cacheOnly
        /// The objects of records this store has not handled yet are deleted from the bucket too
        /// (`trail erase`); with `quiet`, a failure leaves them for `erase --finish` instead of
        /// failing (the finish a store's opening runs after a killed erase).
        case newRecords(quiet: Bool)
        /// Every erased id's object is deleted from the bucket again (`trail erase --finish`).
        case all
    }

    static func notePath(_ store: Store) -> String { store.path + "/media-erased" }

    /// The cache file of `id` in `store`.
    private static func cacheFile(_ store: Store, _ id: ObjectID) -> String {
        let hex = id.hex
        return "\(store.path)/media-cache/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    /// Handles the records `scope` covers; how many ids' objects it deleted from the bucket
    /// (nil without a media store). A DELETE of a key that never held media (a text's id) costs
    /// one answered request.
    static func finish(_ log: ErasureLog, store: Store, scope: Scope) throws -> Int? {
        guard store.mediaStoreLocation != nil else { return nil }
        let note = notePath(store)
        let done = (try? String(contentsOfFile: note, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        let pending = log.records.filter { $0.sequence > done }
        var ids = Set<ObjectID>()
        for record in pending { ids.formUnion(record.content.compactMap(ObjectID.init(hex:))) }
        for id in ids { unlink(cacheFile(store, id)) }
        var deleted = 0
        var bucket: [ObjectID] = []
        switch scope {
        case .cacheOnly: break
        case .newRecords: bucket = Array(ids)
        case .all: bucket = Array(Set(log.byContent.keys))
        }
        if !bucket.isEmpty {
            do {
                guard let media = try store.mediaStore() else { return nil }
                try media.delete(bucket)
                deleted = bucket.count
            } catch let error as TrailError {
                if case .newRecords(quiet: true) = scope { return 0 }
                throw TrailError(error.kind, error.message,
                                 hint: "the erasure is recorded; once the object store answers, run `trail erase --finish` to delete the objects (\(error.hint ?? ""))")
            }
            FaultInjection.reached("erase-media-deleted")
        }
        if let last = log.records.map(\.sequence).max(), last > done {
            try? Data("\(last)\n".utf8).write(to: URL(fileURLWithPath: note), options: .atomic)
        }
        return deleted
    }
}
