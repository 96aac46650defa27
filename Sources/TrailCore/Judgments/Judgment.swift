/// One annotator's judgment of a sample, an element of the record's judgments field
/// (`DatasetConfig.judgmentsField`): `{"annotator":…,"label":…,"guideline":…,"at":…}`, keyed by
/// the dataset's own annotator, label and guideline field names. The record's label fields stay
/// the final (consensus or adjudicated) label; judgments are what led to it.
public struct Judgment: Codable, Equatable, Sendable {
    /// Who judged (the annotator field), nil when the judgment does not say.
    public var annotator: String?
    /// The label field the judgment gives: the first of the dataset's label fields it has.
    public var field: String?
    /// The label, as text (multi-label arrays joined with `+`); nil for a missing judgment (no
    /// label field, or null), which agreement leaves out.
    public var label: String?
    /// The guideline version it was made under.
    public var guideline: String?
    /// When it was made, as the data gives it (`at`).
    public var at: String?

    /// A judgment from its parts.
    public init(annotator: String?, field: String?, label: String?, guideline: String?, at: String?) {
        self.annotator = annotator
        self.field = field
        self.label = label
        self.guideline = guideline
        self.at = at
    }

    /// The judgments a judgments field holds: each object of the array; anything else in it
    /// (a string, a number) is not a judgment and is left out, as a field that is not an
    /// array gives none.
    static func list(_ value: JSONValue?, config: DatasetConfig) -> [Judgment] {
        guard case .array(let items)? = value else { return [] }
        var result: [Judgment] = []
        result.reserveCapacity(items.count)
        for case .object(let members) in items {
            func text(_ key: String) -> String? {
                switch members.first(where: { $0.key == key })?.value {
                case .string(let s)?: return s
                case .number(let n)?: return n
                default: return nil
                }
            }
            var field: String?, label: String?
            for name in config.labelFields {
                guard let value = members.first(where: { $0.key == name })?.value else { continue }
                field = name
                label = value == .null ? nil : LabelText.of(value)
                break
            }
            result.append(Judgment(annotator: text(config.annotatorField), field: field, label: label,
                                   guideline: text(config.guidelineField), at: text("at")))
        }
        return result
    }
}
