import TrailCore

/// Lines that name erased samples, grouped by erasure: `erasure 2 (2026-12-01, "GDPR request"): s1, s7`.
func erasedLines(_ erased: [ErasedSample], limit: Int = 10) -> [String] {
    var order: [Int] = []
    var byErasure: [Int: [ErasedSample]] = [:]
    for e in erased {
        if byErasure[e.sequence] == nil { order.append(e.sequence) }
        byErasure[e.sequence, default: []].append(e)
    }
    return order.map { n in
        let group = byErasure[n]!
        let ids = group.prefix(limit).map(\.id).joined(separator: ", ") + (group.count > limit ? ", ... (\(group.count) in all)" : "")
        return "erasure \(n) (\(group[0].date.prefix(10)), \"\(group[0].reason)\"): \(ids)"
    }
}
