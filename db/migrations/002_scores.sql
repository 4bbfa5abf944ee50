-- longtail workspace, schema 2: scores.
-- One row per scored name (subject 1) or registered domain (subject 2);
-- a subject without a row has no score (known-good, or never scored).
-- why holds the contributions as JSON: [{"signal","points","why"}...],
-- points summing to score, so the list can explain a rank without
-- recomputing it; a contribution too weak to be put in words (a score
-- below 20) has no "why".
CREATE TABLE scores (
  subject INTEGER NOT NULL CHECK (subject IN (1, 2)),
  id      INTEGER NOT NULL,
  score   REAL NOT NULL,
  why     TEXT NOT NULL,
  PRIMARY KEY (subject, id)
) WITHOUT ROWID;
-- No index on score: a scoring run rewrites every row, and keeping one
-- up to date cost it 40% more (measured: 0.4-1.3 s of 2 s at 2M events)
-- while the ranked queries, which break ties on the names' counts, were
-- no faster with it.
