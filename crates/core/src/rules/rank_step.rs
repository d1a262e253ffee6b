//! rank_step — 按X高低进行排名，第一名得A分，其余按名次依次扣减B分.
//!
//! Seed: 1.4.1 "事项认领率……按认领率高低进行排名，第一名得0.05分，其余按名次依次扣减0.002分".
//! Formula: `max(0, A − B × (rank − 1))`. Units are ranked among the units of the run that have the
//! metric (the explanation says how many had none); ties share a rank and a score (competition
//! ranking by default: 1, 2, 2, 4; dense as an option).
//! Edge cases: a unit without the metric is `missing`; a rank so low that the formula goes below 0
//! scores 0 (扣完为止).
//!
//! Parameters (`rule = { kind = "rank_step", … }`):
//! - `metric` (required): the metric ranked, declared in `[[metrics]]`.
//! - `better` (optional, `"higher"` by default, or `"lower"`): which end ranks first.
//! - `first` (optional, in [0, max]; default the clause max): A, the points of the first place.
//! - `step` (required, > 0): B, the points each further place loses.
//! - `ties` (optional; the rubric's `ties` by default): `"competition"` (1, 2, 2, 4) or `"dense"`
//!   (1, 2, 2, 3).
//!
//! Worked case (1.4.1): `{ kind = "rank_step", metric = "claim_rate", first = "0.05", step = "0.002" }`,
//! a unit third of 17: `认领率 98.70%，17个单位中排名第3，0.05 − 2 × 0.002 = 0.046`.

use super::ranking::rank;
use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, ColumnInfo, Detail, Missing};
use crate::rubric::fields::RuleFields;
use crate::rubric::write::{Defaults, Param, Params};
use crate::rubric::{Better, Rubric, TiePolicy};
use rust_decimal::Decimal;

pub(crate) const KIND: &str = "rank_step";
pub(crate) const LABEL: &str = "排名递减";
pub(crate) const KEYS: &[&str] = &["kind", "metric", "better", "first", "step", "ties"];

/// 按X排名，第一名得A分，其余按名次依次扣减B分: `max(0, A − B × (rank − 1))`.
#[derive(Debug, Clone)]
pub struct RankStep {
    pub metric: String,
    pub better: Better,
    /// A: the points of the first place.
    pub first: Decimal,
    /// B: the points each further place loses.
    pub step: Decimal,
    pub ties: TiePolicy,
}

/// The score of a rank: `max(0, first − step × (rank − 1))`.
pub fn step_score(first: Decimal, step: Decimal, rank: u32) -> Decimal {
    (first - step * Decimal::from(rank - 1)).max(Decimal::ZERO)
}

/// Explains a rank-step score: `0.05 − 2 × 0.002 = 0.046`, or `得 0.05` for the first.
pub(crate) fn step_text(first: Decimal, step: Decimal, rank: u32, score: Decimal) -> String {
    if rank == 1 {
        format!("得 {}", pts(first))
    } else {
        super::minus_times(first, Decimal::from(rank - 1), step, score)
    }
}

impl RankStep {
    pub(crate) fn parse(r: &mut RuleFields) -> Option<Self> {
        let metric = r.metric("metric");
        let better = r.better("better");
        let first = r.opt_decimal("first").or(r.max);
        r.points_le_max(first, "first", "第一名得分");
        let step = r.decimal("step");
        r.positive(step, "step", "名次扣减分");
        let ties = r.ties("ties");
        Some(RankStep {
            metric: metric?,
            better,
            first: first?,
            step: step?,
            ties,
        })
    }

    pub(crate) fn describe(&self, rubric: &Rubric) -> String {
        format!(
            "按{}{}排名，第一名得 {}，其余按名次依次扣减 {}（{}）",
            rubric.metric_name(&self.metric),
            self.better.order(),
            pts(self.first),
            pts(self.step),
            self.ties.describe()
        )
    }

    pub(crate) fn column(&self, cx: &Cx, col: &mut Column) {
        let (m, _) = cx.metric_def(&self.metric);
        let mut who = Vec::new();
        let mut values = Vec::new();
        for u in cx.rows() {
            match cx.metric(u, m) {
                Some(v) => {
                    who.push(u);
                    values.push(v);
                }
                None => col.missing(u, Detail::Missing(Missing::NoMetric)),
            }
        }
        col.info.ranked = who.len() as u32;
        col.info.missing = cx.n_units() - col.info.ranked;
        for (p, &u) in rank(&values, self.better, self.ties).iter().zip(&who) {
            col.set(
                u,
                step_score(self.first, self.step, p.rank),
                Detail::Rank {
                    rank: p.rank,
                    tied: p.tied,
                },
            );
        }
    }

    pub(crate) fn explain(&self, cx: &Cx, info: &ColumnInfo, u: u32, r: &ClauseResult) -> String {
        let (m, def) = cx.metric_def(&self.metric);
        let Detail::Rank { rank, tied } = r.detail else {
            return format!("缺少{}数据，未参与排名，未计分", def.name);
        };
        let v = cx.metric(u, m).expect("ranked units have the metric");
        format!(
            "{} {}，{}，{}",
            def.name,
            def.show(v),
            super::place(info, rank, tied),
            step_text(self.first, self.step, rank, r.score)
        )
    }

    /// Its parameters as a rubric writes them ([`crate::rubric::write`]).
    pub(crate) fn params(&self, d: &Defaults) -> Params {
        let mut out = vec![("metric", Param::Text(self.metric.clone()))];
        self.better.unless_higher(&mut out);
        d.unless_max("first", self.first, &mut out);
        out.push(("step", Param::Text(self.step.to_string())));
        d.unless_ties(self.ties, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::score;
    use crate::input::*;
    use crate::testkit::*;

    #[test]
    fn ties_share_rank_and_score_competition() {
        let r = rubric(
            "0.05",
            r#"kind = "rank_step", metric = "rate", first = "0.05", step = "0.002""#,
        );
        let inputs = Inputs {
            units: units(5),
            metrics: vec![
                metric("U01", "rate", "0.99"),
                metric("U02", "rate", "0.98"),
                metric("U03", "rate", "0.980"),
                metric("U04", "rate", "0.97"),
            ],
            ..Default::default()
        };
        let t = table(&score(&r, &inputs));
        assert_eq!(
            t[0].2,
            "认领率 99.00%，4个有数据的单位中排名第1（另有1个单位缺数据，未参与排名），得 0.05"
        );
        assert_eq!(t[1].1, "0.0480");
        assert_eq!(t[2].1, "0.0480");
        assert!(t[2].2.contains("并列第2"), "{}", t[2].2);
        assert_eq!(t[3].1, "0.0440");
        assert!(
            t[3].2
                .ends_with("排名第4（另有1个单位缺数据，未参与排名），0.05 − 3 × 0.002 = 0.044")
        );
        assert_eq!(t[4].1, "missing");
        assert_eq!(t[4].2, "缺少认领率数据，未参与排名，未计分");
    }

    #[test]
    fn dense_option_and_floor() {
        let r = rubric(
            "0.05",
            r#"kind = "rank_step", metric = "volume", step = "0.02", ties = "dense""#,
        );
        let inputs = Inputs {
            units: units(5),
            metrics: ["9", "8", "8", "7", "1"]
                .iter()
                .enumerate()
                .map(|(i, v)| metric(&format!("U{:02}", i + 1), "volume", v))
                .collect(),
            ..Default::default()
        };
        let t = table(&score(&r, &inputs));
        assert_eq!(
            t.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
            vec!["0.0500", "0.0300", "0.0300", "0.0100", "0.0000"]
        );
        assert_eq!(
            t[4].2,
            "办件量 1件，5个单位中排名第4，0.05 − 3 × 0.02 = −0.01，扣完为止，得 0"
        );
    }
}
