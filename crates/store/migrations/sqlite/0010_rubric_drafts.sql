-- 细则草案 (issue 12): versions of an assessment's rubric saved from the editor, each with its author and
-- time. A draft is made 生效 (it replaces the assessment's rubric, in 草稿 only); effective_at then says when.
CREATE TABLE rubric_drafts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    rubric_toml   TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    author        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    effective_at  TEXT
);
CREATE INDEX rubric_drafts_assessment ON rubric_drafts (assessment_id);
