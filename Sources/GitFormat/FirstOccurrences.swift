import Foundation

/// Which items of a numbered sequence of object ids are the first of their id, found with
/// bounded memory: the ids are sorted (in runs spilled under `directory`, as a pack's index
/// entries are) and merged once, and the repeats are kept as one bit per item. A push walks
/// its objects twice: first to number them and find the repeats (an object reachable from two
/// commits, or by two paths), then to send each object once, and it knows the count before
/// the first byte goes out. Twenty million items take about 2.5 MB of bits and one 32 MiB run.
public struct FirstOccurrences {
    private var entries: PackIndexEntries
    private var repeats: [UInt64] = []
    private var finished = false
    /// Items added so far.
    public private(set) var count = 0
    /// Distinct ids (known once `finish` has run).
    public private(set) var distinct = 0

    /// An empty sequence whose sorted runs go to unlinked files under `directory`.
    public init(directory: String) {
        entries = PackIndexEntries(directory: directory)
    }

    /// One that spills a run every `runLength` ids (tests use small runs to cover the merge).
    init(directory: String, runLength: Int) {
        entries = PackIndexEntries(directory: directory, runLength: runLength)
    }

    /// Adds the next item; it is number `count` before the call.
    public mutating func add(_ id: ObjectID) throws {
        precondition(!finished, "add after finish")
        try entries.append(id: id, offset: UInt64(count), crc: 0)
        count += 1
    }

    /// Finds the repeats. Call once, after the last `add`.
    public mutating func finish() throws {
        precondition(!finished, "finish twice")
        finished = true
        repeats = [UInt64](repeating: 0, count: (count + 63) / 64)
        var current: ObjectID?
        var first = UInt64.max
        // Equal ids come out of the merge together, in no particular order of their numbers:
        // the smallest number of each group is its first occurrence; every other is a repeat.
        var group: [UInt64] = []
        func close() {
            guard !group.isEmpty else { return }
            distinct += 1
            for n in group where n != first { repeats[Int(n >> 6)] |= 1 << (n & 63) }
            group.removeAll(keepingCapacity: true)
            first = .max
        }
        try entries.forEachSorted { entry in
            let id = entry.id
            if id != current { close(); current = id }
            group.append(entry.offset)
            first = min(first, entry.offset)
        }
        close()
        entries.discard()
    }

    /// Closes the spilled runs (their files are already unlinked); `finish` does it itself.
    public mutating func discard() {
        entries.discard()
    }

    /// True when item `n` is the first of its id (after `finish`).
    public func isFirst(_ n: Int) -> Bool {
        precondition(finished, "isFirst before finish")
        return repeats[n >> 6] & (1 << UInt64(n & 63)) == 0
    }
}
