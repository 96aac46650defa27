import GitFormat

/// The media step of a commit into a store with a media store: the new media files go to the
/// bucket, before any pack is written or ref moved, and leave the list of blobs for the pack
/// and the content ref.
enum MediaCommit {
    /// Uploads the media among `fresh` (the content blobs the commit would write) and removes
    /// them from it; nil, with `fresh` untouched, when the store keeps media in git.
    static func upload(_ fresh: inout [PendingObject], samples: [BuiltSample], store: Store) throws -> MediaStore.UploadResult? {
        guard let media = try store.mediaStore() else { return nil }
        var ids = Set<ObjectID>()
        for sample in samples { ids.formUnion(sample.mediaIDs) }
        guard !ids.isEmpty else { return MediaStore.UploadResult() }
        // A text that is byte for byte a media file stays in git as text; it is uploaded as well.
        let texts = Set(samples.flatMap { sample in sample.contentBlobs.map(\.id).filter { !sample.mediaIDs.contains($0) } })
        let files = fresh.filter { ids.contains($0.id) }
        let result = try media.upload(files)
        Trace.mark("media uploaded: \(result.uploaded) of \(files.count)")
        fresh.removeAll { ids.contains($0.id) && !texts.contains($0.id) }
        return result
    }
}
