import Git
import GitFormat
#if canImport(Glibc)
import Glibc
#endif

/// The fast way from a JSON line to a record, for the common shape of a manifest row: a flat
/// object whose keys and strings have no escapes and whose values are strings, numbers,
/// booleans or null. It copies the value bytes as they are (which is already canonical for
/// such values) instead of building a value tree, which makes a million-row commit several
/// times faster. Anything else (nesting, escapes, non-ASCII keys, odd ids, errors) returns nil and goes
/// through `JSONParser` and `RecordBuilder.build`, which produce the same bytes and the
/// precise error messages; a test checks both paths agree.
struct FastRecordPath {
    /// A top-level member: byte ranges of its key (without quotes) and of its value.
    private struct Span {
        var keyStart: Int, keyEnd: Int
        var valueStart: Int, valueEnd: Int
        /// For strings, the range inside the quotes.
        var isString: Bool
        /// The judgments field's array of flat objects (`JudgmentsArray`), written in canonical order.
        var isJudgments = false
    }

    private let builder: RecordBuilder
    private let names: FieldNames
    /// The judgments field's name: its array of flat objects is taken here too (a million rows
    /// of three judgments each would otherwise all go through the general path).
    private let judgmentsKey: [UInt8]

    init(builder: RecordBuilder) {
        self.builder = builder
        names = FieldNames(builder.config)
        judgmentsKey = Array(builder.config.judgmentsField.utf8)
    }

    /// What the fast path counted over a chunk, for the snapshot summary.
    struct Counts {
        var samples = 0
        /// One counter per configured role name (only label, annotator and guideline ones are used).
        var counters: [ValueCounter]
        /// Value spans of the current row, counted only once the row is accepted.
        fileprivate var pending: [(role: Int, start: Int, end: Int)] = []

        init(roles: Int) { counters = Array(repeating: ValueCounter(), count: roles) }
    }

    /// Empty counts for this configuration.
    func makeCounts() -> Counts { Counts(roles: names.entries.count) }

    /// The counts as a summary (samples, labels, annotators, guideline versions).
    func summary(_ counts: Counts) -> SnapshotSummary {
        var summary = SnapshotSummary()
        summary.samples = counts.samples
        for (k, entry) in names.entries.enumerated() where !counts.counters[k].keys.isEmpty {
            let values = counts.counters[k].dictionary
            let name = String(decoding: entry.name, as: UTF8.self)
            switch entry.role {
            case .label: summary.labels[name, default: [:]].merge(values, uniquingKeysWith: +)
            case .annotator: summary.annotators.merge(values, uniquingKeysWith: +)
            case .guideline: summary.guidelines.merge(values, uniquingKeysWith: +)
            default: break
            }
        }
        return summary
    }

    /// The sample built from `text` and a hash of its keys in file order (to notice new
    /// columns cheaply), with its labels, annotator and guideline added to `counts`; nil when
    /// the line needs the general path. Throws only for media files that cannot be read.
    func build(_ text: UnsafeRawBufferPointer, line: Int, counts: inout Counts) throws -> (sample: BuiltSample, keyHash: UInt64)? {
        guard UTF8Validation.firstInvalidByte(text) == nil, var spans = scan(text), !spans.isEmpty else { return nil }
        let base = text.baseAddress!
        var keyHash: UInt64 = 0xcbf2_9ce4_8422_2325
        for span in spans {
            for b in UnsafeRawBufferPointer(start: base + span.keyStart, count: span.keyEnd - span.keyStart) {
                keyHash = (keyHash ^ UInt64(b)) &* 0x100_0000_01b3
            }
            keyHash = (keyHash ^ 0xff) &* 0x100_0000_01b3
        }
        func keyPrecedes(_ a: Span, _ b: Span) -> Bool {
            let la = a.keyEnd - a.keyStart, lb = b.keyEnd - b.keyStart
            let c = memcmp(base + a.keyStart, base + b.keyStart, min(la, lb))
            return c != 0 ? c < 0 : la < lb
        }
        // Insertion sort: rows have a dozen keys, often already in order. It is quadratic, so
        // a row with many keys is sorted the usual way.
        if spans.count > 64 { spans.sort(by: keyPrecedes) }
        for i in 1..<spans.count {
            let x = spans[i]
            var j = i - 1
            while j >= 0 && keyPrecedes(x, spans[j]) { spans[j + 1] = spans[j]; j -= 1 }
            spans[j + 1] = x
        }
        for i in 1..<spans.count where !keyPrecedes(spans[i - 1], spans[i]) { return nil }  // duplicate key

        var key: ObjectID?
        var blobs: [PendingObject] = []
        var media: [ObjectID] = []
        counts.pending.removeAll(keepingCapacity: true)
        var content: [SampleRecord.Content] = []
        var fieldSpans: [Span] = []
        fieldSpans.reserveCapacity(spans.count)
        for span in spans {
            let roleIndex = names.index(of: UnsafeRawBufferPointer(start: base + span.keyStart, count: span.keyEnd - span.keyStart))
            let role = roleIndex.map { names.entries[$0].role }
            let value = UnsafeRawBufferPointer(start: base + span.valueStart, count: span.valueEnd - span.valueStart)
            switch role {
            case .id?:
                if span.isString {
                    guard value.count > 0 else { return nil }
                } else {
                    guard value.first.map({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) }) == true,
                          !value.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") })
                    else { return nil }
                }
                key = SampleKey.of(utf8: value)
                fieldSpans.append(span)
            case .content? where span.isString:
                let blob = PendingObject(type: .blob, data: Array(value))
                blobs.append(blob)
                content.append(.init(field: string(base, span.keyStart, span.keyEnd), blob: blob.id, size: value.count, path: nil))
            case .media? where span.isString:
                let field = string(base, span.keyStart, span.keyEnd)
                let path = String(decoding: value, as: UTF8.self)
                let blob = PendingObject(type: .blob, data: try builder.readMedia(path, field: field, line: line))
                blobs.append(blob)
                media.append(blob.id)
                content.append(.init(field: field, blob: blob.id, size: blob.data.count, path: path))
            case .label?, .annotator?, .guideline?:
                if span.isString {
                    counts.pending.append((roleIndex!, span.valueStart, span.valueEnd))
                } else if role == .label && !(value.count == 4 && memcmp(value.baseAddress!, "null", 4) == 0) {
                    return nil  // the general path checks the label's type and explains
                }
                fieldSpans.append(span)
            default:
                fieldSpans.append(span)
            }
        }
        guard let key else { return nil }

        // {"content":{...},"fields":{...},"format":1}, exactly as SampleRecord.encoded() writes it.
        var out = [UInt8]()
        out.reserveCapacity(text.count + 64 * content.count + 32)
        out.append(UInt8(ascii: "{"))
        // The content is in key byte order already, the canonical order: the spans are sorted.
        if !content.isEmpty { SampleRecord.appendContent(content, to: &out) }
        out.append(contentsOf: RecordBytes.fields)
        out.append(UInt8(ascii: "{"))
        for (k, span) in fieldSpans.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeRawBufferPointer(start: base + span.keyStart, count: span.keyEnd - span.keyStart))
            out.append(contentsOf: #"":"#.utf8)
            if span.isJudgments {
                JudgmentsArray.writeCanonical(UnsafeRawBufferPointer(start: base + span.valueStart, count: span.valueEnd - span.valueStart), to: &out)
                continue
            }
            if span.isString { out.append(UInt8(ascii: "\"")) }
            out.append(contentsOf: UnsafeRawBufferPointer(start: base + span.valueStart, count: span.valueEnd - span.valueStart))
            if span.isString { out.append(UInt8(ascii: "\"")) }
        }
        out.append(UInt8(ascii: "}"))
        out.append(contentsOf: RecordBytes.formatEnd)
        let sample = BuiltSample(key: key, record: PendingObject(type: .blob, data: out), line: line, contentBlobs: blobs, mediaIDs: media)
        counts.samples += 1
        for p in counts.pending {
            counts.counters[p.role].add(UnsafeRawBufferPointer(start: base + p.start, count: p.end - p.start))
        }
        return (sample, keyHash)
    }

    private func string(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: base + start, count: end - start), as: UTF8.self)
    }

    /// The top-level members of a flat object; nil for anything the fast path does not take.
    private func scan(_ b: UnsafeRawBufferPointer) -> [Span]? {
        var i = 0
        let n = b.count
        func skip() { while i < n, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0d || b[i] == 0x0a { i += 1 } }
        /// A string without escapes or control characters; returns the range inside the quotes.
        func plainString() -> (Int, Int)? {
            guard i < n, b[i] == UInt8(ascii: "\"") else { return nil }
            let start = i + 1
            var j = start
            while j < n {
                let c = b[j]
                if c == UInt8(ascii: "\"") { i = j + 1; return (start, j) }
                if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
                j += 1
            }
            return nil
        }
        skip()
        guard i < n, b[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        var spans: [Span] = []
        spans.reserveCapacity(16)
        skip()
        if i < n, b[i] == UInt8(ascii: "}") { return nil }
        while true {
            skip()
            guard let (ks, ke) = plainString() else { return nil }
            // A non-ASCII key may be another spelling of one already seen (NFC and NFD), which the
            // byte comparison below cannot tell: the general path refuses those, naming both.
            for k in ks..<ke where b[k] >= 0x80 { return nil }
            skip()
            guard i < n, b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skip()
            guard i < n else { return nil }
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                guard let (vs, ve) = plainString() else { return nil }
                spans.append(Span(keyStart: ks, keyEnd: ke, valueStart: vs, valueEnd: ve, isString: true))
            } else if c == UInt8(ascii: "["), ke - ks == judgmentsKey.count, judgmentsKey.withUnsafeBytes({ memcmp($0.baseAddress!, b.baseAddress! + ks, ke - ks) }) == 0 {
                let vs = i
                guard let end = JudgmentsArray.scan(b, from: i) else { return nil }
                i = end
                spans.append(Span(keyStart: ks, keyEnd: ke, valueStart: vs, valueEnd: i, isString: false, isJudgments: true))
            } else if c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) {
                let vs = i
                guard Self.scanNumber(b, &i) else { return nil }
                spans.append(Span(keyStart: ks, keyEnd: ke, valueStart: vs, valueEnd: i, isString: false))
            } else {
                let vs = i
                var matched = false
                for word in ["true", "false", "null"] where word.utf8.count <= n - i {
                    if word.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: b[i..<(i + word.utf8.count)])) {
                        i += word.utf8.count
                        matched = true
                        break
                    }
                }
                guard matched else { return nil }
                spans.append(Span(keyStart: ks, keyEnd: ke, valueStart: vs, valueEnd: i, isString: false))
            }
            skip()
            guard i < n else { return nil }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            guard b[i] == UInt8(ascii: "}") else { return nil }
            i += 1
            skip()
            return i == n ? spans : nil
        }
    }

    /// Scans a JSON number (RFC 8259 grammar) starting at `i`.
    static func scanNumber(_ b: UnsafeRawBufferPointer, _ i: inout Int) -> Bool {
        let n = b.count
        func digits() -> Int {
            let s = i
            while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            return i - s
        }
        if b[i] == UInt8(ascii: "-") { i += 1 }
        if i < n, b[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { return false }
        if i < n, b[i] == UInt8(ascii: ".") {
            i += 1
            if digits() == 0 { return false }
        }
        if i < n, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            if digits() == 0 { return false }
        }
        return true
    }
}
