-- Judgments (issue 17): one row per judgment per change, like label events. A change whose
-- record's judgments field differs from the version before it (an added sample with
-- judgments, or judgments added, edited or adjudicated) gets a row for every judgment of the
-- new version; a change that leaves the judgments as they were gets none. See docs/index-schema.md.
CREATE TABLE judgments (
    seq        INTEGER NOT NULL,     -- the commit (join commits.seq)
    sample_id  TEXT NOT NULL,
    position   INTEGER NOT NULL,     -- 0, 1, ...: its place in the record's judgments array
    annotator  TEXT,
    field      TEXT,                 -- the label field it gives (the first of the dataset's it has)
    label      TEXT,                 -- as text (multi-label joined with +); NULL for a missing judgment
    guideline  TEXT,
    at         TEXT                  -- when it was made, as the data gives it
);
CREATE INDEX judgments_by_sample ON judgments(sample_id, seq);

-- A cache of each commit's agreement counts (`trail audit agreement`, a diff's agreement section):
-- JSON of the signed tallies the report is computed from, for commits whose counts were asked for
-- or made at commit time. A commit's counts are its parent's moved by the records that changed, so
-- a diff or an audit reads two rows rather than a million records. Derived and disposable: a
-- rebuilt index starts without it, and a missing row is counted again from git.
CREATE TABLE agreement_tallies (
    commit_id  TEXT PRIMARY KEY,     -- 40-hex git commit id
    tallies    TEXT NOT NULL         -- JSON (AgreementCounter, layout 1)
);
