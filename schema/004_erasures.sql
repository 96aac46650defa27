-- Erasures (refs/trail/erasures): who erased which samples' content, when and why. Refreshed
-- from the erasure records whenever the index catches up; see docs/compliance.md.
CREATE TABLE erasures (
    sequence   INTEGER PRIMARY KEY,     -- 1 for the store's first erasure, then 2, 3, ...
    erased_by  TEXT NOT NULL,           -- "Name <email>"
    time       INTEGER NOT NULL,        -- seconds since 1970-01-01 UTC
    reason     TEXT NOT NULL
);
-- One row per sample an erasure covered.
CREATE TABLE erased_samples (
    erasure    INTEGER NOT NULL,        -- erasures.sequence
    sample_id  TEXT NOT NULL
);
CREATE INDEX erased_samples_by_sample ON erased_samples(sample_id);
-- One row per content or media blob an erasure removed from the object store.
CREATE TABLE erased_content (
    erasure    INTEGER NOT NULL,        -- erasures.sequence
    blob       TEXT NOT NULL            -- 40-hex git blob id (the bytes are gone)
);
