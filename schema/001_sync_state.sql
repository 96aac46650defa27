-- Which commit each reference's index rows are synced to. The index is derived from git:
-- when a ref has moved past its row here (a crash, a pull), Trail catches up from git.
CREATE TABLE sync_state (
    ref        TEXT PRIMARY KEY,   -- e.g. refs/heads/main
    commit_id  TEXT NOT NULL,      -- 40-hex git commit id the index reflects for this ref
    synced_at  TEXT NOT NULL       -- UTC, ISO 8601
);
