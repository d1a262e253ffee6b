//! veto — 单项否决: a finding on this clause marks the unit 不合格 whatever its points.
//!
//! Not in the 2021 seed; other rubrics use it (e.g. "发生重大安全责任事故的，实行一票否决").
//! The clause carries no points (max 0). A vetoed unit gets the rubric's `veto_grade` when it names
//! one (`veto_grade = "不合格"`), else the lowest grade band when it starts at 0, else 未达等级; it
//! ranks after every unit of its group that was not vetoed. The explanation names that grade
//! (`…，该单位评为不合格`; without bands and `veto_grade`, 不合格), and every output prints it with the
//! finding's description as the reason (`Scored::veto_reason`).
//! Edge cases: no findings means no veto (a veto is an event; its absence is the normal case).
//!
//! Parameters: none (`rule = { kind = "veto" }`); the clause's `max` must be `"0"`.
//!
//! Worked case: a finding 发生重大责任事故 on the clause: `单项否决：发生重大责任事故，该单位评为不合格`, and
//! the unit ranks last; a unit without one: `未发现否决情形`.

use crate::column::{Column, Cx};
use crate::result::{ClauseResult, Detail};
use crate::rubric::fields::RuleFields;
use rust_decimal::Decimal;

pub(crate) const KIND: &str = "veto";
pub(crate) const LABEL: &str = "单项否决";
pub(crate) const KEYS: &[&str] = &["kind"];

/// Checks the clause around a veto rule (its max is 0).
pub(crate) fn parse(r: &mut RuleFields) {
    r.zero_max("单项否决");
}

pub(crate) fn describe() -> String {
    "单项否决：发现即评为不合格，不论得分".into()
}

pub(crate) fn column(cx: &Cx, col: &mut Column) {
    for u in cx.rows() {
        col.info.ranked += 1;
        let n = cx.n_findings(u) as u32;
        col.set(u, Decimal::ZERO, Detail::Veto { n });
    }
}

/// The grade a veto gives, as its explanation names it: the rubric's `veto_grade`, else the lowest
/// band when it starts at 0, else 未达等级 when bands leave a gap, else 不合格 (no bands).
fn grade<'a>(cx: &Cx<'a>) -> &'a str {
    let r = cx.rubric;
    match (&r.shapes.veto_grade, r.grades.last()) {
        (Some(g), _) => g,
        (None, Some(low)) if low.min_ratio.is_zero() => &low.name,
        (None, Some(_)) => crate::rubric::shapes::BELOW_GRADES,
        (None, None) => "不合格",
    }
}

pub(crate) fn explain(cx: &Cx, u: u32, r: &ClauseResult) -> String {
    match r.detail {
        Detail::Veto { n } if n > 0 => {
            let what: Vec<&str> = cx.findings(u).map(|f| f.description.trim()).collect();
            format!("单项否决：{}，该单位评为{}", what.join("；"), grade(cx))
        }
        _ => "未发现否决情形".into(),
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::score;
    use crate::input::*;
    use crate::testkit::*;

    #[test]
    fn veto_marks_and_ranks_last() {
        let r = rubric("0", r#"kind = "veto""#);
        let inputs = Inputs {
            units: units(2),
            findings: vec![finding("U01", "发生重大责任事故")],
            ..Default::default()
        };
        let s = score(&r, &inputs);
        let t = table(&s);
        assert_eq!(t[0].2, "单项否决：发生重大责任事故，该单位评为不合格");
        assert_eq!(t[1].2, "未发现否决情形");
        assert_eq!(&*s.unit(&s.units[0]).code, "U02");
        assert!(s.units[1].vetoed);
        assert_eq!(s.units[1].rank, 2);
    }
}
