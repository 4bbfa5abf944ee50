-- longtail workspace, schema 2: scores.
-- One row per scored name (name_scores, id = names.id) or registered
-- domain (domain_scores, id = domains.id); a subject without a row has no
-- score (known-good, or never scored). why holds the contributions as
-- JSON: [{"signal","points","why"}...], points summing to score, so the
-- list can explain a rank without recomputing it; a contribution too weak
-- to be put in words (a score below 20) has no "why".
--
-- A scoring run rewrites every row. Keyed by rowid, in id order, each
-- insert appends to the last page: a WITHOUT ROWID table keyed (subject,
-- id) seeks from the root for every row, and an index on score cost 40%
-- more again (measured at 20M events, 560k rows: 2 s and more) while the
-- ranked queries, which break ties on the names' counts, were no faster
-- with it.
CREATE TABLE name_scores (
  id    INTEGER PRIMARY KEY,
  score REAL NOT NULL,
  why   TEXT NOT NULL
);
CREATE TABLE domain_scores (
  id    INTEGER PRIMARY KEY,
  score REAL NOT NULL,
  why   TEXT NOT NULL
);
