//! Invariants over random inputs under rudong-2021: totals add up, every clause stays within
//! [0, max], rank scores are monotone in the metric, equal metrics score equally, and the order of
//! the units changes nothing.

use crate::support::rudong;
use kaohe_core::input::*;
use kaohe_core::rubric::Rule;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub(crate) struct U {
    claim: u32,        // per mille, few values so that ties happen
    defects: u32,      // 0..40
    overdue: u32,      // 0..40
    volume: u32,       // 0..5000
    coverage: u32,     // percent
    satisfaction: u32, // per mille
    cut: Vec<u8>,      // per judgement clause: 0 = full, 1..=5 = lose 0.01 × n (within max)
    bonus: u8,         // 0..3 hundredths
}

pub(crate) fn unit() -> impl Strategy<Value = U> {
    (
        prop::sample::select(vec![900u32, 950, 970, 987, 990, 1000]),
        0u32..40,
        0u32..40,
        0u32..5000,
        0u32..=100,
        800u32..=1000,
        prop::collection::vec(0u8..6, 22),
        0u8..3,
    )
        .prop_map(
            |(claim, defects, overdue, volume, coverage, satisfaction, cut, bonus)| U {
                claim,
                defects,
                overdue,
                volume,
                coverage,
                satisfaction,
                cut,
                bonus,
            },
        )
}

pub(crate) fn inputs(us: &[U]) -> Inputs {
    let r = rudong();
    let judgement_ids: Vec<(kaohe_core::input::Id, Decimal)> = r
        .clauses
        .iter()
        .filter(|c| matches!(c.rule, Rule::Judgement))
        .map(|c| (c.id.clone(), c.max))
        .collect();
    let mut inp = Inputs::default();
    for (i, u) in us.iter().enumerate() {
        let code = format!("U{i:03}");
        inp.units.push(Unit {
            code: code.as_str().into(),
            name: code.clone(),
            kind: "镇".into(),
            origin: None,
        });
        let m = |k: &str, v: Decimal| MetricEntry {
            unit: code.as_str().into(),
            metric: k.into(),
            value: v,
            origin: None,
        };
        inp.metrics
            .push(m("claim_rate", Decimal::new(u.claim as i64, 3)));
        inp.metrics.push(m("guide_defects", u.defects.into()));
        inp.metrics.push(m("overdue_cases", u.overdue.into()));
        inp.metrics.push(m("online_volume", u.volume.into()));
        inp.metrics
            .push(m("online_coverage", Decimal::new(u.coverage as i64, 2)));
        inp.metrics.push(m(
            "agent_satisfaction",
            Decimal::new(u.satisfaction as i64, 3),
        ));
        for ((id, max), cut) in judgement_ids.iter().zip(&u.cut) {
            let score = (*max - Decimal::new(*cut as i64, 2)).max(Decimal::ZERO);
            inp.judgements.push(JudgementEntry {
                unit: code.as_str().into(),
                clause: id.clone(),
                score,
                reason: if score < *max {
                    "扣分".into()
                } else {
                    "".into()
                },
                assessor: None,
                origin: None,
            });
        }
        if u.bonus > 0 {
            inp.bonuses.push(BonusEntry {
                unit: code.as_str().into(),
                clause: "2.3.3".into(),
                points: Decimal::new(u.bonus as i64, 2),
                reason: "亮点".into(),
                origin: None,
            });
        }
    }
    inp
}

/// code → (clause scores, base, bonus, total, rank)
type Table = BTreeMap<String, (Vec<Option<Decimal>>, Decimal, Decimal, Decimal, u32)>;

fn table(inp: &Inputs) -> Table {
    let r = rudong();
    let s = kaohe_core::score(&r, inp);
    assert!(s.problems.iter().all(|p| !p.is_error()), "{:?}", s.problems);
    s.units
        .iter()
        .map(|u| {
            let scores = s.clauses(u).iter().map(|c| c.score()).collect();
            (
                s.unit(u).code.to_string(),
                (scores, u.base, u.bonus, u.total, u.rank),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn totals_add_up_and_scores_stay_within_bounds(us in prop::collection::vec(unit(), 1..25)) {
        let r = rudong();
        let t = table(&inputs(&us));
        for (code, (scores, base, bonus, total, _)) in &t {
            let mut b = Decimal::ZERO;
            let mut x = Decimal::ZERO;
            for (c, s) in r.clauses.iter().zip(scores) {
                let s = s.unwrap_or_else(|| panic!("{code} {} missing", c.id));
                if c.is_bonus() {
                    x += s;
                } else {
                    prop_assert!(s >= Decimal::ZERO && s <= c.max, "{} {} = {}", code, c.id, s);
                    b += s;
                }
            }
            prop_assert_eq!(b, *base);
            prop_assert_eq!(x, *bonus);
            prop_assert_eq!(*base + *bonus, *total);
            prop_assert!(*base <= r.max_total);
        }
    }

    #[test]
    fn rank_scores_are_monotone_and_equal_metrics_score_equally(us in prop::collection::vec(unit(), 2..30)) {
        let r = rudong();
        let ci = r.clause_index("1.4.1").unwrap();
        let t = table(&inputs(&us));
        let rows: Vec<(u32, Decimal)> = us.iter().enumerate().map(|(i, u)| (u.claim, t[&format!("U{i:03}")].0[ci].unwrap())).collect();
        for a in &rows {
            for b in &rows {
                if a.0 > b.0 { prop_assert!(a.1 >= b.1); }
                if a.0 == b.0 { prop_assert_eq!(a.1, b.1); }
            }
        }
        // Overdue cases: more is never better.
        let ci = r.clause_index("1.4.3a").unwrap();
        for (i, a) in us.iter().enumerate() {
            for (j, b) in us.iter().enumerate() {
                let (sa, sb) = (t[&format!("U{i:03}")].0[ci].unwrap(), t[&format!("U{j:03}")].0[ci].unwrap());
                if a.overdue <= b.overdue { prop_assert!(sa >= sb); }
            }
        }
        // Totals: a higher total never ranks lower.
        for a in t.values() {
            for b in t.values() {
                if a.3 > b.3 { prop_assert!(a.4 < b.4); }
                if a.3 == b.3 { prop_assert_eq!(a.4, b.4); }
            }
        }
    }

    #[test]
    fn permuting_the_units_changes_nothing(us in prop::collection::vec(unit(), 2..20), seed in any::<u64>()) {
        let inp = inputs(&us);
        let mut shuffled = inp.clone();
        // A deterministic shuffle of every input list.
        let mut k = seed | 1;
        let mut next = || { k ^= k << 13; k ^= k >> 7; k ^= k << 17; k };
        for i in (1..shuffled.units.len()).rev() { let j = (next() % (i as u64 + 1)) as usize; shuffled.units.swap(i, j); }
        for i in (1..shuffled.metrics.len()).rev() { let j = (next() % (i as u64 + 1)) as usize; shuffled.metrics.swap(i, j); }
        for i in (1..shuffled.judgements.len()).rev() { let j = (next() % (i as u64 + 1)) as usize; shuffled.judgements.swap(i, j); }
        prop_assert_eq!(table(&inp), table(&shuffled));
    }
}

/// rudong-2021 with steeper deductions: every rank step 0.003, every per-instance 0.004.
fn steeper() -> kaohe_core::Rubric {
    let text = std::fs::read_to_string(crate::support::repo().join("rubrics/rudong-2021.toml"))
        .unwrap()
        .replace(r#"step = "0.002""#, r#"step = "0.003""#)
        .replace(r#"per = "0.002""#, r#"per = "0.004""#);
    let (r, problems) = kaohe_core::rubric::load("steeper.toml", &text);
    r.unwrap_or_else(|| panic!("{problems:#?}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// 方案对比: a run compared with itself changes nothing; under another rubric every unit's change
    /// of total is the sum of its listed cell changes, a cell is listed only when its score differs,
    /// and a steeper rubric never raises a total.
    #[test]
    fn whatif_deltas_add_up_to_the_change_of_total(us in prop::collection::vec(unit(), 1..20)) {
        use kaohe_core::compare::{Cell, carry_over, compare};
        let (r, s) = (rudong(), steeper());
        let inp = inputs(&us);
        let before = kaohe_core::score(&r, &inp);
        let same = compare(&before, &kaohe_core::score(&r, &inp));
        prop_assert!(same.cells.is_empty());
        prop_assert!(same.units.iter().all(|u| u.delta() == Some(Decimal::ZERO) && u.places_up() == Some(0)));
        prop_assert_eq!(same.rubric_changes().count(), 0);

        let (carried, notes) = carry_over(&inp, &r, &s);
        prop_assert!(notes.is_empty(), "{:?}", notes);
        let after = kaohe_core::score(&s, &carried);
        let cmp = compare(&before, &after);
        prop_assert_eq!(cmp.units.len(), us.len());
        let value = |c: Cell| match c {
            Cell::Scored(d) => d,
            _ => Decimal::ZERO,
        };
        for u in &cmp.units {
            let sum: Decimal = cmp
                .cells
                .iter()
                .filter(|c| c.unit == u.code)
                .map(|c| value(c.after) - value(c.before))
                .sum();
            prop_assert_eq!(Some(sum), u.delta(), "{}", u.code);
            prop_assert!(u.delta().unwrap() <= Decimal::ZERO, "{} rose", u.code);
        }
        prop_assert!(cmp.cells.iter().all(|c| c.before != c.after));
    }
}
