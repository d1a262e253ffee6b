//! The phone (issue 13 part 5), at 390×844: a unit's page is a card per clause that fits the screen —
//! for every clause an assessor scores, 保存 is in view once its card is scrolled to the top — and a
//! score saved there; a finding with a photo from the camera input, its 记录问题 in view once the
//! clause's card is at the top; the leader's league table with
//! 总分 on the screen. The same pages at 1366×768 keep their tables, and printing keeps the
//! scorecard's table whatever the width. With `KAOHE_SCREENSHOTS=1` the README's phone pictures are
//! taken here.

use super::{assert_in_view, assert_no_sideways, demo, enabled, screenshot};
use kaohe_browser::{Browser, Window};
use serde_json::{Value, json};

/// The clauses of the page whose score form's 保存 is not wholly in view when the clause's card is
/// scrolled to the top of the window, with where it was.
fn saves_out_of_view(b: &Browser) -> Value {
    b.execute(
        "var out = [];
         document.querySelectorAll('#scorecard tr[id]').forEach(function (row) {
           var s = row.querySelector('form[action$=\"/score\"] button[type=submit]'); if (!s) return;
           row.scrollIntoView({block: 'start'}); var r = s.getBoundingClientRect();
           if (!(r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight && r.width > 0))
             out.push([row.id, r.left, r.top, r.right, r.bottom]);
         });
         return out;",
    )
}

/// The display of the scorecard's heading row, and the width of its first clause's name.
fn scorecard_layout(b: &Browser) -> Value {
    b.execute(
        "var h = document.querySelector('#scorecard thead'), n = document.querySelector('#scorecard tbody td');
         return { head: getComputedStyle(h).display, name: n.getBoundingClientRect().width };",
    )
}

/// Chromium's media emulation (DevTools through chromedriver): `print` or `` (the screen).
fn media(b: &Browser, m: &str) {
    b.command(
        "POST",
        "/goog/cdp/execute",
        Some(json!({ "cmd": "Emulation.setEmulatedMedia", "params": { "media": m } })),
    );
}

#[test]
fn the_unit_page_its_forms_and_the_league_table_fit_a_phone() {
    if !enabled() {
        return;
    }
    let d = demo();
    let b = Browser::start(Window::PHONE);
    // 张伟 scores 丰利镇 (not yet scored in the demo) on his phone.
    b.login(&d.base, "zhangwei", "kaohe-assessor-2021");
    let page = format!("{}/a/1/u/320623110", d.base);
    b.goto(&page);
    b.wait_for("丰利镇（320623110）考核表");
    assert_eq!(
        b.execute("return [innerWidth, innerHeight];"),
        json!([390, 844])
    );
    assert_no_sideways(&b);
    let l = scorecard_layout(&b);
    assert_eq!(l["head"], "none", "{l}");
    // A clause's name is a line across the card, not a column three characters wide.
    assert!(l["name"].as_f64().unwrap() > 300.0, "{l}");
    assert_eq!(saves_out_of_view(&b), json!([]));
    let row = "#c-1\\.1\\.1";
    let form = format!("{row} form[action$=\"/score\"]");
    assert_in_view(&b, row, &format!("{form} button[type=submit]"));
    screenshot(&b, "phone-scorecard.png");
    b.type_text(&format!("{form} input[name=score]"), "0.04");
    b.type_text(&format!("{form} input[name=reason]"), "大厅面积约190平方米");
    b.click(&format!("{form} button[type=submit]"));
    let t = b.wait_for("已保存条款 1.1.1 的得分");
    assert!(t.contains("大厅面积约190平方米"), "{t}");
    // The page opens at the clause, and its message is there, on the screen — not atop the page.
    assert_eq!(
        super::message_in_view(&b, "已保存条款 1.1.1 的得分"),
        json!(true)
    );
    assert_in_view(&b, row, &format!("{form} button[type=submit]"));
    assert_eq!(saves_out_of_view(&b), json!([]));
    // Printed from the phone, the scorecard is a table again, without its forms.
    media(&b, "print");
    let printed = b.execute(
        "var f = document.querySelector('#scorecard form'); return [getComputedStyle(document.querySelector('#scorecard thead')).display, f.offsetParent === null];",
    );
    media(&b, "");
    assert_eq!(printed, json!(["table-header-group", true]));
    // A finding with a photo from the camera, at 岔河镇's 1.4.2 (counted finding by finding).
    b.goto(&format!("{}/a/1/u/320623101", d.base));
    b.wait_for("岔河镇（320623101）考核表");
    assert_no_sideways(&b);
    assert_eq!(saves_out_of_view(&b), json!([]));
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("大厅照片.jpg");
    std::fs::write(
        &photo,
        kaohe_store::exif::sample_jpeg("2021:12:01 09:30:00", true),
    )
    .unwrap();
    let finding = "#c-1\\.4\\.2 form.finding";
    assert_in_view(
        &b,
        "#c-1\\.4\\.2",
        &format!("{finding} button[type=submit]"),
    );
    b.type_text(
        &format!("{finding} input[name=description]"),
        "自助终端故障未报修",
    );
    b.choose_file(&format!("{finding} input[data-into=photo]"), &photo);
    super::wait_read(&b, finding);
    b.click(&format!("{finding} button[type=submit]"));
    let t = b.wait_for("已记录条款 1.4.2 的问题");
    assert!(
        t.contains("大厅照片.jpg") && t.contains("拍摄于 2021年12月1日 09:30"),
        "{t}"
    );
    let photo_link = "#c-1\\.4\\.2 a[href^=\"/api/evidence/\"]";
    assert_no_sideways(&b);
    b.execute(&format!(
        "document.querySelector({photo_link:?}).closest('.file').scrollIntoView({{block: 'end'}});"
    ));
    screenshot(&b, "phone-finding.png");
    // The same page on a desktop keeps its table.
    b.set_window(Window::DESKTOP);
    b.goto(&page);
    b.wait_for("丰利镇（320623110）考核表");
    let l = scorecard_layout(&b);
    assert_eq!(l["head"], "table-header-group", "{l}");
    assert_no_sideways(&b);
    b.logout();
    // The admin publishes (going on past the demo's unscored units); the leader reads the league
    // table on a phone.
    let (cookie, csrf) = super::api_login(&d, "admin", "kaohe-admin-2021");
    let moved = d.api(
        "POST",
        "/api/assessments/1/stage",
        &cookie,
        &csrf,
        &json!({ "to": "publication", "why": "考核结束，开始公示", "override_reason": "示例数据：另行补评" }),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    b.set_window(Window::PHONE);
    b.login(&d.base, "leader", "kaohe-viewer-2021");
    b.goto(&d.url("/a/1"));
    b.wait_for("排名");
    let league = b.execute(
        "var heads = [...document.querySelectorAll('#league th')].filter(h => h.offsetParent !== null).map(h => h.textContent);
         var total = [...document.querySelectorAll('#league th')].find(h => h.textContent === '总分');
         var cells = [...document.querySelectorAll('#league tbody tr')].map(r => r.cells[[...r.parentNode.parentNode.tHead.rows[0].cells].indexOf(total)].getBoundingClientRect().right);
         var broken = [...document.querySelectorAll('#league tbody a')].filter(function (a) { var r = document.createRange(); r.selectNodeContents(a); return r.getClientRects().length !== 1; }).map(a => a.textContent);
         return { heads: heads, right: Math.max(...cells), inner: innerWidth, rows: cells.length, broken: broken };",
    );
    assert_eq!(league["heads"][0], "排名", "{league}");
    assert!(
        league["heads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == "单位名称")
            && league["heads"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h == "总分"),
        "{league}"
    );
    assert!(
        league["right"].as_f64().unwrap() <= league["inner"].as_f64().unwrap(),
        "总分 off the screen: {league}"
    );
    assert_eq!(league["rows"], 17, "{league}");
    // Each unit's name on one line, not a column of characters.
    assert_eq!(league["broken"], json!([]), "{league}");
    assert_in_view(&b, "#league", "#league th:nth-child(1)");
    screenshot(&b, "phone-league.png");
    // On a desktop the league table has every column.
    b.set_window(Window::DESKTOP);
    b.goto(&d.url("/a/1"));
    b.wait_for("排名");
    let heads = b.execute(
        "return [...document.querySelectorAll('#league th')].filter(h => h.offsetParent !== null).map(h => h.textContent);",
    );
    assert!(
        ["单位编码", "类型", "基础分", "加分", "总分"]
            .iter()
            .all(|h| heads.as_array().unwrap().iter().any(|x| x == h)),
        "{heads}"
    );
    assert_no_sideways(&b);
}
