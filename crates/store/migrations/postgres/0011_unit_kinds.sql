-- 单位类型 are the rubric's own (issue 11): 乡, 园区, a department's 窗口 … The store checks a new
-- unit's kind against the assessment's rubric under the write lock; the table keeps only a bound on
-- the text.
ALTER TABLE units DROP CONSTRAINT IF EXISTS units_kind_check;
ALTER TABLE units ADD CONSTRAINT units_kind_length CHECK (char_length(kind) BETWEEN 1 AND 20);
