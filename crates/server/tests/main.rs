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

/// SM2 证书登录 through the 国密 gateway's header (issue 14).
mod certs;
use certs::*;
/// A served instance's connections: timeouts and the cap (issue 9).
mod connections;
/// Security headers, Secure cookies and HSTS, the OpenAPI document (issue 9).
mod headers;
/// 个人信息: a phone sealed at rest, shown opened to who manages accounts (issue 14 part 4).
mod personal;
use personal::*;
/// 剩余信息保护: no password echoed or kept, no session left after a sign-out (issue 14).
mod residual;
use residual::*;
/// Sealed results signed with SM2 and checked as `kaohe verify` does (issue 14 part 4).
mod seal;
/// A service that stays up: timeouts, caps, body limits, the login limiter, headers (issue 9).
mod service;
/// HTTPS built in: TLS, HSTS and Secure cookies (issue 14 part 5).
mod tls;

// Every in-process test runs on SQLite and on PostgreSQL (see kaohe_store::testdb).
kaohe_store::on_both!(
    a_corrupt_stored_score_is_an_error_never_a_zero,
    a_password_is_never_echoed_or_kept_and_a_sign_out_leaves_no_session,
    a_phone_is_sealed_at_rest_and_shown_opened_only_to_who_manages_accounts,
    a_missing_data_key_is_a_500_that_says_what_to_configure,
    sm2_certificate_sign_in_needs_the_password_and_the_bound_certificate,
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
    every_ledger_is_read_by_whom_the_read_policy_says_in_every_stage,
    metric_values_are_checked_against_their_kind_and_unit,
    a_line_break_typed_into_a_form_never_breaks_the_way_back,
    what_the_api_answers_reads_as_recorded,
    what_the_key_pages_say_reads_as_recorded,
    the_dashboard_before_any_assessment_says_what_to_do_next,
    hostile_files_staged_and_previewed_are_problems_and_the_server_answers,
    a_failing_session_lookup_is_an_error_page_not_the_sign_in_page,
    the_gate_lists_unfinished_work_and_the_stage_route_seals,
    an_inspection_and_a_typed_finding_are_recorded_on_the_unit_page,
    inspections_and_typed_findings_through_the_api,
    the_unit_page_shows_not_applicable_prorating_group_veto_and_unranked,
    the_league_page_shows_unranked_groups_not_applicable_and_the_veto,
    the_league_page_shows_penalties_apart_from_bonus,
    the_rubric_editor_adds_refuses_saves_diffs_and_makes_effective,
    a_pasted_rubric_is_proposed_with_its_rules_and_added_only_when_ticked,
    a_roster_of_200_units_and_accounts_is_refused_for_its_3_bad_rows_then_taken_whole,
    accounts_are_edited_disabled_reset_and_assessors_reassigned_through_api_and_pages,
    the_grid_names_its_clauses_and_leaves_unscored_cells_empty,
    a_full_width_number_is_a_number_and_a_conflict_names_the_other_value,
    the_grid_pages_and_filters_the_units_one_works_on,
    staged_files_survive_a_reload_are_replaced_by_kind_and_removable,
    numeric_survey_codes_are_one_problem_naming_the_pages_choice,
    a_title_row_is_passed_over_and_a_wrong_file_is_named_as_what_it_is,
    the_period_defaults_to_the_assessments_year_and_names_the_pages_field,
    every_page_every_role_reaches_speaks_chinese_and_every_link_opens,
    objection_files_and_finding_photos_on_the_unit_page,
    forms_carry_files_without_javascript_within_the_limit_and_the_role_first,
    the_results_api_pages_and_sorts_on_the_server,
    the_league_page_pages_and_sorts_on_the_server,
    the_demo_signs_in_the_three_administrators_and_each_is_refused_the_others_work,
    a_restart_keeps_a_lock_until_the_security_admin_lifts_it,
    the_last_sign_in_is_shown_and_an_idle_session_ends,
);

/// 三员分立、登录规则与安全审计 (issue 14).
mod security;
use security::*;

/// Units and accounts: the roster workbook, the first sign-in, edits, resets, reassignment (issue 12).
mod accounts;
use accounts::*;

/// What people read, as snapshots: API answers and the text of key pages.
mod snapshots;
use snapshots::*;

/// Reads as tight as writes: who reads which ledger in which stage (issue 9).
mod reads;
use reads::*;
/// Signing in and out: the cookie, the CSRF token, the login limiter, expiry.
mod sessions;
use sessions::*;
/// The JSON API: every route for every role, CSRF, conflicts, the results' shape, the OpenAPI
mod api;
use api::*;
/// An assessment from 草稿 to 定档 and a 更正, set up through the API; objection forms.
mod workflow;
use workflow::*;
/// 佐证材料: stored by content, typed by content, shown only to who may; self-assessment with evidence.
mod evidence;
use evidence::*;
/// Files on objections and findings, objections decided on purpose and reopened (issue 13).
mod objection_files;
use objection_files::*;
/// Forms that carry files without JavaScript: multipart, the limit, the role before the body (issue 13).
mod form_files;
use form_files::*;
/// Platform imports: staged, previewed with their problems, committed whole; one source per count.
mod imports;
use imports::*;
/// The import page: staged files kept, replaced by kind, removable; grouped problems; title rows.
mod staging;
use staging::*;
/// The server-rendered pages: sign-in, every page for every role, forms that keep what was typed,
mod pages;
use pages::*;
/// 检查记录 and typed findings on the unit page and through the API (issue 11).
mod inspections;
use inspections::*;
/// 评分表: clause names, empty cells, full-width numbers, conflicts, paging and filters (issues 13, 15).
mod grid;
/// The league page and the results API paged and sorted on the server (issue 15).
mod paging;
/// The league page, CSV, 考核反馈单 and API results of rubrics with the rubric-level shapes.
mod shapes;
use grid::*;
/// 方案对比 (what-if): the data under another rubric, for who may see results.
mod whatif;
use paging::*;
use shapes::*;
use whatif::*;
/// Words, times and rights as shown: every page every role reaches, every link it is shown (issue 13).
mod words;
use words::*;
/// 细则编辑: add, refuse, save, diff, 生效, paste, downloads (issue 12).
mod rubric_editor;
/// 新建考核 and the dates: the wizard, its Chinese problems, the 公示 window (issue 12).
mod wizard;
use rubric_editor::*;

const RUBRIC: &str = include_str!("../../../rubrics/rudong-2021.toml");
const T0: u64 = 1_638_349_200; // 2021-12-01T09:00:00Z

struct App {
    _dir: tempfile::TempDir,
    app: axum::Router,
    clock: Arc<AtomicU64>,
    store: Store,
    id: i64,
}

/// A new assessment `title` with `units` (code, name, kind), moved by the admin to 自评 without the
/// gate: its id.
async fn in_self_assessment(
    s: &kaohe_store::Store,
    title: &str,
    units: &[(&str, &str, &str)],
) -> i64 {
    let now = kaohe_server::iso(T0);
    let admin = s
        .authenticate("admin", "password-123")
        .await
        .unwrap()
        .unwrap();
    let id = s
        .create_assessment(&admin, title, RUBRIC, &now)
        .await
        .unwrap();
    for (code, name, kind) in units {
        s.add_unit(&admin, id, code, name, kind, &now)
            .await
            .unwrap();
    }
    s.advance(
        &admin,
        id,
        Stage::SelfAssessment,
        "",
        &now,
        kaohe_store::Gate::none(),
    )
    .await
    .unwrap();
    id
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
        .advance(
            &admin,
            id,
            Stage::SelfAssessment,
            "",
            &now,
            kaohe_store::Gate::none(),
        )
        .await
        .unwrap();
    store
        .advance(
            &admin,
            id,
            Stage::Review,
            "",
            &now,
            kaohe_store::Gate::none(),
        )
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
    /// The 审计管理员 (三员分立: the only reader of the audit log), added at the console on first
    /// use, signed in.
    async fn auditor(&self) -> Who {
        if self.store.user_by_login("auditor").await.unwrap().is_none() {
            let new = NewUser {
                login: "auditor",
                name: "审计员",
                role: Role::AuditAdmin,
                unit: None,
                password: "password-123",
            };
            let now = kaohe_server::iso(self.clock.load(Ordering::SeqCst));
            self.store.add_user(None, &new, &now).await.unwrap();
        }
        self.login("auditor").await
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
