import Git

/// One committed version of the dataset, read from its git tree.
public struct Snapshot {
    let repository: Repository
    /// The commit this snapshot belongs to.
    public let commit: ObjectID
    /// The commit's root tree.
    public let tree: ObjectID
    let rootEntries: [TreeEntry]

    /// The root file holding the dataset configuration.
    static let configFile = "dataset.json"
    /// The root file holding the counts `trail show` prints.
    static let summaryFile = "summary.json"

    /// Reads the snapshot of `commit`.
    public init(repository: Repository, commit: ObjectID) throws {
        self.repository = repository
        self.commit = commit
        self.tree = try repository.commit(commit).tree
        self.rootEntries = try repository.readTree(tree)
    }

    private func rootFile(_ name: String) throws -> [UInt8]? {
        guard let entry = rootEntries.first(where: { $0.name == name && $0.mode == .blob }) else { return nil }
        return try repository.read(entry.id, as: .blob)
    }

    /// The dataset configuration the snapshot was committed with.
    public func config() throws -> DatasetConfig {
        guard let bytes = try rootFile(Snapshot.configFile) else {
            throw TrailError("commit \(commit.abbreviated()) is not a Trail snapshot (no dataset.json)")
        }
        return try DatasetConfig.decode(bytes)
    }

    /// The counts stored with the snapshot.
    public func summary() throws -> SnapshotSummary {
        guard let bytes = try rootFile(Snapshot.summaryFile) else {
            throw TrailError("commit \(commit.abbreviated()) is not a Trail snapshot (no summary.json)")
        }
        return try SnapshotSummary.decode(bytes)
    }

    /// The record blob of the sample with `key`, or nil if the snapshot does not hold it.
    public func recordID(forKey key: ObjectID) throws -> ObjectID? {
        guard let mid = rootEntries.first(where: { $0.name == hexByte(key.firstByte) && $0.mode == .tree }),
              let leaf = try repository.readTree(mid.id).first(where: { $0.name == hexByte(key.secondByte) }) else { return nil }
        let name = key.hex
        return try repository.readTree(leaf.id).first(where: { $0.name == name })?.id
    }

    /// The record of sample `id`, or nil if the snapshot does not hold it.
    public func record(sampleID id: String) throws -> SampleRecord? {
        guard let blob = try recordID(forKey: SampleKey.of(id)) else { return nil }
        return try SampleRecord.decode(repository.read(blob, as: .blob))
    }

    /// The first-level folders of the tree, for walking it in parallel.
    var shardFolders: [TreeEntry] { rootEntries.filter { $0.mode == .tree } }

    /// Every record in the folder `mid` (a first-level shard): the key its entry's name gives
    /// (nil for a name that is not 40 hex digits) and the record's blob id.
    static func recordEntries(in mid: ObjectID, repository: Repository) throws -> [(key: ObjectID?, id: ObjectID, name: String)] {
        var entries: [(key: ObjectID?, id: ObjectID, name: String)] = []
        for leaf in try repository.readTree(mid) {
            for entry in try repository.readTree(leaf.id) {
                entries.append((entry.name.utf8.count == 40 ? ObjectID(hex: entry.name) : nil, entry.id, leaf.name + "/" + entry.name))
            }
        }
        return entries
    }

    /// Every record blob id in the folder `mid` (a first-level shard).
    static func recordIDs(in mid: ObjectID, repository: Repository) throws -> [ObjectID] {
        var ids: [ObjectID] = []
        for leaf in try repository.readTree(mid) {
            for entry in try repository.readTree(leaf.id) { ids.append(entry.id) }
        }
        return ids
    }
}
