#!/usr/bin/env python3
"""The doltlite peer of bench/scale.sh: the same manifests loaded into doltlite
(Dolt's versioning inside SQLite, PyPI `doltlite`), one table row per sample.

    doltlite_bench.py load DB FILE MESSAGE   # replace the table's rows by FILE's, then dolt_commit
    doltlite_bench.py diff DB                # HEAD~1 -> HEAD: counts by change type and label pair

Each sample is a row keyed by its id; the columns are the first row's keys (values as SQLite
stores JSON scalars: text, integer, real), and any other key goes into an `extra` JSON column.
A load of a later version deletes every row and inserts the new manifest's, which is what a
full-manifest commit is (Dolt's prolly trees then share the unchanged chunks). Must run with
the venv's python where `doltlite` is installed; prints one summary line.
"""
import doltlite  # noqa: F401  (must come before sqlite3: it makes libdoltlite the engine)
import json
import sqlite3
import sys


def scalar(v):
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"), sort_keys=True)
    if isinstance(v, bool):
        return int(v)
    return v


def load(db, path, message):
    conn = sqlite3.connect(db)
    with open(path, "rb") as f:
        first = json.loads(f.readline())
    columns = list(first.keys())
    known = set(columns)
    exists = conn.execute("SELECT count(*) FROM sqlite_master WHERE name='samples'").fetchone()[0]
    if not exists:
        cols = ", ".join(f'"{c}"' + (" TEXT PRIMARY KEY" if c == "id" else "") for c in columns)
        conn.execute(f"CREATE TABLE samples({cols}, extra TEXT)")
        conn.commit()
    else:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(samples)") if r[1] != "extra"]
        known = set(columns)
    conn.execute("DELETE FROM samples")
    placeholders = ", ".join("?" for _ in range(len(columns) + 1))
    sql = f"INSERT INTO samples({', '.join(chr(34) + c + chr(34) for c in columns)}, extra) VALUES ({placeholders})"

    def rows():
        with open(path, "rb") as f:
            for line in f:
                if not line.strip():
                    continue
                row = json.loads(line)
                extra = {k: v for k, v in row.items() if k not in known}
                yield [scalar(row.get(c)) for c in columns] + [json.dumps(extra, sort_keys=True) if extra else None]

    conn.executemany(sql, rows())
    conn.commit()
    commit = conn.execute("SELECT dolt_commit('-A', '-m', ?)", (message,)).fetchone()[0]
    n = conn.execute("SELECT count(*) FROM samples").fetchone()[0]
    print(f"doltlite: {n} rows, commit {commit}")


def diff(db):
    conn = sqlite3.connect(db)
    log = [r[0] for r in conn.execute("SELECT commit_hash FROM dolt_log")]
    to_c, from_c = log[0], log[1]
    rows = conn.execute(
        "SELECT diff_type, from_label, to_label, count(*) FROM dolt_diff_samples "
        "WHERE to_commit = ? AND from_commit = ? GROUP BY 1, 2, 3", (to_c, from_c)).fetchall()
    counts = {}
    flips = 0
    for kind, a, b, n in rows:
        counts[kind] = counts.get(kind, 0) + n
        if kind == "modified" and a != b:
            flips += n
    print(f"doltlite diff: {counts}, label changes {flips}")


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "load":
        load(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == "diff":
        diff(sys.argv[2])
    else:
        sys.exit(__doc__)
