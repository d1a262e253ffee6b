//! kaohe-server in process: the router with `oneshot` requests, a real store — SQLite in a temporary
//! folder, and PostgreSQL when `KAOHE_TEST_POSTGRES` names a server — and a clock the tests move.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use kaohe_server::{AppState, router};
use kaohe_store::{Ledger, NewUser, Role, Stage, Store};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tower::ServiceExt;

use kaohe_store::testdb::Db;

mod service;

// Every in-process test runs on SQLite and on PostgreSQL (see kaohe_store::testdb).
kaohe_store::on_both!(
    a_corrupt_stored_score_is_an_error_never_a_zero,
    sign_in_sets_a_safe_cookie_and_wrong_passwords_are_limited,
    every_route_for_every_role,
    a_state_change_without_the_csrf_token_is_refused,
    a_stale_edit_gets_409_with_the_current_value,
    sessions_expire_and_logout_ends_them,
    results_have_the_shape_of_data_md_and_publication_opens_them,
    the_openapi_document_lists_every_route_and_every_route_exists,
    the_whole_workflow_from_draft_to_final_and_a_correction,
    evidence_is_stored_by_content_typed_by_content_and_shown_only_to_who_may,
    an_admin_sets_up_an_assessment_through_the_api,
    platform_files_are_staged_previewed_with_their_problems_and_committed_whole,
    no_route_lets_the_wrong_person_through,
    a_metric_edited_meanwhile_is_a_conflict_not_an_overwrite,
    pages_sign_in_and_redirect_and_keep_what_was_typed,
    every_page_for_every_role,
    the_score_form_saves_refuses_with_the_typed_values_and_needs_the_csrf_token,
    the_feedback_form_and_the_exports_respect_roles_and_publication,
    a_reporter_self_assesses_on_its_page_and_sees_its_evidence,
    charts_show_the_distribution_and_a_units_profile_against_the_average,
    the_setup_page_adds_units_accounts_and_assignments_and_keeps_what_was_typed,
    the_grid_shows_the_units_one_may_score_with_their_versions,
    an_assessor_records_a_finding_on_the_page_and_it_costs_its_points,
    refused_objection_forms_keep_what_was_typed,
    imports_and_hand_made_findings_never_count_one_clause_twice,
    whatif_rescores_the_data_under_another_rubric_for_who_may_see_results,
);

const RUBRIC: &str = include_str!("../../../rubrics/rudong-2021.toml");
const T0: u64 = 1_638_349_200; // 2021-12-01T09:00:00Z

struct App {
    _dir: tempfile::TempDir,
    app: axum::Router,
    clock: Arc<AtomicU64>,
    store: Store,
    id: i64,
}

async fn app(db: Db) -> App {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = kaohe_store::testdb::open(dir.path(), db).await;
    let now = kaohe_server::iso(T0);
    let nu = |login: &'static str, name: &'static str, role, unit| NewUser {
        login,
        name,
        role,
        unit,
        password: "password-123",
    };
    let admin = store
        .add_user(None, &nu("admin", "县政务办", Role::Admin, None), &now)
        .await
        .unwrap();
    let assessor = store
        .add_user(None, &nu("wangfang", "王芳", Role::Assessor, None), &now)
        .await
        .unwrap();
    store
        .add_user(None, &nu("lina", "李娜", Role::Assessor, None), &now)
        .await
        .unwrap();
    store
        .add_user(
            None,
            &nu("juegang", "掘港填报员", Role::Reporter, Some("320623001")),
            &now,
        )
        .await
        .unwrap();
    store
        .add_user(
            None,
            &nu("matang", "马塘填报员", Role::Reporter, Some("320623100")),
            &now,
        )
        .await
        .unwrap();
    store
        .add_user(None, &nu("leader", "县领导", Role::Viewer, None), &now)
        .await
        .unwrap();
    let id = store
        .create_assessment(&admin, "2021年度考核", RUBRIC, &now)
        .await
        .unwrap();
    store
        .add_unit(&admin, id, "320623001", "掘港街道", "街道", &now)
        .await
        .unwrap();
    store
        .add_unit(&admin, id, "320623100", "马塘镇", "镇", &now)
        .await
        .unwrap();
    store
        .assign(&admin, id, &assessor, "320623001", &now)
        .await
        .unwrap();
    store
        .advance(&admin, id, Stage::SelfAssessment, "", &now)
        .await
        .unwrap();
    store
        .advance(&admin, id, Stage::Review, "", &now)
        .await
        .unwrap();
    store
        .set_score(
            &admin,
            id,
            "320623100",
            "1.1.1",
            Ledger::Assessor,
            "0.04",
            "标识牌不显著",
            None,
            &now,
        )
        .await
        .unwrap();
    let clock = Arc::new(AtomicU64::new(T0));
    let c = clock.clone();
    let state = AppState::new(store.clone(), Arc::new(move || c.load(Ordering::SeqCst)));
    App {
        _dir: dir,
        app: router(state),
        clock,
        store,
        id,
    }
}

/// A signed-in user: the cookie and the CSRF token.
#[derive(Clone, Default)]
struct Who {
    cookie: String,
    csrf: String,
}

impl App {
    async fn call(
        &self,
        who: &Who,
        method: &str,
        path: &str,
        body: Option<Value>,
        csrf: bool,
    ) -> (StatusCode, Value, axum::http::HeaderMap) {
        let mut b = Request::builder().method(method).uri(path);
        if !who.cookie.is_empty() {
            b = b.header(header::COOKIE, &who.cookie);
        }
        if csrf {
            b = b.header("x-csrf-token", &who.csrf);
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, v, headers)
    }
    async fn raw(
        &self,
        who: &Who,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, &who.cookie)
            .header("x-csrf-token", &who.csrf);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let resp = self
            .app
            .clone()
            .oneshot(b.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let (status, h) = (resp.status(), resp.headers().clone());
        (
            status,
            resp.into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec(),
            h,
        )
    }
    async fn login(&self, login: &str) -> Who {
        self.login_with(login, "password-123").await
    }
    /// A browser form post: (status, page, Location).
    async fn form(&self, who: &Who, path: &str, body: String) -> (StatusCode, String, String) {
        let (s, b, h) = self
            .raw(
                who,
                "POST",
                path,
                &[("content-type", "application/x-www-form-urlencoded")],
                body.into_bytes(),
            )
            .await;
        let loc = h
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        (s, String::from_utf8(b).unwrap(), loc)
    }
    async fn login_with(&self, login: &str, password: &str) -> Who {
        let (s, v, h) = self
            .call(
                &Who::default(),
                "POST",
                "/api/login",
                Some(json!({ "login": login, "password": password })),
                false,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let set = h
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        Who {
            cookie: set.split(';').next().unwrap().to_string(),
            csrf: v["csrf"].as_str().unwrap().to_string(),
        }
    }
}

async fn sign_in_sets_a_safe_cookie_and_wrong_passwords_are_limited(db: Db) {
    let a = app(db).await;
    let (s, v, h) = a
        .call(
            &Who::default(),
            "POST",
            "/api/login",
            Some(json!({ "login": "admin", "password": "password-123" })),
            false,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["user"]["role"], "admin");
    assert_eq!(v["csrf"].as_str().unwrap().len(), 32);
    let cookie = h.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    for attr in [
        "kaohe_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=43200",
    ] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    // The database keeps the token's sha256, never the token.
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("kaohe_session=");
    let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM sessions")
        .fetch_all(a.store.pool())
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .any(|(h,)| *h == kaohe_core::rubric::sha256_hex(token.as_bytes()))
    );
    assert!(!stored.iter().any(|(h,)| h == token));
    for _ in 0..5 {
        let (s, v, _) = a
            .call(
                &Who::default(),
                "POST",
                "/api/login",
                Some(json!({ "login": "leader", "password": "wrong" })),
                false,
            )
            .await;
        assert_eq!(
            (s, v["error"].as_str().unwrap()),
            (StatusCode::UNAUTHORIZED, "登录名或密码错误")
        );
    }
    let (s, v, _) = a
        .call(
            &Who::default(),
            "POST",
            "/api/login",
            Some(json!({ "login": "leader", "password": "password-123" })),
            false,
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(v["error"], "登录失败次数过多，请 15 分钟后再试");
    a.clock.fetch_add(15 * 60, Ordering::SeqCst);
    a.login("leader").await;
}

async fn every_route_for_every_role(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let anon = Who::default();
    let admin = a.login("admin").await;
    let assessor = a.login("wangfang").await;
    let other_assessor = a.login("lina").await;
    let rep_a = a.login("juegang").await;
    let rep_b = a.login("matang").await;
    let viewer = a.login("leader").await;
    let score = |s: &str| json!({ "score": s, "reason": "理由" });
    let u = "320623001";
    // (who, name, method, path, body, expected) — in 考核 (review).
    /// (who, name, method, path, body, expected)
    type Case<'a> = (&'a Who, &'a str, &'a str, String, Option<Value>, StatusCode);
    let cases: Vec<Case> = vec![
        (
            &anon,
            "anon",
            "GET",
            "/api/assessments".into(),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            &viewer,
            "viewer",
            "GET",
            "/api/assessments".into(),
            None,
            StatusCode::OK,
        ),
        (
            &rep_a,
            "rep_a",
            "GET",
            format!("/api/assessments/{id}"),
            None,
            StatusCode::OK,
        ),
        (
            &anon,
            "anon",
            "GET",
            format!("/api/assessments/{id}"),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            &admin,
            "admin",
            "GET",
            format!("/api/assessments/{id}/units/{u}/scores"),
            None,
            StatusCode::OK,
        ),
        (
            &assessor,
            "assessor",
            "GET",
            format!("/api/assessments/{id}/units/{u}/scores"),
            None,
            StatusCode::OK,
        ),
        (
            &rep_a,
            "rep_a",
            "GET",
            format!("/api/assessments/{id}/units/{u}/scores"),
            None,
            StatusCode::OK,
        ),
        (
            &rep_b,
            "rep_b",
            "GET",
            format!("/api/assessments/{id}/units/{u}/scores"),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            &viewer,
            "viewer",
            "GET",
            format!("/api/assessments/{id}/units/{u}/scores"),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            &anon,
            "anon",
            "GET",
            format!("/api/assessments/{id}/units/{u}/scores"),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            &assessor,
            "assessor",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.1.2/assessor"),
            Some(score("0.05")),
            StatusCode::OK,
        ),
        (
            &admin,
            "admin",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.1.3/assessor"),
            Some(score("0.05")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &admin,
            "admin",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.2.1/assessor"),
            Some(score("0.05")),
            StatusCode::OK,
        ),
        (
            &other_assessor,
            "other_assessor",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.2.2/assessor"),
            Some(score("0.05")),
            StatusCode::FORBIDDEN,
        ),
        (
            &rep_a,
            "rep_a",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.2.2/assessor"),
            Some(score("0.05")),
            StatusCode::FORBIDDEN,
        ),
        (
            &rep_a,
            "rep_a",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.2.2/self"),
            Some(score("0.05")),
            StatusCode::FORBIDDEN,
        ),
        (
            &viewer,
            "viewer",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.2.2/assessor"),
            Some(score("0.05")),
            StatusCode::FORBIDDEN,
        ),
        (
            &anon,
            "anon",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.2.2/assessor"),
            Some(score("0.05")),
            StatusCode::UNAUTHORIZED,
        ),
        (
            &assessor,
            "assessor",
            "POST",
            format!("/api/assessments/{id}/units/{u}/findings"),
            Some(json!({ "clause": "1.4.2", "description": "指南缺少样表" })),
            StatusCode::OK,
        ),
        (
            &rep_b,
            "rep_b",
            "POST",
            format!("/api/assessments/{id}/units/{u}/findings"),
            Some(json!({ "clause": "1.4.2", "description": "x" })),
            StatusCode::FORBIDDEN,
        ),
        (
            &assessor,
            "assessor",
            "POST",
            format!("/api/assessments/{id}/stage"),
            Some(json!({ "to": "publication" })),
            StatusCode::FORBIDDEN,
        ),
        (
            &viewer,
            "viewer",
            "POST",
            format!("/api/assessments/{id}/stage"),
            Some(json!({ "to": "publication" })),
            StatusCode::FORBIDDEN,
        ),
        (
            &admin,
            "admin",
            "GET",
            format!("/api/assessments/{id}/results"),
            None,
            StatusCode::OK,
        ),
        (
            &assessor,
            "assessor",
            "GET",
            format!("/api/assessments/{id}/results"),
            None,
            StatusCode::OK,
        ),
        (
            &rep_a,
            "rep_a",
            "GET",
            format!("/api/assessments/{id}/results"),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            &viewer,
            "viewer",
            "GET",
            format!("/api/assessments/{id}/results"),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            &anon,
            "anon",
            "GET",
            "/api/openapi.json".into(),
            None,
            StatusCode::OK,
        ),
        (
            &admin,
            "admin",
            "GET",
            "/api/assessments/999".into(),
            None,
            StatusCode::NOT_FOUND,
        ),
    ];
    let mut fails = Vec::new();
    for (who, name, method, path, body, want) in cases {
        let (got, v, _) = a.call(who, method, &path, body, method != "GET").await;
        if got != want {
            fails.push(format!(
                "{name} {method} {path}: expected {want}, got {got} {v}"
            ));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

async fn a_state_change_without_the_csrf_token_is_refused(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let path = format!(
        "/api/assessments/{}/units/320623001/scores/1.1.1/assessor",
        a.id
    );
    let (s, v, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "score": "0.05" })),
            false,
        )
        .await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (
            StatusCode::FORBIDDEN,
            "缺少或错误的 CSRF 令牌（请刷新页面后重试）"
        )
    );
    let wrong = Who {
        csrf: "0".repeat(32),
        ..admin.clone()
    };
    let (s, _, _) = a
        .call(&wrong, "PUT", &path, Some(json!({ "score": "0.05" })), true)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = a
        .call(&admin, "PUT", &path, Some(json!({ "score": "0.05" })), true)
        .await;
    assert_eq!(s, StatusCode::OK);
}

async fn a_stale_edit_gets_409_with_the_current_value(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let assessor = a.login("wangfang").await;
    let path = format!(
        "/api/assessments/{}/units/320623001/scores/1.5.1/assessor",
        a.id
    );
    let (s, v, _) = a
        .call(
            &assessor,
            "PUT",
            &path,
            Some(json!({ "score": "0.1" })),
            true,
        )
        .await;
    assert_eq!((s, v["version"].as_i64()), (StatusCode::OK, Some(1)));
    let (s, _, _) = a
        .call(
            &assessor,
            "PUT",
            &path,
            Some(json!({ "score": "0.08", "reason": "岗位牌未公开照片", "version": 1 })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "score": "0.09", "reason": "未佩戴标志", "version": 1 })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["current"]["score"], "0.08");
    assert_eq!(v["current"]["version"], 2);
    assert_eq!(v["current"]["updated_by"], "王芳");
    assert!(v["error"].as_str().unwrap().contains("王芳"));
}

async fn sessions_expire_and_logout_ends_them(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    assert_eq!(
        a.call(&admin, "GET", "/api/me", None, false).await.0,
        StatusCode::OK
    );
    a.clock.fetch_add(12 * 3600 + 1, Ordering::SeqCst);
    let (s, v, _) = a.call(&admin, "GET", "/api/me", None, false).await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (StatusCode::UNAUTHORIZED, "登录已过期，请重新登录")
    );
    let admin = a.login("admin").await;
    let (s, _, h) = a.call(&admin, "POST", "/api/logout", None, true).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        h.get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        a.call(&admin, "GET", "/api/me", None, false).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn results_have_the_shape_of_data_md_and_publication_opens_them(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let path = format!("/api/assessments/{}/results", a.id);
    let (s, v, _) = a.call(&admin, "GET", &path, None, false).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["rubric"]["id"], "rudong-2021");
    assert_eq!(v["rubric"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(v["complete"], false); // most clauses are not scored yet
    let matang = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "320623100")
        .unwrap();
    let c = matang["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "1.1.1")
        .unwrap();
    assert_eq!(c["score"], "0.0400");
    assert_eq!(
        c["explanation"],
        "考核员县政务办评定 0.04，扣 0.01：标识牌不显著"
    );
    assert_eq!(c["status"], "scored");
    // 公示: the viewer may read; a reporter sees the clause details of its own unit only.
    let (s, _, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{}/stage", a.id),
            Some(json!({ "to": "publication", "why": "公示" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let viewer = a.login("leader").await;
    assert_eq!(
        a.call(&viewer, "GET", &path, None, false).await.0,
        StatusCode::OK
    );
    let rep = a.login("juegang").await;
    let (s, v, _) = a.call(&rep, "GET", &path, None, false).await;
    assert_eq!(s, StatusCode::OK);
    for u in v["units"].as_array().unwrap() {
        let n = u["clauses"].as_array().unwrap().len();
        assert_eq!(
            n,
            if u["code"] == "320623001" { 28 } else { 0 },
            "{}",
            u["code"]
        );
    }
    assert_eq!(v["stage"], "publication");
}

async fn the_openapi_document_lists_every_route_and_every_route_exists(db: Db) {
    let a = app(db).await;
    let (s, doc, _) = a
        .call(&Who::default(), "GET", "/api/openapi.json", None, false)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let admin = a.login("admin").await;
    for (method, path, _) in kaohe_server::openapi::ROUTES {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing from the document"
        );
        let concrete = path
            .replace("{id}", &a.id.to_string())
            .replace("{unit}", "320623001")
            .replace("{clause}", "1.1.1")
            .replace("{ledger}", "assessor")
            .replace("{oid}", "1")
            .replace("{fid}", "1")
            .replace("{version}", "1")
            .replace("{a}", "1")
            .replace("{b}", "1");
        let body = (*method != "get").then(|| json!({}));
        let (s, _, _) = a
            .call(&admin, &method.to_uppercase(), &concrete, body, true)
            .await;
        assert!(
            s != StatusCode::NOT_FOUND && s != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} → {s}"
        );
    }
}

async fn the_whole_workflow_from_draft_to_final_and_a_correction(db: Db) {
    let a = app(db).await;
    let s = &a.store;
    let now = kaohe_server::iso(T0);
    let admin_u = s
        .authenticate("admin", "password-123")
        .await
        .unwrap()
        .unwrap();
    let assessor_u = s
        .authenticate("wangfang", "password-123")
        .await
        .unwrap()
        .unwrap();
    // A fresh assessment, set up in 草稿 through the store (the setup API comes with the admin pages).
    let id = s
        .create_assessment(&admin_u, "2021年度考核（流程测试）", RUBRIC, &now)
        .await
        .unwrap();
    for (code, name, kind) in [
        ("320623001", "掘港街道", "街道"),
        ("320623100", "马塘镇", "镇"),
    ] {
        s.add_unit(&admin_u, id, code, name, kind, &now)
            .await
            .unwrap();
        s.assign(&admin_u, id, &assessor_u, code, &now)
            .await
            .unwrap();
    }
    let admin = a.login("admin").await;
    let assessor = a.login("wangfang").await;
    let rep = a.login("juegang").await;
    let stage = |to: &str| json!({ "to": to, "why": "按计划推进" });
    assert_eq!(
        a.call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/stage"),
            Some(stage("self")),
            true
        )
        .await
        .0,
        StatusCode::OK
    );
    // 自评: the reporter self-assesses its unit.
    let (st, v, _) = a
        .call(
            &rep,
            "PUT",
            &format!("/api/assessments/{id}/units/320623001/scores/1.1.1/self"),
            Some(json!({ "score": "0.05", "reason": "" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        a.call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/stage"),
            Some(stage("review")),
            true
        )
        .await
        .0,
        StatusCode::OK
    );
    // 考核: the assessor scores every judgement clause of both units; the platform metrics go in.
    let (_, detail, _) = a
        .call(
            &assessor,
            "GET",
            &format!("/api/assessments/{id}"),
            None,
            false,
        )
        .await;
    for unit in ["320623001", "320623100"] {
        for c in detail["rubric"]["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["rule"] == "judgement")
        {
            let (score, reason) = if unit == "320623001" && c["id"] == "1.1.1" {
                ("0.03", "大厅面积不足200平方米")
            } else {
                (c["max"].as_str().unwrap(), "")
            };
            let path = format!(
                "/api/assessments/{id}/units/{unit}/scores/{}/assessor",
                c["id"].as_str().unwrap()
            );
            let (st, v, _) = a
                .call(
                    &assessor,
                    "PUT",
                    &path,
                    Some(json!({ "score": score, "reason": reason })),
                    true,
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{path} {v}");
        }
        for (m, v) in [
            ("claim_rate", "0.98"),
            ("guide_defects", "0"),
            ("overdue_cases", "0"),
            ("online_volume", "100"),
            ("online_coverage", "0.9"),
            ("agent_satisfaction", "0.97"),
        ] {
            s.set_metric(&admin_u, id, unit, m, v.parse().unwrap(), &now)
                .await
                .unwrap();
        }
    }
    let (_, r, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    assert_eq!(r["complete"], true);
    let total = |r: &Value, code: &str| {
        r["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == code)
            .unwrap()["total"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(total(&r, "320623001"), "1.4800");
    // 公示: the unit objects on 1.1.1; the assessor upholds it with a final score.
    assert_eq!(
        a.call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/stage"),
            Some(stage("publication")),
            true
        )
        .await
        .0,
        StatusCode::OK
    );
    let (st, v, _) = a.call(&rep, "POST", &format!("/api/assessments/{id}/objections"), Some(json!({ "unit": "320623001", "clause": "1.1.1", "reason": "大厅已扩建至220平方米，附测绘报告" })), true).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let oid = v["id"].as_i64().unwrap();
    // Finalising with an open objection is refused.
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/finalize"),
            Some(json!({ "reason": "定档" })),
            true,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "还有 1 件异议未处理，不能定档"
        )
    );
    let (st, v, _) = a
        .call(
            &assessor,
            "POST",
            &format!("/api/assessments/{id}/objections/{oid}/decision"),
            Some(json!({ "upheld": true, "reason": "经核实测绘报告，面积达标", "score": "0.05" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (_, list, _) = a
        .call(
            &rep,
            "GET",
            &format!("/api/assessments/{id}/objections"),
            None,
            false,
        )
        .await;
    assert_eq!(list["objections"][0]["status"], "upheld");
    assert_eq!(list["objections"][0]["decided_by"], "王芳");
    let (_, r, _) = a
        .call(
            &rep,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    assert_eq!(total(&r, "320623001"), "1.5000");
    // 定档: sealed with the sha256 of the canonical result.
    let (st, sealed, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/finalize"),
            Some(json!({ "reason": "县考核领导小组审定" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{sealed}");
    assert_eq!(sealed["version"], 1);
    let text = s.sealed_json(id, 1).await.unwrap();
    assert_eq!(
        sealed["sha256"].as_str().unwrap(),
        kaohe_core::rubric::sha256_hex(text.as_bytes())
    );
    // Nothing changes any more without a correction.
    let path = format!("/api/assessments/{id}/units/320623100/scores/1.1.2/assessor");
    assert_eq!(
        a.call(
            &assessor,
            "PUT",
            &path,
            Some(json!({ "score": "0.04", "reason": "x", "version": 1 })),
            true
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // 更正: the admin corrects a final score with a reason and seals version 2; the diff shows it.
    let path = format!("/api/assessments/{id}/units/320623100/scores/2.3.2/final");
    let (st, v, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "score": "0.1", "reason": "" })),
            true,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (StatusCode::UNPROCESSABLE_ENTITY, "定档后的更正须写明理由")
    );
    let (st, _, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "score": "0.1", "reason": "复核发现电子交易平台仅部分使用" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/corrections"),
            Some(json!({ "reason": "复核更正" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["sealed"]["version"], 2);
    let (_, d, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/sealed/1/diff/2"),
            None,
            false,
        )
        .await;
    let changes = d["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["unit"] == "320623100"
            && c["what"] == "clause 2.3.2"
            && c["from"] == "0.1500"
            && c["to"] == "0.1000"),
        "{d}"
    );
    assert!(
        changes
            .iter()
            .any(|c| c["unit"] == "320623100" && c["what"] == "total"),
        "{d}"
    );
    assert_eq!(changes, v["changes"].as_array().unwrap());
    // The other unit's reporter sees the totals and ranks that changed, not another unit's clauses.
    let rep_b = a.login("matang").await;
    let (_, d, _) = a
        .call(
            &rep_b,
            "GET",
            &format!("/api/assessments/{id}/sealed/1/diff/2"),
            None,
            false,
        )
        .await;
    let theirs = d["changes"].as_array().unwrap();
    assert!(
        theirs.iter().any(|c| c["what"] == "clause 2.3.2"),
        "matang is 320623100: its own clause shows"
    );
    let rep_a_view = {
        let (_, d, _) = a
            .call(
                &rep,
                "GET",
                &format!("/api/assessments/{id}/sealed/1/diff/2"),
                None,
                false,
            )
            .await;
        d["changes"].as_array().unwrap().clone()
    };
    assert!(
        rep_a_view
            .iter()
            .all(|c| c["unit"] == "320623001" || c["what"] == "total" || c["what"] == "rank"),
        "{rep_a_view:?}"
    );
    assert!(!rep_a_view.iter().any(|c| c["what"] == "clause 2.3.2"));
    let (_, versions, _) = a
        .call(
            &rep,
            "GET",
            &format!("/api/assessments/{id}/sealed"),
            None,
            false,
        )
        .await;
    assert_eq!(versions["versions"].as_array().unwrap().len(), 2);
    assert_eq!(versions["versions"][1]["reason"], "复核更正");
    // A sealed result that was altered in the database is reported, not served.
    sqlx::query("UPDATE results SET json = replace(json, '1.5000', '1.4000') WHERE version = 1")
        .execute(s.pool())
        .await
        .unwrap();
    let (st, v, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/sealed/1"),
            None,
            false,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "第 1 版定档结果与其 sha256 不符：数据被改动"
        )
    );
    assert_eq!(s.audit_verify().await.unwrap().map(|n| n > 60), Ok(true));
}

async fn evidence_is_stored_by_content_typed_by_content_and_shown_only_to_who_may(db: Db) {
    let a = app(db).await;
    let s = &a.store;
    let now = kaohe_server::iso(T0);
    let admin_u = s
        .authenticate("admin", "password-123")
        .await
        .unwrap()
        .unwrap();
    // A second assessment in 自评, where reporters upload.
    let id = s
        .create_assessment(&admin_u, "佐证测试", RUBRIC, &now)
        .await
        .unwrap();
    s.add_unit(&admin_u, id, "320623001", "掘港街道", "街道", &now)
        .await
        .unwrap();
    s.add_unit(&admin_u, id, "320623100", "马塘镇", "镇", &now)
        .await
        .unwrap();
    s.advance(&admin_u, id, Stage::SelfAssessment, "", &now)
        .await
        .unwrap();
    let rep = a.login("juegang").await;
    let other = a.login("matang").await;
    let admin = a.login("admin").await;
    let path = format!("/api/assessments/{id}/units/320623001/clauses/1.1.1/evidence");
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF".to_vec();
    let name = [("x-file-name", "%E6%B5%8B%E7%BB%98%E6%8A%A5%E5%91%8A.exe")]; // 测绘报告.exe: the name decides nothing
    let (st, body, _) = a.raw(&rep, "PUT", &path, &name, pdf.clone()).await;
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let r: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(r["mime"], "application/pdf");
    assert_eq!(r["original_name"], "测绘报告.exe");
    let sha = r["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha, kaohe_core::rubric::sha256_hex(&pdf));
    assert!(s.dir().join("evidence").join(&sha[..2]).join(&sha).exists());
    // The same content twice is stored once.
    a.raw(&rep, "PUT", &path, &[], pdf.clone()).await;
    let files: usize = std::fs::read_dir(s.dir().join("evidence").join(&sha[..2]))
        .unwrap()
        .count();
    assert_eq!(files, 1);
    // Forbidden types, by content, whatever the name.
    for (bytes, nm) in [
        (b"MZ\x90\x00 program".to_vec(), "x.pdf"),
        (b"<html><script>alert(1)</script>".to_vec(), "a.png"),
    ] {
        let (st, body, _) = a
            .raw(&rep, "PUT", &path, &[("x-file-name", nm)], bytes)
            .await;
        assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(String::from_utf8_lossy(&body).contains("不支持的文件类型"));
    }
    // Over the limit.
    let mut big = b"%PDF-".to_vec();
    big.resize(kaohe_store::evidence::MAX_BYTES + 2048, b'0');
    let (st, body, _) = a.raw(&rep, "PUT", &path, &[], big).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(String::from_utf8_lossy(&body).contains("文件过大"));
    // Another unit's reporter may neither upload here nor read the file.
    assert_eq!(
        a.raw(&other, "PUT", &path, &[], pdf.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        a.raw(&other, "GET", &format!("/api/evidence/{sha}"), &[], vec![])
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        a.call(
            &other,
            "GET",
            &format!("/api/assessments/{id}/units/320623001/evidence"),
            None,
            false
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // The owner and the admin may; the download is an attachment the browser will not sniff.
    for who in [&rep, &admin] {
        let (st, body, h) = a
            .raw(who, "GET", &format!("/api/evidence/{sha}"), &[], vec![])
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(body, pdf);
        assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert!(
            h.get(header::CONTENT_DISPOSITION)
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("attachment; filename*=UTF-8''")
        );
    }
    let (_, list, _) = a
        .call(
            &rep,
            "GET",
            &format!("/api/assessments/{id}/units/320623001/evidence"),
            None,
            false,
        )
        .await;
    assert_eq!(list["evidence"].as_array().unwrap().len(), 2);
    assert_eq!(
        a.raw(&admin, "GET", "/api/evidence/not-a-hash", &[], vec![])
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn percent_decoding_of_file_names() {
    use kaohe_server::api::percent_decode;
    assert_eq!(percent_decode("%E6%B5%8B%E7%BB%98.pdf"), "测绘.pdf");
    assert_eq!(percent_decode("a%2"), "a%2");
    assert_eq!(percent_decode("100%"), "100%");
    assert_eq!(percent_decode("%zz测"), "%zz测");
}

async fn an_admin_sets_up_an_assessment_through_the_api(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            "/api/assessments",
            Some(json!({ "title": "2022年度考核", "rubric_toml": "id = \"broken\"" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["error"].as_str().unwrap().starts_with("细则无效："),
        "{v}"
    );
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            "/api/assessments",
            Some(json!({ "title": "2022年度考核", "rubric_toml": RUBRIC })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let id = v["id"].as_i64().unwrap();
    for (code, name, kind) in [
        ("320623001", "掘港街道", "街道"),
        ("320623400", "如东县经济开发区", "区"),
    ] {
        let (st, v, _) = a
            .call(
                &admin,
                "POST",
                &format!("/api/assessments/{id}/units"),
                Some(json!({ "code": code, "name": name, "kind": kind })),
                true,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/units"),
            Some(json!({ "code": "320623001", "name": "掘港街道", "kind": "街道" })),
            true,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "单位“320623001”已在本次考核中"
        )
    );
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/units"),
            Some(json!({ "code": "1", "name": "x", "kind": "市" })),
            true,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "单位类型“市”应为 镇 / 街道 / 区"
        )
    );
    let (st, _, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/assignments"),
            Some(json!({ "assessor": "lina", "unit": "320623400" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/assignments"),
            Some(json!({ "assessor": "juegang", "unit": "320623400" })),
            true,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (StatusCode::UNPROCESSABLE_ENTITY, "掘港填报员 不是考核员")
    );
    let (_, v, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}"),
            None,
            false,
        )
        .await;
    assert_eq!(v["units"].as_array().unwrap().len(), 2);
    assert_eq!(v["rubric"]["clauses"].as_array().unwrap().len(), 28);
    assert_eq!(v["stage"], "draft");
    // The audit log shows the setup, newest first, and the chain is sound.
    let (_, log, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/audit?entity=assessment/{id}/unit"),
            None,
            false,
        )
        .await;
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["assignment.add", "unit.add", "unit.add"]);
    assert_eq!(log["chain"]["ok"], true);
}

async fn platform_files_are_staged_previewed_with_their_problems_and_committed_whole(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let assessor = a.login("wangfang").await;
    let id = a.id;
    let stage = |bytes: Vec<u8>, kind: &'static str, name: &'static str| {
        let a = &a;
        let admin = admin.clone();
        async move {
            let (st, body, _) = a
                .raw(
                    &admin,
                    "POST",
                    &format!("/api/assessments/{id}/imports/stage"),
                    &[("x-kind", kind), ("x-file-name", name)],
                    bytes,
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
            serde_json::from_slice::<Value>(&body).unwrap()["token"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    // Only admins stage.
    let (st, _, _) = a
        .raw(
            &assessor,
            "POST",
            &format!("/api/assessments/{id}/imports/stage"),
            &[("x-kind", "cases")],
            b"x".to_vec(),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // A GBK export with a unit this assessment does not have: the preview lists the problem by row and
    // column, and nothing changes.
    let fixture = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../platform/tests/fixtures/cases_gbk.csv"),
    )
    .unwrap();
    let t = stage(fixture, "cases", "%E5%8A%9E%E4%BB%B6.csv").await;
    let plan = json!({ "tokens": [t], "period": "2021-01-01..2021-12-31" });
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/imports/preview"),
            Some(plan.clone()),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["ok"], false);
    let p = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["severity"] == "error")
        .unwrap();
    assert_eq!(
        (
            p["file"].as_str().unwrap(),
            p["row"].as_i64().unwrap(),
            p["column"].as_str().unwrap()
        ),
        ("办件.csv", 10, "行政区划")
    );
    assert!(
        p["message"]
            .as_str()
            .unwrap()
            .contains("未知单位“320623400”")
    );
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/imports/commit"),
            Some(plan),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("未导入"));
    let (_, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/imports/cancel"),
            Some(json!({ "tokens": [t] })),
            true,
        )
        .await;
    assert_eq!(v["cancelled"], 1);
    // A clean export for the two units: previewed, then committed; the overdue case is an instance.
    let csv = "办件编号,事项编码,事项名称,行政区划,申报来源,办件类型,受理时间,承诺时限,时限单位,办结时间\nX1,001,户籍证明,320623001,2,2,2021-09-30 10:00:00,3,工作日,2021-10-12 09:00:00\nX2,002,生育登记,320623100,3,2,2021-03-01 10:00:00,3,工作日,2021-03-02 09:00:00\n";
    let t = stage(csv.as_bytes().to_vec(), "cases", "cases.csv").await;
    let plan = json!({ "tokens": [t], "period": "2021-01-01..2021-12-31" });
    let (_, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/imports/preview"),
            Some(plan.clone()),
            true,
        )
        .await;
    assert_eq!(
        (
            v["ok"].as_bool(),
            v["rows"].as_i64(),
            v["instances"].as_i64()
        ),
        (Some(true), Some(2), Some(1)),
        "{v}"
    );
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/imports/commit"),
            Some(plan),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (_, r, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    let jg = r["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "320623001")
        .unwrap();
    let c = jg["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "1.4.3a")
        .unwrap();
    assert_eq!(c["score"], "0.0480");
    assert!(
        c["instances"][0]["description"]
            .as_str()
            .unwrap()
            .starts_with("办件 X1："),
        "{c}"
    );
    let (_, log, _) = a
        .call(&admin, "GET", "/api/audit?action=import", None, false)
        .await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 1);
}

/// A valid request for every route of the OpenAPI list, so that a refusal is about who asks.
fn valid_request(method: &str, path: &str) -> (String, Vec<u8>, Vec<(&'static str, &'static str)>) {
    let body = |v: Value| v.to_string().into_bytes();
    let json_h = vec![("content-type", "application/json")];
    let p = path
        .replace("{unit}", "320623001")
        .replace("{clause}", "1.1.1")
        .replace("{ledger}", "assessor")
        .replace("{oid}", "1")
        .replace("{version}", "1")
        .replace("{a}", "1")
        .replace("{b}", "1")
        .replace("{metric}", "claim_rate")
        .replace("{sha}", &"0".repeat(64));
    let (b, h) = match (method, path) {
        ("put", p) if p.ends_with("/evidence") => (b"%PDF-1.7 x".to_vec(), vec![]),
        ("post", p) if p.ends_with("/imports/stage") => {
            (b"a,b\n1,2\n".to_vec(), vec![("x-kind", "cases")])
        }
        (_, p) if p.ends_with("/stage") => (body(json!({ "to": "publication" })), json_h),
        (_, p) if p.ends_with("/scores/{clause}/{ledger}") => {
            (body(json!({ "score": "0.05" })), json_h)
        }
        (_, p) if p.ends_with("/withdraw") => (body(json!({ "reason": "x" })), json_h),
        (_, p) if p.ends_with("/findings") => (
            body(json!({ "clause": "1.4.2", "description": "x" })),
            json_h,
        ),
        ("post", p) if p.ends_with("/objections") => (
            body(json!({ "unit": "320623001", "clause": "1.1.1", "reason": "x" })),
            json_h,
        ),
        (_, p) if p.ends_with("/decision") => {
            (body(json!({ "upheld": false, "reason": "x" })), json_h)
        }
        (_, p) if p.ends_with("/finalize") || p.ends_with("/corrections") => {
            (body(json!({ "reason": "x" })), json_h)
        }
        ("post", "/api/users") => (
            body(
                json!({ "login": "zz", "name": "z", "role": "viewer", "password": "password-123" }),
            ),
            json_h,
        ),
        ("post", "/api/assessments") => {
            (body(json!({ "title": "x", "rubric_toml": RUBRIC })), json_h)
        }
        ("post", p) if p.ends_with("/units") => (
            body(json!({ "code": "9", "name": "x", "kind": "镇" })),
            json_h,
        ),
        (_, p) if p.ends_with("/assignments") => (
            body(json!({ "assessor": "lina", "unit": "320623001" })),
            json_h,
        ),
        (_, p) if p.contains("/metrics/") => {
            (body(json!({ "value": "0.9", "previous": null })), json_h)
        }
        (_, p) if p.ends_with("/bonus") => (
            body(json!({ "clause": "2.3.3", "points": "0.01", "reason": "x" })),
            json_h,
        ),
        (_, p) if p.ends_with("/preview") || p.ends_with("/commit") => (
            body(json!({ "tokens": [], "period": "2021-01-01..2021-12-31" })),
            json_h,
        ),
        (_, p) if p.ends_with("/cancel") => (body(json!({ "tokens": [] })), json_h),
        (_, p) if p.ends_with("/whatif") => (body(json!({ "rubric_assessment": 1 })), json_h),
        ("get", _) => (vec![], vec![]),
        _ => (body(json!({})), json_h),
    };
    (p, b, h)
}

async fn no_route_lets_the_wrong_person_through(db: Db) {
    let a = app(db).await;
    let id = a.id.to_string();
    let viewer = a.login("leader").await;
    let rep_b = a.login("matang").await;
    let other_assessor = a.login("lina").await;
    let anon = Who::default();
    // A finding of 掘港街道 (id 1), for the route that withdraws one.
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let fid = a
        .store
        .add_finding(
            &admin_user,
            a.id,
            "320623001",
            "1.4.2",
            "指南缺少样表",
            &kaohe_server::iso(T0),
        )
        .await
        .unwrap();
    assert_eq!(fid, 1);
    let mut fails = Vec::new();
    for (method, path, _) in kaohe_server::openapi::ROUTES {
        if ["/api/login", "/api/logout"].contains(path) {
            continue;
        }
        let (p, body, headers) = valid_request(method, path);
        let p = p.replace("{id}", &id);
        // A what-if is posted (it may carry a draft) but changes nothing; it reads every unit's result.
        let whatif = p.ends_with("/whatif");
        let mutating = *method != "get" && !whatif;
        let touches_unit = p.contains("/units/320623001")
            || p.contains("/assignments")
            || p.ends_with("/objections") && mutating;
        let m = method.to_uppercase();
        // Anonymous: always 401, but for the API document.
        let (s, _, _) = a.raw(&anon, &m, &p, &headers, body.clone()).await;
        if *path != "/api/openapi.json" && s != StatusCode::UNAUTHORIZED {
            fails.push(format!("anonymous {m} {p} → {s}"));
        }
        // A viewer changes nothing and reads no unit data, accounts, audit or unpublished result.
        let (s, _, _) = a.raw(&viewer, &m, &p, &headers, body.clone()).await;
        let private_read = p.contains("/units/")
            || p.ends_with("/users")
            || p.contains("/audit")
            || p.ends_with("/results")
            || whatif
            || p.contains("/evidence");
        if s.is_success() && (mutating || private_read) {
            fails.push(format!("viewer {m} {p} → {s}"));
        }
        // Another unit's reporter touches nothing of this unit.
        let (s, _, _) = a.raw(&rep_b, &m, &p, &headers, body.clone()).await;
        if s.is_success() && (touches_unit || mutating || whatif) {
            fails.push(format!("other unit's reporter {m} {p} → {s}"));
        }
        // An assessor not assigned to the unit changes nothing of it.
        let (s, _, _) = a.raw(&other_assessor, &m, &p, &headers, body.clone()).await;
        if s.is_success() && mutating && (touches_unit || !p.contains("/units/")) {
            fails.push(format!("unassigned assessor {m} {p} → {s}"));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

async fn a_metric_edited_meanwhile_is_a_conflict_not_an_overwrite(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let path = format!(
        "/api/assessments/{}/units/320623001/metrics/claim_rate",
        a.id
    );
    let (s, _, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "value": "0.98", "previous": null })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Two editors saw 0.98; the first saves 0.99, the second's 0.97 is refused with the current value.
    let (s, _, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "value": "0.99", "previous": "0.98" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "value": "0.97", "previous": "0.980" })),
            true,
        )
        .await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (
            StatusCode::CONFLICT,
            "该指标已被他人修改，当前值为 0.99，请刷新后再改"
        )
    );
    let (s, _, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "value": "0.97", "previous": null })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

/// Signs in through the form, as a browser does: the cookie and the page's CSRF token.
async fn web_login(a: &App, login: &str) -> Who {
    let (s, _, h) = a
        .raw(
            &Who::default(),
            "POST",
            "/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("login={login}&password=password-123").into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let cookie = h
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let who = Who {
        cookie,
        csrf: String::new(),
    };
    let (_, body, _) = a.raw(&who, "GET", "/", &[], vec![]).await;
    let html = String::from_utf8(body).unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    Who { csrf, ..who }
}

async fn page(a: &App, who: &Who, path: &str) -> (StatusCode, String) {
    let (s, body, _) = a.raw(who, "GET", path, &[], vec![]).await;
    (s, String::from_utf8(body).unwrap())
}

async fn pages_sign_in_and_redirect_and_keep_what_was_typed(db: Db) {
    let a = app(db).await;
    let (s, _, h) = a.raw(&Who::default(), "GET", "/", &[], vec![]).await;
    assert_eq!(
        (s, h.get(header::LOCATION).unwrap().to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/login")
    );
    let (s, html) = page(&a, &Who::default(), "/login").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("lang=\"zh-CN\"") && html.contains("登录考核系统"));
    // A wrong password: the page says so and keeps the login typed.
    let (s, body, _) = a
        .raw(
            &Who::default(),
            "POST",
            "/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"login=%E7%8E%8B%E8%8A%B3&password=x".to_vec(),
        )
        .await;
    let html = String::from_utf8(body).unwrap();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(
        html.contains("登录名或密码错误") && html.contains("value=\"王芳\""),
        "{html}"
    );
    let admin = web_login(&a, "admin").await;
    let (_, html) = page(&a, &admin, "/").await;
    assert!(html.contains("2021年度考核") && html.contains("县政务办（管理员）"));
}

async fn every_page_for_every_role(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin = web_login(&a, "admin").await;
    let assessor = web_login(&a, "wangfang").await;
    let rep_a = web_login(&a, "juegang").await;
    let rep_b = web_login(&a, "matang").await;
    let viewer = web_login(&a, "leader").await;
    let anon = Who::default();
    let u = "320623100";
    // (who, path, status, must contain, must not contain)
    let cases: Vec<(&Who, String, StatusCode, &str, &str)> = vec![
        (&anon, format!("/a/{id}"), StatusCode::SEE_OTHER, "", ""),
        (
            &admin,
            format!("/a/{id}"),
            StatusCode::OK,
            "<svg",
            "尚未公示",
        ),
        (
            &assessor,
            format!("/a/{id}"),
            StatusCode::OK,
            "id=\"league\"",
            "",
        ),
        (
            &viewer,
            format!("/a/{id}"),
            StatusCode::OK,
            "结果尚未公示",
            "id=\"league\"",
        ),
        (
            &rep_a,
            format!("/a/{id}"),
            StatusCode::OK,
            "结果尚未公示",
            "<svg",
        ),
        (
            &viewer,
            format!("/a/{id}/rubric"),
            StatusCode::OK,
            "开放式办公的服务大厅且面积不小于200平方米",
            "",
        ),
        (
            &admin,
            format!("/a/{id}/u/{u}"),
            StatusCode::OK,
            "考核员县政务办评定 0.04，扣 0.01：标识牌不显著",
            "",
        ),
        (
            &admin,
            format!("/a/{id}/u/{u}"),
            StatusCode::OK,
            "name=\"score\"",
            "",
        ),
        (
            &assessor,
            format!("/a/{id}/u/{u}"),
            StatusCode::OK,
            "标识牌不显著",
            "name=\"score\"",
        ),
        (
            &rep_b,
            format!("/a/{id}/u/{u}"),
            StatusCode::OK,
            "马塘镇",
            "标识牌不显著",
        ),
        (
            &rep_a,
            format!("/a/{id}/u/{u}"),
            StatusCode::FORBIDDEN,
            "无权查看单位 320623100 的考核表",
            "标识牌",
        ),
        (
            &viewer,
            format!("/a/{id}/u/{u}"),
            StatusCode::FORBIDDEN,
            "无权查看",
            "标识牌",
        ),
        (
            &admin,
            "/a/999".into(),
            StatusCode::NOT_FOUND,
            "没有这个考核",
            "",
        ),
        (
            &admin,
            format!("/a/{id}/import"),
            StatusCode::OK,
            "导入要么全部成功，要么不作任何改动",
            "",
        ),
        (
            &assessor,
            format!("/a/{id}/import"),
            StatusCode::FORBIDDEN,
            "只有管理员可以导入平台数据",
            "id=\"file\"",
        ),
        (
            &anon,
            format!("/a/{id}/import"),
            StatusCode::SEE_OTHER,
            "",
            "",
        ),
        (&admin, "/audit".into(), StatusCode::OK, "哈希链完好", ""),
        (
            &admin,
            "/audit?action=no.such.action".into(),
            StatusCode::OK,
            "没有符合条件的记录",
            "",
        ),
        (
            &rep_a,
            "/audit".into(),
            StatusCode::FORBIDDEN,
            "无权查看审计日志",
            "哈希链",
        ),
        (
            &viewer,
            "/audit".into(),
            StatusCode::FORBIDDEN,
            "无权查看审计日志",
            "哈希链",
        ),
    ];
    let mut fails = Vec::new();
    for (who, path, status, has, hasnt) in cases {
        let (s, html) = page(&a, who, &path).await;
        if s != status
            || (!has.is_empty() && !html.contains(has))
            || (!hasnt.is_empty() && html.contains(hasnt))
        {
            fails.push(format!(
                "{path} as {}: {s}, wanted {status} with “{has}” without “{hasnt}”",
                who.cookie.len()
            ));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

async fn the_score_form_saves_refuses_with_the_typed_values_and_needs_the_csrf_token(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin = web_login(&a, "admin").await;
    let form = |who: &Who, body: String| {
        let a = &a;
        let who = who.clone();
        async move {
            a.raw(
                &who,
                "POST",
                &format!("/a/{id}/u/320623001/score"),
                &[("content-type", "application/x-www-form-urlencoded")],
                body.into_bytes(),
            )
            .await
        }
    };
    let (s, _, h) = form(
        &admin,
        format!(
            "csrf={}&clause=1.2.1&score=0.05&reason=&version=",
            admin.csrf
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(
        h.get(header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with("?ok=1.2.1#c-1.2.1")
    );
    // Below max without a reason: refused, and the form shows what was typed.
    let (s, body, _) = form(
        &admin,
        format!(
            "csrf={}&clause=1.2.2&score=0.03&reason=&version=",
            admin.csrf
        ),
    )
    .await;
    let html = String::from_utf8(body).unwrap();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("条款 1.2.2：得分 0.03 低于满分 0.05，须填写理由"),
        "{html}"
    );
    assert!(html.contains("value=\"0.03\""));
    // A stale version: the message says who changed it.
    let (s, body, _) = form(
        &admin,
        format!(
            "csrf={}&clause=1.2.1&score=0.04&reason=%E7%90%86%E7%94%B1&version=7",
            admin.csrf
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8(body).unwrap().contains("已被县政务办"));
    // Without the page's CSRF token nothing is saved.
    let (s, _, _) = form(
        &admin,
        "csrf=forged&clause=1.2.1&score=0.01&reason=x&version=1".into(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let scores = a.store.scores(id, "320623001").await.unwrap();
    assert_eq!(
        scores
            .iter()
            .find(|s| s.clause_id == "1.2.1")
            .unwrap()
            .score,
        "0.05"
    );
}

#[test]
fn the_league_chart_escapes_names() {
    let svg = kaohe_server::web::league_chart(
        &[json!({ "rank": 1, "name": "<script>x</script>", "total": "1.5000" })],
        1.5,
    );
    assert!(svg.starts_with("<svg") && svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
    assert!(svg.contains("width=\"520.0\""));
}

async fn the_feedback_form_and_the_exports_respect_roles_and_publication(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin = web_login(&a, "admin").await;
    let rep_b = web_login(&a, "matang").await;
    let viewer = web_login(&a, "leader").await;
    let (s, html) = page(&a, &admin, &format!("/a/{id}/u/320623100/feedback")).await;
    assert_eq!(s, StatusCode::OK);
    for needle in [
        "考核反馈单",
        "被考核单位：马塘镇（320623100，镇）",
        "考核员县政务办评定 0.04，扣 0.01：标识牌不显著",
        "考核组（签字）",
        "@page { size: A4",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(html.contains(&format!("href=\"/a/{id}/u/320623100/feedback.pdf\"")));
    // The unit's page links both the printable form and its PDF.
    let (_, card) = page(&a, &admin, &format!("/a/{id}/u/320623100")).await;
    assert!(card.contains(&format!("href=\"/a/{id}/u/320623100/feedback\"")));
    assert!(card.contains(&format!("href=\"/a/{id}/u/320623100/feedback.pdf\"")));
    // The same form as a PDF, made on the server.
    let (s, pdf, h) = a
        .raw(
            &admin,
            "GET",
            &format!("/a/{id}/u/320623100/feedback.pdf"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(pages) = kaohe_report::pdf::probe::pages(&pdf) {
        let text: String = pages.concat().split_whitespace().collect();
        for needle in [
            "被考核单位：马塘镇（320623100，镇）",
            "考核员县政务办评定0.04，扣0.01：标识牌不显著",
            "考核组（签字）",
        ] {
            assert!(text.contains(needle), "{needle} not in the PDF:\n{text}");
        }
    }
    // Before 公示 a reporter may not see its result yet, on the page or as PDF; the viewer may
    // not export.
    let (s, html) = page(&a, &rep_b, &format!("/a/{id}/u/320623100/feedback")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("结果尚未公示"));
    let pdf_as = |who: &Who, unit: &str| {
        let who = who.clone();
        let path = format!("/a/{id}/u/{unit}/feedback.pdf");
        let a = &a;
        async move { a.raw(&who, "GET", &path, &[], vec![]).await.0 }
    };
    assert_eq!(pdf_as(&rep_b, "320623100").await, StatusCode::FORBIDDEN);
    assert_eq!(
        page(&a, &viewer, &format!("/a/{id}/export.xlsx")).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, body, h) = a
        .raw(&admin, "GET", &format!("/a/{id}/export.xlsx"), &[], vec![])
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.starts_with(b"PK\x03\x04") && body.len() > 5000);
    assert!(
        h.get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );
    let (s, body, _) = a
        .raw(&admin, "GET", &format!("/a/{id}/export.csv"), &[], vec![])
        .await;
    assert_eq!(s, StatusCode::OK);
    let csv = String::from_utf8(body).unwrap();
    assert!(csv.starts_with("\u{feff}排名,单位编码,单位名称,类型,1 政务服务规范化建设,2 公共资源交易管理规范化,基础分,加分,总分,完整\n"), "{csv}");
    assert!(csv.contains(",320623100,马塘镇,镇,"));
    // After 公示: the reporter prints its own form, not another unit's; the viewer exports; the reporter does not.
    a.call(
        &Who { ..admin.clone() },
        "POST",
        &format!("/api/assessments/{id}/stage"),
        Some(json!({ "to": "publication" })),
        true,
    )
    .await;
    assert_eq!(
        page(&a, &rep_b, &format!("/a/{id}/u/320623100/feedback"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        page(&a, &rep_b, &format!("/a/{id}/u/320623001/feedback"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(pdf_as(&rep_b, "320623100").await, StatusCode::OK);
    assert_eq!(pdf_as(&rep_b, "320623001").await, StatusCode::FORBIDDEN);
    assert_eq!(
        page(&a, &viewer, &format!("/a/{id}/export.csv")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        page(&a, &rep_b, &format!("/a/{id}/export.xlsx")).await.0,
        StatusCode::FORBIDDEN
    );
    // Every unit's form in one PDF: for who may export; each unit starts a page, in rank order.
    let all = format!("/a/{id}/feedback.pdf");
    assert_eq!(
        a.raw(&rep_b, "GET", &all, &[], vec![]).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, pdf, _) = a.raw(&viewer, "GET", &all, &[], vec![]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(pages) = kaohe_report::pdf::probe::pages(&pdf) {
        let firsts: Vec<String> = pages
            .iter()
            .map(|p| p.split_whitespace().collect::<String>())
            .filter(|p| p.contains("第1页/共"))
            .collect();
        assert_eq!(firsts.len(), 2, "one first page per unit");
        assert!(
            firsts
                .iter()
                .any(|p| p.contains("被考核单位：马塘镇（320623100，镇）"))
        );
        assert!(
            firsts
                .iter()
                .any(|p| p.contains("被考核单位：掘港街道（320623001，街道）"))
        );
    }
}

async fn a_reporter_self_assesses_on_its_page_and_sees_its_evidence(db: Db) {
    let a = app(db).await;
    let s = &a.store;
    let now = kaohe_server::iso(T0);
    let admin_u = s
        .authenticate("admin", "password-123")
        .await
        .unwrap()
        .unwrap();
    let id = s
        .create_assessment(&admin_u, "自评测试", RUBRIC, &now)
        .await
        .unwrap();
    s.add_unit(&admin_u, id, "320623001", "掘港街道", "街道", &now)
        .await
        .unwrap();
    s.advance(&admin_u, id, Stage::SelfAssessment, "", &now)
        .await
        .unwrap();
    let rep = web_login(&a, "juegang").await;
    let (st, html) = page(&a, &rep, &format!("/a/{id}/u/320623001")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("保存自评")
            && html.contains("class=\"evidence\"")
            && html.contains("<script src=\"/static/kaohe.js\"></script>")
            && kaohe_server::SCRIPT.contains("xhr.upload.onprogress")
    );
    let (st, _, _) = a.raw(&rep, "POST", &format!("/a/{id}/u/320623001/self"), &[("content-type", "application/x-www-form-urlencoded")], format!("csrf={}&clause=1.1.1&score=0.04&reason=%E9%9D%A2%E7%A7%AF%E7%BA%A6190%E5%B9%B3%E6%96%B9%E7%B1%B3&version=", rep.csrf).into_bytes()).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, _) = a
        .raw(
            &rep,
            "PUT",
            &format!("/api/assessments/{id}/units/320623001/clauses/1.1.1/evidence"),
            &[("x-file-name", "%E6%B5%8B%E7%BB%98.pdf")],
            b"%PDF-1.4 x".to_vec(),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, html) = page(&a, &rep, &format!("/a/{id}/u/320623001")).await;
    assert!(
        html.contains("面积约190平方米") && html.contains("value=\"0.04\""),
        "the self score and 说明 show"
    );
    assert!(html.contains("佐证：<a href=\"/api/evidence/"), "{html}");
    assert!(html.contains(">测绘.pdf</a>"));
    // Another unit's reporter has no form here, and no page.
    let rep_b = web_login(&a, "matang").await;
    assert_eq!(
        page(&a, &rep_b, &format!("/a/{id}/u/320623001")).await.0,
        StatusCode::FORBIDDEN
    );
}

async fn charts_show_the_distribution_and_a_units_profile_against_the_average(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    // Indicator 2 (公共资源交易管理规范化, 0.5) complete for both units: 掘港 full marks, 马塘 0.03 of
    // 0.05 on 2.5.1, so 马塘 has 0.48 and the average is 0.49. Indicator 1 stays incomplete.
    let full = [
        ("2.1.1", "0.05"),
        ("2.2.1", "0.05"),
        ("2.3.1", "0.05"),
        ("2.3.2", "0.15"),
        ("2.4.1", "0.05"),
        ("2.4.2", "0.05"),
        ("2.4.3", "0.05"),
        ("2.5.1", "0.05"),
    ];
    for unit in ["320623001", "320623100"] {
        for (clause, max) in full {
            let (score, reason) = if unit == "320623100" && clause == "2.5.1" {
                ("0.03", "缺少培训记录")
            } else {
                (max, "")
            };
            a.store
                .set_score(
                    &admin_user,
                    id,
                    unit,
                    clause,
                    Ledger::Assessor,
                    score,
                    reason,
                    None,
                    &now,
                )
                .await
                .unwrap();
        }
    }
    let admin = web_login(&a, "admin").await;
    let (s, html) = page(&a, &admin, &format!("/a/{id}/u/320623100")).await;
    assert_eq!(s, StatusCode::OK);
    let start = html.find("<table id=\"profile\">").expect("profile table");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    assert!(
        table.contains("<td>公共资源交易管理规范化</td><td class=\"num\">0.5</td><td class=\"num\">0.48</td><td class=\"num\">0.4900</td>"),
        "{table}"
    );
    assert!(
        table.contains("<td>政务服务规范化建设</td><td class=\"num\">1</td><td class=\"num\">缺数据</td><td class=\"num\">缺数据</td>"),
        "{table}"
    );
    assert!(html.contains("aria-label=\"分指标得分率与全县平均\""));
    // One assessment only: no multi-year chart yet.
    assert!(!html.contains("历年总分"));
    let (s, html) = page(&a, &admin, &format!("/a/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let start = html.find("aria-label=\"总分分布\"").expect("distribution");
    let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
    // Two units, two different totals: one in the first bin and one in the last.
    assert_eq!(svg.matches("1 个").count(), 2, "{svg}");
    // A second year: the unit's page draws its totals year by year.
    let rubric_2022 = RUBRIC
        .replace("id = \"rudong-2021\"", "id = \"rudong-2022\"")
        .replace("\nyear = 2021", "\nyear = 2022");
    let id2 = a
        .store
        .create_assessment(&admin_user, "2022年度考核", &rubric_2022, &now)
        .await
        .unwrap();
    a.store
        .add_unit(&admin_user, id2, "320623100", "马塘镇", "镇", &now)
        .await
        .unwrap();
    let (_, html) = page(&a, &admin, &format!("/a/{id2}/u/320623100")).await;
    let start = html.find("aria-label=\"历年总分\"").expect("years chart");
    let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
    assert!(svg.contains("2021年") && svg.contains("2022年"), "{svg}");
    assert!(svg.contains("0.52 第1名"), "{svg}");
}

async fn the_setup_page_adds_units_accounts_and_assignments_and_keeps_what_was_typed(db: Db) {
    let a = app(db).await;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    // A new assessment in 草稿, where units and assignments may be set.
    let id = a
        .store
        .create_assessment(&admin_user, "2022年度考核", RUBRIC, &now)
        .await
        .unwrap();
    let admin = web_login(&a, "admin").await;
    let post = |who: &Who, assessment: i64, body: String| {
        let (a, who) = (&a, who.clone());
        async move { a.form(&who, &format!("/a/{assessment}/setup"), body).await }
    };
    let c = admin.csrf.clone();
    let (s, _, loc) = post(
        &admin,
        id,
        format!(
            "csrf={c}&what=unit&code=320623107&name=%E4%B8%B0%E5%88%A9%E9%95%87&kind=%E9%95%87"
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.starts_with(&format!("/a/{id}/setup?msg=")), "{loc}");
    let (s, _, _) = post(
        &admin,
        id,
        format!("csrf={c}&what=assign&assessor=wangfang&unit=320623107"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = post(
        &admin,
        id,
        format!("csrf={c}&what=user&login=fengli&name=%E4%B8%B0%E5%88%A9%E5%A1%AB%E6%8A%A5%E5%91%98&role=reporter&unit=320623107&password=fengli-2022-pass"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = page(&a, &admin, &format!("/a/{id}/setup")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("<td>320623107</td><td>丰利镇</td><td>镇</td>"),
        "{html}"
    );
    assert!(
        html.contains("<td>320623107</td><td>王芳（wangfang）</td>"),
        "{html}"
    );
    assert!(
        html.contains("<td>fengli</td><td>丰利填报员</td><td>单位填报员</td><td>320623107</td>")
    );
    // The new reporter can sign in.
    let r = a.login_with("fengli", "fengli-2022-pass").await;
    assert!(!r.csrf.is_empty());
    // In 考核 (the first assessment) units are fixed: refused, and the form keeps the typed values.
    let (s, html, _) = post(
        &admin,
        a.id,
        format!(
            "csrf={c}&what=unit&code=320623108&name=%E5%A4%A7%E8%B1%AB%E9%95%87&kind=%E9%95%87"
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("value=\"320623108\"") && html.contains("value=\"大豫镇\""),
        "{html}"
    );
    assert!(html.contains("role=\"alert\""));
    // A reporter without a unit: refused with what to fix; the password is not sent back.
    let (s, html, _) = post(
        &admin,
        id,
        format!("csrf={c}&what=user&login=x1&name=x&role=reporter&unit=&password=secret-pass-1"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("value=\"x1\"") && !html.contains("secret-pass-1"));
    // Without the CSRF token, and for anyone but the admin: refused.
    let (s, _, _) = post(&admin, id, "what=unit&code=1&name=x&kind=%E9%95%87".into()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let assessor = web_login(&a, "wangfang").await;
    let (s, html) = page(&a, &assessor, &format!("/a/{id}/setup")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("只有管理员可以设置考核"));
    let ac = assessor.csrf.clone();
    let (s, _, _) = post(
        &assessor,
        id,
        format!("csrf={ac}&what=unit&code=320623109&name=x&kind=%E9%95%87"),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(a.store.units(id).await.unwrap().len(), 1);
}

async fn the_grid_shows_the_units_one_may_score_with_their_versions(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin = web_login(&a, "admin").await;
    let (s, html) = page(&a, &admin, &format!("/a/{id}/grid")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("tr data-unit=\"320623001\"") && html.contains("tr data-unit=\"320623100\"")
    );
    // 马塘镇 1.1.1 was scored 0.04 with a reason (version 1); the cell carries all three.
    let i = html.find("tr data-unit=\"320623100\"").unwrap();
    let row = &html[i..i + html[i..].find("</tr>").unwrap()];
    assert!(
        row.contains("data-clause=\"1.1.1\" data-max=\"0.05\" data-version=\"1\""),
        "{row}"
    );
    assert!(row.contains("value=\"0.04\"") && row.contains("value=\"标识牌不显著\""));
    // Only 评定 clauses are columns: 1.4.1 (事项认领率) is computed from platform data.
    assert!(html.contains(">1.1.1<br>") && !html.contains(">1.4.1<br>"));
    // An assessor sees the units assigned to him only; a reporter may not open the grid.
    let assessor = web_login(&a, "wangfang").await;
    let (s, html) = page(&a, &assessor, &format!("/a/{id}/grid")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("tr data-unit=\"320623001\"") && !html.contains("tr data-unit=\"320623100\"")
    );
    let rep = web_login(&a, "matang").await;
    let (s, html) = page(&a, &rep, &format!("/a/{id}/grid")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("只有管理员和考核员可以使用评分表"));
}

async fn an_assessor_records_a_finding_on_the_page_and_it_costs_its_points(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin = web_login(&a, "admin").await;
    let post = |body: String| {
        let (a, admin) = (&a, admin.clone());
        async move {
            a.form(&admin, &format!("/a/{id}/u/320623100/finding"), body)
                .await
        }
    };
    let c = admin.csrf.clone();
    let (s, _, loc) = post(format!(
        "csrf={c}&clause=1.4.2&description=%E5%8A%9E%E4%BA%8B%E6%8C%87%E5%8D%97%E7%BC%BA%E5%B0%91%E6%94%B6%E8%B4%B9%E6%A0%87%E5%87%86"
    ))
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.ends_with("?found=1.4.2#c-1.4.2"), "{loc}");
    let (_, html) = page(&a, &admin, &format!("/a/{id}/u/320623100?found=1.4.2")).await;
    assert!(html.contains("已记录条款 1.4.2 的问题"));
    let i = html.find("id=\"c-1.4.2\"").unwrap();
    let row = &html[i..i + html[i..].find("</tr>").unwrap()];
    assert!(row.contains("· 办事指南缺少收费标准"), "{row}");
    assert!(row.contains("1例"), "{row}");
    // A judgement clause takes no findings; an empty description is refused; the form keeps its text.
    let (s, html, _) = post(format!("csrf={c}&clause=1.1.1&description=x")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("条款 1.1.1：条款 1.1.1 按“评定”计分，不接受问题记录")
            || html.contains("不接受问题记录"),
        "{html}"
    );
    let (s, html, _) = post(format!("csrf={c}&clause=1.4.2&description=")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("问题描述不能为空"));
    // Without the token: refused; a reporter may not record findings.
    let (s, _, _) = post("clause=1.4.2&description=x".into()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let rep = web_login(&a, "matang").await;
    let (s, _, _) = a
        .form(
            &rep,
            &format!("/a/{id}/u/320623100/finding"),
            format!("csrf={}&clause=1.4.2&description=x", rep.csrf),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, html) = page(&a, &admin, &format!("/a/{id}/u/320623100")).await;
    assert_eq!(html.matches("· 办事指南缺少收费标准").count(), 1);
    assert!(!html.contains("· x<"));
    // Where the count came as a metric, a finding would be a second source: refused, saying why.
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    a.store
        .set_metric(
            &admin_user,
            id,
            "320623001",
            "guide_defects",
            rust_decimal::Decimal::ZERO,
            &now,
        )
        .await
        .unwrap();
    let err = a
        .store
        .add_finding(&admin_user, id, "320623001", "1.4.2", "指南缺少样表", &now)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("单位 320623001 的指南问题已由指标数值给出（0）")
            && err.contains("两种来源只能用一种"),
        "{err}"
    );
    // And the other way round: 马塘镇 has a finding under 1.4.2, so no number for its 指南问题.
    let err = a
        .store
        .set_metric(
            &admin_user,
            id,
            "320623100",
            "guide_defects",
            rust_decimal::Decimal::ONE,
            &now,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("单位 320623100 条款 1.4.2 已逐条记录 1 例问题"),
        "{err}"
    );
}

async fn refused_objection_forms_keep_what_was_typed(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    a.store
        .advance(&admin_user, id, Stage::Publication, "公示", &now)
        .await
        .unwrap();
    let rep = web_login(&a, "matang").await;
    let form = |who: &Who, path: String, body: String| {
        let (a, who) = (&a, who.clone());
        async move {
            let (s, html, _) = a.form(&who, &path, body).await;
            (s, html)
        }
    };
    // An objection without a reason (only spaces): refused; the chosen clause stays selected.
    let (s, html) = form(
        &rep,
        format!("/a/{id}/u/320623100/object"),
        format!("csrf={}&clause=1.5.3&reason=+++", rep.csrf),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("异议须写明理由"), "{html}");
    assert!(html.contains("<option value=\"1.5.3\" selected>"), "{html}");
    // A filed objection decided with a final score above the maximum: refused, score and reason kept.
    let (s, _) = form(
        &rep,
        format!("/a/{id}/u/320623100/object"),
        format!(
            "csrf={}&clause=1.1.1&reason=%E6%A0%87%E8%AF%86%E7%89%8C%E5%B7%B2%E6%9B%B4%E6%8D%A2",
            rep.csrf
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let oid = a.store.objections(&admin_user, id).await.unwrap()[0].id;
    let admin = web_login(&a, "admin").await;
    let (s, html) = form(
        &admin,
        format!("/a/{id}/u/320623100/objections/{oid}"),
        format!(
            "csrf={}&upheld=yes&score=0.09&reason=%E5%B7%B2%E6%A0%B8%E5%AE%9E",
            admin.csrf
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("0.09") && html.contains("超出"), "{html}");
    assert!(
        html.contains("value=\"0.09\"") && html.contains("value=\"已核实\""),
        "{html}"
    );
}

/// One source per count, whichever comes first: findings recorded by hand block an import that
/// would count the same clause for the same unit (all-or-nothing: nothing of it is stored), a
/// hand-made finding can be withdrawn with a reason (the audit log keeps its text), and once the
/// platform brought a clause's instances, no hand-made one is added next to them.
async fn imports_and_hand_made_findings_never_count_one_clause_twice(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let now = kaohe_server::iso(T0);
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let assessor_user = a.store.user_by_login("wangfang").await.unwrap().unwrap();
    let lina = a.store.user_by_login("lina").await.unwrap().unwrap();
    let fid = a
        .store
        .add_finding(
            &assessor_user,
            id,
            "320623001",
            "1.4.3a",
            "办件 M1 超期 2 天",
            &now,
        )
        .await
        .unwrap();
    let import =
        |metrics: Vec<(&str, &str, i64)>, findings: Vec<(&str, &str, &str)>| kaohe_store::Import {
            kind: "办件".into(),
            files: vec![("办件.csv".into(), "0".repeat(64))],
            rows: 10,
            metrics: metrics
                .into_iter()
                .map(|(u, m, v)| (u.to_string(), m.to_string(), rust_decimal::Decimal::from(v)))
                .collect(),
            findings: findings
                .into_iter()
                .map(|(u, c, d)| {
                    (
                        u.to_string(),
                        c.to_string(),
                        d.to_string(),
                        "办件.csv 第2行".to_string(),
                    )
                })
                .collect(),
            receipts: "[]".into(),
        };
    // The import would give 掘港街道 a count for 1.4.3a as well: refused, and nothing of it kept.
    let err = a
        .store
        .import(
            &admin_user,
            id,
            &import(
                vec![
                    ("320623001", "overdue_cases", 0),
                    ("320623100", "overdue_cases", 0),
                ],
                vec![],
            ),
            &now,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("单位 320623001 条款 1.4.3a 已逐条手工记录 1 例") && err.contains("撤回"),
        "{err}"
    );
    let inputs = a.store.inputs(id).await.unwrap();
    assert!(inputs.metrics.iter().all(|m| &*m.metric != "overdue_cases"));
    // Withdrawing: not by someone who may not score the unit, not without a reason.
    assert!(
        a.store
            .withdraw_finding(&lina, id, "320623001", fid, "录错", &now)
            .await
            .is_err()
    );
    let err = a
        .store
        .withdraw_finding(&assessor_user, id, "320623001", fid, " ", &now)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("须填写理由"), "{err}");
    // Through the unit's page, as the assessor does it.
    let who = web_login(&a, "wangfang").await;
    let (_, html) = page(&a, &who, &format!("/a/{id}/u/320623001")).await;
    assert!(
        html.contains(&format!("/a/{id}/u/320623001/finding/{fid}/withdraw")),
        "{html}"
    );
    assert!(html.contains("手工记录：办件 M1 超期 2 天（王芳）"));
    let (s, _, loc) = a
        .form(
            &who,
            &format!("/a/{id}/u/320623001/finding/{fid}/withdraw"),
            format!("csrf={}&clause=1.4.3a&reason=%E5%BD%95%E9%94%99", who.csrf),
        )
        .await;
    assert_eq!(
        (s, loc.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("/a/{id}/u/320623001?withdrawn=1.4.3a#c-1.4.3a").as_str()
        )
    );
    let (_, html) = page(&a, &who, &format!("/a/{id}/u/320623001?withdrawn=1.4.3a")).await;
    assert!(html.contains("已撤回条款 1.4.3a 的一条问题记录") && !html.contains("办件 M1 超期"));
    let log = a.store.audit_log().await.unwrap();
    let e = log.iter().find(|e| e.action == "finding.withdraw").unwrap();
    assert_eq!(
        (e.actor.as_str(), e.old.as_deref(), e.why.as_deref()),
        ("wangfang", Some("办件 M1 超期 2 天"), Some("录错"))
    );
    // Now the import goes in, bringing 马塘镇's overdue case as an instance …
    a.store
        .import(
            &admin_user,
            id,
            &import(
                vec![("320623001", "overdue_cases", 0)],
                vec![("320623100", "1.4.3a", "办件 P1 超期 1 天")],
            ),
            &now,
        )
        .await
        .unwrap();
    // … after which no case is added by hand next to it, and the imported one is not withdrawn.
    let err = a
        .store
        .add_finding(
            &admin_user,
            id,
            "320623100",
            "1.4.3a",
            "办件 P1 超期 1 天",
            &now,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("已由平台数据导入（1 例）"), "{err}");
    let admin = a.login("admin").await;
    let (s, v, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/units/320623100/findings"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["imported"], true);
    let imported = v[0]["id"].as_i64().unwrap();
    let (s, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/units/320623100/findings/{imported}/withdraw"),
            Some(json!({ "reason": "重复" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["error"].as_str().unwrap().contains("来自平台数据导入"));
    // The clause is scored from one source for every unit.
    let inputs = a.store.inputs(id).await.unwrap();
    let rubric = a.store.assessment(id).await.unwrap().rubric;
    let scored = kaohe_core::score(&rubric, &inputs);
    assert!(
        scored
            .problems
            .iter()
            .all(|p| !p.message.contains("两个来源")),
        "{:?}",
        scored.problems
    );
}

async fn whatif_rescores_the_data_under_another_rubric_for_who_may_see_results(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    // 1.4.1: 掘港 first (0.05), 马塘 second (0.05 − 0.002 = 0.048).
    for (unit, rate) in [("320623001", "0.99"), ("320623100", "0.98")] {
        a.store
            .set_metric(
                &admin_user,
                id,
                unit,
                "claim_rate",
                rate.parse().unwrap(),
                &now,
            )
            .await
            .unwrap();
    }
    // Next year's draft: every rank step 0.005 (1.4.1 and 1.4.3b).
    let draft = RUBRIC
        .replace("id = \"rudong-2021\"", "id = \"rudong-2022\"")
        .replace("\nyear = 2021", "\nyear = 2022")
        .replace(
            "first = \"0.05\", step = \"0.002\"",
            "first = \"0.05\", step = \"0.005\"",
        );
    let id2 = a
        .store
        .create_assessment(&admin_user, "2022年度考核（征求意见）", &draft, &now)
        .await
        .unwrap();

    let admin = web_login(&a, "admin").await;
    let (_, html) = page(&a, &admin, &format!("/a/{id}")).await;
    assert!(html.contains(&format!("href=\"/a/{id}/whatif\"")), "{html}");
    let (s, html) = page(&a, &admin, &format!("/a/{id}/whatif")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("按此细则重算") && !html.contains("总分与名次"));

    // Another assessment's rubric, chosen from the list.
    let (s, html) = page(
        &a,
        &admin,
        &format!("/a/{id}/whatif?data={id}&rubric={id2}"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let expect_result = |html: &str| {
        assert!(html.contains("细则改动 2 条"), "{html}");
        assert!(html.contains("<td>马塘镇</td><td>1.4.1</td>\n<td class=\"num\">0.0480</td>\n<td class=\"num\">0.0450</td>"), "{html}");
        assert!(html.contains("0.05 − 1 × 0.005 = 0.045"), "{html}");
        // 马塘 (the only unit with 1.1.1 scored): 0.04 + 0.048 = 0.088 → 0.04 + 0.045 = 0.085,
        // still first; 掘港 0.05 either way.
        assert!(
            html.contains("<td class=\"num\">0.0880</td><td class=\"num\">0.0850</td><td class=\"num\">−0.003</td>"),
            "{html}"
        );
        assert!(
            html.contains("总分 0.088 → 0.085（−0.003）；名次 第1名不变"),
            "{html}"
        );
        assert!(html.contains("总分 0.05 不变；名次 第2名不变"), "{html}");
    };
    expect_result(&html);
    assert!(html.contains("“2022年度考核（征求意见）”所用"));
    // …and as a workbook.
    let link = format!("/a/{id}/whatif.xlsx?data={id}&amp;rubric={id2}");
    assert!(html.contains(&link), "{html}");
    let (s, book, h) = a
        .raw(&admin, "GET", &link.replace("&amp;", "&"), &[], vec![])
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(book.starts_with(b"PK\x03\x04"));
    let (s, _, h2) = a
        .raw(&admin, "GET", &format!("/a/{id}/whatif.xlsx"), &[], vec![])
        .await;
    assert_eq!(
        (
            s,
            h2.get(header::LOCATION)
                .map(|l| l.to_str().unwrap().to_string())
        ),
        (StatusCode::SEE_OTHER, Some(format!("/a/{id}/whatif"))),
        "no rubric chosen: back to the page"
    );
    assert!(
        h.get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );

    // The same draft uploaded as a file (the page's script puts its text in the form).
    let body = |csrf: &str, toml: &str| {
        serde_urlencoded::to_string([
            ("csrf", csrf),
            ("data", &id.to_string()),
            ("name", "2022草案.toml"),
            ("toml", toml),
        ])
        .unwrap()
    };
    let (s, html, _) = a
        .form(
            &admin,
            &format!("/a/{id}/whatif"),
            body(&admin.csrf, &draft),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    expect_result(&html);
    assert!(html.contains("上传的草案 2022草案.toml"));
    // The draft's comparison as a workbook, from the same form.
    let (s, book, _) = a
        .raw(
            &admin,
            "POST",
            &format!("/a/{id}/whatif"),
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("{}&format=xlsx", body(&admin.csrf, &draft)).into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(book.starts_with(b"PK\x03\x04"));
    // Nothing was stored: the assessment's own result is unchanged.
    let (_, html) = page(&a, &admin, &format!("/a/{id}/u/320623100")).await;
    assert!(html.contains("0.05 − 1 × 0.002 = 0.048"));

    // A broken draft: every problem listed, what was typed kept, nothing scored.
    let broken = draft.replacen("max = \"0.05\"", "max = \"0.06\"", 1);
    let (s, html, _) = a
        .form(
            &admin,
            &format!("/a/{id}/whatif"),
            body(&admin.csrf, &broken),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("细则草案有误，未计分") && html.contains("2022草案.toml"),
        "{html}"
    );
    assert!(html.contains("max = &quot;0.06&quot;") && !html.contains("总分与名次"));
    // Without the CSRF token: refused.
    let (s, _, _) = a
        .form(&admin, &format!("/a/{id}/whatif"), body("wrong", &draft))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The API: the same comparison as JSON, for an assessor not assigned to any unit too.
    let api = format!("/api/assessments/{id}/whatif");
    let lina = a.login("lina").await;
    let (s, v, _) = a
        .call(
            &lina,
            "POST",
            &api,
            Some(json!({ "rubric_assessment": id2 })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        v["summary"].as_str().unwrap().ends_with("细则改动 2 条"),
        "{v}"
    );
    let matang = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "320623100")
        .unwrap();
    assert_eq!(
        (
            &matang["before_total"],
            &matang["after_total"],
            &matang["delta"]
        ),
        (&json!("0.0880"), &json!("0.0850"), &json!("-0.003"))
    );
    let (s, v, _) = a
        .call(
            &lina,
            "POST",
            &api,
            Some(json!({ "rubric_toml": broken, "rubric_name": "坏.toml" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("细则草案有误，未计分：错误 坏.toml"),
        "{v}"
    );
    let (s, _, _) = a
        .call(
            &lina,
            "POST",
            &api,
            Some(json!({ "rubric_assessment": id2, "rubric_toml": draft })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = a
        .call(
            &lina,
            "POST",
            &api,
            Some(json!({ "rubric_assessment": id2 })),
            false,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token");

    // A reporter never; a leader only once results are public.
    let reporter = web_login(&a, "matang").await;
    let (_, html) = page(&a, &reporter, &format!("/a/{id}")).await;
    assert!(!html.contains("/whatif"));
    for path in [
        format!("/a/{id}/whatif?rubric={id2}"),
        format!("/a/{id}/whatif.xlsx?rubric={id2}"),
    ] {
        let (s, _) = page(&a, &reporter, &path).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
    }
    let leader = web_login(&a, "leader").await;
    let (s, html) = page(&a, &leader, &format!("/a/{id}/whatif?rubric={id2}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("尚未公示"), "{html}");
    a.store
        .advance(&admin_user, id, Stage::Publication, "", &now)
        .await
        .unwrap();
    let (s, html) = page(&a, &leader, &format!("/a/{id}/whatif?rubric={id2}")).await;
    assert_eq!(s, StatusCode::OK);
    expect_result(&html);
    // The draft assessment's own (empty) data is not public: not offered, not readable.
    let data_select = html
        .split("<select name=\"data\">")
        .nth(1)
        .unwrap()
        .split("</select>")
        .next()
        .unwrap();
    assert!(data_select.contains(&format!("value=\"{id}\"")));
    assert!(
        !data_select.contains(&format!("value=\"{id2}\"")),
        "{data_select}"
    );
    let (s, _) = page(
        &a,
        &leader,
        &format!("/a/{id}/whatif?data={id2}&rubric={id}"),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn a_corrupt_stored_score_is_an_error_never_a_zero(db: Db) {
    let a = app(db).await;
    let id = a.id;
    // 马塘镇's 1.1.1 (0.04) altered in the database behind the service's back.
    sqlx::query(
        "UPDATE ledger SET score = 'x.4' WHERE unit_code = '320623100' AND clause_id = '1.1.1'",
    )
    .execute(a.store.pool())
    .await
    .unwrap();
    let e = a.store.inputs(id).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "数据库中的数据已损坏：单位 320623100 条款 1.1.1 的考核分的值“x.4”不是数"
    );
    let admin = web_login(&a, "admin").await;
    for path in [
        format!("/a/{id}"),
        format!("/a/{id}/u/320623100"),
        format!("/a/{id}/export.xlsx"),
    ] {
        let (s, html) = page(&a, &admin, &path).await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(html.contains("读取考核数据失败"), "{path}: {html}");
    }
    let who = a.login("admin").await;
    let (s, v, _) = a
        .call(
            &who,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{v}");

    // A table that cannot be read: the unit's page says so instead of showing no evidence.
    let b = app(db).await;
    sqlx::query("DROP TABLE evidence_links")
        .execute(b.store.pool())
        .await
        .unwrap();
    let admin = web_login(&b, "admin").await;
    let (s, html) = page(&b, &admin, &format!("/a/{}/u/320623001", b.id)).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(html.contains("读取数据失败，请联系管理员"), "{html}");
    // …and a database that fails is not "没有这个考核" (404). (The assessment itself is kept in memory
    // until the next change: make the audit log, which says whether anything changed, unreadable.)
    sqlx::query("ALTER TABLE audit_log RENAME TO audit_log_gone")
        .execute(b.store.pool())
        .await
        .unwrap();
    let (s, html) = page(&b, &admin, &format!("/a/{}/rubric", b.id)).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(html.contains("读取数据失败，请联系管理员"), "{html}");
}
