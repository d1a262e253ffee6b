//! 不适用 — where a clause applies (`applies_to`, see `rubric::shapes`) and what 不适用 does to a
//! unit's total. A clause scores only the units whose kind it applies to (a ranking ranks only them);
//! for a unit of another kind its cell is `Detail::NotApplicable`: never missing, never a silent 0.
//!
//! - `not_applicable = "full"` (the default): the cell scores the clause's max (its points are given),
//!   explained `不适用：本条款适用于镇、街道，本单位为园区，按满分计 2`.
//! - `not_applicable = "prorate"` (折算): the cell scores 0 and the unit's base is
//!   `round(Σ scores of the clauses that apply × B ÷ Σ max of the clauses that apply)`, B the rubric's
//!   base full mark (Σ max of the non-bonus clauses), rounded once to the rubric's precision (half
//!   away from zero); explained `不适用：本条款适用于…，本单位为园区，不计分，基础分按适用条款折算`, and
//!   the unit's note `基础分按适用条款折算：7.2 × 10 ÷ 8 = 9` (`Scored::prorate_note`).
//!   When nothing applies (Σ max = 0) the base is 0.
//!
//! Worked case: 园区 A scores 7.2 on the 8 points that apply to it, B = 10: base `7.2 × 10 ÷ 8 = 9`;
//! 园区 B scores 6.35 on them: `6.35 × 10 ÷ 8 = 7.9375`, at precision 2 `7.94`.
//!
//! **Subtotals are not 折算.** An indicator's or an item's subtotal (`Scored::indicator_score`,
//! `Scored::item_score`, the 小计 columns of every output) is the sum of its clause scores as the
//! outputs show them — a 不适用 clause adds 0 under `prorate` and its max under `full` — and the 折算
//! is said once, at the base, by its own line (`基础分按适用条款折算：7.2 × 10 ÷ 8 = 9`). So a clerk
//! adds the clause scores on the 考核反馈单 and finds each subtotal, adds the subtotals and finds the
//! `7.2` of the 折算 line, and follows that line to the base: every number is checkable by hand.
//! Scaled subtotals would each need their own rounding and would then not add up to the base, and a
//! subtotal would no longer be the sum of the scores printed beside it. Worked case (above): 园区 A's
//! 小计 are 1.2 and 6 (not 1.5 and 7.5), their sum 7.2, its base 9.

use crate::index::Index;
use crate::input::Inputs;
use crate::num::{pts, round_points};
use crate::result::{ClauseResult, Prorated, Scored, UnitResult};
use crate::rubric::shapes::NotApplicable;
use crate::rubric::{Clause, Rubric};
use rust_decimal::Decimal;

/// The kind of the unit in scored row `u`.
pub(crate) fn kind<'a>(inputs: &'a Inputs, index: &Index, u: u32) -> &'a str {
    &inputs.units[index.units[u as usize] as usize].kind
}

/// The rows a clause applies to, and the rows it does not.
pub(crate) fn split(inputs: &Inputs, index: &Index, clause: &Clause) -> (Vec<u32>, Vec<u32>) {
    (0..index.units.len() as u32).partition(|&u| clause.applies(kind(inputs, index, u)))
}

/// The score of a clause that does not apply: its max (`full`) or 0 (`prorate`).
pub(crate) fn score(rubric: &Rubric, clause: &Clause) -> Decimal {
    match rubric.shapes.not_applicable {
        NotApplicable::Full => clause.max,
        NotApplicable::Prorate => Decimal::ZERO,
    }
}

/// The base of a unit, 折算 when the rubric says so and some clause does not apply; `raw` is Σ
/// clause scores (bonus excluded), already at the rubric's scale.
pub(crate) fn base(
    rubric: &Rubric,
    row: &[ClauseResult],
    raw: Decimal,
) -> (Decimal, Option<Prorated>) {
    if rubric.shapes.not_applicable != NotApplicable::Prorate
        || !row.iter().any(ClauseResult::is_not_applicable)
    {
        return (raw, None);
    }
    let mut full = Decimal::ZERO;
    let mut applicable_max = Decimal::ZERO;
    for (c, r) in rubric.clauses.iter().zip(row) {
        if c.is_bonus() || c.is_penalty() {
            continue;
        }
        full += c.max;
        if !r.is_not_applicable() {
            applicable_max += c.max;
        }
    }
    let scaled = if applicable_max.is_zero() {
        Decimal::ZERO
    } else {
        round_points(raw * full / applicable_max, rubric.precision)
    };
    (
        scaled,
        Some(Prorated {
            raw,
            applicable_max,
        }),
    )
}

/// `不适用：本条款适用于镇、街道，本单位为园区，按满分计 2` (or `…，不计分，基础分按适用条款折算`).
pub(crate) fn explain(s: &Scored, u: &UnitResult, clause: &Clause, score: Decimal) -> String {
    let to = clause
        .applies_to
        .as_ref()
        .map(|k| k.join("、"))
        .unwrap_or_default();
    let head = format!("不适用：本条款适用于{to}，本单位为{}", s.unit(u).kind);
    match s.rubric.shapes.not_applicable {
        NotApplicable::Full => format!("{head}，按满分计 {}", pts(score)),
        NotApplicable::Prorate => format!("{head}，不计分，基础分按适用条款折算"),
    }
}

#[cfg(test)]
mod tests {
    use crate::input::*;
    use crate::rubric::load;
    use crate::testkit::d;

    fn rubric(policy: &str) -> crate::Rubric {
        let text = format!(
            r#"
id = "t"
title = "测试"
year = 2023
source = "unit test"
max_total = "10"
format = 2
not_applicable = "{policy}"
[[indicators]]
id = "1"
name = "指标"
max = "10"
[[indicators.items]]
id = "1.1"
name = "类目"
max = "10"
[[indicators.items.clauses]]
id = "1.1.1"
title = "大厅"
text = "原文"
max = "8"
method = "看现场"
rule = {{ kind = "judgement" }}
[[indicators.items.clauses]]
id = "1.1.2"
title = "村居代办"
text = "原文"
max = "2"
method = "查资料"
applies_to = ["镇"]
rule = {{ kind = "judgement" }}
"#
        );
        let (r, p) = load("t.toml", &text);
        assert!(p.is_empty(), "{p:#?}");
        r.unwrap()
    }

    fn inputs() -> Inputs {
        let judgement = |clause: &str, score: &str| JudgementEntry {
            unit: "P".into(),
            clause: clause.into(),
            score: d(score),
            reason: "缺项".into(),
            assessor: None,
            origin: None,
        };
        Inputs {
            units: vec![Unit {
                code: "P".into(),
                name: "园区".into(),
                kind: "园区".into(),
                origin: None,
            }],
            judgements: vec![judgement("1.1.1", "7.2")],
            ..Default::default()
        }
    }

    #[test]
    fn full_gives_the_clause_points_and_prorate_scales_the_base() {
        let (r, i) = (rubric("full"), inputs());
        let s = crate::score(&r, &i);
        let u = &s.units[0];
        assert!(s.complete && u.complete);
        assert_eq!((s.clauses(u)[1].score, u.total), (d("2"), d("9.2")));
        assert_eq!(
            s.explain(u, 1),
            "不适用：本条款适用于镇，本单位为园区，按满分计 2"
        );
        assert_eq!(s.clauses(u)[1].status(), "not_applicable");

        let r = rubric("prorate");
        let s = crate::score(&r, &i);
        let u = &s.units[0];
        assert_eq!((s.clauses(u)[1].score, u.total), (d("0"), d("9")));
        assert_eq!(
            s.prorate_note(u).unwrap(),
            "基础分按适用条款折算：7.2 × 10 ÷ 8 = 9"
        );
    }

    #[test]
    fn subtotals_are_the_clause_scores_and_the_prorate_is_the_bases_alone() {
        let i = inputs();
        let r = rubric("prorate");
        let s = crate::score(&r, &i);
        let u = &s.units[0];
        // Not 折算: 7.2 + 0, not 7.2 × 10 ÷ 8 = 9.
        assert_eq!(s.indicator_score(u, 0), d("7.2"));
        assert_eq!(s.item_score(u, 0, 0), d("7.2"));
        assert_eq!(u.prorated.unwrap().raw, s.indicator_score(u, 0));
        assert_eq!(u.base, d("9"));
        // Under `full` the 不适用 clause's points are in the subtotal, as in its cell.
        let r = rubric("full");
        let s = crate::score(&r, &i);
        let u = &s.units[0];
        assert_eq!(s.indicator_score(u, 0), d("9.2"));
        assert_eq!(s.item_score(u, 0, 0), u.base);
    }
}
