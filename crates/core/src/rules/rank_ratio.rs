//! rank_ratio — 按第1名的比例得分: "第1名得A分，第2-5名按第1名的比例得分".
//!
//! Not in the 2021 seed; other rubrics use it. Formula: `A × value / best` when higher is better,
//! `A × best / value` when lower is better. With `top = N`, ranks after N get `beyond` (default 0).
//! Edge cases: a best of 0 (higher is better) means every value is 0: all share first place and get A;
//! a value of 0 when lower is better is the best and gets A. Units without the metric are `missing`.

use super::ranking::rank;
use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, ColumnInfo, Detail, Missing};
use crate::rubric::{Better, Rule, TiePolicy};
use rust_decimal::Decimal;

struct P<'r> {
    metric: &'r str,
    better: Better,
    points: Decimal,
    top: Option<u32>,
    beyond: Decimal,
    ties: TiePolicy,
}

fn params<'r>(cx: &Cx<'r>) -> P<'r> {
    match &cx.clause.rule {
        Rule::RankRatio {
            metric,
            better,
            points,
            top,
            beyond,
            ties,
        } => P {
            metric,
            better: *better,
            points: *points,
            top: *top,
            beyond: *beyond,
            ties: *ties,
        },
        _ => unreachable!("dispatched by kind"),
    }
}

fn ratio(p: &P, v: Decimal, best: Decimal) -> Decimal {
    match p.better {
        Better::Higher if best.is_zero() => p.points,
        Better::Higher => p.points * v / best,
        Better::Lower if v.is_zero() => p.points,
        Better::Lower => p.points * best / v,
    }
}

pub(crate) fn column(cx: &Cx, col: &mut Column) {
    let p = params(cx);
    let (m, _) = cx.metric_def(p.metric);
    let mut who = Vec::new();
    let mut values = Vec::new();
    for u in 0..cx.n_units() {
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
    let best = match p.better {
        Better::Higher => values.iter().max(),
        Better::Lower => values.iter().min(),
    }
    .copied();
    col.info.best = best;
    for ((place, &u), &v) in rank(&values, p.better, p.ties)
        .iter()
        .zip(&who)
        .zip(&values)
    {
        let raw = match p.top {
            Some(top) if place.rank > top => p.beyond,
            _ => ratio(&p, v, best.expect("a ranked unit means a best value")),
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

pub(crate) fn explain(cx: &Cx, info: &ColumnInfo, u: u32, r: &ClauseResult) -> String {
    let p = params(cx);
    let (m, def) = cx.metric_def(p.metric);
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
    if let Some(top) = p.top
        && rank > top
    {
        return format!("{head}，在前{top}名之外，得 {}", pts(p.beyond));
    }
    let raw = ratio(&p, v, best);
    if raw == p.points {
        return format!("{head}，得 {}", pts(p.points));
    }
    let (a, b) = match p.better {
        Better::Higher => (v, best),
        Better::Lower => (best, v),
    };
    format!(
        "{head}，第1名 {}，{} × {} ÷ {} {}",
        def.show(best),
        pts(p.points),
        pts(a),
        pts(b),
        super::equals(raw, r.score)
    )
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
