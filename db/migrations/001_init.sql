-- longtail workspace, schema 1.
-- Events are stored in blocks: one row per (name, ingest batch), the events
-- of that name in that batch sorted by time and delta-encoded (see block.go).
-- Per-event rows with an index on (name, time) cost more to build than the
-- whole rest of an ingest (measured: CREATE INDEX over 20M rows, 21-38 s).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sources (
  id          INTEGER PRIMARY KEY,
  path        TEXT NOT NULL,
  format      TEXT NOT NULL,
  fingerprint TEXT NOT NULL,          -- sha256 of the first 64 KiB as read from disk
  size        INTEGER NOT NULL,       -- file size when last read
  mtime       INTEGER NOT NULL,       -- unix µs
  lines       INTEGER NOT NULL DEFAULT 0,  -- lines or packets consumed
  offset      INTEGER NOT NULL DEFAULT 0,  -- bytes consumed (decompressed stream)
  events      INTEGER NOT NULL DEFAULT 0,
  skipped     INTEGER NOT NULL DEFAULT 0,
  first_read  INTEGER NOT NULL,       -- unix µs
  last_read   INTEGER NOT NULL,       -- unix µs
  state       TEXT NOT NULL CHECK (state IN ('loading', 'done'))
);
CREATE INDEX sources_path ON sources(path);

CREATE TABLE clients (
  id    INTEGER PRIMARY KEY,
  addr  TEXT NOT NULL UNIQUE,
  count INTEGER NOT NULL DEFAULT 0,
  names INTEGER NOT NULL DEFAULT 0,   -- distinct names asked
  first INTEGER NOT NULL DEFAULT 0,
  last  INTEGER NOT NULL DEFAULT 0
);

-- Answers are only ever looked up by id; the ingest keeps them unique.
CREATE TABLE answers (
  id   INTEGER PRIMARY KEY,
  text TEXT NOT NULL
);

-- Text lookups of domains and names use indexes that ensureIndexes (db.go)
-- creates; a first large load builds them once at its end. The ingest's
-- interner keeps the texts unique.
CREATE TABLE domains (
  id      INTEGER PRIMARY KEY,
  name    TEXT NOT NULL,
  count   INTEGER NOT NULL DEFAULT 0,
  clients INTEGER NOT NULL DEFAULT 0,
  names   INTEGER NOT NULL DEFAULT 0,  -- distinct names (subdomains and the bare name)
  first   INTEGER NOT NULL DEFAULT 0,
  last    INTEGER NOT NULL DEFAULT 0
);

-- kind: 1 dns (query name), later 2 http (host), 3 logon (account).
CREATE TABLE names (
  id      INTEGER PRIMARY KEY,
  kind    INTEGER NOT NULL,
  name    TEXT NOT NULL,
  domain  INTEGER NOT NULL REFERENCES domains(id),
  count   INTEGER NOT NULL DEFAULT 0,
  clients INTEGER NOT NULL DEFAULT 0,
  first   INTEGER NOT NULL DEFAULT 0,
  last    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE blocks (
  id     INTEGER PRIMARY KEY,
  name   INTEGER NOT NULL,
  source INTEGER NOT NULL,
  n      INTEGER NOT NULL,
  tmin   INTEGER NOT NULL,
  tmax   INTEGER NOT NULL,
  data   BLOB NOT NULL
);
-- blocks_name is created by ensureIndexes (db.go): a large first ingest
-- drops it and builds it once at the end.

CREATE TABLE name_client (
  name   INTEGER NOT NULL,
  client INTEGER NOT NULL,
  count  INTEGER NOT NULL,
  first  INTEGER NOT NULL,
  last   INTEGER NOT NULL,
  PRIMARY KEY (name, client)
) WITHOUT ROWID;
-- name_client_client (the pivot: a client's names, busiest first) is one
-- of the indexes ensureIndexes builds.

-- Traffic per minute over the whole workspace.
CREATE TABLE total_minute (
  minute INTEGER PRIMARY KEY,  -- unix seconds / 60
  n      INTEGER NOT NULL
);

-- Hourly counts of the popular subjects (count >= SeriesMin). Rarer
-- subjects are cheaper to bucket from their blocks when asked.
CREATE TABLE name_hour (
  name INTEGER NOT NULL,
  hour INTEGER NOT NULL,       -- unix seconds / 3600
  n    INTEGER NOT NULL,
  PRIMARY KEY (name, hour)
) WITHOUT ROWID;
CREATE TABLE domain_hour (
  domain INTEGER NOT NULL,
  hour   INTEGER NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (domain, hour)
) WITHOUT ROWID;
CREATE TABLE client_hour (
  client INTEGER NOT NULL,
  hour   INTEGER NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (client, hour)
) WITHOUT ROWID;

-- Verdict rules (the allowlist and its siblings).
CREATE TABLE rules (
  id      INTEGER PRIMARY KEY,
  pattern TEXT NOT NULL,
  scope   TEXT NOT NULL CHECK (scope IN ('name', 'domain')),
  verdict TEXT NOT NULL CHECK (verdict IN ('good', 'suspicious', 'bad')),
  note    TEXT NOT NULL DEFAULT '',
  author  TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,          -- unix µs
  origin  TEXT NOT NULL DEFAULT '',
  UNIQUE (pattern, scope)
);

-- Popularity ranks from imported lists (kept as ranks, not verdicts).
CREATE TABLE ranks (
  name TEXT PRIMARY KEY,
  rank INTEGER NOT NULL,
  list TEXT NOT NULL
) WITHOUT ROWID;

-- Baseline snapshots: what was known at a moment.
CREATE TABLE snapshots (
  name     TEXT PRIMARY KEY,
  created  INTEGER NOT NULL,   -- unix µs, wall clock
  max_name INTEGER NOT NULL    -- names with a larger id were unknown then
) WITHOUT ROWID;
