//! The clause-level shapes of issue 11 as `kaohe rubric check` sees them: each misuse of a new
//! field is a Chinese problem naming the field; the worked cases of the shapes themselves are in
//! `tests/clauses/example-window-service/`.

use crate::support::repo;
use kaohe_core::rubric;

fn window() -> String {
    std::fs::read_to_string(repo().join("rubrics/example-window-service.toml")).unwrap()
}

/// Problems of the window-service example with `from` replaced by `to` (once).
fn problems(from: &str, to: &str) -> Vec<String> {
    let text = window();
    assert!(text.contains(from), "{from}");
    let (r, ps) = rubric::load("w.toml", &text.replacen(from, to, 1));
    let msgs: Vec<String> = ps.iter().map(|p| p.to_string()).collect();
    assert!(r.is_none(), "expected a problem for {to}");
    msgs
}

fn has(msgs: &[String], want: &str) {
    assert!(
        msgs.iter().any(|m| m.contains(want)),
        "missing “{want}” in:\n{}",
        msgs.join("\n")
    );
}

#[test]
fn each_misuse_of_a_new_field_is_a_chinese_problem() {
    let types =
        r#"types = [{ name = "标识不醒目", per = "1" }, { name = "标识不易识别", per = "0.5" }]"#;
    for (to, want) in [
        (
            r#"types = [{ name = "标识不醒目", per = "1" }, { name = "标识不醒目", per = "0.5" }]"#,
            "问题类型“标识不醒目”重复",
        ),
        (
            r#"types = [{ name = "标识不醒目", per = "1", range = ["1", "2"] }]"#,
            "每种问题类型写且只写一种扣法",
        ),
        (r#"types = []"#, "问题类型列表为空"),
        (
            &format!(r#"per = "1", {types}"#),
            "不能再写统一的每例扣分“per”",
        ),
    ] {
        has(&problems(types, to), want);
    }
    for (to, want) in [
        (r#"range = ["5", "2"]"#, "酌情范围 [5, 2] 无效"),
        (r#"range = "2-5""#, "酌情范围应写成 [\"下限\", \"上限\"]"),
    ] {
        has(&problems(r#"range = ["2", "5"]"#, to), want);
    }
    has(
        &problems(r#"word = "缺 {n} 项""#, r#"word = "缺项""#),
        "计数用语“缺项”应含 {n}",
    );
    has(
        &problems(r#"inspection = "required""#, r#"inspection = "yes""#),
        "“inspection”只能写 \"required\"",
    );
    // A deduction clause of 0 points never deducts.
    has(
        &problems(
            r#"max = "2"
method = ["查资料"]
text = "首问负责"#,
            r#"max = "0"
method = ["查资料"]
text = "首问负责"#,
        ),
        "逐项扣分条款的满分为 0，永远扣不到分",
    );
    // Budgets and floors.
    has(
        &problems(r#"budget = "10""#, r#"budget = "12""#),
        "共享扣分额度应大于 0 且不超过本级满分 10",
    );
    has(
        &problems(r#"budget = "10""#, r#"floor = "2""#),
        "保底分“floor”只与共享扣分额度“budget”一起使用",
    );
    has(
        &problems(
            r#"budget = "10""#,
            r#"budget = "10"
floor = "10""#,
        ),
        "保底分应不小于 0 且小于本级满分 10",
    );
    has(
        &problems("max = \"40\"\n", "max = \"40\"\nbudget = \"40\"\n"),
        "其下类目 1.1 不能再设",
    );
    // Penalty items keep out of the base; the total's cap is not below the full mark.
    has(
        &problems(
            r#"max = "0"
method = ["查资料"]
text = "受到市级"#,
            r#"max = "1"
method = ["查资料"]
text = "受到市级"#,
        ),
        "扣分项条款不计入基础分，满分应为 \"0\"",
    );
    has(
        &problems(r#"total_cap = "110""#, r#"total_cap = "90""#),
        "总分上限 90 低于总分 100",
    );
}

#[test]
fn a_rubric_without_the_new_fields_loads_as_before() {
    // No new field: the budgets, the cap and the counting are absent.
    let (r, _) = rubric::load(
        "r.toml",
        &std::fs::read_to_string(repo().join("rubrics/rudong-2021.toml")).unwrap(),
    );
    let r = r.unwrap();
    assert!(r.total_cap.is_none());
    assert!(
        r.indicators
            .iter()
            .all(|i| i.budget.is_none() && i.items.iter().all(|t| t.budget.is_none()))
    );
    assert!(r.clauses.iter().all(|c| c.rule.counting().is_plain()));
}
