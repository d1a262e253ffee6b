//! 共享扣分额度 — the deductions of several clauses together 扣完为止 at a shared cap: "以上各项扣分
//! 合计不超过本类目分值，扣完为止". Written on an item or an indicator:
//!
//! ```toml
//! [[indicators.items]]
//! id = "1.1"
//! name = "服务规范"
//! max = "10"
//! budget = "10"     # the clauses' deductions together never exceed 10
//! floor = "0"       # optional: the item's score never goes below this (default 0)
//! ```
//!
//! Definition, per unit, over the group's deducting clauses (per_instance, deduction, judgement)
//! that are scored (a missing clause stays missing and is left out):
//! 1. each clause's deduction D_i before its own floor: per_instance `Σ d` (its findings, or
//!    `per × n` from a count metric); deduction `Σ d`, capped only by a `cap` the rule states;
//!    judgement `max − score`;
//! 2. the group deducts `A = min(budget, Σ D_i, max − floor)` (and never more than the scored
//!    clauses' points) — the group's score is `max − A`;
//! 3. A is attributed back to the clauses for display, in clause order: first each clause takes
//!    its own deduction up to its points (`a_i = min(D_i, max_i, what is left of A)`), then what is
//!    left of A (deductions past a clause's own points) fills the other clauses' remaining points,
//!    again in clause order. Each clause then scores `max_i − a_i` (rounded once), in [0, max_i],
//!    and the clause scores add up to the group's score.
//!
//! Bonus, penalty and veto clauses of a group are not pooled; a ranking, ratio, proportional or
//! tier clause cannot sit in a group with a budget (a problem). `budget` in (0, max]; `floor` in
//! [0, max), only with `budget`; an item's budget inside an indicator that has one is a problem.
//! Absent `budget`, every clause keeps its own 扣完为止 as before.
//!
//! Worked case (item 10 = clauses 5 + 5, budget 10): a unit with deductions 1 and 6 (the second
//! clause past its own 5 points). Split, it would score 4 + 0 = 4; pooled: A = min(10, 7) = 7,
//! attributed 1 + 5, then the 1 left over goes to the first clause: 3 + 0 = 3 = 10 − 7. The first
//! clause explains `… 扣 1；类目 1.1（服务规范）各条款共扣 7（共用扣分额度 10，扣完为止）；本条记扣 2，
//! 5 − 2 = 3`.

use crate::column::Cx;
use crate::index::Index;
use crate::input::Inputs;
use crate::num::{pts, round_points};
use crate::result::{ClauseResult, Detail, Scored, UnitResult};
use crate::rubric::fields::Fields;
use crate::rubric::{Clause, Indicator, Rubric, Rule};
use rust_decimal::Decimal;
use toml::Table;

/// 共享扣分额度 of an item or an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The most the group's clauses deduct together.
    pub cap: Decimal,
    /// The group's score never goes below this.
    pub floor: Decimal,
}

/// Reads `budget` and `floor` of an item or indicator table at `path` whose points are `max`.
pub(crate) fn parse(f: &mut Fields, t: &Table, path: &str, max: Option<Decimal>) -> Option<Budget> {
    let at = |k: &str| crate::rubric::fields::join(path, k);
    let cap = f.opt_decimal(t, "budget", path, None);
    let floor = f.opt_decimal(t, "floor", path, None);
    if t.contains_key("floor") && !t.contains_key("budget") {
        f.err(
            &at("floor"),
            None,
            "保底分“floor”只与共享扣分额度“budget”一起使用".into(),
        );
        return None;
    }
    let cap = cap?;
    let floor = floor.unwrap_or(Decimal::ZERO);
    if let Some(max) = max {
        if cap <= Decimal::ZERO || cap > max {
            f.err(
                &at("budget"),
                None,
                format!(
                    "共享扣分额度应大于 0 且不超过本级满分 {}，实为 {}",
                    pts(max),
                    pts(cap)
                ),
            );
        }
        if floor < Decimal::ZERO || floor >= max {
            f.err(
                &at("floor"),
                None,
                format!(
                    "保底分应不小于 0 且小于本级满分 {}，实为 {}",
                    pts(max),
                    pts(floor)
                ),
            );
        }
    }
    Some(Budget { cap, floor })
}

/// Whether a clause's deduction is pooled by a budget.
fn pooled(c: &Clause) -> bool {
    matches!(
        c.rule,
        Rule::PerInstance(_) | Rule::Deduction(_) | Rule::Judgement
    )
}

/// A problem for each clause of a group with a budget that a budget cannot pool, and for an item
/// budget inside an indicator budget. Called by the loader once the clauses are read.
pub(crate) fn check(f: &mut Fields, clauses: &[Clause], indicators: &[Indicator]) {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for ind in indicators {
        let path = format!("指标 {}", ind.id);
        if ind.budget.is_some() {
            let cs = ind.items.iter().flat_map(|i| i.clauses.iter().copied());
            groups.push((path.clone(), cs.collect()));
        }
        for item in &ind.items {
            if item.budget.is_none() {
                continue;
            }
            let ipath = format!("类目 {}", item.id);
            if ind.budget.is_some() {
                f.err(
                    &crate::rubric::fields::join(&ipath, "budget"),
                    None,
                    format!(
                        "指标 {} 已有共享扣分额度，其下类目 {} 不能再设（两级额度会重复计扣）",
                        ind.id, item.id
                    ),
                );
            }
            groups.push((ipath, item.clauses.clone()));
        }
    }
    for (path, cs) in &groups {
        for &ci in cs {
            let c = &clauses[ci];
            if !pooled(c) && !matches!(c.rule, Rule::Bonus(_) | Rule::Penalty(_) | Rule::Veto) {
                f.err(
                    &crate::rubric::fields::join(path, "budget"),
                    Some(&c.id),
                    format!(
                        "共享扣分额度只适用于扣分类条款（每例扣分、逐项扣分、评定），条款 {} 是“{}”",
                        c.id,
                        c.rule.label()
                    ),
                );
            }
        }
    }
}

/// The groups with a budget: (label, points, budget, clause indices in order).
/// Whether clause `ci` shares a deduction budget with others (its score depends on theirs).
pub(crate) fn shares_budget(rubric: &Rubric, ci: usize) -> bool {
    groups(rubric).iter().any(|(_, _, _, cs)| cs.contains(&ci))
}

fn groups(rubric: &Rubric) -> Vec<(String, Decimal, Budget, Vec<usize>)> {
    let mut out = Vec::new();
    for ind in &rubric.indicators {
        if let Some(b) = ind.budget {
            let cs = ind
                .items
                .iter()
                .flat_map(|i| i.clauses.iter().copied())
                .collect();
            out.push((format!("指标 {}（{}）", ind.id, ind.name), ind.max, b, cs));
        }
        for item in &ind.items {
            if let Some(b) = item.budget {
                let label = format!("类目 {}（{}）", item.id, item.name);
                out.push((label, item.max, b, item.clauses.clone()));
            }
        }
    }
    out
}

/// A clause's deduction before its own floor, for unit `u` (its result `r`, scored).
fn deduction(cx: &Cx, u: u32, r: &ClauseResult) -> Decimal {
    match &cx.clause.rule {
        Rule::PerInstance(k) => {
            let m = crate::rules::instances::metric_index(cx, k.metric.as_deref());
            k.counting
                .count(cx, u, m, k.per)
                .map_or(Decimal::ZERO, |(_, _, d)| d)
        }
        Rule::Deduction(k) => {
            let m = crate::rules::instances::metric_index(cx, k.metric.as_deref());
            k.counting
                .count(cx, u, m, k.per)
                .map_or(Decimal::ZERO, |(_, _, d)| k.uncapped(d))
        }
        _ => cx.clause.max - r.score,
    }
}

/// One group's sharing for one unit: (Σ D_i, A, per pooled clause (index, D_i, a_i)).
type Shares = (Decimal, Decimal, Vec<(usize, Decimal, Decimal)>);

fn share<'a>(
    rubric: &'a Rubric,
    cxf: &dyn Fn(usize) -> Cx<'a>,
    cells: &dyn Fn(usize) -> ClauseResult,
    u: u32,
    max: Decimal,
    b: Budget,
    clauses: &[usize],
) -> Shares {
    let mut rows: Vec<(usize, Decimal, Decimal)> = Vec::new();
    for &ci in clauses {
        let c = &rubric.clauses[ci];
        let r = cells(ci);
        if pooled(c) && !r.is_missing() {
            rows.push((ci, deduction(&cxf(ci), u, &r), Decimal::ZERO));
        }
    }
    let sum: Decimal = rows.iter().map(|r| r.1).sum();
    let room: Decimal = rows.iter().map(|r| rubric.clauses[r.0].max).sum();
    let a = sum
        .min(b.cap)
        .min((max - b.floor).max(Decimal::ZERO))
        .min(room);
    let mut left = a;
    for row in rows.iter_mut() {
        let take = row.1.min(rubric.clauses[row.0].max).min(left);
        row.2 = take;
        left -= take;
    }
    for row in rows.iter_mut() {
        let take = (rubric.clauses[row.0].max - row.2).min(left);
        row.2 += take;
        left -= take;
    }
    (sum, a, rows)
}

/// Applies every budget of the rubric to the scored cells (unit row × clause, row-major).
pub(crate) fn apply(rubric: &Rubric, inputs: &Inputs, index: &Index, cells: &mut [ClauseResult]) {
    let gs = groups(rubric);
    if gs.is_empty() {
        return;
    }
    let n = rubric.clauses.len();
    for (_, max, b, clauses) in &gs {
        for u in 0..index.units.len() {
            let cxf = |ci| Cx {
                rubric,
                inputs,
                index,
                clause: &rubric.clauses[ci],
                ci,
                rows: &[],
            };
            let row = &cells[u * n..(u + 1) * n];
            let (_, _, shares) = share(rubric, &cxf, &|ci| row[ci], u as u32, *max, *b, clauses);
            for (ci, _, a) in shares {
                let raw = rubric.clauses[ci].max - a;
                let score = if raw.scale() > rubric.precision {
                    round_points(raw, rubric.precision)
                } else {
                    raw
                };
                cells[u * n + ci].score = score;
            }
        }
    }
}

/// The explanation of clause `ci` of a unit: `line` (its kind's own) unless the clause is pooled
/// by a budget, then its own deduction, the group's, and what is recorded on it.
pub(crate) fn explain(s: &Scored, u: &UnitResult, ci: usize, line: String) -> String {
    let c = &s.rubric.clauses[ci];
    let row = s.clauses(u);
    if !pooled(c) || row[ci].is_missing() {
        return line;
    }
    let gs = groups(s.rubric);
    let Some((label, max, b, clauses)) = gs.iter().find(|g| g.3.contains(&ci)) else {
        return line;
    };
    let cxf = |i| Cx {
        rubric: s.rubric,
        inputs: s.inputs,
        index: &s.index,
        clause: &s.rubric.clauses[i],
        ci: i,
        rows: &[],
    };
    let (sum, a, shares) = share(s.rubric, &cxf, &|i| row[i], u.row, *max, *b, clauses);
    let Some((_, d, mine)) = shares.iter().copied().find(|r| r.0 == ci) else {
        return line;
    };
    let what = |k: &crate::rules::counting::Counting, metric: Option<&str>, per: Decimal| {
        let Detail::Instances { n, from_findings } = row[ci].detail else {
            return line.clone();
        };
        k.what(&cxf(ci), u.row, metric, n, from_findings, per).0
    };
    let own = match &c.rule {
        Rule::PerInstance(k) => what(&k.counting, k.metric.as_deref(), k.per),
        Rule::Deduction(k) => what(&k.counting, k.metric.as_deref(), k.per),
        _ => format!("{line}（扣 {}）", pts(d)),
    };
    let cut = if sum > a {
        if a == b.cap {
            format!("，超过共用扣分额度 {}，按 {} 扣", pts(b.cap), pts(a))
        } else {
            format!("，扣完为止，按 {} 扣", pts(a))
        }
    } else {
        format!("（共用扣分额度 {}，扣完为止）", pts(b.cap))
    };
    format!(
        "{own}；{label}各条款共扣 {}{cut}；本条记扣 {}，{} − {} = {}",
        pts(sum),
        pts(mine),
        pts(c.max),
        pts(mine),
        pts(row[ci].score)
    )
}
