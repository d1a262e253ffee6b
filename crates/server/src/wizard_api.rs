//! 新建考核与考核日期 (JSON): a new assessment copied from an earlier one or from a rubric (the
//! wizard's use case, `kaohe_app::wizard`), an assessment's dates in words, changed, and the 公示
//! window extended — each by the admin, checked and recorded by the store.

use crate::AppState;
use crate::auth::{Admin, Authed, Mutating};
use crate::error::{ApiResult, AppError};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use kaohe_app::wizard::{Choices, Refused, Upload};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/assessments/new", post(create))
        .route("/api/assessments/{id}/dates", get(dates).put(set_dates))
        .route("/api/assessments/{id}/dates/extend", post(extend))
}

/// 新建考核: as the wizard's form.
#[derive(Deserialize)]
struct New {
    title: String,
    year: Value,
    /// The assessment copied (its units, assignments and rubric as chosen), if any.
    #[serde(default)]
    from: Option<i64>,
    #[serde(default)]
    copy_units: bool,
    #[serde(default)]
    copy_assignments: bool,
    #[serde(default)]
    copy_rubric: bool,
    /// The rubric's TOML text, when not copied.
    #[serde(default)]
    rubric_toml: Option<String>,
    period_start: String,
    period_end: String,
    self_deadline: String,
    publication_days: Value,
}

/// A JSON number or string as the form's text.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn create(
    State(st): State<AppState>,
    Admin(a): Admin,
    Json(b): Json<New>,
) -> ApiResult<Json<Value>> {
    let c = Choices {
        from: b.from,
        copy_units: b.copy_units,
        copy_assignments: b.copy_assignments,
        copy_rubric: b.copy_rubric,
        upload: b.rubric_toml.map(|text| Upload::Toml {
            name: "rubric_toml".into(),
            text,
        }),
        title: b.title,
        year: text(&b.year),
        period_start: b.period_start,
        period_end: b.period_end,
        self_deadline: b.self_deadline,
        publication_days: text(&b.publication_days),
    };
    match kaohe_app::wizard::create(&st.store, &a.user, &c, &st.now()).await {
        Ok(id) => Ok(Json(json!({ "id": id }))),
        Err(Refused::Store(e)) => Err(e.into()),
        Err(Refused::Problems(p)) => Err(AppError {
            unfinished: p.clone(),
            ..AppError::invalid(format!("未新建考核：{}", p.join("；")))
        }),
    }
}

/// The dates of an assessment, as dates and in words with what is left (anyone signed in: every
/// role's dashboard shows them).
async fn dates(
    State(st): State<AppState>,
    _a: Authed,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let x = st.store.assessment(id).await?;
    let d = &x.dates;
    let s = |v: Option<kaohe_core::Date>| v.map(|d| d.to_string());
    Ok(Json(json!({
        "period_start": s(d.period.map(|p| p.0)),
        "period_end": s(d.period.map(|p| p.1)),
        "self_deadline": s(d.self_deadline),
        "publication_days": d.publication_days,
        "published_at": d.published_at,
        "publication_closes": s(d.publication_closes),
        "lines": kaohe_app::dates::lines(&x, &st.store.calendar(), &st.now()),
    })))
}

#[derive(Deserialize)]
struct SetDates {
    period_start: String,
    period_end: String,
    self_deadline: String,
    publication_days: Value,
    why: String,
}

async fn set_dates(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(b): Json<SetDates>,
) -> ApiResult<Json<Value>> {
    let d = kaohe_app::wizard::parse_dates(
        &b.period_start,
        &b.period_end,
        &b.self_deadline,
        &text(&b.publication_days),
    )
    .map_err(|p| AppError::invalid(p.join("；")))?;
    st.store
        .set_dates(&a.user, id, &d, &b.why, &st.now())
        .await?;
    Ok(Json(json!({ "ok": true })))
}

#[derive(Deserialize)]
struct Extend {
    until: String,
    why: String,
}

async fn extend(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(b): Json<Extend>,
) -> ApiResult<Json<Value>> {
    let until = kaohe_core::Date::parse(b.until.trim()).ok_or_else(|| {
        AppError::invalid(format!(
            "延长至“{}”不是日期（应为 2022-02-18 这样的年-月-日）",
            b.until
        ))
    })?;
    st.store
        .extend_publication(&a.user, id, until, &b.why, &st.now())
        .await?;
    Ok(Json(json!({ "publication_closes": until.to_string() })))
}
