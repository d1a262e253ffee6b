//! Score 40,000 synthetic units (about every township-level unit of China) under the full 2021
//! rubric, ranks included. Target: ≤ 100 ms on one core.
//!
//! Run: `cargo bench -p kaohe-core --bench score`

// The tests and benchmarks read the rubric and case files from disk and time from outside: the core's
// bans on IO and the clock (crates/core/clippy.toml) are for the library, not for them.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use kaohe_core::input::Id;
use kaohe_core::input::*;
use kaohe_core::rubric::{self, Rubric, Rule};
use rust_decimal::Decimal;

fn main() {
    divan::main();
}

const RUBRIC: &str = include_str!("../../../rubrics/rudong-2021.toml");

fn rubric() -> Rubric {
    rubric::load("rudong-2021.toml", RUBRIC).0.unwrap()
}

/// Deterministic synthetic inputs for `n` units: every judgement scored (a tenth below max with a
/// reason), every metric present, some findings and bonus entries, many ties in the rankings.
pub fn inputs(r: &Rubric, n: usize) -> Inputs {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut inp = Inputs::default();
    for i in 0..n {
        // Ids are shared as the readers share them: one allocation per unit, the rubric's clause ids
        // and metric keys.
        let code: Id = format!("{:09}", 100_000_000 + i).into();
        inp.units.push(Unit {
            code: code.clone(),
            name: format!("单位{i}"),
            kind: "镇".into(),
            origin: None,
        });
        let m = |k: &str, v: Decimal| MetricEntry {
            unit: code.clone(),
            metric: r.metric(k).expect("metric").key.clone(),
            value: v,
            origin: None,
        };
        inp.metrics
            .push(m("claim_rate", Decimal::new((next() % 1001) as i64, 3)));
        inp.metrics
            .push(m("overdue_cases", Decimal::from(next() % 40)));
        inp.metrics
            .push(m("online_volume", Decimal::from(next() % 5000)));
        inp.metrics
            .push(m("online_coverage", Decimal::new((next() % 101) as i64, 2)));
        inp.metrics.push(m(
            "agent_satisfaction",
            Decimal::new((800 + next() % 201) as i64, 3),
        ));
        if i % 10 == 0 {
            for k in 0..3 {
                inp.findings.push(FindingEntry {
                    unit: code.clone(),
                    clause: r.clause("1.4.2").expect("clause").id.clone(),
                    description: format!("指南问题{k}"),
                    evidence: None,
                    finding_type: None,
                    points: None,
                    reason: None,
                    origin: None,
                });
            }
        } else {
            inp.metrics
                .push(m("guide_defects", Decimal::from(next() % 10)));
        }
        for c in &r.clauses {
            match c.rule {
                Rule::Judgement => {
                    let cut = next() % 10 == 0;
                    inp.judgements.push(JudgementEntry {
                        unit: code.clone(),
                        clause: c.id.clone(),
                        score: if cut {
                            c.max - Decimal::new(1, 2)
                        } else {
                            c.max
                        },
                        reason: if cut {
                            "扣分理由".into()
                        } else {
                            "".into()
                        },
                        assessor: None,
                        origin: None,
                    });
                }
                Rule::Bonus { .. } if i % 50 == 0 => inp.bonuses.push(BonusEntry {
                    unit: code.clone(),
                    clause: c.id.clone(),
                    points: Decimal::new(2, 2),
                    reason: "亮点".into(),
                    origin: None,
                }),
                _ => {}
            }
        }
    }
    inp
}

#[divan::bench(sample_count = 20)]
fn score_40000_units(bencher: divan::Bencher) {
    let r = rubric();
    let inp = inputs(&r, 40_000);
    bencher.bench_local(|| {
        let s = kaohe_core::score(divan::black_box(&r), divan::black_box(&inp));
        assert!(s.complete);
        s.units.len()
    });
}

#[divan::bench(sample_count = 5)]
fn score_and_explain_40000_units(bencher: divan::Bencher) {
    let r = rubric();
    let inp = inputs(&r, 40_000);
    bencher.bench_local(|| {
        let s = kaohe_core::score(&r, &inp);
        let mut bytes = 0;
        for u in &s.units {
            for ci in 0..r.clauses.len() {
                bytes += s.explain(u, ci).len();
            }
        }
        bytes
    });
}

/// 方案对比 for a province: the same 40,000 units under rudong-2021 and under a draft whose rank
/// steps and per-case deductions are steeper — both scored, the inputs carried over, compared (every
/// changed cell with both explanations rendered).
#[divan::bench(sample_count = 5)]
fn whatif_40000_units(bencher: divan::Bencher) {
    let r = rubric();
    let draft = rubric::load(
        "draft.toml",
        &RUBRIC
            .replace(r#"step = "0.002""#, r#"step = "0.003""#)
            .replace(r#"per = "0.002""#, r#"per = "0.004""#),
    )
    .0
    .unwrap();
    let inp = inputs(&r, 40_000);
    bencher.bench_local(|| {
        let before = kaohe_core::score(&r, &inp);
        let (carried, _) = kaohe_core::compare::carry_over(&inp, &r, &draft);
        let after = kaohe_core::score(&draft, &carried);
        let cmp = kaohe_core::compare::compare(&before, &after);
        assert!(!cmp.cells.is_empty());
        cmp.cells.len()
    });
}

/// 增量计分 (issue 15): one assessor's score changed among 10,000 units — the result brought up
/// to date from the previous one, beside scoring all 10,000 again. Target: a small part of it.
#[divan::bench(args = ["rescore", "score"], sample_count = 20)]
fn one_score_changed_among_10000_units(bencher: divan::Bencher, how: &str) {
    let r = rubric();
    let before = inputs(&r, 10_000);
    let prev = kaohe_core::score(&r, &before);
    let mut after = before.clone();
    let j = &mut after.judgements[4_321];
    j.score -= Decimal::new(1, 2);
    j.reason = "复核扣分".into();
    let pair = (j.unit.to_string(), j.clause.to_string());
    let pairs = [(pair.0.as_str(), pair.1.as_str())];
    bencher.bench_local(|| {
        let s = if how == "rescore" {
            kaohe_core::rescore::try_rescore(&prev, &r, &after, &pairs).expect("shortcut")
        } else {
            kaohe_core::score(&r, &after)
        };
        s.units.len()
    });
}

/// 增量计分 of the other tables (issue 15): among 10,000 units, one unit's 认领率 changed (1.4.1
/// ranks on it: the whole column is scored again and every unit whose place moved summed again),
/// or one finding recorded (1.4.2: the findings indexed again, one column, one unit) — beside the
/// whole scoring of `one_score_changed_among_10000_units`.
#[divan::bench(args = ["metric", "finding"], sample_count = 20)]
fn one_other_input_changed_among_10000_units(bencher: divan::Bencher, what: &str) {
    let r = rubric();
    let before = inputs(&r, 10_000);
    let prev = kaohe_core::score(&r, &before);
    let mut after = before.clone();
    if what == "metric" {
        let m = after
            .metrics
            .iter_mut()
            .find(|m| &*m.metric == "claim_rate")
            .expect("a 认领率");
        m.value = Decimal::new(995, 3);
    } else {
        let mut f = after.findings[0].clone();
        f.description = "指南又一问题".into();
        after.findings.push(f);
    }
    bencher.bench_local(|| {
        let s = kaohe_core::rescore::try_rescore(&prev, &r, &after, &[]).expect("shortcut");
        s.units.len()
    });
}
