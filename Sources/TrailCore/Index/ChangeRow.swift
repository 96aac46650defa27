import Git
import GitFormat
import SQLite

/// A sample change on its way into the index's `changes` table.
enum ChangeRow {
    /// A sample a commit added, as its record bytes. A first import adds a million of these, so
    /// plain records are bound straight from their bytes, with no value tree and no strings.
    case added(record: [UInt8], id: ObjectID)
    /// A change worked out from the records on both sides, with the new version's judgments
    /// when they differ from the old version's (nil when they are the same, or there are none).
    case change(SampleChange, judgments: [Judgment]? = nil)

    /// The row of one change between two records (either absent): an added sample as its record
    /// bytes; anything else worked out in full from both records (`names` as for
    /// `SampleChange.between(recordBytes:)`).
    static func of(before: (id: ObjectID, bytes: [UInt8])?, after: (id: ObjectID, bytes: [UInt8])?,
                   oldConfig: DatasetConfig, newConfig: DatasetConfig, names: (old: FieldNames, new: FieldNames)? = nil) throws -> ChangeRow {
        if before == nil, let after { return .added(record: after.bytes, id: after.id) }
        return .change(try SampleChange.between(recordBytes: before, after, oldConfig: oldConfig, newConfig: newConfig, names: names),
                       judgments: try JudgedRecord.Reader(config: newConfig).changedJudgments(before: before?.bytes, after: after?.bytes))
    }

    /// The sample id and the judgments this row adds to the `judgments` table, if any: an added
    /// record's judgments (read from its bytes), or a change's new judgments. `change` is what
    /// the binder worked out for the row, when it did.
    func newJudgments(_ change: SampleChange?, reader: JudgedRecord.Reader) throws -> (String, [Judgment])? {
        switch self {
        case .change(let c, let judgments):
            guard let judgments, !judgments.isEmpty else { return nil }
            return (c.id, judgments)
        case .added(let record, _):
            guard reader.rawJudgments(record) != nil else { return nil }
            let judgments = try reader.read(record).judgments
            guard !judgments.isEmpty else { return nil }
            return (try change?.id ?? sampleChange(config: reader.config).id, judgments)
        }
    }
}

/// Binds change rows to the `changes` INSERT, whose parameters 2 to 9 are sample_id, kind,
/// record_before, record_after, labels_before, labels_after, annotator and guideline.
struct ChangeRowBinder {
    let config: DatasetConfig
    private let names: FieldNames
    /// Reused for each row's labels JSON and record id, so a row allocates nothing.
    private var labels: [UInt8] = []
    private var hex = [UInt8](repeating: 0, count: 40)

    init(config: DatasetConfig) {
        self.config = config
        names = FieldNames(config)
        labels.reserveCapacity(256)
    }

    /// Binds `row` (parameter 1, the commit's seq, is the caller's). Returns the change when
    /// it had to be worked out in full, so the caller can add its label events.
    mutating func bind(_ row: ChangeRow, to statement: Statement) throws -> SampleChange? {
        switch row {
        case .change(let change, _):
            try bind(change, to: statement)
            return change
        case .added(let record, let id):
            if try bindPlain(record, id: id, to: statement) { return nil }
            let change = try row.sampleChange(config: config)
            try bind(change, to: statement)
            return change
        }
    }

    private mutating func bind(_ c: SampleChange, to statement: Statement) throws {
        try statement.bind(c.id, at: 2)
        try statement.bind(c.kind.rawValue, at: 3)
        try statement.bind(c.recordBefore, at: 4)
        try statement.bind(c.recordAfter, at: 5)
        try statement.bind(c.kind == .added ? nil : Self.labelsJSON(c.labelsBefore), at: 6)
        try statement.bind(c.kind == .removed ? nil : Self.labelsJSON(c.labelsAfter), at: 7)
        try statement.bind(c.annotator, at: 8)
        try statement.bind(c.guideline, at: 9)
    }

    /// Binds an added record from its bytes when every value the row needs is a plain string
    /// (no escapes; the id may also be an integer) and it has at most one label field; false
    /// otherwise, having bound nothing. Gives the same row as the general path (a test checks).
    private mutating func bindPlain(_ record: [UInt8], id: ObjectID, to statement: Statement) throws -> Bool {
        guard let view = RecordView(record) else { return false }
        var sampleID: Range<Int>?, annotator: Range<Int>?, guideline: Range<Int>?
        var label: RecordView.Member?
        var labelCount = 0
        var members = view.fieldMembers()
        while let m = members.next() {
            let roles = names.recordRoles(record, m.keyStart, m.keyEnd)
            guard !roles.isEmpty else { continue }
            let value = view.value(m)
            guard value != .escapedString else { return false }
            // The text of a plain string is between its quotes; null is no value.
            let text: Range<Int>? = value == .string ? view.text(m) : nil
            if roles.contains(.id) {
                guard value == .string || value == .number else { return false }
                sampleID = text ?? m.valueStart..<m.valueEnd
            }
            if roles.contains(.annotator) || roles.contains(.guideline) {
                guard value == .string || value == .null else { return false }
                if roles.contains(.annotator) { annotator = text }
                if roles.contains(.guideline) { guideline = text }
            }
            if roles.contains(.label) {
                guard value == .string || value == .null else { return false }
                label = m
                labelCount += 1
            }
        }
        guard !members.failed, let sampleID, labelCount <= 1 else { return false }

        // labels_after: {"field":"label"}, with a null label as "(none)" as the general path has it.
        labels.removeAll(keepingCapacity: true)
        labels.append(UInt8(ascii: "{"))
        if let label {
            labels.append(contentsOf: record[(label.keyStart - 1)...label.keyEnd])  // the key with its quotes
            labels.append(UInt8(ascii: ":"))
            if record[label.valueStart] == UInt8(ascii: "\"") {
                labels.append(contentsOf: record[label.valueStart..<label.valueEnd])
            } else {
                labels.append(contentsOf: #""(none)""#.utf8)
            }
        }
        labels.append(UInt8(ascii: "}"))
        hex.withUnsafeMutableBufferPointer { id.appendHex(into: $0.baseAddress!) }

        try record.withUnsafeBufferPointer { bytes in
            func slice(_ range: Range<Int>?) -> UnsafeBufferPointer<UInt8>? { range.map { UnsafeBufferPointer(rebasing: bytes[$0]) } }
            try statement.bind(utf8: slice(sampleID), at: 2)
            try statement.bind(ChangeKind.added.rawValue, at: 3)
            try statement.bind(nil, at: 4)
            try hex.withUnsafeBufferPointer { try statement.bind(utf8: $0, at: 5) }
            try statement.bind(nil, at: 6)
            try labels.withUnsafeBufferPointer { try statement.bind(utf8: $0, at: 7) }
            try statement.bind(utf8: slice(annotator), at: 8)
            try statement.bind(utf8: slice(guideline), at: 9)
        }
        return true
    }

    /// Label fields as a canonical JSON object.
    static func labelsJSON(_ labels: [String: String]) -> String {
        // Nearly every sample has one label field: skip building a value tree for it.
        if labels.count == 1, let (field, label) = labels.first {
            var out: [UInt8] = [UInt8(ascii: "{")]
            CanonicalJSON.writeString(field, to: &out)
            out.append(UInt8(ascii: ":"))
            CanonicalJSON.writeString(label, to: &out)
            out.append(UInt8(ascii: "}"))
            return String(decoding: out, as: UTF8.self)
        }
        return String(decoding: CanonicalJSON.encode(.object(labels.map { JSONMember($0.key, .string($0.value)) })), as: UTF8.self)
    }
}
