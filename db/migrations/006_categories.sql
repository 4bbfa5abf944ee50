-- longtail workspace, schema 6: categories of names (adult, gambling,
-- malware...) from open lists the analyst imports (longtail import-list:
-- the UT1 blacklists, or a plain/hosts/adblock list with --category).
-- They are context shown beside a name, like popularity ranks, never a
-- verdict. A source is one import, named by its origin (the file's or
-- folder's base name): importing the same origin again replaces it.
CREATE TABLE cat_sources (
  id       INTEGER PRIMARY KEY,
  origin   TEXT NOT NULL UNIQUE,
  format   TEXT NOT NULL,
  dated    TEXT NOT NULL DEFAULT '',  -- the data's own date, when it says one
  imported INTEGER NOT NULL,          -- unix µs
  names    INTEGER NOT NULL DEFAULT 0,
  skipped  INTEGER NOT NULL DEFAULT 0
);

-- A category's id is small (1..255): a name's categories are a blob of
-- one byte per id.
CREATE TABLE categories (
  id   INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 255),
  name TEXT NOT NULL UNIQUE
);

-- How many names each source gives each category.
CREATE TABLE cat_counts (
  source   INTEGER NOT NULL,
  category INTEGER NOT NULL,
  names    INTEGER NOT NULL,
  PRIMARY KEY (source, category)
) WITHOUT ROWID;

-- Each listed name once per source, with its categories (one byte per
-- category id). A name also takes the categories of its parent domains:
-- that is looked up at query time, per distinct name.
CREATE TABLE cat_names (
  name   TEXT NOT NULL,
  source INTEGER NOT NULL,
  cats   BLOB NOT NULL,
  PRIMARY KEY (name, source)
) WITHOUT ROWID;
