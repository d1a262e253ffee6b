//! judgement — 看现场 / 查资料：an assessor awards a score in [0, max].
//!
//! Seed: e.g. 1.1.1 "镇（街道）设立的为民服务中心……有开放式办公的服务大厅且面积不小于200平方米……（0.05分）".
//! The seed gives no partial-credit formula, so the engine invents none: the score is the assessor's.
//! Formula: score = the assessor's score. Edge cases: a score outside [0, max] or below max without a
//! reason is rejected by the index (the clause then shows as missing); no score at all is `missing`,
//! never 0.
//!
//! Parameters: none (`rule = { kind = "judgement" }`); the clause's `max` bounds the score, and its
//! `checkpoints` are shown to the assessor as a checklist.
//!
//! Worked case (1.1.1, max 0.05): the assessor 王芳 awards 0.03 with the reason 大厅面积不足200平方米:
//! `考核员王芳评定 0.03，扣 0.02：大厅面积不足200平方米`.

use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, Detail, Missing};
use crate::rubric::Clause;

pub(crate) const KIND: &str = "judgement";
pub(crate) const LABEL: &str = "考核员评定";
pub(crate) const KEYS: &[&str] = &["kind"];

pub(crate) fn describe(c: &Clause) -> String {
    format!("考核员评定 0 至 {} 分，低于满分须写扣分理由", pts(c.max))
}

pub(crate) fn column(cx: &Cx, col: &mut Column) {
    for u in cx.rows() {
        match cx.judgement(u) {
            Some(j) => col.set(u, j.score, Detail::Judgement),
            None => col.missing(u, Detail::Missing(Missing::NotScored)),
        }
    }
}

pub(crate) fn explain(cx: &Cx, u: u32, r: &ClauseResult) -> String {
    let Some(j) = cx.judgement(u) else {
        return "尚未评分（考核员未录入得分）".into();
    };
    let who = j
        .assessor
        .as_deref()
        .map(|a| format!("考核员{a}"))
        .unwrap_or_else(|| "考核员".into());
    let max = cx.clause.max;
    let reason = j.reason.trim();
    if r.score >= max {
        if reason.is_empty() {
            format!("{who}评定满分 {}", pts(max))
        } else {
            format!("{who}评定满分 {}：{reason}", pts(max))
        }
    } else {
        format!(
            "{who}评定 {}，扣 {}：{reason}",
            pts(r.score),
            pts(max - r.score)
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::score;
    use crate::input::*;
    use crate::testkit::*;

    fn j(unit: &str, s: &str, reason: &str) -> JudgementEntry {
        JudgementEntry {
            unit: unit.into(),
            clause: "1.1.1".into(),
            score: d(s),
            reason: reason.into(),
            assessor: Some("王芳".into()),
            origin: None,
        }
    }

    #[test]
    fn full_partial_missing() {
        let r = rubric("0.05", r#"kind = "judgement""#);
        let inputs = Inputs {
            units: units(3),
            judgements: vec![
                j("U01", "0.05", ""),
                j("U02", "0.03", "大厅面积不足200平方米"),
            ],
            ..Default::default()
        };
        let s = score(&r, &inputs);
        let t = table(&s);
        assert_eq!(t[0].1, "0.0500");
        assert_eq!(t[0].2, "考核员王芳评定满分 0.05");
        assert_eq!(t[1].1, "0.0300");
        assert_eq!(
            t[1].2,
            "考核员王芳评定 0.03，扣 0.02：大厅面积不足200平方米"
        );
        assert_eq!(t[2].1, "missing");
        assert!(!s.complete);
    }

    #[test]
    fn over_max_and_missing_reason_are_rejected() {
        let r = rubric("0.05", r#"kind = "judgement""#);
        let inputs = Inputs {
            units: units(2),
            judgements: vec![j("U01", "0.06", "x"), j("U02", "0.04", " ")],
            ..Default::default()
        };
        let s = score(&r, &inputs);
        let errors: Vec<_> = s.problems.iter().filter(|p| p.is_error()).collect();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].message.contains("超出"));
        assert!(errors[1].message.contains("须填写扣分理由"));
        assert_eq!(scores(&s), vec!["missing", "missing"]);
    }
}
