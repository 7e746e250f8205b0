-- Invariants at the edge (issue 11): a document over the per-document item limit keeps only its newest items; how many
-- the last full body left out is kept on the source, for its status.
ALTER TABLE sources ADD COLUMN items_left_out INTEGER NOT NULL DEFAULT 0;
