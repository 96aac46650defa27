import GitFormat

/// Reads media blobs for an export: from git when the packs hold them (media committed before
/// the store had a media store), else from the media store through its cache, all missing ones
/// downloaded at once up front.
struct MediaReader {
    let store: Store
    private let media: MediaStore?

    /// A reader for `blobs`, downloading those neither git nor the cache holds.
    init(store: Store, blobs: [ObjectID]) throws {
        self.store = store
        media = try store.mediaStore()
        if let media {
            try media.fetch(blobs.filter { !store.repository.contains($0) })
        }
    }

    /// The bytes of `id`.
    func read(_ id: ObjectID) throws -> [UInt8] {
        if let media, !store.repository.contains(id) { return try media.read(id) }
        return try store.repository.read(id, as: .blob)
    }

    /// Trims the cache to its limit once the export is done.
    func finish() { media?.trimCache() }
}
