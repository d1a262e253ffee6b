//! composite_rank — 综合排名: "对办件量及覆盖率进行综合排名，第一名得0.05分，其余按名次依次扣减0.002分".
//!
//! Seed: 1.4.3b. Formula: rank the units by each part (e.g. online_volume desc, online_coverage desc)
//! with the tie policy; the composite key is Σ weight × part rank (weights default 1:1); rank by the key
//! ascending with the tie policy again; score as rank_step: `max(0, A − B × (rank − 1))`.
//! Edge cases: only units that have every part take part (a unit missing one is `missing`), so that
//! all part ranks are among the same units.

use super::rank_step::{step_score, step_text};
use super::ranking::rank;
use crate::column::{Column, Cx};
use crate::index::NONE;
use crate::num::pts;
use crate::result::{ClauseResult, ColumnInfo, Detail, Missing};
use crate::rubric::{Better, RankPart, Rule, TiePolicy};
use rust_decimal::Decimal;

fn params<'r>(cx: &Cx<'r>) -> (&'r [RankPart], Decimal, Decimal, TiePolicy) {
    match &cx.clause.rule {
        Rule::CompositeRank {
            parts,
            first,
            step,
            ties,
        } => (parts, *first, *step, *ties),
        _ => unreachable!("dispatched by kind"),
    }
}

pub(crate) fn column(cx: &Cx, col: &mut Column) {
    let (parts, first, step, ties) = params(cx);
    let ms: Vec<usize> = parts.iter().map(|p| cx.metric_def(&p.metric).0).collect();
    let mut who = Vec::new();
    let mut values: Vec<Vec<Decimal>> = vec![Vec::new(); parts.len()];
    for u in 0..cx.n_units() {
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
    let n = cx.n_units() as usize;
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
            step_score(first, step, p.rank),
            Detail::Rank {
                rank: p.rank,
                tied: p.tied,
            },
        );
    }
}

pub(crate) fn explain(cx: &Cx, info: &ColumnInfo, u: u32, r: &ClauseResult) -> String {
    let (parts, first, step, _) = params(cx);
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
        step_text(first, step, rank, r.score)
    )
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
