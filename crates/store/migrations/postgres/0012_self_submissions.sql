-- 提交自评 (issue 13): a unit's self-assessment submitted by its reporter, after which its 自评分 and
-- 佐证材料 are locked until an assessor (or the admin) 退回 it with a reason. One row per unit, its
-- present state; the history of submissions and returns is in the audit log.
CREATE TABLE self_submissions (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    unit_code     TEXT COLLATE "C" NOT NULL,
    status        TEXT COLLATE "C" NOT NULL CHECK (status IN ('submitted', 'returned')),
    submitted_by  TEXT COLLATE "C" NOT NULL,
    submitted_at  TEXT COLLATE "C" NOT NULL,
    returned_by   TEXT COLLATE "C",
    returned_at   TEXT COLLATE "C",
    return_reason TEXT COLLATE "C",
    PRIMARY KEY (assessment_id, unit_code)
);
