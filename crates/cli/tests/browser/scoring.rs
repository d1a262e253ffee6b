//! 评分 in a real browser: an assessor scores on a unit's page (a reason below max, a finding that
//! would be a second source, a finding recorded and withdrawn) and in the grid (a conflict with
//! someone else's change shown, never overwritten).

use super::{demo, enabled};
use kaohe_browser::{Browser, Window};
use serde_json::{Value, json};

#[test]
fn an_assessor_scores_in_the_browser_and_the_page_explains_it() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    // In the demo 张伟 is assigned to every other unit, 苴镇街道 (320623003) among them.
    b.login(&d.base, "zhangwei", "kaohe-assessor-2021");
    b.wait_for("工作台");
    b.goto(&format!("{}/a/1/u/320623003", d.base));
    b.wait_for("苴镇街道（320623003）考核表");
    let row = "#c-1\\.1\\.1";
    // Below max without a reason: refused, what was typed is kept, the message says what to fix.
    b.type_text(&format!("{row} input[name=score]"), "0.03");
    b.click(&format!("{row} button[type=submit]"));
    b.wait_for("条款 1.1.1：得分 0.03 低于满分 0.05，须填写理由");
    // With a reason it is saved, and the explanation a clerk reads appears.
    b.type_text(&format!("{row} input[name=score]"), "0.03");
    b.type_text(&format!("{row} input[name=reason]"), "大厅面积约180平方米");
    b.click(&format!("{row} button[type=submit]"));
    let t = b.wait_for("已保存条款 1.1.1 的得分");
    assert!(t.contains("扣 0.02：大厅面积约180平方米"), "{t}");
    // 苴镇街道's 指南问题数 came as a number from the platform: a finding would be a second source.
    let finding = "#c-1\\.4\\.2 form.finding";
    b.type_text(
        &format!("{finding} input[name=description]"),
        "办事指南缺少收费标准",
    );
    b.click(&format!("{finding} button[type=submit]"));
    b.wait_for("两种来源只能用一种");
    // 岔河镇's are recorded one by one: the new finding is listed and costs its 0.002.
    b.goto(&format!("{}/a/1/u/320623101", d.base));
    b.wait_for("岔河镇（320623101）考核表");
    b.type_text(
        &format!("{finding} input[name=description]"),
        "办事指南缺少收费标准",
    );
    b.click(&format!("{finding} button[type=submit]"));
    let t = b.wait_for("已记录条款 1.4.2 的问题");
    assert!(t.contains("· 办事指南缺少收费标准"), "{t}");
    assert!(
        t.contains("指南问题 3例（逐条见明细），0.05 − 3 × 0.002 = 0.044"),
        "{t}"
    );
    // Recorded by mistake: withdrawn with a reason (refused without one), and the point comes back.
    let withdraw = "#c-1\\.4\\.2 form.withdraw:last-of-type";
    assert!(
        t.contains("手工记录：办事指南缺少收费标准（张伟（考核组））"),
        "{t}"
    );
    b.click(&format!("{withdraw} button[type=submit]"));
    b.wait_for("撤回问题记录须填写理由");
    b.type_text(&format!("{withdraw} input[name=reason]"), "与已有记录重复");
    b.click(&format!("{withdraw} button[type=submit]"));
    let t = b.wait_for("已撤回条款 1.4.2 的一条问题记录");
    assert!(
        t.contains("指南问题 2例（逐条见明细），0.05 − 2 × 0.002 = 0.046"),
        "{t}"
    );
}

#[test]
fn an_assessor_scores_in_the_grid_with_reasons_and_sees_a_conflict() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "zhangwei", "kaohe-assessor-2021");
    b.goto(&format!("{}/a/1/grid", d.base));
    b.wait_for("评分表");
    let cell = "tr[data-unit=\"320623003\"] td[data-clause=\"1.1.1\"]";
    // Below max without a reason: the grid says what to fix and nothing is saved.
    b.type_text(&format!("{cell} input.s"), "0.03");
    b.click(&format!("{cell} input.r"));
    b.wait_for("苴镇街道 1.1.1：得分 0.03 低于满分 0.05，须填写理由");
    // With a reason, Enter saves.
    b.type_text(&format!("{cell} input.r"), "大厅面积约180平方米\u{E007}");
    b.wait_for("已保存 苴镇街道 1.1.1：0.03");
    // Someone else changes the same score meanwhile (the admin, through the API).
    let login = d.api(
        "POST",
        "/api/login",
        "",
        "",
        &json!({ "login": "admin", "password": "kaohe-admin-2021" }),
    );
    let cookie = login.cookie;
    let csrf = login.body["csrf"].as_str().unwrap().to_string();
    // 苴镇街道's 考核分 of 1.1.1 as the API has it now.
    let stored = || {
        let scores = d
            .api(
                "GET",
                "/api/assessments/1/units/320623003/scores",
                &cookie,
                &csrf,
                &Value::Null,
            )
            .body;
        scores["scores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["clause_id"] == "1.1.1" && s["ledger"] == "assessor")
            .cloned()
            .unwrap()
    };
    let version = stored()["version"].clone();
    let saved = d.api(
        "PUT",
        "/api/assessments/1/units/320623003/scores/1.1.1/assessor",
        &cookie,
        &csrf,
        &json!({ "score": "0.04", "reason": "标识牌不显著", "version": version }),
    );
    assert_eq!(saved.status, 200);
    // The assessor's next save is a conflict: the cell shows the current value, nothing is overwritten.
    b.type_text(&format!("{cell} input.s"), "0.02\u{E007}");
    let t = b.wait_for("该分数已被");
    assert!(t.contains("改为 0.04") && t.contains("请核对后再改"), "{t}");
    let now = stored();
    assert_eq!(
        (now["score"].as_str(), now["reason"].as_str()),
        (Some("0.04"), Some("标识牌不显著")),
        "{now}"
    );
}
