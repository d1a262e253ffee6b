-- Findings created by a platform import (e.g. overdue cases as instances of 1.4.3a) name their import,
-- so that a later import of the same data replaces them.
ALTER TABLE findings ADD COLUMN import_id BIGINT REFERENCES imports (id);
ALTER TABLE metrics ADD COLUMN source TEXT COLLATE "C";
