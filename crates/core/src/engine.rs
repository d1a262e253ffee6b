//! 计分 — the engine: validates and indexes the inputs, scores every clause column by its rule kind,
//! rounds each clause score once, sums base / bonus / total, applies vetoes and grades, and ranks.
//! It dispatches on rule kinds only; it never looks at a clause id.

use crate::index::{self, Index, NONE};
use crate::input::{BonusEntry, FindingEntry, Inputs, JudgementEntry};
use crate::num::round_points;
use crate::problem::{Problem, Severity};
use crate::result::{ClauseResult, ColumnInfo, Detail, Scored, UnitResult};
use crate::rubric::{Clause, MetricDef, Rubric};
use crate::rules;
use rust_decimal::Decimal;

/// What a rule module sees of one clause column.
pub(crate) struct Cx<'a> {
    pub rubric: &'a Rubric,
    pub inputs: &'a Inputs,
    pub index: &'a Index,
    pub clause: &'a Clause,
    pub ci: usize,
}

impl<'a> Cx<'a> {
    pub fn n_units(&self) -> u32 {
        self.index.units.len() as u32
    }
    pub fn metric_def(&self, key: &str) -> (usize, &'a MetricDef) {
        let i = self
            .rubric
            .metric_index(key)
            .expect("rubric validation guarantees metric keys");
        (i, &self.rubric.metrics[i])
    }
    /// The value of metric `m` for scored unit `u`.
    pub fn metric(&self, u: u32, m: usize) -> Option<Decimal> {
        match self.index.metric(u, m) {
            NONE => None,
            e => Some(self.inputs.metrics[e as usize].value),
        }
    }
    pub fn judgement(&self, u: u32) -> Option<&'a JudgementEntry> {
        match self.index.judgement(u, self.ci) {
            NONE => None,
            e => Some(&self.inputs.judgements[e as usize]),
        }
    }
    pub fn findings(&self, u: u32) -> impl Iterator<Item = &'a FindingEntry> + 'a {
        let inputs = self.inputs;
        self.index
            .findings(u, self.ci)
            .iter()
            .map(move |&i| &inputs.findings[i as usize])
    }
    pub fn n_findings(&self, u: u32) -> usize {
        self.index.findings(u, self.ci).len()
    }
    pub fn bonuses(&self, u: u32) -> impl Iterator<Item = &'a BonusEntry> + 'a {
        let inputs = self.inputs;
        self.index
            .bonuses(u, self.ci)
            .iter()
            .map(move |&i| &inputs.bonuses[i as usize])
    }
}

/// One clause column being filled: raw scores go in, rounded once here.
pub(crate) struct Column<'g> {
    cells: &'g mut [ClauseResult],
    n_clauses: usize,
    ci: usize,
    precision: u32,
    pub info: ColumnInfo,
}

impl Column<'_> {
    /// Records a raw score, rounded once (half away from zero) when it has more places than the
    /// rubric's precision. A value with fewer places is kept as it is (0.05 stays 0.05); reports
    /// show scores at the precision.
    pub fn set(&mut self, u: u32, raw: Decimal, detail: Detail) {
        let score = if raw.scale() > self.precision {
            round_points(raw, self.precision)
        } else {
            raw
        };
        self.cells[u as usize * self.n_clauses + self.ci] = ClauseResult { score, detail };
    }
    pub fn missing(&mut self, u: u32, detail: Detail) {
        debug_assert!(matches!(detail, Detail::Missing(_)));
        self.cells[u as usize * self.n_clauses + self.ci] = ClauseResult {
            score: round_points(Decimal::ZERO, self.precision),
            detail,
        };
    }
}

/// Scores `inputs` under `rubric`. Never fails: problems come back in [`Scored::problems`]; entries
/// with errors are left out (their clauses show as missing), and callers decide whether a result with
/// errors may be shown (the CLI refuses, exit 2).
pub fn score<'a>(rubric: &'a Rubric, inputs: &'a Inputs) -> Scored<'a> {
    let mut problems = Vec::new();
    let index = index::build(rubric, inputs, &mut problems);
    let n_units = index.units.len();
    let n_clauses = rubric.clauses.len();
    let mut cells = vec![
        ClauseResult {
            score: Decimal::ZERO,
            detail: Detail::Missing(crate::result::Missing::NotScored),
        };
        n_units * n_clauses
    ];
    let mut columns = Vec::with_capacity(n_clauses);
    for (ci, clause) in rubric.clauses.iter().enumerate() {
        let cx = Cx {
            rubric,
            inputs,
            index: &index,
            clause,
            ci,
        };
        let mut col = Column {
            cells: &mut cells,
            n_clauses,
            ci,
            precision: rubric.precision,
            info: ColumnInfo::default(),
        };
        rules::column(&cx, &mut col);
        columns.push(col.info);
    }

    // 汇总: base, bonus, total, completeness, veto, per unit.
    let mut units: Vec<UnitResult> = (0..n_units)
        .map(|u| {
            let row = &cells[u * n_clauses..(u + 1) * n_clauses];
            let mut base = Decimal::ZERO;
            let mut bonus = Decimal::ZERO;
            let mut complete = true;
            let mut vetoed = false;
            for (clause, r) in rubric.clauses.iter().zip(row) {
                match r.detail {
                    Detail::Missing(_) => complete = false,
                    Detail::Veto { n } if n > 0 => vetoed = true,
                    _ => {}
                }
                if clause.is_bonus() {
                    bonus += r.score;
                } else {
                    base += r.score;
                }
            }
            // Clause scores all have the rubric's scale; fixing the sums' scale too lets ranking compare
            // totals by mantissa.
            base.rescale(rubric.precision);
            bonus.rescale(rubric.precision);
            UnitResult {
                unit: index.units[u],
                row: u as u32,
                base,
                bonus,
                total: base + bonus,
                rank: 0,
                complete,
                vetoed,
                grade: None,
            }
        })
        .collect();

    // 排名: by total, desc, ties per the rubric's policy; a vetoed unit ranks after all others. Every
    // clause score has the rubric's scale, so totals compare exactly by their mantissas. Tied units
    // are listed by code, so that the order of the inputs never matters.
    units.sort_unstable_by_key(|u| (u.vetoed, std::cmp::Reverse(u.total.mantissa())));
    let mut start = 0;
    while start < units.len() {
        let key = (units[start].vetoed, units[start].total);
        let end = start
            + units[start..]
                .iter()
                .take_while(|u| (u.vetoed, u.total) == key)
                .count();
        units[start..end].sort_unstable_by(|a, b| {
            inputs.units[a.unit as usize]
                .code
                .cmp(&inputs.units[b.unit as usize].code)
        });
        start = end;
    }
    let mut prev: Option<(bool, Decimal, u32)> = None;
    let mut distinct = 0u32;
    for (pos, u) in units.iter_mut().enumerate() {
        let rank = match prev {
            Some((v, t, r)) if v == u.vetoed && t == u.total => r,
            _ => {
                distinct += 1;
                match rubric.ties {
                    crate::rubric::TiePolicy::Competition => pos as u32 + 1,
                    crate::rubric::TiePolicy::Dense => distinct,
                }
            }
        };
        u.rank = rank;
        prev = Some((u.vetoed, u.total, rank));
        // 定档
        if !rubric.grades.is_empty() && u.complete {
            u.grade = Some(if u.vetoed {
                rubric.grades.len() as u32 - 1
            } else {
                rubric
                    .grades
                    .iter()
                    .position(|g| u.total >= g.min_ratio * rubric.max_total)
                    .unwrap_or(rubric.grades.len() - 1) as u32
            });
        }
    }

    let missing: usize = cells
        .iter()
        .filter(|c| matches!(c.detail, Detail::Missing(_)))
        .count();
    if missing > 0 {
        for (ci, clause) in rubric.clauses.iter().enumerate() {
            let n = (0..n_units)
                .filter(|u| matches!(cells[u * n_clauses + ci].detail, Detail::Missing(_)))
                .count();
            if n > 0 {
                problems.push(
                    Problem::new(
                        Severity::Warning,
                        format!(
                            "条款 {}（{}）有 {} 个单位缺少数据，结果不完整",
                            clause.id, clause.title, n
                        ),
                    )
                    .clause(&clause.id),
                );
            }
        }
    }
    let complete = missing == 0 && !problems.iter().any(Problem::is_error);
    Scored {
        rubric,
        inputs,
        index,
        cells,
        columns,
        units,
        problems,
        complete,
    }
}
