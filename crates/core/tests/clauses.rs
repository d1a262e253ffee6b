//! The clause test runner. A case file reads like this (all values are text, so that nothing is a
//! float):
//!
//! ```toml
//! clause = "1.4.1"
//! [[case]]
//! name = "认领率并列第2"
//! units = [
//!   { code = "A", metrics = { claim_rate = "0.99" } },
//!   { code = "B", metrics = { claim_rate = "0.98" } },
//! ]
//! expect = { A = "0.05", B = "0.048" }        # a score, or "missing"
//! explain = { B = "认领率 98.00%，…" }          # optional: the exact explanation line
//! ```
//!
//! A unit may also carry `score` + `reason` (+ `assessor`) for a judgement clause, `findings`
//! (descriptions) for per-instance / deduction / veto clauses, `bonus` ([{ points, reason }]), and
//! `kind` (镇 / 街道 / 区). A finding may be a table `{ description, type, points, reason, clause }`
//! (a finding type, a chosen deduction and its reason, another clause's finding); `inspections =
//! [{ inspector, date }]` gives inspection records. `totals = { A = "…" }` checks a unit's total,
//! `explain_total = { A = "…" }` its explanation; `vetoed = ["A"]` checks vetoes;
//! `grades = { A = "优秀" }` checks bands; `ranks = { A = "1", B = "未完成" }` checks league places
//! (within the unit's ranking group); `problems = ["text"]` expects those error messages.

use crate::support::{repo, rubrics};
use kaohe_core::input::*;
use kaohe_core::num::parse_decimal;
use kaohe_core::rubric::Rubric;
use std::collections::BTreeMap;
use toml::{Table, Value};

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => panic!("case files write every value as text, got {other}"),
    }
}

fn build(clause: &str, units: &[Value]) -> Inputs {
    let mut inputs = Inputs::default();
    for u in units {
        let t = u.as_table().expect("a unit is a table");
        let code = s(&t["code"]);
        inputs.units.push(Unit {
            code: code.as_str().into(),
            name: t
                .get("name")
                .map(s)
                .unwrap_or_else(|| format!("单位{code}")),
            kind: t.get("kind").map(s).unwrap_or_else(|| "镇".into()),
            origin: None,
        });
        if let Some(Value::Table(m)) = t.get("metrics") {
            for (k, v) in m {
                inputs.metrics.push(MetricEntry {
                    unit: code.as_str().into(),
                    metric: k.as_str().into(),
                    value: parse_decimal(&s(v)).expect("metric value"),
                    origin: None,
                });
            }
        }
        if let Some(score) = t.get("score") {
            inputs.judgements.push(JudgementEntry {
                unit: code.as_str().into(),
                clause: clause.into(),
                score: parse_decimal(&s(score)).expect("score"),
                reason: t.get("reason").map(s).unwrap_or_default().into(),
                assessor: t.get("assessor").map(s).map(Into::into),
                origin: None,
            });
        }
        if let Some(Value::Array(fs)) = t.get("findings") {
            for f in fs {
                // A finding is its description, or a table { description, type, points, reason,
                // clause } (clause: another clause of the rubric, e.g. one sharing a budget).
                let (description, get) = match f {
                    Value::Table(ft) => (s(&ft["description"]), Some(ft)),
                    other => (s(other), None),
                };
                let field = |k: &str| get.and_then(|ft| ft.get(k)).map(s);
                inputs.findings.push(FindingEntry {
                    unit: code.as_str().into(),
                    clause: field("clause").unwrap_or_else(|| clause.into()).into(),
                    description,
                    evidence: None,
                    finding_type: field("type"),
                    points: field("points").map(|p| parse_decimal(&p).expect("points")),
                    reason: field("reason"),
                    origin: None,
                });
            }
        }
        if let Some(Value::Array(is)) = t.get("inspections") {
            for i in is {
                let i = i.as_table().expect("an inspection is a table");
                inputs.inspections.push(InspectionEntry {
                    unit: code.as_str().into(),
                    clause: i
                        .get("clause")
                        .map(s)
                        .unwrap_or_else(|| clause.into())
                        .into(),
                    inspector: s(&i["inspector"]),
                    date: kaohe_core::Date::parse(&s(&i["date"])).expect("date"),
                    origin: None,
                });
            }
        }
        if let Some(Value::Array(bs)) = t.get("bonus") {
            for b in bs {
                let b = b.as_table().unwrap();
                inputs.bonuses.push(BonusEntry {
                    unit: code.as_str().into(),
                    clause: clause.into(),
                    points: parse_decimal(&s(&b["points"])).unwrap(),
                    reason: b.get("reason").map(s).unwrap_or_default(),
                    origin: None,
                });
            }
        }
    }
    inputs
}

/// Runs one case; returns the failures as readable lines.
fn check(rubric: &Rubric, clause: &str, case: &Table) -> Vec<String> {
    let name = case.get("name").map(s).unwrap_or_default();
    let ci = rubric
        .clause_index(clause)
        .unwrap_or_else(|| panic!("{clause}: no such clause in {}", rubric.id));
    let units = case["units"].as_array().expect("units");
    let inputs = build(clause, units);
    let scored = kaohe_core::score(rubric, &inputs);
    let mut fails = Vec::new();
    let by_code: BTreeMap<&str, &kaohe_core::result::UnitResult> = scored
        .units
        .iter()
        .map(|u| (&*scored.unit(u).code, u))
        .collect();
    let errors: Vec<String> = scored
        .problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| p.message.clone())
        .collect();
    let expected_problems: Vec<String> = case
        .get("problems")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(s).collect())
        .unwrap_or_default();
    for e in &expected_problems {
        if !errors.iter().any(|x| x.contains(e.as_str())) {
            fails.push(format!(
                "[{name}] expected a problem containing “{e}”, got {errors:?}"
            ));
        }
    }
    if expected_problems.is_empty() && !errors.is_empty() {
        fails.push(format!("[{name}] unexpected problems: {errors:?}"));
    }
    for (code, want) in case["expect"].as_table().expect("expect") {
        let u = by_code[code.as_str()];
        let got = scored.clauses(u)[ci].score();
        let want = s(want);
        let ok = match (want.as_str(), got) {
            ("missing", None) => true,
            (w, Some(g)) => parse_decimal(w) == Some(g),
            _ => false,
        };
        if !ok {
            fails.push(format!(
                "[{name}] {code}: expected {want}, got {} — {}",
                got.map(|g| g.to_string()).unwrap_or("missing".into()),
                scored.explain(u, ci)
            ));
        }
    }
    if let Some(Value::Table(ex)) = case.get("explain") {
        for (code, want) in ex {
            let got = scored.explain(by_code[code.as_str()], ci);
            if got != s(want) {
                fails.push(format!(
                    "[{name}] {code}: explanation\n  expected {}\n  got      {got}",
                    s(want)
                ));
            }
        }
    }
    if let Some(Value::Table(tt)) = case.get("totals") {
        for (code, want) in tt {
            let got = by_code[code.as_str()].total;
            if parse_decimal(&s(want)) != Some(got) {
                fails.push(format!(
                    "[{name}] {code}: total expected {}, got {got}",
                    s(want)
                ));
            }
        }
    }
    if let Some(Value::Table(tt)) = case.get("explain_total") {
        for (code, want) in tt {
            let got = scored.explain_total(by_code[code.as_str()]);
            if got != s(want) {
                fails.push(format!(
                    "[{name}] {code}: total explanation\n  expected {}\n  got      {got}",
                    s(want)
                ));
            }
        }
    }
    if let Some(Value::Array(vs)) = case.get("vetoed") {
        let want: Vec<String> = vs.iter().map(s).collect();
        let got: Vec<String> = scored
            .units
            .iter()
            .filter(|u| u.vetoed)
            .map(|u| scored.unit(u).code.to_string())
            .collect();
        if want != got {
            fails.push(format!("[{name}] vetoed expected {want:?}, got {got:?}"));
        }
    }
    if let Some(Value::Table(rs)) = case.get("ranks") {
        for (code, want) in rs {
            let got = scored.rank_text(by_code[code.as_str()]);
            if got != s(want) {
                fails.push(format!(
                    "[{name}] {code}: rank expected {}, got {got}",
                    s(want)
                ));
            }
        }
    }
    if let Some(Value::Table(gs)) = case.get("grades") {
        for (code, want) in gs {
            let got = scored.grade(by_code[code.as_str()]).unwrap_or("—");
            if got != s(want) {
                fails.push(format!(
                    "[{name}] {code}: grade expected {}, got {got}",
                    s(want)
                ));
            }
        }
    }
    fails
}

#[test]
fn every_clause_of_every_rubric_has_worked_cases_and_they_hold() {
    let mut fails = Vec::new();
    let mut ran = 0;
    for (path, rubric) in rubrics() {
        let dir = repo().join("crates/core/tests/clauses").join(&rubric.id);
        for clause in &rubric.clauses {
            let file = dir.join(format!("{}.toml", clause.id));
            let Ok(text) = std::fs::read_to_string(&file) else {
                fails.push(format!(
                    "{}: clause {} has no worked cases (expected {})",
                    path.display(),
                    clause.id,
                    file.display()
                ));
                continue;
            };
            let t: Table = text
                .parse()
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert_eq!(s(&t["clause"]), &*clause.id, "{}", file.display());
            let cases = t
                .get("case")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if cases.is_empty() {
                fails.push(format!("{}: no [[case]]", file.display()));
            }
            for c in cases {
                ran += 1;
                for f in check(&rubric, &clause.id, c.as_table().unwrap()) {
                    fails.push(format!("{} {}", file.display(), f));
                }
            }
        }
        // A case file for a clause the rubric does not have is a mistake too.
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd {
                let p = e.unwrap().path();
                let id = p.file_stem().unwrap().to_string_lossy().into_owned();
                if rubric.clause(&id).is_none() {
                    fails.push(format!("{}: no clause {id} in {}", p.display(), rubric.id));
                }
            }
        }
    }
    assert!(
        fails.is_empty(),
        "{} failures:\n{}",
        fails.len(),
        fails.join("\n")
    );
    assert!(ran >= 40, "only {ran} cases ran");
}
