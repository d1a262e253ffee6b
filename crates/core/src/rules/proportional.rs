//! proportional — 按比例扣分: "对满意度不足95%的按比例进行扣分".
//!
//! Seed: 1.6.2 (帮办代办满意度). Formula (比率法, default): `max × min(1, actual / target)`, target 0.95.
//! Alternative (`mode = "per_point"`): "每低1个百分点扣X分": `max(0, max − X × (target − actual) × 100)`,
//! with the shortfall in percentage points taken exactly (4.5 points below deducts 4.5 × X).
//! Edge cases: at or above target gives max; no value is `missing`.

use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, Detail, Missing};
use crate::rubric::{ProportionalMode, Rule};
use rust_decimal::Decimal;

fn params<'r>(cx: &Cx<'r>) -> (&'r str, Decimal, &'r ProportionalMode) {
    match &cx.clause.rule {
        Rule::Proportional {
            metric,
            target,
            mode,
        } => (metric, *target, mode),
        _ => unreachable!("dispatched by kind"),
    }
}

fn raw(max: Decimal, v: Decimal, target: Decimal, mode: &ProportionalMode) -> Decimal {
    if v >= target {
        return max;
    }
    match mode {
        ProportionalMode::Ratio => max * v / target,
        ProportionalMode::PerPoint { per_point } => {
            (max - *per_point * (target - v) * Decimal::ONE_HUNDRED).max(Decimal::ZERO)
        }
    }
}

pub(crate) fn column(cx: &Cx, col: &mut Column) {
    let (metric, target, mode) = params(cx);
    let (m, _) = cx.metric_def(metric);
    for u in 0..cx.n_units() {
        match cx.metric(u, m) {
            Some(v) => {
                col.info.ranked += 1;
                col.set(u, raw(cx.clause.max, v, target, mode), Detail::Value);
            }
            None => {
                col.info.missing += 1;
                col.missing(u, Detail::Missing(Missing::NoMetric));
            }
        }
    }
}

pub(crate) fn explain(cx: &Cx, u: u32, r: &ClauseResult) -> String {
    let (metric, target, mode) = params(cx);
    let (m, def) = cx.metric_def(metric);
    let Some(v) = cx.metric(u, m).filter(|_| !r.is_missing()) else {
        return format!("缺少{}数据，未计分", def.name);
    };
    let max = cx.clause.max;
    let (vs, ts) = (def.show(v), def.show(target));
    if v >= target {
        return format!("{} {vs}，达到目标 {ts}，得满分 {}", def.name, pts(max));
    }
    let x = raw(max, v, target, mode);
    match mode {
        ProportionalMode::Ratio => format!(
            "{} {vs}，不足目标 {ts}，按比例得分 {} × {vs} ÷ {ts} {}",
            def.name,
            pts(max),
            super::equals(x, r.score)
        ),
        ProportionalMode::PerPoint { per_point } => {
            let gap = (target - v) * Decimal::ONE_HUNDRED;
            format!(
                "{} {vs}，比目标 {ts} 低 {} 个百分点，{}",
                def.name,
                pts(gap),
                super::minus_times(max, gap, *per_point, r.score)
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
    fn ratio_method() {
        let r = rubric(
            "0.05",
            r#"kind = "proportional", metric = "rate", target = "0.95""#,
        );
        let inputs = Inputs {
            units: units(3),
            metrics: vec![metric("U01", "rate", "0.97"), metric("U02", "rate", "0.9")],
            ..Default::default()
        };
        let t = table(&score(&r, &inputs));
        assert_eq!(t[0].2, "认领率 97.00%，达到目标 95.00%，得满分 0.05");
        assert_eq!(t[1].1, "0.0474");
        assert_eq!(
            t[1].2,
            "认领率 90.00%，不足目标 95.00%，按比例得分 0.05 × 90.00% ÷ 95.00% = 0.04736842…，四舍五入得 0.0474"
        );
        assert_eq!(t[2].1, "missing");
    }

    #[test]
    fn per_point_method() {
        let r = rubric(
            "0.05",
            r#"kind = "proportional", metric = "rate", target = "0.95", mode = "per_point", per_point = "0.01""#,
        );
        let inputs = Inputs {
            units: units(2),
            metrics: vec![metric("U01", "rate", "0.935"), metric("U02", "rate", "0.5")],
            ..Default::default()
        };
        let t = table(&score(&r, &inputs));
        assert_eq!(t[0].1, "0.0350");
        assert_eq!(
            t[0].2,
            "认领率 93.50%，比目标 95.00% 低 1.5 个百分点，0.05 − 1.5 × 0.01 = 0.035"
        );
        assert_eq!(t[1].1, "0.0000");
    }
}
