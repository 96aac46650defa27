import GitFormat

/// `verify`'s checks of a media store: every media object a record names is in the bucket with
/// the size the record gives (HEAD; with `full`, downloaded and re-hashed), and no erased one is.
enum MediaVerification {
    /// Problems, as (kind, message); nil when the store has no media store.
    static func problems(store: Store, media blobs: [(blob: ObjectID, sizes: [Int: String])], erased: ErasureLog,
                         full: Bool) throws -> [(String, String)]? {
        guard let media = try store.mediaStore() else { return nil }
        let location = media.location, server = media.client.endpoint.server
        var problems: [(String, String)] = []
        let sizes = try media.sizes(blobs.map(\.blob))
        var present: [ObjectID] = []
        for (blob, recorded) in blobs.sorted(by: { $0.sizes.values.min()! < $1.sizes.values.min()! }) {
            let key = "s3://\(location.bucket)/\(location.key(for: blob))"
            guard let size = sizes[blob] ?? nil else {
                problems.append(("media", "media \(blob.hex) of sample '\(recorded.values.min()!)' is missing from the media store: \(server) has no \(key); restore it from a backup (the object is the file's bytes, `git hash-object FILE` gives its id)"))
                continue
            }
            present.append(blob)
            for (expected, sample) in recorded.sorted(by: { $0.key < $1.key }) where expected != size {
                problems.append(("media", "media \(blob.hex) of sample '\(sample)' is \(size) bytes in the media store (\(key) at \(server)), but its record says \(expected) bytes; restore the object from a backup"))
            }
        }
        if full {
            for blob in try media.damaged(present) {
                problems.append(("media", "media object s3://\(location.bucket)/\(location.key(for: blob)) at \(server) does not hash to \(blob.hex): it was changed outside Trail; restore it from a backup"))
            }
        }
        let gone = Array(erased.byContent.keys)
        for (blob, size) in try media.sizes(gone) where size != nil {
            let record = erased.byContent[blob]!
            problems.append(("erasure", "media \(blob.hex) erased by erasure \(record.sequence) (\(record.date)) is still in the media store (s3://\(location.bucket)/\(location.key(for: blob)) at \(server)); run `trail erase --finish`"))
        }
        return problems
    }
}
