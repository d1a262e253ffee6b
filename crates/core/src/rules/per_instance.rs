//! per_instance — 每发现一例扣B分.
//!
//! Seed: 1.4.2 "不达要求，每发现一例扣0.002分"; 1.4.3a "及时处理网上申报件，无超期，得0.05分，发现一例扣0.002分".
//! Formula: `max(0, max − B × n)` — 扣完为止: never below 0, never spills into another clause.
//! n comes from findings rows (each a receipt) or from a count metric ([`super::instances`]).
//! Edge cases: n = 0 gives max; n × B > max gives 0; no source at all is `missing`.
//!
//! Parameters (`rule = { kind = "per_instance", … }`):
//! - `per` (required, > 0): B, the points deducted per instance, as decimal text (`"0.002"`).
//! - `metric` (optional): a `count` metric that gives n when the unit has no findings rows on the
//!   clause; without it, the findings rows are the whole record (none found: n = 0).
//! - `types`, `range`, `word`, `inspection` (optional): finding types each with its own deduction,
//!   a range chosen per finding, the rubric's own word, inspection records — see
//!   [`super::counting`]; `types` or `range` replace `per`. Then the formula is
//!   `max(0, max − Σ d)`, d what each finding deducts.
//!
//! Worked case (1.4.3a, max 0.05): `{ kind = "per_instance", per = "0.002", metric = "overdue_cases" }`,
//! a unit with 3 overdue cases: `超期办件 3件，0.05 − 3 × 0.002 = 0.044`; with 26: `0.05 − 26 × 0.002 =
//! −0.002，扣完为止，得 0`.
//!
//! Worked case (own words, max 3): `{ kind = "per_instance", per = "0.2", word = "缺 {n} 项" }`,
//! eleven findings: `缺 11 项 × 0.2 = 2.2，3 − 2.2 = 0.8`. With types (标识不醒目 1 分, 标识不易识别
//! 0.5 分; max 5), one and two findings: `标识不醒目 1 次 × 1 = 1；标识不易识别 2 次 × 0.5 = 1；共扣 2，
//! 5 − 2 = 3`. With `inspection = "required"` and a record of 张三 on 2024-05-08, nothing found:
//! `张三 于 2024-05-08 检查，发现问题 0例，不扣分，得 5`; no record: `未检查（无检查记录），未计分`.

use super::counting::Counting;
use super::instances;
use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, Detail};
use crate::rubric::Rubric;
use crate::rubric::fields::RuleFields;
use crate::rubric::write::{Param, Params};
use rust_decimal::Decimal;

pub(crate) const KIND: &str = "per_instance";
pub(crate) const LABEL: &str = "每例扣分";
pub(crate) const KEYS: &[&str] = &[
    "kind",
    "per",
    "metric",
    "types",
    "range",
    "word",
    "inspection",
];

/// 每发现一例扣B分: `max(0, max − B × n)`; n from a count metric or from findings rows.
#[derive(Debug, Clone)]
pub struct PerInstance {
    /// B: points per instance (0 when the clause deducts by `types` or `range`).
    pub per: Decimal,
    /// The count metric that gives n where a unit has no findings rows.
    pub metric: Option<String>,
    /// Finding types, ranges, own words, inspection records ([`super::counting`]).
    pub counting: Counting,
}

impl PerInstance {
    pub(crate) fn parse(r: &mut RuleFields) -> Option<Self> {
        let counted = Counting::parse(r, r.has("metric"));
        let metric = instances::count_metric(r)?;
        let (per, counting) = counted?;
        Some(PerInstance {
            per: per.unwrap_or(Decimal::ZERO),
            metric,
            counting,
        })
    }

    pub(crate) fn describe(&self, rubric: &Rubric) -> String {
        if !self.counting.is_plain() {
            return format!(
                "{}，扣完为止（{}）",
                self.counting.describe(self.per),
                self.counting.source(rubric, self.metric.as_deref())
            );
        }
        format!(
            "每发现一例扣 {}，扣完为止（例数来自{}）",
            pts(self.per),
            instances::source(rubric, self.metric.as_deref())
        )
    }

    pub(crate) fn column(&self, cx: &Cx, col: &mut Column) {
        let max = cx.clause.max;
        let m = instances::metric_index(cx, self.metric.as_deref());
        for u in cx.rows() {
            match self.counting.count(cx, u, m, self.per) {
                Ok((n, from_findings, d)) => {
                    let raw = (max - d).max(Decimal::ZERO);
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
        let metric = self.metric.as_deref();
        let Detail::Instances { n, from_findings } = r.detail else {
            return instances::missing(cx, metric, r.detail);
        };
        if !self.counting.is_plain() {
            let (what, d) = self
                .counting
                .what(cx, u, metric, n, from_findings, self.per);
            let max = cx.clause.max;
            if n == 0 {
                return format!("{what}，不扣分，得 {}", pts(max));
            }
            let raw = max - d;
            return if raw < Decimal::ZERO {
                format!(
                    "{what}，{} − {} = {}，扣完为止，得 0",
                    pts(max),
                    pts(d),
                    pts(raw)
                )
            } else {
                format!(
                    "{what}，{} − {} {}",
                    pts(max),
                    pts(d),
                    super::equals(raw, r.score)
                )
            };
        }
        let what = instances::what(cx, metric, n, from_findings);
        if n == 0 {
            return format!("{what}，不扣分，得 {}", pts(cx.clause.max));
        }
        format!(
            "{what}，{}",
            super::minus_times(cx.clause.max, n.into(), self.per, r.score)
        )
    }

    /// Its parameters as a rubric writes them ([`crate::rubric::write`]).
    pub(crate) fn params(&self) -> Params {
        let mut out = self.counting.per_param(self.per);
        if let Some(m) = &self.metric {
            out.push(("metric", Param::Text(m.clone())));
        }
        self.counting.params(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::score;
    use crate::input::*;
    use crate::testkit::*;

    #[test]
    fn count_from_metric_and_floor_at_zero() {
        let r = rubric(
            "0.05",
            r#"kind = "per_instance", per = "0.002", metric = "defects""#,
        );
        let inputs = Inputs {
            units: units(4),
            metrics: vec![
                metric("U01", "defects", "0"),
                metric("U02", "defects", "3"),
                metric("U03", "defects", "26"),
            ],
            ..Default::default()
        };
        let t = table(&score(&r, &inputs));
        assert_eq!(t[0].1, "0.0500");
        assert_eq!(t[0].2, "问题数 0例，不扣分，得 0.05");
        assert_eq!(t[1].1, "0.0440");
        assert_eq!(t[1].2, "问题数 3例，0.05 − 3 × 0.002 = 0.044");
        assert_eq!(t[2].1, "0.0000");
        assert_eq!(
            t[2].2,
            "问题数 26例，0.05 − 26 × 0.002 = −0.002，扣完为止，得 0"
        );
        assert_eq!(t[3].1, "missing");
        assert_eq!(
            t[3].2,
            "缺少问题数数据（既无指标数值，也无问题记录），未计分"
        );
    }

    #[test]
    fn count_from_findings_and_conflicting_sources() {
        let r = rubric(
            "0.05",
            r#"kind = "per_instance", per = "0.002", metric = "defects""#,
        );
        let inputs = Inputs {
            units: units(2),
            metrics: vec![metric("U02", "defects", "1")],
            findings: vec![
                finding("U01", "指南缺少材料样表"),
                finding("U01", "收费依据未填写"),
                finding("U02", "x"),
            ],
            ..Default::default()
        };
        let s = score(&r, &inputs);
        let t = table(&s);
        assert_eq!(t[0].2, "问题数 2例（逐条见明细），0.05 − 2 × 0.002 = 0.046");
        assert_eq!(t[1].1, "missing");
        let e: Vec<_> = s.problems.iter().filter(|p| p.is_error()).collect();
        assert_eq!(e.len(), 1);
        assert!(e[0].message.contains("两个来源"), "{}", e[0]);
    }
}
