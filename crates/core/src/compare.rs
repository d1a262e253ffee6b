//! 方案对比（what-if）— two scoring runs side by side: the same data under two rubric versions (a draft
//! out for comment against the rubric in force, this year's rubric on last year's data), or two years'
//! data under one rubric. Units are matched by 单位编码 and clauses by 条款编号; nothing is guessed
//! across a renamed id — a clause that is only in one rubric is 新增 or 删去, and says so.
//!
//! Like the engine, this does no IO and cannot fail; every difference carries a Chinese sentence a
//! clerk can check against the two score sheets.

use crate::input::{Id, Inputs};
use crate::num::{pts, signed};
use crate::problem::Problem;
use crate::result::{ClauseResult, Scored, UnitResult};
use crate::rubric::{Clause, Rubric, Rule};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap, HashSet};

/// 名次与总分 — one side's standing of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub total: Decimal,
    /// 0 when the unit is not ranked (see `ranked`).
    pub rank: u32,
    /// Ranked at all: an incomplete unit is not ranked under the rubric's rank policy.
    pub ranked: bool,
    pub complete: bool,
    pub vetoed: bool,
}

/// 单位变化 — a unit before and after (`None` on the side where the unit is not assessed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitDelta {
    pub code: Id,
    pub name: String,
    pub before: Option<Standing>,
    pub after: Option<Standing>,
}

impl UnitDelta {
    /// 总分之差 (after − before), when the unit is on both sides.
    pub fn delta(&self) -> Option<Decimal> {
        Some(self.after?.total - self.before?.total)
    }
    /// Places moved up (positive) or down (negative), when the unit is on both sides.
    pub fn places_up(&self) -> Option<i64> {
        let (b, a) = (self.before?, self.after?);
        (b.ranked && a.ranked).then(|| i64::from(b.rank) - i64::from(a.rank))
    }
    /// e.g. `总分 5.612 → 5.598（−0.014）；名次 第2 → 第3（下降1位）`.
    pub fn explain(&self) -> String {
        let (b, a) = match (self.before, self.after) {
            (Some(b), Some(a)) => (b, a),
            (Some(b), None) => {
                return format!(
                    "仅在原方案中：总分 {}，{}；新方案未考核此单位",
                    pts(b.total),
                    place(&b)
                );
            }
            (None, Some(a)) => {
                return format!(
                    "仅在新方案中：总分 {}，{}；原方案未考核此单位",
                    pts(a.total),
                    place(&a)
                );
            }
            (None, None) => return String::new(),
        };
        let d = a.total - b.total;
        let total = if d.is_zero() {
            format!("总分 {} 不变", pts(a.total))
        } else {
            format!("总分 {} → {}（{}）", pts(b.total), pts(a.total), signed(d))
        };
        let rank = match self.places_up() {
            None if !b.ranked && !a.ranked => "两方案中均未完成，不排名".to_string(),
            None => format!("名次 {} → {}", place(&b), place(&a)),
            Some(0) => format!("名次 第{}名不变", a.rank),
            Some(n) if n > 0 => format!("名次 第{} → 第{}名（上升{}位）", b.rank, a.rank, n),
            Some(n) => format!("名次 第{} → 第{}名（下降{}位）", b.rank, a.rank, -n),
        };
        let mut s = format!("{total}；{rank}");
        for (side, st) in [("原方案", b), ("新方案", a)] {
            if st.vetoed {
                s.push_str(&format!("；{side}中单项否决"));
            } else if !st.complete {
                s.push_str(&format!("；{side}中有条款缺少数据，总分不完整"));
            }
        }
        s
    }
}

/// 条款改动 — what became of a clause between the two rubrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseDelta {
    pub id: Id,
    pub title: String,
    /// 满分 on each side (`None` where the clause is not in that rubric; bonus clauses have their cap
    /// in the rule, not here).
    pub before_max: Option<Decimal>,
    pub after_max: Option<Decimal>,
    /// The rule in one Chinese line on each side.
    pub before_rule: Option<String>,
    pub after_rule: Option<String>,
    /// 原文 changed (the rule may be the same).
    pub text_changed: bool,
    /// Units (on both sides) whose score on this clause differs.
    pub units_changed: u32,
}

impl ClauseDelta {
    pub fn added(&self) -> bool {
        self.before_rule.is_none()
    }
    pub fn removed(&self) -> bool {
        self.after_rule.is_none()
    }
    /// The rubric itself changed for this clause (added, removed, max, rule or text).
    pub fn rubric_changed(&self) -> bool {
        self.added()
            || self.removed()
            || self.before_max != self.after_max
            || self.before_rule != self.after_rule
            || self.text_changed
    }
    /// e.g. `满分 0.05 → 0.06；计分规则 原“…”，现“…”；3个单位得分不同`.
    pub fn explain(&self) -> String {
        let mut parts = Vec::new();
        if self.added() {
            parts.push(format!(
                "新增条款（满分 {}）：{}",
                self.after_max.map(pts).unwrap_or_default(),
                self.after_rule.as_deref().unwrap_or_default()
            ));
        } else if self.removed() {
            parts.push(format!(
                "删去条款（原满分 {}）",
                self.before_max.map(pts).unwrap_or_default()
            ));
        } else {
            if self.before_max != self.after_max {
                parts.push(format!(
                    "满分 {} → {}",
                    self.before_max.map(pts).unwrap_or_default(),
                    self.after_max.map(pts).unwrap_or_default()
                ));
            }
            if self.before_rule != self.after_rule {
                parts.push(format!(
                    "计分规则 原“{}”，现“{}”",
                    self.before_rule.as_deref().unwrap_or_default(),
                    self.after_rule.as_deref().unwrap_or_default()
                ));
            }
            if self.text_changed {
                parts.push("原文有改动".into());
            }
            if parts.is_empty() {
                parts.push("细则未变".into());
            }
        }
        if self.units_changed > 0 {
            parts.push(format!("{}个单位得分不同", self.units_changed));
        }
        parts.join("；")
    }
}

/// 得分 — one side of a cell: the clause is not in that rubric (无此条款), has no score (缺数据), or one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Absent,
    Missing,
    Scored(Decimal),
}

impl Cell {
    fn of(r: Option<&ClauseResult>) -> Cell {
        match r {
            None => Cell::Absent,
            Some(r) => r.score().map_or(Cell::Missing, Cell::Scored),
        }
    }
    /// `0.048`, `缺数据` or `无此条款`.
    pub fn label(&self) -> String {
        match self {
            Cell::Absent => "无此条款".into(),
            Cell::Missing => "缺数据".into(),
            Cell::Scored(d) => pts(*d),
        }
    }
}

/// 得分变化 — a unit's clause whose score differs between the two runs (units on both sides only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellDelta {
    pub unit: Id,
    pub clause: Id,
    pub before: Cell,
    pub after: Cell,
    /// The explanation lines of each side (empty where the clause is absent).
    pub before_why: String,
    pub after_why: String,
}

impl CellDelta {
    /// e.g. `0.048 → 0.05（+0.002）` or `无此条款 → 0.05`.
    pub fn explain(&self) -> String {
        match (self.before, self.after) {
            (Cell::Scored(b), Cell::Scored(a)) => {
                format!("{} → {}（{}）", pts(b), pts(a), signed(a - b))
            }
            (b, a) => format!("{} → {}", b.label(), a.label()),
        }
    }
}

/// 方案对比 — the two runs compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// In the new ranking's order, then the units only in the old run (in its order).
    pub units: Vec<UnitDelta>,
    /// In the new rubric's clause order, then the clauses only in the old rubric (in its order).
    pub clauses: Vec<ClauseDelta>,
    /// Differing cells, unit by unit in `units` order, clauses in `clauses` order.
    pub cells: Vec<CellDelta>,
}

impl Comparison {
    /// Units whose total or rank moved.
    pub fn moved(&self) -> impl Iterator<Item = &UnitDelta> {
        self.units
            .iter()
            .filter(|u| u.delta() != Some(Decimal::ZERO) || u.places_up() != Some(0))
    }
    /// The clauses where the rubric changed.
    pub fn rubric_changes(&self) -> impl Iterator<Item = &ClauseDelta> {
        self.clauses.iter().filter(|c| c.rubric_changed())
    }
    /// A one-line summary, e.g. `两种方案共 17 个单位；12 个单位总分变化，5 个名次变化；细则改动 3 条`.
    pub fn summary(&self) -> String {
        let both = self
            .units
            .iter()
            .filter(|u| u.before.is_some() && u.after.is_some())
            .count();
        let totals = self
            .units
            .iter()
            .filter(|u| u.delta().is_some_and(|d| !d.is_zero()))
            .count();
        let ranks = self
            .units
            .iter()
            .filter(|u| u.places_up().is_some_and(|p| p != 0))
            .count();
        let only = self.units.len() - both;
        let mut s = format!(
            "两次计算共有 {both} 个单位；其中 {totals} 个单位总分变化，{ranks} 个单位名次变化"
        );
        if only > 0 {
            s.push_str(&format!("；另有 {only} 个单位只在一方"));
        }
        let changed = self.rubric_changes().count();
        if changed == 0 {
            s.push_str("；细则条款相同");
        } else {
            s.push_str(&format!("；细则改动 {changed} 条"));
        }
        s
    }
}

/// 第3名, or 未完成（不排名） for a unit the rubric does not rank.
fn place(s: &Standing) -> String {
    if s.ranked {
        format!("第{}名", s.rank)
    } else {
        "未完成（不排名）".to_string()
    }
}

fn standing(u: &UnitResult) -> Standing {
    Standing {
        total: u.total,
        rank: u.rank,
        ranked: u.ranked,
        complete: u.complete,
        vetoed: u.vetoed,
    }
}

fn max_of(c: &Clause) -> Option<Decimal> {
    (!c.is_bonus()).then_some(c.max)
}

/// Each clause of either rubric with its index in each: `after`'s order, then the clauses it dropped.
type Order = Vec<(Id, Option<usize>, Option<usize>)>;

fn clause_order(rb: &Rubric, ra: &Rubric) -> (Order, Vec<ClauseDelta>) {
    let mut order: Order = ra
        .clauses
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), rb.clause_index(&c.id), Some(i)))
        .collect();
    order.extend(
        rb.clauses
            .iter()
            .enumerate()
            .filter(|(_, c)| ra.clause_index(&c.id).is_none())
            .map(|(i, c)| (c.id.clone(), Some(i), None)),
    );
    let clauses = order
        .iter()
        .map(|(id, b, a)| {
            let cb = b.map(|i| &rb.clauses[i]);
            let ca = a.map(|i| &ra.clauses[i]);
            ClauseDelta {
                id: id.clone(),
                title: ca.or(cb).map(|c| c.title.clone()).unwrap_or_default(),
                before_max: cb.and_then(max_of),
                after_max: ca.and_then(max_of),
                before_rule: cb.map(|c| rb.describe_rule(c)),
                after_rule: ca.map(|c| ra.describe_rule(c)),
                text_changed: matches!((cb, ca), (Some(x), Some(y)) if x.text != y.text),
                units_changed: 0,
            }
        })
        .collect();
    (order, clauses)
}

/// 细则对比 — every clause of two rubrics, `after`'s order first, then the clauses it dropped, with
/// what changed (no data needed: `units_changed` is 0).
pub fn rubrics(before: &Rubric, after: &Rubric) -> Vec<ClauseDelta> {
    clause_order(before, after).1
}

/// Compares two scoring runs (`before`: the rubric or data in force; `after`: the alternative).
pub fn compare(before: &Scored<'_>, after: &Scored<'_>) -> Comparison {
    let rb: &Rubric = before.rubric;
    let ra: &Rubric = after.rubric;

    let (order, mut clauses) = clause_order(rb, ra);

    // Units: matched by code.
    let before_by_code: HashMap<&str, &UnitResult> = before
        .units
        .iter()
        .map(|u| (before.unit(u).code.as_ref(), u))
        .collect();
    let after_codes: HashSet<&str> = after
        .units
        .iter()
        .map(|u| after.unit(u).code.as_ref())
        .collect();
    let mut units = Vec::with_capacity(after.units.len());
    let mut cells = Vec::new();
    for ua in &after.units {
        let unit = after.unit(ua);
        let ub = before_by_code.get(unit.code.as_ref()).copied();
        units.push(UnitDelta {
            code: unit.code.clone(),
            name: unit.name.clone(),
            before: ub.map(standing),
            after: Some(standing(ua)),
        });
        let Some(ub) = ub else { continue };
        let (rows_b, rows_a) = (before.clauses(ub), after.clauses(ua));
        for (k, (id, b, a)) in order.iter().enumerate() {
            let cb = Cell::of(b.map(|i| &rows_b[i]));
            let ca = Cell::of(a.map(|i| &rows_a[i]));
            // Decimal equality is numeric: 0.048 and 0.0480 (precision 3 and 4) are the same score.
            if cb == ca {
                continue;
            }
            clauses[k].units_changed += 1;
            cells.push(CellDelta {
                unit: unit.code.clone(),
                clause: id.clone(),
                before: cb,
                after: ca,
                before_why: b.map(|i| before.explain(ub, i)).unwrap_or_default(),
                after_why: a.map(|i| after.explain(ua, i)).unwrap_or_default(),
            });
        }
    }
    for ub in &before.units {
        let unit = before.unit(ub);
        if !after_codes.contains(unit.code.as_ref()) {
            units.push(UnitDelta {
                code: unit.code.clone(),
                name: unit.name.clone(),
                before: Some(standing(ub)),
                after: None,
            });
        }
    }
    Comparison {
        units,
        clauses,
        cells,
    }
}

/// What of `inputs` (entered under `from`) another rubric `to` can use, and a warning for every kind
/// of entry it cannot — never an error, never a guess:
/// - metrics `to` does not define, and judgements, findings or bonus entries on clause ids it does
///   not have (or whose rule no longer takes them) are left out, one warning per metric or clause
///   naming how many units they concern;
/// - an assessor's judgement is carried only where the clause has the same 满分 in both rubrics: a
///   score given out of 0.5 says nothing certain about a score out of 1, so the clause is then
///   缺数据 under `to`, with a warning that it must be judged again.
pub fn carry_over(inputs: &Inputs, from: &Rubric, to: &Rubric) -> (Inputs, Vec<Problem>) {
    let mut out = Inputs {
        units: inputs.units.clone(),
        ..Inputs::default()
    };
    // Each cause → the units it concerns, so that each cause is one warning.
    let mut left: BTreeMap<String, Vec<Id>> = BTreeMap::new();
    let mut leave = |why: String, unit: &Id| {
        let units = left.entry(why).or_default();
        if !units.contains(unit) {
            units.push(unit.clone());
        }
    };
    for e in &inputs.metrics {
        if to.metric(&e.metric).is_some() {
            out.metrics.push(e.clone());
        } else {
            leave(
                format!("指标“{}”新细则中没有，其数据不计入", e.metric),
                &e.unit,
            );
        }
    }
    for e in &inputs.judgements {
        match to.clause(&e.clause) {
            None => leave(
                format!("条款 {} 新细则中没有，其评分不计入", e.clause),
                &e.unit,
            ),
            Some(c) if !matches!(c.rule, Rule::Judgement) => leave(
                format!(
                    "条款 {} 在新细则中按“{}”计分，原有的评分不计入",
                    c.id,
                    c.rule.label()
                ),
                &e.unit,
            ),
            Some(c) if from.clause(&e.clause).map(|b| b.max) != Some(c.max) => leave(
                format!(
                    "条款 {} 的满分由 {} 改为 {}，原评分不能沿用，须重新评定（按缺数据计）",
                    c.id,
                    from.clause(&e.clause)
                        .map(|b| pts(b.max))
                        .unwrap_or_else(|| "（原细则无此条款）".into()),
                    pts(c.max)
                ),
                &e.unit,
            ),
            Some(_) => out.judgements.push(e.clone()),
        }
    }
    for e in &inputs.findings {
        match to.clause(&e.clause) {
            Some(c) if c.rule.takes_findings() => out.findings.push(e.clone()),
            Some(c) => leave(
                format!(
                    "条款 {} 在新细则中按“{}”计分，原有的问题记录不计入",
                    c.id,
                    c.rule.label()
                ),
                &e.unit,
            ),
            None => leave(
                format!("条款 {} 新细则中没有，其问题记录不计入", e.clause),
                &e.unit,
            ),
        }
    }
    for e in &inputs.bonuses {
        match to.clause(&e.clause) {
            Some(c) if c.is_bonus() => out.bonuses.push(e.clone()),
            Some(c) => leave(
                format!("条款 {} 在新细则中不是加分条款，原有的加分不计入", c.id),
                &e.unit,
            ),
            None => leave(
                format!("条款 {} 新细则中没有，其加分不计入", e.clause),
                &e.unit,
            ),
        }
    }
    let name = |code: &Id| -> String {
        inputs
            .units
            .iter()
            .find(|u| u.code == *code)
            .map_or_else(|| code.to_string(), |u| u.name.clone())
    };
    let problems = left
        .into_iter()
        .map(|(why, units)| {
            let names: Vec<String> = units.iter().map(name).collect();
            Problem::warning(format!(
                "{why}（涉及 {} 个单位：{}）",
                units.len(),
                names.join("、")
            ))
        })
        .collect();
    (out, problems)
}
