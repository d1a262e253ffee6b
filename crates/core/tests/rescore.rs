//! 增量计分 ([`kaohe_core::rescore`]): after random changes to assessors' scores — a score set,
//! lowered, raised to full, withdrawn, or added where there was none — the result brought up to
//! date equals the result scored from scratch, in every cell, explanation, column, total, rank,
//! grade and problem; and the shortcut is really taken (not the fallback) whenever the change is
//! valid, while an invalid one falls back to scoring from scratch and reports its problem.

use crate::properties::{U, inputs, unit};
use crate::support::rudong;
use kaohe_core::input::{Inputs, JudgementEntry};
use kaohe_core::rubric::{Rubric, Rule};
use kaohe_core::{Scored, rescore::try_rescore};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// One change to a score: unit, which judgement clause, and what happens to it.
#[derive(Debug, Clone)]
enum Op {
    /// Set the score to max − 0.01 × cut (with a reason when below max).
    Set(usize, usize, u8),
    /// Withdraw the score (the clause becomes 未评分).
    Remove(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0usize..30, 0usize..22, 0u8..8).prop_map(|(u, c, k)| Op::Set(u, c, k)),
        1 => (0usize..30, 0usize..22).prop_map(|(u, c)| Op::Remove(u, c)),
    ]
}

/// Applies `ops` to a copy of `inp` as the store patches its kept inputs (an entry replaced in
/// place, removed, or inserted where the unit's entries are, in clause order); the changed pairs.
fn apply(r: &Rubric, inp: &Inputs, ops: &[Op]) -> (Inputs, Vec<(String, String)>) {
    let clauses: Vec<_> = r
        .clauses
        .iter()
        .filter(|c| matches!(c.rule, Rule::Judgement))
        .collect();
    let mut out = inp.clone();
    let mut changed = Vec::new();
    for op in ops {
        let (u, c) = match op {
            Op::Set(u, c, _) | Op::Remove(u, c) => (u % inp.units.len(), *c),
        };
        let unit = inp.units[u].code.clone();
        let clause = clauses[c];
        let at = out
            .judgements
            .iter()
            .position(|j| j.unit == unit && j.clause == clause.id);
        match (op, at) {
            (Op::Set(_, _, k), _) => {
                let score = (clause.max - Decimal::new(*k as i64, 2)).max(Decimal::ZERO);
                let e = JudgementEntry {
                    unit: unit.clone(),
                    clause: clause.id.clone(),
                    score,
                    reason: if score < clause.max {
                        "复核扣分".into()
                    } else {
                        String::new()
                    },
                    assessor: Some("复核人".into()),
                    origin: None,
                };
                match at {
                    Some(i) => out.judgements[i] = e,
                    None => {
                        // After the unit's entries of earlier clauses.
                        let rank = |id: &str| clauses.iter().position(|c| &*c.id == id);
                        let i = out
                            .judgements
                            .iter()
                            .position(|j| {
                                j.unit == unit && rank(&j.clause) > rank(&clause.id)
                                    || j.unit > unit
                            })
                            .unwrap_or(out.judgements.len());
                        out.judgements.insert(i, e);
                    }
                }
            }
            (Op::Remove(..), Some(i)) => {
                out.judgements.remove(i);
            }
            (Op::Remove(..), None) => {}
        }
        changed.push((unit.to_string(), clause.id.to_string()));
    }
    (out, changed)
}

/// Everything a result says, as text: per unit in league order its totals, place and grade, every
/// clause's score and explanation; every column; every problem.
fn said(s: &Scored) -> String {
    let mut out = format!("complete {}\n", s.complete);
    for u in &s.units {
        out += &format!(
            "{} base {} bonus {} penalty {} total {} rank {} ranked {} complete {} vetoed {} grade {:?} group {:?} prorated {:?}\n",
            s.unit(u).code,
            u.base,
            u.bonus,
            u.penalty,
            u.total,
            u.rank,
            u.ranked,
            u.complete,
            u.vetoed,
            s.grade(u),
            u.group,
            u.prorated
        );
        for (ci, c) in s.clauses(u).iter().enumerate() {
            out += &format!("  {ci} {:?} {}\n", c, s.explain(u, ci));
        }
    }
    out += &format!("{:?}\n", s.columns);
    for p in &s.problems {
        out += &format!("{p}\n");
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn rescoring_a_change_equals_scoring_from_scratch(
        us in prop::collection::vec(unit(), 1..30),
        ops in prop::collection::vec(op(), 1..6),
        holes in prop::collection::vec(any::<bool>(), 30),
    ) {
        let r = rudong();
        // Some units start with unscored clauses, so that changes also fill and empty them.
        let us: Vec<U> = us;
        let mut before = inputs(&us);
        let codes: Vec<String> = before.units.iter().map(|u| u.code.to_string()).collect();
        before.judgements.retain(|j| {
            let u = codes.iter().position(|c| **c == *j.unit).unwrap();
            !(holes[u] && j.clause.ends_with('1'))
        });
        let prev = kaohe_core::score(&r, &before);
        let (after, changed) = apply(&r, &before, &ops);
        let pairs: Vec<(&str, &str)> = changed.iter().map(|(u, c)| (u.as_str(), c.as_str())).collect();
        let fresh = kaohe_core::score(&r, &after);
        let quick = try_rescore(&prev, &r, &after, &pairs);
        prop_assert!(quick.is_some(), "a valid change of scores must take the shortcut");
        prop_assert_eq!(said(&quick.unwrap()), said(&fresh));
        // Again from the rescored result (changes chain).
        let quick = kaohe_core::rescore(&prev, &r, &after, &pairs);
        let (again, changed2) = apply(&r, &after, &ops[..1]);
        let pairs2: Vec<(&str, &str)> = changed2.iter().map(|(u, c)| (u.as_str(), c.as_str())).collect();
        let chained = try_rescore(&quick, &r, &again, &pairs2);
        prop_assert!(chained.is_some());
        prop_assert_eq!(said(&chained.unwrap()), said(&kaohe_core::score(&r, &again)));
    }
}

/// A score above the clause's points is a problem: the shortcut declines and [`kaohe_core::rescore`]
/// scores from scratch, reporting it; a change to a clause that is not judged (a ranking) declines too.
#[test]
fn an_invalid_change_falls_back_to_scoring_from_scratch() {
    let r = rudong();
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let us: Vec<U> = (0..4)
        .map(|_| unit().new_tree(&mut runner).unwrap().current())
        .collect();
    let before = inputs(&us);
    let prev = kaohe_core::score(&r, &before);
    let mut after = before.clone();
    let j = &mut after.judgements[0];
    j.score = r.clause(&j.clause).unwrap().max + Decimal::ONE;
    let pair = (j.unit.to_string(), j.clause.to_string());
    let pairs = [(pair.0.as_str(), pair.1.as_str())];
    assert!(try_rescore(&prev, &r, &after, &pairs).is_none());
    let s = kaohe_core::rescore(&prev, &r, &after, &pairs);
    assert!(
        s.problems
            .iter()
            .any(|p| p.is_error() && p.to_string().contains("得分超出条款")),
        "{:?}",
        s.problems
    );
    assert_eq!(said(&s), said(&kaohe_core::score(&r, &after)));

    let ranked = r.clauses.iter().find(|c| c.rule.ranks()).unwrap();
    let pairs = [(pair.0.as_str(), &*ranked.id)];
    assert!(try_rescore(&prev, &r, &before, &pairs).is_none());
}
