/// What agreement needs of a record: its final labels and its judgments. Read through the
/// record's `RecordView` (only the judgments array is parsed, as a slice), with
/// `SampleRecord.decode` as the fallback, so a million records read in about the time eval
/// takes to read their labels.
struct JudgedRecord {
    /// The record's label fields as text (`(none)` for null), in record order.
    var labels: [(field: String, text: String)]
    /// Its judgments, in the order the record holds them; empty when it has none.
    var judgments: [Judgment]

    /// The final label of `field`, nil when the record lacks the field.
    func label(_ field: String) -> String? {
        labels.first { $0.field == field }?.text
    }

    /// Reads records of one dataset configuration.
    struct Reader {
        let config: DatasetConfig
        private let names: FieldNames
        private let judgmentsKey: [UInt8]

        init(config: DatasetConfig) {
            self.config = config
            names = FieldNames(config)
            judgmentsKey = Array(config.judgmentsField.utf8)
        }

        /// The record's labels and judgments; a damaged record throws `StoredRecordError`.
        func read(_ bytes: [UInt8]) throws -> JudgedRecord {
            try RecordView.read(bytes, plain: plain, general: { record in
                var labels: [(field: String, text: String)] = []
                for member in record.fields where config.labelFields.contains(member.key) {
                    labels.append((member.key, SampleChange.text(member.value)))
                }
                return JudgedRecord(labels: labels, judgments: Judgment.list(record.field(config.judgmentsField), config: config))
            })
        }

        /// The judgments field's value as canonical bytes, nil when the record has no such field
        /// (or it is null): equal bytes are equal judgments, so a change compares them unparsed.
        func rawJudgments(_ bytes: [UInt8]) -> ArraySlice<UInt8>? {
            if let view = RecordView(bytes) {
                var members = view.fieldMembers()
                while let m = members.next() {
                    guard m.keyEnd - m.keyStart == judgmentsKey.count && bytes[m.keyStart..<m.keyEnd].elementsEqual(judgmentsKey) else { continue }
                    return view.value(m) == .null ? nil : bytes[m.valueStart..<m.valueEnd]
                }
                if !members.failed { return nil }
            }
            guard let value = (try? SampleRecord.decode(bytes))?.field(config.judgmentsField), value != .null else { return nil }
            return CanonicalJSON.encode(value)[...]
        }

        /// The judgments of `after` when they differ from those of `before` (either absent);
        /// nil when they are the same, or `after` has none.
        func changedJudgments(before: [UInt8]?, after: [UInt8]?) throws -> [Judgment]? {
            guard let after, let new = rawJudgments(after) else { return nil }
            if let before, let old = rawJudgments(before), old.elementsEqual(new) { return nil }
            let judgments = try read(after).judgments
            return judgments.isEmpty ? nil : judgments
        }

        /// The plain path: labels that are plain strings or null, and a judgments value that
        /// parses on its own; nil for anything else.
        private func plain(_ view: RecordView) -> JudgedRecord? {
            let bytes = view.bytes
            var record = JudgedRecord(labels: [], judgments: [])
            var members = view.fieldMembers()
            while let m = members.next() {
                if m.keyEnd - m.keyStart == judgmentsKey.count && bytes[m.keyStart..<m.keyEnd].elementsEqual(judgmentsKey) {
                    guard let value = try? JSONParser.parse(Array(bytes[m.valueStart..<m.valueEnd])) else { return nil }
                    record.judgments = Judgment.list(value, config: config)
                    continue
                }
                guard names.recordRoles(bytes, m.keyStart, m.keyEnd).contains(.label) else { continue }
                switch view.value(m) {
                case .string: record.labels.append((view.string(m.keyStart..<m.keyEnd), view.string(view.text(m))))
                case .null: record.labels.append((view.string(m.keyStart..<m.keyEnd), LabelText.none))
                default: return nil
                }
            }
            return members.failed ? nil : record
        }
    }
}
