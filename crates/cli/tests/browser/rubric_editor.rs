//! 细则编辑 in a real browser: the admin pastes the seed's own 细则 text, sees the suggested rule of
//! every clause (rudong-2021's own kinds, in Chinese), accepts them into a draft, starts again from
//! the rubric in force, changes a clause's points and rule, saves the draft, sees the diff and makes
//! it 生效; the editor fits a phone's width.

use super::{demo, enabled};
use kaohe_browser::{Browser, Window};
use serde_json::json;

#[test]
fn an_admin_pastes_the_seed_edits_a_clause_saves_and_sees_the_diff() {
    if !enabled() {
        return;
    }
    let d = demo();
    // Next year's assessment, in 草稿 (made through the API, as the wizard will).
    let login = d.api(
        "POST",
        "/api/login",
        "",
        "",
        &json!({ "login": "admin", "password": "kaohe-admin-2021" }),
    );
    let csrf = login.body["csrf"].as_str().unwrap().to_string();
    let rubric_text =
        std::fs::read_to_string(crate::support::repo().join("rubrics/rudong-2021.toml"))
            .unwrap()
            .replace("id = \"rudong-2021\"", "id = \"rudong-2022\"")
            .replace("\nyear = 2021", "\nyear = 2022");
    let made = d.api(
        "POST",
        "/api/assessments",
        &login.cookie,
        &csrf,
        &json!({ "title": "2022年度考核", "rubric_toml": rubric_text }),
    );
    assert_eq!(made.status, 200, "{:?}", made.body);
    let id = made.body["id"].as_i64().unwrap();

    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "admin", "kaohe-admin-2021");
    b.goto(&d.url(&format!("/a/{id}/rubric")));
    b.wait_for("编辑细则与版本");
    b.click("#edit-rubric");
    b.wait_for("粘贴细则");

    // The seed's text, pasted into the box (set as a clipboard paste would, tabs and all).
    let seed =
        std::fs::read_to_string(crate::support::repo().join("rubrics/source/rudong-2021-seed.txt"))
            .unwrap();
    b.execute(&format!(
        "document.querySelector('#pasted').value = {}; return 0",
        serde_json::to_string(&seed).unwrap()
    ));
    b.click("#recognise");
    b.wait_for("粘贴内容的识别结果");
    // Every clause's suggested kind is rudong-2021's own, shown in Chinese.
    let shown = b.execute(
        "return Array.from(document.querySelectorAll('.proposal')).flatMap(p => { \
           const parts = p.querySelectorAll('.split li'); \
           const leaves = parts.length ? Array.from(parts) : [p]; \
           return leaves.map(l => [l.dataset.kind, l.querySelector('strong.kind').textContent]); })",
    );
    let shown: Vec<(String, String)> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x[0].as_str().unwrap().to_string(),
                x[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let (r, _) = kaohe_core::rubric::load(
        "rudong-2021.toml",
        &std::fs::read_to_string(crate::support::repo().join("rubrics/rudong-2021.toml")).unwrap(),
    );
    let r = r.unwrap();
    let want: Vec<&str> = r.clauses.iter().map(|c| c.rule.kind()).collect();
    let got: Vec<&str> = shown.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(got, want, "every clause's suggested kind");
    let labels = kaohe_core::rules::kinds();
    for (kind, label) in &shown {
        let (_, want) = labels.iter().find(|(k, _)| k == kind).unwrap();
        assert_eq!(label, want);
    }
    // Each suggestion but 考核员评定 marks the words that led to it.
    let unmarked = b.execute(
        "return Array.from(document.querySelectorAll('.proposal')).flatMap(p => { \
           const parts = p.querySelectorAll('.split li'); \
           return parts.length ? Array.from(parts) : [p]; }) \
         .filter(l => l.dataset.kind !== 'judgement' && !l.querySelector('mark')) \
         .map(l => l.textContent)",
    );
    assert_eq!(unmarked, json!([]), "suggestions without their words");
    assert!(want.iter().any(|k| *k != "judgement"));
    // Accepted in place of the draft's indicators: the clauses are there, each ranking still to be
    // given its metric (said in Chinese).
    b.click("input[name=mode][value=replace]");
    b.click("#accept");
    let t = b.wait_for("个条款替换为草案");
    assert!(t.contains("缺少必填字段“metric”"), "{t}");
    assert!(!t.contains("invalid") && !t.contains("expected"), "{t}");

    // Start again from the rubric in force; 0.01 moved from 1.1.1 to 1.1.2, whose rule becomes
    // 每例扣分 with 0.01 per instance.
    b.click("button[value=reset]");
    b.wait_for("已放弃未保存的修改");
    b.type_text("input[name='c|1.1.1|max']", "0.04");
    b.type_text("input[name='c|1.1.2|max']", "0.06");
    b.click("select[name='c|1.1.2|kind'] option[value=per_instance]");
    b.click("#apply");
    let t = b.wait_for("已应用修改");
    assert!(t.contains("条款1.1.2：缺少必填字段“per”"), "{t}");
    // A wrong parameter is refused in Chinese.
    b.type_text("input[name='c|1.1.2|p.per']", "一分");
    b.click("#apply");
    let t = b.wait_for("未修改，请改正");
    assert!(t.contains("“一分”不是十进制数"), "{t}");
    b.type_text("input[name='c|1.1.2|p.per']", "0.01");
    b.click("#save");
    let t = b.wait_for("已保存为草案第 1 版");
    assert!(t.contains("改动 2 条"), "{t}");
    assert!(t.contains("满分 0.05 → 0.04"), "{t}");
    assert!(t.contains("满分 0.05 → 0.06；计分规则 原“"), "{t}");
    assert!(t.contains("用上一年度的数据试算"), "{t}");
    b.click("#effective button[type=submit]");
    b.wait_for("草案第 1 版已生效");
    b.goto(&d.url(&format!("/a/{id}/rubric")));
    let t = b.wait_for("编辑细则与版本");
    assert!(t.contains("规则：每发现一例扣 0.01，扣完为止"), "{t}");

    // The editor at 1366 × 768 and on a phone: nothing wider than the screen.
    b.goto(&d.url(&format!("/a/{id}/rubric/edit")));
    b.wait_for("粘贴细则");
    let wide = b.execute("return document.documentElement.scrollWidth - window.innerWidth");
    assert!(
        wide.as_i64().unwrap() <= 0,
        "wider than the desktop by {wide}px"
    );
    b.set_window(Window::PHONE);
    b.goto(&d.url(&format!("/a/{id}/rubric/edit")));
    b.wait_for("粘贴细则");
    let wide = b.execute("return document.documentElement.scrollWidth - window.innerWidth");
    let widest = b.execute(
        "return Array.from(document.querySelectorAll('body *')) \
         .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1) \
         .slice(0, 8).map(e => e.tagName + ' ' + (e.name || e.className || e.id))",
    );
    assert!(
        wide.as_i64().unwrap() <= 0,
        "wider than the phone by {wide}px: {widest}"
    );
}
