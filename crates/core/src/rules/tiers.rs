//! tiers — 阶梯计分: a threshold ladder, e.g. "≥80% 得2分，≥70% 得1.5分，≥60% 得1分".
//!
//! Not in the 2021 seed; other rubrics use it. Formula: the points of the first (best) tier the value
//! reaches — `value ≥ threshold` when higher is better, `value ≤ threshold` when lower is better;
//! below every tier, 0. Edge cases: a value exactly at a threshold reaches it; no value is `missing`.
//!
//! Parameters (`rule = { kind = "tiers", … }`):
//! - `metric` (required): the metric compared, declared in `[[metrics]]`.
//! - `better` (optional, `"higher"` by default, or `"lower"`): which way a threshold is reached.
//! - `tiers` (required, at least one): a list of `{ threshold, points }`, the best tier first: each
//!   threshold worse than the one before, its `points` (in [0, max]) no more.
//!
//! Worked case (max 2): `{ kind = "tiers", metric = "online_rate", tiers = [{ threshold = "0.8",
//! points = "2" }, { threshold = "0.7", points = "1.5" }, { threshold = "0.6", points = "1" }] }`:
//! 75% reaches `≥ 70.00%` and gets 1.5; 59.99% gets `未达到最低一档（≥ 60.00%），得 0`.

use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, Detail, Missing};
use crate::rubric::fields::RuleFields;
use crate::rubric::write::{Param, Params};
use crate::rubric::{Better, Rubric};
use rust_decimal::Decimal;

pub(crate) const KIND: &str = "tiers";
pub(crate) const LABEL: &str = "阶梯计分";
pub(crate) const KEYS: &[&str] = &["kind", "metric", "better", "tiers"];

/// 阶梯: the highest tier reached; below every tier, 0.
#[derive(Debug, Clone)]
pub struct Tiers {
    pub metric: String,
    pub better: Better,
    /// Best first.
    pub tiers: Vec<Tier>,
}

/// One step of a threshold ladder: a value at least (or, for lower-is-better, at most) `threshold`
/// earns `points`.
#[derive(Debug, Clone)]
pub struct Tier {
    pub threshold: Decimal,
    pub points: Decimal,
}

impl Tiers {
    pub(crate) fn parse(r: &mut RuleFields) -> Option<Self> {
        let metric = r.metric("metric");
        let better = r.better("better");
        let mut tiers = Vec::new();
        for (i, tt) in r.tables("tiers", true).into_iter().enumerate() {
            let path = format!("{}[{}]", r.at("tiers"), i + 1);
            let mut t = r.nested(tt, &path);
            t.unknown_keys(&["threshold", "points"]);
            let threshold = t.decimal("threshold");
            let points = t.decimal("points");
            t.points_le_max(points, "points", "档位得分");
            if let (Some(threshold), Some(points)) = (threshold, points) {
                tiers.push(Tier { threshold, points });
            }
        }
        if tiers.is_empty() && r.has("tiers") {
            r.err("tiers", "阶梯至少需要一档".into());
        }
        for w in tiers.windows(2) {
            let ordered = match better {
                Better::Higher => w[1].threshold < w[0].threshold,
                Better::Lower => w[1].threshold > w[0].threshold,
            };
            if !ordered || w[1].points > w[0].points {
                r.err(
                    "tiers",
                    "阶梯应从最好的一档排起：门槛依次变差，得分不增".into(),
                );
                break;
            }
        }
        Some(Tiers {
            metric: metric?,
            better,
            tiers,
        })
    }

    fn op(&self) -> &'static str {
        match self.better {
            Better::Higher => "≥",
            Better::Lower => "≤",
        }
    }

    pub(crate) fn describe(&self, rubric: &Rubric) -> String {
        let (metric, op) = (&self.metric, self.op());
        format!(
            "按{}分档：{}；未达最低档得 0",
            rubric.metric_name(metric),
            self.tiers
                .iter()
                .map(|t| format!(
                    "{op} {} 得 {}",
                    rubric.threshold(metric, t.threshold),
                    pts(t.points)
                ))
                .collect::<Vec<_>>()
                .join("，")
        )
    }

    fn reaches(&self, v: Decimal, t: &Tier) -> bool {
        match self.better {
            Better::Higher => v >= t.threshold,
            Better::Lower => v <= t.threshold,
        }
    }

    pub(crate) fn column(&self, cx: &Cx, col: &mut Column) {
        let (m, _) = cx.metric_def(&self.metric);
        for u in cx.rows() {
            match cx.metric(u, m) {
                Some(v) => {
                    col.info.ranked += 1;
                    let tier = self.tiers.iter().position(|t| self.reaches(v, t));
                    let raw = tier.map(|i| self.tiers[i].points).unwrap_or_default();
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

    pub(crate) fn explain(&self, cx: &Cx, u: u32, r: &ClauseResult) -> String {
        let (m, def) = cx.metric_def(&self.metric);
        let (Detail::Tier { tier }, Some(v)) = (r.detail, cx.metric(u, m)) else {
            return format!("缺少{}数据，未计分", def.name);
        };
        let op = self.op();
        let vs = def.show(v);
        match tier {
            Some(i) => {
                let t = &self.tiers[i as usize];
                format!(
                    "{} {vs}，达到“{op} {}”一档，得 {}",
                    def.name,
                    def.show(t.threshold),
                    pts(t.points)
                )
            }
            None => {
                let last = self.tiers.last().expect("validated: at least one tier");
                format!(
                    "{} {vs}，未达到最低一档（{op} {}），得 0",
                    def.name,
                    def.show(last.threshold)
                )
            }
        }
    }

    /// Its parameters as a rubric writes them ([`crate::rubric::write`]); each tier with both
    /// fields.
    pub(crate) fn params(&self) -> Params {
        let mut out = vec![("metric", Param::Text(self.metric.clone()))];
        self.better.unless_higher(&mut out);
        let tiers = self
            .tiers
            .iter()
            .map(|t| {
                vec![
                    ("threshold", t.threshold.to_string()),
                    ("points", t.points.to_string()),
                ]
            })
            .collect();
        out.push(("tiers", Param::List(tiers)));
        out
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
