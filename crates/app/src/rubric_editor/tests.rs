//! The rubric editor's use cases tried on the rudong-2021 rubric: checks, edits, paste, versions.

use super::*;

const RUDONG: &str = include_str!("../../../../rubrics/rudong-2021.toml");

fn canonical() -> String {
    let (r, _) = rubric::load("r", RUDONG);
    rubric::write(&r.unwrap())
}

fn field(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

#[test]
fn a_toml_syntax_error_is_told_in_chinese_with_line_and_column() {
    let text = "id = \"x\"\n标题 = \"y\"\n";
    let c = check("草案", text);
    assert!(c.rubric.is_none());
    let line = c.lines().join("\n");
    assert!(line.contains("第 2 行第 1 列"), "{line}");
    assert!(line.contains("键名无效"), "{line}");
    assert!(
        !line.contains("invalid") && !line.contains("expected") && !line.contains("TOML parse"),
        "{line}"
    );
    // An unclosed string on line 3, column 7.
    let c = check("草案", "id = \"x\"\n\ntitle = \"y\n");
    let line = c.lines().join("\n");
    assert!(line.contains("第 3 行"), "{line}");
    assert!(
        !line.contains("invalid") && !line.contains("expected"),
        "{line}"
    );
}

#[test]
fn every_syntax_reason_is_chinese() {
    for bad in [
        "a = ",
        "a = \"x",
        "[[a]\n",
        "a = [1, 2",
        "a = { b = 1",
        "a = 1\na = 2",
        "a = 1.2.3",
        "a = \"\\q\"",
        "a.b = 1\n[a]\nb = 2",
        "= 1",
    ] {
        let c = check("草案", bad);
        assert_eq!(c.problems.len(), 1, "{bad}");
        let line = c.lines().join("");
        assert!(line.contains("TOML 写法有误"), "{bad}: {line}");
        let english = line
            .split(['“', '”', '"', '[', ']', '{', '}'])
            .step_by(2)
            .collect::<String>();
        assert!(
            !english
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|w| w.len() > 3 && w != "TOML" && w != "indicators" && w != "max"),
            "{bad}: {line}"
        );
    }
}

#[test]
fn adding_a_clause_under_an_item_gives_it_a_new_id_and_shows_what_to_fill() {
    let text = canonical();
    let e = apply(&text, &[], &Op::parse("add-clause:t:1.1").unwrap());
    assert!(e.refused.is_empty(), "{:?}", e.refused);
    let t: Table = e.text.parse().unwrap();
    let tr = tree(&t, &check(DRAFT_FILE, &e.text).problems);
    let item = &tr.indicators[0].children[0];
    let last = item.children.last().unwrap();
    assert_eq!(last.id, "1.1.3");
    assert_eq!(last.kind, "judgement");
    // Its empty text is named as a problem of that clause.
    assert!(
        last.problems.iter().any(|p| p.contains("text")),
        "{:?}",
        last.problems
    );
}

#[test]
fn a_wrong_parameter_is_refused_in_chinese_and_the_draft_stays() {
    let text = canonical();
    let e = apply(&text, &[field("c|1.4.1|p.step", "-0.5")], &Op::Apply);
    assert_eq!(e.text, text);
    assert_eq!(e.refused.len(), 1, "{:?}", e.refused);
    assert!(e.refused[0].contains("1.4.1"), "{:?}", e.refused);
    assert!(e.refused[0].contains("step"), "{:?}", e.refused);
    // A parameter that is not a number at all.
    let e = apply(&text, &[field("c|1.4.1|p.step", "两分")], &Op::Apply);
    assert!(!e.refused.is_empty());
    assert_eq!(e.text, text);
}

#[test]
fn points_moved_between_two_clauses_keep_the_sums_and_the_diff_names_both() {
    let text = canonical();
    let before = check(DRAFT_FILE, &text).rubric.unwrap();
    let c = &before.clauses[0];
    let d = &before.clauses[1];
    let e = apply(
        &text,
        &[
            field(
                &format!("c|{}|max", c.id),
                &(c.max - rust_decimal::Decimal::new(1, 2)).to_string(),
            ),
            field(
                &format!("c|{}|max", d.id),
                &(d.max + rust_decimal::Decimal::new(1, 2)).to_string(),
            ),
        ],
        &Op::Apply,
    );
    assert!(e.refused.is_empty(), "{:?}", e.refused);
    let after = check(DRAFT_FILE, &e.text);
    assert!(after.errors().next().is_none(), "{:?}", after.lines());
    let lines = diff(&before, &after.rubric.unwrap());
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].explain.starts_with("满分 "), "{lines:?}");
}

#[test]
fn a_changed_sum_is_shown_not_refused() {
    let text = canonical();
    let e = apply(&text, &[field("c|1.1.1|max", "0.09")], &Op::Apply);
    assert!(e.refused.is_empty(), "{:?}", e.refused);
    let c = check(DRAFT_FILE, &e.text);
    assert!(c.errors().all(is_sum), "{:?}", c.lines());
    assert!(c.errors().next().is_some());
}

#[test]
fn a_rule_kind_changed_takes_the_new_kinds_parameters() {
    let text = canonical();
    let e = apply(
        &text,
        &[
            field("c|1.1.1|kind", "per_instance"),
            field("c|1.1.1|p.per", "0.01"),
            // A parameter of the old kind is dropped with it.
            field("c|1.1.1|p.step", "0.002"),
        ],
        &Op::Apply,
    );
    assert!(e.refused.is_empty(), "{:?}", e.refused);
    let r = check(DRAFT_FILE, &e.text).rubric.unwrap();
    assert_eq!(r.clause("1.1.1").unwrap().rule.kind(), "per_instance");
    assert!(r.describe_rule(r.clause("1.1.1").unwrap()).contains("0.01"));
}

#[test]
fn moves_and_deletes_change_the_order() {
    let text = canonical();
    let e = apply(&text, &[], &Op::parse("down:c:1.1.1").unwrap());
    let r = check(DRAFT_FILE, &e.text).rubric.unwrap();
    assert_eq!(r.clauses[0].id.to_string(), "1.1.2");
    let e2 = apply(&e.text, &[], &Op::parse("down:c:1.1.1").unwrap());
    assert_eq!(e2.refused, vec!["条款 1.1.1 已在最后".to_string()]);
    let e3 = apply(&text, &[], &Op::parse("del:i:2").unwrap());
    let t: Table = e3.text.parse().unwrap();
    assert!(tree(&t, &[]).indicators.iter().all(|i| i.id != "2"));
}

#[test]
fn the_seed_pasted_and_accepted_becomes_the_drafts_tree() {
    let seed = include_str!("../../../../rubrics/source/rudong-2021-seed.txt");
    let v = paste_view(seed);
    assert!(v.clauses >= 20, "{}", v.clauses);
    let take: Vec<usize> = (1..=v.clauses).collect();
    let e = accept_paste(&canonical(), seed, &take, &take, PasteMode::Replace);
    assert!(e.refused.is_empty(), "{:?}", e.refused);
    let t: Table = e.text.parse().unwrap();
    let tr = tree(&t, &[]);
    let leaves: usize = tr
        .indicators
        .iter()
        .flat_map(|i| &i.children)
        .map(|it| it.children.len())
        .sum();
    let expected = paste::paste(seed).leaf_clauses().len();
    assert_eq!(leaves, expected);
    // Nothing ticked: nothing added.
    let none = accept_paste(&canonical(), seed, &[], &[], PasteMode::Append);
    assert_eq!(none.refused, vec!["没有勾选任何条款".to_string()]);
}

#[test]
fn a_split_clause_takes_one_number_with_letters_and_the_next_goes_on() {
    let pasted = "网上服务\t0.1\n1. 及时处理网上申报件，无超期，得0.05分，发现一例扣0.002分；按办件时效综合排名，第一名得0.05分，其余按名次依次扣减0.002分。\n2. 材料齐全（0.05分）。\n";
    let v = paste_view(pasted);
    assert_eq!(v.clauses, 2, "{v:?}");
    assert_eq!(v.indicators[0].items[0].clauses[0].parts.len(), 2, "{v:?}");
    let e = accept_paste("", pasted, &[1, 2], &[1], PasteMode::Append);
    assert!(e.refused.is_empty(), "{:?}", e.refused);
    let t: Table = e.text.parse().unwrap();
    let ids: Vec<String> = tree(&t, &[]).indicators[0].children[0]
        .children
        .iter()
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(ids, ["1.1.1a", "1.1.1b", "1.1.2"]);
    // The indicator's points, none stated, are its item's: 0.1.
    assert_eq!(tree(&t, &[]).indicators[0].max, "0.1");
}

#[test]
fn a_field_sent_back_as_shown_is_no_change() {
    let text = canonical();
    let r = check(DRAFT_FILE, &text).rubric.unwrap();
    let c = &r.clauses[0];
    let e = apply(
        &text,
        &[
            field(
                &format!("c|{}|text", c.id),
                &format!("{}\r\n", c.text.replace('\n', "\r\n")),
            ),
            field(&format!("c|{}|title", c.id), &c.title),
        ],
        &Op::Apply,
    );
    assert_eq!(e.text, text);
}

#[test]
fn every_parameter_of_every_kind_is_explained_with_an_example() {
    for (kind, _) in kaohe_core::rules::kinds() {
        for key in kaohe_core::rules::kind_keys(kind).unwrap() {
            let (help, example) = param_help(kind, key);
            assert!(!help.is_empty() && !example.is_empty(), "{kind}.{key}");
        }
    }
}

#[test]
fn a_metric_is_chosen_from_the_rubrics_metrics_and_a_direction_in_chinese() {
    let text = canonical();
    let t: Table = text.parse().unwrap();
    let tr = tree(&t, &[]);
    let c = tr.indicators[0].children[3].children[0].clone();
    assert_eq!(c.id, "1.4.1");
    let metric = c.params.iter().find(|p| p.key == "metric").unwrap();
    assert_eq!(metric.name, "指标数据");
    assert_eq!(metric.value, "claim_rate");
    assert!(
        metric
            .choices
            .contains(&("claim_rate".to_string(), "认领率".to_string())),
        "{:?}",
        metric.choices
    );
    let better = c.params.iter().find(|p| p.key == "better").unwrap();
    assert_eq!(better.value, "");
    assert_eq!(better.choices[0].1, "默认：数值高者在前");
    // A value not in the list stays a choice of its own.
    assert!(choices("metric", "gone", &[]).contains(&("gone".into(), "gone".into())));
    assert!(choices("step", "0.002", &[]).is_empty());
}

/// 问题类型 and 酌情扣分范围 show in their fields as the Excel sheet writes them (no TOML keys for
/// a clerk to read), and read back to the same values.
#[test]
fn types_and_a_range_show_as_the_sheet_writes_them_and_read_back_the_same() {
    let t: Table = r#"
types = [{ name = "标识不醒目", per = "1" }, { name = "情节较重", range = ["2", "5"] }]
range = ["0.1", "0.5"]
"#
    .parse()
    .unwrap();
    for (key, shown) in [
        ("types", "标识不醒目:1；情节较重:2-5"),
        ("range", "0.1-0.5"),
    ] {
        assert_eq!(param_text(key, &t[key], &[]), shown);
        assert_eq!(param_value(key, shown, &[]).unwrap(), t[key]);
    }
}

/// 综合排名 in the clerk's words: each metric by its name and the direction 高/低, read back to the
/// rubric's keys; a metric without a name keeps its key, and a direction that is neither is refused
/// in Chinese (never the file format's higher/lower).
#[test]
fn a_composite_ranking_shows_metric_names_and_high_or_low_and_reads_back_the_same() {
    let t: Table = r#"
parts = [{ metric = "online_volume", better = "higher", weight = "1" }, { metric = "wait", better = "lower", weight = "2" }]
"#
    .parse()
    .unwrap();
    let metrics = [
        ("online_volume".to_string(), "网办量".to_string()),
        ("wait".to_string(), String::new()),
    ];
    let shown = "网办量:高:1；wait:低:2";
    assert_eq!(param_text("parts", &t["parts"], &metrics), shown);
    assert_eq!(param_value("parts", shown, &metrics).unwrap(), t["parts"]);
    // Typed with full-width colons and an ASCII semicolon, as a clerk may.
    assert_eq!(
        param_value("parts", "网办量：高：1; wait：低：2", &metrics).unwrap(),
        t["parts"]
    );
    let e = param_value("parts", "网办量:大:1", &metrics).unwrap_err();
    assert_eq!(
        e,
        "“网办量:大:1”的方向“大”应为 高（数值高者在前）或 低（数值低者在前）"
    );
}
