//! 增量计分 ([`kaohe_core::rescore`]): after random changes to assessors' scores — a score set,
//! lowered, raised to full, withdrawn, or added where there was none — and to every other table —
//! metrics set and removed (rankings move other units), findings typed, ranged and plain recorded
//! and withdrawn, bonuses, inspections — the result brought up to date equals the result scored
//! from scratch, in every cell, explanation, column, total, rank, grade and problem; and the
//! shortcut is really taken (not the fallback) whenever the change is valid and no deduction budget
//! is shared, while an invalid one falls back to scoring from scratch and reports its problem.

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
        let clause = clauses[c % clauses.len()];
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
                        "".into()
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

/// One change to a table other than the judgements: unit, which entry of the kind, a value.
#[derive(Debug, Clone)]
enum TableOp {
    /// Set metric m of the unit to a value of its kind (k hundredths of a rate, else k).
    Metric(usize, usize, u8),
    /// Remove metric m of the unit.
    NoMetric(usize, usize),
    /// Record a finding on the k-th clause that takes findings (removing the unit's count metric
    /// there, so that the count has one source); `kind` picks its type.
    Finding(usize, usize, usize),
    /// Withdraw the unit's first finding.
    NoFinding(usize),
    /// Award 0.01 × (k + 1) on the k-th bonus clause.
    Bonus(usize, u8),
    /// Withdraw the unit's first bonus.
    NoBonus(usize),
    /// Record an inspection on the k-th clause that requires one.
    Inspection(usize, usize),
    /// Remove the unit's first inspection.
    NoInspection(usize),
    /// A judgement score changed (as [`Op`]).
    Score(Op),
}

fn table_op() -> impl Strategy<Value = TableOp> {
    let u = 0usize..12;
    prop_oneof![
        3 => (u.clone(), 0usize..8, 0u8..=100).prop_map(|(u, m, k)| TableOp::Metric(u, m, k)),
        1 => (u.clone(), 0usize..8).prop_map(|(u, m)| TableOp::NoMetric(u, m)),
        3 => (u.clone(), 0usize..8, 0usize..4).prop_map(|(u, c, k)| TableOp::Finding(u, c, k)),
        1 => u.clone().prop_map(TableOp::NoFinding),
        2 => (u.clone(), 0u8..4).prop_map(|(u, k)| TableOp::Bonus(u, k)),
        1 => u.clone().prop_map(TableOp::NoBonus),
        2 => (u.clone(), 0usize..4).prop_map(|(u, c)| TableOp::Inspection(u, c)),
        1 => u.clone().prop_map(TableOp::NoInspection),
        2 => op().prop_map(TableOp::Score),
    ]
}

/// `n` units with every judgement at full marks and every metric set (values that tie now and
/// then), no findings, bonuses or inspections.
fn base(r: &Rubric, n: usize) -> Inputs {
    use kaohe_core::input::{MetricEntry, Unit};
    let mut inp = Inputs::default();
    for i in 0..n {
        let code: kaohe_core::input::Id = format!("U{i:03}").as_str().into();
        inp.units.push(Unit {
            code: code.clone(),
            name: code.to_string(),
            kind: "镇".into(),
            origin: None,
        });
        for (m, def) in r.metrics.iter().enumerate() {
            inp.metrics.push(MetricEntry {
                unit: code.clone(),
                metric: def.key.clone(),
                value: metric_value(r, m, ((i * 7 + m * 3) % 5) as u8 * 20),
                origin: None,
            });
        }
        for c in r
            .clauses
            .iter()
            .filter(|c| matches!(c.rule, Rule::Judgement))
        {
            inp.judgements.push(JudgementEntry {
                unit: code.clone(),
                clause: c.id.clone(),
                score: c.max,
                reason: "".into(),
                assessor: None,
                origin: None,
            });
        }
    }
    inp
}

fn metric_value(r: &Rubric, m: usize, k: u8) -> Decimal {
    match r.metrics[m].kind.key() {
        "rate" => Decimal::new(k as i64, 2),
        _ => Decimal::from(k % 40),
    }
}

/// Applies table changes to a copy of `inp` (tables replaced as the store reads them again); the
/// judgement pairs changed.
fn apply_tables(r: &Rubric, inp: &Inputs, ops: &[TableOp]) -> (Inputs, Vec<(String, String)>) {
    use kaohe_core::input::{BonusEntry, FindingEntry, InspectionEntry, MetricEntry};
    use kaohe_core::rules::counting::Each;
    let mut out = inp.clone();
    let mut changed = Vec::new();
    let of = |pred: &dyn Fn(&kaohe_core::rubric::Clause) -> bool| -> Vec<usize> {
        (0..r.clauses.len())
            .filter(|&i| pred(&r.clauses[i]))
            .collect()
    };
    let taking = of(&|c| c.rule.takes_findings());
    let bonus = of(&|c| c.is_bonus());
    let inspected = of(&|c| c.rule.counting().inspection);
    for op in ops {
        let unit = |u: &usize| inp.units[u % inp.units.len()].code.clone();
        match op {
            TableOp::Metric(u, m, k) if !r.metrics.is_empty() => {
                let (unit, m) = (unit(u), m % r.metrics.len());
                let key = r.metrics[m].key.clone();
                out.metrics.retain(|e| !(e.unit == unit && e.metric == key));
                out.metrics.push(MetricEntry {
                    unit,
                    metric: key,
                    value: metric_value(r, m, *k),
                    origin: None,
                });
            }
            TableOp::NoMetric(u, m) if !r.metrics.is_empty() => {
                let (unit, key) = (unit(u), &r.metrics[m % r.metrics.len()].key);
                out.metrics
                    .retain(|e| !(e.unit == unit && e.metric == *key));
            }
            TableOp::Finding(u, c, k) if !taking.is_empty() => {
                let (unit, clause) = (unit(u), &r.clauses[taking[c % taking.len()]]);
                if let Some(m) = clause.rule.count_metric() {
                    out.metrics.retain(|e| !(e.unit == unit && &*e.metric == m));
                }
                let counting = clause.rule.counting();
                let (finding_type, each) = match counting.types.get(k % counting.types.len().max(1))
                {
                    Some(t) => (Some(t.name.clone()), Some(t.each)),
                    None => (None, counting.range.map(Each::Range)),
                };
                let points = match each {
                    Some(Each::Range(range)) => Some(range.lo),
                    _ => None,
                };
                out.findings.push(FindingEntry {
                    unit,
                    clause: clause.id.clone(),
                    description: format!("问题 {k}"),
                    evidence: None,
                    finding_type,
                    reason: points.map(|_| "酌情扣分".into()),
                    points,
                    origin: None,
                });
            }
            TableOp::NoFinding(u) => {
                let unit = unit(u);
                if let Some(i) = out.findings.iter().position(|f| f.unit == unit) {
                    out.findings.remove(i);
                }
            }
            TableOp::Bonus(u, k) if !bonus.is_empty() => {
                out.bonuses.push(BonusEntry {
                    unit: unit(u),
                    clause: r.clauses[bonus[*k as usize % bonus.len()]].id.clone(),
                    points: Decimal::new(*k as i64 + 1, 2),
                    reason: "亮点".into(),
                    origin: None,
                });
            }
            TableOp::NoBonus(u) => {
                let unit = unit(u);
                if let Some(i) = out.bonuses.iter().position(|b| b.unit == unit) {
                    out.bonuses.remove(i);
                }
            }
            TableOp::Inspection(u, c) if !inspected.is_empty() => {
                out.inspections.push(InspectionEntry {
                    unit: unit(u),
                    clause: r.clauses[inspected[c % inspected.len()]].id.clone(),
                    inspector: "检查人".into(),
                    date: kaohe_core::Date::parse("2021-11-20").unwrap(),
                    origin: None,
                });
            }
            TableOp::NoInspection(u) => {
                let unit = unit(u);
                if let Some(i) = out.inspections.iter().position(|x| x.unit == unit) {
                    out.inspections.remove(i);
                }
            }
            TableOp::Score(op) => {
                let (next, pairs) = apply(r, &out, std::slice::from_ref(op));
                out = next;
                changed.extend(pairs);
            }
            _ => {}
        }
    }
    (out, changed)
}

/// rudong-2021 (rankings on metrics, counts from metrics or findings, a bonus) and the window
/// service example without its deduction budget (typed and ranged findings, inspections,
/// penalties): with the budget the shortcut must decline, and the answer is still the same.
fn table_rubrics() -> Vec<(Rubric, bool)> {
    let window = crate::support::rubrics()
        .into_iter()
        .find(|(_, r)| r.id == "example-window-service")
        .unwrap();
    let text = std::fs::read_to_string(&window.0).unwrap();
    let unbudgeted = text.replace("budget = \"10\"\n", "");
    assert_ne!(unbudgeted, text, "the example has a budget to take away");
    let (free, problems) = kaohe_core::rubric::load("window.toml", &unbudgeted);
    vec![
        (rudong(), true),
        (free.unwrap_or_else(|| panic!("{problems:?}")), true),
        (window.1, false),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn rescoring_a_change_of_any_table_equals_scoring_from_scratch(
        n in 1usize..12,
        ops in prop::collection::vec(table_op(), 1..6),
        more in prop::collection::vec(table_op(), 1..3),
    ) {
        for (r, shortcut) in table_rubrics() {
            let before = base(&r, n);
            let prev = kaohe_core::score(&r, &before);
            prop_assert!(!prev.problems.iter().any(|p| p.is_error()), "{:?}", prev.problems);
            let (after, changed) = apply_tables(&r, &before, &ops);
            let pairs: Vec<(&str, &str)> = changed.iter().map(|(u, c)| (u.as_str(), c.as_str())).collect();
            let fresh = kaohe_core::score(&r, &after);
            let quick = kaohe_core::rescore(&prev, &r, &after, &pairs);
            prop_assert_eq!(said(&quick), said(&fresh), "{}", r.id);
            // Valid changes take the shortcut where no budget is shared.
            let valid = !fresh.problems.iter().any(|p| p.is_error());
            let touches_budget = !shortcut;
            if valid && !touches_budget {
                prop_assert!(try_rescore(&prev, &r, &after, &pairs).is_some(), "{}", r.id);
            }
            // Changes chain: again from the result brought up to date.
            let (again, changed2) = apply_tables(&r, &after, &more);
            let pairs2: Vec<(&str, &str)> = changed2.iter().map(|(u, c)| (u.as_str(), c.as_str())).collect();
            let chained = kaohe_core::rescore(&quick, &r, &again, &pairs2);
            prop_assert_eq!(said(&chained), said(&kaohe_core::score(&r, &again)), "{}", r.id);
        }
    }
}
