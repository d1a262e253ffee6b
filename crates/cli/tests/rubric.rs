use crate::support::*;

#[test]
fn check_accepts_every_rubric_in_the_repo() {
    for f in [
        "rubrics/rudong-2021.toml",
        "rubrics/example-general-kinds.toml",
        "rubrics/shicheng-2018-hezhang.toml",
    ] {
        let o = kaohe(&["rubric", "check", f]);
        assert_eq!(o.code, 0, "{f}: {}", o.stderr);
        assert!(o.stdout.starts_with("细则有效："));
    }
    let o = kaohe(&["rubric", "check", "rubrics/rudong-2021.toml"]);
    assert!(o.stdout.contains("2 个指标，28 个条款，满分 1.5"));
}

#[test]
fn check_lists_every_problem_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(repo().join("rubrics/rudong-2021.toml")).unwrap();
    let bad = text
        .replacen("max = \"0.15\"", "max = \"0.14\"", 1)
        .replacen(
            "kind = \"rank_step\", metric = \"claim_rate\"",
            "kind = \"rank_step\", metric = \"claim_ratio\"",
            1,
        )
        .replacen("ties = \"competition\"", "ties = \"olympic\"", 1);
    std::fs::write(&p, bad).unwrap();
    let o = kaohe(&["rubric", "check", p.to_str().unwrap()]);
    assert_eq!(o.code, 2);
    for e in [
        "并列规则应为",
        "指标“claim_ratio”未在 [[metrics]] 中定义",
        "类目 2.3（电子交易平台建设、交易场所标准化）各条款满分合计 0.19",
        "细则无效",
    ] {
        assert!(o.stderr.contains(e), "{e}:\n{}", o.stderr);
    }
    // A bad rubric stops `score` too.
    let o = kaohe(&[
        "score",
        "--rubric",
        p.to_str().unwrap(),
        "--input",
        "examples/rudong-2021",
    ]);
    assert_eq!(o.code, 2);
}

#[test]
fn show_prints_the_tree_with_rules() {
    let o = kaohe(&["rubric", "show", "rubrics/rudong-2021.toml"]);
    assert_eq!(o.code, 0);
    insta::assert_snapshot!("rubric-show-rudong-2021", o.stdout);
}
