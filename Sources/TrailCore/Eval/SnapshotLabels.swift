import Foundation
import Git
import GitFormat

/// The labels a snapshot gives the samples of a `PredictionTable`: the tree is walked shard by
/// shard on every core, a leaf is read only when a prediction falls in it, and only the records
/// of predicted samples are read, each scanned for its id, one label field and (when asked)
/// annotator, guideline and content without a value tree.
struct SnapshotLabels {
    /// The label code of each table entry in this snapshot; -1 when the snapshot does not hold it.
    var truth: [Int32]
    /// Entries whose record names erased content (scored by their labels all the same).
    var erased = 0

    /// What a record says, as far as eval needs it.
    struct RecordFields {
        var label: String
        var annotator: String?
        var guideline: String?
        var content: [ObjectID]
    }

    /// The labels of `field` in `snapshot` for every entry of `table` (interned into `labels`);
    /// `erasedContent`: blobs erasure removed, to count the scored samples that named them.
    static func read(_ snapshot: Snapshot, table: PredictionTable, field: String, labels: inout LabelCodes,
                     erasedContent: Set<ObjectID>) throws -> SnapshotLabels {
        let config = try snapshot.config()
        let scanner = RecordScanner(config: config, field: field)
        let mids = ShardedTree.folders(snapshot.rootEntries)
        let repo = snapshot.repository
        let workers = Parallel.workerCount(items: mids.count, minimumPerWorker: 8)
        // Pass 1: the record of each predicted sample, from the leaves predictions fall in.
        let found = try Parallel.perform(workers: workers, repositoryPath: repo.path) { w, reader -> [(record: ObjectID, entry: Int32)] in
            var pairs: [(record: ObjectID, entry: Int32)] = []
            for m in stride(from: w, to: mids.count, by: workers) {
                let mid = mids[m]
                guard mid.name.utf8.count == 2, let high = UInt8(mid.name, radix: 16) else { continue }
                // Shards no prediction falls in are not read.
                let first = Int(high) << 8
                guard table.bucketStart[first + 256] > table.bucketStart[first] else { continue }
                for leaf in try reader.readTree(mid.id) {
                    guard leaf.name.utf8.count == 2, let low = UInt8(leaf.name, radix: 16) else { continue }
                    let p = first | Int(low)
                    var k = Int(table.bucketStart[p])
                    let end = Int(table.bucketStart[p + 1])
                    guard k < end else { continue }
                    let entries = try TreeFormat.decodeHexNamed(reader.read(leaf.id, as: .tree))
                    // Both sorted by key: merge.
                    var e = 0
                    while k < end && e < entries.count {
                        if entries[e].key < table.keys[k] { e += 1; continue }
                        if table.keys[k] < entries[e].key { k += 1; continue }
                        pairs.append((entries[e].id, Int32(k)))
                        k += 1
                        e += 1
                    }
                }
            }
            return pairs
        }
        // Pass 2: the records read in the order of their ids (a counting sort on their first two
        // bytes), which is the order of the pack index: its lookups then stay in the cache.
        var total = 0
        for part in found { total += part.count }
        var counts = [Int](repeating: 0, count: 65537)
        for part in found { for pair in part { counts[Int(pair.record.firstByte) << 8 | Int(pair.record.secondByte) + 1] += 1 } }
        for p in 0..<65536 { counts[p + 1] += counts[p] }
        var ordered = [(record: ObjectID, entry: Int32)](repeating: (ObjectID.zero, 0), count: total)
        for part in found {
            for pair in part {
                let p = Int(pair.record.firstByte) << 8 | Int(pair.record.secondByte)
                ordered[counts[p]] = pair
                counts[p] += 1
            }
        }
        let readers = Parallel.workerCount(items: total, minimumPerWorker: 512)
        let chunk = (total + readers - 1) / max(readers, 1)
        struct Part {
            var found: [(Int32, Int32)] = []
            var labels = LabelCodes()
            var erased = 0
        }
        let parts = try Parallel.perform(workers: readers, repositoryPath: repo.path) { w, reader -> Part in
            var part = Part()
            part.found.reserveCapacity(chunk)
            var local: [String: Int32] = [:]
            for (record, entry) in ordered[min(w * chunk, total)..<min((w + 1) * chunk, total)] {
                let k = Int(entry)
                let bytes = try reader.read(record, as: .blob)
                let fields = try scanner.scan(bytes, commit: snapshot.commit, key: table.keys[k], place: SampleKey.path(table.keys[k]),
                                              wantContent: !erasedContent.isEmpty, checkID: { table.idMatches(k, $0) }, expectedID: { table.id(k) })
                let code: Int32
                if let known = local[fields.label] { code = known } else {
                    code = Int32(part.labels.code(fields.label))
                    local[fields.label] = code
                }
                part.found.append((entry, code))
                if !erasedContent.isEmpty && fields.content.contains(where: erasedContent.contains) { part.erased += 1 }
            }
            return part
        }
        var result = SnapshotLabels(truth: [Int32](repeating: -1, count: table.count))
        for part in parts {
            let remap = part.labels.labels.map { Int32(labels.code($0)) }
            for (k, code) in part.found { result.truth[Int(k)] = remap[Int(code)] }
            result.erased += part.erased
        }
        return result
    }
}

/// Reads a record's id, one label field, annotator, guideline and content ids from its
/// canonical bytes; records with escapes or lists go through `SampleRecord.decode`.
struct RecordScanner {
    let config: DatasetConfig
    let field: String
    private let idKey: [UInt8], labelKey: [UInt8], annotatorKey: [UInt8], guidelineKey: [UInt8]

    init(config: DatasetConfig, field: String) {
        self.config = config
        self.field = field
        idKey = Array(config.idField.utf8)
        labelKey = Array(field.utf8)
        annotatorKey = Array(config.annotatorField.utf8)
        guidelineKey = Array(config.guidelineField.utf8)
    }

    /// The record's fields. `checkID` is given the id's bytes (as stored, unescaped); when it
    /// says they are not the predicted sample's (a record stored under another sample's key,
    /// which only a tree edited outside Trail holds), an error names the place.
    func scan(_ bytes: [UInt8], commit: ObjectID, key: ObjectID, place: @autoclosure () -> String, wantContent: Bool, wantPeople: Bool = false,
              checkID: (ArraySlice<UInt8>) -> Bool, expectedID: () -> String) throws -> SnapshotLabels.RecordFields {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        if let view = RecordView(bytes) {
            var label: String? = LabelText.none, annotator: String?, guideline: String?
            var id: ArraySlice<UInt8>?
            var usable = true
            func text(_ value: ArraySlice<UInt8>) -> String?? {
                if value.first == quote { return value.contains(backslash) ? nil : .some(String(decoding: value.dropFirst().dropLast(), as: UTF8.self)) }
                return value.elementsEqual("null".utf8) ? .some(nil) : nil
            }
            var members = view.fieldMembers()
            while usable, let m = members.next() {
                let k = bytes[m.keyStart..<m.keyEnd], value = bytes[m.valueStart..<m.valueEnd]
                if k.elementsEqual(idKey) {
                    if value.first == quote { id = value.contains(backslash) ? nil : value.dropFirst().dropLast() } else { id = value }
                    if id == nil { usable = false }
                } else if k.elementsEqual(labelKey) {
                    guard let t = text(value) else { usable = false; continue }
                    label = t ?? LabelText.none
                } else if wantPeople && k.elementsEqual(annotatorKey) {
                    guard let t = text(value) else { usable = false; continue }
                    annotator = t
                } else if wantPeople && k.elementsEqual(guidelineKey) {
                    guard let t = text(value) else { usable = false; continue }
                    guideline = t
                }
            }
            if members.failed || !usable { label = nil }
            if let label, let id {
                try check(checkID(id), commit: commit, place: place(), stored: String(decoding: id, as: UTF8.self), expected: expectedID)
                let content = wantContent ? (view.contentBlobs() ?? (try? SampleRecord.decode(bytes).content.map(\.blob)) ?? []) : []
                return .init(label: label, annotator: annotator, guideline: guideline, content: content)
            }
        }
        let record = try StoredRecordError.locating(commit: commit, key: key, path: place(), idField: config.idField) { try SampleRecord.decode(bytes) }
        let storedID: String
        switch record.field(config.idField) {
        case .string(let s)?: storedID = s
        case .number(let n)?: storedID = n
        default: storedID = ""
        }
        try check(storedID == expectedID(), commit: commit, place: place(), stored: storedID, expected: expectedID)
        func plain(_ name: String) -> String? {
            switch record.field(name) {
            case .string(let s)?: return s
            default: return nil
            }
        }
        return .init(label: LabelText.of(record.field(field)), annotator: plain(config.annotatorField), guideline: plain(config.guidelineField),
                     content: record.content.map(\.blob))
    }

    private func check(_ matches: Bool, commit: ObjectID, place: String, stored: String, expected: () -> String) throws {
        guard !matches else { return }
        throw TrailError(.damagedStore, "commit \(commit.abbreviated()) stores sample '\(stored)' at \(place), the key of '\(expected())'; the tree was edited outside Trail",
                         hint: "run `trail verify` to see every damaged record; nothing was scored")
    }
}
