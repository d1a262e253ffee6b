//! 提交自评 and 退回 in a real browser (issue 13 part 1), at 1366×768 and at 390×844: the reporter's
//! 提交自评 is refused while clauses are missing, with the missing ones named; once they are filled it
//! is submitted and the 自评 forms and evidence inputs are gone; the unit's assessor finds it in 待办
//! and returns it with a reason, which the reporter reads in 待办 and on the page, with the forms back.

use super::{
    assert_in_view, assert_no_sideways, demo, enabled, in_self_assessment, screenshot, self_scores,
};
use kaohe_browser::{Browser, Window};

/// The 自评 forms, evidence inputs and 提交自评 buttons on the page.
fn self_forms(b: &Browser) -> [i64; 3] {
    serde_json::from_value(b.execute(
        "return ['form[action$=\"/self\"]', 'input.evidence', '#submit-self'].map(s => document.querySelectorAll(s).length);",
    ))
    .unwrap()
}

/// The clauses the page offers to self-assess.
fn self_clauses(b: &Browser) -> Vec<String> {
    let v = b.execute(
        "return [...document.querySelectorAll('form[action$=\"/self\"] input[name=clause]')].map(e => e.value);",
    );
    serde_json::from_value(v).unwrap()
}

/// The href of the dashboard's 待办 item whose text contains `text`.
fn todo_href(b: &Browser, text: &str) -> String {
    let v = b.execute(&format!(
        "var a = [...document.querySelectorAll('ul.todo a')].find(a => a.textContent.includes({text:?})); return a ? a.getAttribute('href') : null;"
    ));
    v.as_str()
        .unwrap_or_else(|| panic!("no 待办 “{text}”:\n{}", b.text()))
        .to_string()
}

#[test]
fn a_reporter_submits_a_complete_self_assessment_and_the_assessor_returns_it() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    for (window, name) in [(Window::DESKTOP, "桌面"), (Window::PHONE, "手机")] {
        b.set_window(window);
        let id = in_self_assessment(
            &d,
            &format!("2022年度考核（提交自评，{name}）"),
            &[("320623001", "掘港街道", "街道")],
        );
        let page = format!("{}/a/{id}/u/320623001", d.base);
        // 掘港街道's reporter has filled in all but two clauses.
        b.login(&d.base, "juegang", "kaohe-reporter-2021");
        b.goto(&page);
        b.wait_for("尚未提交自评");
        let clauses = self_clauses(&b);
        assert!(clauses.len() > 2, "{clauses:?}");
        let (done, left) = clauses.split_at(clauses.len() - 2);
        self_scores(&d, "juegang", id, "320623001", done);
        b.goto(&page);
        b.wait_for("尚未提交自评");
        assert_in_view(&b, "#submission", "#submit-self");
        b.click("#submit-self");
        let t = b.wait_for("还有 2 项考核点未自评，不能提交");
        for c in left {
            assert!(t.contains(&format!("{c} ")), "{c} not named:\n{t}");
        }
        let open = self_forms(&b);
        assert_eq!(open[0], clauses.len() as i64, "the forms stay: {open:?}");
        assert!(open[1] >= open[0] && open[2] == 1, "{open:?}");
        assert_no_sideways(&b);
        if window == Window::PHONE {
            b.execute("window.scrollTo(0, 0);");
            screenshot(&b, "phone-submission.png");
        }
        // The two left are filled in on the page, and the self-assessment submitted.
        for c in left {
            let row = format!("#c-{}", c.replace('.', "\\."));
            let form = format!("{row} form[action$=\"/self\"]");
            assert_in_view(&b, &row, &format!("{form} button[type=submit]"));
            b.type_text(&format!("{form} input[name=score]"), "0");
            b.type_text(&format!("{form} input[name=reason]"), "正在整改");
            b.click(&format!("{form} button[type=submit]"));
            b.wait_for(&format!("已保存条款 {c} 的得分"));
        }
        b.click("#submit-self");
        let t = b.wait_for("自评已提交，等待考核员审核");
        assert!(
            t.contains("已提交自评（") && t.contains("掘港街道填报员"),
            "{t}"
        );
        assert_eq!(
            self_forms(&b),
            [0, 0, 0],
            "the 自评 forms are gone once submitted"
        );
        assert!(!t.contains("保存自评"), "{t}");
        assert_no_sideways(&b);
        b.goto(&d.url("/"));
        b.wait_for("本单位已提交自评，等待考核员审核");
        b.logout();
        // 张伟 finds it in 待办 and returns it with a reason.
        b.login(&d.base, "zhangwei", "kaohe-assessor-2021");
        b.goto(&d.url("/"));
        b.wait_for("待办");
        let href = todo_href(&b, "掘港街道 已提交自评，待审核");
        assert_eq!(href, format!("/a/{id}/u/320623001#submission"));
        b.goto(&d.url(&href));
        b.wait_for("退回自评");
        assert_in_view(&b, "#submission", "#return-self");
        let reason = "1.1.1 未附大厅面积测绘报告，请补充后重新提交";
        b.type_text("#submission input[name=reason]", reason);
        b.click("#return-self");
        let t = b.wait_for("已退回自评，填报员可修改后重新提交");
        assert!(t.contains("自评已被退回（") && t.contains(reason), "{t}");
        assert_no_sideways(&b);
        b.logout();
        // The reporter reads the reason in 待办 and on the page, and may change the scores again.
        b.login(&d.base, "juegang", "kaohe-reporter-2021");
        b.goto(&d.url("/"));
        let href = todo_href(&b, &format!("自评被退回：{reason}"));
        b.goto(&d.url(&href));
        let t = b.wait_for("自评已被退回");
        assert!(t.contains(reason), "{t}");
        assert_eq!(self_forms(&b), open, "the forms are back");
        b.logout();
    }
}
