-- longtail workspace, schema 5: networks and owners of addresses, from
-- open IP-to-ASN tables the analyst imports (longtail import-asn).
-- A source is one imported file, named by its base name: importing a file
-- of the same name again replaces it. Its ranges are disjoint within the
-- source (a more specific prefix has already been cut out of the one
-- around it), so the range of an address is the one with the greatest
-- first address not above it: a range query on the primary key.
CREATE TABLE net_sources (
  id       INTEGER PRIMARY KEY,
  origin   TEXT NOT NULL UNIQUE,
  format   TEXT NOT NULL,
  dated    TEXT NOT NULL DEFAULT '',  -- the data's own date, when it says one
  imported INTEGER NOT NULL,          -- unix µs
  ranges   INTEGER NOT NULL DEFAULT 0,
  names    INTEGER NOT NULL DEFAULT 0,
  skipped  INTEGER NOT NULL DEFAULT 0
);

-- first and last are the addresses big-endian, 4 bytes for IPv4 and 16
-- for IPv6, so that blob order is address order within a family.
CREATE TABLE net_ranges (
  source  INTEGER NOT NULL,
  family  INTEGER NOT NULL CHECK (family IN (4, 6)),
  first   BLOB NOT NULL,
  last    BLOB NOT NULL,
  asn     INTEGER NOT NULL,
  country TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (source, family, first)
) WITHOUT ROWID;

-- The names (and registration countries) of autonomous systems.
CREATE TABLE as_names (
  asn     INTEGER NOT NULL,
  source  INTEGER NOT NULL,
  name    TEXT NOT NULL,
  country TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (asn, source)
) WITHOUT ROWID;
