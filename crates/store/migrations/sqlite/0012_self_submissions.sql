-- 提交自评 (issue 13): a unit's self-assessment submitted by its reporter, after which its 自评分 and
-- 佐证材料 are locked until an assessor (or the admin) 退回 it with a reason. One row per unit, its
-- present state; the history of submissions and returns is in the audit log.
CREATE TABLE self_submissions (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    unit_code     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('submitted', 'returned')),
    submitted_by  TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    returned_by   TEXT,
    returned_at   TEXT,
    return_reason TEXT,
    PRIMARY KEY (assessment_id, unit_code)
);
