import Git
import GitFormat

/// A stored sample: its fields, and its content (text and media) by blob id.
///
/// Stored as one small blob of canonical JSON:
/// `{"content":{"text":{"blob":"<id>","size":123}},"fields":{...},"format":1}`.
/// Content lives in its own blobs, so a relabel writes a few hundred bytes and never copies it.
public struct SampleRecord: Equatable, Sendable {
    /// A content field: a text blob, or a media file (blob plus its relative path).
    public struct Content: Equatable, Sendable {
        /// The content field's name.
        public var field: String
        /// The id of the blob holding the content.
        public var blob: ObjectID
        /// The content's size in bytes.
        public var size: Int
        /// The media file's path relative to the media root; nil for text content.
        public var path: String?
    }

    /// Every field except content fields, as the user gave them.
    public var fields: [JSONMember]
    /// Content fields, sorted by field name.
    public var content: [Content]

    /// The record's format version.
    public static let formatVersion = 1

    /// A record of `fields` and `content`.
    public init(fields: [JSONMember], content: [Content]) {
        self.fields = fields
        self.content = content.sorted { CanonicalJSON.keyPrecedes($0.field, $1.field) }
    }

    /// The canonical bytes stored in the record blob.
    public func encoded() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        out.append(UInt8(ascii: "{"))
        if !content.isEmpty { SampleRecord.appendContent(content, to: &out) }
        out.append(contentsOf: RecordBytes.fields)
        CanonicalJSON.writeObject(fields, to: &out)
        out.append(contentsOf: RecordBytes.formatEnd)
        return out
    }

    /// Appends a record's `"content":{…},` member holding `content`, which is sorted by field
    /// name and not empty (a record without content has no such member).
    static func appendContent(_ content: [Content], to out: inout [UInt8]) {
        out.append(contentsOf: RecordBytes.content)
        out.append(UInt8(ascii: "{"))
        for (k, c) in content.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            CanonicalJSON.writeString(c.field, to: &out)
            out.append(contentsOf: ":{".utf8)
            out.append(contentsOf: RecordBytes.blob)
            out.append(UInt8(ascii: "\""))
            appendHex(c.blob, to: &out)
            out.append(UInt8(ascii: "\""))
            if let path = c.path {
                out.append(UInt8(ascii: ","))
                out.append(contentsOf: RecordBytes.path)
                CanonicalJSON.writeString(path, to: &out)
            }
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: RecordBytes.size)
            out.append(contentsOf: String(c.size).utf8)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "},".utf8)
    }

    /// Parses a record blob. Throws a `StoredRecordError` naming the blob and what is wrong;
    /// readers that know where the record is stored add that (`StoredRecordError.locating`).
    public static func decode(_ bytes: [UInt8]) throws -> SampleRecord {
        do {
            return try decode(value: JSONParser.parse(bytes))
        } catch {
            throw StoredRecordError(bytes: bytes, error: error)
        }
    }

    /// Why parsed JSON is not a record (`decode(value:)`), with its fields when it has them.
    struct Malformed: Error {
        let problem: String
        var fields: [JSONMember]? = nil
    }

    /// A record from its parsed JSON (for readers that look at the JSON too).
    static func decode(value: JSONValue) throws -> SampleRecord {
        guard case .object(let top) = value else { throw Malformed(problem: "it is a JSON \(value.typeName), not an object with \"fields\"") }
        guard case .object(let fields)? = top.first(where: { $0.key == "fields" })?.value else {
            throw Malformed(problem: "it has no \"fields\" object")
        }
        var content: [Content] = []
        if case .object(let members)? = top.first(where: { $0.key == "content" })?.value {
            for member in members {
                guard let blobHex = member.value["blob"]?.stringValue, let blob = ObjectID(hex: blobHex),
                      case .number(let sizeText)? = member.value["size"], let size = Int(sizeText) else {
                    throw Malformed(problem: "its content entry '\(member.key)' is malformed (it must hold a blob id and a size)", fields: fields)
                }
                content.append(Content(field: member.key, blob: blob, size: size, path: member.value["path"]?.stringValue))
            }
        }
        return SampleRecord(fields: fields, content: content)
    }

    /// What makes `bytes` something other than a record of `formatVersion` (nil when nothing):
    /// another or no `format`, members the format does not have, a content entry that is not
    /// `blob`, optional `path`, `size`. `decode` reads past such things; `trail verify` names them.
    public static func layoutProblem(_ bytes: [UInt8]) -> String? {
        guard let value = try? JSONParser.parse(bytes) else { return "is not JSON" }
        return layoutProblem(value: value)
    }

    /// `layoutProblem` of a record's parsed JSON.
    static func layoutProblem(value: JSONValue) -> String? {
        guard case .object(let top) = value else { return "is not a JSON object" }
        if let other = top.first(where: { !["content", "fields", "format"].contains($0.key) }) {
            return "has a member '\(other.key)' that record format \(formatVersion) does not have"
        }
        switch top.first(where: { $0.key == "format" })?.value {
        case .number(String(formatVersion))?: break
        case nil: return "has no format"
        case .number(let n)?: return "has format \(n), which this version of Trail does not read (it writes format \(formatVersion))"
        case let value?: return "has a format that is a \(value.typeName), not a number"
        }
        guard let content = top.first(where: { $0.key == "content" })?.value else { return nil }
        guard case .object(let entries) = content else { return "has a content member that is not an object" }
        for entry in entries {
            guard case .object(let members) = entry.value,
                  members.allSatisfy({ ["blob", "path", "size"].contains($0.key) }),
                  case .number(let size)? = entry.value["size"], Int(size).map({ $0 >= 0 }) == true else {
                return "has a malformed content entry '\(entry.key)' (it must hold blob, size and, for media, path)"
            }
        }
        return nil
    }

    /// The value of a field (not content).
    public func field(_ name: String) -> JSONValue? {
        fields.first { $0.key == name }?.value
    }
}

private func appendHex(_ id: ObjectID, to out: inout [UInt8]) {
    let start = out.count
    out.append(contentsOf: repeatElement(0, count: 40))
    out.withUnsafeMutableBufferPointer { id.appendHex(into: $0.baseAddress! + start) }
}

extension SampleRecord {
    /// The fields a summary counts (labels, annotator, guideline) of a record blob: read through
    /// its `RecordView` when the values are plain strings, else from the decoded record.
    static func countedFields(_ bytes: [UInt8], roles: FieldRoles) throws -> [JSONMember] {
        try RecordView.read(bytes, plain: { view in
            // Content entries that do not read mark a damaged record, which the decoder names.
            guard view.contentEntries() != nil else { return nil }
            var counted: [JSONMember] = []
            var members = view.fieldMembers()
            while let m = members.next() {
                let key = view.string(m.keyStart..<m.keyEnd)
                guard let role = roles[key], role == .label || role == .annotator || role == .guideline else { continue }
                switch view.value(m) {
                case .string: counted.append(JSONMember(key, .string(view.string(view.text(m)))))
                case .null: continue
                default: return nil
                }
            }
            return members.failed ? nil : counted
        }, general: { $0.fields })
    }
}
