import Git
import GitFormat

/// What a change row and a summary need from a record (id, label fields, annotator, guideline,
/// content blob ids), read straight from the canonical record bytes with no value tree. Tens
/// of thousands of records go through this on every patch commit, diff and reindex. Records
/// whose values need the general path (escapes in a string, arrays, numbers as labels) give
/// nil, and the caller decodes them in full; a test checks that both paths agree.
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

    /// The field names of a dataset as bytes, compared against record keys without strings.
    struct Keys {
        let id: [UInt8], annotator: [UInt8], guideline: [UInt8]
        let labels: [[UInt8]]
        let annotatorField: String, guidelineField: String
        init(_ config: DatasetConfig) {
            annotatorField = config.annotatorField
            guidelineField = config.guidelineField
            id = Array(config.idField.utf8)
            annotator = Array(config.annotatorField.utf8)
            guideline = Array(config.guidelineField.utf8)
            labels = config.labelFields.map { Array($0.utf8) }
        }
    }

    init?(_ bytes: [UInt8], keys: Keys) {
        guard let fields = RowSplicer.fieldsRange(bytes), let contentBlobs = Self.contentBlobs(bytes, before: fields.lowerBound),
              let members = RowSplicer.members(bytes, fields.lowerBound, fields.upperBound) else { return nil }
        let quote = UInt8(ascii: "\"")
        var id: String?, annotator: String?, guideline: String?
        var labelValues: [(field: String, value: String?)] = []
        for m in members {
            let key = bytes[m.keyStart..<m.keyEnd]
            let isID = key.elementsEqual(keys.id), isAnnotator = key.elementsEqual(keys.annotator)
            let isGuideline = key.elementsEqual(keys.guideline), isLabel = keys.labels.contains { key.elementsEqual($0) }
            guard isLabel || isID || isAnnotator || isGuideline else { continue }
            let value = bytes[m.valueStart..<m.valueEnd]
            let text: String?
            if value.first == quote {
                guard !value.contains(UInt8(ascii: "\\")) else { return nil }
                text = String(decoding: value.dropFirst().dropLast(), as: UTF8.self)
            } else if value.elementsEqual("null".utf8) {
                text = nil
            } else if isID, value.first.map({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) }) == true {
                text = String(decoding: value, as: UTF8.self)
            } else {
                return nil
            }
            if isID { id = text }
            if isAnnotator { annotator = text }
            if isGuideline { guideline = text }
            if isLabel { labelValues.append((String(decoding: key, as: UTF8.self), text)) }
        }
        guard let id else { return nil }
        self.id = id
        self.annotator = annotator
        self.guideline = guideline
        self.labelValues = labelValues
        self.contentBlobs = contentBlobs
    }

    /// The blob ids of the content entries, which come before `fieldsStart` in a record
    /// (`{"content":{"<field>":{"blob":"<40 hex>",...},...},"fields":`); nil when the section
    /// has a backslash, so that `"blob":"` can only be a key, or a blob that is not 40 hex digits
    /// (the general path names the damaged record).
    private static func contentBlobs(_ bytes: [UInt8], before fieldsStart: Int) -> [ObjectID]? {
        let section = bytes[..<fieldsStart]
        guard !section.contains(UInt8(ascii: "\\")) else { return nil }
        let needle = Array(#""blob":""#.utf8)
        var blobs: [ObjectID] = []
        var i = section.startIndex
        while i + needle.count <= section.endIndex {
            if section[i] == needle[0] && section[i..<i + needle.count].elementsEqual(needle) {
                let hex = i + needle.count
                guard hex + 41 <= section.endIndex, section[hex + 40] == UInt8(ascii: "\""),
                      let id = ObjectID(hexBytes: section[hex..<(hex + 40)]) else { return nil }
                blobs.append(id)
                i += needle.count + 40
            } else {
                i += 1
            }
        }
        return blobs
    }
}

extension SampleChange {
    /// The change between two records given as bytes (either absent, not both): read through
    /// `PlainRecordFields` when both allow it, else both decoded in full.
    static func between(recordBytes before: (id: ObjectID, bytes: [UInt8])?, _ after: (id: ObjectID, bytes: [UInt8])?,
                        oldConfig: DatasetConfig, newConfig: DatasetConfig) throws -> SampleChange {
        let oldKeys = PlainRecordFields.Keys(oldConfig), newKeys = PlainRecordFields.Keys(newConfig)
        if let change = plain(before.map { ($0.id, $0.bytes, PlainRecordFields($0.bytes, keys: oldKeys)) },
                              after.map { ($0.id, $0.bytes, PlainRecordFields($0.bytes, keys: newKeys)) }) {
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
        let kind: ChangeKind
        if old == nil {
            kind = .added
        } else if new == nil {
            kind = .removed
        } else if labelsBefore != labelsAfter {
            kind = .relabeled
        } else if old!.contentBlobs != new!.contentBlobs {
            kind = .contentChanged
        } else {
            kind = .metadataChanged
        }
        return SampleChange(id: latest.id, kind: kind, labelsBefore: labelsBefore, labelsAfter: labelsAfter,
                            annotator: latest.annotator, guideline: latest.guideline,
                            recordBefore: before?.id.hex, recordAfter: after?.id.hex)
    }
}
