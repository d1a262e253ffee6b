//! 粘贴细则 on the seed's own text (issue 12): the 2021 细则 as it came, pasted whole, splits into
//! rudong-2021's indicators, items and clauses — same names, points and verbatim texts — and every
//! clause gets the rule kind rudong-2021 gives it, with the parameters its wording states.

use crate::support::{repo, rudong};
use kaohe_core::paste::{MAX_PASTE_BYTES, MAX_PASTE_CLAUSES, Pasted, paste, suggest};
use kaohe_core::rubric::Rubric;

fn seed() -> Pasted {
    let text = std::fs::read_to_string(repo().join("rubrics/source/rudong-2021-seed.txt")).unwrap();
    paste(&text)
}

#[test]
fn the_seed_splits_into_rudong_2021s_tree() {
    let p = seed();
    let r: Rubric = rudong();
    assert_eq!(
        p.title.as_deref(),
        Some("2021年度镇区、街道政务服务考核细则")
    );
    assert_eq!(p.problems, Vec::<String>::new());
    let names: Vec<(&str, String)> = p
        .indicators
        .iter()
        .map(|i| (i.name.as_str(), i.max.unwrap().normalize().to_string()))
        .collect();
    let want: Vec<(&str, String)> = r
        .indicators
        .iter()
        .map(|i| (i.name.as_str(), i.max.normalize().to_string()))
        .collect();
    assert_eq!(names, want);
    assert_eq!(p.indicators[0].category.as_deref(), Some("政务服务"));
    let items: Vec<(&str, String)> = p
        .indicators
        .iter()
        .flat_map(|i| &i.items)
        .map(|i| (i.name.as_str(), i.max.unwrap().normalize().to_string()))
        .collect();
    let want: Vec<(&str, String)> = r
        .indicators
        .iter()
        .flat_map(|i| &i.items)
        .map(|i| (i.name.as_str(), i.max.normalize().to_string()))
        .collect();
    assert_eq!(items, want);
}

#[test]
fn every_rudong_clause_gets_its_rule_kind_suggested() {
    let p = seed();
    let r = rudong();
    let leaves = p.leaf_clauses();
    assert_eq!(
        leaves.len(),
        r.clauses.len(),
        "one pasted clause (or part) per rudong clause"
    );
    for (got, want) in leaves.iter().zip(&r.clauses) {
        assert_eq!(got.text, want.text, "{}: 原文", want.id);
        assert_eq!(
            got.suggestion.kind,
            want.rule.kind(),
            "{}: {}",
            want.id,
            want.text
        );
        if want.rule.kind() != "bonus" {
            assert_eq!(got.max, Some(want.max), "{}: 分值", want.id);
        }
    }
    let by_id = |id: &str| {
        let i = r.clause_index(id).unwrap();
        leaves[i]
    };
    let step = by_id("1.4.1");
    assert_eq!(step.title.as_deref(), Some("事项认领率"));
    assert_eq!(
        step.suggestion.params,
        vec![("first", "0.05".to_string()), ("step", "0.002".to_string())]
    );
    assert_eq!(
        by_id("1.4.2").suggestion.params,
        vec![("per", "0.002".to_string())]
    );
    assert_eq!(by_id("1.4.2").suggestion.because, "每发现一例扣0.002分");
    assert_eq!(
        by_id("1.6.2").suggestion.params,
        vec![("target", "0.95".to_string())]
    );
    assert_eq!(by_id("1.6.2").suggestion.because, "不足95%的按比例进行扣分");
    assert_eq!(by_id("2.3.3").suggestion.kind, "bonus");
    // 1.4.3 is one clause in the source, with the split suggested where its rules change
    let whole = p.indicators[0].items[3].clauses[2].clone();
    assert_eq!(whole.parts.len(), 2);
    assert_eq!(
        whole.max.map(|m| m.normalize().to_string()).as_deref(),
        Some("0.1")
    );
    assert_eq!(
        whole.found.iter().map(|s| s.kind).collect::<Vec<_>>(),
        vec!["per_instance", "composite_rank"]
    );
}

#[test]
fn a_table_copied_as_rows_reads_like_cells_per_line() {
    let rows = "类别\t序号\t考核指标\t类目\t分值\t考核内容\n\
        政务服务\t1\t窗口服务（2分）\t窗口标识\t1\t1. 标识醒目（0.5分）；\n\
        \t\t\t\t\t2. 每发现一例标识不清扣0.1分（0.5分）。\n\
        \t\t\t服务评价\t1\t对满意度不足90%的按比例扣分（1分）\n";
    let p = paste(rows);
    assert_eq!(p.problems, Vec::<String>::new());
    let ind = &p.indicators[0];
    assert_eq!(
        (ind.name.as_str(), ind.category.as_deref()),
        ("窗口服务", Some("政务服务"))
    );
    let kinds: Vec<&str> = p.leaf_clauses().iter().map(|c| c.suggestion.kind).collect();
    assert_eq!(kinds, vec!["judgement", "per_instance", "proportional"]);
    assert_eq!(ind.items[1].name, "服务评价");
}

#[test]
fn points_that_do_not_add_up_and_stray_numbers_are_named() {
    let p = paste("窗口服务（2分）\n窗口标识\n1\n1. 标识醒目（0.5分）\n0.3\n");
    assert_eq!(
        p.problems,
        vec![
            "第 5 行：单独的数字“0.3”前面没有类目名称，不知道是哪一项的分值，已略过".to_string(),
            "指标“窗口服务”分值 2，其下类目分值合计 1，请核对".to_string(),
            "类目“窗口标识”分值 1，其下条款分值合计 0.5，请核对".to_string(),
        ]
    );
}

#[test]
fn the_words_of_each_rule_kind() {
    let k = |t: &str| suggest(t).0;
    let r = k("按认领率高低进行排名，第一名得0.05分，其余按名次依次扣减0.002分；");
    assert_eq!(r.kind, "rank_step");
    assert_eq!(
        r.params,
        vec![("first", "0.05".into()), ("step", "0.002".into())]
    );
    assert_eq!(
        k("对办件量及覆盖率进行综合排名，第一名得0.05分，其余按名次依次扣减0.002分。").kind,
        "composite_rank"
    );
    let p = k("不达要求，每发现一例扣0.002分。");
    assert_eq!(
        (p.kind, p.because.as_str()),
        ("per_instance", "每发现一例扣0.002分")
    );
    let w = k("资料不全的，每缺一项扣0.2分");
    assert_eq!(
        w.params,
        vec![("per", "0.2".into()), ("word", "缺 {n} 项".into())]
    );
    let r = k("服务态度生硬的，每件次酌情扣2–5分");
    assert_eq!(r.params, vec![("range", "[\"2\", \"5\"]".into())]);
    let pr = k("对满意度不足95%的按比例进行扣分（0.05分）");
    assert_eq!((pr.kind, pr.params[0].1.as_str()), ("proportional", "0.95"));
    assert_eq!(k("3.特色亮点工作额外加分。").kind, "bonus");
    assert_eq!(k("发生重大安全责任事故的，实行一票否决").kind, "veto");
    assert_eq!(k("大厅内部环境干净整洁（0.05分）").kind, "judgement");
    assert_eq!(k("每发现一例扣０．００２分").params[0].1, "0.002");
}

#[test]
fn limits_are_problems_not_failures() {
    let big = "一".repeat(MAX_PASTE_BYTES); // 3 bytes a char: three times the limit
    let p = paste(&big);
    assert!(
        p.problems.iter().any(|m| m.contains("超过上限")),
        "{:?}",
        p.problems
    );
    let many: String = (0..MAX_PASTE_CLAUSES + 5)
        .map(|i| format!("{}. 条款{i}（1分）\n", i % 90 + 1))
        .collect();
    let p = paste(&many);
    assert_eq!(p.leaf_clauses().len(), MAX_PASTE_CLAUSES);
    assert!(p.problems.iter().any(|m| m.contains("条款超过上限")));
}

proptest::proptest! {
    /// Any text — here built from the words and marks the reader looks for — gives a tree
    /// and problems, never a panic.
    #[test]
    fn never_panics(parts in proptest::collection::vec(proptest::sample::select(vec![
        "第一名得", "依次扣减", "综合排名", "每发现一例", "缺一项", "扣", "酌情扣", "–", "至", "分", "分）",
        "（", "(", "）", "按比例", "不足", "%", "加分", "一票否决", "0.05", "０．５", "1", "12", ".",
        "、", "；", "。", "，", "\t", "\n", "\"", "细则", "类目", "得", " ", "一", "例", "x",
    ]), 0..60)) {
        let text: String = parts.concat();
        let p = paste(&text);
        for c in p.leaf_clauses() {
            assert!(!c.suggestion.kind.is_empty());
        }
    }
}
