//! 公示 to 定档 in a real browser: publication, an objection and its decision, finalisation, and the
//! league table a leader opens, sorted by a clicked column.

use super::{demo, enabled};
use kaohe_browser::{Browser, Window};

#[test]
fn publication_objection_decision_finalisation_and_the_league_table() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    // The admin moves the demo from 考核 to 公示; the confirmation is required.
    b.login(&d.base, "admin", "kaohe-admin-2021");
    b.goto(&format!("{}/a/1", d.base));
    b.wait_for("推进到“公示”阶段");
    b.type_text("#advance input[name=why]", "考核结束，开始公示");
    b.click("#advance input[name=confirm]");
    b.click("#advance button[type=submit]");
    // The demo leaves 7 units unscored: the gate refuses and lists them, then the admin goes on
    // explicitly, with a reason of its own.
    let t = b.wait_for("项未完成");
    assert!(t.contains("曹埠镇：条款 1.1.1"), "{t}");
    b.type_text("#advance input[name=why]", "考核结束，开始公示");
    b.click("#advance input[name=confirm]");
    b.click("#advance input[name=go_on]");
    b.type_text(
        "#advance input[name=go_on_why]",
        "示例数据：7 个单位另行补评",
    );
    b.click("#advance button[type=submit]");
    let t = b.wait_for("已进入“公示”阶段");
    assert!(
        t.contains("部分单位未完成考核：") && t.contains("曹埠镇："),
        "{t}"
    );
    b.logout();
    // 掘港街道 objects to 1.5.3.
    b.login(&d.base, "juegang", "kaohe-reporter-2021");
    b.goto(&format!("{}/a/1/u/320623001", d.base));
    b.wait_for("提出异议");
    b.click("#object select[name=clause] option[value='1.5.3']");
    b.type_text("#object input[name=reason]", "差评均已回访，附回访记录");
    b.click("#object button[type=submit]");
    let t = b.wait_for("异议已提交，等待考核组处理");
    assert!(t.contains("待处理"), "{t}");
    b.logout();
    // 张伟 (assigned to 掘港街道) upholds it with the full score.
    b.login(&d.base, "zhangwei", "kaohe-assessor-2021");
    b.goto(&format!("{}/a/1/u/320623001", d.base));
    b.wait_for("差评均已回访，附回访记录");
    // Nothing is pre-selected: 采纳 is chosen on purpose.
    b.click("#objections input[name=outcome][value=upheld]");
    b.type_text("#objections input[name=score]", "0.05");
    b.type_text("#objections input[name=reason]", "经核实回访记录齐全");
    b.click("#objections button[type=submit]");
    let t = b.wait_for("异议已处理");
    assert!(
        t.contains("已采纳") && t.contains("经核实回访记录齐全"),
        "{t}"
    );
    b.logout();
    // The admin finalises: the result is sealed with its sha256.
    b.login(&d.base, "admin", "kaohe-admin-2021");
    b.goto(&format!("{}/a/1", d.base));
    b.wait_for("推进到“定档”阶段");
    b.type_text("#advance input[name=why]", "县考核领导小组审定");
    b.click("#advance input[name=confirm]");
    b.click("#advance button[type=submit]");
    b.wait_for("项未完成");
    b.type_text("#advance input[name=why]", "县考核领导小组审定");
    b.click("#advance input[name=confirm]");
    b.click("#advance input[name=go_on]");
    b.type_text("#advance input[name=go_on_why]", "示例数据：同意定档");
    b.click("#advance button[type=submit]");
    let t = b.wait_for("已定档，结果已封存");
    assert!(t.contains("第 1 版"), "{t}");
    b.logout();
    // A leader opens the league table.
    b.login(&d.base, "leader", "kaohe-viewer-2021");
    b.goto(&format!("{}/a/1", d.base));
    let t = b.wait_for("排名");
    assert!(t.contains("掘港街道") && t.contains("导出 Excel"), "{t}");
    assert!(!t.contains("结果尚未公示"));
}

#[test]
fn the_league_table_sorts_by_a_clicked_column() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "admin", "kaohe-admin-2021");
    b.goto(&format!("{}/a/1", d.base));
    b.wait_for("排名");
    let first = || {
        b.execute("return document.querySelector('#league tbody tr').cells[2].textContent.trim()")
    };
    assert_eq!(first(), "长沙镇");
    // 总分 ascending: the lowest total first; again: the highest first.
    b.click("#league thead th:nth-child(7)");
    assert_eq!(first(), "曹埠镇");
    b.click("#league thead th:nth-child(7)");
    assert_eq!(first(), "长沙镇");
    // 单位名称 sorts as Chinese text (by pinyin): 曹埠镇 (cáo) before 长沙镇 (cháng).
    b.click("#league thead th:nth-child(3)");
    let order = b.execute(
        "return Array.from(document.querySelectorAll('#league tbody tr')).map(r => r.cells[2].textContent.trim()).join(',')",
    );
    let order = order.as_str().unwrap();
    assert!(
        order.find("曹埠镇").unwrap() < order.find("长沙镇").unwrap(),
        "{order}"
    );
}
