-- 部分单位未完成考核：… — what was unfinished when the admin moved on to 公示 or 定档 anyway, with an
-- explicit override and its reason (issue 12). Printed on the published result; NULL when nothing was.
ALTER TABLE assessments ADD COLUMN incomplete_note TEXT;
