#if canImport(Glibc)
import Glibc
#endif

/// Counts how often each byte string occurs (labels, annotators, guideline versions), without
/// making a String per sample: an open-addressing table keyed by an FNV-1a hash of the bytes.
/// Swift's String-keyed dictionaries cost a tenth of a million-row commit here.
struct ValueCounter {
    private(set) var keys: [[UInt8]] = []
    private(set) var counts: [Int] = []
    private var slots = [Int32](repeating: -1, count: 64)
    private var hashes: [UInt64] = []

    /// Adds one occurrence of `value`.
    mutating func add(_ value: UnsafeRawBufferPointer) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in value { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = Int(slots[i])
            if slot < 0 {
                slots[i] = Int32(keys.count)
                keys.append(Array(value))
                counts.append(1)
                hashes.append(h)
                if keys.count * 2 > slots.count { grow() }
                return
            }
            if hashes[slot] == h, keys[slot].count == value.count,
               value.count == 0 || keys[slot].withUnsafeBytes({ memcmp($0.baseAddress!, value.baseAddress!, value.count) }) == 0 {
                counts[slot] += 1
                return
            }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (slot, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(slot)
        }
    }

    /// The counts as a dictionary of strings.
    var dictionary: [String: Int] {
        var result: [String: Int] = [:]
        for (key, count) in zip(keys, counts) { result[String(decoding: key, as: UTF8.self), default: 0] += count }
        return result
    }
}
