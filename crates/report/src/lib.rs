//! kaohe-report — what a scored run looks like to people and to other tools: the JSON of DATA.md §3
//! ([`json`]), an aligned Chinese table for the terminal ([`table`]) and the XLSX workbook the office
//! files ([`xlsx`]: 汇总表, 扣分明细, 原始数据) and a unit's 考核反馈单 as PDF ([`pdf`]). Formats only; scoring happens in kaohe-core.

/// 考核反馈单: one unit's result, for the web page and the PDF.
pub mod feedback;
/// JSON output (decimals as strings).
pub mod json;
/// 考核反馈单 as PDF (A4, embedded font), without a browser.
pub mod pdf;
/// 单位与账号名册: the template and the export of an assessment's units and accounts.
pub mod roster;
/// 细则表: the rubric as a workbook a clerk edits (`kaohe rubric export`).
pub mod rubric_sheet;
/// Aligned Chinese text table.
pub mod table;
/// 方案对比 (what-if): JSON, text and the web page's model.
pub mod whatif;
/// XLSX workbook.
pub mod xlsx;

use rust_decimal::Decimal;

/// A score as the result shows it: fixed to the rubric's precision (`0.0460`).
pub fn fixed(v: Decimal, dp: u32) -> String {
    let mut v = v;
    v.rescale(dp);
    v.to_string()
}

/// A max as the rubric writes it (`0.05`, `1.5`).
pub fn plain(v: Decimal) -> String {
    v.normalize().to_string()
}

/// Words every output uses for the rubric-level shapes (issue 11), so that the table, the JSON, the
/// workbook, the 考核反馈单 and the pages say the same thing. A rubric without these shapes
/// (rudong-2021) gets none of them, and its outputs stay as they were.
pub mod shapes {
    use kaohe_core::Rubric;
    use kaohe_core::result::{Scored, UnitResult};
    use rust_decimal::Decimal;

    /// What a unit with bands gets instead of a grade while its data is incomplete.
    pub const GRADE_WITHHELD: &str = "暂不定档（数据不全）";

    /// Whether the rubric has 扣分项 (penalty clauses): then outputs show 扣分项 apart from 加分.
    pub fn has_penalty(r: &Rubric) -> bool {
        r.clauses.iter().any(|c| c.is_penalty())
    }

    /// Whether outputs print the total's own line ([`Scored::explain_total`]): the rubric has
    /// 扣分项 or a cap on the total, so that base and bonus alone no longer make the total.
    pub fn explains_total(r: &Rubric) -> bool {
        has_penalty(r) || r.total_cap.is_some()
    }

    /// Whether a unit's total needs its own line: 扣分项 were subtracted or the cap cut it (else
    /// base and bonus, shown beside it, make the total).
    pub fn total_needs_line(u: &UnitResult) -> bool {
        !u.penalty.is_zero() || u.base + u.bonus - u.penalty != u.total
    }

    /// Whether the rubric grades units (bands or a veto grade).
    pub fn grades(r: &Rubric) -> bool {
        !r.grades.is_empty() || r.shapes.veto_grade.is_some()
    }

    /// A unit's place as shown beside its name: `镇、街道组 第3名`, `第3名`, or 未完成.
    pub fn place(s: &Scored, u: &UnitResult) -> String {
        match (u.ranked, s.group(u)) {
            (false, _) => s.rank_text(u),
            (true, Some(g)) => format!("{g}组 第{}名", u.rank),
            (true, None) => format!("第{}名", u.rank),
        }
    }

    /// The rank cell of a league table: the number, `镇、街道组 第3名` when the rubric ranks
    /// within groups, 未完成 for a unit it does not rank.
    pub fn rank_cell(s: &Scored, u: &UnitResult) -> String {
        if u.ranked && s.group(u).is_none() {
            u.rank.to_string()
        } else {
            place(s, u)
        }
    }

    /// The grade cell: the grade (未达等级, the veto's grade), or why there is none; `None` for a
    /// rubric without grades.
    pub fn grade_cell(s: &Scored, u: &UnitResult) -> Option<String> {
        if !grades(s.rubric) {
            return None;
        }
        Some(match s.grade(u) {
            Some(g) => g.to_string(),
            None if !u.complete && !s.rubric.grades.is_empty() => GRADE_WITHHELD.to_string(),
            None => "—".to_string(),
        })
    }

    /// 扣分项 as shown: `−1.00` (what the penalty clauses subtract), `0.00` when nothing.
    pub fn minus(v: Decimal, dp: u32) -> String {
        if v.is_zero() {
            crate::fixed(v, dp)
        } else {
            format!("−{}", crate::fixed(v.abs(), dp))
        }
    }

    /// The ids of the clauses that do not apply to the unit (不适用).
    pub fn not_applicable(s: &Scored, u: &UnitResult) -> Vec<String> {
        s.rubric
            .clauses
            .iter()
            .zip(s.clauses(u))
            .filter(|(_, r)| r.is_not_applicable())
            .map(|(c, _)| c.id.to_string())
            .collect()
    }
}
