//! 评分 in a real browser: an assessor scores on a unit's page (a reason below max, a finding that
//! would be a second source, a finding recorded and withdrawn). The grid is in `grid.rs`.

use super::{demo, enabled};
use kaohe_browser::{Browser, Window};

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
    assert_eq!(
        super::message_in_view(&b, "须填写理由"),
        serde_json::json!(true)
    );
    // With a reason it is saved, and the explanation a clerk reads appears.
    b.type_text(&format!("{row} input[name=score]"), "0.03");
    b.type_text(&format!("{row} input[name=reason]"), "大厅面积约180平方米");
    b.click(&format!("{row} button[type=submit]"));
    let t = b.wait_for("已保存条款 1.1.1 的得分");
    assert_eq!(
        super::message_in_view(&b, "已保存条款 1.1.1 的得分"),
        serde_json::json!(true)
    );
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
    assert_eq!(
        super::message_in_view(&b, "已记录条款 1.4.2 的问题"),
        serde_json::json!(true)
    );
    assert!(t.contains("· 办事指南缺少收费标准"), "{t}");
    assert!(
        t.contains("指南问题 3例（逐条见明细），0.05 − 3 × 0.002 = 0.044"),
        "{t}"
    );
    // Recorded by mistake: withdrawn with a reason (refused without one), and the point comes back.
    let withdraw = "#c-1\\.4\\.2 div.by-hand:last-of-type form.withdraw";
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
