import Foundation
import GitFormat

/// Stored predictions ready to be joined with a snapshot's records: one entry per prediction,
/// ordered by sample key (the SHA-1 of the id), with the predicted label of one label field
/// interned in `labels`. Read from the canonical `predictions.jsonl` bytes without a value tree
/// (escaped strings and lists go through the general parser), on every core.
struct PredictionTable {
    /// The keys, sorted.
    let keys: [ObjectID]
    /// The predicted label's code (in `labels`) of each entry.
    let predicted: [Int32]
    /// Where each entry's id is in `bytes` (an escaped id is in `escapedIDs` instead).
    private let idRanges: [Range<Int32>]
    private let escapedIDs: [Int: String]
    /// The canonical rows.
    let bytes: [UInt8]
    /// `bucketStart[p] ..< bucketStart[p + 1]`: the entries whose key starts with the two bytes `p`
    /// (the shard folder `ab/cd` of the snapshot tree).
    let bucketStart: [Int32]

    var count: Int { keys.count }

    /// The id of entry `k`.
    func id(_ k: Int) -> String {
        if let escaped = escapedIDs[k] { return escaped }
        let r = idRanges[k]
        return String(decoding: bytes[Int(r.lowerBound)..<Int(r.upperBound)], as: UTF8.self)
    }

    /// The id bytes of entry `k`, as a record's id value holds them unescaped.
    func idMatches(_ k: Int, _ record: ArraySlice<UInt8>) -> Bool {
        if escapedIDs[k] != nil { return false }
        let r = idRanges[k]
        return bytes[Int(r.lowerBound)..<Int(r.upperBound)].elementsEqual(record)
    }

    /// The entry for `key`, if there is one.
    func index(of key: ObjectID) -> Int? {
        let p = Int(key.firstByte) << 8 | Int(key.secondByte)
        var lo = Int(bucketStart[p]), hi = Int(bucketStart[p + 1])
        while lo < hi {
            let mid = (lo + hi) / 2
            if keys[mid] == key { return mid }
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Parses `bytes` (canonical rows, each ending in a newline) and takes the label of `field`;
    /// labels are interned into `labels`. `name` names the predictions in errors.
    init(bytes: [UInt8], idField: String, field: String, labels: inout LabelCodes, name: String) throws {
        self.bytes = bytes
        // Lines split into about one part per core (more, for balance).
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount * 4, bytes.count / (1 << 16)))
        var bounds = [0]
        for k in 1..<parts {
            var at = bytes.count * k / parts
            guard at > bounds.last! else { continue }
            while at < bytes.count && bytes[at - 1] != 0x0a { at += 1 }
            if at < bytes.count && at > bounds.last! { bounds.append(at) }
        }
        bounds.append(bytes.count)
        struct Part {
            var keys: [ObjectID] = []
            var codes: [Int32] = []
            var ranges: [Range<Int32>] = []
            var escaped: [(Int, String)] = []
            var labels = LabelCodes()
            var error: Error?
        }
        let idKey = Array(idField.utf8), labelKey = Array(field.utf8)
        var results = [Part](repeating: Part(), count: bounds.count - 1)
        results.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: bounds.count - 1) { w in
                var part = Part()
                var start = bounds[w]
                let stop = bounds[w + 1]
                // Line numbers are only needed for an error: counted then.
                func fail(_ at: Int, _ what: String) -> TrailError {
                    let line = bytes[..<at].reduce(1) { $0 + ($1 == 0x0a ? 1 : 0) }
                    return TrailError(.damagedStore, "the predictions of '\(name)' are damaged: \(StoredPredictions.rowsFile) line \(line): \(what)",
                                      hint: "run `trail verify`; store them again with `trail model predictions \(name) FILE`")
                }
                var local: [String: Int32] = [:]
                while start < stop {
                    var end = start
                    while end < stop && bytes[end] != 0x0a { end += 1 }
                    defer { start = end + 1 }
                    guard end > start else { continue }
                    var idRange: Range<Int>?, escapedID: String?, label: String?
                    var members = RecordView.Members(bytes, start..<end)
                    while let m = members.next() {
                        let (keyStart, keyEnd, valueStart, valueEnd) = (m.keyStart, m.keyEnd, m.valueStart, m.valueEnd)
                        let key = bytes[keyStart..<keyEnd]
                        if key.elementsEqual(idKey) {
                            if bytes[valueStart] == UInt8(ascii: "\""), !bytes[valueStart..<valueEnd].contains(UInt8(ascii: "\\")) {
                                idRange = (valueStart + 1)..<(valueEnd - 1)
                            } else if bytes[valueStart] != UInt8(ascii: "\"") {
                                idRange = valueStart..<valueEnd
                            } else {
                                escapedID = (try? JSONParser.parse(Array(bytes[valueStart..<valueEnd])))?.stringValue
                            }
                        } else if key.elementsEqual(labelKey) {
                            let value = bytes[valueStart..<valueEnd]
                            if value.first == UInt8(ascii: "\""), !value.contains(UInt8(ascii: "\\")) {
                                label = String(decoding: value.dropFirst().dropLast(), as: UTF8.self)
                            } else {
                                label = (try? JSONParser.parse(Array(value))).map(LabelText.of)
                            }
                        }
                    }
                    if !members.failed {
                    } else if let value = try? JSONParser.parse(Array(bytes[start..<end])), case .object = value {
                        escapedID = value[idField].flatMap { v -> String? in
                            if case .number(let n) = v { return n }
                            return v.stringValue
                        }
                        label = value[field].map(LabelText.of)
                    }
                    guard idRange != nil || escapedID != nil else {
                        part.error = fail(start, "no id in '\(idField)'")
                        break
                    }
                    guard let label else {
                        part.error = fail(start, "no label in '\(field)'")
                        break
                    }
                    let code: Int32
                    if let known = local[label] { code = known } else {
                        code = Int32(part.labels.code(label))
                        local[label] = code
                    }
                    let key: ObjectID
                    if let escapedID {
                        key = SampleKey.of(escapedID)
                        part.escaped.append((part.keys.count, escapedID))
                        part.ranges.append(0..<0)
                    } else {
                        key = bytes.withUnsafeBytes { ObjectHasher.sha1(UnsafeRawBufferPointer(rebasing: $0[idRange!])) }
                        part.ranges.append(Int32(idRange!.lowerBound)..<Int32(idRange!.upperBound))
                    }
                    part.keys.append(key)
                    part.codes.append(code)
                }
                base[w] = part
            }
        }
        // One table of labels for all parts, then every entry placed by its key's first two
        // bytes (a counting sort), and sorted by key within those few.
        var total = 0
        for part in results {
            if let error = part.error { throw error }
            total += part.keys.count
        }
        var flatKeys: [ObjectID] = [], flatCodes: [Int32] = [], flatRanges: [Range<Int32>] = []
        flatKeys.reserveCapacity(total); flatCodes.reserveCapacity(total); flatRanges.reserveCapacity(total)
        var flatEscaped: [Int: String] = [:]
        for part in results {
            let remap = part.labels.labels.map { Int32(labels.code($0)) }
            for (k, id) in part.escaped { flatEscaped[flatKeys.count + k] = id }
            flatKeys += part.keys
            flatCodes += part.codes.map { remap[Int($0)] }
            flatRanges += part.ranges
        }
        results.removeAll()
        var counts = [Int32](repeating: 0, count: 65537)
        var order = [Int32](repeating: 0, count: total)
        flatKeys.withUnsafeBufferPointer { keys in
            for key in keys { counts[Int(key.firstByte) << 8 | Int(key.secondByte) + 1] += 1 }
            for p in 0..<65536 { counts[p + 1] += counts[p] }
            var fill = counts
            for (position, key) in keys.enumerated() {
                let p = Int(key.firstByte) << 8 | Int(key.secondByte)
                order[Int(fill[p])] = Int32(position)
                fill[p] += 1
            }
            order.withUnsafeMutableBufferPointer { order in
                for p in 0..<65536 where counts[p + 1] - counts[p] > 1 {
                    // Insertion sort: a bucket holds a handful of entries.
                    let lo = Int(counts[p]), hi = Int(counts[p + 1])
                    for i in (lo + 1)..<hi {
                        let moving = order[i]
                        var j = i
                        while j > lo && keys[Int(moving)] < keys[Int(order[j - 1])] { order[j] = order[j - 1]; j -= 1 }
                        order[j] = moving
                    }
                }
            }
        }
        var keys: [ObjectID] = [], predicted: [Int32] = [], ranges: [Range<Int32>] = []
        keys.reserveCapacity(total); predicted.reserveCapacity(total); ranges.reserveCapacity(total)
        var escaped: [Int: String] = [:]
        for position in order {
            let k = Int(position)
            if !flatEscaped.isEmpty, let id = flatEscaped[k] { escaped[keys.count] = id }
            keys.append(flatKeys[k])
            predicted.append(flatCodes[k])
            ranges.append(flatRanges[k])
        }
        for k in keys.indices.dropFirst() where keys[k] == keys[k - 1] {
            throw TrailError(.damagedStore, "the predictions of '\(name)' name sample '\(escaped[k] ?? String(decoding: bytes[Int(ranges[k].lowerBound)..<Int(ranges[k].upperBound)], as: UTF8.self))' twice",
                             hint: "run `trail verify`; store them again with `trail model predictions \(name) FILE`")
        }
        self.keys = keys
        self.predicted = predicted
        self.idRanges = ranges
        self.escapedIDs = escaped
        self.bucketStart = counts
    }
}

/// A label value as one text, as eval scores it: a string as it is; a list of labels sorted,
/// without repeats, joined with `+` (a multi-label prediction is right when it names the same
/// set); null, a missing field or an empty list `(none)`.
enum LabelText {
    static let none = "(none)"

    static func of(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: return s
        case .array(let items)?:
            let labels = Set(items.compactMap(\.stringValue)).sorted { CanonicalJSON.keyPrecedes($0, $1) }
            return labels.isEmpty ? none : labels.joined(separator: "+")
        case .number(let n)?: return n
        default: return none
        }
    }
}
