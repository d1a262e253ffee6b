-- Issue 13 parts 2 and 3: evidence on objections and findings (photos on site), and objections decided
-- on purpose (采纳 with the new 最终分, 驳回 with a reason, reopened by the admin with the earlier
-- decision kept).
--
-- An evidence link belongs to a clause (自评 evidence, as before), or to an objection (公示), or to a
-- finding (考核; a photo on site). `taken_at` is the photo's own EXIF DateTimeOriginal as the camera
-- wrote it (local time, `YYYY-MM-DD HH:MM:SS`), NULL when the file has none.
ALTER TABLE evidence_links ADD COLUMN objection_id INTEGER REFERENCES objections (id);
ALTER TABLE evidence_links ADD COLUMN finding_id INTEGER;
ALTER TABLE evidence_links ADD COLUMN taken_at TEXT;

-- The 最终分 an upheld objection set, and the clause's effective score before it (restored when the
-- objection is reopened); NULL otherwise.
ALTER TABLE objections ADD COLUMN score TEXT;
ALTER TABLE objections ADD COLUMN prior_score TEXT;

-- 重新打开: each earlier decision of an objection, with who reopened it, when and why.
CREATE TABLE objection_history (
    id            INTEGER PRIMARY KEY,
    objection_id  INTEGER NOT NULL REFERENCES objections (id),
    status        TEXT NOT NULL CHECK (status IN ('upheld', 'rejected')),
    decision      TEXT NOT NULL,
    score         TEXT,
    decided_by    INTEGER NOT NULL REFERENCES users (id),
    decided_at    TEXT NOT NULL,
    reopened_by   INTEGER NOT NULL REFERENCES users (id),
    reopened_at   TEXT NOT NULL,
    reopen_reason TEXT NOT NULL
);
CREATE INDEX objection_history_objection ON objection_history (objection_id);
