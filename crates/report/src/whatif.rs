//! 方案对比 (what-if) as people read it: one serialisable model ([`WhatIf`]) behind the JSON, the
//! terminal text and the web page, so the three cannot disagree.

use crate::json::{ProblemOut, RubricRef};
use crate::{fixed, plain, table::grid};
use kaohe_core::compare::{Cell, Comparison};
use kaohe_core::{Problem, Scored};
use serde::Serialize;
use std::fmt::Write;

/// 方案对比 — the comparison as it is shown and written.
#[derive(Serialize)]
pub struct WhatIf {
    /// What each side is, e.g. `现行细则（rudong-2021 v1.0）用 2021 年数据`.
    pub before_label: String,
    pub after_label: String,
    pub before: RubricRef,
    pub after: RubricRef,
    /// Decimal places to show (the larger of the two rubrics').
    pub precision: u32,
    pub summary: String,
    pub units: Vec<UnitRow>,
    /// Every clause of either rubric; `changed` marks where the rubric differs.
    pub clauses: Vec<ClauseRow>,
    pub cells: Vec<CellRow>,
    /// Warnings about what could not be carried over, and the new run's problems.
    pub problems: Vec<ProblemOut>,
}

/// 单位变化 — one row of 总分与名次.
#[derive(Serialize)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub before_total: Option<String>,
    pub after_total: Option<String>,
    /// after − before as a decimal (`0.002`, `-0.6`, `0`).
    pub delta: Option<String>,
    /// The same as a clerk writes it: `+0.002`, `−0.6`, `0`.
    pub delta_text: Option<String>,
    pub before_rank: Option<u32>,
    pub after_rank: Option<u32>,
    /// Places moved up (negative: down).
    pub places_up: Option<i64>,
    pub explanation: String,
}

/// 条款改动 — one clause of either rubric.
#[derive(Serialize)]
pub struct ClauseRow {
    pub id: String,
    pub title: String,
    pub before_max: Option<String>,
    pub after_max: Option<String>,
    pub changed: bool,
    pub added: bool,
    pub removed: bool,
    pub units_changed: u32,
    pub explanation: String,
}

/// 得分变化 — one unit's clause whose score differs.
#[derive(Serialize)]
pub struct CellRow {
    pub unit: String,
    pub unit_name: String,
    pub clause: String,
    /// The score on each side, when there is one; the status says why not.
    pub before: Option<String>,
    pub after: Option<String>,
    /// `scored`, `missing` (缺数据) or `absent` (无此条款).
    pub before_status: &'static str,
    pub after_status: &'static str,
    pub explanation: String,
    pub before_why: String,
    pub after_why: String,
}

fn cell(c: Cell, dp: u32) -> (Option<String>, &'static str) {
    match c {
        Cell::Scored(v) => (Some(fixed(v, dp)), "scored"),
        Cell::Missing => (None, "missing"),
        Cell::Absent => (None, "absent"),
    }
}

impl WhatIf {
    /// `problems`: what carrying the data over reported, then the new run's own problems are added.
    pub fn of(
        cmp: &Comparison,
        before: &Scored<'_>,
        after: &Scored<'_>,
        labels: (&str, &str),
        problems: &[Problem],
    ) -> Self {
        let (db, da) = (before.rubric.precision, after.rubric.precision);
        let name_of = |code: &str| {
            cmp.units
                .iter()
                .find(|u| &*u.code == code)
                .map(|u| u.name.clone())
                .unwrap_or_default()
        };
        WhatIf {
            before_label: labels.0.to_string(),
            after_label: labels.1.to_string(),
            before: RubricRef::of(before.rubric),
            after: RubricRef::of(after.rubric),
            precision: db.max(da),
            summary: cmp.summary(),
            units: cmp
                .units
                .iter()
                .map(|u| UnitRow {
                    code: u.code.to_string(),
                    name: u.name.clone(),
                    before_total: u.before.map(|s| fixed(s.total, db)),
                    after_total: u.after.map(|s| fixed(s.total, da)),
                    delta: u.delta().map(|d| d.normalize().to_string()),
                    delta_text: u.delta().map(kaohe_core::num::signed),
                    before_rank: u.before.map(|s| s.rank),
                    after_rank: u.after.map(|s| s.rank),
                    // A unit not ranked (rank 0, 未完成) on either side has no move in places.
                    places_up: u.places_up().filter(|_| {
                        u.before
                            .zip(u.after)
                            .is_some_and(|(b, a)| b.rank > 0 && a.rank > 0)
                    }),
                    explanation: u.explain(),
                })
                .collect(),
            clauses: cmp
                .clauses
                .iter()
                .map(|c| ClauseRow {
                    id: c.id.to_string(),
                    title: c.title.clone(),
                    before_max: c.before_max.map(plain),
                    after_max: c.after_max.map(plain),
                    changed: c.rubric_changed(),
                    added: c.added(),
                    removed: c.removed(),
                    units_changed: c.units_changed,
                    explanation: c.explain(),
                })
                .collect(),
            cells: cmp
                .cells
                .iter()
                .map(|c| {
                    let (before, before_status) = cell(c.before, db);
                    let (after, after_status) = cell(c.after, da);
                    CellRow {
                        unit: c.unit.to_string(),
                        unit_name: name_of(&c.unit),
                        clause: c.clause.to_string(),
                        before,
                        after,
                        before_status,
                        after_status,
                        explanation: c.explain(),
                        before_why: c.before_why.clone(),
                        after_why: c.after_why.clone(),
                    }
                })
                .collect(),
            problems: problems
                .iter()
                .chain(&after.problems)
                .map(ProblemOut::from)
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("what-if serialises")
    }

    /// The comparison as aligned Chinese text for a terminal.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "方案对比（试算，不改变任何考核结果）");
        let _ = writeln!(out, "原方案：{}", self.before_label);
        let _ = writeln!(out, "新方案：{}", self.after_label);
        let _ = writeln!(out, "{}\n", self.summary);
        let header: Vec<String> = [
            "单位",
            "原总分",
            "新总分",
            "差值",
            "原名次",
            "新名次",
            "名次变化",
        ]
        .map(String::from)
        .to_vec();
        let dash = || "—".to_string();
        let rows: Vec<Vec<String>> = self
            .units
            .iter()
            .map(|u| {
                vec![
                    u.name.clone(),
                    u.before_total.clone().unwrap_or_else(dash),
                    u.after_total.clone().unwrap_or_else(dash),
                    u.delta_text.clone().unwrap_or_else(dash),
                    u.before_rank.map_or_else(dash, rank_text),
                    u.after_rank.map_or_else(dash, rank_text),
                    match u.places_up {
                        None => dash(),
                        Some(0) => "不变".into(),
                        Some(n) if n > 0 => format!("↑{n}"),
                        Some(n) => format!("↓{}", -n),
                    },
                ]
            })
            .collect();
        out.push_str(&grid(
            &header,
            &rows,
            &[false, true, true, true, true, true, false],
        ));
        let changed: Vec<&ClauseRow> = self.clauses.iter().filter(|c| c.changed).collect();
        out.push_str("\n细则改动\n");
        if changed.is_empty() {
            out.push_str("  （无：两次计算用的条款相同）\n");
        }
        for c in changed {
            let _ = writeln!(out, "  {} {}：{}", c.id, c.title, c.explanation);
        }
        out.push_str("\n得分变化\n");
        if self.cells.is_empty() {
            out.push_str("  （无）\n");
        }
        for c in &self.cells {
            let _ = writeln!(out, "  {} {}：{}", c.unit_name, c.clause, c.explanation);
            if !c.before_why.is_empty() {
                let _ = writeln!(out, "    原：{}", c.before_why);
            }
            if !c.after_why.is_empty() {
                let _ = writeln!(out, "    新：{}", c.after_why);
            }
        }
        if !self.problems.is_empty() {
            out.push_str("\n提示\n");
            for p in &self.problems {
                let _ = writeln!(out, "  {}", p.text);
            }
        }
        out
    }
}

/// A rank as the text shows it: 未完成 for a unit not ranked (rank 0), never 0.
fn rank_text(r: u32) -> String {
    if r == 0 {
        kaohe_core::rubric::shapes::UNRANKED.to_string()
    } else {
        r.to_string()
    }
}
