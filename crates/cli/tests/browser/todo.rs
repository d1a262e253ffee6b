//! 待办 on the dashboard in a real browser (issue 13 part 1), at 1366×768 and at 390×844: the admin,
//! an assessor (张伟) and a reporter (掘港街道) each see what is left to do in the demo's 2021
//! assessment (考核) and in a 2022 one in 自评 (马塘镇 submitted, 掘港街道 not), each item a link that
//! opens a page (not an error, not the sign-in page) with the part it points to; the header keeps
//! 工作台 on one line and the page does not scroll sideways.

use super::{assert_no_sideways, demo, enabled, in_self_assessment, screenshot, self_scores};
use kaohe_browser::{Browser, Window};
use serde_json::Value;

/// The dashboard's 待办 items: (text, href).
fn todos(b: &Browser) -> Vec<(String, String)> {
    let v = b.execute(
        "return [...document.querySelectorAll('ul.todo a')].map(a => [a.textContent, a.getAttribute('href')]);",
    );
    serde_json::from_value(v).unwrap()
}

/// The lines the header's 工作台 link is laid out on.
fn header_lines(b: &Browser) -> Value {
    b.execute(
        "var a = [...document.querySelectorAll('header a')].find(a => a.textContent === '工作台'); var r = document.createRange(); r.selectNodeContents(a); return r.getClientRects().length;",
    )
}

/// Opens each item's link and checks that it answers with a page of the service holding the part
/// it points to.
fn each_opens(d: &kaohe_browser::Demo, b: &Browser, items: &[(String, String)]) {
    for (text, href) in items {
        assert!(href.starts_with('/'), "{text}: {href}");
        b.goto(&d.url(href));
        b.wait_for("退出");
        let v = b.execute(
            "var h = decodeURIComponent(location.hash.slice(1));
             return { title: document.title, error: !!document.querySelector('.msg.error'),
                      target: h === '' || !!document.getElementById(h), path: location.pathname };",
        );
        assert!(
            !v["title"].as_str().unwrap().starts_with("出错了") && v["error"] == false,
            "{text} ({href}) opens an error: {v}\n{}",
            b.text()
        );
        assert_eq!(v["target"], true, "{text} ({href}): no such part: {v}");
        assert_eq!(
            v["path"].as_str().unwrap(),
            href.split('#').next().unwrap(),
            "{text}"
        );
        assert_no_sideways(b);
    }
}

#[test]
fn each_roles_todo_items_are_links_that_open_on_a_desktop_and_a_phone() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    let id = in_self_assessment(
        &d,
        "2022年度考核（待办演示）",
        &[
            ("320623001", "掘港街道", "街道"),
            ("320623100", "马塘镇", "镇"),
        ],
    );
    // 马塘镇's reporter fills in every clause and submits; 掘港街道's has not started.
    b.login(&d.base, "matang", "kaohe-reporter-2021");
    b.goto(&format!("{}/a/{id}/u/320623100", d.base));
    b.wait_for("尚未提交自评");
    let clauses: Vec<String> = serde_json::from_value(b.execute(
        "return [...document.querySelectorAll('form[action$=\"/self\"] input[name=clause]')].map(e => e.value);",
    ))
    .unwrap();
    self_scores(&d, "matang", id, "320623100", &clauses);
    b.click("#submit-self");
    b.wait_for("自评已提交");
    b.logout();
    let expected: [(&str, &str, &[&str]); 3] = [
        (
            "admin",
            "kaohe-admin-2021",
            &["1 个单位尚未提交自评", "掘港街道", "进入公示前还有"],
        ),
        (
            "zhangwei",
            "kaohe-assessor-2021",
            &[
                "马塘镇 已提交自评，待审核（有问题可退回）",
                "分给您的单位 ",
                "/9 个已评完",
                "已有得分 ",
            ],
        ),
        (
            "juegang",
            "kaohe-reporter-2021",
            &["项考核点未自评（1.1.1、", "填完后提交自评"],
        ),
    ];
    for window in [Window::DESKTOP, Window::PHONE] {
        b.set_window(window);
        for (login, password, says) in expected {
            b.login(&d.base, login, password);
            b.goto(&d.url("/"));
            b.wait_for("待办");
            let items = todos(&b);
            let all: String = items.iter().map(|(t, _)| format!("{t}\n")).collect();
            for s in says {
                assert!(all.contains(s), "{login}: no “{s}” in 待办:\n{all}");
            }
            assert_eq!(header_lines(&b), 1, "{login}: 工作台 broken over lines");
            assert_no_sideways(&b);
            if window == Window::PHONE && login == "zhangwei" {
                screenshot(&b, "phone-dashboard.png");
            }
            each_opens(&d, &b, &items);
            b.logout();
        }
    }
}
