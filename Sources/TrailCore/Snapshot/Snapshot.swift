import Git
import GitFormat

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

    /// Reads the snapshot of `commit` (`Revisions.snapshot` reads one by name).
    init(repository: Repository, commit: ObjectID) throws {
        self.repository = repository
        self.commit = commit
        self.tree = try repository.commit(commit).tree
        self.rootEntries = try repository.readTree(tree)
    }

    /// The root file `name` decoded as a `T`; an error names the file, its blob and the commit.
    private func rootFile<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let entry = rootEntries.first(where: { $0.name == name && $0.mode == .blob }) else {
            throw TrailError(.damagedStore, "commit \(commit.abbreviated()) is not a Trail snapshot (no \(name))")
        }
        do {
            return try decodeJSON(type, from: repository.read(entry.id, as: .blob))
        } catch let error as UndecodableJSON {
            throw TrailError(.damagedStore, "commit \(commit.abbreviated()) stores a damaged \(name) (blob \(entry.id.hex)): \(error.problem)",
                             hint: StoredRecordError.restoreHint)
        }
    }

    /// The blob of the snapshot's configuration: two snapshots with the same one were committed
    /// with the same configuration.
    var configID: ObjectID? { rootEntries.first { $0.name == Snapshot.configFile && $0.mode == .blob }?.id }

    /// The dataset configuration the snapshot was committed with.
    public func config() throws -> DatasetConfig {
        try rootFile(Snapshot.configFile, as: DatasetConfig.self)
    }

    /// The counts stored with the snapshot.
    public func summary() throws -> SnapshotSummary {
        try rootFile(Snapshot.summaryFile, as: SnapshotSummary.self)
    }

    /// The record blob of the sample with `key`, or nil if the snapshot does not hold it.
    public func recordID(forKey key: ObjectID) throws -> ObjectID? {
        try ShardedTree.lookup(key, rootEntries: rootEntries, repository: repository)
    }

    /// The record of sample `id`, or nil if the snapshot does not hold it.
    public func record(sampleID id: String) throws -> SampleRecord? {
        let key = SampleKey.of(id)
        guard let blob = try recordID(forKey: key) else { return nil }
        return try StoredRecordError.locating(commit: commit, key: key, sample: id) {
            try SampleRecord.decode(repository.read(blob, as: .blob))
        }
    }
}
