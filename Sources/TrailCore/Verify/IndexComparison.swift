import Foundation
import Git
import GitFormat
import SQLite

/// Compares the lineage index with one rebuilt from the git objects alone, table by table,
/// commits named by id (their `seq` numbers depend on the order they were indexed in).
enum IndexComparison {
    /// Each table as rows that mean the same in any index of the same history.
    private static let tables: [(name: String, sql: (String) -> String)] = [
        ("commits", { "SELECT id, parent, author, email, time, subject, samples FROM \($0).commits" }),
        ("changes", { """
            SELECT m.id, c.sample_id, c.kind, c.record_before, c.record_after, c.labels_before, c.labels_after, c.annotator, c.guideline
            FROM \($0).changes c JOIN \($0).commits m ON m.seq = c.seq
            """ }),
        ("label_events", { """
            SELECT m.id, e.sample_id, e.field, e.from_label, e.to_label, e.annotator, e.guideline, e.time
            FROM \($0).label_events e JOIN \($0).commits m ON m.seq = e.seq
            """ }),
        ("judgments", { """
            SELECT m.id, j.sample_id, j.position, j.annotator, j.field, j.label, j.guideline, j.at
            FROM \($0).judgments j JOIN \($0).commits m ON m.seq = j.seq
            """ }),
        ("models", { "SELECT name, commit_id, tag, registered_by, registered_at, meta FROM \($0).models" }),
        ("erasures", { "SELECT sequence, erased_by, time, reason FROM \($0).erasures" }),
        ("erased_samples", { "SELECT erasure, sample_id FROM \($0).erased_samples" }),
        ("erased_content", { "SELECT erasure, blob FROM \($0).erased_content" }),
    ]

    /// The number of rows compared, and a message for each difference (at most a few per table).
    /// The caller holds the store's lock (shared is enough: nothing here writes to the store).
    static func run(store: Store) throws -> (rows: Int, differences: [String]) {
        let base = NSTemporaryDirectory() + "trail-verify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let live = base + "-live.sqlite", fresh = base + ".sqlite"
        let fm = FileManager.default
        defer {
            for file in [live, fresh] {
                for suffix in ["", "-journal", "-wal", "-shm"] { try? fm.removeItem(atPath: file + suffix) }
            }
        }
        // The store's index is compared through a copy that takes in whatever git has that it
        // lacks, as every command would: verify writes nothing to the store, so it runs on a
        // read-only one. No writer runs while the lock is held; the WAL is copied before the
        // database, so a checkpoint by a reader closing meanwhile only moves pages the copied
        // WAL still holds.
        if fm.fileExists(atPath: store.indexPath + "-wal") { try fm.copyItem(atPath: store.indexPath + "-wal", toPath: live + "-wal") }
        if fm.fileExists(atPath: store.indexPath) { try fm.copyItem(atPath: store.indexPath, toPath: live) } else { try? fm.removeItem(atPath: live + "-wal") }
        for file in [live, live + "-wal"] { chmod(file, 0o600) }  // the copies of a read-only store's files are read-only too
        try LineageUpdater(store: store).catchUpCopy(at: live)
        try LineageUpdater(store: store).buildCopy(at: fresh)
        let index = try LineageIndex(path: live)
        // EXCEPT over ten million rows builds a temporary table of one side: in a file, with a
        // small cache, not in memory (3 GB at ten million samples).
        try index.db.execute("PRAGMA temp_store=FILE")
        try index.db.execute("PRAGMA cache_size=-65536")
        try index.db.run("ATTACH DATABASE ? AS fresh", [.text(fresh)])
        defer { try? index.db.execute("DETACH DATABASE fresh") }
        var rows = 0
        var differences: [String] = []
        for (name, sql) in tables {
            // A digest of each side first (one scan each): the rows as a multiset, in any order.
            // Only tables whose digests differ are compared row by row, which sorts both sides.
            let liveDigest = try digest(index, sql("main")), freshDigest = try digest(index, sql("fresh"))
            rows += liveDigest.count
            if liveDigest == freshDigest { continue }
            let live = liveDigest.count, rebuilt = freshDigest.count
            let extra = try index.rows("\(sql("main")) EXCEPT \(sql("fresh")) LIMIT 5")
            let lacking = try index.rows("\(sql("fresh")) EXCEPT \(sql("main")) LIMIT 5")
            for row in extra { differences.append("\(name): the index has a row that git does not give: \(describe(row)); run `trail reindex` to rebuild it") }
            for row in lacking { differences.append("\(name): the index lacks a row that git gives: \(describe(row)); run `trail reindex` to rebuild it") }
            if extra.isEmpty && lacking.isEmpty && live != rebuilt {
                differences.append("\(name): the index has \(live) rows where git gives \(rebuilt) (duplicated rows); run `trail reindex` to rebuild it")
            }
        }
        return (rows, differences)
    }

    /// The rows of `sql` as an order-free digest: their count and two sums of 64-bit row hashes
    /// (differently salted), equal for the same rows in any order.
    private struct Digest: Equatable {
        var count = 0
        var sums: (UInt64, UInt64) = (0, 0)
        static func == (l: Digest, r: Digest) -> Bool { l.count == r.count && l.sums == r.sums }
    }

    private static func digest(_ index: LineageIndex, _ sql: String) throws -> Digest {
        let statement = try index.db.prepare(sql)
        var digest = Digest()
        while try statement.step() {
            var first = Hasher(), second = Hasher()
            second.combine(0x5eed as UInt16)
            statement.hashRow(into: &first)
            statement.hashRow(into: &second)
            digest.count += 1
            digest.sums.0 &+= UInt64(bitPattern: Int64(first.finalize()))
            digest.sums.1 &+= UInt64(bitPattern: Int64(second.finalize()))
        }
        return digest
    }

    private static func describe(_ row: [SQLValue]) -> String {
        "(" + row.map { value -> String in
            switch value {
            case .null: return "NULL"
            case .integer(let n): return String(n)
            case .real(let d): return String(d)
            case .text(let s): return "'\(s)'"
            case .blob(let b): return "x'\(b.map { String(format: "%02x", $0) }.joined())'"
            }
        }.joined(separator: ", ") + ")"
    }
}
