-- Where a read resumes when its parser held queries waiting for their
-- response as it stopped (a kill, the end of a live log's read): parsing
-- starts again at warm_line/warm_offset, and lines before held give no
-- record again (see parse.Waiter). held = -1: the read resumes at
-- lines/offset.
ALTER TABLE sources ADD COLUMN held INTEGER NOT NULL DEFAULT -1;
ALTER TABLE sources ADD COLUMN warm_line INTEGER NOT NULL DEFAULT -1;
ALTER TABLE sources ADD COLUMN warm_offset INTEGER NOT NULL DEFAULT -1;
