//! The main flows in a real browser: headless Chromium driven through chromedriver (kaohe-browser's
//! small WebDriver client), against `kaohe demo` on a free port, one file per area.
//! Run when `KAOHE_BROWSER_TESTS=1`; `.ci/run` installs chromium and chromium-driver and sets it.

/// A reporter refused another unit's page; a leader before 公示.
mod access;
/// The audit log page: actions and objects in Chinese, Beijing time, hashes behind 校验信息 (issue 13).
mod audit_page;
/// 更正 after 定档 on the page: refused without a reason, then sealed again with the diff (issue 13).
mod correction;
/// Every file input in Chinese (选择文件, 拍照), hidden in its label, by keyboard, on a phone (issue 13).
mod file_inputs;
/// 评分表: sticky header and unit column, Enter down the column, errors and conflicts in the cell,
/// the phone (issue 13).
mod grid;
/// An admin imports case records and reads the audit log.
mod import;
/// The import page's traps: a PDF as 办件 named as such, a title row passed over, a re-upload
/// replacing the staged file, the period defaulting to the year (issue 13).
mod import_page;
/// With JavaScript off: a finding with a photo and an objection with a file, stored (issue 13).
mod no_script;
/// An objection decided on purpose: no default, 采纳 needs a 最终分, 驳回 a reason; reopened; the unit
/// sees the outcome and its file (issue 13).
mod objection_decision;
/// A finding's photo from the phone's camera input and an objection with a file, on a 390 px phone.
mod objection_files;
/// The unit page as clause cards, the score form, a finding with a photo and the league table on a
/// 390 px phone; desktop and print keep their tables (issue 13 part 5).
mod phone;
/// 公示, an objection and its decision, 定档, and the league table.
mod publication;
/// Rights as shown: every link the leader (领导) and a reporter see, followed, opens (issue 13).
mod rights_shown;
/// 名册: the template downloaded, a workbook refused for its bad row with nothing imported, then
/// imported and listed (issue 12).
mod roster;
/// 细则编辑: paste the seed, the suggested rules, edit, save, diff, 生效 (issue 12).
mod rubric_editor;
/// An assessor scores on a unit's page.
mod scoring;
/// A reporter self-assesses and uploads evidence.
mod self_assessment;
/// 提交自评 refused while clauses are missing, then submitted and locked; 退回 with a reason.
mod submission;
/// 待办 on the dashboard of each role, each item a link that opens, on a desktop and a phone.
mod todo;
/// 方案对比 with a draft rubric.
mod whatif;
/// 新建考核: 2021 copied into 2022, its dates and history; an objection after the window refused.
mod wizard;

use kaohe_browser::{Browser, Demo};
use serde_json::{Value, json};

/// Whether the browser tests run: with `KAOHE_BROWSER_TESTS` set. Otherwise each says on the terminal
/// that it was skipped — and in CI (`CI` set; `.ci/run` installs chromium and sets both) it fails.
fn enabled() -> bool {
    if std::env::var_os("KAOHE_BROWSER_TESTS").is_some() {
        return true;
    }
    kaohe_store::testdb::skipped(
        "chromium and chromedriver",
        "set KAOHE_BROWSER_TESTS=1 (as .ci/run does) to run the real-browser tests",
    );
    false
}

/// `kaohe demo` (this build's binary) in a fresh directory on a free port.
fn demo() -> Demo {
    Demo::start(std::path::Path::new(env!("CARGO_BIN_EXE_kaohe")))
}

/// Signs in to the demo's API as `login`: the session cookie and the CSRF token.
fn api_login(d: &Demo, login: &str, password: &str) -> (String, String) {
    let a = d.api(
        "POST",
        "/api/login",
        "",
        "",
        &json!({ "login": login, "password": password }),
    );
    assert_eq!(a.status, 200, "{login}: {}", a.body);
    (a.cookie, a.body["csrf"].as_str().unwrap().to_string())
}

/// A new assessment of the 2021 rubric, made by the admin through the API, with `units` (code, name,
/// kind) each assigned to 张伟, moved into 自评. Returns its id.
fn in_self_assessment(d: &Demo, title: &str, units: &[(&str, &str, &str)]) -> i64 {
    let (cookie, csrf) = api_login(d, "admin", "kaohe-admin-2021");
    let rubric =
        std::fs::read_to_string(crate::support::repo().join("rubrics/rudong-2021.toml")).unwrap();
    let made = d.api(
        "POST",
        "/api/assessments",
        &cookie,
        &csrf,
        &json!({ "title": title, "rubric_toml": rubric }),
    );
    assert_eq!(made.status, 200, "{}", made.body);
    let id = made.body["id"].as_i64().unwrap();
    for (code, name, kind) in units {
        let u = d.api(
            "POST",
            &format!("/api/assessments/{id}/units"),
            &cookie,
            &csrf,
            &json!({ "code": code, "name": name, "kind": kind }),
        );
        assert_eq!(u.status, 200, "{}", u.body);
        let a = d.api(
            "POST",
            &format!("/api/assessments/{id}/assignments"),
            &cookie,
            &csrf,
            &json!({ "assessor": "zhangwei", "unit": code }),
        );
        assert_eq!(a.status, 200, "{}", a.body);
    }
    let moved = d.api(
        "POST",
        &format!("/api/assessments/{id}/stage"),
        &cookie,
        &csrf,
        &json!({ "to": "self", "why": "开始自评" }),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    id
}

/// Moves the demo's assessment `id` on to the stage `to` (`publication`, `final`) as the admin,
/// through the API, going on past the demo's unscored units with a reason of its own.
fn advance(d: &Demo, id: i64, to: &str) {
    let (cookie, csrf) = api_login(d, "admin", "kaohe-admin-2021");
    let moved = d.api(
        "POST",
        &format!("/api/assessments/{id}/stage"),
        &cookie,
        &csrf,
        &json!({ "to": to, "why": "示例：推进阶段", "override_reason": "示例数据：未评单位另行补评" }),
    );
    assert_eq!(moved.status, 200, "{to}: {}", moved.body);
}

/// Saves a 自评分 of 0 with a reason for each of `clauses` of `unit`, through the API as `login`.
fn self_scores(d: &Demo, login: &str, id: i64, unit: &str, clauses: &[String]) {
    let (cookie, csrf) = api_login(d, login, "kaohe-reporter-2021");
    for c in clauses {
        let s = d.api(
            "PUT",
            &format!("/api/assessments/{id}/units/{unit}/scores/{c}/self"),
            &cookie,
            &csrf,
            &json!({ "score": "0", "reason": "示例自评：尚未达标" }),
        );
        assert_eq!(s.status, 200, "{c}: {}", s.body);
    }
}

/// What the page's layout says of the element `css` once `scroll_to` has been scrolled to the top of
/// the window: the page's width against the window's, and whether the element lies wholly inside the
/// window.
fn layout(b: &Browser, scroll_to: &str, css: &str) -> Value {
    b.execute(&format!(
        "var s = document.querySelector({scroll_to:?}), e = document.querySelector({css:?});
         if (!s || !e) return {{ missing: !s ? {scroll_to:?} : {css:?} }};
         s.scrollIntoView({{block: 'start'}}); var r = e.getBoundingClientRect();
         return {{ page: document.documentElement.scrollWidth, inner: innerWidth,
                   visible: r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight && r.width > 0 && r.height > 0,
                   rect: [r.left, r.top, r.right, r.bottom], window: [innerWidth, innerHeight] }};"
    ))
}

/// Asserts that the page does not scroll sideways and that `css` is in view once `scroll_to` is
/// scrolled to.
fn assert_in_view(b: &Browser, scroll_to: &str, css: &str) {
    let v = layout(b, scroll_to, css);
    assert!(v["missing"].is_null(), "no element {}", v["missing"]);
    assert!(
        v["page"].as_f64().unwrap() <= v["inner"].as_f64().unwrap(),
        "the page scrolls sideways: {v}"
    );
    assert_eq!(v["visible"], Value::Bool(true), "{css} not in view: {v}");
}

/// Asserts that the page does not scroll sideways.
fn assert_no_sideways(b: &Browser) {
    let v =
        b.execute("return [document.documentElement.scrollWidth, innerWidth, location.pathname];");
    assert!(
        v[0].as_f64().unwrap() <= v[1].as_f64().unwrap(),
        "the page scrolls sideways: {v}"
    );
}

/// With `KAOHE_SCREENSHOTS` set, the window as `docs/screenshots/{name}` (the README's pictures of
/// the phone); otherwise nothing.
fn screenshot(b: &Browser, name: &str) {
    if std::env::var_os("KAOHE_SCREENSHOTS").is_none() {
        return;
    }
    let path = crate::support::repo().join("docs/screenshots").join(name);
    std::fs::write(&path, b.screenshot()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Words of three or more ASCII letters a page may show: acronyms and names an office uses, and the
/// demo's logins (data, not words of the interface) — as the server's words test allows.
const ALLOWED_WORDS: &[&str] = &[
    "PDF",
    "Excel",
    "CSV",
    "XLSX",
    "TOML",
    "PowerPoint",
    "OFD",
    "WPS",
    "Word",
    "UTF",
    "GBK",
    "LED",
    "admin",
    "auditor",
    "sysadmin",
    "secadmin",
    "zhangwei",
    "lina",
    "wangfang",
    "juegang",
    "matang",
    "leader",
];

/// What the browser shows of the elements `css` selects, as a person reads it: their rendered text
/// (`innerText`: nothing inside a closed `<details>` or hidden), the labels of their visible
/// buttons and the values and placeholders of their visible text boxes.
fn shown_text(b: &Browser, css: &str) -> String {
    let v = b.execute(&format!(
        "var out = [];
         document.querySelectorAll({css:?}).forEach(function (root) {{
           out.push(root.innerText);
           root.querySelectorAll('input, textarea').forEach(function (i) {{
             if (!i.checkVisibility()) return;
             if (!['hidden', 'password', 'file', 'checkbox', 'radio'].includes(i.type) && i.value) out.push(i.value);
             if (i.placeholder) out.push(i.placeholder);
           }});
         }});
         return out.join('\\n');"
    ));
    v.as_str().unwrap_or_default().to_string()
}

/// The problems of words, times and hashes in `text` as shown: an English word (not in
/// [`ALLOWED_WORDS`]), an ISO 8601 time (`2026-12-01T16:16`), a 64-digit hex hash.
fn word_problems(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut w = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphabetic() {
            w.push(c);
        } else {
            if w.len() >= 3 && !ALLOWED_WORDS.contains(&w.as_str()) {
                out.push(format!("English word “{w}”"));
            }
            w.clear();
        }
    }
    let chars: Vec<char> = text.chars().collect();
    for i in 10..chars.len().saturating_sub(3) {
        if chars[i] == 'T'
            && chars[i - 1].is_ascii_digit()
            && chars[i - 3] == '-'
            && chars[i + 1].is_ascii_digit()
            && chars[i + 3] == ':'
        {
            let s: String = chars[i - 10..(i + 9).min(chars.len())].iter().collect();
            out.push(format!("a UTC time “{s}”"));
        }
    }
    let mut run = 0;
    for c in &chars {
        run = if c.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run == 64 {
            out.push("a hash outside 校验信息".to_string());
        }
    }
    out
}

/// Whether the page's message that says `text` is on the screen as it opened (no scrolling).
pub(crate) fn message_in_view(b: &Browser, text: &str) -> Value {
    b.execute(&format!(
        "var m = Array.prototype.find.call(document.querySelectorAll('.msg'), function (e) {{ return e.textContent.indexOf({text:?}) >= 0; }});
         if (!m) return 'none'; var r = m.getBoundingClientRect();
         return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;"
    ))
}

/// Waits until the script has read the chosen file into the form.
pub(crate) fn wait_read(b: &Browser, form: &str) {
    for _ in 0..100 {
        let v = b.execute(&format!(
            "var s = document.querySelector({:?}); return s ? s.textContent : '';",
            format!("{form} .upload-status")
        ));
        if v.as_str().unwrap_or_default().starts_with("已选") {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the chosen file was never read into {form}");
}
