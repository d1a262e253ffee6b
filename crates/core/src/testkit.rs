//! Builders for the unit tests of the rule kinds: a one-clause rubric and small inputs.

use crate::input::*;
use crate::result::Scored;
use crate::rubric::{Rubric, load};
use rust_decimal::Decimal;

pub fn d(s: &str) -> Decimal {
    crate::num::parse_decimal(s).unwrap()
}

/// A rubric with one clause `1.1.1` of `max` points under `rule` (TOML inline table body).
pub fn rubric(max: &str, rule: &str) -> Rubric {
    let text = format!(
        r#"
id = "t"
title = "测试"
year = 2021
source = "unit test"
max_total = "{max}"
[[metrics]]
key = "rate"
name = "认领率"
kind = "rate"
[[metrics]]
key = "volume"
name = "办件量"
kind = "count"
unit_label = "件"
[[metrics]]
key = "coverage"
name = "覆盖率"
kind = "rate"
[[metrics]]
key = "defects"
name = "问题数"
kind = "count"
unit_label = "例"
[[indicators]]
id = "1"
name = "指标"
max = "{max}"
[[indicators.items]]
id = "1.1"
name = "类目"
max = "{max}"
[[indicators.items.clauses]]
id = "1.1.1"
title = "条款"
text = "原文"
max = "{max}"
method = "查资料"
rule = {{ {rule} }}
"#
    );
    let (r, problems) = load("t.toml", &text);
    assert!(problems.is_empty(), "{problems:#?}");
    r.unwrap()
}

pub fn units(n: usize) -> Vec<Unit> {
    (1..=n)
        .map(|i| Unit {
            code: format!("U{i:02}").into(),
            name: format!("单位{i}"),
            kind: "镇".into(),
            origin: None,
        })
        .collect()
}

pub fn metric(unit: &str, key: &str, v: &str) -> MetricEntry {
    MetricEntry {
        unit: unit.into(),
        metric: key.into(),
        value: d(v),
        origin: None,
    }
}

pub fn finding(unit: &str, text: &str) -> FindingEntry {
    FindingEntry {
        unit: unit.into(),
        clause: "1.1.1".into(),
        description: text.into(),
        evidence: None,
        finding_type: None,
        points: None,
        reason: None,
        origin: None,
    }
}

/// (code, score or "missing", explanation), by unit code.
pub fn table(s: &Scored) -> Vec<(String, String, String)> {
    let mut rows: Vec<_> = s
        .units
        .iter()
        .map(|u| {
            let r = s.clauses(u)[0];
            (
                s.unit(u).code.to_string(),
                r.score()
                    .map(|v| crate::num::round_points(v, s.rubric.precision).to_string())
                    .unwrap_or_else(|| "missing".into()),
                s.explain(u, 0),
            )
        })
        .collect();
    rows.sort();
    rows
}

pub fn scores(s: &Scored) -> Vec<String> {
    table(s).into_iter().map(|r| r.1).collect()
}
