//! rank_ratio — 按第1名的比例得分: "第1名得A分，第2-5名按第1名的比例得分".
//!
//! Not in the 2021 seed; other rubrics use it. Formula: `A × value / best` when higher is better,
//! `A × best / value` when lower is better. With `top = N`, ranks after N get `beyond` (default 0).
//! Edge cases: a best of 0 (higher is better) means every value is 0: all share first place and get A;
//! a value of 0 when lower is better is the best and gets A. Units without the metric are `missing`.
//!
//! Parameters (`rule = { kind = "rank_ratio", … }`):
//! - `metric` (required): the metric ranked, declared in `[[metrics]]`.
//! - `better` (optional, `"higher"` by default, or `"lower"`): which end ranks first.
//! - `points` (optional, in [0, max]; default the clause max): A, the points of the first place.
//! - `top` (optional, a whole number ≥ 1): only the first `top` places score by ratio.
//! - `beyond` (optional, in [0, max]; default `"0"`): the points of a place after `top`.
//! - `ties` (optional; the rubric's `ties` by default): `"competition"` or `"dense"`.
//!
//! Worked case (max 2): `{ kind = "rank_ratio", metric = "volume", top = 2 }`, volumes 300, 200, 100:
//! `办件量 200件，3个单位中排名第2，第1名 300件，2 × 200 ÷ 300 = 1.33333333…，四舍五入得 1.3333`;
//! the third: `在前2名之外，得 0`.

use super::ranking::rank;
use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, ColumnInfo, Detail, Missing};
use crate::rubric::fields::RuleFields;
use crate::rubric::write::{Defaults, Param, Params};
use crate::rubric::{Better, Rubric, TiePolicy};
use rust_decimal::Decimal;
use toml::Value;

pub(crate) const KIND: &str = "rank_ratio";
pub(crate) const LABEL: &str = "按第1名比例";
pub(crate) const KEYS: &[&str] = &[
    "kind", "metric", "better", "points", "top", "beyond", "ties",
];

/// 按第1名的比例得分: `A × value / best` (`A × best / value` when lower is better).
#[derive(Debug, Clone)]
pub struct RankRatio {
    pub metric: String,
    pub better: Better,
    /// A: the points of the first place.
    pub points: Decimal,
    /// Only the first `top` ranks score by ratio; the others get `beyond`.
    pub top: Option<u32>,
    pub beyond: Decimal,
    pub ties: TiePolicy,
}

impl RankRatio {
    pub(crate) fn parse(r: &mut RuleFields) -> Option<Self> {
        let metric = r.metric("metric");
        let better = r.better("better");
        let points = r.opt_decimal("points").or(r.max);
        r.points_le_max(points, "points", "第一名得分");
        let top = match r.table.get("top") {
            None => None,
            Some(Value::Integer(n)) if *n >= 1 => Some(*n as u32),
            Some(v) => {
                r.err("top", format!("“top”应为不小于 1 的整数，实为 {v}"));
                None
            }
        };
        let beyond = r.opt_decimal("beyond").unwrap_or(Decimal::ZERO);
        r.points_le_max(Some(beyond), "beyond", "名次以外得分");
        let ties = r.ties("ties");
        Some(RankRatio {
            metric: metric?,
            better,
            points: points?,
            top,
            beyond,
            ties,
        })
    }

    pub(crate) fn describe(&self, rubric: &Rubric) -> String {
        format!(
            "按{}{}排名，第1名得 {}，其余按与第1名的比例得分{}",
            rubric.metric_name(&self.metric),
            self.better.order(),
            pts(self.points),
            self.top
                .map(|n| format!("；第{}名之后得 {}", n, pts(self.beyond)))
                .unwrap_or_default()
        )
    }

    fn ratio(&self, v: Decimal, best: Decimal) -> Decimal {
        match self.better {
            Better::Higher if best.is_zero() => self.points,
            Better::Higher => self.points * v / best,
            Better::Lower if v.is_zero() => self.points,
            Better::Lower => self.points * best / v,
        }
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
        let best = match self.better {
            Better::Higher => values.iter().max(),
            Better::Lower => values.iter().min(),
        }
        .copied();
        col.info.best = best;
        for ((place, &u), &v) in rank(&values, self.better, self.ties)
            .iter()
            .zip(&who)
            .zip(&values)
        {
            let raw = match self.top {
                Some(top) if place.rank > top => self.beyond,
                _ => self.ratio(v, best.expect("a ranked unit means a best value")),
            };
            col.set(
                u,
                raw,
                Detail::Rank {
                    rank: place.rank,
                    tied: place.tied,
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
        let best = info.best.expect("ranked units mean a best value");
        let head = format!(
            "{} {}，{}",
            def.name,
            def.show(v),
            super::place(info, rank, tied)
        );
        if let Some(top) = self.top
            && rank > top
        {
            return format!("{head}，在前{top}名之外，得 {}", pts(self.beyond));
        }
        let raw = self.ratio(v, best);
        if raw == self.points {
            return format!("{head}，得 {}", pts(self.points));
        }
        let (a, b) = match self.better {
            Better::Higher => (v, best),
            Better::Lower => (best, v),
        };
        format!(
            "{head}，第1名 {}，{} × {} ÷ {} {}",
            def.show(best),
            pts(self.points),
            pts(a),
            pts(b),
            super::equals(raw, r.score)
        )
    }

    /// Its parameters as a rubric writes them ([`crate::rubric::write`]).
    pub(crate) fn params(&self, d: &Defaults) -> Params {
        let mut out = vec![("metric", Param::Text(self.metric.clone()))];
        self.better.unless_higher(&mut out);
        d.unless_max("points", self.points, &mut out);
        if let Some(top) = self.top {
            out.push(("top", Param::Int(top.into())));
        }
        if self.beyond.to_string() != "0" {
            out.push(("beyond", Param::Text(self.beyond.to_string())));
        }
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
    fn ratio_to_best_with_top() {
        let r = rubric("2", r#"kind = "rank_ratio", metric = "volume", top = 2"#);
        let inputs = Inputs {
            units: units(3),
            metrics: vec![
                metric("U01", "volume", "300"),
                metric("U02", "volume", "200"),
                metric("U03", "volume", "100"),
            ],
            ..Default::default()
        };
        let t = table(&score(&r, &inputs));
        assert_eq!(t[0].2, "办件量 300件，3个单位中排名第1，得 2");
        assert_eq!(t[1].1, "1.3333");
        assert_eq!(
            t[1].2,
            "办件量 200件，3个单位中排名第2，第1名 300件，2 × 200 ÷ 300 = 1.33333333…，四舍五入得 1.3333"
        );
        assert_eq!(t[2].1, "0.0000");
        assert_eq!(t[2].2, "办件量 100件，3个单位中排名第3，在前2名之外，得 0");
    }

    #[test]
    fn lower_is_better_and_zero_values() {
        let r = rubric(
            "1",
            r#"kind = "rank_ratio", metric = "defects", better = "lower""#,
        );
        let inputs = Inputs {
            units: units(3),
            metrics: vec![
                metric("U01", "defects", "0"),
                metric("U02", "defects", "0"),
                metric("U03", "defects", "4"),
            ],
            ..Default::default()
        };
        // best is 0; a unit with 4 defects gets 1 × 0 ÷ 4 = 0.
        assert_eq!(
            scores(&score(&r, &inputs)),
            vec!["1.0000", "1.0000", "0.0000"]
        );
        let r = rubric("1", r#"kind = "rank_ratio", metric = "volume""#);
        let inputs = Inputs {
            units: units(2),
            metrics: vec![metric("U01", "volume", "0"), metric("U02", "volume", "0")],
            ..Default::default()
        };
        assert_eq!(scores(&score(&r, &inputs)), vec!["1.0000", "1.0000"]);
    }
}
