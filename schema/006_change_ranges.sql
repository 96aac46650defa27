-- Where each commit's rows of `changes` are: every row of a commit is written in one
-- transaction, one after another, so they hold the rowids changes_from up to (not including)
-- changes_to. A diff between a commit and a descendant reads its changes by these ranges
-- rather than comparing trees and reading records (see docs/index-schema.md). NULL for commits
-- indexed before this migration: such a diff reads git, until `trail reindex` fills them in.
ALTER TABLE commits ADD COLUMN changes_from INTEGER;
ALTER TABLE commits ADD COLUMN changes_to INTEGER;
