//! 网页 — the server-rendered pages in 简体中文 (templates embedded in the binary, auto-escaped):
//! sign-in, the dashboard, an assessment with its league table and chart, the rubric, and a unit's
//! scorecard with the assessor's score forms. Forms carry the session's CSRF token; a rejected form
//! comes back with what was typed and a message saying what to fix.

use crate::AppState;
use crate::auth::{self, Authed};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaohe_app::results::may_see as may_see_results;
use kaohe_app::whatif::{Other, Refused};
use kaohe_store::StoreError;
use kaohe_store::{Ledger, Role, Stage};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::OnceLock;

pub use crate::charts::league_chart;

/// A posted form's fields.
type Fields = std::collections::HashMap<String, String>;

/// 登录与退出: the sign-in page and form, and signing out.
mod sign_in;
use sign_in::*;
/// 工作台: the assessments a person may open, with their progress.
mod dashboard;
use dashboard::*;
/// 考核: an assessment's page (league table, charts, exports, stage moves) and its rubric.
mod assessment;
use assessment::*;
/// 单位考核表: a unit's scorecard with the three ledgers, explanations and receipts, and its forms —
mod unit;
use unit::*;

/// 佐证材料 with a page's forms; a file added, replaced or removed; an objection reopened.
pub(crate) mod files;
use files::*;
/// 考核反馈单: one unit's printable form and its PDF.
mod feedback;
/// Forms that carry files posted as `multipart/form-data` (without the page's script).
mod multipart;
use feedback::*;

mod submission;
use submission::*;
/// 导出: the whole result as XLSX, CSV and one PDF of every unit's form, for who may export.
mod exports;
use exports::*;
/// 管理: the import page, the audit log and the setup page (units, accounts, assignments).
mod admin;
use admin::*;
/// 三员分立的页面: 安全管理, 系统管理, the audit archive.
mod officers;
use officers::*;
/// 评分表: the grid of units × judgement clauses for whom may score them.
mod grid;
use grid::*;
/// 方案对比: the data under another rubric, as a page and a workbook.
mod whatif;
use whatif::*;
/// 新建考核 (the wizard) and 考核日期 (the dates, edited and extended by the admin).
mod wizard;
use wizard::*;
/// 细则编辑: the editor, 粘贴细则, drafts with their diff and 生效, downloads as TOML and Excel.
mod rubric_editor;
use rubric_editor::*;

pub(super) fn env() -> &'static minijinja::Environment<'static> {
    static ENV: OnceLock<minijinja::Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut e = minijinja::Environment::new();
        for (name, src) in [
            ("base.html", include_str!("../../templates/base.html")),
            ("error.html", include_str!("../../templates/error.html")),
            ("login.html", include_str!("../../templates/login.html")),
            (
                "dashboard.html",
                include_str!("../../templates/dashboard.html"),
            ),
            (
                "assessment.html",
                include_str!("../../templates/assessment.html"),
            ),
            ("rubric.html", include_str!("../../templates/rubric.html")),
            (
                "scorecard.html",
                include_str!("../../templates/scorecard.html"),
            ),
            (
                "feedback.html",
                include_str!("../../templates/feedback.html"),
            ),
            ("import.html", include_str!("../../templates/import.html")),
            ("audit.html", include_str!("../../templates/audit.html")),
            (
                "security.html",
                include_str!("../../templates/security.html"),
            ),
            ("system.html", include_str!("../../templates/system.html")),
            ("setup.html", include_str!("../../templates/setup.html")),
            (
                "password.html",
                include_str!("../../templates/password.html"),
            ),
            ("grid.html", include_str!("../../templates/grid.html")),
            ("whatif.html", include_str!("../../templates/whatif.html")),
            ("wizard.html", include_str!("../../templates/wizard.html")),
            ("dates.html", include_str!("../../templates/dates.html")),
            (
                "rubric_editor.html",
                include_str!("../../templates/rubric_editor.html"),
            ),
            (
                "rubric_draft.html",
                include_str!("../../templates/rubric_draft.html"),
            ),
        ] {
            e.add_template(name, src).expect("templates compile");
        }
        // Every instant a page shows, in Beijing time (`kaohe_core::time`).
        e.add_filter("beijing", |t: String| kaohe_core::time::beijing(&t));
        e
    })
}

/// A page from its template and its typed context (each page declares the fields its template
/// reads, with the [`Frame`] flattened in).
pub(super) fn render(name: &str, ctx: impl serde::Serialize) -> Response {
    match env()
        .get_template(name)
        .and_then(|t| t.render(minijinja::value::Serde(&ctx)))
    {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            eprintln!("kaohe-server: template {name}: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<p>页面出错，请联系管理员</p>".to_string()),
            )
                .into_response()
        }
    }
}

/// Back to a unit's page after a form, with a notice and the clause to scroll to (`#c-…`, or the
/// objections). Unit, notice and clause come from the request: each is encoded, so that no typed
/// character (a line break, `#`, `?`) can break the Location header or the URL.
pub(super) fn to_unit_page(
    id: i64,
    unit: &str,
    notice: (&str, &str),
    clause: Option<&str>,
) -> Response {
    let anchor = match clause {
        Some(c) => format!("c-{}", kaohe_store::url::percent_encode(c, b"-._~")),
        None => "objections".into(),
    };
    Redirect::to(&format!(
        "/a/{id}/u/{}?{}#{anchor}",
        kaohe_store::url::percent_encode(unit, b"-._~"),
        serde_urlencoded::to_string([notice]).unwrap_or_default()
    ))
    .into_response()
}

/// What a page handler answers when it does not show its page: the way to sign in, or a page that
/// says in Chinese what went wrong — refused (403), not found (404), not accepted (422), changed
/// meanwhile (409), failed (500, logged). Handlers return [`Page`] and use `?`; a failure is never
/// shown as empty data.
pub(super) struct PageError(Box<Response>);

/// A page, or the page that says why not.
pub(super) type Page = Result<Response, PageError>;

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl PageError {
    /// A page with `status` that says `message` (signed in as `a`, when known).
    pub(super) fn new(status: StatusCode, a: Option<&Authed>, message: &str) -> PageError {
        PageError(Box::new(page_error(status, a, message)))
    }

    /// A store's or a use case's refusal or failure as the page that says it.
    pub(super) fn store(a: &Authed, e: StoreError) -> PageError {
        let (status, message) = match e {
            StoreError::Forbidden(m) => (StatusCode::FORBIDDEN, m),
            StoreError::NotFound(m) => (StatusCode::NOT_FOUND, m),
            StoreError::Invalid(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
            StoreError::Unsupported(m) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, m),
            StoreError::Stale(m) => (StatusCode::CONFLICT, m),
            StoreError::Busy(m) => (StatusCode::SERVICE_UNAVAILABLE, m),
            StoreError::Unfinished { message, .. } => (StatusCode::CONFLICT, message),
            e @ StoreError::Conflict { .. } => (StatusCode::CONFLICT, e.to_string()),
            e @ StoreError::Tampered(_) => {
                eprintln!("kaohe-server: integrity check failed: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("{e}。请联系管理员用 kaohe audit verify 检查"),
                )
            }
            StoreError::Unconfigured(m) => {
                eprintln!("kaohe-server: configuration: {m}");
                (StatusCode::INTERNAL_SERVER_ERROR, m)
            }
            e @ StoreError::Corrupt(_) => {
                eprintln!("kaohe-server: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "读取考核数据失败，请联系管理员".into(),
                )
            }
            e => {
                eprintln!("kaohe-server: database: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "读取数据失败，请联系管理员".into(),
                )
            }
        };
        PageError::new(status, Some(a), &message)
    }
}

/// A store call's or a use case's value, or (with `?` in a handler) the page that says why not.
pub(super) trait OrPage<T> {
    fn or_page(self, a: &Authed) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, StoreError> {
    fn or_page(self, a: &Authed) -> Result<T, PageError> {
        self.map_err(|e| PageError::store(a, e))
    }
}

/// The signed-in person of every page, as an extractor: without a valid session the way to sign in
/// (a redirect to /login); when the session could not be looked up, a page that says the database
/// failed (never the sign-in page, which would tell a signed-in person their session was gone).
pub(super) struct SignedIn(pub(super) Authed);

impl axum::extract::FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        st: &AppState,
    ) -> Result<SignedIn, PageError> {
        match <Authed as axum::extract::FromRequestParts<AppState>>::from_request_parts(parts, st)
            .await
        {
            Ok(a) => Ok(SignedIn(a)),
            Err(e) if e.status == StatusCode::UNAUTHORIZED => {
                Err(PageError(Box::new(Redirect::to("/login").into_response())))
            }
            // An initial or reset password: changed before anything else.
            Err(e) if e.message == auth::MUST_CHANGE => Err(PageError(Box::new(
                Redirect::to("/password").into_response(),
            ))),
            Err(e) => Err(PageError::new(e.status, None, &e.message)),
        }
    }
}

/// An assessment for a page (the store's errors as pages: none, 404; a failure, 500).
pub(super) async fn assessment_of(
    st: &AppState,
    a: &Authed,
    id: i64,
) -> Result<kaohe_store::store::Assessment, PageError> {
    st.store.assessment(id).await.or_page(a)
}

/// A page that says only what went wrong (error.html), with `status`.
pub(super) fn page_error(status: StatusCode, a: Option<&Authed>, message: &str) -> Response {
    let mut frame = Frame::of(a);
    frame.error = Some(message.to_string());
    let mut r = render("error.html", frame);
    *r.status_mut() = status;
    r
}

/// What the frame of every page (base.html) shows: who is signed in, with their role and the forms'
/// token; an error to fix, a notice of what was done.
#[derive(serde::Serialize, Default)]
pub(super) struct Frame<'a> {
    user: Option<&'a kaohe_store::User>,
    role_label: Option<&'static str>,
    csrf: Option<&'a str>,
    pub(super) error: Option<String>,
    pub(super) notice: Option<String>,
}

impl<'a> Frame<'a> {
    /// The frame for `a` (signed in), or for nobody.
    pub(super) fn of(a: Option<&'a Authed>) -> Frame<'a> {
        match a {
            Some(a) => Frame {
                user: Some(&a.user),
                role_label: Some(a.user.role.label()),
                csrf: Some(&a.csrf),
                ..Frame::default()
            },
            None => Frame::default(),
        }
    }

    /// The frame with a notice (or none).
    pub(super) fn notice(mut self, notice: Option<String>) -> Frame<'a> {
        self.notice = notice;
        self
    }

    /// The frame with an error (or none).
    pub(super) fn error(mut self, error: Option<String>) -> Frame<'a> {
        self.error = error;
        self
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/new", get(new_page).post(new_form))
        .route("/a/{id}/dates", get(dates_page).post(dates_form))
        .route("/login", get(login_page).post(login_form))
        .route("/logout", post(logout_form))
        .route("/password", get(password_page).post(password_form))
        .route("/a/{id}", get(assessment))
        .route("/a/{id}/rubric", get(rubric))
        .route("/a/{id}/rubric.toml", get(rubric_toml))
        .route("/a/{id}/rubric.xlsx", get(rubric_xlsx))
        .route(
            "/a/{id}/rubric/edit",
            get(rubric_editor).post(rubric_editor_form),
        )
        .route("/a/{id}/rubric/paste", post(rubric_paste_form))
        .route("/a/{id}/rubric/paste/accept", post(rubric_paste_accept))
        .route("/a/{id}/rubric/drafts/{d}", get(rubric_draft_page))
        .route(
            "/a/{id}/rubric/drafts/{d}/effective",
            post(rubric_effective_form),
        )
        .route("/a/{id}/rubric/drafts/{d}/toml", get(rubric_draft_toml))
        .route("/a/{id}/rubric/drafts/{d}/xlsx", get(rubric_draft_xlsx))
        .route("/a/{id}/u/{unit}", get(scorecard))
        .route("/a/{id}/u/{unit}/score", post(score_form))
        .route("/a/{id}/u/{unit}/self", post(self_form))
        .route("/a/{id}/u/{unit}/submit", post(submit_form))
        .route("/a/{id}/u/{unit}/return", post(return_form))
        .route("/a/{id}/u/{unit}/finding", post(finding_form))
        .route(
            "/a/{id}/u/{unit}/finding/{fid}/withdraw",
            post(withdraw_form),
        )
        .route("/a/{id}/u/{unit}/inspection", post(inspection_form))
        .route(
            "/a/{id}/u/{unit}/inspection/{iid}/remove",
            post(remove_inspection_form),
        )
        .route("/a/{id}/advance", post(advance_form))
        .route("/a/{id}/correct", post(correct_form))
        .route("/a/{id}/import", get(import_page))
        .route("/audit", get(audit_page))
        .route("/audit/archive", get(audit_archive))
        .route("/security", get(security_page).post(security_form))
        .route("/system", get(system_page).post(system_form))
        .route("/a/{id}/setup", get(setup_page).post(setup_form))
        .route("/a/{id}/setup/roster-template.xlsx", get(roster_template))
        .route("/a/{id}/setup/roster.xlsx", get(roster_export))
        .route("/a/{id}/grid", get(grid_page))
        .route("/a/{id}/whatif", get(whatif_page).post(whatif_form))
        .route("/a/{id}/whatif.xlsx", get(whatif_xlsx))
        .route("/a/{id}/u/{unit}/object", post(object_form))
        .route("/a/{id}/u/{unit}/objections/{oid}", post(decide_form))
        .route(
            "/a/{id}/u/{unit}/objections/{oid}/reopen",
            post(reopen_form),
        )
        .route("/a/{id}/u/{unit}/files", post(attach_form))
        .route(
            "/a/{id}/u/{unit}/files/{link}/remove",
            post(remove_file_form),
        )
        .route("/a/{id}/u/{unit}/feedback", get(feedback))
        .route("/a/{id}/u/{unit}/feedback.pdf", get(feedback_pdf))
        .route("/a/{id}/export.xlsx", get(export_xlsx))
        .route("/a/{id}/export.csv", get(export_csv))
        .route("/a/{id}/feedback.pdf", get(export_feedback_pdf))
}

/// The fields of a posted form by `a`, or the page that refuses it (403) unless the form's CSRF
/// token is the session's.
pub(super) fn posted(a: &Authed, body: &str) -> Result<Fields, PageError> {
    match serde_urlencoded::from_str::<Fields>(body) {
        Ok(f) if auth::same(f.get("csrf").map(String::as_str).unwrap_or(""), &a.csrf) => Ok(f),
        _ => Err(csrf_refused(a)),
    }
}

pub(super) fn csrf_refused(a: &Authed) -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        Some(a),
        "缺少或错误的 CSRF 令牌（请刷新页面后重试）",
    )
}
