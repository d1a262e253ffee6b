//! Snapshots of the explanation lines a township clerk reads, so that a review of any change reads
//! as a diff of those lines.

use crate::support::rubrics;
use kaohe_core::input::*;
use kaohe_core::num::parse_decimal;
use kaohe_core::rubric::Rule;
use kaohe_core::rules::Deduction;

fn d(s: &str) -> rust_decimal::Decimal {
    parse_decimal(s).unwrap()
}

/// Five units with something to explain in every rule kind of each rubric.
fn scenario(r: &kaohe_core::Rubric) -> Inputs {
    let codes = [
        "320623001",
        "320623002",
        "320623100",
        "320623111",
        "320623400",
    ];
    let mut inp = Inputs::default();
    for (i, code) in codes.iter().enumerate() {
        inp.units.push(Unit {
            code: (*code).into(),
            name: format!("单位{}", i + 1),
            // 镇, or the rubric's first kind when it declares kinds without 镇 (a 窗口 rubric).
            kind: match &r.shapes.unit_kinds {
                Some(k) if !k.iter().any(|k| k == "镇") => k[0].clone(),
                _ => "镇".into(),
            },
            origin: None,
        });
        for m in &r.metrics {
            let v = match m.kind {
                kaohe_core::rubric::MetricKind::Rate => {
                    ["0.992", "0.987", "0.987", "0.9", "0.95"][i]
                }
                kaohe_core::rubric::MetricKind::Count => ["0", "3", "27", "1", "12"][i],
                kaohe_core::rubric::MetricKind::Number => ["10", "8", "8", "0", "5"][i],
            };
            if i == 4 && &*m.key == "online_coverage" {
                continue; // one unit lacks a metric: missing, and the others say so
            }
            inp.metrics.push(MetricEntry {
                unit: (*code).into(),
                metric: m.key.clone(),
                value: d(v),
                origin: None,
            });
        }
        for c in &r.clauses {
            match &c.rule {
                Rule::Judgement if i != 3 || c.id != r.clauses[0].id => {
                    let (score, reason) = if i == 1 {
                        (c.max / d("2"), "资料不全，仅部分达标")
                    } else {
                        (c.max, "")
                    };
                    inp.judgements.push(JudgementEntry {
                        unit: (*code).into(),
                        clause: c.id.clone(),
                        score,
                        reason: reason.into(),
                        assessor: Some("李娜".into()),
                        origin: None,
                    });
                }
                Rule::Bonus { .. } if i == 0 => {
                    inp.bonuses.push(BonusEntry {
                        unit: (*code).into(),
                        clause: c.id.clone(),
                        points: d("0.02"),
                        reason: "不见面开标".into(),
                        origin: None,
                    });
                }
                Rule::Veto if i == 2 => {
                    inp.findings.push(FindingEntry {
                        unit: (*code).into(),
                        clause: c.id.clone(),
                        description: "发生重大安全责任事故".into(),
                        evidence: None,
                        finding_type: None,
                        points: None,
                        reason: None,
                        origin: None,
                    });
                }
                Rule::Deduction(Deduction { metric: None, .. }) if i == 1 => {
                    for k in 0..4 {
                        inp.findings.push(FindingEntry {
                            unit: (*code).into(),
                            clause: c.id.clone(),
                            description: format!("缺少制度{}", k + 1),
                            evidence: None,
                            finding_type: None,
                            points: None,
                            reason: None,
                            origin: None,
                        });
                    }
                }
                _ => {}
            }
            shapes(&mut inp, c, code, i);
        }
    }
    // Metrics that come from findings for one unit instead.
    inp
}

/// Inputs for the clause shapes of issue 11 (finding types, ranges, inspection records, penalty
/// items): nothing for a rubric without them, so that older snapshots stay as they are.
fn shapes(inp: &mut Inputs, c: &kaohe_core::rubric::Clause, code: &str, i: usize) {
    use kaohe_core::rules::counting::Each;
    let k = c.rule.counting();
    if k.inspection && i != 4 {
        inp.inspections.push(InspectionEntry {
            unit: code.into(),
            clause: c.id.clone(),
            inspector: "张三".into(),
            date: kaohe_core::Date::parse("2024-05-08").unwrap(),
            origin: None,
        });
    }
    let mut add = |n: usize, ty: Option<&str>, points: Option<&str>| {
        for j in 0..n {
            inp.findings.push(FindingEntry {
                unit: code.into(),
                clause: c.id.clone(),
                description: format!("问题{}", j + 1),
                evidence: None,
                finding_type: ty.map(str::to_string),
                points: points.map(d),
                reason: points.map(|_| "情节较重".to_string()),
                origin: None,
            });
        }
    };
    if !k.types.is_empty() && (i == 1 || i == 2) {
        for (t, ty) in k.types.iter().enumerate() {
            let points = match ty.each {
                Each::Range(r) => Some(r.hi.to_string()),
                Each::Per(_) => None,
            };
            add(t + i, Some(&ty.name), points.as_deref());
        }
    } else if let Some(r) = k.range
        && i >= 1
    {
        add(i, None, Some(&r.lo.to_string()));
    } else if k.types.is_empty()
        && (k.word.is_some() || matches!(c.rule, Rule::Penalty(_)))
        && i == 3
    {
        add(12, None, None);
    }
}

#[test]
fn explanations_of_every_rubric() {
    for (_, r) in rubrics() {
        let inp = scenario(&r);
        let s = kaohe_core::score(&r, &inp);
        assert!(!s.problems.iter().any(|p| p.is_error()), "{:?}", s.problems);
        let mut out = String::new();
        for u in &s.units {
            let unit = s.unit(u);
            out.push_str(&format!(
                "## 第{}名 {} 基础分 {} 加分 {} 总分 {}{}{}\n",
                u.rank,
                unit.code,
                u.base,
                u.bonus,
                u.total,
                if u.vetoed { " 单项否决" } else { "" },
                s.grade(u).map(|g| format!(" 档次 {g}")).unwrap_or_default()
            ));
            for (ci, c) in r.clauses.iter().enumerate() {
                let cr = s.clauses(u)[ci];
                out.push_str(&format!(
                    "{:<7} {:>6}  {}\n",
                    c.id,
                    cr.score()
                        .map(|v| kaohe_core::num::round_points(v, r.precision).to_string())
                        .unwrap_or_else(|| "缺".into()),
                    s.explain(u, ci)
                ));
            }
        }
        insta::assert_snapshot!(format!("explanations-{}", r.id), out);
    }
}
