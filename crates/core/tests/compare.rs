//! 方案对比 (what-if): worked cases a clerk can check by hand, and the carry-over of inputs to a
//! rubric that differs.

use kaohe_core::compare::{Cell, carry_over, compare};
use kaohe_core::input::*;
use kaohe_core::num::parse_decimal;
use kaohe_core::rubric::{self, Rubric};
use kaohe_core::{Severity, score};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    parse_decimal(s).unwrap()
}

/// A small rubric: `clauses` are TOML clause tables of item 1.1 (whose max is their sum).
fn rubric(id: &str, total: &str, clauses: &str) -> Rubric {
    let text = format!(
        r#"
id = "{id}"
title = "对比测试细则"
year = 2021
version = "1"
source = "测试"
category = "测试"
max_total = "{total}"
precision = 3

[[metrics]]
key = "claim_rate"
name = "认领率"
kind = "rate"

[[indicators]]
id = "1"
name = "政务服务"
max = "{total}"

[[indicators.items]]
id = "1.1"
name = "服务"
max = "{total}"
{clauses}
"#
    );
    let (r, problems) = rubric::load(&format!("{id}.toml"), &text);
    r.unwrap_or_else(|| panic!("{problems:#?}"))
}

fn clause(id: &str, max: &str, text: &str, rule: &str) -> String {
    format!(
        "\n[[indicators.items.clauses]]\nid = \"{id}\"\ntitle = \"条款{id}\"\nmax = \"{max}\"\nmethod = [\"查资料\"]\ntext = \"{text}\"\nrule = {rule}\n"
    )
}

const JUDGEMENT: &str = r#"{ kind = "judgement" }"#;
fn per(p: &str) -> String {
    format!(r#"{{ kind = "per_instance", per = "{p}" }}"#)
}

fn unit(code: &str, name: &str) -> Unit {
    Unit {
        code: code.into(),
        name: name.into(),
        kind: "镇".into(),
        origin: None,
    }
}
fn judgement(u: &str, c: &str, s: &str) -> JudgementEntry {
    JudgementEntry {
        unit: u.into(),
        clause: c.into(),
        score: d(s),
        reason: "资料不全".into(),
        assessor: Some("张三".into()),
        origin: None,
    }
}
fn findings(u: &str, c: &str, n: usize) -> Vec<FindingEntry> {
    (0..n)
        .map(|i| FindingEntry {
            unit: u.into(),
            clause: c.into(),
            description: format!("第{}例", i + 1),
            evidence: None,
            finding_type: None,
            points: None,
            reason: None,
            origin: None,
        })
        .collect()
}

/// P and Q: under the rule in force (每例扣 0.1) Q is first; under the draft (每例扣 0.3) its three
/// findings cost 0.9 instead of 0.3, and P is first.
#[test]
fn a_steeper_deduction_turns_the_ranking_and_every_number_is_explained() {
    let base = rubric(
        "t-a",
        "2",
        &(clause("1.1.A", "1", "工作开展情况", JUDGEMENT)
            + &clause("1.1.B", "1", "每发现一例扣0.1分", &per("0.1"))),
    );
    let draft = rubric(
        "t-b",
        "2",
        &(clause("1.1.A", "1", "工作开展情况", JUDGEMENT)
            + &clause("1.1.B", "1", "每发现一例扣0.3分", &per("0.3"))),
    );
    let mut inputs = Inputs {
        units: vec![unit("P", "甲镇"), unit("Q", "乙镇")],
        judgements: vec![judgement("P", "1.1.A", "0.6"), judgement("Q", "1.1.A", "1")],
        findings: findings("Q", "1.1.B", 3),
        ..Inputs::default()
    };
    inputs.judgements[1].reason = "".into();
    let before = score(&base, &inputs);
    let (carried, notes) = carry_over(&inputs, &base, &draft);
    assert!(notes.is_empty(), "{notes:#?}");
    assert_eq!(
        carried, inputs,
        "everything carries when ids, rules and maxima agree"
    );
    let after = score(&draft, &carried);
    assert!(before.problems.is_empty() && after.problems.is_empty());
    let cmp = compare(&before, &after);

    // P: 0.6 + 1 = 1.6 both times; Q: 1 + (1 − 3 × 0.1) = 1.7, then 1 + (1 − 3 × 0.3) = 1.1.
    let codes: Vec<&str> = cmp.units.iter().map(|u| u.code.as_ref()).collect();
    assert_eq!(codes, ["P", "Q"], "in the new ranking's order");
    let (p, q) = (&cmp.units[0], &cmp.units[1]);
    assert_eq!(p.delta(), Some(Decimal::ZERO));
    assert_eq!(p.places_up(), Some(1));
    assert_eq!(p.explain(), "总分 1.6 不变；名次 第2 → 第1名（上升1位）");
    assert_eq!(q.delta(), Some(d("-0.6")));
    assert_eq!(q.places_up(), Some(-1));
    assert_eq!(
        q.explain(),
        "总分 1.7 → 1.1（−0.6）；名次 第1 → 第2名（下降1位）"
    );

    assert_eq!(cmp.clauses.len(), 2);
    let a = &cmp.clauses[0];
    assert!(!a.rubric_changed());
    assert_eq!(a.explain(), "细则未变");
    let b = &cmp.clauses[1];
    assert!(b.rubric_changed() && b.text_changed);
    assert_eq!(b.units_changed, 1, "P has no findings: 1 either way");
    assert_eq!(
        b.explain(),
        "计分规则 原“每发现一例扣 0.1，扣完为止（例数来自问题记录）”，现“每发现一例扣 0.3，扣完为止（例数来自问题记录）”；原文有改动；1个单位得分不同"
    );

    assert_eq!(cmp.cells.len(), 1);
    let cell = &cmp.cells[0];
    assert_eq!((cell.unit.as_ref(), cell.clause.as_ref()), ("Q", "1.1.B"));
    assert_eq!(cell.before, Cell::Scored(d("0.7")));
    assert_eq!(cell.after, Cell::Scored(d("0.1")));
    assert_eq!(cell.explain(), "0.7 → 0.1（−0.6）");
    assert!(cell.before_why.contains("3") && cell.after_why.contains("0.3"));
    assert_eq!(
        cmp.summary(),
        "两次计算共有 2 个单位；其中 1 个单位总分变化，2 个单位名次变化；细则改动 1 条"
    );
    assert_eq!(cmp.moved().count(), 2);
}

/// A clause dropped, one added, one whose 满分 changed: what carries, what does not, and why.
#[test]
fn added_removed_and_rescaled_clauses_are_named_and_nothing_is_guessed() {
    let base = rubric(
        "t-a",
        "3",
        &(clause("1.1.A", "1", "甲", JUDGEMENT)
            + &clause("1.1.B", "1", "乙", &per("0.2"))
            + &clause("1.1.F", "1", "丙", JUDGEMENT)),
    );
    let draft = rubric(
        "t-b",
        "4",
        &(clause("1.1.B", "1", "乙", &per("0.2"))
            + &clause("1.1.D", "1", "丁", JUDGEMENT)
            + &clause("1.1.F", "2", "丙", JUDGEMENT)),
    );
    let mut inputs = Inputs {
        units: vec![unit("X", "甲镇"), unit("Y", "乙镇")],
        judgements: vec![
            judgement("X", "1.1.A", "1"),
            judgement("Y", "1.1.A", "0.5"),
            judgement("X", "1.1.F", "1"),
            judgement("Y", "1.1.F", "0.8"),
        ],
        findings: findings("Y", "1.1.B", 2),
        metrics: vec![MetricEntry {
            unit: "X".into(),
            metric: "old_metric".into(),
            value: d("1"),
            origin: None,
        }],
        ..Inputs::default()
    };
    // An unknown metric is an error under the base rubric; take it out there, keep it for carry_over.
    let mut base_inputs = inputs.clone();
    base_inputs.metrics.clear();
    let before = score(&base, &base_inputs);
    assert!(before.problems.is_empty(), "{:#?}", before.problems);

    let (carried, notes) = carry_over(&inputs, &base, &draft);
    let texts: Vec<&str> = notes.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        texts,
        [
            "指标“old_metric”新细则中没有，其数据不计入（涉及 1 个单位：甲镇）",
            "条款 1.1.A 新细则中没有，其评分不计入（涉及 2 个单位：甲镇、乙镇）",
            "条款 1.1.F 的满分由 1 改为 2，原评分不能沿用，须重新评定（按缺数据计）（涉及 2 个单位：甲镇、乙镇）",
        ]
    );
    assert!(notes.iter().all(|p| p.severity == Severity::Warning));
    assert!(carried.judgements.is_empty() && carried.metrics.is_empty());
    assert_eq!(carried.findings, inputs.findings);
    inputs.metrics.clear();

    let after = score(&draft, &carried);
    assert!(!after.problems.iter().any(|p| p.is_error()));
    let cmp = compare(&before, &after);
    let ids: Vec<&str> = cmp.clauses.iter().map(|c| c.id.as_ref()).collect();
    assert_eq!(
        ids,
        ["1.1.B", "1.1.D", "1.1.F", "1.1.A"],
        "new order, then the dropped clause"
    );
    assert_eq!(cmp.clauses[0].explain(), "细则未变");
    assert_eq!(
        cmp.clauses[1].explain(),
        "新增条款（满分 1）：考核员评定 0 至 1 分，低于满分须写扣分理由；2个单位得分不同"
    );
    assert_eq!(
        cmp.clauses[2].explain(),
        "满分 1 → 2；计分规则 原“考核员评定 0 至 1 分，低于满分须写扣分理由”，现“考核员评定 0 至 2 分，低于满分须写扣分理由”；2个单位得分不同"
    );
    assert_eq!(
        cmp.clauses[3].explain(),
        "删去条款（原满分 1）；2个单位得分不同"
    );
    assert!(cmp.clauses[3].removed() && cmp.clauses[1].added());

    // X before: A 1 + B 1 + F 1 = 3; after: B 1, D and F missing → 1, incomplete.
    let x = &cmp.units[0];
    assert_eq!(x.code.as_ref(), "X");
    assert_eq!(
        x.explain(),
        "总分 3 → 1（−2）；名次 第1名不变；新方案中有条款缺少数据，总分不完整"
    );
    let cells: Vec<(&str, &str, String)> = cmp
        .cells
        .iter()
        .map(|c| (c.unit.as_ref(), c.clause.as_ref(), c.explain()))
        .collect();
    assert_eq!(
        cells,
        [
            ("X", "1.1.D", "无此条款 → 缺数据".to_string()),
            ("X", "1.1.F", "1 → 缺数据".to_string()),
            ("X", "1.1.A", "1 → 无此条款".to_string()),
            ("Y", "1.1.D", "无此条款 → 缺数据".to_string()),
            ("Y", "1.1.F", "0.8 → 缺数据".to_string()),
            ("Y", "1.1.A", "0.5 → 无此条款".to_string()),
        ]
    );
    assert!(
        cmp.summary().ends_with("细则改动 3 条"),
        "{}",
        cmp.summary()
    );
}

/// Units are matched by code: one only in last year's data, one only in this year's.
#[test]
fn a_unit_on_one_side_only_is_listed_after_the_others_and_says_so() {
    let r = rubric("t-a", "1", &clause("1.1.A", "1", "甲", JUDGEMENT));
    let last = Inputs {
        units: vec![unit("X", "甲镇"), unit("OLD", "旧镇")],
        judgements: vec![
            judgement("X", "1.1.A", "0.9"),
            judgement("OLD", "1.1.A", "0.7"),
        ],
        ..Inputs::default()
    };
    let this = Inputs {
        units: vec![unit("NEW", "新区"), unit("X", "甲镇")],
        judgements: vec![
            judgement("NEW", "1.1.A", "0.8"),
            judgement("X", "1.1.A", "0.9"),
        ],
        ..Inputs::default()
    };
    let (b, a) = (score(&r, &last), score(&r, &this));
    let cmp = compare(&b, &a);
    let rows: Vec<(&str, String)> = cmp
        .units
        .iter()
        .map(|u| (u.code.as_ref(), u.explain()))
        .collect();
    assert_eq!(
        rows,
        [
            ("X", "总分 0.9 不变；名次 第1名不变".to_string()),
            (
                "NEW",
                "仅在新方案中：总分 0.8，第2名；原方案未考核此单位".to_string()
            ),
            (
                "OLD",
                "仅在原方案中：总分 0.7，第2名；新方案未考核此单位".to_string()
            ),
        ]
    );
    assert!(
        cmp.cells.is_empty(),
        "cells compare units on both sides only"
    );
    assert_eq!(
        cmp.summary(),
        "两次计算共有 1 个单位；其中 0 个单位总分变化，0 个单位名次变化；另有 2 个单位只在一方；细则条款相同"
    );
}
