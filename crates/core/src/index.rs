//! 校验与索引 — checks the inputs against the rubric and indexes them densely (unit × clause,
//! unit × metric) so that scoring is a walk over arrays. Every rejected entry becomes a problem with
//! its origin; a rejected entry is never used, so its clause shows as `missing`.

use crate::input::Inputs;
use crate::num::pts;
use crate::problem::Problem;
use crate::rubric::{Rubric, Rule};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

pub(crate) const NONE: u32 = u32::MAX;

/// Dense indices of the inputs of one run.
#[derive(Clone)]
pub(crate) struct Index {
    /// Input unit index of each scored unit (duplicates removed).
    pub units: Vec<u32>,
    pub n_clauses: usize,
    pub n_metrics: usize,
    /// scored unit × metric → index into `Inputs::metrics`, or NONE.
    pub metric: Vec<u32>,
    /// scored unit × clause → index into `Inputs::judgements`, or NONE.
    pub judgement: Vec<u32>,
    /// (scored unit, clause) → indices into `Inputs::findings`.
    pub findings: FxHashMap<(u32, u32), Vec<u32>>,
    /// (scored unit, clause) → indices into `Inputs::bonuses`.
    pub bonuses: FxHashMap<(u32, u32), Vec<u32>>,
    /// (scored unit, clause) → indices into `Inputs::inspections`.
    pub inspections: FxHashMap<(u32, u32), Vec<u32>>,
}

impl Index {
    pub fn metric(&self, u: u32, m: usize) -> u32 {
        self.metric[u as usize * self.n_metrics + m]
    }
    pub fn judgement(&self, u: u32, c: usize) -> u32 {
        self.judgement[u as usize * self.n_clauses + c]
    }
    pub fn findings(&self, u: u32, c: usize) -> &[u32] {
        self.findings
            .get(&(u, c as u32))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
    pub fn inspections(&self, u: u32, c: usize) -> &[u32] {
        self.inspections
            .get(&(u, c as u32))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
    pub fn bonuses(&self, u: u32, c: usize) -> &[u32] {
        self.bonuses
            .get(&(u, c as u32))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// A name → index map that first tries the last hit and the one after it: input tables are nearly
/// always grouped by unit and in the rubric's clause order, so most look-ups never hash.
pub(crate) struct Lookup<'a> {
    keys: Vec<&'a str>,
    map: FxHashMap<&'a str, u32>,
    last: usize,
}

/// Equality of short ids (unit codes, clause ids) without a call into `memcmp`: the lengths first,
/// then eight bytes at a time.
#[inline]
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    if std::ptr::eq(a.as_ptr(), b.as_ptr()) {
        return true; // the same interned id
    }
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        if u64::from_ne_bytes(x.try_into().expect("8 bytes"))
            != u64::from_ne_bytes(y.try_into().expect("8 bytes"))
        {
            return false;
        }
    }
    ca.remainder()
        .iter()
        .zip(cb.remainder())
        .all(|(x, y)| x == y)
}

impl<'a> Lookup<'a> {
    pub(crate) fn new(keys: Vec<&'a str>) -> Self {
        let map = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, i as u32))
            .collect();
        Lookup { keys, map, last: 0 }
    }
    pub(crate) fn get(&mut self, k: &str) -> Option<usize> {
        for i in [self.last, self.last + 1] {
            if self.keys.get(i).is_some_and(|x| same(x, k)) {
                self.last = i;
                return Some(i);
            }
        }
        let i = *self.map.get(k)? as usize;
        self.last = i;
        Some(i)
    }
}

pub(crate) fn build(rubric: &Rubric, inputs: &Inputs, problems: &mut Vec<Problem>) -> Index {
    let mut unit_of: FxHashMap<&str, u32> = FxHashMap::default();
    unit_of.reserve(inputs.units.len());
    let mut units = Vec::with_capacity(inputs.units.len());
    for (i, unit) in inputs.units.iter().enumerate() {
        if unit.code.trim().is_empty() {
            problems.push(
                Problem::error("单位编码为空")
                    .at(unit.origin.as_ref().map(|o| o.with_column("单位编码")))
                    .expected("非空的单位编码，如区划代码 320623001"),
            );
            continue;
        }
        if unit_of.contains_key(unit.code.as_ref()) {
            problems.push(
                Problem::error(format!("单位“{}”（{}）重复出现", unit.code, unit.name))
                    .at(unit.origin.as_ref().map(|o| o.with_column("单位编码")))
                    .unit(&unit.code)
                    .value(&unit.code)
                    .expected("每个单位只出现一次"),
            );
            continue;
        }
        unit_of.insert(unit.code.as_ref(), units.len() as u32);
        units.push(i as u32);
    }
    let n_units = units.len();
    let n_clauses = rubric.clauses.len();
    let n_metrics = rubric.metrics.len();
    let mut ix = Index {
        units,
        n_clauses,
        n_metrics,
        metric: vec![NONE; n_units * n_metrics],
        judgement: vec![NONE; n_units * n_clauses],
        findings: FxHashMap::default(),
        bonuses: FxHashMap::default(),
        inspections: FxHashMap::default(),
    };
    let mut l = lookups(rubric, inputs, &ix);
    metrics(rubric, inputs, &mut ix, &mut l, problems);
    judgements(
        rubric,
        inputs,
        0..inputs.judgements.len(),
        &mut ix,
        &mut l,
        problems,
    );
    findings(rubric, inputs, &mut ix, &mut l, problems);
    bonuses(rubric, inputs, &mut ix, &mut l, problems);
    inspections(rubric, inputs, &mut ix, &mut l, problems);
    conflicts(rubric, inputs, &mut ix, &mut l, problems);
    ix
}

/// Checks and indexes the metric entries into `ix.metric`, whose slots start NONE.
pub(crate) fn metrics(
    rubric: &Rubric,
    inputs: &Inputs,
    ix: &mut Index,
    l: &mut Lookups,
    problems: &mut Vec<Problem>,
) {
    for (ei, e) in inputs.metrics.iter().enumerate() {
        let Some(u) = l.unit_at.get(&e.unit).map(|u| u as u32) else {
            problems.push(unknown_unit(&e.unit, &e.origin));
            continue;
        };
        let Some(m) = l.metric_of.get(&e.metric) else {
            let known: Vec<&str> = rubric.metrics.iter().map(|m| m.key.as_ref()).collect();
            problems.push(
                Problem::error(format!("未知指标“{}”", e.metric))
                    .at(e.origin.as_ref().map(|o| o.with_column("指标")))
                    .unit(&e.unit)
                    .value(&e.metric)
                    .expected(format!("细则定义的指标之一：{}", known.join("、"))),
            );
            continue;
        };
        let def = &rubric.metrics[m];
        if let Some(expected) = def.kind.out_of_range(e.value) {
            problems.push(
                Problem::error(format!("{}的值超出范围", def.name))
                    .at(e.origin.as_ref().map(|o| o.with_column("数值")))
                    .unit(&e.unit)
                    .value(pts(e.value))
                    .expected(expected),
            );
            continue;
        }
        let slot = &mut ix.metric[u as usize * ix.n_metrics + m];
        if *slot != NONE {
            let first = &inputs.metrics[*slot as usize];
            problems.push(
                Problem::error(format!(
                    "单位“{}”的{}出现两次（{} 与 {}）",
                    e.unit,
                    def.name,
                    pts(first.value),
                    pts(e.value)
                ))
                .at(e.origin.clone())
                .unit(&e.unit)
                .value(pts(e.value))
                .expected("每个单位每个指标一行"),
            );
            continue;
        }
        *slot = ei as u32;
    }
}

/// Checks and indexes the findings (问题记录) into `ix.findings`, which starts empty.
pub(crate) fn findings(
    rubric: &Rubric,
    inputs: &Inputs,
    ix: &mut Index,
    l: &mut Lookups,
    problems: &mut Vec<Problem>,
) {
    for (ei, e) in inputs.findings.iter().enumerate() {
        let Some(u) = l.unit_at.get(&e.unit).map(|u| u as u32) else {
            problems.push(unknown_unit(&e.unit, &e.origin));
            continue;
        };
        let Some(c) = l.clause_of.get(&e.clause) else {
            problems.push(unknown_clause(rubric, &e.clause, &e.unit, &e.origin));
            continue;
        };
        let clause = &rubric.clauses[c];
        if !clause.rule.takes_findings() {
            problems.push(
                Problem::error(format!(
                    "条款 {} 按“{}”计分，不接受问题记录",
                    clause.id,
                    clause.rule.label()
                ))
                .at(e.origin.as_ref().map(|o| o.with_column("条款")))
                .unit(&e.unit)
                .clause(&clause.id)
                .value(&e.clause)
                .expected("每例扣分、逐项扣分或单项否决类条款"),
            );
            continue;
        }
        if e.description.trim().is_empty() {
            problems.push(
                Problem::error("问题描述为空")
                    .at(e.origin.as_ref().map(|o| o.with_column("问题描述")))
                    .unit(&e.unit)
                    .clause(&clause.id)
                    .expected("写明发现的问题（每一例都要有记录）"),
            );
            continue;
        }
        if let Some(p) = clause.rule.counting().check(clause, e) {
            problems.push(p);
            continue;
        }
        ix.findings
            .entry((u, c as u32))
            .or_default()
            .push(ei as u32);
    }
}

/// Checks and indexes the bonus entries (加分) into `ix.bonuses`, which starts empty.
pub(crate) fn bonuses(
    rubric: &Rubric,
    inputs: &Inputs,
    ix: &mut Index,
    l: &mut Lookups,
    problems: &mut Vec<Problem>,
) {
    for (ei, e) in inputs.bonuses.iter().enumerate() {
        let Some(u) = l.unit_at.get(&e.unit).map(|u| u as u32) else {
            problems.push(unknown_unit(&e.unit, &e.origin));
            continue;
        };
        let Some(c) = l.clause_of.get(&e.clause) else {
            problems.push(unknown_clause(rubric, &e.clause, &e.unit, &e.origin));
            continue;
        };
        let clause = &rubric.clauses[c];
        if !clause.is_bonus() {
            problems.push(
                Problem::error(format!("条款 {} 不是加分条款", clause.id))
                    .at(e.origin.as_ref().map(|o| o.with_column("条款")))
                    .unit(&e.unit)
                    .clause(&clause.id)
                    .value(&e.clause)
                    .expected("加分类条款（bonus）"),
            );
            continue;
        }
        if e.points <= Decimal::ZERO {
            problems.push(
                Problem::error("加分应大于 0")
                    .at(e.origin.as_ref().map(|o| o.with_column("加分")))
                    .unit(&e.unit)
                    .clause(&clause.id)
                    .value(pts(e.points))
                    .expected("大于 0 的分值"),
            );
            continue;
        }
        if e.reason.trim().is_empty() {
            problems.push(
                Problem::error("加分须写明理由")
                    .at(e.origin.as_ref().map(|o| o.with_column("理由")))
                    .unit(&e.unit)
                    .clause(&clause.id)
                    .expected("加分理由（特色亮点工作是什么）"),
            );
            continue;
        }
        ix.bonuses.entry((u, c as u32)).or_default().push(ei as u32);
    }
}

/// Checks and indexes the inspection records (检查记录) into `ix.inspections`, which starts empty.
pub(crate) fn inspections(
    rubric: &Rubric,
    inputs: &Inputs,
    ix: &mut Index,
    l: &mut Lookups,
    problems: &mut Vec<Problem>,
) {
    for (ei, e) in inputs.inspections.iter().enumerate() {
        let Some(u) = l.unit_at.get(&e.unit).map(|u| u as u32) else {
            problems.push(unknown_unit(&e.unit, &e.origin));
            continue;
        };
        let Some(c) = l.clause_of.get(&e.clause) else {
            problems.push(unknown_clause(rubric, &e.clause, &e.unit, &e.origin));
            continue;
        };
        let clause = &rubric.clauses[c];
        let why = if !clause.rule.counting().inspection {
            Some((
                "条款",
                format!("条款 {} 不要求检查记录", clause.id),
                "写有 inspection = \"required\" 的条款",
            ))
        } else if e.inspector.trim().is_empty() {
            Some(("检查人", "检查记录未写检查人".into(), "检查人姓名"))
        } else {
            None
        };
        if let Some((col, msg, expected)) = why {
            problems.push(
                Problem::error(msg)
                    .at(e.origin.as_ref().map(|o| o.with_column(col)))
                    .unit(&e.unit)
                    .clause(&clause.id)
                    .expected(expected),
            );
            continue;
        }
        ix.inspections
            .entry((u, c as u32))
            .or_default()
            .push(ei as u32);
    }
}

/// 两个来源不一致: reports (and drops) a count given both by a metric and by findings rows.
pub(crate) fn conflicts(
    rubric: &Rubric,
    inputs: &Inputs,
    ix: &mut Index,
    l: &mut Lookups,
    problems: &mut Vec<Problem>,
) {
    // 两个来源不一致: a count from a metric and from findings rows for the same unit and clause.
    for (ci, clause) in rubric.clauses.iter().enumerate() {
        let Some(metric) = clause.rule.count_metric() else {
            continue;
        };
        let m = l.metric_of.get(metric).expect("validated metric key");
        let mut conflicts: Vec<(u32, u32)> = ix
            .findings
            .keys()
            .filter(|(u, c)| *c as usize == ci && ix.metric(*u, m) != NONE)
            .copied()
            .collect();
        conflicts.sort_unstable();
        for key in conflicts {
            let (u, _) = key;
            let entry = &inputs.metrics[ix.metric(u, m) as usize];
            let n = ix.findings[&key].len();
            let first = &inputs.findings[ix.findings[&key][0] as usize];
            problems.push(
                Problem::error(format!(
                    "条款 {} 的例数有两个来源：指标 {} = {}，另有 {} 条问题记录（{}）",
                    clause.id,
                    metric,
                    pts(entry.value),
                    n,
                    first
                        .origin
                        .as_ref()
                        .map(|o| o.to_string())
                        .unwrap_or_default()
                ))
                .at(entry.origin.clone())
                .unit(&entry.unit)
                .clause(&clause.id)
                .value(pts(entry.value))
                .expected("同一单位同一条款只用一个来源：指标数值或问题记录"),
            );
            ix.findings.remove(&key);
            ix.metric[u as usize * ix.n_metrics + m] = NONE;
        }
    }
}

/// 未知单位: an entry naming a unit the unit table does not have.
fn unknown_unit(code: &str, origin: &Option<crate::problem::Origin>) -> Problem {
    Problem::error(format!("未知单位“{code}”：单位表中没有这个单位"))
        .at(origin.as_ref().map(|o| o.with_column("单位")))
        .value(code)
        .expected("单位表中的单位编码或单位名称")
}

/// 未知条款: an entry naming a clause the rubric does not have, with the rubric's clause ids.
fn unknown_clause(
    rubric: &Rubric,
    clause: &str,
    unit: &str,
    origin: &Option<crate::problem::Origin>,
) -> Problem {
    let ids: Vec<&str> = rubric.clauses.iter().map(|c| c.id.as_ref()).collect();
    Problem::error(format!("未知条款“{clause}”"))
        .at(origin.as_ref().map(|o| o.with_column("条款")))
        .unit(unit)
        .value(clause)
        .expected(format!("细则的条款编号之一：{}", ids.join("、")))
}

/// The lookups of unit codes (scored units, in row order), clause ids and metric keys that the
/// indexing of each table reads.
pub(crate) struct Lookups<'a> {
    pub unit_at: Lookup<'a>,
    pub clause_of: Lookup<'a>,
    pub metric_of: Lookup<'a>,
}

pub(crate) fn lookups<'a>(rubric: &'a Rubric, inputs: &'a Inputs, ix: &Index) -> Lookups<'a> {
    Lookups {
        unit_at: Lookup::new(
            ix.units
                .iter()
                .map(|&i| inputs.units[i as usize].code.as_ref())
                .collect(),
        ),
        clause_of: Lookup::new(rubric.clauses.iter().map(|c| c.id.as_ref()).collect()),
        metric_of: Lookup::new(rubric.metrics.iter().map(|m| m.key.as_ref()).collect()),
    }
}

/// Checks and indexes the judgement entries (评分) at `entries` (positions in
/// `Inputs::judgements`) into `ix.judgement`, whose slots for them start NONE.
pub(crate) fn judgements(
    rubric: &Rubric,
    inputs: &Inputs,
    entries: impl Iterator<Item = usize>,
    ix: &mut Index,
    l: &mut Lookups,
    problems: &mut Vec<Problem>,
) {
    let n_clauses = ix.n_clauses;
    for ei in entries {
        let e = &inputs.judgements[ei];
        let Some(u) = l.unit_at.get(&e.unit).map(|u| u as u32) else {
            problems.push(unknown_unit(&e.unit, &e.origin));
            continue;
        };
        let Some(c) = l.clause_of.get(&e.clause) else {
            problems.push(unknown_clause(rubric, &e.clause, &e.unit, &e.origin));
            continue;
        };
        let clause = &rubric.clauses[c];
        if !matches!(clause.rule, Rule::Judgement) {
            problems.push(
                Problem::error(format!(
                    "条款 {} 按“{}”计分，不能录入评分",
                    clause.id,
                    clause.rule.label()
                ))
                .at(e.origin.as_ref().map(|o| o.with_column("条款")))
                .unit(&e.unit)
                .clause(&clause.id)
                .value(&e.clause)
                .expected("评定类条款（judgement）"),
            );
            continue;
        }
        if e.score < Decimal::ZERO || e.score > clause.max {
            problems.push(
                Problem::error(format!("得分超出条款 {} 的分值范围", clause.id))
                    .at(e.origin.as_ref().map(|o| o.with_column("得分")))
                    .unit(&e.unit)
                    .clause(&clause.id)
                    .value(pts(e.score))
                    .expected(format!("0 到 {} 之间", pts(clause.max))),
            );
            continue;
        }
        if e.score < clause.max && e.reason.trim().is_empty() {
            problems.push(
                Problem::error(format!(
                    "得分 {} 低于满分 {}，须填写扣分理由",
                    pts(e.score),
                    pts(clause.max)
                ))
                .at(e.origin.as_ref().map(|o| o.with_column("理由")))
                .unit(&e.unit)
                .clause(&clause.id)
                .value("")
                .expected("扣分理由（说明扣分原因）"),
            );
            continue;
        }
        let slot = &mut ix.judgement[u as usize * n_clauses + c];
        if *slot != NONE {
            problems.push(
                Problem::error(format!("单位“{}”的条款 {} 有两条评分", e.unit, clause.id))
                    .at(e.origin.clone())
                    .unit(&e.unit)
                    .clause(&clause.id)
                    .expected("每个单位每个评定条款一行"),
            );
            continue;
        }
        *slot = ei as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_is_string_equality() {
        for (a, b) in [
            ("", ""),
            ("1.4.3a", "1.4.3a"),
            ("320623001", "320623001"),
            ("320623001", "320623002"),
            ("1.4.3a", "1.4.3b"),
            ("abc", "abcd"),
            ("掘港街道", "掘港街道"),
            ("0123456789abcdefX", "0123456789abcdefY"),
        ] {
            assert_eq!(same(a, b), a == b, "{a} {b}");
        }
    }

    #[test]
    fn lookup_finds_every_key_in_any_order() {
        let keys = vec!["a", "b", "c", "d"];
        let mut l = Lookup::new(keys.clone());
        for k in ["a", "b", "b", "d", "a", "c", "x", "c"] {
            assert_eq!(l.get(k), keys.iter().position(|x| *x == k), "{k}");
        }
    }
}
