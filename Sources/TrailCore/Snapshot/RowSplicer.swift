import Git
import GitFormat

/// Turns a record blob back into the canonical JSON line the user committed, by splicing the
/// bytes its `RecordView` finds: the record's `fields` object is already canonical, so only the
/// content fields (text from its blob, media as its path) need inserting at their sorted places.
/// This avoids building a value tree per sample, which made exporting a million samples several
/// times slower. Records it cannot splice (escaped keys, no id or an escaped one) return nil and go through
/// `SampleRecord.decode` and `RowRestorer`, which give the same bytes; a test checks both.
struct RowSplicer {
    /// The field names, of which the splicer reads the id.
    let names: FieldNames

    /// The splicer of a dataset whose id field is `idField`.
    init(idField: String) { names = FieldNames(DatasetConfig(idField: idField)) }

    /// A spliced row: its id (for sorting), its JSON line, and its media files.
    struct Row {
        let id: [UInt8]
        let json: [UInt8]
        let media: [SampleRecord.Content]
        /// Text content left out of `json` to be read when the row is written (it is large):
        /// `json` holds `""` at `offset` in its place.
        var deferred: [(offset: Int, field: String, blob: ObjectID)] = []
    }

    /// Where a record's parts are: its content entries and its `fields` object.
    struct Layout {
        let content: [SampleRecord.Content]
        let fields: Range<Int>
    }

    /// The layout of a record blob as Trail writes it; nil for anything unusual.
    static func layout(_ record: [UInt8]) -> Layout? {
        guard let view = RecordView(record), let content = view.contentEntries() else { return nil }
        return Layout(content: content, fields: view.fields)
    }

    /// The row of `record`, given its layout and the bytes of its text content blobs (in the
    /// layout's order, media entries skipped; nil for a text to defer, see `Row.deferred`); nil
    /// when the record needs the general path.
    func row(_ record: [UInt8], layout: Layout, texts: [[UInt8]?]) -> Row? {
        let content = layout.content
        var members = RecordView.Members(record, layout.fields)
        var id: [UInt8]?
        var idEscaped = false  // an escaped id needs the general path
        // Copies a member into the row, and takes the id from it on the way (the last one wins).
        func copy(_ m: RecordView.Member, to out: inout [UInt8]) {
            out.append(contentsOf: record[m.memberStart..<m.valueEnd])
            guard names.isID(record, m.keyStart, m.keyEnd) else { return }
            if record[m.valueStart] == UInt8(ascii: "\"") {
                if record[m.valueStart..<m.valueEnd].contains(UInt8(ascii: "\\")) { idEscaped = true }
                id = Array(record[(m.valueStart + 1)..<(m.valueEnd - 1)])
            } else {
                id = Array(record[m.valueStart..<m.valueEnd])
            }
        }

        // Merge the fields' members and the content members by key bytes.
        var out = [UInt8]()
        // Room for the texts given (not a media file's size, nor a deferred text's).
        out.reserveCapacity(record.count + texts.reduce(0) { $0 + ($1?.count ?? 0) }
                            + content.reduce(0) { $0 + $1.field.utf8.count + ($1.path?.utf8.count ?? 0) + 8 })
        out.append(UInt8(ascii: "{"))
        var next = members.next()
        var first = true, text = 0
        var deferred: [(offset: Int, field: String, blob: ObjectID)] = []
        func separator() { if !first { out.append(UInt8(ascii: ",")) }; first = false }
        for c in content {
            let name = Array(c.field.utf8)
            while let m = next, record[m.keyStart..<m.keyEnd].lexicographicallyPrecedes(name) {
                separator()
                copy(m, to: &out)
                next = members.next()
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
        while let m = next {
            separator()
            copy(m, to: &out)
            next = members.next()
        }
        guard !members.failed, !idEscaped, let id else { return nil }
        out.append(UInt8(ascii: "}"))
        return Row(id: id, json: out, media: content.filter { $0.path != nil }, deferred: deferred)
    }
}
