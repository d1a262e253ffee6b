//! 例数来源 — where the count n of a per-instance or deduction clause comes from: the findings rows
//! of the unit (each one a receipt), or a count metric (e.g. `overdue_cases` from the platform).
//! Never both for one unit and clause: the index rejects that as two disagreeing sources.
//! A clause whose rule names a metric is `missing` for a unit with neither source (not a silent 0);
//! a clause without a metric takes its findings as the complete record, so no findings means n = 0.

use crate::column::Cx;
use crate::result::{Detail, Missing};
use crate::rubric::fields::RuleFields;
use crate::rubric::{MetricDef, MetricKind, Rubric};

/// Reads the optional `metric` of a per-instance or deduction rule, which must be a `count` metric:
/// `Some(None)` when the rule names none, `None` when the one it names is not declared.
pub(crate) fn count_metric(r: &mut RuleFields) -> Option<Option<String>> {
    if !r.has("metric") {
        return Some(None);
    }
    let m = r.metric("metric")?;
    if let Some(def) = r.metric_def(&m)
        && def.kind != MetricKind::Count
    {
        r.err(
            "metric",
            format!(
                "按例扣分的指标“{m}”应为计数（kind = \"count\"），实为 {}",
                def.kind.key()
            ),
        );
    }
    Some(Some(m))
}

/// Where n comes from, as a rule's description says it: `指标 超期办件（overdue_cases）或问题记录`.
pub(crate) fn source(rubric: &Rubric, metric: Option<&str>) -> String {
    metric
        .map(|m| format!("指标 {} 或问题记录", rubric.metric_name(m)))
        .unwrap_or_else(|| "问题记录".into())
}

/// The metric index of a rule's count metric, resolved once per column.
pub(crate) fn metric_index(cx: &Cx, metric: Option<&str>) -> Option<usize> {
    metric.map(|key| cx.metric_def(key).0)
}

/// (n, from_findings), or why it is missing. `metric` is from [`metric_index`].
pub(crate) fn count(cx: &Cx, u: u32, metric: Option<usize>) -> Result<(u32, bool), Missing> {
    let n = cx.n_findings(u);
    if n > 0 {
        return Ok((n as u32, true));
    }
    match metric {
        None => Ok((0, true)),
        Some(m) => match cx.metric(u, m) {
            Some(v) => Ok((v.trunc().try_into().unwrap_or(u32::MAX), false)),
            None => Err(Missing::NoCount),
        },
    }
}

/// What is counted, as the clerk reads it: `超期办件 3件` from a metric, `超期办件 3件（逐条见明细）` from
/// records of a clause that names its metric, `发现问题 3例` otherwise.
pub(crate) fn what(cx: &Cx, metric: Option<&str>, n: u32, from_findings: bool) -> String {
    match metric {
        Some(key) => {
            let (_, def): (usize, &MetricDef) = cx.metric_def(key);
            let v = def.show(n.into());
            if from_findings && n > 0 {
                format!("{} {v}（逐条见明细）", def.name)
            } else {
                format!("{} {v}", def.name)
            }
        }
        None => format!("发现问题 {n}例"),
    }
}

/// The explanation of a missing count (or of a unit not inspected where a record is required).
pub(crate) fn missing(cx: &Cx, metric: Option<&str>, detail: Detail) -> String {
    if detail == Detail::Missing(Missing::NotInspected) {
        return "未检查（无检查记录），未计分".to_string();
    }
    match metric {
        Some(key) => {
            let (_, def) = cx.metric_def(key);
            format!("缺少{}数据（既无指标数值，也无问题记录），未计分", def.name)
        }
        None => "缺少问题记录，未计分".to_string(),
    }
}
