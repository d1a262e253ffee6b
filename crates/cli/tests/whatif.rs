//! `kaohe whatif`: the demo batch under the 2021 rubric and under a draft that deducts more steeply.

use crate::support::{Out, demo_dir, kaohe, repo};
use serde_json::Value;

/// A draft of next year's rubric: the rank steps of 1.4.1 and 1.4.3b and the per-case deduction of
/// 1.4.3a go from 0.002 to 0.005; nothing else changes.
fn draft(dir: &std::path::Path) -> String {
    let text = std::fs::read_to_string(repo().join("rubrics/rudong-2021.toml")).unwrap();
    let changed = text
        .replace(r#"step = "0.002""#, r#"step = "0.005""#)
        .replace(
            r#"per = "0.002", metric = "overdue_cases""#,
            r#"per = "0.005", metric = "overdue_cases""#,
        )
        .replace("version = \"1\"", "version = \"2022征求意见稿\"");
    assert_eq!(
        changed.matches("0.005").count(),
        3,
        "the draft changes three rules"
    );
    let p = dir.join("draft.toml");
    std::fs::write(&p, changed).unwrap();
    p.to_str().unwrap().to_string()
}

/// `kaohe whatif` on the demo batch against `other`, with more options.
fn whatif(other: &str, more: &[&str]) -> Out {
    let demo = demo_dir();
    let mut args = vec![
        "whatif",
        "--input",
        demo.to_str().unwrap(),
        "--other",
        other,
    ];
    args.extend_from_slice(more);
    kaohe(&args)
}

fn whatif_json(other: &str) -> Value {
    let o = whatif(other, &["--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    serde_json::from_str(&o.stdout).unwrap()
}

fn unit<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn the_rubric_in_force_against_itself_changes_nothing() {
    let v = whatif_json(repo().join("rubrics/rudong-2021.toml").to_str().unwrap());
    assert_eq!(
        v["summary"],
        "两次计算共有 17 个单位；其中 0 个单位总分变化，0 个单位名次变化；细则条款相同"
    );
    assert!(v["cells"].as_array().unwrap().is_empty());
    assert!(
        v["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["changed"] == false)
    );
    for u in v["units"].as_array().unwrap() {
        assert_eq!(u["delta"], "0");
        assert_eq!(u["places_up"], 0);
        assert_eq!(u["before_total"], u["after_total"]);
    }
    assert!(
        v["problems"].as_array().unwrap().is_empty(),
        "{}",
        v["problems"]
    );
}

#[test]
fn a_steeper_draft_shows_every_moved_unit_and_clause_checkable_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let v = whatif_json(&draft(dir.path()));
    assert_eq!(v["before"]["version"], "1");
    assert_eq!(v["after"]["version"], "2022征求意见稿");
    let changed: Vec<&str> = v["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["changed"] == true)
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["1.4.1", "1.4.3a", "1.4.3b"]);

    // 长沙镇: 1.4.1 tied 2nd, 0.05 − 1 × 0.002 = 0.048 → 0.05 − 1 × 0.005 = 0.045; 1.4.3b composite
    // 2nd, the same: 0.048 → 0.045; no overdue case. Total 1.496 → 1.490, still 2nd.
    let c = unit(&v, "长沙镇");
    assert_eq!(
        (c["before_total"].as_str(), c["after_total"].as_str()),
        (Some("1.4960"), Some("1.4900"))
    );
    assert_eq!(c["delta"], "-0.006");
    assert_eq!(
        (c["before_rank"].as_u64(), c["after_rank"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(
        c["explanation"],
        "总分 1.496 → 1.49（−0.006）；名次 第2名不变"
    );

    // 如东县经济开发区: 1.4.1 5th 0.042 → 0.03, 1.4.3a 4 cases 0.042 → 0.03, 1.4.3b 4th 0.044 → 0.035:
    // −0.012 − 0.012 − 0.009 = −0.033.
    let kf = unit(&v, "如东县经济开发区");
    assert_eq!(kf["delta"], "-0.033");
    let cells: Vec<(&str, &str, &str)> = v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["unit_name"] == "如东县经济开发区")
        .map(|c| {
            (
                c["clause"].as_str().unwrap(),
                c["before"].as_str().unwrap(),
                c["after"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cells,
        [
            ("1.4.1", "0.0420", "0.0300"),
            ("1.4.3a", "0.0420", "0.0300"),
            ("1.4.3b", "0.0440", "0.0350")
        ]
    );
    let overdue = v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["unit_name"] == "如东县经济开发区" && c["clause"] == "1.4.3a")
        .unwrap();
    assert_eq!(
        overdue["before_why"],
        "超期办件 4件，0.05 − 4 × 0.002 = 0.042"
    );
    assert_eq!(
        overdue["after_why"],
        "超期办件 4件，0.05 − 4 × 0.005 = 0.03"
    );

    // 苴镇街道 falls from 4th to 6th, 城中街道 and 马塘镇 move up one each.
    let places = |name: &str| unit(&v, name)["places_up"].as_i64().unwrap();
    assert_eq!(
        (places("苴镇街道"), places("城中街道"), places("马塘镇")),
        (-2, 1, 1)
    );
    // Every unit's delta is the sum of its cells' differences.
    for u in v["units"].as_array().unwrap() {
        let sum: rust_decimal::Decimal = v["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["unit"] == u["code"])
            .map(|c| {
                c["after"]
                    .as_str()
                    .unwrap()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap()
                    - c["before"]
                        .as_str()
                        .unwrap()
                        .parse::<rust_decimal::Decimal>()
                        .unwrap()
            })
            .sum();
        assert_eq!(
            sum,
            u["delta"].as_str().unwrap().parse().unwrap(),
            "{}",
            u["name"]
        );
    }
}

#[test]
fn the_table_reads_top_down_and_a_bad_draft_is_refused_with_its_problems() {
    let dir = tempfile::tempdir().unwrap();
    let o = whatif(&draft(dir.path()), &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines[0], "方案对比（试算，不改变任何考核结果）");
    assert!(
        lines[2]
            .starts_with("新方案：《2021年度镇区、街道政务服务考核细则》（版本 2022征求意见稿）")
    );
    assert!(
        o.stdout
            .contains("苴镇街道              1.4760  1.4400  −0.036       4       6  ↓2"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("  如东县经济开发区 1.4.3a：0.042 → 0.03（−0.012）\n    原：超期办件 4件，0.05 − 4 × 0.002 = 0.042\n    新：超期办件 4件，0.05 − 4 × 0.005 = 0.03\n"));

    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(repo().join("rubrics/rudong-2021.toml")).unwrap();
    std::fs::write(&bad, text.replacen("max = \"0.05\"", "max = \"0.06\"", 1)).unwrap();
    let o = whatif(bad.to_str().unwrap(), &[]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(o.stderr.contains("错误"), "{}", o.stderr);
    assert!(o.stdout.is_empty());
}

#[test]
fn the_comparison_as_a_workbook_has_numbers_as_numbers_and_every_sheet() {
    use calamine::{Data, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("对比.xlsx");
    let o = whatif(
        &draft(dir.path()),
        &["--format", "xlsx", "--out", out.to_str().unwrap()],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut wb: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(wb.sheet_names(), ["总分与名次", "细则改动", "得分变化"]);
    let units = wb.worksheet_range("总分与名次").unwrap();
    assert_eq!(
        units.get_value((0, 0)),
        Some(&Data::String("方案对比（试算，不改变任何考核结果）".into()))
    );
    let row = (6..units.height() as u32)
        .find(|&r| units.get_value((r, 1)) == Some(&Data::String("苴镇街道".into())))
        .expect("苴镇街道");
    let at = |c: u32| units.get_value((row, c)).cloned();
    assert_eq!(at(2), Some(Data::Float(1.476)));
    assert_eq!(at(3), Some(Data::Float(1.44)));
    assert_eq!(at(4), Some(Data::Float(-0.036)));
    assert_eq!(
        (at(5), at(6), at(7)),
        (
            Some(Data::Float(4.0)),
            Some(Data::Float(6.0)),
            Some(Data::Float(-2.0))
        )
    );
    let clauses = wb.worksheet_range("细则改动").unwrap();
    assert_eq!(
        clauses.height(),
        4,
        "a header and the three changed clauses"
    );
    let cells = wb.worksheet_range("得分变化").unwrap();
    let v = whatif_json(&draft(dir.path()));
    assert_eq!(cells.height() - 1, v["cells"].as_array().unwrap().len());
    assert_eq!(
        cells.get_value((1, 3)).map(|d| matches!(d, Data::Float(_))),
        Some(true)
    );
}

#[test]
fn rubric_diff_lists_what_a_draft_changes_without_any_data() {
    let dir = tempfile::tempdir().unwrap();
    let base = repo().join("rubrics/rudong-2021.toml");
    let o = kaohe(&["rubric", "diff", base.to_str().unwrap(), &draft(dir.path())]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{}", o.stdout);
    assert_eq!(lines[2], "细则改动 3 条：新增 0，删去 0，修改 3");
    assert!(
        lines[4].starts_with("  1.4.3a 网上办件无超期：计分规则 原“每发现一例扣 0.002，"),
        "{}",
        lines[4]
    );
    // Another rubric altogether: 6 clauses, 5 with the ids of 2021 clauses, 23 of 2021's gone.
    let other = repo().join("rubrics/example-general-kinds.toml");
    let o = kaohe(&[
        "rubric",
        "diff",
        base.to_str().unwrap(),
        other.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0);
    assert!(
        o.stdout.contains("细则改动 29 条：新增 1，删去 23，修改 5"),
        "{}",
        o.stdout
    );
    // Against itself: nothing.
    let o = kaohe(&[
        "rubric",
        "diff",
        base.to_str().unwrap(),
        base.to_str().unwrap(),
    ]);
    assert!(
        o.stdout
            .ends_with("细则改动 0 条：新增 0，删去 0，修改 0\n"),
        "{}",
        o.stdout
    );
    // An invalid rubric: exit 2 with its problems.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "id = ").unwrap();
    let o = kaohe(&[
        "rubric",
        "diff",
        base.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("bad.toml"), "{}", o.stderr);
}
