#!/usr/bin/env python3
"""Query a Trail store's lineage index (`index.sqlite`) with Python's sqlite3, read-only.

    python3 query_index.py STORE flips OLD_MODEL NEW_MODEL   # relabels between two models' data
    python3 query_index.py STORE annotator NAME              # the relabels one annotator made
    python3 query_index.py STORE erased                      # erased samples, and the models that trained on them

STORE is the store's folder (what `trail --store` takes, e.g. `.trail`). Tables and columns:
docs/index-schema.md. Trail keeps the index up to date itself; this script never writes to it.
"""
import argparse
import contextlib
import pathlib
import sqlite3
import sys


def plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def connect(store):
    """A read-only connection (`mode=ro`): a query here can never change the index."""
    path = pathlib.Path(store, "index.sqlite").resolve()
    if not path.exists():
        sys.exit(f"error: no index at {path} (is {store} a Trail store? `trail reindex` rebuilds the index)")
    return sqlite3.connect(path.as_uri() + "?mode=ro", uri=True)


# NEW's data commit, then its first parents back to OLD's (or to the root, if OLD's is not on the way).
FIRST_PARENTS = """
WITH RECURSIVE path(id, parent, seq) AS (
    SELECT c.id, c.parent, c.seq FROM commits c WHERE c.id = :new
    UNION ALL
    SELECT c.id, c.parent, c.seq FROM path p JOIN commits c ON c.id = p.parent WHERE p.id != :old
)
SELECT id, seq FROM path
"""


def model_commit(db, name):
    row = db.execute("SELECT commit_id FROM models WHERE name = ?", (name,)).fetchone()
    if row is None:
        sys.exit(f"error: no model named {name!r} in the index (`trail model list` shows them)")
    return row[0]


def flips(db, old, new):
    old_commit, new_commit = model_commit(db, old), model_commit(db, new)
    path = db.execute(FIRST_PARENTS, {"old": old_commit, "new": new_commit}).fetchall()
    if not path or path[-1][0] != old_commit:
        sys.exit(f"error: {old}'s data is not in the history of {new}'s; compare them with `trail diff {old} {new}`")
    seqs = [seq for _, seq in path[:-1]]  # the commits after OLD's data, up to NEW's
    rows = db.execute(f"""
        SELECT e.sample_id, e.field, e.from_label, e.to_label, e.annotator, e.guideline, substr(c.id, 1, 10)
        FROM label_events e JOIN commits c ON c.seq = e.seq
        WHERE e.seq IN ({",".join("?" * len(seqs))})
        ORDER BY e.seq, e.sample_id, e.field""", seqs).fetchall()
    print(f"{plural(len(rows), 'relabel')} from {old} to {new}:")
    for sample, field, before, after, annotator, guideline, commit in rows:
        print(f"  {sample}  {field}: {before} -> {after}  by {annotator} under {guideline}  ({commit})")


def annotator(db, name):
    rows = db.execute("""
        SELECT e.sample_id, e.from_label, e.to_label, e.guideline, datetime(e.time, 'unixepoch'), c.subject
        FROM label_events e JOIN commits c ON c.seq = e.seq
        WHERE e.annotator = ? ORDER BY e.seq, e.sample_id, e.field""", (name,)).fetchall()
    print(f"{plural(len(rows), 'relabel')} by {name}:")
    for sample, before, after, guideline, when, subject in rows:
        print(f"  {sample}  {before} -> {after}  under {guideline}  {when} UTC  \"{subject}\"")


# For each model, its data's commit and every ancestor (first parents); an erased sample was in
# the model's data when its last change up to that commit is not a removal.
ERASED_IN_MODELS = """
WITH RECURSIVE ancestry(model, id, parent, seq) AS (
    SELECT m.name, c.id, c.parent, c.seq FROM models m JOIN commits c ON c.id = m.commit_id
    UNION ALL
    SELECT a.model, c.id, c.parent, c.seq FROM ancestry a JOIN commits c ON c.id = a.parent
)
SELECT a.model FROM ancestry a JOIN changes ch ON ch.seq = a.seq AND ch.sample_id = :sample
WHERE ch.seq = (SELECT MAX(ch2.seq) FROM changes ch2 JOIN ancestry a2 ON a2.seq = ch2.seq AND a2.model = a.model
                WHERE ch2.sample_id = :sample)
  AND ch.kind != 'removed'
ORDER BY a.model
"""


def erased(db):
    rows = db.execute("""
        SELECT e.sequence, datetime(e.time, 'unixepoch'), e.erased_by, e.reason, s.sample_id,
               (SELECT COUNT(*) FROM erased_content c WHERE c.erasure = e.sequence)
        FROM erasures e JOIN erased_samples s ON s.erasure = e.sequence
        ORDER BY e.sequence, s.sample_id""").fetchall()
    print(f"{plural(len(rows), 'erased sample')}:")
    for sequence, when, by, reason, sample, blobs in rows:
        models = [m for (m,) in db.execute(ERASED_IN_MODELS, {"sample": sample})]
        print(f"  {sample}  erasure {sequence}, {when} UTC by {by}: {reason!r} ({blobs} blobs in the erasure)")
        print(f"    models that trained on it: {', '.join(models) or 'none'}")


def main():
    parser = argparse.ArgumentParser(description="Query a Trail store's lineage index.")
    parser.add_argument("store", help="the store's folder, e.g. .trail")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("flips", help="relabels between two models' data")
    p.add_argument("old")
    p.add_argument("new")
    commands.add_parser("annotator", help="the relabels one annotator made").add_argument("name")
    commands.add_parser("erased", help="erased samples and the models that trained on them")
    options = parser.parse_args()

    with contextlib.closing(connect(options.store)) as db:
        if options.command == "flips":
            flips(db, options.old, options.new)
        elif options.command == "annotator":
            annotator(db, options.name)
        else:
            erased(db)


if __name__ == "__main__":
    main()
