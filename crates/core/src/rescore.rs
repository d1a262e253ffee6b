//! 增量计分 — a result brought up to date after assessors' scores changed, with work in proportion
//! to the change: the judgement entries indexed again (one pass, no scoring), the changed clauses'
//! columns scored again, the changed units' totals summed again, then every unit ranked again
//! (a sort). Everything else — the other clauses' cells and columns, the other units' totals — is
//! taken from the previous result. The answer is the same as [`score`] on the new inputs (a
//! property test compares the two on random changes); whenever the shortcut's conditions do not
//! hold, it *is* [`score`].

use crate::engine::{clause_column, finish, score, unit_result};
use crate::index::{self, NONE};
use crate::input::Inputs;
use crate::result::Scored;
use crate::rubric::{Rubric, Rule};
use crate::standing;
use rustc_hash::FxHashSet;

/// The result of `inputs` under `rubric`, given `prev`, the result of the same rubric over inputs
/// that differ from `inputs` only in the judgement entries (评分) of the `changed` (unit code,
/// clause id) pairs — added, replaced or removed — with every other entry the same and in the same
/// order. That is the caller's promise (the store keeps it by patching a copy of the inputs);
/// what can be checked cheaply is checked.
///
/// Scores from scratch ([`score`]) instead when the previous inputs had problems, the new entries
/// have one, a changed clause is not a judgement clause or shares a deduction budget (扣分额度)
/// with others, a changed unit is not in the result, or the inputs' other tables differ in size.
pub fn rescore<'a>(
    prev: &Scored<'_>,
    rubric: &'a Rubric,
    inputs: &'a Inputs,
    changed: &[(&str, &str)],
) -> Scored<'a> {
    match try_rescore(prev, rubric, inputs, changed) {
        Some(s) => s,
        None => score(rubric, inputs),
    }
}

/// [`rescore`]'s shortcut alone: `None` where it would score from scratch.
pub fn try_rescore<'a>(
    prev: &Scored<'_>,
    rubric: &'a Rubric,
    inputs: &'a Inputs,
    changed: &[(&str, &str)],
) -> Option<Scored<'a>> {
    let (old, n_clauses) = (prev.inputs, rubric.clauses.len());
    let same_shape = prev.input_problems == 0
        && prev.rubric.clauses.len() == n_clauses
        && old.units.len() == inputs.units.len()
        && old.metrics.len() == inputs.metrics.len()
        && old.findings.len() == inputs.findings.len()
        && old.bonuses.len() == inputs.bonuses.len()
        && old.inspections.len() == inputs.inspections.len()
        && old.judgements.len().abs_diff(inputs.judgements.len()) <= changed.len();
    if !same_shape {
        return None;
    }
    let mut index = prev.index.clone();
    let [mut unit_at, mut clause_of] = index::lookups(rubric, inputs, &index);
    let mut clauses = Vec::new();
    let mut rows = FxHashSet::default();
    let mut slots = Vec::new();
    for &(unit, clause) in changed {
        let ci = clause_of.get(clause)?;
        if !matches!(rubric.clauses[ci].rule, Rule::Judgement)
            || crate::budget::shares_budget(rubric, ci)
        {
            return None;
        }
        let row = unit_at.get(unit)?;
        rows.insert(row);
        if !slots.contains(&(row * n_clauses + ci)) {
            slots.push(row * n_clauses + ci);
        }
        if !clauses.contains(&ci) {
            clauses.push(ci);
        }
    }
    // The judgement entries indexed again: only the changed ones where each is still in its place
    // (a score saved again), else all of them (positions move when one is added or removed).
    let in_place: Option<Vec<usize>> = (old.judgements.len() == inputs.judgements.len())
        .then(|| {
            slots
                .iter()
                .map(|&slot| {
                    let at = index.judgement[slot];
                    let (o, e) = (
                        old.judgements.get(at as usize)?,
                        &inputs.judgements[at as usize],
                    );
                    (o.unit == e.unit && o.clause == e.clause).then_some(at as usize)
                })
                .collect()
        })
        .flatten();
    let mut problems = Vec::new();
    let entries: Box<dyn Iterator<Item = usize>> = match in_place {
        Some(at) => {
            for &slot in &slots {
                index.judgement[slot] = NONE;
            }
            Box::new(at.into_iter())
        }
        None => {
            index.judgement.fill(NONE);
            Box::new(0..inputs.judgements.len())
        }
    };
    index::judgements(
        rubric,
        inputs,
        entries,
        &mut index,
        &mut unit_at,
        &mut clause_of,
        &mut problems,
    );
    if !problems.is_empty() {
        return None;
    }
    let mut cells = prev.cells.clone();
    let mut columns = prev.columns.clone();
    let mut group_columns = prev.group_columns.clone();
    for &ci in &clauses {
        let (column, in_groups) =
            clause_column(rubric, inputs, &index, &prev.groups, ci, &mut cells);
        columns[ci] = column;
        group_columns[ci] = in_groups;
    }
    let mut units = prev.units.clone();
    for u in units.iter_mut() {
        if rows.contains(&(u.row as usize)) {
            *u = unit_result(rubric, &index, &cells, &prev.groups, u.row as usize);
        }
    }
    standing::rank(rubric, inputs, &mut units);
    let complete = finish(rubric, &cells, index.units.len(), &mut problems);
    Some(Scored {
        rubric,
        inputs,
        index,
        cells,
        columns,
        group_columns,
        units,
        problems,
        complete,
        groups: prev.groups.clone(),
        input_problems: 0,
    })
}
