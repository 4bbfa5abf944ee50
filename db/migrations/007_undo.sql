-- longtail workspace, schema 7: what the review screen's undo can take
-- back (marks, cleared marks, list imports), kept in the workspace so that
-- undo survives a restart. Each step holds the rules a write stored, the
-- ones they replaced and the ones it deleted (gob-encoded: a rule's
-- pattern may hold any bytes, which JSON would not keep), and the
-- popularity list it imported, if any.
CREATE TABLE undo_steps (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,  -- unix µs
  what     TEXT NOT NULL,     -- "the mark of x.example", for the status line
  rules    BLOB NOT NULL,     -- gob: stored, replaced, deleted
  ranks    TEXT NOT NULL DEFAULT ''
);
