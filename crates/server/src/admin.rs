//! 管理接口 — accounts, setting up an assessment (rubric, units, assessor assignments), typed-in metrics,
//! bonus points and the audit log. The store's policy decides who may.

use crate::AppState;
use crate::auth::{Authed, Mutating};
use crate::error::{ApiResult, AppError};
use axum::extract::{Path, Query, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kaohe_store::Role;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/users", get(users).post(add_user))
        .route("/api/accounts", get(accounts))
        .route("/api/users/{login}", put(edit_user))
        .route("/api/users/{login}/disable", post(disable_user))
        .route("/api/users/{login}/enable", post(enable_user))
        .route("/api/users/{login}/password-reset", post(reset_password))
        .route("/api/assessments/{id}/units", post(add_unit))
        .route("/api/assessments/{id}/units/{unit}", put(edit_unit))
        .route("/api/assessments/{id}/assignments", post(assign))
        .route("/api/assessments/{id}/assignments/replace", post(reassign))
        .route(
            "/api/assessments/{id}/roster/template.xlsx",
            get(roster_template),
        )
        .route("/api/assessments/{id}/roster.xlsx", get(roster_export))
        .route("/api/assessments/{id}/roster", post(roster_import))
        .route(
            "/api/assessments/{id}/units/{unit}/metrics/{metric}",
            put(set_metric),
        )
        .route("/api/assessments/{id}/units/{unit}/bonus", post(add_bonus))
        .route("/api/audit", get(audit))
}

async fn users(State(st): State<AppState>, a: Authed) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        serde_json::json!({ "users": st.store.users(&a.user).await? }),
    ))
}

#[derive(Deserialize)]
struct NewUserBody {
    login: String,
    name: String,
    role: String,
    unit: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    password: String,
    /// The assessment whose units a reporter's unit is chosen from (required for a reporter).
    #[serde(default)]
    assessment: Option<i64>,
}

fn role_of(s: &str) -> Result<Role, AppError> {
    Role::parse(s).ok_or_else(|| {
        AppError::invalid(format!(
            "未知角色“{s}”（admin/assessor/reporter/viewer，或 管理员/考核员/单位填报员/查看）"
        ))
    })
}

/// Every account, active or not (admin): never a password or its hash.
async fn accounts(State(st): State<AppState>, a: Authed) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        serde_json::json!({ "accounts": st.store.accounts(&a.user).await? }),
    ))
}

#[derive(Deserialize)]
struct EditUserBody {
    name: String,
    role: String,
    unit: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    assessment: Option<i64>,
}

/// 修改账号 (admin): name, role, unit (one of the assessment's) and phone.
async fn edit_user(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(login): Path<String>,
    Json(b): Json<EditUserBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let role = role_of(&b.role)?;
    st.store
        .edit_account(
            &a.user,
            b.assessment,
            &login,
            &kaohe_store::AccountEdit {
                name: b.name.trim().to_string(),
                role,
                unit: b.unit.filter(|u| !u.trim().is_empty()),
                phone: b.phone.filter(|p| !p.trim().is_empty()),
            },
            &st.now(),
        )
        .await?;
    Ok(Json(serde_json::json!({ "login": login })))
}

#[derive(Deserialize)]
struct Why {
    reason: String,
}

/// 停用 (admin, with a reason): the account cannot sign in, its sessions end.
async fn disable_user(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(login): Path<String>,
    Json(b): Json<Why>,
) -> ApiResult<Json<serde_json::Value>> {
    st.store
        .set_account_active(&a.user, &login, false, &b.reason, &st.now())
        .await?;
    Ok(Json(serde_json::json!({ "login": login, "active": false })))
}

/// 启用 (admin, with a reason).
async fn enable_user(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(login): Path<String>,
    Json(b): Json<Why>,
) -> ApiResult<Json<serde_json::Value>> {
    st.store
        .set_account_active(&a.user, &login, true, &b.reason, &st.now())
        .await?;
    Ok(Json(serde_json::json!({ "login": login, "active": true })))
}

/// 重置密码 (admin): a generated password, in this answer only; it must be changed at the next
/// sign-in.
async fn reset_password(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(login): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let password =
        kaohe_app::accounts::reset_password(&st.store, &a.user, &login, &st.now()).await?;
    Ok(Json(
        serde_json::json!({ "login": login, "password": password, "must_change_password": true }),
    ))
}

#[derive(Deserialize)]
struct EditUnitBody {
    code: String,
    name: String,
    kind: String,
}

/// 修改单位 (admin, 草稿): name, kind, code.
async fn edit_unit(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, unit)): Path<(i64, String)>,
    Json(b): Json<EditUnitBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let edit = kaohe_store::NewUnit {
        code: b.code.trim().to_string(),
        name: b.name.trim().to_string(),
        kind: b.kind.trim().to_string(),
    };
    st.store
        .edit_unit(&a.user, id, &unit, &edit, &st.now())
        .await?;
    Ok(Json(serde_json::json!({ "code": edit.code })))
}

#[derive(Deserialize)]
struct Reassignment {
    unit: String,
    from: String,
    to: String,
    reason: String,
}

/// 改派 (admin, any stage before 定档, with a reason): `to` replaces `from` on `unit`.
async fn reassign(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(b): Json<Reassignment>,
) -> ApiResult<Json<serde_json::Value>> {
    st.store
        .reassign(&a.user, id, &b.unit, &b.from, &b.to, &b.reason, &st.now())
        .await?;
    Ok(Json(
        serde_json::json!({ "unit": b.unit, "assessor": b.to }),
    ))
}

fn xlsx(bytes: Vec<u8>, name: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    let encoded = kaohe_store::url::percent_encode(name, b"-._~");
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"roster.xlsx\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// 名册模板 (admin).
async fn roster_template(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> ApiResult<axum::response::Response> {
    let bytes = kaohe_app::accounts::template(&st.store, &a.user, id).await?;
    Ok(xlsx(bytes, "单位与账号名册模板.xlsx"))
}

/// 导出现有单位与账号 (admin): never a password or its hash.
async fn roster_export(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> ApiResult<axum::response::Response> {
    let bytes = kaohe_app::accounts::export(&st.store, &a.user, id).await?;
    Ok(xlsx(bytes, "单位与账号.xlsx"))
}

/// 导入名册 (admin): the workbook's bytes as the body (its name in `X-File-Name`). All or nothing:
/// 422 with every problem by sheet, row and column; or what was written, with each new account's
/// initial password (in this answer only).
async fn roster_import(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    use kaohe_app::accounts::ImportError;
    let name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(crate::api::percent_decode)
        .unwrap_or_else(|| "名册.xlsx".into());
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    match kaohe_app::accounts::import(&st.store, &a.user, id, &name, body.to_vec(), &st.now()).await
    {
        Ok(done) => Ok(Json(serde_json::json!({
            "units": done.units,
            "accounts": done.accounts,
        }))
        .into_response()),
        Err(ImportError::Store(e)) => Err(e.into()),
        Err(ImportError::Problems(ps)) => {
            let n = ps.len();
            let problems: Vec<serde_json::Value> = ps
                .iter()
                .map(|p| {
                    let o = p.origin.clone().unwrap_or_default();
                    serde_json::json!({
                        "sheet": o.file,
                        "row": o.row,
                        "column": o.column,
                        "value": p.value,
                        "message": p.message,
                        "text": p.to_string(),
                    })
                })
                .collect();
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Json(serde_json::json!({
                    "error": format!("名册有 {n} 个问题，未导入任何数据：请改正后重新导入整个文件"),
                    "problems": problems,
                })),
            )
                .into_response())
        }
    }
}

async fn add_user(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Json(b): Json<NewUserBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let role = role_of(&b.role)?;
    let u = st
        .store
        .add_account(
            &a.user,
            b.assessment,
            &kaohe_store::NewAccount {
                login: b.login.trim().to_string(),
                name: b.name.trim().to_string(),
                role,
                unit: b.unit.filter(|u| !u.trim().is_empty()),
                phone: b.phone.filter(|p| !p.trim().is_empty()),
                password: b.password,
            },
            &st.now(),
        )
        .await?;
    Ok(Json(serde_json::to_value(u).unwrap_or_default()))
}

#[derive(Deserialize)]
pub(crate) struct NewAssessment {
    title: String,
    rubric_toml: String,
}

/// A new assessment: only an admin (checked before the rubric is read).
pub(crate) async fn create_assessment(
    State(st): State<AppState>,
    crate::auth::Admin(a): crate::auth::Admin,
    Json(b): Json<NewAssessment>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = st
        .store
        .create_assessment(&a.user, &b.title, &b.rubric_toml, &st.now())
        .await?;
    Ok(Json(serde_json::json!({ "id": id })))
}

#[derive(Deserialize)]
struct NewUnit {
    code: String,
    name: String,
    kind: String,
}

async fn add_unit(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(b): Json<NewUnit>,
) -> ApiResult<Json<serde_json::Value>> {
    st.store
        .add_unit(&a.user, id, &b.code, &b.name, &b.kind, &st.now())
        .await?;
    Ok(Json(serde_json::json!({ "code": b.code })))
}

#[derive(Deserialize)]
struct NewAssignment {
    assessor: String,
    unit: String,
}

async fn assign(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(b): Json<NewAssignment>,
) -> ApiResult<Json<serde_json::Value>> {
    let who = st
        .store
        .user_by_login(&b.assessor)
        .await?
        .ok_or_else(|| AppError::not_found(format!("没有账户“{}”", b.assessor)))?;
    st.store
        .assign(&a.user, id, &who, &b.unit, &st.now())
        .await?;
    Ok(Json(
        serde_json::json!({ "assessor": b.assessor, "unit": b.unit }),
    ))
}

#[derive(Deserialize)]
struct MetricValue {
    value: String,
    /// The value the editor saw: `null` when there was none. Required, so that no edit overwrites
    /// another unseen.
    previous: Option<String>,
}

async fn set_metric(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, unit, metric)): Path<(i64, String, String)>,
    Json(b): Json<MetricValue>,
) -> ApiResult<Json<serde_json::Value>> {
    let v: rust_decimal::Decimal = kaohe_core::num::typed_decimal(&b.value)
        .ok_or_else(|| AppError::invalid(format!("数值“{}”不是数字", b.value)))?;
    st.store
        .set_metric_checked(
            &a.user,
            id,
            &unit,
            &metric,
            v,
            Some(b.previous.as_deref()),
            &st.now(),
        )
        .await?;
    Ok(Json(
        serde_json::json!({ "unit": unit, "metric": metric, "value": v.normalize().to_string() }),
    ))
}

#[derive(Deserialize)]
struct NewBonus {
    clause: String,
    points: String,
    reason: String,
}

async fn add_bonus(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, unit)): Path<(i64, String)>,
    Json(b): Json<NewBonus>,
) -> ApiResult<Json<serde_json::Value>> {
    let bid = st
        .store
        .add_bonus(
            &a.user,
            id,
            &unit,
            &b.clause,
            &b.points,
            &b.reason,
            &st.now(),
        )
        .await?;
    Ok(Json(serde_json::json!({ "id": bid })))
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    entity: String,
    limit: Option<i64>,
}

async fn audit(
    State(st): State<AppState>,
    a: Authed,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let entries = st
        .store
        .audit_search(
            &a.user,
            &q.actor,
            &q.action,
            &q.entity,
            q.limit.unwrap_or(200),
        )
        .await?;
    let verified = st.store.audit_verify().await?;
    Ok(Json(
        serde_json::json!({ "entries": entries, "chain": match verified { Ok(n) => serde_json::json!({ "ok": true, "entries": n }), Err(e) => serde_json::json!({ "ok": false, "first_bad": e }) } }),
    ))
}
