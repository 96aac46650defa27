import Git
import GitFormat

/// What a change row and a summary need from a record (id, label fields, annotator, guideline,
/// content blob ids), read through its `RecordView` with no value tree. Tens of thousands of
/// records go through this on every patch commit, diff and reindex. Records whose values need
/// the general path (escapes in a string, arrays, numbers as labels) give nil, and the caller
/// decodes them in full; a test checks that both paths agree.
struct PlainRecordFields {
    var id: String
    var annotator: String?
    var guideline: String?
    /// The label fields the record has, in record order; nil for a null label.
    var labelValues: [(field: String, value: String?)]
    var contentBlobs: [ObjectID]

    /// Label fields as text (`(none)` for null), as `SampleChange.labels` gives them.
    var labels: [String: String] {
        var result: [String: String] = [:]
        for (field, value) in labelValues { result[field] = value ?? "(none)" }
        return result
    }

    /// The fields a summary counts, as `SampleRecord.countedFields` gives them (nulls left out).
    func counted(_ keys: Keys) -> [JSONMember] {
        var members: [JSONMember] = []
        members.reserveCapacity(labelValues.count + 2)
        for (field, value) in labelValues { if let value { members.append(JSONMember(field, .string(value))) } }
        if let annotator { members.append(JSONMember(keys.annotatorField, .string(annotator))) }
        if let guideline { members.append(JSONMember(keys.guidelineField, .string(guideline))) }
        return members
    }

    /// The field names the fields are read by.
    typealias Keys = FieldNames

    init?(_ bytes: [UInt8], keys: Keys) {
        guard let view = RecordView(bytes), let contentBlobs = view.contentBlobs() else { return nil }
        self.contentBlobs = contentBlobs
        labelValues = []
        var id: String?
        var members = view.fieldMembers()
        while let m = members.next() {
            let roles = keys.recordRoles(bytes, m.keyStart, m.keyEnd)
            guard !roles.isEmpty else { continue }
            let text: String?
            switch view.value(m) {
            case .string: text = view.string(view.text(m))
            case .null: text = nil
            case .number where roles.contains(.id): text = view.string(m.valueStart..<m.valueEnd)
            default: return nil
            }
            if roles.contains(.id) { id = text }
            if roles.contains(.annotator) { annotator = text }
            if roles.contains(.guideline) { guideline = text }
            if roles.contains(.label) { labelValues.append((view.string(m.keyStart..<m.keyEnd), text)) }
        }
        guard !members.failed, let id else { return nil }
        self.id = id
    }
}

extension SampleChange {
    /// The change between two records given as bytes (either absent, not both): read through
    /// `PlainRecordFields` when both allow it, else both decoded in full. `names` are the two
    /// configurations' (made here when not given: callers with many records make them once).
    static func between(recordBytes before: (id: ObjectID, bytes: [UInt8])?, _ after: (id: ObjectID, bytes: [UInt8])?,
                        oldConfig: DatasetConfig, newConfig: DatasetConfig,
                        names: (old: FieldNames, new: FieldNames)? = nil) throws -> SampleChange {
        let names = names ?? (FieldNames(oldConfig), FieldNames(newConfig))
        if let change = plain(before.map { ($0.id, $0.bytes, PlainRecordFields($0.bytes, keys: names.old)) },
                              after.map { ($0.id, $0.bytes, PlainRecordFields($0.bytes, keys: names.new)) }) {
            return change
        }
        return between(try before.map { try SampleRecord.decode($0.bytes) }, try after.map { try SampleRecord.decode($0.bytes) },
                       oldConfig: oldConfig, newConfig: newConfig, recordBefore: before?.id, recordAfter: after?.id)
    }

    /// The change between records already read through `PlainRecordFields` (either absent, not
    /// both); nil when either needs the general path (its fields are nil).
    static func plain(_ before: (id: ObjectID, bytes: [UInt8], fields: PlainRecordFields?)?,
                      _ after: (id: ObjectID, bytes: [UInt8], fields: PlainRecordFields?)?) -> SampleChange? {
        if let before, before.fields == nil { return nil }
        if let after, after.fields == nil { return nil }
        let old = before?.fields, new = after?.fields
        guard let latest = new ?? old else { return nil }
        let labelsBefore = old?.labels ?? [:], labelsAfter = new?.labels ?? [:]
        let kind = ChangeKind.classify(before: old.map { (labelsBefore, $0.contentBlobs) }, after: new.map { (labelsAfter, $0.contentBlobs) })
        return SampleChange(id: latest.id, kind: kind, labelsBefore: labelsBefore, labelsAfter: labelsAfter,
                            annotator: latest.annotator, guideline: latest.guideline,
                            recordBefore: before?.id.hex, recordAfter: after?.id.hex)
    }
}
