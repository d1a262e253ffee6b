//! 自评 in a real browser: a reporter self-assesses a clause and uploads a file as evidence.

use super::{demo, enabled};
use kaohe_browser::{Browser, Window};
use serde_json::json;

#[test]
fn a_reporter_self_assesses_and_uploads_evidence_in_the_browser() {
    if !enabled() {
        return;
    }
    let d = demo();
    // The admin opens a new assessment in 自评 for 掘港街道 through the API.
    let login = d.api(
        "POST",
        "/api/login",
        "",
        "",
        &json!({ "login": "admin", "password": "kaohe-admin-2021" }),
    );
    assert_eq!(login.status, 200);
    let cookie = login.cookie;
    let csrf = login.body["csrf"].as_str().unwrap().to_string();
    let rubric =
        std::fs::read_to_string(crate::support::repo().join("rubrics/rudong-2021.toml")).unwrap();
    let made = d.api(
        "POST",
        "/api/assessments",
        &cookie,
        &csrf,
        &json!({ "title": "2022年度考核（自评演示）", "rubric_toml": rubric }),
    );
    assert_eq!(made.status, 200, "{}", made.body);
    let id = made.body["id"].as_i64().unwrap();
    d.api(
        "POST",
        &format!("/api/assessments/{id}/units"),
        &cookie,
        &csrf,
        &json!({ "code": "320623001", "name": "掘港街道", "kind": "街道" }),
    );
    let moved = d.api(
        "POST",
        &format!("/api/assessments/{id}/stage"),
        &cookie,
        &csrf,
        &json!({ "to": "self", "why": "开始自评" }),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("测绘报告.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n% kaohe test\n").unwrap();
    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "juegang", "kaohe-reporter-2021");
    b.goto(&format!("{}/a/{id}/u/320623001", d.base));
    b.wait_for("保存自评");
    let row = "#c-1\\.1\\.1";
    b.type_text(&format!("{row} input[name=score]"), "0.04");
    b.type_text(
        &format!("{row} input[name=reason]"),
        "大厅面积约190平方米，正在扩建",
    );
    b.click(&format!("{row} form button[type=submit]"));
    b.wait_for("已保存条款 1.1.1 的得分");
    b.choose_file(&format!("{row} input.evidence"), &pdf);
    b.wait_for("已上传：测绘报告.pdf");
    b.goto(&format!("{}/a/{id}/u/320623001", d.base));
    let t = b.wait_for("佐证材料：");
    assert!(t.contains("测绘报告.pdf"), "{t}");
    assert!(t.contains("大厅面积约190平方米，正在扩建"), "{t}");
}
