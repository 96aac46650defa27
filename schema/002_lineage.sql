-- The lineage index: what changed for each sample in each commit. Derived from the git objects
-- (`trail reindex` rebuilds it from them alone); see docs/index-schema.md.

-- Every indexed commit. seq orders them so that parents always come before their children.
CREATE TABLE commits (
    id        TEXT PRIMARY KEY,          -- 40-hex git commit id
    seq       INTEGER NOT NULL UNIQUE,   -- indexing order: a parent's seq is lower than its children's
    parent    TEXT,                      -- first parent, the base of the diff; NULL for a root commit
    author    TEXT NOT NULL,
    email     TEXT NOT NULL,
    time      INTEGER NOT NULL,          -- author time, seconds since 1970-01-01 UTC
    subject   TEXT NOT NULL,             -- first line of the message
    samples   INTEGER NOT NULL           -- samples in the snapshot
);

-- One row per change of a sample (not per sample per commit), relative to the commit's first
-- parent. No CHECK or REFERENCES clauses: Trail alone writes these rows, and such checks
-- doubled the time to index a million-sample import.
CREATE TABLE changes (
    seq            INTEGER NOT NULL,     -- the commit (join commits.seq)
    sample_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,        -- added, removed, relabeled, content-changed or metadata-changed
    record_before  TEXT,                 -- record blob id before (NULL when added)
    record_after   TEXT,                 -- record blob id after (NULL when removed)
    labels_before  TEXT,                 -- JSON object {label field: label text}, NULL when added
    labels_after   TEXT,                 -- JSON object, NULL when removed
    annotator      TEXT,                 -- of the new version (of the old one for a removal)
    guideline      TEXT
);
CREATE INDEX changes_by_sample ON changes(sample_id, seq);
CREATE INDEX changes_by_annotator ON changes(annotator);

-- One row per label field that a relabel changed: from → to, by whom, under which guideline.
CREATE TABLE label_events (
    seq         INTEGER NOT NULL,        -- the commit (join commits.seq)
    sample_id   TEXT NOT NULL,
    field       TEXT NOT NULL,
    from_label  TEXT NOT NULL,
    to_label    TEXT NOT NULL,
    annotator   TEXT,
    guideline   TEXT,
    time        INTEGER NOT NULL
);
CREATE INDEX label_events_by_sample ON label_events(sample_id, seq);
CREATE INDEX label_events_by_annotator ON label_events(annotator);
CREATE INDEX label_events_by_labels ON label_events(from_label, to_label);

-- Registered models (refs/models/*), refreshed whenever the index catches up.
CREATE TABLE models (
    name           TEXT PRIMARY KEY,
    commit_id      TEXT NOT NULL,        -- the dataset commit it trained on
    tag            TEXT NOT NULL,        -- the annotated tag recording the registration
    registered_by  TEXT,
    registered_at  TEXT,
    meta           TEXT NOT NULL         -- JSON object of --meta key=value pairs
);
