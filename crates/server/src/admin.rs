//! 管理接口 — accounts, setting up an assessment (rubric, units, assessor assignments), typed-in metrics,
//! bonus points and the audit log. The store's policy decides who may.

use crate::AppState;
use crate::auth::{Authed, Mutating};
use crate::error::{ApiResult, AppError};
use axum::extract::{Path, Query, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kaohe_store::{NewUser, Role};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/users", get(users).post(add_user))
        .route("/api/assessments/{id}/units", post(add_unit))
        .route("/api/assessments/{id}/assignments", post(assign))
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
    password: String,
}

async fn add_user(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Json(b): Json<NewUserBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let role = Role::parse(&b.role).ok_or_else(|| {
        AppError::invalid(format!(
            "未知角色“{}”（admin/assessor/reporter/viewer）",
            b.role
        ))
    })?;
    let u = st
        .store
        .add_user(
            Some(&a.user),
            &NewUser {
                login: &b.login,
                name: &b.name,
                role,
                unit: b.unit.as_deref(),
                password: &b.password,
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
