//! Depths other than three levels and the separate texts (`rubric::levels`): what loads, and a
//! Chinese problem for each misuse.

use kaohe_core::rubric;

const HEAD: &str = r#"
id = "t"
title = "测试"
year = 2023
source = "测试"
max_total = "2"
"#;

fn problems(body: &str) -> Vec<String> {
    let (r, problems) = rubric::load("t.toml", &format!("{HEAD}{body}"));
    assert!(r.is_none(), "should not load:\n{body}");
    problems.iter().map(|p| p.to_string()).collect()
}

fn clause(id: &str, max: &str) -> String {
    format!(
        "id = \"{id}\"\ntitle = \"条款\"\nmax = \"{max}\"\nmethod = [\"查资料\"]\ntext = \"原文\"\nrule = {{ kind = \"judgement\" }}\n"
    )
}

#[test]
fn two_and_four_levels_load_with_their_indices() {
    let body = format!(
        "[[indicators]]\nid = \"1\"\nname = \"甲\"\nmax = \"1\"\n[[indicators.clauses]]\n{}content = \"内容\"\nstandard = \"标准\"\nmethod_text = \"办法\"\n\
         [[indicators]]\nid = \"2\"\nname = \"乙\"\nmax = \"1\"\n[[indicators.items]]\nid = \"2.1\"\nname = \"丙\"\nmax = \"1\"\n\
         [[indicators.items.subitems]]\nid = \"2.1.1\"\nname = \"丁\"\nmax = \"1\"\n[[indicators.items.subitems.clauses]]\n{}",
        clause("1.1", "1"),
        clause("2.1.1.1", "1")
    );
    let (r, p) = rubric::load("t.toml", &format!("{HEAD}{body}"));
    let r = r.unwrap_or_else(|| panic!("{p:#?}"));
    let (a, b) = (&r.clauses[0], &r.clauses[1]);
    assert!(r.indicators[0].items[0].implicit);
    assert_eq!((a.indicator, a.item, a.subitem), (0, 0, None));
    assert_eq!((b.indicator, b.item, b.subitem), (1, 0, Some(0)));
    assert_eq!(
        a.texts(),
        vec![
            ("考核内容", "内容"),
            ("考核标准", "标准"),
            ("考核办法", "办法")
        ]
    );
    assert!(b.texts().is_empty());
    assert_eq!(r.indicators[1].items[0].clauses, vec![1]);
}

#[test]
fn each_misuse_of_the_levels_is_a_problem() {
    let both = format!(
        "[[indicators]]\nid = \"1\"\nname = \"甲\"\nmax = \"2\"\n[[indicators.clauses]]\n{}\
         [[indicators.items]]\nid = \"1.2\"\nname = \"乙\"\nmax = \"1\"\n[[indicators.items.clauses]]\n{}",
        clause("1.1", "1"),
        clause("1.2.1", "1")
    );
    assert!(
        problems(&both)
            .iter()
            .any(|m| m.contains("指标不能同时有类目“items”和直接下属的条款“clauses”"))
    );
    let sub = format!(
        "[[indicators]]\nid = \"1\"\nname = \"甲\"\nmax = \"2\"\n[[indicators.items]]\nid = \"1.1\"\nname = \"乙\"\nmax = \"2\"\n\
         [[indicators.items.subitems]]\nid = \"9.1\"\nname = \"丙\"\nmax = \"2\"\n[[indicators.items.subitems.clauses]]\n{}",
        clause("9.1.1", "1.5")
    );
    let msgs = problems(&sub);
    for e in [
        "子类目编号“9.1”应以所属类目编号“1.1.”开头",
        "子类目 9.1（丙）各条款满分合计 1.5，与子类目满分 2 不符",
    ] {
        assert!(msgs.iter().any(|m| m.contains(e)), "{e}: {msgs:#?}");
    }
    let direct = format!(
        "[[indicators]]\nid = \"1\"\nname = \"甲\"\nmax = \"2\"\n[[indicators.clauses]]\n{}content = \"\"\n",
        clause("2.1", "2")
    );
    let msgs = problems(&direct);
    for e in [
        "条款编号“2.1”应以所属指标编号“1.”开头",
        "字段“content”不能为空",
    ] {
        assert!(msgs.iter().any(|m| m.contains(e)), "{e}: {msgs:#?}");
    }
}
