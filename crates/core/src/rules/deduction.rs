//! deduction — 逐项扣分，封顶: "每缺一项扣X分，最多扣C分" (deduction from the clause's base, capped).
//!
//! Not in the 2021 seed; other rubrics use it, so it needs no code next year.
//! Formula: `max(0, max − min(C, X × n))`; C defaults to the clause max (then it is per_instance).
//! Edge cases: as per_instance; the cap applies to the deduction, the floor to the score.

use super::instances;
use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, Detail};
use crate::rubric::Rule;
use rust_decimal::Decimal;

fn params<'r>(cx: &Cx<'r>) -> (Decimal, Decimal, Option<&'r str>) {
    match &cx.clause.rule {
        Rule::Deduction { per, cap, metric } => (*per, *cap, metric.as_deref()),
        _ => unreachable!("dispatched by kind"),
    }
}

fn deducted(per: Decimal, cap: Decimal, n: u32) -> Decimal {
    (per * Decimal::from(n)).min(cap)
}

pub(crate) fn column(cx: &Cx, col: &mut Column) {
    let (per, cap, metric) = params(cx);
    let max = cx.clause.max;
    let m = instances::metric_index(cx, metric);
    for u in 0..cx.n_units() {
        match instances::count(cx, u, m) {
            Ok((n, from_findings)) => {
                let raw = (max - deducted(per, cap, n)).max(Decimal::ZERO);
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

pub(crate) fn explain(cx: &Cx, _u: u32, r: &ClauseResult) -> String {
    let (per, cap, metric) = params(cx);
    let Detail::Instances { n, from_findings } = r.detail else {
        return instances::missing(cx, metric);
    };
    let what = instances::what(cx, metric, n, from_findings);
    let max = cx.clause.max;
    if n == 0 {
        return format!("{what}，不扣分，得 {}", pts(max));
    }
    let full = per * Decimal::from(n);
    let d = deducted(per, cap, n);
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
