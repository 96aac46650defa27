import Foundation

/// Which fields of a sample mean what. Set by `trail init`, kept in the store, and written
/// into every commit (`dataset.json` at the root of its tree) so a commit describes itself.
public struct DatasetConfig: Codable, Equatable, Sendable {
    /// The field holding each sample's unique id (a string or an integer).
    public var idField: String
    /// Fields holding labels: a string, an array of strings (multi-label), or null.
    public var labelFields: [String]
    /// The field naming who labeled the sample.
    public var annotatorField: String
    /// The field naming the labeling guideline version.
    public var guidelineField: String
    /// Text fields stored as their own blobs, so that a relabel never copies them.
    public var contentFields: [String]
    /// Fields holding a relative path to a media file, stored as the file's blob.
    public var mediaFields: [String]
    /// The field holding a sample's judgments: an array of objects, each with the annotator,
    /// label and guideline fields and optionally `at` (see `Judgment`).
    public var judgmentsField: String {
        get { judgmentsFieldOverride ?? Self.defaultJudgmentsField }
        set { judgmentsFieldOverride = newValue == Self.defaultJudgmentsField ? nil : newValue }
    }
    /// The judgments field when it is not the default: kept only then, so a store made before
    /// judgments existed, or with the default, writes the same `dataset.json` (and tree ids) as before.
    private var judgmentsFieldOverride: String?
    /// The version of this file's format.
    public var format: Int
    /// Where media files go instead of the git packs, `s3://BUCKET/PREFIX` (see docs/media-store.md);
    /// nil to keep them in git. Absent from the JSON when nil, so older stores read and hash as before.
    public var mediaStore: String?

    /// `judgments`, the judgments field unless `trail init --judgments-field` says otherwise.
    public static let defaultJudgmentsField = "judgments"

    private enum CodingKeys: String, CodingKey {
        case idField, labelFields, annotatorField, guidelineField, contentFields, mediaFields, format, mediaStore
        case judgmentsFieldOverride = "judgmentsField"
    }

    /// Defaults that fit most moderation datasets (and `gen_dataset.py`'s output).
    public init(idField: String = "id", labelFields: [String] = ["label", "labels"],
                annotatorField: String = "annotator", guidelineField: String = "guideline",
                contentFields: [String] = ["text"], mediaFields: [String] = ["media", "image", "video", "audio"],
                judgmentsField: String = DatasetConfig.defaultJudgmentsField) {
        self.idField = idField
        self.labelFields = labelFields
        self.annotatorField = annotatorField
        self.guidelineField = guidelineField
        self.contentFields = contentFields
        self.mediaFields = mediaFields
        self.format = 1
        self.judgmentsField = judgmentsField
    }

    /// Checks that no field has two roles (and that a media store location parses).
    public func validate() throws {
        if let mediaStore { _ = try MediaStoreLocation(parsing: mediaStore) }
        let roles: [(String, [String])] = [("id", [idField]), ("label", labelFields), ("annotator", [annotatorField]),
                                           ("guideline", [guidelineField]), ("content", contentFields), ("media", mediaFields),
                                           ("judgments", [judgmentsField])]
        var seen: [String: String] = [:]
        for (role, fields) in roles {
            for field in fields {
                if field.isEmpty { throw TrailError(.usage, "the \(role) field name is empty", hint: "give a field name") }
                if let other = seen[field], other != role {
                    throw TrailError(.usage, "field '\(field)' is given two roles (\(other) and \(role))",
                                     hint: "each field can have one role; check the --*-field options")
                }
                seen[field] = role
            }
        }
    }

    /// The canonical JSON bytes of this configuration.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data()) + [0x0a]
    }

    /// Reads a configuration from its JSON bytes.
    public static func decode(_ bytes: [UInt8]) throws -> DatasetConfig {
        do {
            return try decodeJSON(DatasetConfig.self, from: bytes)
        } catch let error as UndecodableJSON {
            throw TrailError(.damagedStore, "the store's dataset configuration is unreadable: \(error.problem)",
                             hint: "check the store with `git fsck`; the file is dataset.json in the store")
        }
    }
}

/// What a field means, looked up once per field rather than by scanning the configuration's lists.
enum FieldRole {
    case id, label, annotator, guideline, content, media
}

/// The role of each configured field name.
struct FieldRoles {
    private let roles: [String: FieldRole]

    init(_ config: DatasetConfig) {
        var roles: [String: FieldRole] = [:]
        for f in config.mediaFields { roles[f] = .media }
        for f in config.contentFields { roles[f] = .content }
        for f in config.labelFields { roles[f] = .label }
        roles[config.guidelineField] = .guideline
        roles[config.annotatorField] = .annotator
        roles[config.idField] = .id
        self.roles = roles
    }

    subscript(name: String) -> FieldRole? { roles[name] }
}
