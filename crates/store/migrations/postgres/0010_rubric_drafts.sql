-- 细则草案 (issue 12): versions of an assessment's rubric saved from the editor, each with its author and
-- time. A draft is made 生效 (it replaces the assessment's rubric, in 草稿 only); effective_at then says when.
CREATE TABLE rubric_drafts (
    id            BIGSERIAL PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    rubric_toml   TEXT COLLATE "C" NOT NULL,
    sha256        TEXT COLLATE "C" NOT NULL,
    author        TEXT COLLATE "C" NOT NULL,
    created_at    TEXT COLLATE "C" NOT NULL,
    effective_at  TEXT COLLATE "C"
);
CREATE INDEX rubric_drafts_assessment ON rubric_drafts (assessment_id);
