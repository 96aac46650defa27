import Git
import GitFormat

/// Turns a record blob back into the canonical JSON line the user committed, by splicing bytes:
/// the record's `fields` object is already canonical, so only the content fields (text from its
/// blob, media as its path) need inserting at their sorted places. This avoids building a value
/// tree per sample, which made exporting a million samples several times slower. Records it
/// cannot splice (escaped keys, an id that is not a plain string or integer) return nil and go
/// through `SampleRecord.decode` and `RowRestorer`, which give the same bytes; a test checks both.
struct RowSplicer {
    let idField: [UInt8]

    init(idField: String) { self.idField = Array(idField.utf8) }

    /// A spliced row: its id (for sorting), its JSON line, and its media files.
    struct Row {
        let id: [UInt8]
        let json: [UInt8]
        let media: [SampleRecord.Content]
        /// Text content left out of `json` to be read when the row is written (it is large):
        /// `json` holds `""` at `offset` in its place.
        var deferred: [(offset: Int, field: String, blob: ObjectID)] = []
    }

    /// Where a record's parts are: its content entries and where its `fields` object starts.
    struct Layout {
        let content: [SampleRecord.Content]
        let fieldsStart: Int
    }

    /// The layout of a record blob as Trail writes it; nil for anything unusual.
    static func layout(_ record: [UInt8]) -> Layout? {
        guard record.count > 12, record.suffix(suffix.count).elementsEqual(suffix) else { return nil }
        let contentPrefix = Array(#"{"content":"#.utf8), fieldsPrefix = Array(#""fields":"#.utf8)
        if record.starts(with: contentPrefix) {
            guard let end = skipValue(record, contentPrefix.count), end + 1 + fieldsPrefix.count < record.count,
                  record[end] == UInt8(ascii: ","), record[(end + 1)...].starts(with: fieldsPrefix),
                  let content = contentEntries(record, contentPrefix.count, end) else { return nil }
            return Layout(content: content, fieldsStart: end + 1 + fieldsPrefix.count)
        }
        guard record.starts(with: Array(#"{"fields":"#.utf8)) else { return nil }
        return Layout(content: [], fieldsStart: 1 + fieldsPrefix.count)
    }

    /// Where a record's `fields` object starts and ends, without decoding its content entries
    /// (for readers that want only the fields); nil for anything unusual.
    static func fieldsRange(_ record: [UInt8]) -> Range<Int>? {
        guard record.count > 12, record.suffix(suffix.count).elementsEqual(suffix) else { return nil }
        let fieldsPrefix = #""fields":"#.utf8
        var start: Int
        if record.starts(with: #"{"content":"#.utf8) {
            guard let end = skipValue(record, #"{"content":"#.utf8.count), record[end] == UInt8(ascii: ",") else { return nil }
            start = end + 1
        } else {
            start = 1
        }
        guard record[start...].starts(with: fieldsPrefix) else { return nil }
        start += fieldsPrefix.count
        let end = record.count - suffix.count
        return start < end ? start..<end : nil
    }

    private static let suffix = Array(#","format":1}"#.utf8)

    /// The row of `record`, given its layout and the bytes of its text content blobs (in the
    /// layout's order, media entries skipped; nil for a text to defer, see `Row.deferred`); nil
    /// when the record needs the general path.
    func row(_ record: [UInt8], layout: Layout, texts: [[UInt8]?]) -> Row? {
        let content = layout.content
        let fieldsStart = layout.fieldsStart
        let suffix = RowSplicer.suffix
        let fieldsEnd = record.count - suffix.count
        guard let members = RowSplicer.members(record, fieldsStart, fieldsEnd) else { return nil }

        var id: [UInt8]?
        for m in members where record[m.keyStart..<m.keyEnd].elementsEqual(idField) {
            let value = record[m.valueStart..<m.valueEnd]
            if value.first == UInt8(ascii: "\"") {
                guard !value.contains(UInt8(ascii: "\\")) else { return nil }
                id = Array(value.dropFirst().dropLast())
            } else {
                id = Array(value)
            }
        }
        guard let id else { return nil }

        // Merge the fields' members and the content members by key bytes.
        var out = [UInt8]()
        // Room for the texts given (not a media file's size, nor a deferred text's).
        out.reserveCapacity(record.count + texts.reduce(0) { $0 + ($1?.count ?? 0) }
                            + content.reduce(0) { $0 + $1.field.utf8.count + ($1.path?.utf8.count ?? 0) + 8 })
        out.append(UInt8(ascii: "{"))
        var m = 0, first = true, text = 0
        var deferred: [(offset: Int, field: String, blob: ObjectID)] = []
        func separator() { if !first { out.append(UInt8(ascii: ",")) }; first = false }
        for c in content {
            let name = Array(c.field.utf8)
            while m < members.count && record[members[m].keyStart..<members[m].keyEnd].lexicographicallyPrecedes(name) {
                separator()
                out.append(contentsOf: record[members[m].memberStart..<members[m].valueEnd])
                m += 1
            }
            separator()
            name.withUnsafeBytes { CanonicalJSON.writeString(utf8: $0, to: &out) }
            out.append(UInt8(ascii: ":"))
            if let path = c.path {
                CanonicalJSON.writeString(path, to: &out)
            } else {
                guard text < texts.count else { return nil }
                if let bytes = texts[text] {
                    bytes.withUnsafeBytes { CanonicalJSON.writeString(utf8: $0, to: &out) }
                } else {
                    deferred.append((out.count, c.field, c.blob))
                    out.append(contentsOf: #""""#.utf8)
                }
                text += 1
            }
        }
        while m < members.count {
            separator()
            out.append(contentsOf: record[members[m].memberStart..<members[m].valueEnd])
            m += 1
        }
        out.append(UInt8(ascii: "}"))
        return Row(id: id, json: out, media: content.filter { $0.path != nil }, deferred: deferred)
    }

    /// A member of a canonical object: where it starts (its key's opening quote), its key's bytes
    /// (inside the quotes) and its value.
    struct Member {
        let memberStart: Int, keyStart: Int, keyEnd: Int, valueStart: Int, valueEnd: Int
    }

    /// The members of the canonical object at `start..<end`; nil if a key has escapes.
    static func members(_ b: [UInt8], _ start: Int, _ end: Int) -> [Member]? {
        guard end - start >= 2, b[start] == UInt8(ascii: "{"), b[end - 1] == UInt8(ascii: "}") else { return nil }
        var result: [Member] = []
        var i = start + 1
        if b[i] == UInt8(ascii: "}") { return result }
        while i < end - 1 {
            guard b[i] == UInt8(ascii: "\"") else { return nil }
            let keyStart = i + 1
            var j = keyStart
            while j < end, b[j] != UInt8(ascii: "\"") {
                if b[j] == UInt8(ascii: "\\") { return nil }
                j += 1
            }
            guard j + 1 < end, b[j + 1] == UInt8(ascii: ":"), let valueEnd = skipValue(b, j + 2), valueEnd < end else { return nil }
            result.append(Member(memberStart: i, keyStart: keyStart, keyEnd: j, valueStart: j + 2, valueEnd: valueEnd))
            i = valueEnd
            if b[i] == UInt8(ascii: ",") { i += 1 } else if i != end - 1 { return nil }
        }
        return result
    }

    /// The entries of a record's `content` object at `start..<end`, read without a value tree:
    /// `{"<field>":{"blob":"<hex>"[,"path":"<path>"],"size":<n>},...}`. Nil if anything is escaped.
    static func contentEntries(_ b: [UInt8], _ start: Int, _ end: Int) -> [SampleRecord.Content]? {
        guard let outer = members(b, start, end) else { return nil }
        var result: [SampleRecord.Content] = []
        for entry in outer {
            guard let inner = members(b, entry.valueStart, entry.valueEnd) else { return nil }
            var blob: ObjectID?, size: Int?, path: String?
            for m in inner {
                let key = b[m.keyStart..<m.keyEnd], value = b[(m.valueStart)..<m.valueEnd]
                if key.elementsEqual("blob".utf8), value.count == 42 {
                    blob = ObjectID(hex: String(decoding: value.dropFirst().dropLast(), as: UTF8.self))
                } else if key.elementsEqual("size".utf8) {
                    size = Int(String(decoding: value, as: UTF8.self))
                } else if key.elementsEqual("path".utf8) {
                    guard value.first == UInt8(ascii: "\""), !value.contains(UInt8(ascii: "\\")) else { return nil }
                    path = String(decoding: value.dropFirst().dropLast(), as: UTF8.self)
                }
            }
            guard let blob, let size else { return nil }
            result.append(SampleRecord.Content(field: String(decoding: b[entry.keyStart..<entry.keyEnd], as: UTF8.self),
                                               blob: blob, size: size, path: path))
        }
        return result
    }

    /// The index just past the compact JSON value starting at `start`.
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
