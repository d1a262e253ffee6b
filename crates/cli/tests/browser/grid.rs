//! 评分表 in a real browser (issue 13): at 1366×768 the clause names and the unit column stay in
//! view when the grid scrolls, Enter goes down the column (to the cell's reason first when a score
//! below full marks has none, never from a reason into the next unit's reason), a full-width number
//! is saved, an error shows in its cell, and a conflict keeps what was typed with the other value
//! beside it; at 390×844 the page does not scroll sideways.

use super::{demo, enabled};
use kaohe_browser::{Browser, Window};
use serde_json::{Value, json};

/// The cell of `unit` × `clause`.
fn cell(unit: &str, clause: &str) -> String {
    format!("tr[data-unit=\"{unit}\"] td[data-clause=\"{clause}\"]")
}

/// Where the focus is: (unit, clause, "s" or "r").
fn focus(b: &Browser) -> Value {
    b.execute(
        "var e = document.activeElement, td = e.closest('td'); return td ? [td.parentNode.dataset.unit, td.dataset.clause, e.className] : [e.tagName];",
    )
}

/// The message in a cell, or "".
fn note(b: &Browser, unit: &str, clause: &str) -> String {
    let js = format!(
        "var e = document.querySelector('{}').querySelector('.e'); return e ? e.textContent : '';",
        cell(unit, clause).replace('\'', "\\'")
    );
    b.execute(&js).as_str().unwrap_or_default().to_string()
}

/// Waits until the message in a cell contains `needle`.
fn wait_note(b: &Browser, unit: &str, clause: &str, needle: &str) -> String {
    for _ in 0..150 {
        let t = note(b, unit, clause);
        if t.contains(needle) {
            return t;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!(
        "cell {unit} {clause} never said “{needle}”: “{}”",
        note(b, unit, clause)
    );
}

#[test]
fn the_grid_keeps_its_header_and_units_in_view_and_enter_goes_down_the_column() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "zhangwei", "kaohe-assessor-2021");
    b.wait_for("工作台");
    b.goto(&format!("{}/a/1/grid", d.base));
    let t = b.wait_for("评分表");
    // The header names the clauses, not only their numbers.
    assert!(
        t.contains("1.1.1") && t.contains("开放式大厅≥200㎡，标识牌"),
        "{t}"
    );
    assert!(t.contains("分给您的单位共"), "{t}");
    // Scrolled down and right, the header row and the unit column are still where they were.
    let v = b.execute(
        r#"var w = document.getElementById('gridwrap'), g = w.getBoundingClientRect();
        w.scrollTop = 300; w.scrollLeft = 900;
        var th = document.querySelector('#grid thead th:nth-child(8)').getBoundingClientRect();
        var atUnit = document.elementFromPoint(g.left + 5, g.top + g.height * 0.6);
        var unitTh = atUnit && atUnit.closest('th.unit');
        var unit = (unitTh || document.body).getBoundingClientRect();
        var atHead = document.elementFromPoint(th.left + 5, th.top + 5);
        return { scrolled: [w.scrollTop, w.scrollLeft], head: th.top - g.top, unit: unit.left - g.left,
          headOnTop: !!(atHead && atHead.closest('thead')), unitOnTop: !!unitTh,
          gridTop: g.top, inner: [innerWidth, innerHeight], page: document.documentElement.scrollWidth };"#,
    );
    assert!(v["scrolled"][0].as_f64().unwrap() > 100.0, "{v}");
    assert!(v["scrolled"][1].as_f64().unwrap() > 100.0, "{v}");
    assert!(v["head"].as_f64().unwrap().abs() <= 2.0, "{v}");
    assert!(v["unit"].as_f64().unwrap().abs() <= 2.0, "{v}");
    assert_eq!(
        (&v["headOnTop"], &v["unitOnTop"]),
        (&json!(true), &json!(true)),
        "{v}"
    );
    // The grid starts in the upper half of the window; the page itself does not scroll sideways.
    assert!(
        v["gridTop"].as_f64().unwrap() < v["inner"][1].as_f64().unwrap() / 2.0,
        "{v}"
    );
    assert!(
        v["page"].as_f64().unwrap() <= v["inner"][0].as_f64().unwrap(),
        "{v}"
    );
    b.execute("var w = document.getElementById('gridwrap'); w.scrollTop = 0; w.scrollLeft = 0;");

    // The last three of 张伟's units are not scored yet: empty cells.
    let units: Vec<String> = b
        .execute("return Array.prototype.map.call(document.querySelectorAll('#grid tbody tr'), function (r) { return r.dataset.unit; });")
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect();
    let [u1, u2, u3] = [
        &units[units.len() - 3],
        &units[units.len() - 2],
        &units[units.len() - 1],
    ];
    for u in [u1, u2, u3] {
        assert_eq!(
            b.property(&format!("{} input.s", cell(u, "1.1.1")), "value"),
            ""
        );
    }
    // Full marks and Enter: saved, and the focus is on the next unit's same clause.
    b.type_text(&format!("{} input.s", cell(u1, "1.1.1")), "0.05\u{E007}");
    assert_eq!(focus(&b), json!([u2, "1.1.1", "s"]));
    wait_note(&b, u1, "1.1.1", "已保存 0.05");
    // A full-width score below full marks: Enter goes to the reason first; Enter in the reason
    // saves and goes to the next unit's score — never to its reason.
    b.type_text(
        &format!("{} input.s", cell(u2, "1.1.1")),
        "０．０３\u{E007}",
    );
    assert_eq!(focus(&b), json!([u2, "1.1.1", "r"]));
    b.type_text(
        &format!("{} input.r", cell(u2, "1.1.1")),
        "大厅面积约180平方米\u{E007}",
    );
    assert_eq!(focus(&b), json!([u3, "1.1.1", "s"]));
    wait_note(&b, u2, "1.1.1", "已保存 0.03");
    assert_eq!(
        b.property(&format!("{} input.s", cell(u2, "1.1.1")), "value"),
        "0.03"
    );
    // After the page's last unit, Enter goes to the next clause from the top.
    b.type_text(&format!("{} input.s", cell(u3, "1.1.1")), "0.05\u{E007}");
    assert_eq!(focus(&b), json!([&units[0], "1.1.2", "s"]));
    // An error is shown in its cell, in view, and the focus stays there.
    b.type_text(&format!("{} input.s", cell(u3, "1.1.2")), "0.9\u{E007}");
    assert_eq!(focus(&b), json!([u3, "1.1.2", "s"]));
    let t = note(&b, u3, "1.1.2");
    assert_eq!(t, "得分 0.9 超出分值范围（0 到 0.05）");
    let inside = b.execute(&format!(
        "var td = document.querySelector('{}'), e = td.querySelector('.e').getBoundingClientRect(), c = td.getBoundingClientRect(); return e.left >= c.left && e.right <= c.right + 1 && e.top >= c.top && e.bottom <= c.bottom + 1 && e.bottom <= innerHeight && e.top >= 0 || [e.left, e.right, e.top, e.bottom, c.left, c.right, c.top, c.bottom, innerHeight];",
        cell(u3, "1.1.2").replace('\'', "\\'")
    ));
    assert_eq!(inside, json!(true));
    // A score the server refuses (not a number) says so in the cell too.
    b.type_text(&format!("{} input.s", cell(u3, "1.1.2")), "三\u{E007}");
    assert_eq!(note(&b, u3, "1.1.2"), "得分“三”不是数字");

    // Someone else changes u1's 1.1.1 meanwhile (the admin, through the API).
    let login = d.api(
        "POST",
        "/api/login",
        "",
        "",
        &json!({ "login": "admin", "password": "kaohe-admin-2021" }),
    );
    let (cookie, csrf) = (
        login.cookie,
        login.body["csrf"].as_str().unwrap().to_string(),
    );
    let saved = d.api(
        "PUT",
        &format!("/api/assessments/1/units/{u1}/scores/1.1.1/assessor"),
        &cookie,
        &csrf,
        &json!({ "score": "0.04", "reason": "标识牌不显著", "version": 1 }),
    );
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    // 张伟's next save is a conflict: what he typed stays, the other value is shown beside it.
    b.type_text(&format!("{} input.s", cell(u1, "1.1.1")), "0.02\u{E007}");
    b.type_text(
        &format!("{} input.r", cell(u1, "1.1.1")),
        "大厅面积不足\u{E007}",
    );
    let t = wait_note(&b, u1, "1.1.1", "改为 0.04");
    assert!(
        t.starts_with("县政务办管理员 已于 ") && t.contains("（理由：标识牌不显著）"),
        "{t}"
    );
    assert!(!t.contains('T') && !t.contains('Z'), "{t}");
    assert_eq!(
        b.property(&format!("{} input.s", cell(u1, "1.1.1")), "value"),
        "0.02"
    );
    assert_eq!(
        b.property(&format!("{} input.r", cell(u1, "1.1.1")), "value"),
        "大厅面积不足"
    );
    let stored = d.api(
        "GET",
        &format!("/api/assessments/1/units/{u1}/scores"),
        &cookie,
        &csrf,
        &Value::Null,
    );
    let now = stored.body["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["clause_id"] == "1.1.1" && s["ledger"] == "assessor")
        .cloned()
        .unwrap();
    assert_eq!(
        (&now["score"], &now["version"]),
        (&json!("0.04"), &json!(2))
    );
    // "改用 0.04" takes the other value instead.
    b.click(&format!("{} .e button", cell(u1, "1.1.1")));
    assert_eq!(
        b.property(&format!("{} input.s", cell(u1, "1.1.1")), "value"),
        "0.04"
    );
    assert_eq!(
        b.property(&format!("{} input.r", cell(u1, "1.1.1")), "value"),
        "标识牌不显著"
    );
}

#[test]
fn on_a_phone_the_grid_does_not_scroll_sideways() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::PHONE);
    b.login(&d.base, "admin", "kaohe-admin-2021");
    b.wait_for("工作台");
    b.goto(&format!("{}/a/1/grid", d.base));
    b.wait_for("评分表");
    let v = b.execute(
        r#"var s = document.querySelector('#grid tbody tr td[data-clause] input.s').getBoundingClientRect();
        return { page: document.documentElement.scrollWidth, body: document.body.scrollWidth, inner: innerWidth,
          input: [s.left, s.right], label: document.querySelector('#grid td .lab').textContent };"#,
    );
    let inner = v["inner"].as_f64().unwrap();
    assert!(v["page"].as_f64().unwrap() <= inner, "{v}");
    assert!(v["body"].as_f64().unwrap() <= inner, "{v}");
    assert!(
        v["input"][0].as_f64().unwrap() >= 0.0 && v["input"][1].as_f64().unwrap() <= inner,
        "{v}"
    );
    // The unit's name spans the card (it stays at the top while its clauses scroll by).
    let unit = b.execute("var r = document.querySelector('#grid tbody th.unit').getBoundingClientRect(), c = document.querySelector('#grid tbody tr').getBoundingClientRect(); return c.width - r.width;");
    assert!(unit.as_f64().unwrap() <= 4.0, "{unit}");
    // Each cell says which clause it is.
    assert!(
        v["label"].as_str().unwrap().starts_with("1.1.1 开放式大厅"),
        "{v}"
    );
    // Scrolled to the end, still nothing to the side.
    let w = b.execute("window.scrollTo(0, document.body.scrollHeight); return [document.documentElement.scrollWidth, scrollX];");
    assert!(
        w[0].as_f64().unwrap() <= inner && w[1].as_f64().unwrap() == 0.0,
        "{w}"
    );
}
