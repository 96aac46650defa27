import Foundation
import GitFormat
import S3

/// A store's media in an S3 bucket (see `MediaStoreLocation` for the key layout), with a local
/// cache of downloaded files in the store (`media-cache/`, trimmed to `TRAIL_MEDIA_CACHE_MB`,
/// default 10240, least recently used first). Every transfer runs `Transfers.width` at a time.
final class MediaStore {
    /// Where the media are.
    let location: MediaStoreLocation
    let client: S3Client
    /// The cache folder.
    let cachePath: String
    /// The cache's size limit in bytes.
    let cacheLimit: Int

    /// The media store at `location`, reached the standard AWS way (see `S3Endpoint.standard`,
    /// `Credentials.standard`), caching in `storePath/media-cache`.
    init(location: MediaStoreLocation, storePath: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.location = location
        guard let endpoint = S3Endpoint.standard(environment: environment) else {
            throw TrailError(.usage, "AWS_ENDPOINT_URL '\(environment["AWS_ENDPOINT_URL_S3"] ?? environment["AWS_ENDPOINT_URL"] ?? "")' is not an http(s) URL",
                             hint: "set it to the object store's address, e.g. http://127.0.0.1:8333, or unset it for AWS S3")
        }
        guard let credentials = AWSCredentials.standard(environment: environment) else {
            throw TrailError(.objectStore(.noCredentials), "no credentials for the media store \(location) at \(endpoint.server)",
                             hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials (AWS_PROFILE picks one)")
        }
        client = S3Client(endpoint: endpoint, bucket: location.bucket, credentials: credentials)
        if let retries = environment["TRAIL_S3_ATTEMPTS"].flatMap(Int.init) { client.attempts = max(1, retries) }
        // S3 takes parts of 5 MiB and more (but the last).
        if let mib = environment["TRAIL_S3_MULTIPART_MB"].flatMap(Int.init) { client.multipartThreshold = max(5, mib) << 20 }
        if let mib = environment["TRAIL_S3_PART_MB"].flatMap(Int.init) { client.partSize = max(5, mib) << 20 }
        cachePath = storePath + "/media-cache"
        cacheLimit = (environment["TRAIL_MEDIA_CACHE_MB"].flatMap(Int.init) ?? 10240) << 20
    }

    // MARK: - Errors

    /// `error` as the user reads it: which server, bucket and key, and what to do.
    func translate(_ error: Error, doing what: String) -> Error {
        guard let error = error as? S3Error else { return error }
        let (kind, hint) = kindAndHint(error)
        return TrailError(kind, "\(what): \(error.description)", hint: hint)
    }

    /// The kind of failure `error` is to the user, and what to do about it.
    private func kindAndHint(_ error: S3Error) -> (TrailError.Kind, String) {
        let server = error.server, bucket = error.bucket
        switch error.kind {
        case .unreachable:
            return (.objectStore(.unreachable), "check that the object store at \(server) is running and reachable (AWS_ENDPOINT_URL), then run the command again")
        case .accessDenied:
            return (.objectStore(.forbidden), "check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or the AWS_PROFILE profile) and that they may read and write s3://\(bucket)")
        case .noSuchBucket:
            return (.objectStore(.noSuchBucket), "create the bucket (aws s3 mb s3://\(bucket)), or check the media store location (\(location)) and AWS_ENDPOINT_URL")
        case .noSuchKey:
            return (.objectStore(.missingObject), "the media object is missing from the bucket: run `trail verify` to list every missing one, and restore them from a backup")
        case .noCredentials:
            return (.objectStore(.noCredentials), "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials")
        case .localFile(let path):
            let full = error.detail.contains("No space") || error.detail.contains("quota")
            return full ? (.diskFull, "free some disk space, or lower TRAIL_MEDIA_CACHE_MB; nothing in the store changed")
                        : (.fileSystem(path: path), "check the folder's permissions and free space")
        case .server:
            return (.objectStore(.failed), "check the object store at \(server); run the command again once it answers")
        }
    }

    private func translating<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw translate(error, doing: what) }
    }

    // MARK: - Upload

    /// What an upload did.
    struct UploadResult {
        var uploaded = 0
        var alreadyThere = 0
        var bytes = 0
    }

    /// Puts every blob the bucket lacks (a HEAD first, so nothing is sent twice and a commit
    /// after a killed one sends only what is missing).
    func upload(_ blobs: [PendingObject]) throws -> UploadResult {
        guard !blobs.isEmpty else { return UploadResult() }
        try translating("cannot use the media store \(location)") { try client.checkBucket() }
        let lock = NSLock()
        var result = UploadResult()
        let total = blobs.count
        let report = ProgressReport.isActive && total >= 100
        try translating("cannot upload media to \(location)") {
            try Transfers.run(count: blobs.count) { [client, location] i in
                let blob = blobs[i]
                let key = location.key(for: blob.id)
                let present = try client.head(key) == blob.data.count
                if !present { try client.put(key, body: blob.data) }
                lock.lock()
                if present { result.alreadyThere += 1 } else { result.uploaded += 1; result.bytes += blob.data.count }
                let done = result.uploaded + result.alreadyThere
                lock.unlock()
                if done == 5 { FaultInjection.reached("media-uploading") }
                if report && done % 50 == 0 { ProgressReport.report("Uploading media", done: done, total: total, unit: "files") }
            }
        }
        return result
    }

    // MARK: - Download

    /// The cache file of `id`.
    func cacheFile(_ id: ObjectID) -> String {
        let hex = id.hex
        return "\(cachePath)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    /// Makes sure every one of `ids` is in the cache, downloading the missing ones at once; each
    /// download is checked against its id before it enters the cache.
    func fetch(_ ids: [ObjectID]) throws {
        let fm = FileManager.default
        var seen = Set<ObjectID>()
        let missing = ids.filter { seen.insert($0).inserted && !fm.fileExists(atPath: cacheFile($0)) }
        guard !missing.isEmpty else { return }
        let lock = NSLock()
        var done = 0
        let report = ProgressReport.isActive && missing.count >= 100
        try translating("cannot download media from \(location)") {
            try Transfers.run(count: missing.count) { [self] i in
                try download(missing[i])
                lock.lock(); done += 1; let n = done; lock.unlock()
                if report && n % 50 == 0 { ProgressReport.report("Downloading media", done: n, total: missing.count, unit: "files") }
            }
        }
    }

    private func download(_ id: ObjectID) throws {
        let file = cacheFile(id)
        let folder = (file as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw S3Error(.localFile(path: folder), server: client.endpoint.server, bucket: location.bucket, key: location.key(for: id), detail: "\(error)")
        }
        let partial = file + ".new.\(UInt64.random(in: 0...UInt64.max))"
        try client.download(location.key(for: id), to: partial)
        guard let bytes = FileManager.default.contents(atPath: partial), ObjectHasher.id(of: .blob, [UInt8](bytes)) == id else {
            unlink(partial)
            throw TrailError(.damagedStore, "the media object s3://\(location.bucket)/\(location.key(for: id)) at \(client.endpoint.server) does not hold blob \(id.hex) (its bytes hash otherwise)",
                             hint: "the object was changed outside Trail: restore it from a backup; `trail verify --full` checks every media object")
        }
        guard rename(partial, file) == 0 else {
            let detail = String(cString: strerror(errno))
            unlink(partial)
            throw S3Error(.localFile(path: file), server: client.endpoint.server, bucket: location.bucket, key: location.key(for: id), detail: detail)
        }
    }

    /// The bytes of media blob `id` (fetched into the cache first if needed).
    func read(_ id: ObjectID) throws -> [UInt8] {
        let file = cacheFile(id)
        if !FileManager.default.fileExists(atPath: file) { try fetch([id]) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw TrailError(.fileSystem(path: file), "cannot read the cached media file \(file)", hint: "remove the store's media-cache folder and run the command again")
        }
        utime(file, nil)  // recently used: trimmed last
        return [UInt8](data)
    }

    /// Removes the least recently used cache files until the cache fits its limit.
    func trimCache() {
        let fm = FileManager.default
        guard let shards = try? fm.contentsOfDirectory(atPath: cachePath) else { return }
        var files: [(path: String, size: Int, used: Date)] = []
        var total = 0
        for shard in shards {
            let folder = cachePath + "/" + shard
            for name in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] {
                let path = folder + "/" + name
                guard let attributes = try? fm.attributesOfItem(atPath: path) else { continue }
                let size = (attributes[.size] as? Int) ?? 0
                files.append((path, size, (attributes[.modificationDate] as? Date) ?? .distantPast))
                total += size
            }
        }
        guard total > cacheLimit else { return }
        for file in files.sorted(by: { $0.used < $1.used }) {
            if total <= cacheLimit { break }
            if unlink(file.path) == 0 { total -= file.size }
        }
    }

    // MARK: - Checks and deletion

    /// The size of each of `ids` in the bucket (nil when missing), by HEAD requests.
    func sizes(_ ids: [ObjectID]) throws -> [ObjectID: Int?] {
        guard !ids.isEmpty else { return [:] }
        try translating("cannot use the media store \(location)") { try client.checkBucket() }
        var sizes = [Int?](repeating: nil, count: ids.count)
        let lock = NSLock()
        try translating("cannot check the media in \(location)") {
            try Transfers.run(count: ids.count) { [client, location] i in
                let size = try client.head(location.key(for: ids[i]))
                lock.lock(); sizes[i] = size; lock.unlock()
            }
        }
        var out: [ObjectID: Int?] = [:]
        for (id, size) in zip(ids, sizes) { out[id] = size }
        return out
    }

    /// The ids among `ids` whose object does not hash to its id (downloaded, never cached).
    func damaged(_ ids: [ObjectID]) throws -> [ObjectID] {
        var bad: [ObjectID] = []
        let lock = NSLock()
        try translating("cannot download media from \(location)") {
            try Transfers.run(count: ids.count) { [client, location] i in
                let bytes = try client.get(location.key(for: ids[i]))
                if ObjectHasher.id(of: .blob, bytes) != ids[i] { lock.lock(); bad.append(ids[i]); lock.unlock() }
            }
        }
        return bad.sorted()
    }

    /// Deletes the objects of `ids` from the bucket and their cached copies.
    func delete(_ ids: [ObjectID]) throws {
        for id in ids { unlink(cacheFile(id)) }
        guard !ids.isEmpty else { return }
        try translating("cannot delete media from \(location)") {
            try Transfers.run(count: ids.count) { [client, location] i in try client.delete(location.key(for: ids[i])) }
        }
    }
}
