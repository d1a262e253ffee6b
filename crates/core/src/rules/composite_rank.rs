//! composite_rank — 综合排名: "对办件量及覆盖率进行综合排名，第一名得0.05分，其余按名次依次扣减0.002分".
//!
//! Seed: 1.4.3b. Formula: rank the units by each part (e.g. online_volume desc, online_coverage desc)
//! with the tie policy; the composite key is Σ weight × part rank (weights default 1:1); rank by the key
//! ascending with the tie policy again; score as rank_step: `max(0, A − B × (rank − 1))`.
//! Edge cases: only units that have every part take part (a unit missing one is `missing`), so that
//! all part ranks are among the same units.
//!
//! Parameters (`rule = { kind = "composite_rank", … }`):
//! - `parts` (required, at least two): a list of `{ metric, better, weight }`: `metric` (required, declared
//!   in `[[metrics]]`), `better` (`"higher"` by default, or `"lower"`), `weight` (> 0, default `"1"`).
//! - `first` (optional, in [0, max]; default the clause max): A, the points of the first place.
//! - `step` (required, > 0): B, the points each further place loses.
//! - `ties` (optional; the rubric's `ties` by default): `"competition"` or `"dense"`, for the part
//!   rankings and the composite one.
//!
//! Worked case (1.4.3b): `{ kind = "composite_rank", first = "0.05", step = "0.002", parts =
//! [{ metric = "online_volume" }, { metric = "online_coverage" }] }`, a unit 1st by volume and 4th by
//! coverage, key 5, second with another: `网上办件量 400件排名第1，网上办件覆盖率 50.00%排名第4；名次和
//! 1 + 4 = 5，…综合并列第2，0.05 − 1 × 0.002 = 0.048`.

use super::rank_step::{step_score, step_text};
use super::ranking::rank;
use crate::column::{Column, Cx};
use crate::index::NONE;
use crate::num::pts;
use crate::result::{ClauseResult, ColumnInfo, Detail, Missing};
use crate::rubric::fields::RuleFields;
use crate::rubric::write::{Defaults, Param, Params};
use crate::rubric::{Better, Rubric, TiePolicy};
use rust_decimal::Decimal;

pub(crate) const KIND: &str = "composite_rank";
pub(crate) const LABEL: &str = "综合排名递减";
pub(crate) const KEYS: &[&str] = &["kind", "parts", "first", "step", "ties"];

/// 综合排名: ranks per metric, summed with weights, ranked again, scored as rank_step.
#[derive(Debug, Clone)]
pub struct CompositeRank {
    pub parts: Vec<RankPart>,
    /// A: the points of the first place.
    pub first: Decimal,
    /// B: the points each further place loses.
    pub step: Decimal,
    pub ties: TiePolicy,
}

/// One part of a composite ranking.
#[derive(Debug, Clone)]
pub struct RankPart {
    pub metric: String,
    pub better: Better,
    pub weight: Decimal,
}

impl CompositeRank {
    pub(crate) fn parse(r: &mut RuleFields) -> Option<Self> {
        let mut parts = Vec::new();
        let part_tables = r.tables("parts", true);
        if part_tables.len() < 2 && r.has("parts") {
            r.err("parts", "综合排名至少需要两个指标".into());
        }
        for (i, pt) in part_tables.into_iter().enumerate() {
            let path = format!("{}[{}]", r.at("parts"), i + 1);
            let mut p = r.nested(pt, &path);
            p.unknown_keys(&["metric", "better", "weight"]);
            let metric = p.metric("metric");
            let better = p.better("better");
            let weight = p.opt_decimal("weight").unwrap_or(Decimal::ONE);
            p.positive(Some(weight), "weight", "权重");
            if let Some(metric) = metric {
                parts.push(RankPart {
                    metric,
                    better,
                    weight,
                });
            }
        }
        let first = r.opt_decimal("first").or(r.max);
        r.points_le_max(first, "first", "第一名得分");
        let step = r.decimal("step");
        r.positive(step, "step", "名次扣减分");
        let ties = r.ties("ties");
        Some(CompositeRank {
            parts,
            first: first?,
            step: step?,
            ties,
        })
    }

    pub(crate) fn describe(&self, rubric: &Rubric) -> String {
        let parts = &self.parts;
        format!(
            "按{}的名次{}综合排名，第一名得 {}，其余按名次依次扣减 {}（{}）",
            parts
                .iter()
                .map(|p| format!("{}{}", rubric.metric_name(&p.metric), p.better.order()))
                .collect::<Vec<_>>()
                .join("、"),
            if parts.iter().all(|p| p.weight == Decimal::ONE) {
                "之和".to_string()
            } else {
                format!(
                    "加权之和（权重 {}）",
                    parts
                        .iter()
                        .map(|p| pts(p.weight))
                        .collect::<Vec<_>>()
                        .join(":")
                )
            },
            pts(self.first),
            pts(self.step),
            self.ties.describe()
        )
    }

    pub(crate) fn column(&self, cx: &Cx, col: &mut Column) {
        let (parts, ties) = (&self.parts, self.ties);
        let ms: Vec<usize> = parts.iter().map(|p| cx.metric_def(&p.metric).0).collect();
        let mut who = Vec::new();
        let mut values: Vec<Vec<Decimal>> = vec![Vec::new(); parts.len()];
        for u in cx.rows() {
            let vs: Option<Vec<Decimal>> = ms.iter().map(|&m| cx.metric(u, m)).collect();
            match vs {
                Some(vs) => {
                    who.push(u);
                    for (k, v) in vs.into_iter().enumerate() {
                        values[k].push(v);
                    }
                }
                None => col.missing(u, Detail::Missing(Missing::NoMetric)),
            }
        }
        let n = cx.all_units();
        let mut keys = vec![Decimal::ZERO; who.len()];
        col.info.part_ranks = vec![vec![NONE; n]; parts.len()];
        for (k, part) in parts.iter().enumerate() {
            for (i, p) in rank(&values[k], part.better, ties).iter().enumerate() {
                keys[i] += part.weight * Decimal::from(p.rank);
                col.info.part_ranks[k][who[i] as usize] = p.rank;
            }
        }
        col.info.keys = vec![Decimal::ZERO; n];
        for (i, &u) in who.iter().enumerate() {
            col.info.keys[u as usize] = keys[i];
        }
        col.info.ranked = who.len() as u32;
        col.info.missing = cx.n_units() - col.info.ranked;
        for (p, &u) in rank(&keys, Better::Lower, ties).iter().zip(&who) {
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
        let parts = &self.parts;
        let Detail::Rank { rank, tied } = r.detail else {
            let missing: Vec<&str> = parts
                .iter()
                .filter(|p| {
                    let (m, _) = cx.metric_def(&p.metric);
                    cx.metric(u, m).is_none()
                })
                .map(|p| cx.metric_def(&p.metric).1.name.as_str())
                .collect();
            return format!("缺少{}数据，未参与综合排名，未计分", missing.join("、"));
        };
        let mut segs = Vec::new();
        let mut terms = Vec::new();
        let unweighted = parts.iter().all(|p| p.weight == Decimal::ONE);
        for (k, part) in parts.iter().enumerate() {
            let (m, def) = cx.metric_def(&part.metric);
            let v = cx.metric(u, m).expect("ranked units have every part");
            let pr = info.part_ranks[k][u as usize];
            segs.push(format!("{} {}排名第{}", def.name, def.show(v), pr));
            terms.push(if unweighted {
                pr.to_string()
            } else {
                format!("{}×{}", pts(part.weight), pr)
            });
        }
        let key = info.keys[u as usize];
        let sum = if unweighted {
            "名次和"
        } else {
            "名次加权和"
        };
        format!(
            "{}；{sum} {} = {}，{}，{}",
            segs.join("，"),
            terms.join(" + "),
            pts(key),
            super::place(info, rank, tied)
                .replace("排名第", "综合排名第")
                .replace("并列第", "综合并列第"),
            step_text(self.first, self.step, rank, r.score)
        )
    }

    /// Its parameters as a rubric writes them ([`crate::rubric::write`]); each part with all of
    /// its fields.
    pub(crate) fn params(&self, d: &Defaults) -> Params {
        let parts = self
            .parts
            .iter()
            .map(|p| {
                vec![
                    ("metric", p.metric.clone()),
                    ("better", p.better.key().to_string()),
                    ("weight", p.weight.to_string()),
                ]
            })
            .collect();
        let mut out = vec![("parts", Param::List(parts))];
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

    const RULE: &str = r#"kind = "composite_rank", step = "0.002", parts = [{ metric = "volume" }, { metric = "coverage" }]"#;

    #[test]
    fn sum_of_ranks_then_rank() {
        let r = rubric("0.05", RULE);
        // volume ranks: U01 1, U02 2, U03 3, U04 4; coverage ranks: U01 4, U02 1, U03 2, U04 3.
        // keys: 5, 3, 5, 7 → U02 1st, U01 and U03 tied 2nd, U04 4th.
        let m = |u: &str, v: &str, c: &str| vec![metric(u, "volume", v), metric(u, "coverage", c)];
        let inputs = Inputs {
            units: units(5),
            metrics: [
                m("U01", "400", "0.5"),
                m("U02", "300", "0.9"),
                m("U03", "200", "0.8"),
                m("U04", "100", "0.7"),
                vec![metric("U05", "volume", "50")],
            ]
            .concat(),
            ..Default::default()
        };
        let t = table(&score(&r, &inputs));
        assert_eq!(
            t.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
            vec!["0.0480", "0.0500", "0.0480", "0.0440", "missing"]
        );
        assert_eq!(
            t[0].2,
            "办件量 400件排名第1，覆盖率 50.00%排名第4；名次和 1 + 4 = 5，4个有数据的单位中综合并列第2（另有1个单位缺数据，未参与排名），0.05 − 1 × 0.002 = 0.048"
        );
        assert_eq!(t[4].2, "缺少覆盖率数据，未参与综合排名，未计分");
    }

    #[test]
    fn weights_change_the_key() {
        let r = rubric(
            "0.05",
            r#"kind = "composite_rank", step = "0.002", parts = [{ metric = "volume", weight = "2" }, { metric = "coverage" }]"#,
        );
        let m = |u: &str, v: &str, c: &str| vec![metric(u, "volume", v), metric(u, "coverage", c)];
        let inputs = Inputs {
            units: units(2),
            metrics: [m("U01", "10", "0.1"), m("U02", "5", "0.9")].concat(),
            ..Default::default()
        };
        let t = table(&score(&r, &inputs));
        // U01: 2×1 + 2 = 4; U02: 2×2 + 1 = 5.
        assert_eq!(t[0].1, "0.0500");
        assert!(t[1].2.contains("名次加权和 2×2 + 1×1 = 5"), "{}", t[1].2);
    }
}
