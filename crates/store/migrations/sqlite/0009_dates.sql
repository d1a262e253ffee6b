-- 考核期与日期 (issue 12): each assessment's own 考核期 (the period its platform imports default to),
-- its 自评 deadline (the last day, until 24:00 Beijing time), its 公示 period in working days, and —
-- recorded when it moves to 公示 — the moment of publication and the last day of the 公示 window
-- (the N-th working day after the day of publication, until 24:00 Beijing time; an extension moves
-- it later). Dates are ISO text (YYYY-MM-DD); NULL where an assessment made before them has none.
ALTER TABLE assessments ADD COLUMN period_start TEXT;
ALTER TABLE assessments ADD COLUMN period_end TEXT;
ALTER TABLE assessments ADD COLUMN self_deadline TEXT;
ALTER TABLE assessments ADD COLUMN publication_days INTEGER;
ALTER TABLE assessments ADD COLUMN published_at TEXT;
ALTER TABLE assessments ADD COLUMN publication_closes TEXT;
