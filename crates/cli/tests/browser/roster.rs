//! 名册 in a real browser (issue 12): the admin downloads the template from the 设置 page, fills its
//! two sheets, uploads it with one bad row, reads the problem by sheet, row, column and value with
//! nothing imported, corrects the row and imports; the new units and accounts are listed.

use super::{api_login, demo, enabled};
use kaohe_browser::{Browser, Window};
use serde_json::json;

/// The template as the signed-in browser downloads it (the link's address fetched in the page).
fn download(b: &Browser, link: &str) -> Vec<u8> {
    let v = b.execute(&format!(
        "var a = document.querySelector({link:?}); var x = new XMLHttpRequest();
         x.open('GET', a.href, false); x.overrideMimeType('text/plain; charset=x-user-defined'); x.send();
         var s = ''; for (var i = 0; i < x.responseText.length; i++) s += String.fromCharCode(x.responseText.charCodeAt(i) & 255);
         return [x.status, x.getResponseHeader('content-type'), btoa(s)];"
    ));
    assert_eq!(v[0], 200, "{v}");
    assert_eq!(
        v[1],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    kaohe_browser::base64_decode(v[2].as_str().unwrap())
}

/// The template with `units` and `accounts` typed under its headers (as text, as a clerk types
/// them), its other sheets as they were.
fn fill(template: &[u8], units: &[[&str; 3]], accounts: &[[&str; 5]]) -> Vec<u8> {
    let mut wb = kaohe_tables::sheet::Workbook::from_bytes("模板.xlsx", template.to_vec()).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names, ["单位", "账号", "说明"]);
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in &names {
        let sheet = wb.sheet(name).unwrap();
        let ws = out.add_worksheet().set_name(name).unwrap();
        let mut rows: Vec<Vec<String>> = vec![sheet.headers.clone()];
        rows.extend(sheet.rows.into_iter().map(|r| r.cells));
        match name.as_str() {
            "单位" => rows.extend(units.iter().map(|r| r.map(String::from).to_vec())),
            "账号" => rows.extend(accounts.iter().map(|r| r.map(String::from).to_vec())),
            _ => {}
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
    }
    out.save_to_buffer().unwrap()
}

#[test]
fn the_admin_imports_a_roster_refused_for_its_bad_row_then_corrected() {
    if !enabled() {
        return;
    }
    let d = demo();
    // A new assessment in 草稿 (units are imported only there), without units.
    let (cookie, csrf) = api_login(&d, "admin", "kaohe-admin-2021");
    let rubric =
        std::fs::read_to_string(crate::support::repo().join("rubrics/rudong-2021.toml")).unwrap();
    let made = d.api(
        "POST",
        "/api/assessments",
        &cookie,
        &csrf,
        &json!({ "title": "2022年度名册导入", "rubric_toml": rubric }),
    );
    assert_eq!(made.status, 200, "{}", made.body);
    let id = made.body["id"].as_i64().unwrap();

    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "admin", "kaohe-admin-2021");
    b.goto(&d.url(&format!("/a/{id}/setup")));
    b.wait_for("下载名册模板");
    let template = download(&b, "#roster a[href$='roster-template.xlsx']");
    let units = [["320623201", "新店镇", "镇"], ["32062320", "丰利镇", "镇"]];
    let mut accounts = [
        [
            "xindian",
            "新店填报员",
            "单位填报员",
            "320623201",
            "0513-84510001",
        ],
        ["fengli", "丰利填报员", "单位填报员", "320623202", ""],
    ];
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().canonicalize().unwrap();
    let bad = dir.join("名册-有误.xlsx");
    std::fs::write(&bad, fill(&template, &units, &accounts)).unwrap();
    b.choose_file("#roster-file", &bad);
    b.click("#roster-import");
    let t = b.wait_for("未导入任何数据");
    // The problems: the 8-digit code in 单位 row 3, and so 丰利's reporter's unit in 账号 row 3.
    let problems = b.execute(
        "return Array.from(document.querySelectorAll('#roster-problems tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent));",
    );
    assert_eq!(
        problems[0],
        json!([
            "名册-有误.xlsx › 单位",
            "3",
            "单位编码（A列）",
            "32062320",
            "单位编码“32062320”是 8 位数字：区划代码应为 9 位数字（如 320623001）"
        ]),
        "{t}"
    );
    assert!(
        problems
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p[1] == "3" && p[0].as_str().unwrap().starts_with("名册-有误.xlsx")),
        "{problems}"
    );
    // Nothing was imported: a reload lists no unit and neither account.
    b.goto(&d.url(&format!("/a/{id}/setup")));
    let t = b.wait_for("还没有单位");
    assert!(
        !t.contains("新店填报员") && !t.contains("丰利填报员"),
        "{t}"
    );

    // Corrected: 丰利镇's code is 320623202.
    let units = [["320623201", "新店镇", "镇"], ["320623202", "丰利镇", "镇"]];
    accounts[1][4] = "0513-84510002";
    let good = dir.join("名册.xlsx");
    std::fs::write(&good, fill(&template, &units, &accounts)).unwrap();
    b.choose_file("#roster-file", &good);
    b.click("#roster-import");
    b.wait_for("已导入 2 个单位、2 个账号");
    let issued = b.execute(
        "return Array.from(document.querySelectorAll('#issued tbody tr')).map(r => r.cells[0].textContent + ' ' + r.cells[4].textContent.length);",
    );
    assert_eq!(issued, json!(["xindian 12", "fengli 12"]));
    b.goto(&d.url(&format!("/a/{id}/setup")));
    let t = b.wait_for("被考核单位");
    let listed = |table: &str| {
        b.execute(&format!(
            "return Array.from(document.querySelectorAll('#{table} tbody tr')).map(r => r.cells[0].textContent + ' ' + r.cells[1].textContent);"
        ))
    };
    assert_eq!(
        listed("units"),
        json!(["320623201 新店镇", "320623202 丰利镇"]),
        "{t}"
    );
    let users = listed("users");
    for who in ["xindian 新店填报员", "fengli 丰利填报员"] {
        assert!(
            users.as_array().unwrap().iter().any(|u| u == who),
            "{who}: {users}"
        );
    }
}
