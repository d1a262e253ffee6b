//! tiers — 阶梯计分: a threshold ladder, e.g. "≥80% 得2分，≥70% 得1.5分，≥60% 得1分".
//!
//! Not in the 2021 seed; other rubrics use it. Formula: the points of the first (best) tier the value
//! reaches — `value ≥ threshold` when higher is better, `value ≤ threshold` when lower is better;
//! below every tier, 0. Edge cases: a value exactly at a threshold reaches it; no value is `missing`.

use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, Detail, Missing};
use crate::rubric::{Better, Rule, Tier};

fn params<'r>(cx: &Cx<'r>) -> (&'r str, Better, &'r [Tier]) {
    match &cx.clause.rule {
        Rule::Tiers {
            metric,
            better,
            tiers,
        } => (metric, *better, tiers),
        _ => unreachable!("dispatched by kind"),
    }
}

fn reaches(better: Better, v: rust_decimal::Decimal, t: &Tier) -> bool {
    match better {
        Better::Higher => v >= t.threshold,
        Better::Lower => v <= t.threshold,
    }
}

pub(crate) fn column(cx: &Cx, col: &mut Column) {
    let (metric, better, tiers) = params(cx);
    let (m, _) = cx.metric_def(metric);
    for u in 0..cx.n_units() {
        match cx.metric(u, m) {
            Some(v) => {
                col.info.ranked += 1;
                let tier = tiers.iter().position(|t| reaches(better, v, t));
                let raw = tier.map(|i| tiers[i].points).unwrap_or_default();
                col.set(
                    u,
                    raw,
                    Detail::Tier {
                        tier: tier.map(|i| i as u32),
                    },
                );
            }
            None => {
                col.info.missing += 1;
                col.missing(u, Detail::Missing(Missing::NoMetric));
            }
        }
    }
}

pub(crate) fn explain(cx: &Cx, u: u32, r: &ClauseResult) -> String {
    let (metric, better, tiers) = params(cx);
    let (m, def) = cx.metric_def(metric);
    let (Detail::Tier { tier }, Some(v)) = (r.detail, cx.metric(u, m)) else {
        return format!("缺少{}数据，未计分", def.name);
    };
    let op = match better {
        Better::Higher => "≥",
        Better::Lower => "≤",
    };
    let vs = def.show(v);
    match tier {
        Some(i) => {
            let t = &tiers[i as usize];
            format!(
                "{} {vs}，达到“{op} {}”一档，得 {}",
                def.name,
                def.show(t.threshold),
                pts(t.points)
            )
        }
        None => {
            let last = tiers.last().expect("validated: at least one tier");
            format!(
                "{} {vs}，未达到最低一档（{op} {}），得 0",
                def.name,
                def.show(last.threshold)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::score;
    use crate::input::*;
    use crate::testkit::*;

    #[test]
    fn ladder() {
        let r = rubric(
            "2",
            r#"kind = "tiers", metric = "rate", tiers = [{ threshold = "0.8", points = "2" }, { threshold = "0.7", points = "1.5" }, { threshold = "0.6", points = "1" }]"#,
        );
        let inputs = Inputs {
            units: units(4),
            metrics: vec![
                metric("U01", "rate", "0.8"),
                metric("U02", "rate", "0.75"),
                metric("U03", "rate", "0.5999"),
            ],
            ..Default::default()
        };
        let t = table(&score(&r, &inputs));
        assert_eq!(
            t.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
            vec!["2.0000", "1.5000", "0.0000", "missing"]
        );
        assert_eq!(t[0].2, "认领率 80.00%，达到“≥ 80.00%”一档，得 2");
        assert_eq!(t[2].2, "认领率 59.99%，未达到最低一档（≥ 60.00%），得 0");
    }
}
