//! deduction — 逐项扣分，封顶: "每缺一项扣X分，最多扣C分" (deduction from the clause's base, capped).
//!
//! Not in the 2021 seed; other rubrics use it, so it needs no code next year.
//! Formula: `max(0, max − min(C, X × n))`; C defaults to the clause max (then it is per_instance).
//! n comes from findings rows or a count metric, as for per_instance ([`super::instances`]).
//! Edge cases: as per_instance; the cap applies to the deduction, the floor to the score.
//!
//! Parameters (`rule = { kind = "deduction", … }`):
//! - `per` (required, > 0): X, the points deducted per item, as decimal text (`"0.2"`).
//! - `cap` (optional, in [0, max]; default the clause max): C, the most that is deducted.
//! - `metric` (optional): a `count` metric that gives n when the unit has no findings rows on the
//!   clause; without it, the findings rows are the whole record (none found: n = 0).
//! - `types`, `range`, `word`, `inspection` (optional): as for per_instance ([`super::counting`]);
//!   then X × n is Σ d over the findings. With any of them, a cap the rule does not state is told
//!   as the source says it, `扣完为止`, never as `超过扣分上限`.
//!
//! The clause's `max` must be more than 0: a deduction from 0 points never deducts (a problem for
//! `kaohe rubric check`; points shared by clauses are written as an item's `budget`).
//!
//! Worked case (max 1): `{ kind = "deduction", per = "0.2", cap = "0.5" }`, three findings:
//! `发现问题 3例，扣 3 × 0.2 = 0.6，超过扣分上限 0.5，按 0.5 扣，1 − 0.5 = 0.5`.
//!
//! Worked case (own words, max 2, no cap stated): `{ kind = "deduction", per = "0.2", word =
//! "缺 {n} 项" }`, eleven findings: `缺 11 项 × 0.2 = 2.2，扣完为止，得 0`; four: `缺 4 项 × 0.2 =
//! 0.8，2 − 0.8 = 1.2`.

use super::counting::Counting;
use super::instances;
use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, Detail};
use crate::rubric::Rubric;
use crate::rubric::fields::RuleFields;
use crate::rubric::write::{Param, Params};
use rust_decimal::Decimal;

pub(crate) const KIND: &str = "deduction";
pub(crate) const LABEL: &str = "逐项扣分（封顶）";
pub(crate) const KEYS: &[&str] = &[
    "kind",
    "per",
    "cap",
    "metric",
    "types",
    "range",
    "word",
    "inspection",
];

/// 每缺一项扣X分，最多扣C分: `max(0, max − min(C, X × n))`.
#[derive(Debug, Clone)]
pub struct Deduction {
    /// X: points per item.
    pub per: Decimal,
    /// C: the most deducted.
    pub cap: Decimal,
    /// The count metric that gives n where a unit has no findings rows.
    pub metric: Option<String>,
    /// Whether the rule states `cap` (else it is the clause's max: 扣完为止).
    pub cap_stated: bool,
    /// Finding types, ranges, own words, inspection records ([`super::counting`]).
    pub counting: Counting,
}

impl Deduction {
    pub(crate) fn parse(r: &mut RuleFields) -> Option<Self> {
        let counted = Counting::parse(r, r.has("metric"));
        if r.max.is_some_and(|m| m.is_zero()) {
            r.err(
                "kind",
                "逐项扣分条款的满分为 0，永远扣不到分：请写出本条的分值；几个条款共用的分值写成类目或指标的共享扣分额度（budget）"
                    .into(),
            );
        }
        let cap_stated = r.has("cap");
        let cap = r.opt_decimal("cap").or(r.max);
        r.points_le_max(cap, "cap", "扣分上限");
        let metric = instances::count_metric(r)?;
        let (per, counting) = counted?;
        Some(Deduction {
            per: per.unwrap_or(Decimal::ZERO),
            cap: cap?,
            metric,
            cap_stated,
            counting,
        })
    }

    pub(crate) fn describe(&self, rubric: &Rubric) -> String {
        if !self.counting.is_plain() {
            let most = if self.cap_stated {
                format!("最多扣 {}", pts(self.cap))
            } else {
                "扣完为止".into()
            };
            return format!(
                "{}，{most}（{}）",
                self.counting.describe(self.per),
                self.counting.source(rubric, self.metric.as_deref())
            );
        }
        format!(
            "每项扣 {}，最多扣 {}（例数来自{}）",
            pts(self.per),
            pts(self.cap),
            instances::source(rubric, self.metric.as_deref())
        )
    }

    fn deducted(&self, n: u32) -> Decimal {
        (self.per * Decimal::from(n)).min(self.cap)
    }

    /// The deduction before the clause's cap (what a shared budget pools): Σ d, capped only by a
    /// cap the rule states.
    pub(crate) fn uncapped(&self, d: Decimal) -> Decimal {
        if self.cap_stated { d.min(self.cap) } else { d }
    }

    pub(crate) fn column(&self, cx: &Cx, col: &mut Column) {
        let max = cx.clause.max;
        let m = instances::metric_index(cx, self.metric.as_deref());
        for u in cx.rows() {
            match self.counting.count(cx, u, m, self.per) {
                Ok((n, from_findings, d)) => {
                    let raw = (max - d.min(self.cap)).max(Decimal::ZERO);
                    col.info.ranked += 1;
                    col.set(u, raw, Detail::Instances { n, from_findings });
                }
                Err(m) => {
                    col.info.missing += 1;
                    col.missing(u, Detail::Missing(m));
                }
            }
        }
    }

    pub(crate) fn explain(&self, cx: &Cx, u: u32, r: &ClauseResult) -> String {
        let (per, cap, metric) = (self.per, self.cap, self.metric.as_deref());
        let Detail::Instances { n, from_findings } = r.detail else {
            return instances::missing(cx, metric, r.detail);
        };
        if !self.counting.is_plain() {
            return self.explain_counted(cx, u, n, from_findings, r);
        }
        let what = instances::what(cx, metric, n, from_findings);
        let max = cx.clause.max;
        if n == 0 {
            return format!("{what}，不扣分，得 {}", pts(max));
        }
        let full = per * Decimal::from(n);
        let d = self.deducted(n);
        let capped = if full > cap {
            format!("，超过扣分上限 {}，按 {} 扣", pts(cap), pts(cap))
        } else {
            String::new()
        };
        let rest = max - d;
        let tail = if rest < Decimal::ZERO {
            format!("{} − {} = {}，扣完为止，得 0", pts(max), pts(d), pts(rest))
        } else {
            format!("{} − {} = {}", pts(max), pts(d), pts(r.score))
        };
        format!(
            "{what}，扣 {} × {} = {}{capped}，{tail}",
            n,
            pts(per),
            pts(full)
        )
    }

    /// Its parameters as a rubric writes them ([`crate::rubric::write`]).
    /// `cap` is written whenever the rule states it, even equal to the clause's max: a stated cap
    /// is told as 超过扣分上限 and bounds what a shared budget pools, an unstated one is 扣完为止.
    pub(crate) fn params(&self) -> Params {
        let mut out = self.counting.per_param(self.per);
        if self.cap_stated {
            out.push(("cap", Param::Text(self.cap.to_string())));
        }
        if let Some(m) = &self.metric {
            out.push(("metric", Param::Text(m.clone())));
        }
        self.counting.params(&mut out);
        out
    }
}

impl Deduction {
    /// The explanation of a rule with types, ranges, own words or inspection records.
    fn explain_counted(&self, cx: &Cx, u: u32, n: u32, from: bool, r: &ClauseResult) -> String {
        let metric = self.metric.as_deref();
        let (what, d) = self.counting.what(cx, u, metric, n, from, self.per);
        let max = cx.clause.max;
        if n == 0 {
            return format!("{what}，不扣分，得 {}", pts(max));
        }
        if d > self.cap && !self.cap_stated {
            return format!("{what}，扣完为止，得 {}", pts(r.score));
        }
        let capped = if d > self.cap {
            format!("，超过扣分上限 {}，按 {} 扣", pts(self.cap), pts(self.cap))
        } else {
            String::new()
        };
        let taken = d.min(self.cap);
        format!(
            "{what}{capped}，{} − {} = {}",
            pts(max),
            pts(taken),
            pts(r.score)
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::score;
    use crate::input::*;
    use crate::testkit::*;

    #[test]
    fn capped_deduction() {
        let r = rubric("1", r#"kind = "deduction", per = "0.2", cap = "0.5""#);
        let inputs = Inputs {
            units: units(3),
            findings: vec![
                finding("U01", "缺制度"),
                finding("U02", "缺制度"),
                finding("U02", "缺清单"),
                finding("U02", "缺台账"),
            ],
            ..Default::default()
        };
        let t = table(&score(&r, &inputs));
        assert_eq!(t[0].2, "发现问题 1例，扣 1 × 0.2 = 0.2，1 − 0.2 = 0.8");
        assert_eq!(t[1].1, "0.5000");
        assert_eq!(
            t[1].2,
            "发现问题 3例，扣 3 × 0.2 = 0.6，超过扣分上限 0.5，按 0.5 扣，1 − 0.5 = 0.5"
        );
        // No metric: the findings are the whole record, none found means full points.
        assert_eq!(t[2].1, "1.0000");
        assert_eq!(t[2].2, "发现问题 0例，不扣分，得 1");
    }
}
