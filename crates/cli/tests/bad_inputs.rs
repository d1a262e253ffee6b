use crate::support::*;

/// Runs `score` on a scratch folder and expects exit 2 with `expected` among the problems; returns
/// stderr.
fn fails(dir: &std::path::Path, expected: &[&str]) -> String {
    let o = kaohe(&["score", "--input", dir.to_str().unwrap()]);
    assert_eq!(o.code, 2, "stdout:\n{}\nstderr:\n{}", o.stdout, o.stderr);
    assert!(o.stdout.is_empty(), "nothing is scored: {}", o.stdout);
    for e in expected {
        assert!(o.stderr.contains(e), "expected “{e}” in:\n{}", o.stderr);
    }
    // JSON output carries the same problems, and no units.
    let j = kaohe(&[
        "score",
        "--input",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(j.code, 2);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["units"], serde_json::json!([]));
    assert!(
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["severity"] == "error")
    );
    o.stderr
}

#[test]
fn a_gbk_file_with_a_bad_value_names_it_in_readable_chinese() {
    let dir = scratch();
    let text = std::fs::read_to_string(dir.path().join("judgements.csv")).unwrap();
    let text = text.replacen(
        "320623001,1.1.1,0.05,,张伟",
        "320623001,1.1.1,零点零五,,张伟",
        1,
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    std::fs::write(dir.path().join("judgements.csv"), gbk).unwrap();
    fails(
        dir.path(),
        &["错误 judgements.csv 第2行 [得分]：得分不是数字；原值“零点零五”；应为：数字，如 0.05"],
    );
}

#[test]
fn a_score_above_max() {
    let dir = scratch();
    replace(
        dir.path(),
        "judgements.csv",
        "320623002,1.1.2,0.05,,李娜",
        "320623002,1.1.2,0.06,,李娜",
    );
    fails(
        dir.path(),
        &[
            "judgements.csv 第25行 [得分] 条款1.1.2 单位320623002：得分超出条款 1.1.2 的分值范围；原值“0.06”；应为：0 到 0.05 之间",
        ],
    );
}

#[test]
fn a_missing_reason() {
    let dir = scratch();
    replace(
        dir.path(),
        "judgements.csv",
        "320623003,1.3.1,0.05,,王芳",
        "320623003,1.3.1,0.04,,王芳",
    );
    fails(
        dir.path(),
        &[
            "judgements.csv 第50行 [理由] 条款1.3.1 单位320623003：得分 0.04 低于满分 0.05，须填写扣分理由",
        ],
    );
}

#[test]
fn an_unknown_clause() {
    let dir = scratch();
    append(dir.path(), "judgements.csv", "320623001,1.9.9,0.05,,张伟");
    fails(
        dir.path(),
        &[
            "judgements.csv 第376行 [条款] 单位320623001：未知条款“1.9.9”；原值“1.9.9”；应为：细则的条款编号之一：1.1.1、",
        ],
    );
}

#[test]
fn an_unknown_unit() {
    let dir = scratch();
    append(dir.path(), "bonus.csv", "如东县高新区,2.3.3,0.01,亮点");
    fails(
        dir.path(),
        &[
            "bonus.csv 第4行 [单位]：未知单位“如东县高新区”：单位表中没有这个编码或名称；原值“如东县高新区”",
        ],
    );
}

#[test]
fn a_duplicate_unit() {
    let dir = scratch();
    append(dir.path(), "units.csv", "320623001,掘港街道（重复）,街道");
    fails(
        dir.path(),
        &["units.csv 第19行 [单位编码] 单位320623001：单位“320623001”（掘港街道（重复））重复出现"],
    );
}

#[test]
fn conflicting_sources_for_a_count() {
    let dir = scratch();
    // 掘港街道 has guide_defects = 0 in metrics.csv; a findings row for 1.4.2 contradicts it.
    append(
        dir.path(),
        "findings.csv",
        "320623001,1.4.2,指南缺少收费依据,截图",
    );
    fails(
        dir.path(),
        &[
            "条款 1.4.2 的例数有两个来源：指标 guide_defects = 0，另有 1 条问题记录（findings.csv 第8行）",
        ],
    );
}

#[test]
fn a_malformed_number() {
    let dir = scratch();
    replace(
        dir.path(),
        "metrics.csv",
        "320623001,claim_rate,99.20%",
        "320623001,claim_rate,\"99,2%\"",
    );
    fails(
        dir.path(),
        &[
            "metrics.csv 第2行 [数值]：认领率的数值无法识别；原值“99,2%”；应为：比率，如 0.987 或 98.7%",
        ],
    );
}

#[test]
fn a_bare_rate_above_one_is_not_guessed_to_be_a_percent() {
    let dir = scratch();
    replace(
        dir.path(),
        "metrics.csv",
        "320623001,claim_rate,99.20%",
        "320623001,claim_rate,99.2",
    );
    fails(
        dir.path(),
        &["认领率“99.2”大于 1：比率请写成小数或带百分号"],
    );
}

#[test]
fn a_missing_column_and_a_missing_units_table() {
    let dir = scratch();
    replace(
        dir.path(),
        "judgements.csv",
        "单位编码,条款,得分,扣分理由,考核员",
        "单位编码,条款,扣分理由,考核员",
    );
    fails(dir.path(), &["judgements.csv 第1行：缺少“得分”列"]);
    let dir = scratch();
    std::fs::remove_file(dir.path().join("units.csv")).unwrap();
    fails(dir.path(), &["缺少单位表"]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let dir = scratch();
    replace(
        dir.path(),
        "judgements.csv",
        "320623002,1.1.2,0.05,,李娜",
        "320623002,1.1.2,0.06,,李娜",
    );
    append(dir.path(), "bonus.csv", "无此单位,2.3.3,0.01,亮点");
    replace(
        dir.path(),
        "metrics.csv",
        "320623001,claim_rate,99.20%",
        "320623001,claim_rate,abc",
    );
    let err = fails(
        dir.path(),
        &[
            "超出条款 1.1.2",
            "未知单位“无此单位”",
            "认领率的数值无法识别",
        ],
    );
    assert!(err.contains("3 个错误"), "{err}");
}
