//! 接口 — the JSON routes. Each handler checks who may read (writes are checked by the store's
//! policy) and turns store errors into responses.

use crate::AppState;
use crate::auth::{Authed, Mutating};
use crate::error::{ApiResult, AppError};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kaohe_store::policy;
use kaohe_store::{Ledger, Stage};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/assessments",
            get(list).post(crate::admin::create_assessment),
        )
        .route("/api/assessments/{id}", get(one))
        .route("/api/assessments/{id}/stage", post(advance))
        .route("/api/assessments/{id}/units/{unit}/scores", get(scores))
        .route(
            "/api/assessments/{id}/units/{unit}/scores/{clause}/{ledger}",
            put(set_score),
        )
        .route(
            "/api/assessments/{id}/units/{unit}/findings",
            get(findings).post(add_finding),
        )
        .route(
            "/api/assessments/{id}/units/{unit}/findings/{fid}/withdraw",
            post(withdraw_finding),
        )
        .route(
            "/api/assessments/{id}/units/{unit}/inspections",
            get(inspections).post(record_inspection),
        )
        .route(
            "/api/assessments/{id}/units/{unit}/inspections/{iid}/remove",
            post(remove_inspection),
        )
        .route(
            "/api/assessments/{id}/units/{unit}/submission",
            get(submission).post(submit_self),
        )
        .route(
            "/api/assessments/{id}/units/{unit}/submission/return",
            post(return_self),
        )
        .route("/api/assessments/{id}/results", get(results))
        .route("/api/assessments/{id}/whatif", post(whatif))
        .route(
            "/api/assessments/{id}/objections",
            get(objections).post(file_objection),
        )
        .route(
            "/api/assessments/{id}/objections/{oid}/decision",
            post(decide),
        )
        .route("/api/assessments/{id}/finalize", post(finalize))
        .route("/api/assessments/{id}/corrections", post(correct))
        .route("/api/assessments/{id}/sealed", get(sealed))
        .route("/api/assessments/{id}/sealed/{version}", get(sealed_one))
        .route("/api/assessments/{id}/sealed/{a}/diff/{b}", get(diff))
        .route(
            "/api/assessments/{id}/units/{unit}/evidence",
            get(evidence_list),
        )
        .route(
            "/api/assessments/{id}/units/{unit}/clauses/{clause}/evidence",
            put(upload),
        )
        .route("/api/evidence/{sha}", get(download))
}

/// Decodes a percent-encoded UTF-8 file name (`X-File-Name`); anything malformed is kept as is.
/// `%E6%B5%8B%E7%BB%98.pdf` → `测绘.pdf`.
pub fn percent_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Uploads one evidence file. Sign-in, CSRF token, and whether this person may add evidence to this
/// unit in this stage are checked before the body is read (the store checks again when it stores);
/// the body is then read up to [`crate::limits::EVIDENCE_BODY`] (413 past it).
async fn upload(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, unit, clause)): Path<(i64, String, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> ApiResult<Json<serde_json::Value>> {
    may_add_evidence(&st, &a, id, &unit).await?;
    let limit = crate::limits::EVIDENCE_BODY;
    let mut bytes = Vec::new();
    crate::limits::read_body(body, limit, |chunk| {
        bytes.extend_from_slice(chunk);
        Ok(())
    })
    .await?;
    let name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .unwrap_or_else(|| "未命名".into());
    let r = st
        .store
        .put_evidence(&a.user, id, &unit, &clause, &name, &bytes, &st.now())
        .await?;
    Ok(Json(serde_json::to_value(r).expect("evidence serialises")))
}

/// Whether this person may add evidence to this unit now — the store's own rule
/// ([`policy::evidence_action`]), which it checks again under its lock — decided before the body is
/// read.
async fn may_add_evidence(st: &AppState, a: &Authed, id: i64, unit: &str) -> ApiResult<()> {
    let x = st.store.assessment(id).await?;
    let assigned = st.store.assigned(id, &a.user, unit).await?;
    let action = policy::evidence_action(&a.user, x.stage);
    policy::check(&a.user, action, x.stage, Some(unit), assigned).map_err(AppError::forbidden)
}

async fn evidence_list(
    State(st): State<AppState>,
    a: Authed,
    Path((id, unit)): Path<(i64, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        serde_json::json!({ "unit": unit, "evidence": st.store.evidence(&a.user, id, &unit).await? }),
    ))
}

async fn download(
    State(st): State<AppState>,
    a: Authed,
    Path(sha): Path<String>,
) -> ApiResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let (bytes, mime, name) = st.store.evidence_file(&a.user, &sha).await?;
    let encoded = kaohe_store::url::percent_encode(&name, b"._-");
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        mime.parse()
            .unwrap_or(header::HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        format!("attachment; filename*=UTF-8''{encoded}")
            .parse()
            .unwrap_or(header::HeaderValue::from_static("attachment")),
    );
    h.insert(
        "x-content-type-options",
        header::HeaderValue::from_static("nosniff"),
    );
    Ok(resp)
}

#[derive(Deserialize)]
struct WhatIfRequest {
    /// Another assessment whose rubric to re-score under…
    rubric_assessment: Option<i64>,
    /// …or a draft rubric's TOML text (with a file name for its problems).
    rubric_toml: Option<String>,
    rubric_name: Option<String>,
}

/// 方案对比: this assessment's data under another rubric (nothing is stored). A draft that is not a
/// valid rubric is 422 with every problem.
async fn whatif(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(b): Json<WhatIfRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    use kaohe_app::whatif::{Other, Refused};
    let other = match (b.rubric_assessment, b.rubric_toml) {
        (Some(rid), None) => Other::Stored(rid),
        (None, Some(text)) => Other::Draft {
            name: b.rubric_name.unwrap_or_else(|| "细则草案.toml".into()),
            text,
        },
        _ => {
            return Err(AppError::invalid(
                "请给出 rubric_assessment（另一次考核的细则）或 rubric_toml（细则草案）之一",
            ));
        }
    };
    match kaohe_app::whatif::run(&st.store, &a.user, id, &other).await {
        Ok((w, _)) => Ok(Json(
            serde_json::to_value(w).expect("a comparison serialises"),
        )),
        Err(Refused::Store(e)) => Err(e.into()),
        Err(Refused::Draft(problems)) => {
            let texts: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            Err(AppError::invalid(format!(
                "细则草案有误，未计分：{}",
                texts.join("；")
            )))
        }
    }
}

#[derive(Deserialize)]
struct NewObjection {
    unit: String,
    clause: String,
    reason: String,
}

async fn file_objection(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(b): Json<NewObjection>,
) -> ApiResult<Json<serde_json::Value>> {
    let oid = st
        .store
        .file_objection(&a.user, id, &b.unit, &b.clause, &b.reason, &st.now())
        .await?;
    Ok(Json(serde_json::json!({ "id": oid })))
}

/// A unit's 提交自评 state (`null` when never submitted).
async fn submission(
    State(st): State<AppState>,
    a: Authed,
    Path((id, unit)): Path<(i64, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    let x = st.store.assessment(id).await?;
    kaohe_app::results::may_open_unit(&a.user, x.stage, &unit)?;
    Ok(Json(
        serde_json::json!({ "submission": st.store.submission(id, &unit).await? }),
    ))
}

/// 提交自评 (the unit's reporter, 自评).
async fn submit_self(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, unit)): Path<(i64, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    let s = st.store.submit_self(&a.user, id, &unit, &st.now()).await?;
    Ok(Json(serde_json::json!({ "submission": s })))
}

#[derive(Deserialize)]
struct ReturnSelf {
    reason: String,
}

/// 退回自评 (the unit's assessor or the admin, 自评), with the reason.
async fn return_self(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, unit)): Path<(i64, String)>,
    Json(b): Json<ReturnSelf>,
) -> ApiResult<Json<serde_json::Value>> {
    let s = st
        .store
        .return_self(&a.user, id, &unit, &b.reason, &st.now())
        .await?;
    Ok(Json(serde_json::json!({ "submission": s })))
}

async fn objections(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    st.store.assessment(id).await?;
    Ok(Json(
        serde_json::json!({ "objections": st.store.objections(&a.user, id).await? }),
    ))
}

/// 处理异议 as the API takes it: the outcome said outright (`upheld` 采纳 / `rejected` 驳回, the
/// words of the objection's `status` and of the page's form), never a default.
#[derive(Deserialize)]
struct Decision {
    #[serde(default)]
    outcome: Option<String>,
    reason: String,
    /// The final score of a judgement clause when upheld.
    score: Option<String>,
}

/// The decision's outcome, or why it is refused (in Chinese, naming the value sent).
fn outcome(sent: Option<&str>) -> Result<kaohe_store::Outcome, AppError> {
    const WANT: &str = "应为 upheld（采纳）或 rejected（驳回）";
    match sent.map(str::trim) {
        None | Some("") => Err(AppError::invalid(format!("请写明处理结果 outcome：{WANT}"))),
        Some(v) => kaohe_store::Outcome::parse(Some(v))
            .map_err(|_| AppError::invalid(format!("处理结果 outcome“{v}”不认识：{WANT}"))),
    }
}

async fn decide(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, oid)): Path<(i64, i64)>,
    Json(b): Json<Decision>,
) -> ApiResult<Json<serde_json::Value>> {
    let upheld = outcome(b.outcome.as_deref())? == kaohe_store::Outcome::Upheld;
    let d = kaohe_store::Decision {
        upheld,
        reason: &b.reason,
        score: b.score.as_deref(),
    };
    st.store
        .decide_objection(&a.user, id, oid, &d, &st.now())
        .await?;
    Ok(Json(
        serde_json::json!({ "id": oid, "status": if upheld { "upheld" } else { "rejected" } }),
    ))
}

#[derive(Deserialize)]
struct Why {
    #[serde(default)]
    reason: String,
    /// Into 定档 with unfinished work: the admin's explicit reason to go on (see `Advance`).
    #[serde(default)]
    override_reason: Option<String>,
}

async fn finalize(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(b): Json<Why>,
) -> ApiResult<Json<serde_json::Value>> {
    let go_on = b.override_reason.as_deref();
    let staged = crate::imports::staged_names(&st, id);
    let sealed =
        kaohe_app::sealing::finalize(&st.store, &a.user, id, &b.reason, go_on, &staged, &st.now())
            .await?;
    Ok(Json(
        serde_json::to_value(sealed).expect("a seal serialises"),
    ))
}

async fn correct(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(b): Json<Why>,
) -> ApiResult<Json<serde_json::Value>> {
    let (sealed, changes) =
        kaohe_app::sealing::correct(&st.store, &a.user, id, &b.reason, &st.now()).await?;
    Ok(Json(
        serde_json::json!({ "sealed": sealed, "changes": changes }),
    ))
}

async fn sealed(
    State(st): State<AppState>,
    _a: Authed,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        serde_json::json!({ "versions": st.store.sealed(id).await? }),
    ))
}

async fn sealed_one(
    State(st): State<AppState>,
    a: Authed,
    Path((id, version)): Path<(i64, i64)>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        kaohe_app::sealing::sealed_for(&st.store, &a.user, id, version).await?,
    ))
}

async fn diff(
    State(st): State<AppState>,
    a: Authed,
    Path((id, va, vb)): Path<(i64, i64, i64)>,
) -> ApiResult<Json<serde_json::Value>> {
    let list = kaohe_app::sealing::diff(&st.store, &a.user, id, va, vb).await?;
    Ok(Json(
        serde_json::json!({ "from": va, "to": vb, "changes": list }),
    ))
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
    /// Into 公示 or 定档 with unfinished work: the admin's explicit reason to go on anyway — a
    /// consent of its own; `why` never counts as one. Recorded and printed on the result.
    #[serde(default)]
    override_reason: Option<String>,
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
    let go_on = b.override_reason.as_deref();
    let staged = crate::imports::staged_names(&st, id);
    let moved = kaohe_app::sealing::advance(
        &st.store,
        &a.user,
        id,
        to,
        &b.why,
        go_on,
        &staged,
        &st.now(),
    )
    .await?;
    let mut v = serde_json::json!({ "stage": to, "stage_label": to.label() });
    if let kaohe_app::sealing::Moved::Sealed(sealed) = moved {
        v["sealed"] = serde_json::to_value(sealed).expect("a seal serialises");
    }
    Ok(Json(v))
}

async fn scores(
    State(st): State<AppState>,
    a: Authed,
    Path((id, unit)): Path<(i64, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        serde_json::json!({ "unit": unit, "scores": st.store.scores(&a.user, id, &unit).await? }),
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

/// A finding: its clause and description, and where the clause's rule takes them its 问题类型
/// (`finding_type`) and the points chosen in a range (`points`, text such as "3") with the reason.
#[derive(Deserialize)]
struct NewFinding {
    clause: String,
    description: String,
    #[serde(default)]
    finding_type: String,
    #[serde(default)]
    points: String,
    #[serde(default)]
    reason: String,
}

async fn add_finding(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, unit)): Path<(i64, String)>,
    Json(b): Json<NewFinding>,
) -> ApiResult<Json<serde_json::Value>> {
    let f = kaohe_app::findings::FindingText {
        files: &[],
        clause: &b.clause,
        description: &b.description,
        finding_type: &b.finding_type,
        points: &b.points,
        reason: &b.reason,
    };
    let fid =
        kaohe_app::findings::add_finding(&st.store, &a.user, id, &unit, &f, &st.now()).await?;
    Ok(Json(serde_json::json!({ "id": fid })))
}

/// A unit's inspection records (检查记录). For who may read its findings.
async fn inspections(
    State(st): State<AppState>,
    a: Authed,
    Path((id, unit)): Path<(i64, String)>,
) -> ApiResult<Json<Vec<kaohe_store::Inspection>>> {
    Ok(Json(st.store.inspections_of(&a.user, id, &unit).await?))
}

/// 记录检查: the clause, the day inspected (`date`, e.g. "2024-05-08") and a note.
#[derive(Deserialize)]
struct NewInspection {
    clause: String,
    date: String,
    #[serde(default)]
    note: String,
}

async fn record_inspection(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, unit)): Path<(i64, String)>,
    Json(b): Json<NewInspection>,
) -> ApiResult<Json<serde_json::Value>> {
    let iid = kaohe_app::findings::record_inspection(
        &st.store,
        &a.user,
        id,
        &unit,
        &b.clause,
        &b.date,
        &b.note,
        &st.now(),
    )
    .await?;
    Ok(Json(serde_json::json!({ "id": iid })))
}

async fn remove_inspection(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, unit, iid)): Path<(i64, String, i64)>,
    Json(b): Json<Withdrawal>,
) -> ApiResult<Json<serde_json::Value>> {
    kaohe_app::findings::remove_inspection(
        &st.store,
        &a.user,
        id,
        &unit,
        iid,
        &b.reason,
        &st.now(),
    )
    .await?;
    Ok(Json(serde_json::json!({ "removed": iid })))
}

/// A unit's findings (问题记录): hand-made ones can be withdrawn, imported ones change with the
/// next import. For who may read the unit.
async fn findings(
    State(st): State<AppState>,
    a: Authed,
    Path((id, unit)): Path<(i64, String)>,
) -> ApiResult<Json<Vec<kaohe_store::Finding>>> {
    Ok(Json(st.store.findings_of(&a.user, id, &unit).await?))
}

#[derive(Deserialize)]
struct Withdrawal {
    reason: String,
}

async fn withdraw_finding(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path((id, unit, fid)): Path<(i64, String, i64)>,
    Json(b): Json<Withdrawal>,
) -> ApiResult<Json<serde_json::Value>> {
    st.store
        .withdraw_finding(&a.user, id, &unit, fid, &b.reason, &st.now())
        .await?;
    Ok(Json(serde_json::json!({ "withdrawn": fid })))
}

/// `page`, `per_page` and `sort` of the results API; none of them: the whole result, as a file.
#[derive(serde::Deserialize, Default)]
struct ResultsQuery {
    page: Option<String>,
    per_page: Option<String>,
    sort: Option<String>,
}

/// The result in the JSON shape of DATA.md §3. Admins and assessors may read it in any stage; others
/// once it is published (公示), and a reporter then sees every unit's total and rank but the clause
/// details of its own unit only. With `page`, `per_page` (at most 500) or `sort` (rank, total, name,
/// code): that page of the units, with `paging` saying where it stands; without them the whole
/// result, downloadable as `结果.json`.
async fn results(
    State(st): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> ApiResult<Response> {
    if q.page.is_none() && q.per_page.is_none() && q.sort.is_none() {
        let v = kaohe_app::results::report_json(&st.store, &a.user, id).await?;
        let mut r = Json(v).into_response();
        r.headers_mut().insert(
            axum::http::header::CONTENT_DISPOSITION,
            axum::http::HeaderValue::from_static(
                "attachment; filename=\"results.json\"; filename*=UTF-8''%E7%BB%93%E6%9E%9C.json",
            ),
        );
        return Ok(r);
    }
    let p = kaohe_app::results::Paging::parse(
        q.page.as_deref(),
        q.per_page.as_deref(),
        q.sort.as_deref(),
    )?;
    Ok(Json(kaohe_app::results::page_json(&st.store, &a.user, id, &p).await?).into_response())
}
