//! 名册 in a real browser (issue 12): the admin downloads the template from the 设置 page, fills its
//! two sheets with 200 units and their accounts, uploads it with 3 bad rows, reads each problem by
//! sheet, row, column and value with nothing imported, corrects the rows and imports; the new units
//! and accounts are listed.

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
fn fill(template: &[u8], units: &[[String; 3]], accounts: &[[&str; 5]]) -> Vec<u8> {
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
            "单位" => rows.extend(units.iter().map(|r| r.to_vec())),
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
fn the_admin_imports_a_roster_of_200_units_refused_for_its_3_bad_rows_then_corrected() {
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
    // 200 units, 320623300 … 320623499; then three bad rows: an 8-digit code (row 42), a 10-digit
    // one (row 122) and a code given twice (row 172, 169's again).
    let good_units: Vec<[String; 3]> = (0..200)
        .map(|i| {
            [
                format!("320623{}", 300 + i),
                format!("第{i}镇"),
                "镇".to_string(),
            ]
        })
        .collect();
    let mut units = good_units.clone();
    units[40][0] = "32062334".into();
    units[120][0] = "3206234200".into();
    units[170][0] = units[169][0].clone();
    let mut accounts = [
        [
            "xindian",
            "新店填报员",
            "单位填报员",
            "320623300",
            "0513-84510001",
        ],
        ["fengli", "丰利填报员", "单位填报员", "320623301", ""],
    ];
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().canonicalize().unwrap();
    let bad = dir.join("名册-有误.xlsx");
    std::fs::write(&bad, fill(&template, &units, &accounts)).unwrap();
    b.choose_file("#roster-file", &bad);
    b.click("#roster-import");
    let t = b.wait_for("未导入任何数据");
    // The problems, each by sheet, row, column and value: rows 42, 122 and 172 of 单位, nothing else.
    let problems = b.execute(
        "return Array.from(document.querySelectorAll('#roster-problems tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent));",
    );
    let problems = problems.as_array().unwrap();
    assert!(
        problems.contains(&json!([
            "名册-有误.xlsx › 单位",
            "42",
            "单位编码（A列）",
            "32062334",
            "单位编码“32062334”是 8 位数字：区划代码应为 9 位数字（如 320623001）"
        ])),
        "{t}"
    );
    // Only 单位 rows 42, 122 and 172 (and 171, the code's first row, should the reader name it).
    for p in problems {
        assert_eq!(p[0], "名册-有误.xlsx › 单位", "{t}");
        assert!(
            ["42", "122", "171", "172"].contains(&p[1].as_str().unwrap()),
            "{p}: {t}"
        );
    }
    for (row, value) in [("122", "3206234200"), ("172", "320623469")] {
        assert!(
            problems
                .iter()
                .any(|p| p[1] == row && p[2] == "单位编码（A列）" && p[3] == value),
            "row {row}: {t}"
        );
    }
    // Nothing was imported: a reload lists no unit and neither account.
    b.goto(&d.url(&format!("/a/{id}/setup")));
    let t = b.wait_for("还没有单位");
    assert!(
        !t.contains("新店填报员") && !t.contains("丰利填报员"),
        "{t}"
    );

    // Corrected: the three codes as they should be.
    let units = good_units;
    accounts[1][4] = "0513-84510002";
    let good = dir.join("名册.xlsx");
    std::fs::write(&good, fill(&template, &units, &accounts)).unwrap();
    b.choose_file("#roster-file", &good);
    b.click("#roster-import");
    b.wait_for("已导入 200 个单位、2 个账号");
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
    let listed_units = listed("units");
    let listed_units = listed_units.as_array().unwrap();
    assert_eq!(listed_units.len(), 200, "{t}");
    for (i, want) in [
        (0, "320623300 第0镇"),
        (40, "320623340 第40镇"),
        (199, "320623499 第199镇"),
    ] {
        assert_eq!(listed_units[i], want, "{t}");
    }
    let users = listed("users");
    for who in ["xindian 新店填报员", "fengli 丰利填报员"] {
        assert!(
            users.as_array().unwrap().iter().any(|u| u == who),
            "{who}: {users}"
        );
    }
}
