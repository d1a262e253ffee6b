//! The rubric files: rudong-2021 matches RULES.md §1 exactly and keeps the seed verbatim; broken
//! rubrics report every problem with clause id and field.

use crate::support::{repo, rubrics, rudong};
use kaohe_core::rubric::{self, Method};

/// RULES.md §1, transcribed: (id, max, rule kind).
const RULES_TABLE: &[(&str, &str, &str)] = &[
    ("1.1.1", "0.05", "judgement"),
    ("1.1.2", "0.05", "judgement"),
    ("1.2.1", "0.05", "judgement"),
    ("1.2.2", "0.05", "judgement"),
    ("1.3.1", "0.05", "judgement"),
    ("1.3.2", "0.05", "judgement"),
    ("1.3.3", "0.05", "judgement"),
    ("1.3.4", "0.05", "judgement"),
    ("1.4.1", "0.05", "rank_step"),
    ("1.4.2", "0.05", "per_instance"),
    ("1.4.3a", "0.05", "per_instance"),
    ("1.4.3b", "0.05", "composite_rank"),
    ("1.5.1", "0.10", "judgement"),
    ("1.5.2", "0.05", "judgement"),
    ("1.5.3", "0.05", "judgement"),
    ("1.6.1", "0.05", "judgement"),
    ("1.6.2", "0.05", "proportional"),
    ("1.7.1", "0.05", "judgement"),
    ("1.7.2", "0.05", "judgement"),
    ("2.1.1", "0.05", "judgement"),
    ("2.2.1", "0.05", "judgement"),
    ("2.3.1", "0.05", "judgement"),
    ("2.3.2", "0.15", "judgement"),
    ("2.3.3", "0", "bonus"),
    ("2.4.1", "0.05", "judgement"),
    ("2.4.2", "0.05", "judgement"),
    ("2.4.3", "0.05", "judgement"),
    ("2.5.1", "0.05", "judgement"),
];

#[test]
fn rudong_2021_is_the_table_of_rules_md() {
    let r = rudong();
    let got: Vec<(String, String, String)> = r
        .clauses
        .iter()
        .map(|c| {
            (
                c.id.to_string(),
                c.max.normalize().to_string(),
                c.rule.kind().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = RULES_TABLE
        .iter()
        .map(|(i, m, k)| {
            (
                i.to_string(),
                m.parse::<rust_decimal::Decimal>()
                    .unwrap()
                    .normalize()
                    .to_string(),
                k.to_string(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(r.max_total.to_string(), "1.5");
    assert_eq!(r.indicators[0].max.normalize().to_string(), "1");
    assert_eq!(r.indicators[1].max.normalize().to_string(), "0.5");
    assert_eq!(r.precision, 4);
    assert_eq!(r.year, 2021);
    // Every platform-data clause is marked so; every judgement clause has a checklist.
    for c in &r.clauses {
        if c.rule.kind() == "judgement" {
            assert!(!c.checkpoints.is_empty(), "{} has no checkpoints", c.id);
        } else if c.rule.kind() != "bonus" {
            assert!(c.methods.contains(&Method::PlatformData), "{}", c.id);
        }
    }
}

#[test]
fn rule_parameters_are_those_of_the_seed() {
    let r = rudong();
    let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
    use kaohe_core::rubric::{Better, Rule, TiePolicy};
    use kaohe_core::rules::{
        Bonus, CompositeRank, PerInstance, Proportional, ProportionalMode, RankStep,
    };
    match &r.clause("1.4.1").unwrap().rule {
        Rule::RankStep(RankStep {
            metric,
            better,
            first,
            step,
            ties,
        }) => {
            assert_eq!(
                (metric.as_str(), *better, *first, *step, *ties),
                (
                    "claim_rate",
                    Better::Higher,
                    d("0.05"),
                    d("0.002"),
                    TiePolicy::Competition
                )
            );
        }
        other => panic!("{other:?}"),
    }
    for (id, metric) in [("1.4.2", "guide_defects"), ("1.4.3a", "overdue_cases")] {
        match &r.clause(id).unwrap().rule {
            Rule::PerInstance(PerInstance { per, metric: m, .. }) => {
                assert_eq!((*per, m.as_deref()), (d("0.002"), Some(metric)))
            }
            other => panic!("{other:?}"),
        }
    }
    match &r.clause("1.4.3b").unwrap().rule {
        Rule::CompositeRank(CompositeRank {
            parts, first, step, ..
        }) => {
            let p: Vec<_> = parts
                .iter()
                .map(|p| (p.metric.as_str(), p.better, p.weight))
                .collect();
            assert_eq!(
                p,
                vec![
                    ("online_volume", Better::Higher, d("1")),
                    ("online_coverage", Better::Higher, d("1"))
                ]
            );
            assert_eq!((*first, *step), (d("0.05"), d("0.002")));
        }
        other => panic!("{other:?}"),
    }
    match &r.clause("1.6.2").unwrap().rule {
        Rule::Proportional(Proportional {
            metric,
            target,
            mode,
        }) => {
            assert_eq!(
                (metric.as_str(), *target),
                ("agent_satisfaction", d("0.95"))
            );
            assert!(matches!(mode, ProportionalMode::Ratio));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        r.clause("2.3.3").unwrap().rule,
        Rule::Bonus(Bonus { cap: None })
    ));
}

#[test]
fn every_clause_text_is_verbatim_from_the_seed_and_every_paragraph_is_used() {
    let seed = std::fs::read_to_string(repo().join("rubrics/source/rudong-2021-seed.txt")).unwrap();
    let r = rudong();
    for c in &r.clauses {
        assert!(
            seed.contains(&c.text),
            "{}: text is not verbatim from the seed:\n{}",
            c.id,
            c.text
        );
        assert!(c.text.chars().count() > 8, "{}", c.id);
    }
    // Every scored paragraph of the seed (those with a point note, and the bonus line) is a clause
    // text, or is split into 1.4.3a + 1.4.3b.
    let joined: String = r
        .clauses
        .iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join("");
    for line in seed.lines().map(str::trim) {
        if line.chars().count() > 20 && (line.contains("分）") || line.contains("分)"))
            || line.contains("加分。")
        {
            assert!(
                joined.contains(line),
                "seed paragraph not in any clause: {line}"
            );
        }
    }
    // 1.4.3a and 1.4.3b hold one sentence each.
    let a = &r.clause("1.4.3a").unwrap().text;
    let b = &r.clause("1.4.3b").unwrap().text;
    assert!(a.contains("无超期") && !a.contains("综合排名"));
    assert!(b.contains("综合排名") && !b.contains("无超期"));
}

#[test]
fn every_rubric_file_loads_and_has_a_stable_hash() {
    for (path, r) in rubrics() {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(r.sha256, rubric::sha256_hex(text.as_bytes()));
        assert_eq!(r.sha256.len(), 64);
        let (again, _) = rubric::load("x", &text);
        assert_eq!(again.unwrap().sha256, r.sha256);
    }
}

#[test]
fn a_broken_rubric_reports_every_problem_with_clause_and_field() {
    let text = r#"
id = "broken"
title = "坏细则"
year = 2021
source = "test"
max_total = "1.0"
colour = "red"
[[metrics]]
key = "rate"
name = "认领率"
kind = "percent"
[[indicators]]
id = "1"
name = "指标"
max = "0.5"
[[indicators.items]]
id = "1.1"
name = "类目"
max = "0.2"
[[indicators.items.clauses]]
id = "1.1.1"
title = "a"
text = "原文"
max = 0.05
method = "看现场"
rule = { kind = "judgement" }
[[indicators.items.clauses]]
id = "1.1.1"
title = "b"
text = "原文"
max = "0.05"
method = "看看"
rule = { kind = "rank_step", metric = "nope", step = "0.002", extra = 1 }
[[indicators.items.clauses]]
id = "2.1.3"
title = "c"
text = "原文"
max = "0.1"
method = "查资料"
rule = { kind = "magic" }
"#;
    let (r, problems) = rubric::load("broken.toml", text);
    assert!(r.is_none());
    let msgs: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let expect = [
        "未知字段“colour”",
        "指标类型应为 rate / count / number",
        "分值请写成带引号的十进制文本",
        "考核方式应为 看现场 / 查资料 / 平台数据，实为“看看”",
        "指标“nope”未在 [[metrics]] 中定义",
        "未知字段“extra”",
        "条款编号“2.1.3”应以所属类目编号“1.1.”开头",
        "未知规则类型“magic”",
        "编号“1.1.1”重复",
    ];
    for e in expect {
        assert!(
            msgs.iter().any(|m| m.contains(e)),
            "missing “{e}” in:\n{}",
            msgs.join("\n")
        );
    }
    // Sums over clauses that failed to load would mislead: they are not reported.
    assert!(
        !msgs.iter().any(|m| m.contains("满分合计")),
        "{}",
        msgs.join("\n")
    );
    // Problems name the clause and the field.
    let p = problems
        .iter()
        .find(|p| p.message.contains("未知字段“extra”"))
        .unwrap();
    assert_eq!(p.clause.as_deref(), Some("1.1.1"));
    assert_eq!(
        p.origin.as_ref().unwrap().column.as_deref(),
        Some("条款 1.1.1 › 计分规则（rule） › extra")
    );
    assert!(
        problems
            .iter()
            .all(|p| p.origin.as_ref().unwrap().file == "broken.toml")
    );
}

#[test]
fn sums_are_checked_per_item_and_indicator() {
    let text = std::fs::read_to_string(repo().join("rubrics/rudong-2021.toml")).unwrap();
    let broken = text.replacen("max = \"0.15\"", "max = \"0.14\"", 1);
    let (r, problems) = rubric::load("x.toml", &broken);
    assert!(r.is_none());
    let msgs: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
    assert_eq!(
        msgs,
        vec![
            "类目 2.3（电子交易平台建设、交易场所标准化）各条款满分合计 0.19，与类目满分 0.2 不符"
                .to_string()
        ]
    );
}

#[test]
fn a_toml_syntax_error_is_one_clear_problem() {
    let (r, problems) = rubric::load("x.toml", "id = \"a\"\ntitle = ");
    assert!(r.is_none());
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.starts_with("TOML 语法错误"));
}
