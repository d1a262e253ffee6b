//! 计分 — the engine: validates and indexes the inputs, scores every clause column by its rule kind,
//! rounds each clause score once, sums base / bonus / total, applies vetoes and grades, and ranks.
//! It dispatches on rule kinds only; it never looks at a clause id.

use crate::column::{Column, Cx};
use crate::index;
use crate::input::Inputs;
use crate::problem::{Problem, Severity};
use crate::result::{ClauseResult, ColumnInfo, Detail, Scored, UnitResult};
use crate::rubric::Rubric;
use crate::rules;
use rust_decimal::Decimal;

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
    crate::budget::apply(rubric, inputs, &index, &mut cells);

    // 汇总: base, bonus, total, completeness, veto, per unit.
    let mut units: Vec<UnitResult> = (0..n_units)
        .map(|u| {
            let row = &cells[u * n_clauses..(u + 1) * n_clauses];
            let mut base = Decimal::ZERO;
            let mut bonus = Decimal::ZERO;
            let mut penalty = Decimal::ZERO;
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
                } else if clause.is_penalty() {
                    penalty -= r.score;
                } else {
                    base += r.score;
                }
            }
            // Clause scores all have the rubric's scale; fixing the sums' scale too lets ranking compare
            // totals by mantissa.
            base.rescale(rubric.precision);
            bonus.rescale(rubric.precision);
            penalty.rescale(rubric.precision);
            let (mut total, _) = crate::totals::total(rubric.total_cap, base, bonus, penalty);
            total.rescale(rubric.precision);
            UnitResult {
                unit: index.units[u],
                row: u as u32,
                base,
                bonus,
                penalty,
                total,
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
