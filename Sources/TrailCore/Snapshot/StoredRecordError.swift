import Git
import GitFormat

/// A record blob read back from the store that is not a sample record: damaged, or written
/// outside Trail (by a remote, or a tool that edited the tree). A parser's offset alone names
/// nothing a user can find, so the error carries the record's place: its blob, the sample (id
/// and tree path) and the commit, filled in by each reader as far as it knows them.
public struct StoredRecordError: Error, CustomStringConvertible, Equatable {
    /// The record's blob.
    public let record: ObjectID
    /// What is wrong with it, as the end of a sentence ("it is not valid JSON: ...").
    public let problem: String
    /// The sample's id, when something tells it (the command, the record, its other version).
    public var sample: String?
    /// The sample's key: the record is stored at `ab/cd/<key>`.
    public var key: ObjectID?
    /// The record's tree path, when its entry's name is not a key.
    public var path: String?
    /// The commit whose tree holds the record.
    public var commit: ObjectID?
    /// The record's fields, when it has them (its content is what is wrong): they tell the sample's id.
    var fields: [JSONMember]?

    /// A damaged record `record`, with what is wrong and where it was found (each nil when unknown).
    public init(record: ObjectID, problem: String, sample: String? = nil, key: ObjectID? = nil, path: String? = nil, commit: ObjectID? = nil) {
        self.record = record
        self.problem = problem
        self.sample = sample
        self.key = key
        self.path = path
        self.commit = commit
    }

    /// The error for record bytes that failed to decode with `error` (what `SampleRecord.decode` throws).
    init(bytes: [UInt8], error: Error) {
        self.init(record: ObjectHasher.id(of: .blob, bytes), problem: Self.problem(error, size: bytes.count))
        fields = (error as? SampleRecord.Malformed)?.fields
    }

    /// What is wrong with a record of `size` bytes that failed to decode with `error`, in words.
    static func problem(_ error: Error, size: Int) -> String {
        switch error {
        case let e as JSONSyntaxError: return "it is not valid JSON: \(e.message) at byte \(e.offset + 1) of \(size)"
        case let e as SampleRecord.Malformed: return "it is not a sample record: \(e.problem)"
        default: return "it cannot be decoded: \(error)"
        }
    }

    /// What to do about it.
    public var hint: String { Self.restoreHint }

    /// What to do about a damaged object of a snapshot.
    static let restoreHint = "`trail verify` lists all the damage in the store; restore the store, or the objects it names, from a clone, a remote or a backup"

    /// What is damaged, where (sample, blob, path, commit where known), and what is wrong.
    public var description: String {
        var what = "a damaged record"
        if let sample { what += " for sample '\(sample)'" }
        var details = ["blob \(record.hex)"]
        if let place = key.map(SampleKey.path) ?? path { details.append("at \(place)") }
        let placed = "\(what) (\(details.joined(separator: ", ")))"
        let sentence = commit.map { "commit \($0.abbreviated()) stores \(placed)" } ?? "the store holds \(placed)"
        return sentence + ": " + problem
    }

    /// Runs `body`; a `StoredRecordError` it throws gets the details of its place that it lacks
    /// (the sample's id from `sample`, else from the record's own `idField`).
    static func locating<T>(commit: ObjectID? = nil, key: ObjectID? = nil, path: String? = nil, sample: String? = nil,
                            idField: String? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as StoredRecordError {
            error.locate(commit: commit, key: key, path: path, sample: sample, idField: idField)
            throw error
        }
    }

    /// Runs `body`, which reads the records of `entries` (the changes from commit `old` to
    /// `new`, each with its configuration): a `StoredRecordError` it throws gets the key and the
    /// commit of the entry that holds the record, and the sample's id from its other version
    /// when that one reads.
    static func locating<T>(_ entries: [ShardedTree.Change], from old: (commit: ObjectID, config: DatasetConfig)?,
                            to new: (commit: ObjectID, config: DatasetConfig), repository: Repository,
                            _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as StoredRecordError {
            guard let entry = entries.first(where: { $0.after == error.record || $0.before == error.record }) else { throw error }
            let isAfter = entry.after == error.record
            let side = isAfter ? new : old ?? new
            let otherSide = isAfter ? old : new
            let other = isAfter ? entry.before : entry.after
            let otherID = other.flatMap { try? SampleRecord.decode(repository.read($0, as: .blob)) }
                .flatMap { $0.field(otherSide?.config.idField ?? side.config.idField) }.flatMap(Verifier.sampleID)
            error.locate(commit: side.commit, key: entry.key, sample: otherID, idField: side.config.idField)
            throw error
        }
    }

    /// Fills in the details of the place that the error lacks.
    mutating func locate(commit: ObjectID? = nil, key: ObjectID? = nil, path: String? = nil, sample: String? = nil, idField: String? = nil) {
        if self.commit == nil { self.commit = commit }
        if self.key == nil && self.path == nil { self.key = key; self.path = key == nil ? path : nil }
        if self.sample == nil { self.sample = sample ?? idField.flatMap { field in fields?.first { $0.key == field }?.value }.flatMap(Verifier.sampleID) }
    }
}
