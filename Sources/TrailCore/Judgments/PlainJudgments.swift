/// A record's judgments found in place through its `RecordView`, as byte ranges of the record:
/// the one byte reader of judgments, for agreement counts (a million records) and the index's
/// `judgments` rows (a million added samples), so neither makes a string per judgment. Values
/// must be plain strings (or null, or for the id a number); anything else gives nil, and the
/// caller takes the record through `JudgedRecord.Reader` (the decoded record).
struct PlainJudgments {
    /// One judgment: its label, the index in `Keys.labels` of the label field it gives, its
    /// annotator, guideline and `at`; nil ranges for absent or null values.
    struct Judgment {
        var label: Range<Int>?, field: Int?, annotator: Range<Int>?, guideline: Range<Int>?, at: Range<Int>?
    }

    /// The sample id's bytes (inside the quotes for a string), nil when the record has none.
    var id: Range<Int>?
    /// The record's label fields, by `Keys.labels` index: nil when absent or null.
    var finals: [Range<Int>?]
    /// The judgments, in record order; empty when the record has none.
    var judgments: [Judgment] = []
    /// True when the record has a judgments field (an array, possibly empty).
    var hasField = false

    /// The field names matched, as bytes.
    struct Keys {
        let id: [UInt8], judgments: [UInt8], annotator: [UInt8], guideline: [UInt8], at: [UInt8]
        let labels: [[UInt8]], labelNames: [String]

        init(_ config: DatasetConfig) {
            id = Array(config.idField.utf8)
            judgments = Array(config.judgmentsField.utf8)
            annotator = Array(config.annotatorField.utf8)
            guideline = Array(config.guidelineField.utf8)
            at = Array("at".utf8)
            labels = config.labelFields.map { Array($0.utf8) }
            labelNames = config.labelFields
        }
    }

    /// The judgments of `bytes`, nil when they need the general path.
    init?(_ bytes: [UInt8], _ keys: Keys) {
        guard let view = RecordView(bytes) else { return nil }
        finals = [Range<Int>?](repeating: nil, count: keys.labels.count)
        var array: Range<Int>?
        var members = view.fieldMembers()
        while let m = members.next() {
            let key = bytes[m.keyStart..<m.keyEnd]
            if key.elementsEqual(keys.judgments) {
                if view.value(m) == .null { continue }
                guard bytes[m.valueStart] == UInt8(ascii: "[") else { return nil }
                array = m.valueStart..<m.valueEnd
            } else if key.elementsEqual(keys.id) {
                switch view.value(m) {
                case .string: id = view.text(m)
                case .number: id = m.valueStart..<m.valueEnd
                default: return nil
                }
            } else if let f = keys.labels.firstIndex(where: { key.elementsEqual($0) }) {
                switch view.value(m) {
                case .string: finals[f] = view.text(m)
                case .null: finals[f] = nil
                default: return nil
                }
            }
        }
        guard !members.failed else { return nil }
        guard let array else { return }
        hasField = true
        var i = array.lowerBound + 1
        while i < array.upperBound - 1 {
            guard bytes[i] == UInt8(ascii: "{"), let end = RecordView.skipValue(bytes, i), end < array.upperBound else { return nil }
            var j = Judgment()
            var inner = RecordView.Members(bytes, i..<end)
            while let m = inner.next() {
                let key = bytes[m.keyStart..<m.keyEnd]
                let isAnnotator = key.elementsEqual(keys.annotator), isGuideline = key.elementsEqual(keys.guideline), isAt = key.elementsEqual(keys.at)
                let f = isAnnotator || isGuideline || isAt ? nil : keys.labels.firstIndex(where: { key.elementsEqual($0) })
                guard isAnnotator || isGuideline || isAt || f != nil else { continue }
                let value = view.value(m)
                guard value == .string || value == .null else { return nil }
                let text = value == .string ? view.text(m) : nil
                if isAnnotator { j.annotator = text }
                if isGuideline { j.guideline = text }
                if isAt { j.at = text }
                // The first label field of the dataset's list that the judgment has.
                if let f, j.field.map({ f < $0 }) ?? true { j.field = f; j.label = text }
            }
            guard !inner.failed else { return nil }
            judgments.append(j)
            i = end
            if bytes[i] == UInt8(ascii: ",") { i += 1 } else if i != array.upperBound - 1 { return nil }
        }
    }
}
