-- kaohe service schema. Points and rates are canonical decimal text (exact; SQLite has no decimal
-- type). Times are ISO 8601 UTC text given by the service (the store reads no clock). SQL kept to what
-- SQLite and PostgreSQL both accept.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'assessor', 'reporter', 'viewer')),
    unit_code     TEXT,
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    CHECK ((role = 'reporter') = (unit_code IS NOT NULL))
);

CREATE TABLE assessments (
    id             INTEGER PRIMARY KEY,
    year           INTEGER NOT NULL,
    title          TEXT NOT NULL,
    rubric_id      TEXT NOT NULL,
    rubric_version TEXT NOT NULL,
    rubric_sha256  TEXT NOT NULL,
    rubric_toml    TEXT NOT NULL,
    stage          TEXT NOT NULL CHECK (stage IN ('draft', 'self', 'review', 'publication', 'final')),
    created_at     TEXT NOT NULL
);

CREATE TABLE units (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('镇', '街道', '区')),
    PRIMARY KEY (assessment_id, code)
);

CREATE TABLE assignments (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    unit_code     TEXT NOT NULL,
    PRIMARY KEY (assessment_id, user_id, unit_code)
);

-- Three ledgers per clause per unit: self (自评分), assessor (考核分), final (最终分).
CREATE TABLE ledger (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    unit_code     TEXT NOT NULL,
    clause_id     TEXT NOT NULL,
    ledger        TEXT NOT NULL CHECK (ledger IN ('self', 'assessor', 'final')),
    score         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    version       INTEGER NOT NULL,
    updated_by    INTEGER NOT NULL REFERENCES users (id),
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (assessment_id, unit_code, clause_id, ledger)
);

CREATE TABLE findings (
    id              INTEGER PRIMARY KEY,
    assessment_id   INTEGER NOT NULL REFERENCES assessments (id),
    unit_code       TEXT NOT NULL,
    clause_id       TEXT NOT NULL,
    description     TEXT NOT NULL,
    evidence_sha256 TEXT,
    created_by      INTEGER NOT NULL REFERENCES users (id),
    created_at      TEXT NOT NULL
);

CREATE TABLE bonuses (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    unit_code     TEXT NOT NULL,
    clause_id     TEXT NOT NULL,
    points        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL
);

CREATE TABLE metrics (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    unit_code     TEXT NOT NULL,
    metric        TEXT NOT NULL,
    value         TEXT NOT NULL,
    import_id     INTEGER,
    PRIMARY KEY (assessment_id, unit_code, metric)
);

CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    kind          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    rows          INTEGER NOT NULL,
    receipts      TEXT NOT NULL,
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL
);

-- Evidence files (佐证材料) live on disk under their sha256; this is their metadata.
CREATE TABLE evidence (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    mime       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE evidence_links (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    unit_code     TEXT NOT NULL,
    clause_id     TEXT NOT NULL,
    sha256        TEXT NOT NULL REFERENCES evidence (sha256),
    original_name TEXT NOT NULL,
    uploaded_by   INTEGER NOT NULL REFERENCES users (id),
    uploaded_at   TEXT NOT NULL
);

-- Sealed results: version 1 at 定档, later versions for each 更正 (with its reason).
CREATE TABLE results (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    version       INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    json          TEXT NOT NULL,
    reason        TEXT NOT NULL,
    sealed_by     INTEGER NOT NULL REFERENCES users (id),
    sealed_at     TEXT NOT NULL,
    PRIMARY KEY (assessment_id, version)
);

-- 审计日志: append-only, each row chained to the previous by sha256.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    old       TEXT,
    new       TEXT,
    why       TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
