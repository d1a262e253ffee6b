//! penalty — 扣分项: "受到市级以上通报批评的，每次扣2分" — points subtracted from the total,
//! outside the base score, apart from 加分.
//!
//! Not in the 2021 seed; 窗口服务 rubrics list such items after the base (扣分项, 一般另起一节).
//! Like a bonus clause the clause's max is 0 (it adds nothing to the base's maximum); each finding
//! on it (a 问题记录 row with the clause's id) deducts as a per-instance finding does.
//! Formula: `penalty = min(cap, Σ d)`, d what each finding deducts; `total = base + bonus −
//! penalty` (then the rubric's `total_cap`, if any). The clause's score is shown as `−penalty`.
//! Edge cases: no findings is 0 (a penalty is never `missing`, unless `inspection = "required"`);
//! the total may go below 0 only if the penalties exceed base + bonus (the sources set no floor).
//!
//! Parameters (`rule = { kind = "penalty", … }`; the clause's `max` must be `"0"`):
//! - `per` (> 0), or `types` / `range` instead, and `word`, `inspection`: as for per_instance
//!   ([`super::counting`]).
//! - `cap` (optional, > 0): the most this clause subtracts; none: no cap.
//!
//! Worked case: `{ kind = "penalty", per = "2", word = "通报批评 {n} 次" }`, two findings:
//! `扣分项：通报批评 2 次 × 2 = 4，从总分中扣除 4`; with `cap = "3"`: `…，超过扣分项上限 3，从总分中扣除 3`.

use super::counting::Counting;
use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, Detail};
use crate::rubric::fields::RuleFields;
use crate::rubric::write::{Param, Params};
use rust_decimal::Decimal;

pub(crate) const KIND: &str = "penalty";
pub(crate) const LABEL: &str = "扣分项";
pub(crate) const KEYS: &[&str] = &["kind", "per", "cap", "types", "range", "word", "inspection"];

/// 扣分项: findings subtract points from the total, outside the base.
#[derive(Debug, Clone)]
pub struct Penalty {
    /// Points per finding (0 when by `types` or `range`).
    pub per: Decimal,
    /// The most subtracted; none: no cap.
    pub cap: Option<Decimal>,
    /// Finding types, ranges, own words, inspection records.
    pub counting: Counting,
}

impl Penalty {
    pub(crate) fn parse(r: &mut RuleFields) -> Option<Self> {
        r.zero_max("扣分项");
        let counted = Counting::parse(r, false);
        let cap = r.opt_decimal("cap");
        r.positive(cap, "cap", "扣分项上限");
        let (per, counting) = counted?;
        Some(Penalty {
            per: per.unwrap_or(Decimal::ZERO),
            cap,
            counting,
        })
    }

    /// Its parameters as a rubric writes them ([`crate::rubric::write`]).
    pub(crate) fn params(&self) -> Params {
        let mut out = self.counting.per_param(self.per);
        if let Some(c) = self.cap {
            out.push(("cap", Param::Text(c.to_string())));
        }
        self.counting.params(&mut out);
        out
    }

    pub(crate) fn describe(&self) -> String {
        let cap = match self.cap {
            Some(c) => format!("，最多扣 {}", pts(c)),
            None => String::new(),
        };
        format!(
            "扣分项，从总分中扣除，不计入基础分：{}{cap}",
            self.counting.describe(self.per)
        )
    }

    pub(crate) fn column(&self, cx: &Cx, col: &mut Column) {
        for u in cx.rows() {
            match self.counting.count(cx, u, None, self.per) {
                Ok((n, _, d)) => {
                    let taken = self.cap.map_or(d, |c| d.min(c));
                    col.info.ranked += 1;
                    // −0 would print as "-0.00": no penalty is a plain 0.
                    let shown = if taken.is_zero() {
                        Decimal::ZERO
                    } else {
                        -taken
                    };
                    col.set(
                        u,
                        shown,
                        Detail::Instances {
                            n,
                            from_findings: true,
                        },
                    );
                }
                Err(m) => {
                    col.info.missing += 1;
                    col.missing(u, Detail::Missing(m));
                }
            }
        }
    }

    pub(crate) fn explain(&self, cx: &Cx, u: u32, r: &ClauseResult) -> String {
        let Detail::Instances { n, .. } = r.detail else {
            return super::instances::missing(cx, None, r.detail);
        };
        if n == 0 {
            let (what, _) = self.counting.what(cx, u, None, 0, true, self.per);
            return format!("扣分项：{what}，不扣分");
        }
        let (what, d) = self.counting.what(cx, u, None, n, true, self.per);
        let capped = match self.cap {
            Some(c) if d > c => format!("，超过扣分项上限 {}", pts(c)),
            _ => String::new(),
        };
        format!("扣分项：{what}{capped}，从总分中扣除 {}", pts(-r.score))
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::score;
    use crate::input::*;
    use crate::testkit::*;

    #[test]
    fn penalty_is_subtracted_from_the_total_apart_from_the_base() {
        let r = rubric(
            "0",
            r#"kind = "penalty", per = "2", cap = "3", word = "通报批评 {n} 次""#,
        );
        let inputs = Inputs {
            units: units(3),
            findings: vec![
                finding("U01", "市级通报"),
                finding("U02", "市级通报"),
                finding("U02", "省级通报"),
            ],
            ..Default::default()
        };
        let s = score(&r, &inputs);
        let t = table(&s);
        assert_eq!(t[0].2, "扣分项：通报批评 1 次 × 2 = 2，从总分中扣除 2");
        assert_eq!(
            t[1].2,
            "扣分项：通报批评 2 次 × 2 = 4，超过扣分项上限 3，从总分中扣除 3"
        );
        assert_eq!(t[2].2, "扣分项：通报批评 0 次，不扣分");
        let u2 = s.units.iter().find(|u| &*s.unit(u).code == "U02").unwrap();
        assert_eq!(
            (u2.base, u2.bonus, u2.penalty, u2.total),
            (d("0"), d("0"), d("3"), d("-3"))
        );
    }
}
