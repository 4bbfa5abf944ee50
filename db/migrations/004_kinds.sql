-- longtail workspace, schema 4: subjects of several kinds.
-- names.kind (already there, 1 for every DNS name) is the subject's code
-- (engine/subject: 1 DNS name, 2 HTTP host, 4 path, 5 user agent, 6 client,
-- 7 referer host, 8 status); a domain row is the group a subject rolls up
-- to (a registered domain, a path's section, a user agent's family), and
-- carries the same code. An HTTP request is stored once per subject it
-- has, so each subject has its own blocks, aggregates and buckets; its
-- answer id points to the request's detail (method, host, target, user
-- agent, referer) in answers. Existing rows are DNS: the defaults say so,
-- and nothing is re-ingested.
ALTER TABLE domains ADD COLUMN kind INTEGER NOT NULL DEFAULT 1;

-- A rule is for one subject: a known-good user agent is not a known-good
-- domain. The table is rebuilt for the new UNIQUE constraint.
CREATE TABLE rules_v4 (
  id      INTEGER PRIMARY KEY,
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
INSERT INTO rules_v4(id, kind, pattern, scope, verdict, note, author, created, origin)
  SELECT id, 1, pattern, scope, verdict, note, author, created, origin FROM rules;
DROP TABLE rules;
ALTER TABLE rules_v4 RENAME TO rules;

-- The text indexes (ensureIndexes) now include the kind.
DROP INDEX IF EXISTS domains_text;
