import Foundation
import Git
import GitFormat

/// One sample turned into objects: its key, its record blob and its content blobs.
struct BuiltSample {
    let key: ObjectID
    let record: PendingObject
    let line: Int
    /// The sample's text and media blobs.
    let contentBlobs: [PendingObject]
    /// Which of them are media files (they go to the media store when the store has one).
    var mediaIDs: [ObjectID] = []
}

/// Turns manifest rows into sample records, checking every field as it goes.
struct RecordBuilder {
    let config: DatasetConfig
    let file: String
    /// The folder media paths are relative to, resolved (no symlinks).
    let mediaRoot: String
    let roles: FieldRoles

    init(config: DatasetConfig, file: String, mediaRoot: String) {
        self.config = config
        self.file = file
        self.mediaRoot = mediaRoot
        self.roles = FieldRoles(config)
    }

    /// Checks a row and builds its record and content blobs.
    func build(_ row: ManifestRow) throws -> (BuiltSample, [JSONMember]) {
        var blobs: [PendingObject] = []
        var media: [ObjectID] = []
        var fields: [JSONMember] = []
        fields.reserveCapacity(row.members.count)
        var content: [SampleRecord.Content] = []
        var id: String?
        for member in row.members {
            let key = member.key
            switch (roles[key], member.value) {
            case (.id?, _):
                id = try sampleID(member.value, line: row.line)
                fields.append(member)
            case (.content?, .string(let text)):
                let data = Array(text.utf8)
                let blob = PendingObject(type: .blob, data: data)
                blobs.append(blob)
                content.append(.init(field: key, blob: blob.id, size: data.count, path: nil))
            case (.media?, .string(let path)):
                let data = try readMedia(path, field: key, line: row.line)
                let blob = PendingObject(type: .blob, data: data)
                blobs.append(blob)
                media.append(blob.id)
                content.append(.init(field: key, blob: blob.id, size: data.count, path: path))
            case (.label?, _):
                try checkLabel(member.value, field: key, line: row.line)
                fields.append(member)
            default:
                fields.append(member)
            }
        }
        guard let id else {
            throw InputError(file: file, line: row.line, field: config.idField, message: "the sample has no id",
                             hint: "every sample needs a unique '\(config.idField)' (or set another id field with `trail init --id-field`)")
        }
        let record = SampleRecord(fields: fields, content: content)
        let sample = BuiltSample(key: SampleKey.of(id), record: PendingObject(type: .blob, data: record.encoded()),
                                 line: row.line, contentBlobs: blobs, mediaIDs: media)
        return (sample, fields)
    }

    private func sampleID(_ value: JSONValue, line: Int) throws -> String {
        switch value {
        case .string(let s) where !s.isEmpty: return s
        case .number(let n) where !n.contains(where: { ".eE".contains($0) }): return n
        default:
            throw InputError(file: file, line: line, field: config.idField,
                             message: value == .string("") ? "the id is empty" : "the id is a \(value.typeName)",
                             hint: "ids must be non-empty strings or integers")
        }
    }

    private func checkLabel(_ value: JSONValue, field: String, line: Int) throws {
        switch value {
        case .string, .null: return
        case .array(let items) where items.allSatisfy({ if case .string = $0 { return true } else { return false } }): return
        default:
            throw InputError(file: file, line: line, field: field,
                             message: "a label must be a string, an array of strings or null, not a \(value.typeName)",
                             hint: "quote the label (\"3\" rather than 3), or if '\(field)' is not a label, leave it out of --label-field")
        }
    }

    func readMedia(_ path: String, field: String, line: Int) throws -> [UInt8] {
        if let problem = MediaPath.problem(path) {
            throw InputError(file: file, line: line, field: field, message: "media path '\(path)' leaves the media root (\(problem))",
                             hint: "media paths must be relative to the media root (\(mediaRoot)), without '..', '.', empty parts or a leading '/'")
        }
        let full = mediaRoot + "/" + path
        // A symlink inside the root could still point outside it.
        guard let resolved = realpath(full, nil) else {
            throw InputError(file: file, line: line, field: field, message: "media file '\(path)' does not exist (looked in \(mediaRoot))",
                             hint: "check the path, or pass --media-root with the folder the paths are relative to")
        }
        defer { free(resolved) }
        let real = String(cString: resolved)
        guard real.hasPrefix(mediaRoot + "/") else {
            throw InputError(file: file, line: line, field: field, message: "media path '\(path)' leads outside the media root through a symbolic link",
                             hint: "copy the file under \(mediaRoot)")
        }
        switch RegularFile.read(real) {
        case .success(let bytes): return bytes
        case .failure(let problem):
            throw InputError(file: file, line: line, field: field, message: problem.message("media file '\(path)'"), hint: problem.hint)
        }
    }
}
