-- 单位类型 are the rubric's own (issue 11): 乡, 园区, a department's 窗口 … The store checks a new
-- unit's kind against the assessment's rubric under the write lock; the table keeps only a bound on
-- the text. SQLite cannot drop a CHECK, so the table is rebuilt (no table refers to units).
CREATE TABLE units_new (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 20),
    PRIMARY KEY (assessment_id, code)
);
INSERT INTO units_new (assessment_id, code, name, kind) SELECT assessment_id, code, name, kind FROM units;
DROP TABLE units;
ALTER TABLE units_new RENAME TO units;
