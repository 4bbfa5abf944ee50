-- longtail workspace, schema 7: what the review screen's undo can take
-- back (marks, cleared marks, list imports), kept in the workspace so that
-- undo survives a restart. Each step holds the rules a write stored, the
-- ones they replaced and the ones it deleted (gob-encoded: a rule's
-- pattern may hold any bytes, which JSON would not keep). A popularity
-- list is not a step: its ranks replace, name by name, those of the lists
-- before it, which a step would have to hold whole to put back.
CREATE TABLE undo_steps (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,  -- unix µs
  what     TEXT NOT NULL,     -- "the mark of x.example", for the status line
  rules    BLOB NOT NULL      -- gob: stored, replaced, deleted
);
