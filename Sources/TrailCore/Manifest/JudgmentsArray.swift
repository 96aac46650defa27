#if canImport(Glibc)
import Glibc
#endif

/// The judgments field of a manifest row as `FastRecordPath` takes it: an array of flat objects
/// (`[{"annotator":"ann_1","label":"safe","guideline":"v3.1","at":"…"},…]`) whose keys are ASCII
/// without escapes and whose values are strings without escapes, numbers, booleans or null.
/// Written back with each object's keys in canonical order and no whitespace, the bytes
/// `CanonicalJSON` would give; anything else goes to the general path (a test checks both agree).
enum JudgmentsArray {
    /// The index just past the array starting at `start` (a `[`), nil when it is not of that shape
    /// (or an object repeats a key).
    static func scan(_ b: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var i = start + 1
        var ok = true
        let end = members(b, &i) { _ in } onObject: { keys in
            // Duplicate keys: the general path names them.
            for x in 0..<keys.count { for y in (x + 1)..<keys.count where equal(b, keys[x], keys[y]) { ok = false } }
        }
        return ok ? end : nil
    }

    /// Writes the array at `array` (which `scan` accepted) canonically.
    static func writeCanonical(_ array: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var i = 1
        out.append(UInt8(ascii: "["))
        var first = true
        var object: [(key: Range<Int>, value: Range<Int>)] = []
        _ = members(array, &i) { member in object.append(member) } onObject: { _ in
            object.sort { a, b in precedes(array, a.key, b.key) }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "{"))
            for (k, m) in object.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: array[m.key]))
                out.append(contentsOf: #"":"#.utf8)
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: array[m.value]))
            }
            out.append(UInt8(ascii: "}"))
            object.removeAll(keepingCapacity: true)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Walks the objects of the array whose `[` is just before `i`: `onMember` for each member
    /// (its key inside the quotes, its value with quotes for a string), `onObject` with each
    /// object's keys at its end. Returns the index past `]`, nil for anything out of shape.
    private static func members(_ b: UnsafeRawBufferPointer, _ i: inout Int, onMember: ((key: Range<Int>, value: Range<Int>)) -> Void,
                                onObject: ([Range<Int>]) -> Void) -> Int? {
        let n = b.count
        func skip() { while i < n, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0d || b[i] == 0x0a { i += 1 } }
        func plainString(ascii: Bool) -> Range<Int>? {
            guard i < n, b[i] == UInt8(ascii: "\"") else { return nil }
            var j = i + 1
            while j < n {
                let c = b[j]
                if c == UInt8(ascii: "\"") { defer { i = j + 1 }; return (i + 1)..<j }
                if c == UInt8(ascii: "\\") || c < 0x20 || (ascii && c >= 0x80) { return nil }
                j += 1
            }
            return nil
        }
        skip()
        if i < n, b[i] == UInt8(ascii: "]") { return i + 1 }
        var keys: [Range<Int>] = []
        while true {
            skip()
            guard i < n, b[i] == UInt8(ascii: "{") else { return nil }
            i += 1
            keys.removeAll(keepingCapacity: true)
            skip()
            if i < n, b[i] == UInt8(ascii: "}") { i += 1 } else {
                while true {
                    skip()
                    guard let key = plainString(ascii: true) else { return nil }
                    skip()
                    guard i < n, b[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    skip()
                    guard i < n else { return nil }
                    let vs = i
                    let c = b[i]
                    if c == UInt8(ascii: "\"") {
                        guard plainString(ascii: false) != nil else { return nil }
                    } else if c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) {
                        guard FastRecordPath.scanNumber(b, &i) else { return nil }
                    } else {
                        var matched = false
                        for word in ["true", "false", "null"] where word.utf8.count <= n - i
                            && word.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: b[i..<(i + word.utf8.count)])) {
                            i += word.utf8.count
                            matched = true
                            break
                        }
                        guard matched else { return nil }
                    }
                    keys.append(key)
                    onMember((key, vs..<i))
                    skip()
                    guard i < n else { return nil }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    guard b[i] == UInt8(ascii: "}") else { return nil }
                    i += 1
                    break
                }
            }
            onObject(keys)
            skip()
            guard i < n else { return nil }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            guard b[i] == UInt8(ascii: "]") else { return nil }
            return i + 1
        }
    }

    private static func equal(_ b: UnsafeRawBufferPointer, _ x: Range<Int>, _ y: Range<Int>) -> Bool {
        x.count == y.count && memcmp(b.baseAddress! + x.lowerBound, b.baseAddress! + y.lowerBound, x.count) == 0
    }

    /// Canonical key order (byte order of the UTF-8, which for ASCII keys is the code point order).
    private static func precedes(_ b: UnsafeRawBufferPointer, _ x: Range<Int>, _ y: Range<Int>) -> Bool {
        let c = memcmp(b.baseAddress! + x.lowerBound, b.baseAddress! + y.lowerBound, min(x.count, y.count))
        return c != 0 ? c < 0 : x.count < y.count
    }
}
