-- 修订号: the audit sequence of the last change to an assessment (its stage, units, scores, findings,
-- metrics, inspections, bonuses, imports, objections, corrections). A server keeps an assessment's
-- scored result while this number stands: one indexed row read tells every server sharing the
-- database whether a change reached the assessment; sign-ins and other assessments' changes do not
-- move it.
ALTER TABLE assessments ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
