//! proportional — 按比例扣分: "对满意度不足95%的按比例进行扣分".
//!
//! Seed: 1.6.2 (帮办代办满意度). Formula (比率法, default): `max × min(1, actual / target)`, target 0.95.
//! Alternative (`mode = "per_point"`): "每低1个百分点扣X分": `max(0, max − X × (target − actual) × 100)`,
//! with the shortfall in percentage points taken exactly (4.5 points below deducts 4.5 × X).
//! Edge cases: at or above target gives max; no value is `missing`.
//!
//! Parameters (`rule = { kind = "proportional", … }`):
//! - `metric` (required): the metric compared, declared in `[[metrics]]`.
//! - `target` (required, > 0): the value that earns max; for a `rate` metric written as a fraction
//!   (`"0.95"`, not `"95"`).
//! - `mode` (optional): `"ratio"` (比率法, the default) or `"per_point"`.
//! - `per_point` (required with `mode = "per_point"`, > 0): X, the points per percentage point below.
//!
//! Worked case (1.6.2, max 0.05): `{ kind = "proportional", metric = "agent_satisfaction", target =
//! "0.95" }`, a unit at 90%: `帮办代办满意度 90.00%，不足目标 95.00%，按比例得分 0.05 × 90.00% ÷ 95.00% =
//! 0.04736842…，四舍五入得 0.0474`.

use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, Detail, Missing};
use crate::rubric::fields::RuleFields;
use crate::rubric::write::{Param, Params};
use crate::rubric::{MetricKind, Rubric};
use rust_decimal::Decimal;

pub(crate) const KIND: &str = "proportional";
pub(crate) const LABEL: &str = "按比例扣分";
pub(crate) const KEYS: &[&str] = &["kind", "metric", "target", "mode", "per_point"];

/// 按比例扣分 below a target.
#[derive(Debug, Clone)]
pub struct Proportional {
    pub metric: String,
    pub target: Decimal,
    pub mode: ProportionalMode,
}

/// How a proportional rule deducts.
#[derive(Debug, Clone)]
pub enum ProportionalMode {
    /// 比率法: `max × min(1, actual / target)`
    Ratio,
    /// 每低1个百分点扣X分: `max(0, max − X × (target − actual) × 100)`
    PerPoint { per_point: Decimal },
}

impl Proportional {
    pub(crate) fn parse(r: &mut RuleFields) -> Option<Self> {
        let metric = r.metric("metric");
        let target = r.decimal("target");
        r.positive(target, "target", "目标值");
        let mode = match r.opt_string("mode").as_deref() {
            None | Some("ratio") => Some(ProportionalMode::Ratio),
            Some("per_point") => {
                let pp = r.decimal("per_point");
                r.positive(pp, "per_point", "每百分点扣分");
                pp.map(|per_point| ProportionalMode::PerPoint { per_point })
            }
            Some(other) => {
                r.err(
                    "mode",
                    format!(
                        "“mode”应为 ratio（比率法）或 per_point（每低1个百分点扣分），实为“{other}”"
                    ),
                );
                None
            }
        };
        if let (Some(m), Some(target)) = (&metric, target)
            && let Some(def) = r.metric_def(m)
            && def.kind == MetricKind::Rate
            && target > Decimal::ONE
        {
            r.err(
                "target",
                format!(
                    "比率指标的目标应写成小数（如 \"0.95\"），实为 {}",
                    target.normalize()
                ),
            );
        }
        Some(Proportional {
            metric: metric?,
            target: target?,
            mode: mode?,
        })
    }

    pub(crate) fn describe(&self, rubric: &Rubric) -> String {
        let (metric, target) = (&self.metric, self.target);
        match self.mode {
            ProportionalMode::Ratio => format!(
                "{}达到 {} 得满分，不足的按比例得分：满分 × 实际 ÷ 目标",
                rubric.metric_name(metric),
                rubric.threshold(metric, target)
            ),
            ProportionalMode::PerPoint { per_point } => format!(
                "{}达到 {} 得满分，每低 1 个百分点扣 {}，扣完为止",
                rubric.metric_name(metric),
                rubric.threshold(metric, target),
                pts(per_point)
            ),
        }
    }

    fn raw(&self, max: Decimal, v: Decimal) -> Decimal {
        if v >= self.target {
            return max;
        }
        match self.mode {
            ProportionalMode::Ratio => max * v / self.target,
            ProportionalMode::PerPoint { per_point } => {
                (max - per_point * (self.target - v) * Decimal::ONE_HUNDRED).max(Decimal::ZERO)
            }
        }
    }

    pub(crate) fn column(&self, cx: &Cx, col: &mut Column) {
        let (m, _) = cx.metric_def(&self.metric);
        for u in cx.rows() {
            match cx.metric(u, m) {
                Some(v) => {
                    col.info.ranked += 1;
                    col.set(u, self.raw(cx.clause.max, v), Detail::Value);
                }
                None => {
                    col.info.missing += 1;
                    col.missing(u, Detail::Missing(Missing::NoMetric));
                }
            }
        }
    }

    pub(crate) fn explain(&self, cx: &Cx, u: u32, r: &ClauseResult) -> String {
        let target = self.target;
        let (m, def) = cx.metric_def(&self.metric);
        let Some(v) = cx.metric(u, m).filter(|_| !r.is_missing()) else {
            return format!("缺少{}数据，未计分", def.name);
        };
        let max = cx.clause.max;
        let (vs, ts) = (def.show(v), def.show(target));
        if v >= target {
            return format!("{} {vs}，达到目标 {ts}，得满分 {}", def.name, pts(max));
        }
        let x = self.raw(max, v);
        match self.mode {
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
                    super::minus_times(max, gap, per_point, r.score)
                )
            }
        }
    }

    /// Its parameters as a rubric writes them ([`crate::rubric::write`]).
    pub(crate) fn params(&self) -> Params {
        let mut out = vec![
            ("metric", Param::Text(self.metric.clone())),
            ("target", Param::Text(self.target.to_string())),
        ];
        if let ProportionalMode::PerPoint { per_point } = self.mode {
            out.push(("mode", Param::Text("per_point".into())));
            out.push(("per_point", Param::Text(per_point.to_string())));
        }
        out
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
