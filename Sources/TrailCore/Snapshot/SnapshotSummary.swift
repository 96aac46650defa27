import Foundation

/// What a snapshot holds, counted at commit time and stored in its tree as `summary.json`,
/// so that `trail show` answers without reading a million records.
public struct SnapshotSummary: Codable, Equatable, Sendable {
    /// Number of samples.
    public var samples: Int = 0
    /// For each label field, how many samples carry each label (multi-label arrays count each label).
    public var labels: [String: [String: Int]] = [:]
    /// How many samples each annotator labeled.
    public var annotators: [String: Int] = [:]
    /// How many samples were labeled under each guideline version.
    public var guidelines: [String: Int] = [:]
    /// Column names in the order first seen in the manifests, for CSV export.
    public var columns: [String] = []

    /// An empty summary: no samples.
    public init() {}

    /// Counts one sample's fields in (`sign` 1) or out (`sign` -1).
    mutating func count(_ fields: [JSONMember], roles: FieldRoles, sign: Int) {
        samples += sign
        for member in fields {
            switch roles[member.key] {
            case .label:
                // Taken out and put back so the inner dictionary is never copied.
                var counts = labels.removeValue(forKey: member.key) ?? [:]
                switch member.value {
                case .string(let s): bump(&counts, s, sign)
                case .array(let items):
                    for case .string(let s) in items { bump(&counts, s, sign) }
                default: break
                }
                if !counts.isEmpty { labels[member.key] = counts }
            case .annotator:
                if case .string(let s) = member.value { bump(&annotators, s, sign) }
            case .guideline:
                if case .string(let s) = member.value { bump(&guidelines, s, sign) }
            default: break
            }
        }
    }

    /// Adds another summary's counts, which may be negative (counts that reach zero are
    /// dropped; columns are appended in order, without repeats).
    mutating func merge(_ other: SnapshotSummary) {
        samples += other.samples
        for (field, counts) in other.labels {
            var merged = labels.removeValue(forKey: field) ?? [:]
            Self.add(counts, to: &merged)
            if !merged.isEmpty { labels[field] = merged }
        }
        Self.add(other.annotators, to: &annotators)
        Self.add(other.guidelines, to: &guidelines)
        addColumns(other.columns)
    }

    private static func add(_ counts: [String: Int], to total: inout [String: Int]) {
        for (key, n) in counts {
            let sum = total[key, default: 0] + n
            total[key] = sum == 0 ? nil : sum
        }
    }

    /// Appends column names not yet known.
    mutating func addColumns(_ names: [String]) {
        var known = Set(columns)
        for name in names where known.insert(name).inserted { columns.append(name) }
    }

    private func bump(_ counts: inout [String: Int], _ key: String, _ sign: Int) {
        counts[key, default: 0] += sign
        if sign < 0 && counts[key] == 0 { counts[key] = nil }
    }

    /// The canonical JSON bytes stored in the tree.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data()) + [0x0a]
    }

    /// Reads a summary from its bytes.
    public static func decode(_ bytes: [UInt8]) throws -> SnapshotSummary {
        do { return try decodeJSON(SnapshotSummary.self, from: bytes) } catch let error as UndecodableJSON {
            throw TrailError(.damagedStore, "a snapshot's summary.json is unreadable: \(error.problem)", hint: "check the store with `git fsck`")
        }
    }
}
