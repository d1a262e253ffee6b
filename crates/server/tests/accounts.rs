//! Units and accounts in process (issue 12): the roster workbook (template, import of 200 units and
//! 200 accounts refused for exactly its 3 bad rows then taken whole, export without passwords), the
//! first sign-in that must change its password, edits, disabling, resets and one's own password
//! through the API and the pages, and an assessor reassigned with a reason.

use super::*;
use kaohe_report::roster::{SheetSpec, roster_workbook};
use kaohe_tables::roster::{ACCOUNT_COLUMNS, UNIT_COLUMNS};

/// A roster workbook with these units and accounts.
fn roster(units: Vec<Vec<String>>, accounts: Vec<Vec<String>>) -> Vec<u8> {
    roster_workbook(
        &[
            SheetSpec {
                name: "单位",
                headers: &UNIT_COLUMNS,
                rows: units,
                lists: vec![],
                blank_rows: 0,
            },
            SheetSpec {
                name: "账号",
                headers: &ACCOUNT_COLUMNS,
                rows: accounts,
                lists: vec![],
                blank_rows: 0,
            },
        ],
        "说明",
        &["测试名册".into()],
    )
    .unwrap()
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

/// 200 units (320700001…320700200) and 200 accounts: a reporter for each unit but the 150th, and
/// one assessor.
fn roster_200() -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let units: Vec<Vec<String>> = (1..=200)
        .map(|i| {
            let kind = if i % 10 == 0 { "街道" } else { "镇" };
            row(&[&format!("320700{i:03}"), &format!("第{i}镇"), kind])
        })
        .collect();
    let mut accounts: Vec<Vec<String>> = (1..=200)
        .filter(|i| *i != 150)
        .map(|i| {
            row(&[
                &format!("rep{i:03}"),
                &format!("填报员{i}"),
                "单位填报员",
                &format!("320700{i:03}"),
                "13800000000",
            ])
        })
        .collect();
    accounts.push(row(&["zhaolei", "赵磊", "考核员", "", ""]));
    (units, accounts)
}

/// The cells of one sheet of a workbook, as text.
fn cells(bytes: &[u8], sheet: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut wb = kaohe_tables::sheet::Workbook::from_bytes("x.xlsx", bytes.to_vec()).unwrap();
    let s = wb.sheet(sheet).unwrap();
    (s.headers, s.rows.into_iter().map(|r| r.cells).collect())
}

/// The fullest roster the reader takes (2,000 units and 2,000 accounts, long names) fits in the
/// request body limit of the import route, and one byte over that limit is refused in Chinese.
#[tokio::test]
async fn the_largest_roster_fits_the_body_limit_and_a_larger_body_is_refused() {
    let max = kaohe_tables::roster::MAX_ROSTER_ROWS;
    let units: Vec<Vec<String>> = (0..max)
        .map(|i| row(&[&format!("{:09}", 320_600_000 + i), &"镇".repeat(20), "镇"]))
        .collect();
    let accounts: Vec<Vec<String>> = (0..max)
        .map(|i| {
            row(&[
                &format!("reporter.{i:05}@county"),
                &"名".repeat(10),
                "单位填报员",
                &format!("{:09}", 320_600_000 + i),
                "0513-84512345",
            ])
        })
        .collect();
    let bytes = roster(units, accounts);
    assert!(
        bytes.len() < kaohe_server::limits::JSON_BODY,
        "{} bytes",
        bytes.len()
    );
    let a = app(kaohe_store::testdb::Db::Sqlite).await;
    let admin = a.login("admin").await;
    let (s, body, _) = a
        .raw(
            &admin,
            "POST",
            &format!("/api/assessments/{}/roster", a.id),
            &[],
            vec![b'x'; kaohe_server::limits::JSON_BODY + 1],
        )
        .await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "请求内容过大：上限 1 MB（1048576 字节）"
        )
    );
}

pub(crate) async fn a_roster_of_200_units_and_accounts_is_refused_for_its_3_bad_rows_then_taken_whole(
    db: Db,
) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    let id = a
        .store
        .create_assessment(&admin_user, "2022年度考核", RUBRIC, &now)
        .await
        .unwrap();
    // The template: both sheets with their headers, 说明, nothing else; only for the admin.
    let (s, bytes, h) = a
        .raw(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/roster/template.xlsx"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        h[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let wb = kaohe_tables::sheet::Workbook::from_bytes("t.xlsx", bytes.clone()).unwrap();
    assert_eq!(wb.sheet_names(), ["单位", "账号", "说明"]);
    assert_eq!(cells(&bytes, "账号").0, ACCOUNT_COLUMNS);
    let (_, notes) = cells(&bytes, "说明");
    assert!(
        notes
            .iter()
            .any(|r| r[0].contains("单位编码为 9 位数字的区划代码")),
        "{notes:?}"
    );
    let viewer = a.login("leader").await;
    let (s, _, _) = a
        .raw(
            &viewer,
            "GET",
            &format!("/api/assessments/{id}/roster/template.xlsx"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Three bad rows: an 8-digit unit code (单位 row 151), a reporter's unit in neither the file
    // nor the assessment (账号 row 11), a login twice (账号 row 21 repeats row 2).
    let (mut units, mut accounts) = roster_200();
    let (good_units, good_accounts) = (units.clone(), accounts.clone());
    units[149][0] = "32070150".into();
    accounts[9][3] = "320799999".into();
    accounts[19][0] = "rep001".into();
    let users_before = a.store.accounts(&admin_user).await.unwrap().len();
    let log_before = a.store.audit_log().await.unwrap().len();
    let (s, body, _) = a
        .raw(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/roster"),
            &[("x-file-name", "%E5%90%8D%E5%86%8C.xlsx")],
            roster(units, accounts),
        )
        .await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        v["error"],
        "名册有 3 个问题，未导入任何数据：请改正后重新导入整个文件"
    );
    let texts: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "错误 名册.xlsx › 单位 第151行 [单位编码（A列）]：单位编码“32070150”是 8 位数字：区划代码应为 9 位数字（如 320623001）；原值“32070150”",
            "错误 名册.xlsx › 账号 第11行 [所属单位编码（D列）]：所属单位编码“320799999”不是本次考核的单位：应为“单位”表中或本次考核已有的单位编码；原值“320799999”",
            "错误 名册.xlsx › 账号 第21行 [登录名（A列）]：登录名“rep001”与第2行重复；原值“rep001”",
        ]
    );
    let p = &v["problems"][1];
    assert_eq!(
        (&p["sheet"], &p["row"], &p["column"]),
        (
            &json!("名册.xlsx › 账号"),
            &json!(11),
            &json!("所属单位编码（D列）")
        )
    );
    // Nothing was stored: no unit, no account, no audit entry.
    assert!(a.store.units(id).await.unwrap().is_empty());
    assert_eq!(
        a.store.accounts(&admin_user).await.unwrap().len(),
        users_before
    );
    assert_eq!(a.store.audit_log().await.unwrap().len(), log_before);

    // The corrected file: all stored, each account with its initial password, once.
    let (s, body, _) = a
        .raw(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/roster"),
            &[("x-file-name", "%E5%90%8D%E5%86%8C.xlsx")],
            roster(good_units, good_accounts),
        )
        .await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["units"], 200);
    let issued = v["accounts"].as_array().unwrap();
    assert_eq!(issued.len(), 200);
    assert_eq!(a.store.units(id).await.unwrap().len(), 200);
    assert_eq!(
        a.store.accounts(&admin_user).await.unwrap().len(),
        users_before + 200
    );
    let rep7 = issued.iter().find(|x| x["login"] == "rep007").unwrap();
    assert_eq!(
        (&rep7["role"], &rep7["unit"]),
        (&json!("单位填报员"), &json!("320700007"))
    );
    let password = rep7["password"].as_str().unwrap().to_string();
    assert_eq!(password.chars().count(), 12);
    // The same file again: every row is now a duplicate, nothing written twice.
    let (s, body, _) = a
        .raw(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/roster"),
            &[],
            roster(vec![roster_200().0[0].clone()], vec![]),
        )
        .await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        v["problems"][0]["message"],
        "单位编码“320700001”已在本次考核中"
    );

    // First sign-in with the initial password: everything else waits for the change.
    let rep = a.login_with("rep007", &password).await;
    let (s, v, _) = a.call(&rep, "GET", "/api/me", None, false).await;
    assert_eq!(
        (s, &v["must_change_password"]),
        (StatusCode::OK, &json!(true))
    );
    let (s, v, _) = a.call(&rep, "GET", "/api/assessments", None, false).await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (StatusCode::FORBIDDEN, kaohe_server::auth::MUST_CHANGE)
    );
    let (s, _, h) = a.raw(&rep, "GET", &format!("/a/{id}"), &[], vec![]).await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/password")
    );
    let (s, html) = page(&a, &rep, "/password").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"must-change\""), "{html}");
    let (s, v, _) = a
        .call(
            &rep,
            "POST",
            "/api/me/password",
            Some(json!({ "old": "wrong-password", "new": "rep007-own-pass" })),
            true,
        )
        .await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (StatusCode::UNPROCESSABLE_ENTITY, "原密码不正确")
    );
    let (s, _, _) = a
        .call(
            &rep,
            "POST",
            "/api/me/password",
            Some(json!({ "old": password, "new": "rep007-own-pass" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = a.call(&rep, "GET", "/api/assessments", None, false).await;
    assert_eq!(s, StatusCode::OK);

    // The export: the units and every account with 状态, never a password or a hash.
    let (s, bytes, _) = a
        .raw(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/roster.xlsx"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, unit_rows) = cells(&bytes, "单位");
    assert_eq!(unit_rows.len(), 200);
    assert_eq!(unit_rows[0], ["320700001", "第1镇", "镇"]);
    let (heads, account_rows) = cells(&bytes, "账号");
    assert_eq!(
        heads,
        ["登录名", "姓名", "角色", "所属单位编码", "电话", "状态"]
    );
    assert_eq!(account_rows.len(), users_before + 200);
    let all: String = account_rows
        .iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("|");
    for secret in issued.iter().map(|x| x["password"].as_str().unwrap()) {
        assert!(!all.contains(secret));
    }
    assert!(!all.contains("argon2") && !all.contains("rep007-own-pass"));
    let r7 = account_rows.iter().find(|r| r[0] == "rep007").unwrap();
    assert_eq!(
        r7,
        &[
            "rep007",
            "填报员7",
            "单位填报员",
            "320700007",
            "13800000000",
            "启用"
        ]
    );
}

pub(crate) async fn accounts_are_edited_disabled_reset_and_assessors_reassigned_through_api_and_pages(
    db: Db,
) {
    let a = app(db).await;
    let id = a.id;
    let admin = a.login("admin").await;
    // A reporter added through the API needs the assessment its unit is chosen from.
    let (s, v, _) = a
        .call(
            &admin,
            "POST",
            "/api/users",
            Some(json!({ "login": "caobu", "name": "曹埠填报员", "role": "reporter", "unit": "曹埠镇", "password": "caobu-pass-1", "assessment": id })),
            true,
        )
        .await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "所属单位“曹埠镇”不是本次考核的被考核单位：请从本次考核的单位中选择"
        )
    );
    let (s, v, _) = a
        .call(
            &admin,
            "POST",
            "/api/users",
            Some(json!({ "login": "matang2", "name": "马塘二号", "role": "reporter", "unit": "320623100", "password": "matang2-pass", "assessment": id })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Edit through the API: name, unit, phone.
    let (s, v, _) = a
        .call(
            &admin,
            "PUT",
            "/api/users/matang2",
            Some(json!({ "name": "马塘填报员乙", "role": "reporter", "unit": "320623001", "phone": "13900000000", "assessment": id })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v, _) = a.call(&admin, "GET", "/api/accounts", None, false).await;
    let m = v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["login"] == "matang2")
        .unwrap()
        .clone();
    assert_eq!(
        (
            &m["name"],
            &m["unit_code"],
            &m["phone"],
            &m["must_change_password"]
        ),
        (
            &json!("马塘填报员乙"),
            &json!("320623001"),
            &json!("13900000000"),
            &json!(true)
        )
    );
    assert!(!v.to_string().contains("argon2"));

    // Disable: the signed-in session ends at once and signing in is refused; enable again.
    let rep = a.login("matang").await;
    let (s, _, _) = a
        .call(
            &admin,
            "POST",
            "/api/users/matang/disable",
            Some(json!({ "reason": "调离" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = a.call(&rep, "GET", "/api/me", None, false).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v, _) = a
        .call(
            &Who::default(),
            "POST",
            "/api/login",
            Some(json!({ "login": "matang", "password": "password-123" })),
            false,
        )
        .await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (StatusCode::UNAUTHORIZED, "登录名或密码错误")
    );
    let (s, _, _) = a
        .call(
            &admin,
            "POST",
            "/api/users/matang/enable",
            Some(json!({ "reason": "返岗" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    a.login("matang").await;

    // Reset: a generated password, once; the old one no longer signs in; the new one must be changed.
    let (s, v, _) = a
        .call(
            &admin,
            "POST",
            "/api/users/leader/password-reset",
            None,
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let fresh = v["password"].as_str().unwrap().to_string();
    let (s, _, _) = a
        .call(
            &Who::default(),
            "POST",
            "/api/login",
            Some(json!({ "login": "leader", "password": "password-123" })),
            false,
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Through the sign-in form: sent to the change-password page, then the form changes it.
    let (s, _, h) = a
        .raw(
            &Who::default(),
            "POST",
            "/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("login=leader&password={fresh}").into_bytes(),
        )
        .await;
    // To 修改密码, with the last sign-in as its notice.
    let to = h[header::LOCATION].to_str().unwrap();
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(to.starts_with("/password?msg="), "{to}");
    let leader = a.login_with("leader", &fresh).await;
    let (s, html) = page(&a, &leader, "/").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let c = leader.csrf.clone();
    let (s, html, _) = a
        .form(
            &leader,
            "/password",
            format!("csrf={c}&old={fresh}&new=leader-own-1&again=leader-own-2"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("两次输入的新密码不一致"));
    let (s, _, loc) = a
        .form(
            &leader,
            "/password",
            format!("csrf={c}&old={fresh}&new=leader-own-1&again=leader-own-1"),
        )
        .await;
    assert_eq!(
        (s, loc.as_str()),
        (
            StatusCode::SEE_OTHER,
            "/password?msg=%E5%AF%86%E7%A0%81%E5%B7%B2%E4%BF%AE%E6%94%B9%EF%BC%8C%E4%B8%8B%E6%AC%A1%E7%99%BB%E5%BD%95%E8%AF%B7%E7%94%A8%E6%96%B0%E5%AF%86%E7%A0%81"
        )
    );
    let (s, html) = page(&a, &leader, &loc).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("密码已修改，下次登录请用新密码") && !html.contains("id=\"must-change\""),
        "{html}"
    );
    let (s, _) = page(&a, &leader, "/").await;
    assert_eq!(s, StatusCode::OK);
    a.login_with("leader", "leader-own-1").await;

    // Reassignment in 考核 (the app's assessment): a reason is required, the assessor replaced.
    let web_admin = web_login(&a, "admin").await;
    let c = web_admin.csrf.clone();
    let (s, html, _) = a
        .form(
            &web_admin,
            &format!("/a/{id}/setup"),
            format!("csrf={c}&what=reassign&unit=320623001&from=wangfang&to=lina&why="),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("改派请填写理由"), "{html}");
    let (s, _, _) = a
        .form(
            &web_admin,
            &format!("/a/{id}/setup"),
            format!(
                "csrf={c}&what=reassign&unit=320623001&from=wangfang&to=lina&why=%E7%97%85%E5%81%87"
            ),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = page(&a, &web_admin, &format!("/a/{id}/setup")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("<td>掘港街道（320623001）</td><td>李娜（lina）</td>"),
        "{html}"
    );
    assert!(!html.contains("王芳（wangfang）</td><td class=\"noprint\">"));
    let auditor = a.auditor().await;
    let (_, v, _) = a
        .call(
            &auditor,
            "GET",
            "/api/audit?action=assignment.replace",
            None,
            false,
        )
        .await;
    let e = &v["entries"][0];
    assert_eq!(
        (&e["old"], &e["new"], &e["why"]),
        (&json!("wangfang"), &json!("lina"), &json!("病假"))
    );
    // Through the API too, and refused for anyone but the admin.
    let body =
        json!({ "unit": "320623001", "from": "lina", "to": "wangfang", "reason": "李娜出差" });
    let assessor = a.login("lina").await;
    let (s, _, _) = a
        .call(
            &assessor,
            "POST",
            &format!("/api/assessments/{id}/assignments/replace"),
            Some(body.clone()),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/assignments/replace"),
            Some(body),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Units are fixed after 草稿: the page's edit is refused and says why.
    let (s, html, _) = a
        .form(
            &web_admin,
            &format!("/a/{id}/setup"),
            format!("csrf={c}&what=unit_edit&old=320623100&code=320623100&name=%E9%A9%AC%E5%A1%98&kind=%E9%95%87"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("当前为“考核”阶段，不能设置单位与分工"),
        "{html}"
    );
    // An account edited on the page: its unit chosen from the assessment's.
    let (s, html, _) = a
        .form(
            &web_admin,
            &format!("/a/{id}/setup"),
            format!("csrf={c}&what=user_edit&login=juegang&name=%E6%8E%98%E6%B8%AF&role=reporter&unit=320623999&phone="),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("所属单位“320623999”不是本次考核的被考核单位"),
        "{html}"
    );
    let (s, _, _) = a
        .form(
            &web_admin,
            &format!("/a/{id}/setup"),
            format!("csrf={c}&what=user_edit&login=juegang&name=%E6%8E%98%E6%B8%AF&role=reporter&unit=320623100&phone=13800000000"),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = page(&a, &web_admin, &format!("/a/{id}/setup")).await;
    assert!(
        html.contains("<td>juegang</td><td>掘港</td><td>单位填报员</td><td>320623100（马塘镇）</td><td>13800000000</td>"),
        "{html}"
    );
    // The page's reset shows the new password once, on the page (never in a URL).
    let (s, html, loc) = a
        .form(
            &web_admin,
            &format!("/a/{id}/setup"),
            format!("csrf={c}&what=user_reset&login=juegang"),
        )
        .await;
    assert_eq!((s, loc.as_str()), (StatusCode::OK, ""));
    assert!(
        html.contains("已重置 juegang 的密码。新的初始密码："),
        "{html}"
    );
    // Disabling on the page, with its reason; the list shows 已停用 and nothing is deleted.
    let (s, _, _) = a
        .form(
            &web_admin,
            &format!("/a/{id}/setup"),
            format!("csrf={c}&what=user_disable&login=juegang&why=%E8%B0%83%E7%A6%BB"),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = page(&a, &web_admin, &format!("/a/{id}/setup")).await;
    assert!(html.contains("<td>juegang</td>"), "{html}");
    assert!(html.contains("已停用（待改初始密码）"), "{html}");
}
