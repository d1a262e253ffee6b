//! 计分 — the engine: validates and indexes the inputs, scores every clause column by its rule kind,
//! rounds each clause score once, sums base / bonus / total, applies vetoes and grades, and ranks.
//! Rubric-level shapes: where a clause applies and 折算 in `applicability.rs`, ranking groups, the
//! rank policy and grades in `standing.rs`.
//! It dispatches on rule kinds only; it never looks at a clause id.

use crate::applicability;
use crate::column::{Column, Cx};
use crate::index;
use crate::input::Inputs;
use crate::problem::{Problem, Severity};
use crate::result::{ClauseResult, ColumnInfo, Detail, Scored, UnitResult};
use crate::rubric::Rubric;
use crate::rules;
use crate::standing;
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
    let groups = standing::unit_groups(rubric, inputs, &index, &mut problems);
    let mut columns = Vec::with_capacity(n_clauses);
    let mut group_columns = Vec::with_capacity(n_clauses);
    for ci in 0..n_clauses {
        let (column, in_groups) = clause_column(rubric, inputs, &index, &groups, ci, &mut cells);
        columns.push(column);
        group_columns.push(in_groups);
    }
    crate::budget::apply(rubric, inputs, &index, &mut cells);

    // 汇总: base, bonus, total, completeness, veto, per unit.
    let mut units: Vec<UnitResult> = (0..n_units)
        .map(|u| unit_result(rubric, &index, &cells, &groups, u))
        .collect();

    // 排名与定档 (`standing.rs`): by group, ranked before unranked, not vetoed before vetoed, total
    // desc, ties per the rubric's policy, tied units listed by code.
    standing::rank(rubric, inputs, &mut units);
    let input_problems = problems.len();
    let complete = finish(rubric, &cells, n_units, &mut problems);
    Scored {
        rubric,
        inputs,
        index,
        cells,
        columns,
        group_columns,
        units,
        problems,
        complete,
        groups,
        input_problems,
    }
}

/// Scores clause `ci` for every unit (its column of `cells`), within ranking groups when the rubric
/// ranks so; 不适用 units get the rubric's not-applicable score. Returns the column's info, or — when
/// ranked within groups — an empty one and each group's.
pub(crate) fn clause_column(
    rubric: &Rubric,
    inputs: &Inputs,
    index: &index::Index,
    groups: &[Option<u32>],
    ci: usize,
    cells: &mut [ClauseResult],
) -> (ColumnInfo, Vec<ColumnInfo>) {
    let clause = &rubric.clauses[ci];
    let n_clauses = rubric.clauses.len();
    // 适用: a clause scores (and ranks) only the units it applies to; within groups if asked.
    let (rows, not_applicable) = applicability::split(inputs, index, clause);
    let grouped = rubric.shapes.rank_within_groups && clause.rule.ranks();
    let parts: Vec<(Vec<u32>, String)> = if grouped {
        rubric
            .shapes
            .ranking_groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let rows = rows
                    .iter()
                    .copied()
                    .filter(|&u| groups[u as usize] == Some(g as u32))
                    .collect();
                (rows, format!("{}组", group.name))
            })
            .collect()
    } else {
        vec![(rows, String::new())]
    };
    let mut infos = Vec::with_capacity(parts.len());
    for (rows, scope) in &parts {
        let cx = Cx {
            rubric,
            inputs,
            index,
            clause,
            ci,
            rows,
        };
        let mut col = Column {
            cells,
            n_clauses,
            ci,
            precision: rubric.precision,
            info: ColumnInfo {
                scope: scope.clone(),
                ..ColumnInfo::default()
            },
        };
        rules::column(&cx, &mut col);
        infos.push(col.info);
    }
    let mut col = Column {
        cells,
        n_clauses,
        ci,
        precision: rubric.precision,
        info: ColumnInfo::default(),
    };
    for u in not_applicable {
        col.set(
            u,
            applicability::score(rubric, clause),
            Detail::NotApplicable,
        );
    }
    if grouped {
        (ColumnInfo::default(), infos)
    } else {
        (infos.pop().unwrap_or_default(), Vec::new())
    }
}

/// One unit's 汇总 from its row of clause scores: base, bonus, penalty, total (折算 and the total's
/// cap applied), completeness and veto; rank and grade are set by [`standing::rank`].
pub(crate) fn unit_result(
    rubric: &Rubric,
    index: &index::Index,
    cells: &[ClauseResult],
    groups: &[Option<u32>],
    u: usize,
) -> UnitResult {
    let n_clauses = rubric.clauses.len();
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
    let (base, prorated) = applicability::base(rubric, row, base);
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
        group: groups[u],
        ranked: true,
        prorated,
    }
}

/// The warning per clause with missing data; whether the result is complete (nothing missing, no
/// error among `problems`).
pub(crate) fn finish(
    rubric: &Rubric,
    cells: &[ClauseResult],
    n_units: usize,
    problems: &mut Vec<Problem>,
) -> bool {
    let n_clauses = rubric.clauses.len();
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
    missing == 0 && !problems.iter().any(Problem::is_error)
}
