-- kaohe service schema, PostgreSQL edition: the same tables as migrations/sqlite, with BIGINT for every
-- integer, BIGSERIAL ids, TEXT COLLATE "C" (text compares and sorts byte by byte, as in SQLite) and the
-- append-only audit log enforced by a plpgsql trigger function. Kept to what PostgreSQL-compatible
-- databases accept (BIGSERIAL rather than identity columns, EXECUTE PROCEDURE). Points and rates are
-- canonical decimal text; times are ISO 8601 UTC text given by the service.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    login         TEXT COLLATE "C" NOT NULL UNIQUE,
    name          TEXT COLLATE "C" NOT NULL,
    role          TEXT COLLATE "C" NOT NULL CHECK (role IN ('admin', 'assessor', 'reporter', 'viewer')),
    unit_code     TEXT COLLATE "C",
    password_hash TEXT COLLATE "C" NOT NULL,
    active        BIGINT NOT NULL DEFAULT 1,
    created_at    TEXT COLLATE "C" NOT NULL,
    CHECK ((role = 'reporter') = (unit_code IS NOT NULL))
);

CREATE TABLE assessments (
    id             BIGSERIAL PRIMARY KEY,
    year           BIGINT NOT NULL,
    title          TEXT COLLATE "C" NOT NULL,
    rubric_id      TEXT COLLATE "C" NOT NULL,
    rubric_version TEXT COLLATE "C" NOT NULL,
    rubric_sha256  TEXT COLLATE "C" NOT NULL,
    rubric_toml    TEXT COLLATE "C" NOT NULL,
    stage          TEXT COLLATE "C" NOT NULL CHECK (stage IN ('draft', 'self', 'review', 'publication', 'final')),
    created_at     TEXT COLLATE "C" NOT NULL
);

CREATE TABLE units (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    code          TEXT COLLATE "C" NOT NULL,
    name          TEXT COLLATE "C" NOT NULL,
    kind          TEXT COLLATE "C" NOT NULL CHECK (kind IN ('镇', '街道', '区')),
    PRIMARY KEY (assessment_id, code)
);

CREATE TABLE assignments (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    user_id       BIGINT NOT NULL REFERENCES users (id),
    unit_code     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (assessment_id, user_id, unit_code)
);

-- Three ledgers per clause per unit: self (自评分), assessor (考核分), final (最终分).
CREATE TABLE ledger (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    unit_code     TEXT COLLATE "C" NOT NULL,
    clause_id     TEXT COLLATE "C" NOT NULL,
    ledger        TEXT COLLATE "C" NOT NULL CHECK (ledger IN ('self', 'assessor', 'final')),
    score         TEXT COLLATE "C" NOT NULL,
    reason        TEXT COLLATE "C" NOT NULL,
    version       BIGINT NOT NULL,
    updated_by    BIGINT NOT NULL REFERENCES users (id),
    updated_at    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (assessment_id, unit_code, clause_id, ledger)
);

CREATE TABLE findings (
    id              BIGSERIAL PRIMARY KEY,
    assessment_id   BIGINT NOT NULL REFERENCES assessments (id),
    unit_code       TEXT COLLATE "C" NOT NULL,
    clause_id       TEXT COLLATE "C" NOT NULL,
    description     TEXT COLLATE "C" NOT NULL,
    evidence_sha256 TEXT COLLATE "C",
    created_by      BIGINT NOT NULL REFERENCES users (id),
    created_at      TEXT COLLATE "C" NOT NULL
);

CREATE TABLE bonuses (
    id            BIGSERIAL PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    unit_code     TEXT COLLATE "C" NOT NULL,
    clause_id     TEXT COLLATE "C" NOT NULL,
    points        TEXT COLLATE "C" NOT NULL,
    reason        TEXT COLLATE "C" NOT NULL,
    created_by    BIGINT NOT NULL REFERENCES users (id),
    created_at    TEXT COLLATE "C" NOT NULL
);

CREATE TABLE metrics (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    unit_code     TEXT COLLATE "C" NOT NULL,
    metric        TEXT COLLATE "C" NOT NULL,
    value         TEXT COLLATE "C" NOT NULL,
    import_id     BIGINT,
    PRIMARY KEY (assessment_id, unit_code, metric)
);

CREATE TABLE imports (
    id            BIGSERIAL PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    kind          TEXT COLLATE "C" NOT NULL,
    file_name     TEXT COLLATE "C" NOT NULL,
    sha256        TEXT COLLATE "C" NOT NULL,
    rows          BIGINT NOT NULL,
    receipts      TEXT COLLATE "C" NOT NULL,
    created_by    BIGINT NOT NULL REFERENCES users (id),
    created_at    TEXT COLLATE "C" NOT NULL
);

-- Evidence files (佐证材料) live on disk under their sha256; this is their metadata.
CREATE TABLE evidence (
    sha256     TEXT COLLATE "C" PRIMARY KEY,
    size       BIGINT NOT NULL,
    mime       TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE evidence_links (
    id            BIGSERIAL PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    unit_code     TEXT COLLATE "C" NOT NULL,
    clause_id     TEXT COLLATE "C" NOT NULL,
    sha256        TEXT COLLATE "C" NOT NULL REFERENCES evidence (sha256),
    original_name TEXT COLLATE "C" NOT NULL,
    uploaded_by   BIGINT NOT NULL REFERENCES users (id),
    uploaded_at   TEXT COLLATE "C" NOT NULL
);

-- Sealed results: version 1 at 定档, later versions for each 更正 (with its reason).
CREATE TABLE results (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    version       BIGINT NOT NULL,
    sha256        TEXT COLLATE "C" NOT NULL,
    json          TEXT COLLATE "C" NOT NULL,
    reason        TEXT COLLATE "C" NOT NULL,
    sealed_by     BIGINT NOT NULL REFERENCES users (id),
    sealed_at     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (assessment_id, version)
);

-- 审计日志: append-only, each row chained to the previous by sha256.
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        TEXT COLLATE "C" NOT NULL,
    actor     TEXT COLLATE "C" NOT NULL,
    action    TEXT COLLATE "C" NOT NULL,
    entity    TEXT COLLATE "C" NOT NULL,
    old       TEXT COLLATE "C",
    new       TEXT COLLATE "C",
    why       TEXT COLLATE "C",
    prev_hash TEXT COLLATE "C" NOT NULL,
    hash      TEXT COLLATE "C" NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE PROCEDURE audit_log_append_only();

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE PROCEDURE audit_log_append_only();

-- TRUNCATE skips row triggers: refuse it too.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE PROCEDURE audit_log_append_only();
