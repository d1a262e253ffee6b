//! 新建考核 and the dates in process (issue 12): the wizard copies 2021 into 2022 (its own year, 考核期
//! and history), a broken rubric upload lists its problems in Chinese, the dashboard shows what is
//! left, and an objection after the 公示 window is refused with the date — on the page and the API.

use super::{App, RUBRIC, Who, app, page, web_login};
use axum::http::StatusCode;
use kaohe_store::testdb::Db;
use kaohe_store::{Ledger, Stage};
use serde_json::json;
use std::sync::atomic::Ordering;

kaohe_store::on_both!(
    the_wizard_copies_2021_into_2022_with_its_period_and_history,
    a_broken_rubric_upload_lists_its_problems_in_chinese,
    an_objection_after_the_window_is_refused_with_the_date,
    self_assessment_after_the_deadline_is_refused_with_the_date,
    the_wizard_starts_from_the_rubrics_excel_sheet,
);

/// Unix seconds of an ISO 8601 UTC time.
fn at(iso: &str) -> u64 {
    let d = kaohe_core::Date::parse(&iso[..10]).unwrap();
    let (h, m): (u64, u64) = (iso[11..13].parse().unwrap(), iso[14..16].parse().unwrap());
    d.0 as u64 * 86_400 + h * 3600 + m * 60
}

/// The wizard's form: copy `from` with everything, into 2022.
fn copy_form(who: &Who, from: i64) -> String {
    serde_urlencoded::to_string([
        ("csrf", who.csrf.as_str()),
        ("from", &from.to_string()),
        ("source", "copy"),
        ("copy_units", "1"),
        ("copy_assignments", "1"),
        ("copy_rubric", "1"),
        ("rubric_name", ""),
        ("rubric_xlsx", ""),
        ("rubric_toml", ""),
        ("year", "2022"),
        ("title", "2022年度考核"),
        ("period_start", "2022-01-01"),
        ("period_end", "2022-12-31"),
        ("self_deadline", "2023-01-15"),
        ("publication_days", "5"),
    ])
    .unwrap()
}

/// 2022 copied from the app's 2021 through the wizard's page; its id.
async fn copied(a: &App, admin: &Who) -> i64 {
    let (s, _, loc) = a.form(admin, "/new", copy_form(admin, a.id)).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let id: i64 = loc
        .strip_prefix("/a/")
        .and_then(|r| r.split('?').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{loc}"));
    id
}

async fn the_wizard_copies_2021_into_2022_with_its_period_and_history(db: Db) {
    let a = app(db).await;
    let admin = web_login(&a, "admin").await;
    // The dashboard offers 新建考核 to the admin only.
    let (_, html) = page(&a, &admin, "/").await;
    assert!(html.contains(">新建考核</a>"), "{html}");
    let viewer = web_login(&a, "leader").await;
    assert!(!page(&a, &viewer, "/").await.1.contains("新建考核"));
    assert_eq!(page(&a, &viewer, "/new").await.0, StatusCode::FORBIDDEN);
    // The form defaults to the latest assessment + 1 year, its whole year as the 考核期.
    let (s, html) = page(&a, &admin, "/new").await;
    assert_eq!(s, StatusCode::OK);
    insta::assert_snapshot!("page-wizard", super::snapshots::page_text(&html));
    for want in [
        "value=\"2022\"",
        "value=\"2022年度考核\"",
        "value=\"2022-01-01\"",
        "value=\"2022-12-31\"",
        "value=\"2023-01-15\"",
        "value=\"5\"",
    ] {
        assert!(html.contains(want), "{want} in {html}");
    }
    let id = copied(&a, &admin).await;
    let (s, html) = page(&a, &admin, &format!("/a/{id}?msg=x")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("2022年度考核") && html.contains("草稿"),
        "{html}"
    );
    // The same units, assignments and rubric, in its own year.
    let x = a.store.assessment(id).await.unwrap();
    assert_eq!((x.year, x.stage), (2022, Stage::Draft));
    assert_eq!(
        a.store.units(id).await.unwrap(),
        a.store.units(a.id).await.unwrap()
    );
    assert_eq!(
        a.store.assignments(id).await.unwrap(),
        a.store.assignments(a.id).await.unwrap()
    );
    assert_eq!(
        x.rubric.sha256,
        a.store.assessment(a.id).await.unwrap().rubric.sha256
    );
    // The import page's period is the assessment's 考核期, not 2021's.
    let (_, html) = page(&a, &admin, &format!("/a/{id}/import")).await;
    assert!(
        html.contains("id=\"period-start\" value=\"2022-01-01\"")
            && html.contains("id=\"period-end\" value=\"2022-12-31\""),
        "{html}"
    );
    // The dashboard shows the dates with what is left (Beijing time: 2023-01-12 10:00).
    // (Sessions expire: signed in again after the clock moves on.)
    a.clock.store(at("2023-01-12T02:00:00Z"), Ordering::SeqCst);
    let admin = web_login(&a, "admin").await;
    let (_, html) = page(&a, &admin, "/").await;
    assert!(html.contains("考核期 2022-01-01 至 2022-12-31"), "{html}");
    assert!(html.contains("自评截止 2023-01-15，还有 3 天"), "{html}");
    assert!(
        html.contains("公示期 5 个工作日（自进入公示阶段的次日起算）"),
        "{html}"
    );
    // 历年总分 on the unit page: 2021 and 2022, each once.
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = "2023-01-12T02:00:00Z";
    for to in [Stage::SelfAssessment, Stage::Review] {
        a.store
            .advance(&admin_user, id, to, "", now, kaohe_store::Gate::none())
            .await
            .unwrap();
    }
    a.store
        .set_score(
            &admin_user,
            id,
            "320623100",
            "1.1.1",
            Ledger::Assessor,
            "0.05",
            "",
            None,
            now,
        )
        .await
        .unwrap();
    let (s, html) = page(&a, &admin, &format!("/a/{id}/u/320623100")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("aria-label=\"历年总分\""), "{html}");
    assert_eq!(html.matches(">2021年</text>").count(), 1, "{html}");
    assert_eq!(html.matches(">2022年</text>").count(), 1, "{html}");
    // The same through the API: a copy of 2022 into 2023, with a TOML rubric instead.
    let api_admin = a.login("admin").await;
    let (s, v, _) = a
        .call(
            &api_admin,
            "POST",
            "/api/assessments/new",
            Some(json!({
                "title": "2023年度考核", "year": 2023, "from": id, "copy_units": true,
                "rubric_toml": RUBRIC, "period_start": "2023-01-01", "period_end": "2023-12-31",
                "self_deadline": "2024-01-15", "publication_days": 5
            })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id3 = v["id"].as_i64().unwrap();
    assert_eq!(a.store.assessment(id3).await.unwrap().year, 2023);
    assert_eq!(a.store.units(id3).await.unwrap().len(), 2);
    assert!(a.store.assignments(id3).await.unwrap().is_empty());
    let (s, v, _) = a
        .call(
            &api_admin,
            "GET",
            &format!("/api/assessments/{id3}/dates"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["period_start"], "2023-01-01");
    assert_eq!(v["lines"][0], "考核期 2023-01-01 至 2023-12-31");
}

async fn a_broken_rubric_upload_lists_its_problems_in_chinese(db: Db) {
    let a = app(db).await;
    let admin = web_login(&a, "admin").await;
    let before = a.store.assessments().await.unwrap().len();
    let form = |toml: &str, year: &str, deadline: &str| {
        serde_urlencoded::to_string([
            ("csrf", admin.csrf.as_str()),
            ("from", ""),
            ("source", "file"),
            ("rubric_name", "细则2022.toml"),
            ("rubric_xlsx", ""),
            ("rubric_toml", toml),
            ("year", year),
            ("title", "2022年度考核"),
            ("period_start", "2022-01-01"),
            ("period_end", "2022-12-31"),
            ("self_deadline", deadline),
            ("publication_days", "5"),
        ])
        .unwrap()
    };
    // A typo in the TOML: where it is, in Chinese — never the parser's English.
    let broken = RUBRIC.replacen("title = ", "标题 = ", 1);
    let (s, html, _) = a
        .form(&admin, "/new", form(&broken, "二〇二二", "2023-13-01"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("未新建考核：共 3 个问题"), "{html}");
    assert!(html.contains("年度“二〇二二”不是年份"), "{html}");
    assert!(html.contains("自评截止日“2023-13-01”不是日期"), "{html}");
    let line = RUBRIC[..RUBRIC.find("title = ").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert!(
        html.contains(&format!("错误 细则2022.toml 第 {line} 行第 1 列：键名无效")),
        "{html}"
    );
    for english in [
        "TOML parse error",
        "invalid unquoted key",
        "expected",
        "解析器说明",
    ] {
        assert!(!html.contains(english), "{english} in {html}");
    }
    // What was typed is kept.
    assert!(html.contains("标题 = "), "{html}");
    // A rubric that parses but does not load: every problem, in Chinese.
    let wrong = RUBRIC.replacen("precision = 4", "precision = \"四\"", 1);
    let (s, html, _) = a
        .form(&admin, "/new", form(&wrong, "2022", "2023-01-15"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("<li>错误 细则2022.toml"), "{html}");
    // No file and nothing to copy.
    let (s, html, _) = a.form(&admin, "/new", form("", "2022", "2023-01-15")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("请选择要复制细则的考核，或上传细则文件"),
        "{html}"
    );
    assert_eq!(a.store.assessments().await.unwrap().len(), before);
    // The API says the same in its error.
    let api_admin = a.login("admin").await;
    let (s, v, _) = a
        .call(
            &api_admin,
            "POST",
            "/api/assessments/new",
            Some(json!({
                "title": "x", "year": 2022, "rubric_toml": broken, "period_start": "2022-01-01",
                "period_end": "2022-12-31", "self_deadline": "2023-01-15", "publication_days": 5
            })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let e = v["error"].as_str().unwrap();
    assert!(
        e.contains("第 ") && e.contains("键名无效") && !e.contains("invalid"),
        "{e}"
    );
}

async fn an_objection_after_the_window_is_refused_with_the_date(db: Db) {
    let a = app(db).await;
    let admin = web_login(&a, "admin").await;
    let id = copied(&a, &admin).await;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    // Published Monday 2023-02-06 at 10:00 Beijing: 5 working days after that day — 7, 8, 9, 10 and
    // Monday 13 February; the window closes at 24:00 on 2023-02-13.
    let published = "2023-02-06T02:00:00Z";
    for to in [Stage::SelfAssessment, Stage::Review, Stage::Publication] {
        a.store
            .advance(
                &admin_user,
                id,
                to,
                "",
                published,
                kaohe_store::Gate::none(),
            )
            .await
            .unwrap();
    }
    assert_eq!(
        a.store
            .assessment(id)
            .await
            .unwrap()
            .dates
            .publication_closes,
        kaohe_core::Date::parse("2023-02-13")
    );
    // (Sessions expire: signed in again after the clock moves on.)
    a.clock.store(at("2023-02-10T02:00:00Z"), Ordering::SeqCst);
    let reporter = web_login(&a, "juegang").await;
    let (_, html) = page(&a, &reporter, "/").await;
    assert!(
        html.contains("公示期至 2023-02-13（还有 1 个工作日）"),
        "{html}"
    );
    let path = format!("/a/{id}/u/320623001/object");
    // 23:00 Beijing on the last day: accepted.
    a.clock.store(at("2023-02-13T15:00:00Z"), Ordering::SeqCst);
    let reporter = web_login(&a, "juegang").await;
    let object = |reason: &str| {
        serde_urlencoded::to_string([
            ("csrf", reporter.csrf.as_str()),
            ("clause", "1.1.1"),
            ("reason", reason),
        ])
        .unwrap()
    };
    let (s, _, loc) = a.form(&reporter, &path, object("标识牌已整改")).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    // 00:00 Beijing the next day: refused with the date, what was typed kept.
    a.clock.store(at("2023-02-13T16:00:00Z"), Ordering::SeqCst);
    // (Sessions end after 30 idle minutes: signed in again after the clock moves on.)
    let reporter = web_login(&a, "juegang").await;
    let admin = web_login(&a, "admin").await;
    let object = |reason: &str| {
        serde_urlencoded::to_string([
            ("csrf", reporter.csrf.as_str()),
            ("clause", "1.1.1"),
            ("reason", reason),
        ])
        .unwrap()
    };
    let (s, html, _) = a.form(&reporter, &path, object("差评已回访")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("公示期已于 2023-02-13（北京时间当日 24 时）结束，不能再提出异议"),
        "{html}"
    );
    assert!(html.contains("差评已回访"), "{html}");
    let (_, html) = page(&a, &reporter, "/").await;
    assert!(
        html.contains("公示期至 2023-02-13，已结束，不再受理异议"),
        "{html}"
    );
    // The API refuses it too (403), with the date.
    let api_rep = a.login("juegang").await;
    let (s, v, _) = a
        .call(
            &api_rep,
            "POST",
            &format!("/api/assessments/{id}/objections"),
            Some(json!({ "unit": "320623001", "clause": "1.1.1", "reason": "x" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(v["error"].as_str().unwrap().contains("2023-02-13"), "{v}");
    assert_eq!(a.store.objections(&admin_user, id).await.unwrap().len(), 1);
    // The admin extends the window with a reason on the dates page; the objection goes through.
    let (s, html) = page(&a, &admin, &format!("/a/{id}/dates")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("延长公示期") && html.contains("现至 2023-02-13"),
        "{html}"
    );
    let extend = |until: &str, why: &str| {
        serde_urlencoded::to_string([
            ("csrf", admin.csrf.as_str()),
            ("do", "extend"),
            ("until", until),
            ("why", why),
        ])
        .unwrap()
    };
    let (s, html, _) = a
        .form(&admin, &format!("/a/{id}/dates"), extend("2023-02-15", ""))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("延长公示期须写明理由"), "{html}");
    let (s, _, loc) = a
        .form(
            &admin,
            &format!("/a/{id}/dates"),
            extend("2023-02-15", "部分单位春节后未及时查看"),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let (_, html) = page(&a, &admin, &loc).await;
    assert!(html.contains("公示期已延长至 2023-02-15"), "{html}");
    insta::assert_snapshot!("page-dates", super::snapshots::page_text(&html));
    let log = a.store.audit_log().await.unwrap();
    let e = log.iter().max_by_key(|e| e.seq).unwrap();
    assert_eq!(
        (e.action.as_str(), e.new.as_deref(), e.why.as_deref()),
        (
            "publication.extend",
            Some("2023-02-15"),
            Some("部分单位春节后未及时查看")
        )
    );
    let (s, _, _) = a.form(&reporter, &path, object("差评已回访")).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // Only the admin extends: a reporter through the API is refused.
    let (s, _, _) = a
        .call(
            &api_rep,
            "POST",
            &format!("/api/assessments/{id}/dates/extend"),
            Some(json!({ "until": "2023-02-20", "why": "x" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn self_assessment_after_the_deadline_is_refused_with_the_date(db: Db) {
    let a = app(db).await;
    let admin = web_login(&a, "admin").await;
    let id = copied(&a, &admin).await;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    a.store
        .advance(
            &admin_user,
            id,
            Stage::SelfAssessment,
            "",
            "2023-01-03T02:00:00Z",
            kaohe_store::Gate::none(),
        )
        .await
        .unwrap();
    let path = format!("/api/assessments/{id}/units/320623001/scores/1.1.1/self");
    // 23:59 Beijing on 2023-01-15: accepted; the next minute: refused with the date.
    a.clock.store(at("2023-01-15T15:59:00Z"), Ordering::SeqCst);
    let rep = a.login("juegang").await;
    let (s, v, _) = a
        .call(&rep, "PUT", &path, Some(json!({ "score": "0.05" })), true)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    a.clock.store(at("2023-01-15T16:00:00Z"), Ordering::SeqCst);
    let (s, v, _) = a
        .call(
            &rep,
            "PUT",
            &path,
            Some(json!({ "score": "0.04", "reason": "x", "version": 1 })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(
        v["error"],
        "自评已于 2023-01-15（北京时间当日 24 时）截止，不能再填报或修改自评分和佐证材料；如需延期，请联系管理员"
    );
    // The admin moves the deadline with a reason (the API); the save goes through.
    let api_admin = a.login("admin").await;
    let (s, v, _) = a
        .call(
            &api_admin,
            "PUT",
            &format!("/api/assessments/{id}/dates"),
            Some(json!({
                "period_start": "2022-01-01", "period_end": "2022-12-31",
                "self_deadline": "2023-01-20", "publication_days": 5, "why": "系统维护顺延"
            })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v, _) = a
        .call(
            &rep,
            "PUT",
            &path,
            Some(json!({ "score": "0.04", "reason": "x", "version": 1 })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// Standard base64, as the page's file reader sends an Excel file.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= c.len() {
                A[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

async fn the_wizard_starts_from_the_rubrics_excel_sheet(db: Db) {
    let a = app(db).await;
    let admin = web_login(&a, "admin").await;
    let rubric = kaohe_core::rubric::load("r.toml", RUBRIC).0.unwrap();
    let xlsx = kaohe_report::rubric_sheet::rubric_workbook(&rubric).unwrap();
    let form = |b64: &str| {
        serde_urlencoded::to_string([
            ("csrf", admin.csrf.as_str()),
            ("from", ""),
            ("source", "file"),
            ("rubric_name", "细则.xlsx"),
            ("rubric_xlsx", b64),
            ("rubric_toml", ""),
            ("year", "2022"),
            ("title", "2022年度考核"),
            ("period_start", "2022-01-01"),
            ("period_end", "2022-12-31"),
            ("self_deadline", "2023-01-15"),
            ("publication_days", "5"),
        ])
        .unwrap()
    };
    let (s, html, loc) = a.form(&admin, "/new", form(&base64(&xlsx))).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let id: i64 = loc[3..].split('?').next().unwrap().parse().unwrap();
    let x = a.store.assessment(id).await.unwrap();
    assert_eq!((x.year, &x.rubric.id), (2022, &rubric.id));
    assert_eq!(x.rubric.clauses.len(), rubric.clauses.len());
    assert!(a.store.units(id).await.unwrap().is_empty());
    // Not a workbook: said in Chinese, naming the file.
    let (s, html, _) = a.form(&admin, "/new", form(&base64(b"PK not a zip"))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("细则.xlsx"), "{html}");
}
