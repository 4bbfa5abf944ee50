-- longtail workspace, schema 2: scores.
-- One row per scored name (subject 1) or registered domain (subject 2);
-- a subject without a row has no score (known-good, or never scored).
-- why holds the contributions as JSON: [{"signal","points","why"}...],
-- points summing to score, so the list can explain a rank without
-- recomputing it.
CREATE TABLE scores (
  subject INTEGER NOT NULL CHECK (subject IN (1, 2)),
  id      INTEGER NOT NULL,
  score   REAL NOT NULL,
  why     TEXT NOT NULL,
  PRIMARY KEY (subject, id)
) WITHOUT ROWID;
CREATE INDEX scores_rank ON scores(subject, score DESC);
