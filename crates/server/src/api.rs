//! 接口 — the JSON routes. Each handler checks who may read (writes are checked by the store's
//! policy) and turns store errors into responses.

use crate::AppState;
use crate::auth::{Authed, Mutating};
use crate::error::{ApiResult, AppError};
use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kaohe_store::{Ledger, Role, Stage, Store};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/assessments", get(list))
        .route("/api/assessments/{id}", get(one))
        .route("/api/assessments/{id}/stage", post(advance))
        .route("/api/assessments/{id}/units/{unit}/scores", get(scores))
        .route(
            "/api/assessments/{id}/units/{unit}/scores/{clause}/{ledger}",
            put(set_score),
        )
        .route(
            "/api/assessments/{id}/units/{unit}/findings",
            post(add_finding),
        )
        .route("/api/assessments/{id}/results", get(results))
}

async fn list(State(st): State<AppState>, _a: Authed) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        serde_json::json!({ "assessments": st.store.assessments().await? }),
    ))
}

async fn one(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    let x = st.store.assessment(id).await?;
    let units = st.store.units(id).await?;
    // A reporter sees its own unit in the list; the others only by name.
    let clauses: Vec<serde_json::Value> = x
        .rubric
        .clauses
        .iter()
        .map(|c| serde_json::json!({ "id": &*c.id, "title": c.title, "max": c.max.normalize().to_string(), "rule": c.rule.kind(), "text": c.text, "checkpoints": c.checkpoints, "describe": x.rubric.describe_rule(c) }))
        .collect();
    Ok(Json(serde_json::json!({
        "id": x.id, "year": x.year, "title": x.title, "stage": x.stage, "stage_label": x.stage.label(),
        "rubric": { "id": x.rubric.id, "title": x.rubric.title, "version": x.rubric.version, "sha256": x.rubric.sha256, "max_total": x.rubric.max_total.normalize().to_string(), "clauses": clauses },
        "units": units,
        "you": { "role": a.user.role, "unit": a.user.unit_code },
    })))
}

#[derive(Deserialize)]
struct Advance {
    to: String,
    #[serde(default)]
    why: String,
}

async fn advance(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(b): Json<Advance>,
) -> ApiResult<Json<serde_json::Value>> {
    let to = Stage::parse(&b.to).ok_or_else(|| {
        AppError::invalid(format!(
            "未知阶段“{}”（draft/self/review/publication/final）",
            b.to
        ))
    })?;
    st.store.advance(&a.user, id, to, &b.why, &st.now()).await?;
    Ok(Json(
        serde_json::json!({ "stage": to, "stage_label": to.label() }),
    ))
}

async fn scores(
    State(st): State<AppState>,
    a: Authed,
    Path((id, unit)): Path<(i64, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    if !Store::may_read_unit(&a.user, &unit) {
        return Err(AppError::forbidden(format!(
            "{}（{}）无权查看单位 {unit} 的考核数据",
            a.user.name,
            a.user.role.label()
        )));
    }
    st.store.assessment(id).await?;
    Ok(Json(
        serde_json::json!({ "unit": unit, "scores": st.store.scores(id, &unit).await? }),
    ))
}

#[derive(Deserialize)]
struct SetScore {
    score: String,
    #[serde(default)]
    reason: String,
    /// The version the editor saw; absent for a new score.
    version: Option<i64>,
}

async fn set_score(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, unit, clause, ledger)): Path<(i64, String, String, String)>,
    Json(b): Json<SetScore>,
) -> ApiResult<Json<serde_json::Value>> {
    let ledger = Ledger::parse(&ledger)
        .ok_or_else(|| AppError::invalid(format!("未知账本“{ledger}”（self/assessor/final）")))?;
    let s = st
        .store
        .set_score(
            &a.user,
            id,
            &unit,
            &clause,
            ledger,
            &b.score,
            &b.reason,
            b.version,
            &st.now(),
        )
        .await?;
    Ok(Json(serde_json::to_value(s).unwrap_or_default()))
}

#[derive(Deserialize)]
struct NewFinding {
    clause: String,
    description: String,
}

async fn add_finding(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, unit)): Path<(i64, String)>,
    Json(b): Json<NewFinding>,
) -> ApiResult<Json<serde_json::Value>> {
    let fid = st
        .store
        .add_finding(&a.user, id, &unit, &b.clause, &b.description, &st.now())
        .await?;
    Ok(Json(serde_json::json!({ "id": fid })))
}

/// The result in the JSON shape of DATA.md §3. Admins and assessors may read it in any stage; others
/// once it is published (公示), and a reporter then sees every unit's total and rank but the clause
/// details of its own unit only.
async fn results(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    let x = st.store.assessment(id).await?;
    let published = x.stage >= Stage::Publication;
    if !matches!(a.user.role, Role::Admin | Role::Assessor) && !published {
        return Err(AppError::forbidden(format!(
            "结果尚未公示（当前为“{}”阶段）",
            x.stage.label()
        )));
    }
    let inputs = st.store.inputs(id).await?;
    let scored = kaohe_core::score(&x.rubric, &inputs);
    let mut v = serde_json::to_value(kaohe_report::json::report(&scored, &[])).unwrap_or_default();
    if a.user.role == Role::Reporter
        && let Some(units) = v["units"].as_array_mut()
    {
        for u in units {
            if u["code"].as_str() != a.user.unit_code.as_deref() {
                u["clauses"] = serde_json::json!([]);
            }
        }
    }
    v["stage"] = serde_json::json!(x.stage);
    Ok(Json(v))
}
