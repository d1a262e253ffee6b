-- 异议: filed by a unit during 公示 on one clause; decided by an assessor (upheld / rejected) with a reason.
CREATE TABLE objections (
    id              INTEGER PRIMARY KEY,
    assessment_id   INTEGER NOT NULL REFERENCES assessments (id),
    unit_code       TEXT NOT NULL,
    clause_id       TEXT NOT NULL,
    reason          TEXT NOT NULL,
    filed_by        INTEGER NOT NULL REFERENCES users (id),
    filed_at        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    decision        TEXT,
    decided_by      INTEGER REFERENCES users (id),
    decided_at      TEXT
);
