//! 网页 — the server-rendered pages in 简体中文 (templates embedded in the binary, auto-escaped):
//! sign-in, the dashboard, an assessment with its league table and chart, the rubric, and a unit's
//! scorecard with the assessor's score forms. Forms carry the session's CSRF token; a rejected form
//! comes back with what was typed and a message saying what to fix.

use crate::AppState;
use crate::auth::{self, Authed};
use crate::whatif::{Other, Refused, may_see_results};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaohe_store::{Ledger, Role, Stage, Store};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::OnceLock;

fn env() -> &'static minijinja::Environment<'static> {
    static ENV: OnceLock<minijinja::Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut e = minijinja::Environment::new();
        for (name, src) in [
            ("base.html", include_str!("../templates/base.html")),
            ("login.html", include_str!("../templates/login.html")),
            (
                "dashboard.html",
                include_str!("../templates/dashboard.html"),
            ),
            (
                "assessment.html",
                include_str!("../templates/assessment.html"),
            ),
            ("rubric.html", include_str!("../templates/rubric.html")),
            (
                "scorecard.html",
                include_str!("../templates/scorecard.html"),
            ),
            ("feedback.html", include_str!("../templates/feedback.html")),
            ("import.html", include_str!("../templates/import.html")),
            ("audit.html", include_str!("../templates/audit.html")),
            ("setup.html", include_str!("../templates/setup.html")),
            ("grid.html", include_str!("../templates/grid.html")),
            ("whatif.html", include_str!("../templates/whatif.html")),
        ] {
            e.add_template(name, src).expect("templates compile");
        }
        e
    })
}

fn render(name: &str, ctx: Value) -> Response {
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

/// The page that says the database failed (the error logged): a failure is never shown as empty data.
fn db_failed(a: &Authed, e: &dyn std::fmt::Display) -> Response {
    eprintln!("kaohe-server: database: {e}");
    page_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        Some(a),
        "读取数据失败，请联系管理员",
    )
}

/// The value of a store call, or (from a handler) the page that says the database failed.
macro_rules! or_500 {
    ($e:expr, $a:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return db_failed(&$a, &e),
        }
    };
}

/// An assessment, or the page that says there is none (404) or that the database failed (500).
async fn assessment_or_page(
    st: &AppState,
    a: &Authed,
    id: i64,
) -> Result<kaohe_store::store::Assessment, Response> {
    match st.store.assessment(id).await {
        Ok(x) => Ok(x),
        Err(kaohe_store::StoreError::NotFound(_)) => {
            Err(page_error(StatusCode::NOT_FOUND, Some(a), "没有这个考核"))
        }
        Err(e) => Err(db_failed(a, &e)),
    }
}

/// An assessment's inputs, or the error page: a database failure is never shown as empty data.
async fn inputs_or_page(
    st: &AppState,
    a: &Authed,
    id: i64,
) -> Result<std::sync::Arc<kaohe_core::Inputs>, Response> {
    st.store.inputs(id).await.map_err(|e| {
        eprintln!("kaohe-server: inputs of assessment {id}: {e}");
        page_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(a),
            "读取考核数据失败，请联系管理员",
        )
    })
}

fn page_error(status: StatusCode, a: Option<&Authed>, message: &str) -> Response {
    let mut ctx = base(a);
    ctx["error"] = json!(message);
    let mut r = render("dashboard.html", ctx);
    *r.status_mut() = status;
    r
}

fn base(a: Option<&Authed>) -> Value {
    match a {
        Some(a) => json!({ "user": a.user, "role_label": a.user.role.label(), "csrf": a.csrf }),
        None => json!({}),
    }
}

async fn signed_in(st: &AppState, headers: &HeaderMap) -> Option<Authed> {
    let mut parts = axum::http::Request::builder().body(()).ok()?.into_parts().0;
    parts.headers = headers.clone();
    <Authed as axum::extract::FromRequestParts<AppState>>::from_request_parts(&mut parts, st)
        .await
        .ok()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/login", get(login_page).post(login_form))
        .route("/logout", post(logout_form))
        .route("/a/{id}", get(assessment))
        .route("/a/{id}/rubric", get(rubric))
        .route("/a/{id}/u/{unit}", get(scorecard))
        .route("/a/{id}/u/{unit}/score", post(score_form))
        .route("/a/{id}/u/{unit}/self", post(self_form))
        .route("/a/{id}/u/{unit}/finding", post(finding_form))
        .route(
            "/a/{id}/u/{unit}/finding/{fid}/withdraw",
            post(withdraw_form),
        )
        .route("/a/{id}/advance", post(advance_form))
        .route("/a/{id}/import", get(import_page))
        .route("/audit", get(audit_page))
        .route("/a/{id}/setup", get(setup_page).post(setup_form))
        .route("/a/{id}/grid", get(grid_page))
        .route("/a/{id}/whatif", get(whatif_page).post(whatif_form))
        .route("/a/{id}/whatif.xlsx", get(whatif_xlsx))
        .route("/a/{id}/u/{unit}/object", post(object_form))
        .route("/a/{id}/u/{unit}/objections/{oid}", post(decide_form))
        .route("/a/{id}/u/{unit}/feedback", get(feedback))
        .route("/a/{id}/u/{unit}/feedback.pdf", get(feedback_pdf))
        .route("/a/{id}/export.xlsx", get(export_xlsx))
        .route("/a/{id}/export.csv", get(export_csv))
        .route("/a/{id}/feedback.pdf", get(export_feedback_pdf))
}

async fn login_page() -> Response {
    render("login.html", json!({ "login": "" }))
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
}

async fn login_form(State(st): State<AppState>, addr: auth::ClientAddr, body: String) -> Response {
    let Ok(f) = serde_urlencoded::from_str::<LoginForm>(&body) else {
        return render(
            "login.html",
            json!({ "login": "", "error": "请填写登录名和密码" }),
        );
    };
    match auth::sign_in(&st, &f.login, &f.password, addr).await {
        Ok((cookie, _user, _csrf)) => {
            let mut r = Redirect::to("/").into_response();
            r.headers_mut().insert(header::SET_COOKIE, cookie);
            r
        }
        Err(e) => {
            let mut r = render(
                "login.html",
                json!({ "login": f.login, "error": e.message }),
            );
            *r.status_mut() = e.status;
            r
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout_form(State(st): State<AppState>, headers: HeaderMap, body: String) -> Response {
    if let (Some(a), Ok(f)) = (
        signed_in(&st, &headers).await,
        serde_urlencoded::from_str::<CsrfForm>(&body),
    ) && auth::same(&f.csrf, &a.csrf)
    {
        let _ = st.store.end_session(&a.token).await;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, auth::clear_cookie(&st));
    r
}

async fn dashboard(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let Some(a) = signed_in(&st, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    let mut list = Vec::new();
    for x in or_500!(st.store.assessments().await, a) {
        let units = or_500!(st.store.units(x.id).await, a);
        let p = or_500!(st.store.progress(x.id).await, a);
        list.push(json!({ "id": x.id, "title": x.title, "stage_label": x.stage.label(), "rubric_id": x.rubric_id, "units": units.len(), "self_units": p.0, "scored": p.1, "open_objections": p.2 }));
    }
    let mut ctx = base(Some(&a));
    ctx["assessments"] = json!(list);
    ctx["own_unit"] = json!(a.user.unit_code);
    render("dashboard.html", ctx)
}

pub use crate::charts::league_chart;

/// A unit's points by indicator, with the average of all units (units missing data for an
/// indicator are left out of its average, and the unit's own bar says 缺数据).
fn profile(
    rubric: &kaohe_core::rubric::Rubric,
    scored: &kaohe_core::result::Scored<'_>,
    me: &kaohe_core::result::UnitResult,
) -> Vec<crate::charts::ProfileRow> {
    let sum = |r: &kaohe_core::result::UnitResult, ind: &kaohe_core::rubric::Indicator| {
        let cells = scored.clauses(r);
        ind.items
            .iter()
            .flat_map(|it| it.clauses.iter())
            .try_fold(rust_decimal::Decimal::ZERO, |acc, &ci| {
                cells[ci].score().map(|v| acc + v)
            })
    };
    rubric
        .indicators
        .iter()
        .map(|ind| {
            let known: Vec<_> = scored.units.iter().filter_map(|r| sum(r, ind)).collect();
            let average = (!known.is_empty()).then(|| {
                known.iter().sum::<rust_decimal::Decimal>()
                    / rust_decimal::Decimal::from(known.len() as u64)
            });
            crate::charts::ProfileRow {
                name: ind.name.clone(),
                max: ind.max,
                unit: sum(me, ind),
                average,
            }
        })
        .collect()
}

/// The unit's total and rank in every assessment whose results the user may see, oldest year first.
/// `this` is the assessment being shown (id, year, total, rank), already scored.
async fn years(
    st: &AppState,
    a: &Authed,
    unit: &str,
    this: (i64, i32, rust_decimal::Decimal, u32),
) -> Vec<(i32, rust_decimal::Decimal, u32)> {
    let mut out = vec![(this.1, this.2, this.3)];
    for row in st.store.assessments().await.unwrap_or_default() {
        if row.id == this.0 {
            continue;
        }
        let x = match st.store.assessment(row.id).await {
            Ok(x) => x,
            Err(e) => {
                // Left out of the chart, and logged.
                eprintln!("kaohe-server: assessment {}: {e}", row.id);
                continue;
            }
        };
        if !may_see_results(&a.user, x.stage) {
            continue;
        }
        // A year whose data cannot be read is left out of the chart, and logged.
        let inputs = match st.store.inputs(row.id).await {
            Ok(i) => i,
            Err(e) => {
                eprintln!("kaohe-server: inputs of assessment {}: {e}", row.id);
                continue;
            }
        };
        let scored = kaohe_core::score(&x.rubric, &inputs);
        if let Some(r) = scored.units.iter().find(|r| &*scored.unit(r).code == unit) {
            out.push((x.year as i32, r.total, r.rank));
        }
    }
    out.sort_by_key(|p| p.0);
    out
}

#[derive(Deserialize, Default)]
struct Msg {
    msg: Option<String>,
}

async fn assessment(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(msg): Query<Msg>,
) -> Response {
    let Some(a) = signed_in(&st, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    let x = match assessment_or_page(&st, &a, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let units = or_500!(st.store.units(id).await, a);
    let mut ctx = base(Some(&a));
    ctx["a"] = json!({ "id": id, "title": x.title, "stage_label": x.stage.label(), "rubric_title": x.rubric.title, "rubric_id": x.rubric.id, "sha256": x.rubric.sha256 });
    if a.user.role == Role::Admin
        && let Some(n) = x.stage.next()
    {
        ctx["next_stage"] = json!({ "key": n.key(), "label": n.label() });
    }
    ctx["sealed"] = json!(or_500!(st.store.sealed(id).await, a));
    ctx["is_admin"] = json!(a.user.role == Role::Admin);
    ctx["can_grid"] = json!(matches!(a.user.role, Role::Admin | Role::Assessor));
    ctx["can_whatif"] = json!(a.user.role != Role::Reporter && may_see_results(&a.user, x.stage));
    ctx["notice"] = json!(msg.msg);
    if may_see_results(&a.user, x.stage) {
        let inputs = match inputs_or_page(&st, &a, id).await {
            Ok(i) => i,
            Err(r) => return r,
        };
        let scored = kaohe_core::score(&x.rubric, &inputs);
        let report =
            serde_json::to_value(kaohe_report::json::report(&scored, &[])).unwrap_or_default();
        let league: Vec<Value> = report["units"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|u| {
                let link = Store::may_read_unit(&a.user, u["code"].as_str().unwrap_or_default());
                json!({ "rank": u["rank"], "code": u["code"], "name": u["name"], "kind": u["kind"], "base": u["base"], "bonus": u["bonus"], "total": u["total"], "complete": u["complete"], "link": link })
            })
            .collect();
        let max: f64 = x.rubric.max_total.to_string().parse().unwrap_or(1.0);
        ctx["chart"] = json!(league_chart(&league, max));
        let totals: Vec<_> = scored.units.iter().map(|r| r.total).collect();
        let bins = crate::charts::bins(&totals, 8);
        ctx["distribution"] = json!(crate::charts::distribution_chart(&bins, x.rubric.precision));
        ctx["league"] = json!(league);
    } else {
        ctx["hidden_reason"] = json!(format!("结果尚未公示（当前为“{}”阶段）。", x.stage.label()));
        ctx["units"] = json!(units.iter().map(|u| json!({ "code": u.code, "name": u.name, "link": Store::may_read_unit(&a.user, &u.code) })).collect::<Vec<_>>());
    }
    render("assessment.html", ctx)
}

async fn rubric(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let Some(a) = signed_in(&st, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    let x = match assessment_or_page(&st, &a, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = &x.rubric;
    let indicators: Vec<Value> = r
        .indicators
        .iter()
        .enumerate()
        .map(|(ii, ind)| {
            let clauses: Vec<Value> = r
                .clauses
                .iter()
                .filter(|c| c.indicator == ii)
                .map(|c| {
                    json!({ "id": &*c.id, "item": ind.items[c.item].name, "max": if c.is_bonus() { "加分".to_string() } else { c.max.normalize().to_string() }, "methods": c.methods.iter().map(|m| m.label()).collect::<Vec<_>>().join("、"), "text": c.text, "rule": r.describe_rule(c), "checkpoints": c.checkpoints })
                })
                .collect();
            json!({ "id": ind.id, "name": ind.name, "max": ind.max.normalize().to_string(), "clauses": clauses })
        })
        .collect();
    let mut ctx = base(Some(&a));
    ctx["r"] = json!({ "title": r.title, "id": r.id, "version": r.version, "max_total": r.max_total.normalize().to_string(), "sha256": r.sha256, "indicators": indicators });
    render("rubric.html", ctx)
}

#[derive(Deserialize, Default)]
struct Notice {
    ok: Option<String>,
    found: Option<String>,
    withdrawn: Option<String>,
    objected: Option<String>,
    decided: Option<String>,
}

async fn scorecard_page(
    st: &AppState,
    a: &Authed,
    id: i64,
    unit: &str,
    error: Option<String>,
    typed: Option<&ScoreForm>,
    notice: Option<String>,
) -> Response {
    scorecard_page_kept(st, a, id, unit, error, typed, notice, Value::Null).await
}

/// The scorecard; `kept` is what was typed into a refused objection form (`form` = "object" or the
/// objection's id), shown again so nothing typed is lost.
#[allow(clippy::too_many_arguments)]
async fn scorecard_page_kept(
    st: &AppState,
    a: &Authed,
    id: i64,
    unit: &str,
    error: Option<String>,
    typed: Option<&ScoreForm>,
    notice: Option<String>,
    kept: Value,
) -> Response {
    if !Store::may_read_unit(&a.user, unit) {
        return page_error(
            StatusCode::FORBIDDEN,
            Some(a),
            &format!(
                "{}（{}）无权查看单位 {unit} 的考核表",
                a.user.name,
                a.user.role.label()
            ),
        );
    }
    let x = match assessment_or_page(st, a, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let units = or_500!(st.store.units(id).await, a);
    let Some(u) = units.iter().find(|u| u.code == unit) else {
        return page_error(
            StatusCode::NOT_FOUND,
            Some(a),
            &format!("本次考核中没有单位“{unit}”"),
        );
    };
    let scores = or_500!(st.store.scores(id, unit).await, a);
    let show = may_see_results(&a.user, x.stage);
    let inputs = match inputs_or_page(st, a, id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let scored = kaohe_core::score(&x.rubric, &inputs);
    let ur = scored.units.iter().find(|r| &*scored.unit(r).code == unit);
    let assigned = or_500!(st.store.assigned(id, &a.user, unit).await, a);
    let can_score = x.stage == Stage::Review
        && (a.user.role == Role::Admin || (a.user.role == Role::Assessor && assigned));
    // Findings recorded by hand, which whoever may score can withdraw (with a reason).
    let by_hand: Vec<kaohe_store::Finding> = if can_score {
        st.store
            .findings_of(id, unit)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|f| !f.imported)
            .collect()
    } else {
        Vec::new()
    };
    let can_self = x.stage == Stage::SelfAssessment
        && a.user.role == Role::Reporter
        && a.user.unit_code.as_deref() == Some(unit);
    let evidence = or_500!(st.store.evidence(id, unit).await, a);
    let can_object = x.stage == Stage::Publication
        && a.user.role == Role::Reporter
        && a.user.unit_code.as_deref() == Some(unit);
    let can_decide = x.stage == Stage::Publication
        && (a.user.role == Role::Admin || (a.user.role == Role::Assessor && assigned));
    let objections: Vec<Value> = st
        .store
        .objections(&a.user, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| o.unit_code == unit)
        .map(|o| {
            let label = match o.status.as_str() {
                "open" => "待处理",
                "upheld" => "已采纳",
                _ => "不予采纳",
            };
            let mut v = json!(o);
            v["status_label"] = json!(label);
            v
        })
        .collect();
    let clauses: Vec<Value> = x
        .rubric
        .clauses
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let find = |l: Ledger| scores.iter().find(|s| s.clause_id == *c.id && s.ledger == l);
            let (s_self, s_ass, s_fin) = (find(Ledger::SelfScore), find(Ledger::Assessor), find(Ledger::Final));
            let (final_score, explanation, lost, instances) = match (show, ur) {
                (true, Some(r)) => {
                    let cr = scored.clauses(r)[ci];
                    (
                        cr.score().map(|v| kaohe_report::fixed(v, x.rubric.precision)),
                        scored.explain(r, ci),
                        !scored.lost(c, &cr).is_zero(),
                        scored.findings(r, ci).iter().map(|f| f.description.clone()).collect::<Vec<_>>(),
                    )
                }
                _ => (None, String::new(), false, Vec::new()),
            };
            let mut row = json!({
                "id": &*c.id, "title": c.title, "max": c.max.normalize().to_string(),
                "self": s_self.map(|s| s.score.clone()), "self_reason": s_self.map(|s| s.reason.clone()),
                "assessor": if show || a.user.role != Role::Reporter { s_ass.map(|s| s.score.clone()) } else { None },
                "assessor_reason": if show || a.user.role != Role::Reporter { s_ass.map(|s| s.reason.clone()) } else { None },
                "version": s_ass.map(|s| s.version),
                "self_version": s_self.map(|s| s.version),
                "evidence": evidence.iter().filter(|e| e.clause_id == *c.id).collect::<Vec<_>>(),
                "final": final_score.or(s_fin.map(|s| s.score.clone())), "explanation": explanation, "lost": lost, "instances": instances,
                "judgement": matches!(c.rule, kaohe_core::rubric::Rule::Judgement),
                "by_hand": by_hand.iter().filter(|f| f.clause_id == *c.id).collect::<Vec<_>>(),
            });
            if let Some(t) = typed
                && t.clause == *c.id
            {
                if t.description.is_empty() {
                    row["assessor"] = json!(t.score);
                    row["assessor_reason"] = json!(t.reason);
                } else {
                    row["finding_typed"] = json!(t.description);
                }
            }
            row["takes_findings"] = json!(c.rule.takes_findings());
            row
        })
        .collect();
    let mut ctx = base(Some(a));
    ctx["unit"] = json!(u);
    ctx["a_id"] = json!(id);
    ctx["stage_label"] = json!(x.stage.label());
    ctx["clauses"] = json!(clauses);
    ctx["can_score"] = json!(can_score);
    ctx["can_self"] = json!(can_self);
    ctx["can_object"] = json!(can_object);
    ctx["can_decide"] = json!(can_decide);
    ctx["objections"] = json!(objections);
    if let (true, Some(r)) = (show, ur) {
        let profile = profile(&x.rubric, &scored, r);
        ctx["profile_chart"] = json!(crate::charts::profile_chart(&profile));
        ctx["profile"] = json!(
            profile
                .iter()
                .map(|p| json!({
                    "name": p.name,
                    "max": p.max.normalize().to_string(),
                    "unit": p.unit.map(|v| v.normalize().to_string()),
                    "average": p.average.map(|v| kaohe_report::fixed(v, x.rubric.precision)),
                }))
                .collect::<Vec<_>>()
        );
        let years = years(st, a, unit, (id, x.year as i32, r.total, r.rank)).await;
        if years.len() > 1 {
            ctx["years_chart"] = json!(crate::charts::years_chart(&years));
        }
        ctx["total"] = json!({ "total": kaohe_report::fixed(r.total, x.rubric.precision), "base": kaohe_report::fixed(r.base, x.rubric.precision), "bonus": kaohe_report::fixed(r.bonus, x.rubric.precision), "rank": r.rank });
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    ctx["kept"] = kept;
    ctx["error"] = json!(error);
    ctx["notice"] = json!(notice);
    let mut resp = render("scorecard.html", ctx);
    *resp.status_mut() = status;
    resp
}

async fn scorecard(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    Query(n): Query<Notice>,
) -> Response {
    let Some(a) = signed_in(&st, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    let notice =
        n.ok.map(|c| format!("已保存条款 {c} 的得分"))
            .or(n.found.map(|c| format!("已记录条款 {c} 的问题")))
            .or(n
                .withdrawn
                .map(|c| format!("已撤回条款 {c} 的一条问题记录")))
            .or(n.objected.map(|_| "异议已提交，等待考核组处理".to_string()))
            .or(n.decided.map(|_| "异议已处理".to_string()));
    scorecard_page(&st, &a, id, &unit, None, None, notice).await
}

#[derive(Deserialize)]
struct ScoreForm {
    #[serde(default)]
    csrf: String,
    clause: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
    /// A finding's description (the 记录问题 form); when set, the form was that one.
    #[serde(default)]
    description: String,
}

async fn score_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Response {
    ledger_form(st, headers, id, unit, body, Ledger::Assessor).await
}

/// 自评: the unit's reporter, in 自评.
async fn self_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Response {
    ledger_form(st, headers, id, unit, body, Ledger::SelfScore).await
}

/// The signed-in user and the posted form of a unit's page (score, self-assessment or finding), or
/// the response that refuses it: sign-in, an incomplete form, a missing or wrong CSRF token.
async fn score_form_of(
    st: &AppState,
    headers: &HeaderMap,
    id: i64,
    unit: &str,
    body: &str,
) -> Result<(Authed, ScoreForm), Response> {
    let Some(a) = signed_in(st, headers).await else {
        return Err(Redirect::to("/login").into_response());
    };
    let Ok(f) = serde_urlencoded::from_str::<ScoreForm>(body) else {
        let r = scorecard_page(
            st,
            &a,
            id,
            unit,
            Some("表单不完整，请重新填写".into()),
            None,
            None,
        )
        .await;
        return Err(r);
    };
    if !auth::same(&f.csrf, &a.csrf) {
        return Err(csrf_refused(&a));
    }
    Ok((a, f))
}

async fn ledger_form(
    st: AppState,
    headers: HeaderMap,
    id: i64,
    unit: String,
    body: String,
    ledger: Ledger,
) -> Response {
    let (a, f) = match score_form_of(&st, &headers, id, &unit, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let version = f.version.trim().parse::<i64>().ok();
    match st
        .store
        .set_score(
            &a.user,
            id,
            &unit,
            &f.clause,
            ledger,
            &f.score,
            &f.reason,
            version,
            &st.now(),
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("/a/{id}/u/{unit}?ok={}#c-{}", f.clause, f.clause))
            .into_response(),
        Err(e) => {
            let msg = format!(
                "条款 {}：{}",
                f.clause,
                crate::error::AppError::from(e).message
            );
            scorecard_page(&st, &a, id, &unit, Some(msg), Some(&f), None).await
        }
    }
}

/// A unit's 考核反馈单, for who may read the unit once the result may be seen; otherwise the page
/// that says why not.
async fn feedback_of(
    st: &AppState,
    headers: &HeaderMap,
    id: i64,
    unit: &str,
) -> Result<kaohe_report::feedback::Feedback, Response> {
    let Some(a) = signed_in(st, headers).await else {
        return Err(Redirect::to("/login").into_response());
    };
    if !Store::may_read_unit(&a.user, unit) {
        return Err(page_error(
            StatusCode::FORBIDDEN,
            Some(&a),
            &format!(
                "{}（{}）无权查看单位 {unit} 的考核表",
                a.user.name,
                a.user.role.label()
            ),
        ));
    }
    let x = assessment_or_page(st, &a, id).await?;
    if !may_see_results(&a.user, x.stage) {
        return Err(page_error(
            StatusCode::FORBIDDEN,
            Some(&a),
            &format!("结果尚未公示（当前为“{}”阶段）", x.stage.label()),
        ));
    }
    let inputs = inputs_or_page(st, &a, id).await?;
    let scored = kaohe_core::score(&x.rubric, &inputs);
    let Some(r) = scored.units.iter().find(|r| *scored.unit(r).code == *unit) else {
        return Err(page_error(
            StatusCode::NOT_FOUND,
            Some(&a),
            &format!("本次考核中没有单位“{unit}”"),
        ));
    };
    Ok(kaohe_report::feedback::Feedback::of(
        &x.title,
        x.stage.label(),
        &scored,
        r,
    ))
}

/// 考核反馈单: one unit's result on A4 — every clause with its score and reason, total and rank,
/// signature and date lines — as a page to print.
async fn feedback(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
) -> Response {
    let f = match feedback_of(&st, &headers, id, &unit).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    render(
        "feedback.html",
        json!({ "f": &f, "heading": f.heading(), "subtitle": f.subtitle(), "a_id": id }),
    )
}

/// The same 考核反馈单 as a PDF (A4, font embedded), made on the server without a browser.
async fn feedback_pdf(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
) -> Response {
    let f = match feedback_of(&st, &headers, id, &unit).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let name = format!("{}-{}-考核反馈单.pdf", f.unit.code, f.unit.name);
    pdf_download(name, move || kaohe_report::pdf::feedback_pdf(&f)).await
}

/// A PDF made off the async threads (laying out and subsetting take a few ms a form), as a
/// download named `name`; a failure is a page saying so.
async fn pdf_download(
    name: String,
    make: impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static,
) -> Response {
    match tokio::task::spawn_blocking(make).await {
        Ok(Ok(bytes)) => attachment(bytes, "application/pdf", &name),
        Ok(Err(e)) => page_error(StatusCode::INTERNAL_SERVER_ERROR, None, &e),
        Err(_) => page_error(StatusCode::INTERNAL_SERVER_ERROR, None, "PDF 生成中断"),
    }
}

/// The whole result may be exported by admins and assessors, and by viewers once published; a
/// reporter sees its own unit only, so not the whole workbook.
async fn export_guard(
    st: &AppState,
    headers: &HeaderMap,
    id: i64,
) -> Result<
    (
        kaohe_store::store::Assessment,
        std::sync::Arc<kaohe_core::Inputs>,
    ),
    Response,
> {
    let Some(a) = signed_in(st, headers).await else {
        return Err(Redirect::to("/login").into_response());
    };
    let x = assessment_or_page(st, &a, id).await?;
    let allowed = match a.user.role {
        Role::Admin | Role::Assessor => true,
        Role::Viewer => x.stage >= Stage::Publication,
        Role::Reporter => false,
    };
    if !allowed {
        return Err(page_error(
            StatusCode::FORBIDDEN,
            Some(&a),
            "无权导出全部单位的考核结果",
        ));
    }
    let inputs = inputs_or_page(st, &a, id).await?;
    Ok((x, inputs))
}

fn attachment(bytes: Vec<u8>, mime: &'static str, name: &str) -> Response {
    let encoded = kaohe_core::text::percent_encode(name, b"._-");
    let mut r = bytes.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, header::HeaderValue::from_static(mime));
    if let Ok(v) = format!("attachment; filename*=UTF-8''{encoded}").parse() {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// 汇总表, 扣分明细 and 原始数据 as XLSX (DATA.md §3).
async fn export_xlsx(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let (x, inputs) = match export_guard(&st, &headers, id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let scored = kaohe_core::score(&x.rubric, &inputs);
    xlsx_download(
        kaohe_report::xlsx::workbook(&scored, &[]),
        &format!("{}汇总表.xlsx", x.title),
    )
}

/// A workbook as a download, or the failure logged and a 500 in Chinese.
fn xlsx_download(book: Result<Vec<u8>, impl std::fmt::Display>, name: &str) -> Response {
    match book {
        Ok(bytes) => attachment(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            name,
        ),
        Err(e) => {
            eprintln!("kaohe-server: xlsx: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "导出失败，请联系管理员").into_response()
        }
    }
}

/// Every unit's 考核反馈单 in one PDF, in rank order, to print them all at once (who may export).
async fn export_feedback_pdf(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let (x, inputs) = match export_guard(&st, &headers, id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let name = format!("{}考核反馈单（全部单位）.pdf", x.title);
    pdf_download(name, move || {
        let scored = kaohe_core::score(&x.rubric, &inputs);
        let forms: Vec<kaohe_report::feedback::Feedback> = scored
            .units
            .iter()
            .map(|r| kaohe_report::feedback::Feedback::of(&x.title, x.stage.label(), &scored, r))
            .collect();
        kaohe_report::pdf::feedback_pdfs(&forms)
    })
    .await
}

/// A CSV cell that no spreadsheet runs as a formula.
fn csv_safe(s: &str) -> String {
    if kaohe_report::xlsx::formula_like(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// 汇总表 as CSV (UTF-8 with BOM, so that Excel opens the Chinese right).
async fn export_csv(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let (x, inputs) = match export_guard(&st, &headers, id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let scored = kaohe_core::score(&x.rubric, &inputs);
    let dp = x.rubric.precision;
    let mut out = String::from("\u{feff}排名,单位编码,单位名称,类型");
    for ind in &x.rubric.indicators {
        out.push_str(&format!(",{} {}", ind.id, ind.name));
    }
    out.push_str(",基础分,加分,总分,完整\n");
    for u in &scored.units {
        let unit = scored.unit(u);
        let mut row = vec![
            u.rank.to_string(),
            csv_safe(&unit.code),
            csv_safe(&unit.name),
            csv_safe(&unit.kind),
        ];
        for i in 0..x.rubric.indicators.len() {
            row.push(kaohe_report::fixed(scored.indicator_score(u, i), dp));
        }
        row.extend([
            kaohe_report::fixed(u.base, dp),
            kaohe_report::fixed(u.bonus, dp),
            kaohe_report::fixed(u.total, dp),
            if u.complete {
                "是".into()
            } else {
                "否".into()
            },
        ]);
        let quoted: Vec<String> = row
            .iter()
            .map(|c| {
                if c.contains([',', '"', '\n']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    attachment(
        out.into_bytes(),
        "text/csv; charset=utf-8",
        &format!("{}汇总表.csv", x.title),
    )
}

type Fields = std::collections::HashMap<String, String>;

/// The signed-in user and the fields of a posted form, or the response that refuses it: sign-in, or
/// 403 unless the form's CSRF token is the session's.
async fn posted(
    st: &AppState,
    headers: &HeaderMap,
    body: &str,
) -> Result<(Authed, Fields), Response> {
    let Some(a) = signed_in(st, headers).await else {
        return Err(Redirect::to("/login").into_response());
    };
    match serde_urlencoded::from_str::<Fields>(body) {
        Ok(f) if auth::same(f.get("csrf").map(String::as_str).unwrap_or(""), &a.csrf) => Ok((a, f)),
        _ => Err(csrf_refused(&a)),
    }
}

fn csrf_refused(a: &Authed) -> Response {
    page_error(
        StatusCode::FORBIDDEN,
        Some(a),
        "缺少或错误的 CSRF 令牌（请刷新页面后重试）",
    )
}

/// 推进阶段 (admin), with a confirmation; into 定档 the result is sealed.
async fn advance_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: String,
) -> Response {
    let (a, f) = match posted(&st, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let back = |msg: &str| {
        Redirect::to(&format!(
            "/a/{id}?{}",
            serde_urlencoded::to_string([("msg", msg)]).unwrap_or_default()
        ))
        .into_response()
    };
    if f.get("confirm").map(String::as_str) != Some("yes") {
        return back("请勾选“确认推进”");
    }
    let why = f.get("why").cloned().unwrap_or_default();
    let Some(to) = f.get("to").and_then(|t| Stage::parse(t)) else {
        return back("未知阶段");
    };
    let result = if to == Stage::Final {
        match crate::api::compute(&st, id).await {
            Ok((_, text)) => st
                .store
                .finalize(&a.user, id, &text, &why, &st.now())
                .await
                .map(|s| format!("已定档，结果已封存（sha256 {}）", s.sha256)),
            Err(e) => return back(&e.message),
        }
    } else {
        st.store
            .advance(&a.user, id, to, &why, &st.now())
            .await
            .map(|_| format!("已进入“{}”阶段", to.label()))
    };
    match result {
        Ok(m) => back(&m),
        Err(e) => back(&crate::error::AppError::from(e).message),
    }
}

/// 提出异议 (the unit's reporter, 公示).
async fn object_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Response {
    let (a, f) = match posted(&st, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (clause, reason) = (
        f.get("clause").cloned().unwrap_or_default(),
        f.get("reason").cloned().unwrap_or_default(),
    );
    match st
        .store
        .file_objection(&a.user, id, &unit, &clause, &reason, &st.now())
        .await
    {
        Ok(_) => Redirect::to(&format!("/a/{id}/u/{unit}?objected=1#objections")).into_response(),
        Err(e) => {
            scorecard_page_kept(
                &st,
                &a,
                id,
                &unit,
                Some(crate::error::AppError::from(e).message),
                None,
                None,
                json!({ "form": "object", "clause": clause, "reason": reason }),
            )
            .await
        }
    }
}

/// 处理异议 (an assigned assessor or admin, 公示).
async fn decide_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit, oid)): Path<(i64, String, i64)>,
    body: String,
) -> Response {
    let (a, f) = match posted(&st, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let upheld = f.get("upheld").map(String::as_str) == Some("yes");
    let score = f.get("score").map(|s| s.trim()).filter(|s| !s.is_empty());
    let reason = f.get("reason").cloned().unwrap_or_default();
    let d = kaohe_store::Decision {
        upheld,
        reason: &reason,
        score,
    };
    match st
        .store
        .decide_objection(&a.user, id, oid, &d, &st.now())
        .await
    {
        Ok(()) => Redirect::to(&format!("/a/{id}/u/{unit}?decided=1#objections")).into_response(),
        Err(e) => {
            scorecard_page_kept(
                &st,
                &a,
                id,
                &unit,
                Some(crate::error::AppError::from(e).message),
                None,
                None,
                json!({ "form": oid, "upheld": upheld, "score": score, "reason": reason }),
            )
            .await
        }
    }
}

/// 导入平台数据 (admin): stage, preview, commit or cancel — through the import API.
async fn import_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let Some(a) = signed_in(&st, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    if a.user.role != Role::Admin {
        return page_error(
            StatusCode::FORBIDDEN,
            Some(&a),
            "只有管理员可以导入平台数据",
        );
    }
    let x = match assessment_or_page(&st, &a, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut ctx = base(Some(&a));
    ctx["a_id"] = json!(id);
    ctx["title"] = json!(x.title);
    ctx["period"] = json!(format!("{0}-01-01..{0}-12-31", x.year));
    render("import.html", ctx)
}

#[derive(Deserialize, Default, serde::Serialize)]
struct AuditFilter {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    entity: String,
}

/// 审计日志 (admin): newest first, filterable, with the chain's status.
async fn audit_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AuditFilter>,
) -> Response {
    let Some(a) = signed_in(&st, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    let entries = match st
        .store
        .audit_search(&a.user, &q.actor, &q.action, &q.entity, 500)
        .await
    {
        Ok(e) => e,
        Err(e) => {
            return page_error(
                StatusCode::FORBIDDEN,
                Some(&a),
                &crate::error::AppError::from(e).message,
            );
        }
    };
    let chain = st.store.audit_verify().await.ok();
    let mut ctx = base(Some(&a));
    ctx["entries"] = json!(entries);
    ctx["q"] = json!(q);
    match chain {
        Some(Ok(n)) => {
            ctx["chain_ok"] = json!(true);
            ctx["chain_entries"] = json!(n);
        }
        Some(Err(e)) => ctx["chain_error"] = json!(e),
        None => ctx["chain_error"] = json!("无法读取审计日志"),
    }
    render("audit.html", ctx)
}

/// 设置 (admin): the assessment's units, the accounts, and which assessor scores which unit. `typed`
/// keeps what was typed into a rejected form, `error` says what to fix.
async fn setup_render(
    st: &AppState,
    a: &Authed,
    id: i64,
    typed: Value,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    if a.user.role != Role::Admin {
        return page_error(StatusCode::FORBIDDEN, Some(a), "只有管理员可以设置考核");
    }
    let x = match assessment_or_page(st, a, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut ctx = base(Some(a));
    ctx["a_id"] = json!(id);
    ctx["title"] = json!(x.title);
    ctx["stage_label"] = json!(x.stage.label());
    ctx["units"] = json!(or_500!(st.store.units(id).await, a));
    let users = or_500!(st.store.users(&a.user).await, a);
    ctx["users"] = json!(users
        .iter()
        .map(|u| json!({ "login": u.login, "name": u.name, "role": u.role.label(), "unit": u.unit_code }))
        .collect::<Vec<_>>());
    ctx["assessors"] = json!(
        users
            .iter()
            .filter(|u| u.role == Role::Assessor)
            .map(|u| json!({ "login": u.login, "name": u.name }))
            .collect::<Vec<_>>()
    );
    ctx["assignments"] = json!(
        st.store
            .assignments(id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(login, name, unit)| json!({ "login": login, "name": name, "unit": unit }))
            .collect::<Vec<_>>()
    );
    ctx["typed"] = typed;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    ctx["error"] = json!(error);
    ctx["notice"] = json!(notice);
    let mut r = render("setup.html", ctx);
    *r.status_mut() = status;
    r
}

async fn setup_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(msg): Query<Msg>,
) -> Response {
    let Some(a) = signed_in(&st, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    setup_render(&st, &a, id, json!({}), None, msg.msg).await
}

/// One setup form: `what` = unit (add a unit), user (add an account) or assign (an assessor to a unit).
async fn setup_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: String,
) -> Response {
    let (a, f) = match posted(&st, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let what = get("what");
    let now = st.now();
    let result: Result<String, String> = match what.as_str() {
        "unit" => {
            let (code, name, kind) = (get("code"), get("name"), get("kind"));
            if code.is_empty() || name.is_empty() || kind.is_empty() {
                Err("请填写单位编码（区划代码）、名称和类型".into())
            } else {
                st.store
                    .add_unit(&a.user, id, &code, &name, &kind, &now)
                    .await
                    .map(|_| format!("已添加单位 {name}（{code}）"))
                    .map_err(|e| crate::error::AppError::from(e).message)
            }
        }
        "user" => {
            let (login, name, role, unit, password) = (
                get("login"),
                get("name"),
                get("role"),
                get("unit"),
                f.get("password").cloned().unwrap_or_default(),
            );
            match Role::parse(&role) {
                None => Err("请选择角色".into()),
                Some(r) => st
                    .store
                    .add_user(
                        Some(&a.user),
                        &kaohe_store::NewUser {
                            login: &login,
                            name: &name,
                            role: r,
                            unit: (!unit.is_empty()).then_some(unit.as_str()),
                            password: &password,
                        },
                        &now,
                    )
                    .await
                    .map(|u| format!("已添加账号 {}（{}，{}）", u.login, u.name, u.role.label()))
                    .map_err(|e| crate::error::AppError::from(e).message),
            }
        }
        "assign" => {
            let (login, unit) = (get("assessor"), get("unit"));
            match st.store.user_by_login(&login).await {
                Ok(Some(u)) => st
                    .store
                    .assign(&a.user, id, &u, &unit, &now)
                    .await
                    .map(|_| format!("已安排 {} 考核单位 {unit}", u.name))
                    .map_err(|e| crate::error::AppError::from(e).message),
                _ => Err(format!("没有账号“{login}”")),
            }
        }
        _ => Err("未知的设置项".into()),
    };
    match result {
        Ok(m) => Redirect::to(&format!(
            "/a/{id}/setup?{}",
            serde_urlencoded::to_string([("msg", m.as_str())]).unwrap_or_default()
        ))
        .into_response(),
        Err(e) => {
            // Keep what was typed, except the password.
            let mut typed = json!(f);
            if let Some(o) = typed.as_object_mut() {
                o.remove("password");
                o.remove("csrf");
            }
            setup_render(&st, &a, id, typed, Some(e), None).await
        }
    }
}

/// 评分表 (admin, assessors): the units one may score × the 评定 clauses, one cell per score with its
/// reason; cells save through the score API with the version they showed (a change made meanwhile by
/// someone else comes back as a conflict with the current value, never an overwrite).
async fn grid_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let Some(a) = signed_in(&st, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    if !matches!(a.user.role, Role::Admin | Role::Assessor) {
        return page_error(
            StatusCode::FORBIDDEN,
            Some(&a),
            "只有管理员和考核员可以使用评分表",
        );
    }
    let x = match assessment_or_page(&st, &a, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let clauses: Vec<&kaohe_core::rubric::Clause> = x
        .rubric
        .clauses
        .iter()
        .filter(|c| matches!(c.rule, kaohe_core::rubric::Rule::Judgement))
        .collect();
    let mut rows = Vec::new();
    for u in or_500!(st.store.units(id).await, a) {
        let mine =
            a.user.role == Role::Admin || or_500!(st.store.assigned(id, &a.user, &u.code).await, a);
        if !mine {
            continue;
        }
        let scores = or_500!(st.store.scores(id, &u.code).await, a);
        let cells: Vec<Value> = clauses
            .iter()
            .map(|c| {
                let s = scores
                    .iter()
                    .find(|s| s.clause_id == *c.id && s.ledger == Ledger::Assessor);
                json!({
                    "clause": &*c.id, "max": c.max.normalize().to_string(),
                    "score": s.map(|s| s.score.clone()), "reason": s.map(|s| s.reason.clone()),
                    "version": s.map(|s| s.version),
                })
            })
            .collect();
        rows.push(json!({ "code": u.code, "name": u.name, "cells": cells }));
    }
    let mut ctx = base(Some(&a));
    ctx["a_id"] = json!(id);
    ctx["title"] = json!(x.title);
    ctx["stage_label"] = json!(x.stage.label());
    ctx["editable"] = json!(x.stage == Stage::Review);
    ctx["clauses"] =
        json!(clauses
        .iter()
        .map(|c| json!({ "id": &*c.id, "title": c.title, "max": c.max.normalize().to_string() }))
        .collect::<Vec<_>>());
    ctx["rows"] = json!(rows);
    render("grid.html", ctx)
}

/// 记录问题 (admin, the unit's assessors, in 考核): one finding of a clause counted per instance; it
/// appears in the clause's explanation and receipts. Refused forms keep the typed description.
/// 撤回: a finding recorded by hand taken back, with the reason (the audit log keeps its text).
async fn withdraw_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit, fid)): Path<(i64, String, i64)>,
    body: String,
) -> Response {
    let (a, f) = match score_form_of(&st, &headers, id, &unit, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match st
        .store
        .withdraw_finding(&a.user, id, &unit, fid, &f.reason, &st.now())
        .await
    {
        Ok(()) => Redirect::to(&format!(
            "/a/{id}/u/{unit}?withdrawn={}#c-{}",
            f.clause, f.clause
        ))
        .into_response(),
        Err(e) => {
            let msg = format!(
                "条款 {}：{}",
                f.clause,
                crate::error::AppError::from(e).message
            );
            scorecard_page(&st, &a, id, &unit, Some(msg), None, None).await
        }
    }
}

async fn finding_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Response {
    let (a, f) = match score_form_of(&st, &headers, id, &unit, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match st
        .store
        .add_finding(&a.user, id, &unit, &f.clause, &f.description, &st.now())
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/a/{id}/u/{unit}?found={}#c-{}",
            f.clause, f.clause
        ))
        .into_response(),
        Err(e) => {
            let msg = format!(
                "条款 {}：{}",
                f.clause,
                crate::error::AppError::from(e).message
            );
            // An empty description is kept as a single space so the form still counts as typed.
            let mut typed = f;
            if typed.description.is_empty() {
                typed.description = " ".into();
            }
            scorecard_page(&st, &a, id, &unit, Some(msg), Some(&typed), None).await
        }
    }
}

#[derive(Deserialize, Default)]
struct WhatIfPick {
    /// The assessment whose data is re-scored (default: this one).
    data: Option<i64>,
    /// The assessment whose rubric the data is re-scored under.
    rubric: Option<i64>,
}

/// 方案对比 (what-if): choose the data and another assessment's rubric.
async fn whatif_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<WhatIfPick>,
) -> Response {
    let Some(a) = signed_in(&st, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    let other = q.rubric.map(Other::Stored);
    whatif_render(&st, &a, id, q.data.unwrap_or(id), other, false).await
}

/// The same comparison as a workbook (总分与名次, 细则改动, 得分变化, 提示).
async fn whatif_xlsx(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<WhatIfPick>,
) -> Response {
    let Some(a) = signed_in(&st, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    let Some(rid) = q.rubric else {
        return Redirect::to(&format!("/a/{id}/whatif")).into_response();
    };
    let other = Some(Other::Stored(rid));
    whatif_render(&st, &a, id, q.data.unwrap_or(id), other, true).await
}

/// 方案对比 under a draft rubric sent as text (the page's script reads the chosen file into the field).
async fn whatif_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: String,
) -> Response {
    let (a, f) = match posted(&st, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let data = f.get("data").and_then(|d| d.parse().ok()).unwrap_or(id);
    let name = f
        .get("name")
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .unwrap_or("细则草案.toml")
        .to_string();
    let text = f.get("toml").cloned().unwrap_or_default();
    let xlsx = f.get("format").is_some_and(|x| x == "xlsx");
    whatif_render(&st, &a, id, data, Some(Other::Draft { name, text }), xlsx).await
}

async fn whatif_render(
    st: &AppState,
    a: &Authed,
    id: i64,
    data_id: i64,
    other: Option<Other>,
    xlsx: bool,
) -> Response {
    let refuse = |e: crate::error::AppError| page_error(e.status, Some(a), &e.message);
    if let Err(e) = crate::whatif::check(st, &a.user, data_id).await {
        return refuse(e);
    }
    let x = match assessment_or_page(st, a, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut data_options = Vec::new();
    let mut rubric_options = Vec::new();
    for row in or_500!(st.store.assessments().await, a) {
        if may_see_results(&a.user, row.stage) {
            data_options.push(json!({ "id": row.id, "title": row.title, "year": row.year }));
        }
        rubric_options.push(json!({ "id": row.id, "label": format!("{}（{} 所用，sha256 {}…）", row.rubric_id, row.title, &row.rubric_sha256[..row.rubric_sha256.len().min(8)]) }));
    }
    let mut ctx = base(Some(a));
    ctx["a"] = json!({ "id": id, "title": x.title });
    ctx["data_id"] = json!(data_id);
    ctx["data_options"] = json!(data_options);
    ctx["rubric_options"] = json!(rubric_options);
    let Some(other) = other else {
        return render("whatif.html", ctx);
    };
    match &other {
        Other::Stored(rid) => ctx["rubric_pick"] = json!(rid),
        Other::Draft { name, text } => {
            ctx["draft_name"] = json!(name);
            ctx["draft_text"] = json!(text);
        }
    }
    let (w, title) = match crate::whatif::run(st, &a.user, data_id, &other).await {
        Ok(x) => x,
        Err(Refused::App(e)) => return refuse(e),
        Err(Refused::Draft(problems)) => {
            ctx["draft_problems"] =
                json!(problems.iter().map(|p| p.to_string()).collect::<Vec<_>>());
            let mut resp = render("whatif.html", ctx);
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return resp;
        }
    };
    if xlsx {
        return xlsx_download(
            kaohe_report::xlsx::whatif_workbook(&w),
            &format!("{title}-方案对比.xlsx"),
        );
    }
    ctx["w"] = serde_json::to_value(w).unwrap_or_default();
    render("whatif.html", ctx)
}
