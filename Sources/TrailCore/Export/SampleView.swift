import Git
import GitFormat

/// Turns records back into the rows the user committed: content fields get their text back,
/// media fields their path.
struct RowRestorer {
    let repository: Repository
    /// Content blobs erased since: their fields are left out of the row.
    var erased: Set<ObjectID> = []

    /// The sample as the user gave it, keys in canonical order.
    func row(_ record: SampleRecord) throws -> [JSONMember] {
        var members = record.fields
        for content in record.content where !erased.contains(content.blob) {
            if let path = content.path {
                members.append(JSONMember(content.field, .string(path)))
            } else {
                let bytes = try repository.read(content.blob, as: .blob)
                members.append(JSONMember(content.field, .string(String(decoding: bytes, as: UTF8.self))))
            }
        }
        return members.sorted { CanonicalJSON.keyPrecedes($0.key, $1.key) }
    }
}

/// One sample of one snapshot, for `trail show REV SAMPLE`.
public struct SampleView: Equatable {
    /// The snapshot's commit.
    public let commit: ObjectID
    /// The id of the sample's record blob in that snapshot.
    public let record: ObjectID
    /// The sample as the user gave it.
    public let row: [JSONMember]
    /// The sample's content fields, by blob id.
    public let content: [SampleRecord.Content]
    /// The erasure that removed this sample's content since (the row then lacks those fields).
    public let erasure: ErasureRecord?

    /// The row as one line of canonical JSON.
    public var json: [UInt8] { CanonicalJSON.encode(.object(row)) }

    /// Reads sample `id` from `snapshot`; nil if the snapshot does not hold it.
    public static func read(_ id: String, in snapshot: Snapshot) throws -> SampleView? {
        let key = SampleKey.of(id)
        guard let recordID = try snapshot.recordID(forKey: key) else { return nil }
        let record = try StoredRecordError.locating(commit: snapshot.commit, key: key, sample: id) {
            try SampleRecord.decode(snapshot.repository.read(recordID, as: .blob))
        }
        let log = try ErasureLog.read(snapshot.repository)
        let row = try RowRestorer(repository: snapshot.repository, erased: Set(log.byContent.keys)).row(record)
        return SampleView(commit: snapshot.commit, record: recordID, row: row, content: record.content,
                          erasure: log.erasure(of: record) ?? log.bySample[id])
    }
}
