/// Label strings interned to small dense codes (0, 1, 2, ... in order of first sight), so the
/// statistics count into arrays indexed by code instead of hashing a string per judgment.
public struct LabelCodes: Sendable, Equatable, Codable {
    /// The labels, indexed by their code.
    public private(set) var labels: [String] = []
    private var codes: [String: Int] = [:]

    /// An empty table.
    public init() {}

    /// A table that gives `labels` the codes 0, 1, 2, ... in this order (repeats keep their first code).
    public init<S: Sequence>(_ labels: S) where S.Element == String {
        for label in labels { _ = code(label) }
    }

    /// The number of labels interned.
    public var count: Int { labels.count }

    /// The code of `label`, given the next free code if it is new.
    public mutating func code(_ label: String) -> Int {
        if let code = codes[label] { return code }
        codes[label] = labels.count
        labels.append(label)
        return labels.count - 1
    }

    /// The code of `label` if it was interned, without adding it.
    public func existingCode(_ label: String) -> Int? { codes[label] }

    /// The label with this code.
    public subscript(code: Int) -> String { labels[code] }

    /// Equal when the same labels have the same codes (the lookup table follows from the labels).
    public static func == (a: LabelCodes, b: LabelCodes) -> Bool { a.labels == b.labels }

    /// Decodes the labels, a JSON array in code order: the codes are their positions, so a repeated
    /// label (which would shift every later code) is refused.
    public init(from decoder: Decoder) throws {
        let labels = try decoder.singleValueContainer().decode([String].self)
        self.init(labels)
        guard count == labels.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a label occurs twice in the label codes"))
        }
    }

    /// Encodes the labels only, as an array in code order.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(labels)
    }
}
