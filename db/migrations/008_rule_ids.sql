-- longtail workspace, schema 8: a rule's id is never given to another
-- rule. SQLite gives a new row the largest id + 1, so a rule added after
-- the newest was deleted took its id: `rules rm ID` read off an older
-- listing, an undo step holding the id of a rule deleted since, or the
-- undo that puts a deleted rule back under its id (INSERT OR REPLACE)
-- would then remove the rule that took it. AUTOINCREMENT never reuses
-- one. The table is rebuilt, its ids kept.
CREATE TABLE rules_v8 (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  kind    INTEGER NOT NULL DEFAULT 1,
  pattern TEXT NOT NULL,
  scope   TEXT NOT NULL CHECK (scope IN ('name', 'domain')),
  verdict TEXT NOT NULL CHECK (verdict IN ('good', 'suspicious', 'bad')),
  note    TEXT NOT NULL DEFAULT '',
  author  TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  origin  TEXT NOT NULL DEFAULT '',
  UNIQUE (kind, pattern, scope)
);
INSERT INTO rules_v8(id, kind, pattern, scope, verdict, note, author, created, origin)
  SELECT id, kind, pattern, scope, verdict, note, author, created, origin FROM rules;
DROP TABLE rules;
ALTER TABLE rules_v8 RENAME TO rules;
