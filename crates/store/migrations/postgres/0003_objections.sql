-- 异议: filed by a unit during 公示 on one clause; decided by an assessor (upheld / rejected) with a reason.
CREATE TABLE objections (
    id              BIGSERIAL PRIMARY KEY,
    assessment_id   BIGINT NOT NULL REFERENCES assessments (id),
    unit_code       TEXT COLLATE "C" NOT NULL,
    clause_id       TEXT COLLATE "C" NOT NULL,
    reason          TEXT COLLATE "C" NOT NULL,
    filed_by        BIGINT NOT NULL REFERENCES users (id),
    filed_at        TEXT COLLATE "C" NOT NULL,
    status          TEXT COLLATE "C" NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    decision        TEXT COLLATE "C",
    decided_by      BIGINT REFERENCES users (id),
    decided_at      TEXT COLLATE "C"
);
