//! 增量计分 — a result brought up to date after its inputs changed, with work in proportion to the
//! change: the changed entries indexed again (the judgement entries one by one; a changed smaller
//! table — metrics, findings, bonuses, inspections — whole, which is still no scoring), the columns
//! of the clauses they bear on scored again, the units whose clause scores moved summed again, then
//! every unit ranked again (a sort). Everything else — the other clauses' cells and columns, the
//! other units' totals — is taken from the previous result. The answer is the same as [`score`] on
//! the new inputs (property tests compare the two on random changes of every table); whenever the
//! shortcut's conditions do not hold, it *is* [`score`].

use crate::engine::{clause_column, finish, score, unit_result};
use crate::index::{self, Lookups, NONE};
use crate::input::Inputs;
use crate::result::Scored;
use crate::rubric::{Rubric, Rule};
use crate::standing;
use rustc_hash::FxHashSet;

/// The result of `inputs` under `rubric`, given `prev`, the result of the same rubric over inputs
/// with the same units whose judgement entries (评分) differ from `inputs`' only at the `changed`
/// (unit code, clause id) pairs — added, replaced or removed, every other entry the same and in
/// the same order. That is the caller's promise (the store keeps it by patching a copy of the
/// inputs); the other tables may differ in any way (they are compared here).
///
/// Scores from scratch ([`score`]) instead when the previous inputs had problems, the new entries
/// have one, the units differ, a changed pair's clause is not a judgement clause, or a clause to
/// score again shares a deduction budget (扣分额度) with others.
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
    rescored(prev, rubric, inputs, changed).map(|r| r.scored)
}

/// What the shortcut made: the result, and the rows (units) whose clause scores moved — the only
/// ones whose totals were summed again.
pub struct Rescored<'a> {
    pub scored: Scored<'a>,
    pub rows: Vec<u32>,
}

/// [`try_rescore`] with the rows it summed again.
pub fn rescored<'a>(
    prev: &Scored<'_>,
    rubric: &'a Rubric,
    inputs: &'a Inputs,
    changed: &[(&str, &str)],
) -> Option<Rescored<'a>> {
    let (old, n_clauses) = (prev.inputs, rubric.clauses.len());
    let same_shape = prev.input_problems == 0
        && prev.rubric.clauses.len() == n_clauses
        && prev.rubric.metrics.len() == rubric.metrics.len()
        && old.judgements.len().abs_diff(inputs.judgements.len()) <= changed.len()
        && old.units == inputs.units;
    if !same_shape {
        return None;
    }
    let mut index = prev.index.clone();
    let mut l = index::lookups(rubric, inputs, &index);
    let mut clauses = Vec::new();
    let mut slots = Vec::new();
    for &(unit, clause) in changed {
        let ci = l.clause_of.get(clause)?;
        if !matches!(rubric.clauses[ci].rule, Rule::Judgement) {
            return None;
        }
        let row = l.unit_at.get(unit)?;
        if !slots.contains(&(row * n_clauses + ci)) {
            slots.push(row * n_clauses + ci);
        }
        if !clauses.contains(&ci) {
            clauses.push(ci);
        }
    }
    let mut problems = Vec::new();
    judgements_again(
        rubric,
        old,
        inputs,
        &slots,
        &mut index,
        &mut l,
        &mut problems,
    );
    for ci in tables_again(rubric, old, inputs, &mut index, &mut l, &mut problems)? {
        if !clauses.contains(&ci) {
            clauses.push(ci);
        }
    }
    if !problems.is_empty()
        || clauses
            .iter()
            .any(|&ci| crate::budget::shares_budget(rubric, ci))
    {
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
    // The units whose clause scores moved (a ranking clause moves others than the changed one).
    let mut moved = vec![false; index.units.len()];
    for &ci in &clauses {
        for (u, m) in moved.iter_mut().enumerate() {
            let at = u * n_clauses + ci;
            *m |= cells[at] != prev.cells[at];
        }
    }
    let mut units = prev.units.clone();
    let mut rows = Vec::new();
    for u in units.iter_mut() {
        if moved[u.row as usize] {
            *u = unit_result(rubric, &index, &cells, &prev.groups, u.row as usize);
            rows.push(u.row);
        }
    }
    rows.sort_unstable();
    standing::rank(rubric, inputs, &mut units);
    let complete = finish(rubric, &cells, index.units.len(), &mut problems);
    Some(Rescored {
        scored: Scored {
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
        },
        rows,
    })
}

/// The judgement entries indexed again: only those at the changed `slots` where each is still in
/// its place (a score saved again), else all of them (positions move when one is added or removed).
fn judgements_again(
    rubric: &Rubric,
    old: &Inputs,
    inputs: &Inputs,
    slots: &[usize],
    index: &mut index::Index,
    l: &mut Lookups,
    problems: &mut Vec<crate::problem::Problem>,
) {
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
    let entries: Box<dyn Iterator<Item = usize>> = match in_place {
        Some(at) => {
            for &slot in slots {
                index.judgement[slot] = NONE;
            }
            Box::new(at.into_iter())
        }
        None => {
            index.judgement.fill(NONE);
            Box::new(0..inputs.judgements.len())
        }
    };
    index::judgements(rubric, inputs, entries, index, l, problems);
}

/// The other tables compared with the previous inputs': each that differs indexed again whole; the
/// clauses (by position) its changed entries bear on — a finding's, bonus's or inspection's clause,
/// every clause that reads a changed metric. `None` when a changed entry names a clause the rubric
/// does not have (scored from scratch, which reports it).
fn tables_again(
    rubric: &Rubric,
    old: &Inputs,
    inputs: &Inputs,
    index: &mut index::Index,
    l: &mut Lookups,
    problems: &mut Vec<crate::problem::Problem>,
) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    let mut by_clause = |ids: FxHashSet<&str>, l: &mut Lookups| -> Option<()> {
        for id in ids {
            out.push(l.clause_of.get(id)?);
        }
        Some(())
    };
    let metrics = old.metrics != inputs.metrics;
    let findings = old.findings != inputs.findings;
    if findings {
        by_clause(differing(&old.findings, &inputs.findings, |e| &e.clause), l)?;
        index.findings.clear();
        index::findings(rubric, inputs, index, l, problems);
    }
    if old.bonuses != inputs.bonuses {
        by_clause(differing(&old.bonuses, &inputs.bonuses, |e| &e.clause), l)?;
        index.bonuses.clear();
        index::bonuses(rubric, inputs, index, l, problems);
    }
    if old.inspections != inputs.inspections {
        by_clause(
            differing(&old.inspections, &inputs.inspections, |e| &e.clause),
            l,
        )?;
        index.inspections.clear();
        index::inspections(rubric, inputs, index, l, problems);
    }
    if metrics {
        let keys = differing(&old.metrics, &inputs.metrics, |e| &e.metric);
        for (ci, c) in rubric.clauses.iter().enumerate() {
            if c.rule.metrics().iter().any(|m| keys.contains(m)) {
                out.push(ci);
            }
        }
        index.metric.fill(NONE);
        index::metrics(rubric, inputs, index, l, problems);
    }
    if metrics || findings {
        index::conflicts(rubric, inputs, index, l, problems);
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// The keys (clause ids, metric keys) of the entries where `old` and `new` differ — of a superset
/// of the (unit, key) pairs whose entries differ, which is what is needed: position by position
/// when the lengths agree (a value changed in place), else of the stretch between the common
/// beginning and the common end (an entry added or removed). No allocation per entry.
fn differing<'e, T: PartialEq>(
    old: &'e [T],
    new: &'e [T],
    key: impl Fn(&'e T) -> &'e str,
) -> FxHashSet<&'e str> {
    let mut out = FxHashSet::default();
    if old.len() == new.len() {
        for (a, b) in old.iter().zip(new) {
            if a != b {
                out.insert(key(a));
                out.insert(key(b));
            }
        }
    } else {
        let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        let tail = old[head..]
            .iter()
            .rev()
            .zip(new[head..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        out.extend(old[head..old.len() - tail].iter().map(&key));
        out.extend(new[head..new.len() - tail].iter().map(&key));
    }
    out
}
