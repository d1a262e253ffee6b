-- 检查记录 (issue 11): who inspected a unit on a clause that requires an inspection record
-- (`inspection = "required"`), on which day (a civil date, YYYY-MM-DD, as the inspector states it) and
-- when it was recorded. With a record and no findings the clause is full marks; without one it is
-- missing (未检查).
CREATE TABLE inspections (
    id            BIGSERIAL PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    unit_code     TEXT COLLATE "C" NOT NULL,
    clause_id     TEXT COLLATE "C" NOT NULL,
    inspected_by  BIGINT NOT NULL REFERENCES users (id),
    inspected_on  TEXT COLLATE "C" NOT NULL,
    recorded_at   TEXT COLLATE "C" NOT NULL,
    note          TEXT COLLATE "C" NOT NULL
);
CREATE INDEX inspections_unit ON inspections (assessment_id, unit_code);
-- 问题类型, 酌情扣分 (canonical decimal text) and 扣分理由 of a finding, for clauses whose rule lists
-- finding types or a range; NULL for a plain finding.
ALTER TABLE findings ADD COLUMN finding_type TEXT COLLATE "C";
ALTER TABLE findings ADD COLUMN points TEXT COLLATE "C";
ALTER TABLE findings ADD COLUMN reason TEXT COLLATE "C";
