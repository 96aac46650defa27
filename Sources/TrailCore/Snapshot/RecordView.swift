import GitFormat
#if canImport(Glibc)
import Glibc
#endif

/// The byte patterns of a record blob, `{"content":{…},"fields":{…},"format":1}`: the one table
/// that its writers (`SampleRecord.encoded`, `FastRecordPath`) and its reader (`RecordView`)
/// share, so that what is read in place is exactly what is written.
enum RecordBytes {
    /// `"content":`, the first member of a record that has content.
    static let content = Array(#""content":"#.utf8)
    /// `"fields":`, the member holding every field but content.
    static let fields = Array(#""fields":"#.utf8)
    /// `,"format":1}`, how every record of format 1 ends.
    static let formatEnd = Array(#","format":1}"#.utf8)
    /// `"blob":`, `"path":` and `"size":`, the members of a content entry, in that order.
    static let blob = Array(#""blob":"#.utf8)
    static let path = Array(#""path":"#.utf8)
    static let size = Array(#""size":"#.utf8)
}

/// The roles of the fields Trail reads back from a record.
struct RecordRoles: OptionSet {
    let rawValue: UInt8
    static let id = RecordRoles(rawValue: 1), label = RecordRoles(rawValue: 2)
    static let annotator = RecordRoles(rawValue: 4), guideline = RecordRoles(rawValue: 8)
}

/// A dataset's field names as bytes, each with its role: the one table that byte readers of
/// records and manifest rows match keys against, so that no `String` is made per key.
struct FieldNames {
    /// Every configured name and its role: the id, annotator and guideline, then the label,
    /// content and media fields. For a name given two roles the first wins, as in `FieldRoles`.
    let entries: [(name: [UInt8], role: FieldRole)]
    /// The annotator and guideline field names, for values handed back as members.
    let annotatorField: String, guidelineField: String
    /// How many entries `recordRoles` looks at: the id, annotator, guideline and label fields.
    private let recordEntries: Int

    init(_ config: DatasetConfig) {
        var entries: [(name: [UInt8], role: FieldRole)] = [(Array(config.idField.utf8), .id), (Array(config.annotatorField.utf8), .annotator),
                                                            (Array(config.guidelineField.utf8), .guideline)]
        entries += config.labelFields.map { (Array($0.utf8), .label) }
        recordEntries = entries.count
        entries += config.contentFields.map { (Array($0.utf8), .content) }
        entries += config.mediaFields.map { (Array($0.utf8), .media) }
        self.entries = entries
        annotatorField = config.annotatorField
        guidelineField = config.guidelineField
    }

    /// The id field's name.
    var id: [UInt8] { entries[0].name }

    /// The index in `entries` of the name at `key` (a key's bytes without its quotes), nil when
    /// no field has that name.
    func index(of key: UnsafeRawBufferPointer) -> Int? {
        for (k, entry) in entries.enumerated() where entry.name.count == key.count {
            if entry.name.withUnsafeBytes({ memcmp($0.baseAddress!, key.baseAddress!, key.count) }) == 0 { return k }
        }
        return nil
    }

    /// The roles among id, label, annotator and guideline that the key at `bytes[start..<end]`
    /// has. Each is matched on its own, as the general path looks fields up by role: a
    /// configuration that gives a name two roles reads it as both.
    func recordRoles(_ bytes: [UInt8], _ start: Int, _ end: Int) -> RecordRoles {
        var roles: RecordRoles = []
        for k in 0..<recordEntries where entries[k].name.count == end - start && bytes[start..<end].elementsEqual(entries[k].name) {
            switch entries[k].role {
            case .id: roles.insert(.id)
            case .annotator: roles.insert(.annotator)
            case .guideline: roles.insert(.guideline)
            default: roles.insert(.label)
            }
        }
        return roles
    }

    /// True when the key at `bytes[start..<end]` is the id field's name.
    func isID(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Bool {
        let id = entries[0].name
        return id.count == end - start && bytes[start..<end].elementsEqual(id)
    }
}

/// A record blob read in place: where its content entries and fields are, and the values Trail
/// needs (id, labels, annotator, guideline, content blobs and paths), found by scanning bytes,
/// with no value tree and no strings unless a caller asks for one. Every bulk reader of records
/// (diff, patch commits, reindex, export, merge) goes through it, for the records as Trail
/// writes them (`SampleRecord.encoded`). Anything else, or a value the caller cannot take from
/// the bytes (an escaped string, an array), goes to the general decoder, `SampleRecord.decode`
/// (`read(_:plain:general:)`), which reads the same values and names a damaged record; tests
/// check that both agree.
struct RecordView {
    let bytes: [UInt8]
    /// The value of the `content` member (an object), empty when the record has none.
    let content: Range<Int>
    /// The `fields` object, braces included.
    let fields: Range<Int>

    /// The view of a record blob laid out as Trail writes it; nil for any other layout.
    init?(_ bytes: [UInt8]) {
        let formatEnd = RecordBytes.formatEnd, contentKey = RecordBytes.content, fieldsKey = RecordBytes.fields
        guard bytes.count > formatEnd.count, bytes.first == UInt8(ascii: "{"),
              bytes[(bytes.count - formatEnd.count)...].elementsEqual(formatEnd) else { return nil }
        var start = 1
        if bytes[1...].starts(with: contentKey) {
            let valueStart = 1 + contentKey.count
            guard let valueEnd = RecordView.skipValue(bytes, valueStart), valueEnd < bytes.count,
                  bytes[valueEnd] == UInt8(ascii: ",") else { return nil }
            content = valueStart..<valueEnd
            start = valueEnd + 1
        } else {
            content = 1..<1
        }
        guard bytes[start...].starts(with: fieldsKey) else { return nil }
        let fieldsStart = start + fieldsKey.count, fieldsEnd = bytes.count - formatEnd.count
        guard fieldsEnd - fieldsStart >= 2 else { return nil }
        self.bytes = bytes
        fields = fieldsStart..<fieldsEnd
    }

    /// `plain` of the record's view; when the bytes have no view or `plain` gives nil (a value
    /// it cannot take from the bytes), `general` of the record decoded in full, which throws a
    /// `StoredRecordError` for a damaged record.
    static func read<T>(_ bytes: [UInt8], plain: (RecordView) -> T?, general: (SampleRecord) throws -> T) throws -> T {
        if let view = RecordView(bytes), let value = plain(view) { return value }
        return try general(SampleRecord.decode(bytes))
    }

    // MARK: - Members

    /// A member of an object: where it starts (its key's opening quote), its key's bytes
    /// (inside the quotes) and its value.
    struct Member {
        let memberStart: Int, keyStart: Int, keyEnd: Int, valueStart: Int, valueEnd: Int
    }

    /// The members of an object, read one at a time (no array is built). It ends at the
    /// object's end, or early at a key with escapes or anything out of place: then `failed`
    /// is true, and the object needs the general path.
    struct Members: IteratorProtocol {
        private let bytes: [UInt8]
        private let end: Int
        private var i: Int
        private var done = false
        private(set) var failed = false

        /// The members of the object at `bytes[range]` (braces included).
        init(_ bytes: [UInt8], _ range: Range<Int>) {
            self.bytes = bytes
            end = range.upperBound
            i = range.lowerBound + 1
            if range.count < 2 || bytes[range.lowerBound] != UInt8(ascii: "{") || bytes[end - 1] != UInt8(ascii: "}") {
                failed = true
                done = true
            } else if bytes[i] == UInt8(ascii: "}") {
                done = true
            }
        }

        mutating func next() -> Member? {
            guard !done, i < end - 1 else { done = true; return nil }
            let b = bytes
            guard b[i] == UInt8(ascii: "\"") else { return fail() }
            let keyStart = i + 1
            var j = keyStart
            while j < end, b[j] != UInt8(ascii: "\"") {
                if b[j] == UInt8(ascii: "\\") { return fail() }
                j += 1
            }
            guard j + 1 < end, b[j + 1] == UInt8(ascii: ":"), let valueEnd = RecordView.skipValue(b, j + 2), valueEnd < end else {
                return fail()
            }
            let member = Member(memberStart: i, keyStart: keyStart, keyEnd: j, valueStart: j + 2, valueEnd: valueEnd)
            i = valueEnd
            if b[i] == UInt8(ascii: ",") { i += 1 } else if i != end - 1 { return fail() }
            return member
        }

        private mutating func fail() -> Member? {
            failed = true
            done = true
            return nil
        }
    }

    /// The members of the `fields` object.
    func fieldMembers() -> Members { Members(bytes, fields) }

    // MARK: - Values

    /// What a value is, as far as a reader of plain values cares.
    enum Value {
        /// A string without escapes: its text is the bytes between the quotes (`text`).
        case string
        /// A string with escapes, which only the general path reads.
        case escapedString
        case null
        /// Anything starting as a number does (`-` or a digit).
        case number
        /// An object, an array or a boolean.
        case other
    }

    /// What `m`'s value is.
    func value(_ m: Member) -> Value {
        let first = bytes[m.valueStart]
        if first == UInt8(ascii: "\"") {
            return bytes[m.valueStart..<m.valueEnd].contains(UInt8(ascii: "\\")) ? .escapedString : .string
        }
        if bytes[m.valueStart..<m.valueEnd].elementsEqual("null".utf8) { return .null }
        if first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) { return .number }
        return .other
    }

    /// The text of a string value without escapes (`Value.string`): the bytes inside its quotes.
    func text(_ m: Member) -> Range<Int> { m.valueStart + 1..<m.valueEnd - 1 }

    /// The bytes at `range` as a string.
    func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    // MARK: - Content

    /// The content entries, `{"<field>":{"blob":"<hex>"[,"path":"<path>"],"size":<n>},...}`; nil
    /// when one has escapes, lacks a blob or a size, or anything else needs the general path.
    func contentEntries() -> [SampleRecord.Content]? {
        guard !content.isEmpty else { return [] }
        var result: [SampleRecord.Content] = []
        var outer = Members(bytes, content)
        while let entry = outer.next() {
            var blob: ObjectID?, size: Int?, path: String?
            var inner = Members(bytes, entry.valueStart..<entry.valueEnd)
            while let m = inner.next() {
                let member = bytes[m.memberStart..<m.valueStart]
                if member.elementsEqual(RecordBytes.blob), m.valueEnd - m.valueStart == 42 {
                    blob = ObjectID(hexBytes: bytes[(m.valueStart + 1)..<(m.valueEnd - 1)])
                } else if member.elementsEqual(RecordBytes.size) {
                    size = Int(String(decoding: bytes[m.valueStart..<m.valueEnd], as: UTF8.self))
                } else if member.elementsEqual(RecordBytes.path) {
                    guard value(m) == .string else { return nil }
                    path = string(text(m))
                }
            }
            guard !inner.failed, let blob, let size else { return nil }
            result.append(SampleRecord.Content(field: string(entry.keyStart..<entry.keyEnd), blob: blob, size: size, path: path))
        }
        return outer.failed ? nil : result
    }

    /// The blob ids of the content entries alone, found by their `"blob":"` (which, with no
    /// backslash in the section, can only be a key); nil when the section has a backslash or a
    /// blob that is not 40 hex digits (the general path names the damaged record).
    func contentBlobs() -> [ObjectID]? {
        let section = bytes[content]
        guard !section.contains(UInt8(ascii: "\\")) else { return nil }
        let key = RecordBytes.blob
        var blobs: [ObjectID] = []
        var i = section.startIndex
        while i + key.count < section.endIndex {
            if section[i] == key[0] && section[i + key.count] == UInt8(ascii: "\"") && section[i..<i + key.count].elementsEqual(key) {
                let hex = i + key.count + 1
                guard hex + 41 <= section.endIndex, section[hex + 40] == UInt8(ascii: "\""),
                      let id = ObjectID(hexBytes: section[hex..<(hex + 40)]) else { return nil }
                blobs.append(id)
                i = hex + 40
            } else {
                i += 1
            }
        }
        return blobs
    }

    // MARK: - Scanning

    /// The index just past the compact JSON value starting at `start` in `b`, nil if it runs
    /// past the end.
    static func skipValue(_ b: [UInt8], _ start: Int) -> Int? {
        var i = start
        var depth = 0
        repeat {
            guard i < b.count else { return nil }
            switch b[i] {
            case UInt8(ascii: "\""):
                i += 1
                while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                i += 1
            default:
                i += 1
                if depth == 0 {
                    while i < b.count, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}"), b[i] != UInt8(ascii: "]") { i += 1 }
                }
            }
        } while depth > 0
        return i <= b.count ? i : nil
    }
}
