//! 数据导入 — platform exports uploaded through the API: each file is staged (kept under the data
//! directory by a random token, the kind given by the client), a preview computes the indicators
//! and lists every problem by file, row and column without changing anything, and a commit stores
//! the result all-or-nothing (metrics, overdue instances, receipts). Cancel removes the staged files.
//!
//! Staged files are kept on disk, each with what the page lists of it (the assessment, the name the
//! user gave, its size, when it was uploaded), until they are committed or removed: a reload of the
//! page lists them again, and a new upload of a kind replaces the file of that kind staged before
//! (a corrected export never stands beside the wrong one).

use crate::AppState;
use crate::auth::Mutating;
use crate::error::{ApiResult, AppError};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use kaohe_app::import::{Asker, Kind, Source, prepare_as};
use kaohe_platform::indicators::Period;
use serde::Deserialize;
use std::path::PathBuf;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/assessments/{id}/imports/stage", post(stage))
        .route("/api/assessments/{id}/imports/preview", post(preview))
        .route("/api/assessments/{id}/imports/commit", post(commit))
        .route("/api/assessments/{id}/imports/cancel", post(cancel))
        .route("/api/assessments/{id}/imports/staged", get(list))
}

fn staging(st: &AppState) -> PathBuf {
    st.store.dir().join("staging")
}

/// A staged file on disk: `<token>.<kind>.<csv|xlsx>`, beside it `<token>.<kind>.json` (what is
/// listed of it: [`Meta`]).
fn staged(st: &AppState, token: &str) -> ApiResult<(PathBuf, String)> {
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::invalid("无效的暂存编号"));
    }
    all_staged(st)
        .into_iter()
        .find(|(t, _, _)| t == token)
        .map(|(_, kind, p)| (p, kind))
        .ok_or_else(|| AppError::not_found("暂存文件不存在或已移除"))
}

/// Every staged file: (token, kind, path) — the data files only, never their `.json`, a named
/// copy being read or a partial upload.
fn all_staged(st: &AppState) -> Vec<(String, String, PathBuf)> {
    let Ok(dir) = std::fs::read_dir(staging(st)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in dir.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let parts: Vec<&str> = name.split('.').collect();
        if let [token, kind, ext] = parts[..]
            && token.len() == 32
            && token.bytes().all(|b| b.is_ascii_hexdigit())
            && Kind::from_key(kind).is_some()
            && (ext == "csv" || ext == "xlsx")
            && p.is_file()
        {
            out.push((token.to_string(), kind.to_string(), p));
        }
    }
    out
}

/// What is kept beside a staged file.
#[derive(serde::Serialize, serde::Deserialize, Clone)]
struct Meta {
    assessment: i64,
    /// The name the user gave it.
    name: String,
    bytes: u64,
    /// When it was uploaded (ISO 8601 UTC).
    at: String,
}

fn meta_of(p: &std::path::Path) -> Option<Meta> {
    serde_json::from_slice(&std::fs::read(p.with_extension("json")).ok()?).ok()
}

/// Removes a staged file and what is kept beside it: whether the file was there.
fn remove_staged(p: &std::path::Path) -> bool {
    let _ = std::fs::remove_file(p.with_extension("json"));
    let _ = std::fs::remove_file(p.with_extension("name"));
    std::fs::remove_file(p).is_ok()
}

/// A staged file as the import page lists it.
#[derive(serde::Serialize, Clone, Debug)]
pub struct StagedFile {
    pub token: String,
    /// `cases`, `claims` or `survey`.
    pub kind: String,
    /// 办件, 事项认领, 满意度测评.
    pub kind_name: String,
    pub name: String,
    pub bytes: u64,
    /// 1.5 MiB
    pub size: String,
    /// When it was uploaded, Beijing time: `2021-12-01 17:00`.
    pub uploaded: String,
    #[serde(skip)]
    at: String,
}

/// The files staged for assessment `id`, by kind.
pub fn staged_files(st: &AppState, id: i64) -> Vec<StagedFile> {
    let mut out: Vec<StagedFile> = all_staged(st)
        .into_iter()
        .filter_map(|(token, kind, p)| {
            let m = meta_of(&p)?;
            (m.assessment == id).then(|| StagedFile {
                token,
                kind_name: Kind::from_key(&kind)
                    .map(Kind::export_name)
                    .unwrap_or_default()
                    .into(),
                kind,
                size: kaohe_tables::limits::size_text(m.bytes),
                uploaded: kaohe_core::time::beijing(&m.at),
                name: m.name,
                bytes: m.bytes,
                at: m.at,
            })
        })
        .collect();
    // One file per kind (a new one replaces the old): 办件, 事项认领, 满意度测评.
    let order = |k: &str| ["cases", "claims", "survey"].iter().position(|x| *x == k);
    out.sort_by(|a, b| (order(&a.kind), &a.at, &a.token).cmp(&(order(&b.kind), &b.at, &b.token)));
    out
}

/// The files staged for assessment `id` as the gate and the 待办 name them: `办件（cases.csv）`.
pub fn staged_names(st: &AppState, id: i64) -> Vec<String> {
    staged_files(st, id)
        .into_iter()
        .map(|f| format!("{}（{}）", f.kind_name, f.name))
        .collect()
}

/// Refuses unless `a` may import into assessment `id` now (admin, 考核): checked before a body is read.
async fn may_import(st: &AppState, a: &crate::auth::Authed, id: i64) -> ApiResult<()> {
    if a.user.role != kaohe_store::Role::Admin {
        return Err(AppError::forbidden(format!(
            "{}（{}）无权导入平台数据：只有管理员可以",
            a.user.name,
            a.user.role.label()
        )));
    }
    st.store.assessment(id).await?;
    Ok(())
}

/// Stages one file. Sign-in, CSRF token, role and assessment are checked before a byte of the body is
/// read; the body is then written to disk as it arrives (never held in memory), at most
/// [`crate::limits::IMPORT_BODY`] bytes (413 past it, the partial file removed).
async fn stage(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<Json<serde_json::Value>> {
    may_import(&st, &a, id).await?;
    let kind = headers
        .get("x-kind")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !["cases", "claims", "survey"].contains(&kind) {
        return Err(AppError::invalid(
            "X-Kind 应为 cases（办件）、claims（事项认领）或 survey（满意度测评）",
        ));
    }
    let name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(crate::api::percent_decode)
        .unwrap_or_else(|| "未命名".into());
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    let mut token = [0u8; 16];
    getrandom::fill(&mut token).expect("OS randomness");
    let token: String = token.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::create_dir_all(staging(&st))
        .map_err(|e| AppError::invalid(format!("无法暂存：{e}")))?;
    let partial = staging(&st).join(format!("{token}-upload.partial"));
    let written = write_streaming(&partial, body).await;
    let (n, zip) = match written {
        Ok(x) => x,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    let ext = if zip { "xlsx" } else { "csv" };
    let path = staging(&st).join(format!("{token}.{kind}.{ext}"));
    let meta = Meta {
        assessment: id,
        name: name.clone(),
        bytes: n as u64,
        at: st.now(),
    };
    let meta_json = serde_json::to_vec(&meta).expect("plain data");
    std::fs::write(path.with_extension("json"), meta_json)
        .and_then(|_| std::fs::rename(&partial, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            let _ = std::fs::remove_file(path.with_extension("json"));
            AppError::invalid(format!("无法暂存：{e}"))
        })?;
    // The file of this kind staged before for this assessment is replaced by the new one.
    let mut replaced = Vec::new();
    for old in staged_files(&st, id) {
        if old.kind == kind
            && old.token != token
            && let Ok((p, _)) = staged(&st, &old.token)
            && remove_staged(&p)
        {
            replaced.push(old.name);
        }
    }
    let listed = staged_files(&st, id);
    let this = listed.iter().find(|f| f.token == token).cloned();
    Ok(Json(serde_json::json!({
        "token": token, "kind": kind, "file_name": name, "bytes": n,
        "uploaded": this.map(|f| f.uploaded), "replaced": replaced, "staged": listed,
    })))
}

/// 暂存文件: what is staged for the assessment (admin), as the import page lists it.
async fn list(
    State(st): State<AppState>,
    a: crate::auth::Authed,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    may_import(&st, &a, id).await?;
    Ok(Json(serde_json::json!({ "staged": staged_files(&st, id) })))
}

/// Writes a body to `path` as it arrives: (bytes, whether it starts as a zip file does).
async fn write_streaming(
    path: &std::path::Path,
    body: axum::body::Body,
) -> ApiResult<(usize, bool)> {
    use std::io::Write;
    let fail = |e: std::io::Error| AppError::invalid(format!("无法暂存：{e}"));
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(fail)?);
    let mut head = Vec::with_capacity(4);
    let n = crate::limits::read_body(body, crate::limits::IMPORT_BODY, |chunk| {
        if head.len() < 4 {
            head.extend(chunk.iter().take(4 - head.len()));
        }
        file.write_all(chunk).map_err(fail)
    })
    .await?;
    file.flush().map_err(fail)?;
    Ok((n, head.starts_with(b"PK\x03\x04")))
}

#[derive(Deserialize)]
struct ImportRequest {
    tokens: Vec<String>,
    /// `2021-01-01..2021-12-31` (the API's form); or `start` and `end` (the page's two date fields);
    /// none: the assessment's default ([`kaohe_app::import::default_period`]).
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
    rating_scale: Option<String>,
}

/// The 考核期 asked for, its problems named as the page names its fields.
fn period_of(plan: &ImportRequest, a: &kaohe_store::store::Assessment) -> ApiResult<Period> {
    fn field(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    match (field(&plan.start), field(&plan.end), field(&plan.period)) {
        (None, None, None) => Ok(kaohe_app::import::default_period(a)),
        (None, None, Some(p)) => Period::parse(p).map_err(AppError::invalid),
        (start, end, _) => {
            let day = |v: Option<&str>, which: &str| {
                let v = v.ok_or_else(|| {
                    AppError::invalid(format!("考核期的{which}未选择：请在“考核期”中选择日期"))
                })?;
                kaohe_core::Date::parse(v).ok_or_else(|| {
                    AppError::invalid(format!(
                        "考核期的{which}“{v}”不是日期：请在“考核期”中重新选择"
                    ))
                })
            };
            let (start, end) = (day(start, "起始日")?, day(end, "截止日")?);
            if end < start {
                return Err(AppError::invalid(format!(
                    "考核期的截止日 {end} 早于起始日 {start}：请在“考核期”中重新选择"
                )));
            }
            Ok(Period { start, end })
        }
    }
}

/// Computes the indicators of staged files: the import to store, or the problems.
async fn compute(
    st: &AppState,
    id: i64,
    plan: &ImportRequest,
) -> ApiResult<(Option<kaohe_store::Import>, Vec<serde_json::Value>)> {
    let assessment = st.store.assessment(id).await?;
    let period = period_of(plan, &assessment)?;
    let scale = match plan.rating_scale.as_deref() {
        None | Some("") => None,
        Some(s) => Some(kaohe_platform::survey::Scale::parse(s).ok_or_else(|| {
            AppError::invalid("“评价代码方向”应为 GB/T 39046（gbt39046）或 好差评（haocha）")
        })?),
    };
    if plan.tokens.is_empty() {
        return Err(AppError::invalid("还没有暂存文件：请先选择要导入的文件"));
    }
    let mut sources = Vec::new();
    let mut linked = Vec::new();
    for t in &plan.tokens {
        let (p, kind) = staged(st, t)?;
        let Some(meta) = meta_of(&p).filter(|m| m.assessment == id) else {
            return Err(AppError::not_found("暂存文件不属于本考核，或已移除"));
        };
        // The file is read under the name the user gave it (in a folder of its own), so that
        // problems, receipts and stored instances name it as the user knows it — never by token.
        let shown = meta.name;
        let shown: String = shown
            .chars()
            .map(|c| if matches!(c, '/' | '\\') { '_' } else { c })
            .collect();
        let shown = if shown.trim().is_empty() || shown == "." || shown == ".." {
            "未命名".to_string()
        } else {
            shown
        };
        let folder = p.with_extension("read");
        std::fs::create_dir_all(&folder)
            .map_err(|e| AppError::invalid(format!("无法读取暂存文件：{e}")))?;
        let named = folder.join(&shown);
        std::fs::hard_link(&p, &named)
            .or_else(|_| std::fs::copy(&p, &named).map(|_| ()))
            .map_err(|e| AppError::invalid(format!("无法读取暂存文件：{e}")))?;
        linked.push(named.clone());
        let kind = Kind::from_key(&kind).unwrap_or(Kind::Survey);
        sources.push(Source {
            kind,
            path: named,
            shown,
        });
    }
    // The same use case as `kaohe import` (kaohe_app::import): the data directory's calendar, the
    // same receipts.
    let prepared = prepare_as(&st.store, id, period, scale, &sources, Asker::Page).await;
    for p in &linked {
        let _ = std::fs::remove_file(p);
        if let Some(folder) = p.parent() {
            let _ = std::fs::remove_dir(folder);
        }
    }
    let (imp, problems) = prepared?;
    Ok((imp, shown_problems(&problems)))
}

/// Problems as the page and the API show them (the files already named as the user named them):
/// identical problems once, with how many rows have it and the first of them.
fn shown_problems(problems: &[kaohe_core::Problem]) -> Vec<serde_json::Value> {
    kaohe_app::import::group(problems)
        .into_iter()
        .map(|g| {
            let p = &g.problem;
            let o = p.origin.clone().unwrap_or_default();
            serde_json::json!({
                "severity": p.severity.key(), "file": o.file, "row": o.row, "column": o.column,
                "value": p.value, "expected": p.expected, "message": p.message,
                "count": g.count, "rows": g.rows,
            })
        })
        .collect()
}

async fn preview(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(plan): Json<ImportRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    if a.user.role != kaohe_store::Role::Admin {
        return Err(AppError::forbidden("只有管理员可以导入平台数据"));
    }
    let (imp, problems) = compute(&st, id, &plan).await?;
    Ok(Json(match imp {
        Some(imp) => {
            serde_json::json!({ "ok": true, "rows": imp.rows, "metrics": imp.metrics.len(), "instances": imp.findings.len(), "problems": problems })
        }
        None => serde_json::json!({ "ok": false, "problems": problems }),
    }))
}

async fn commit(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(plan): Json<ImportRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let (imp, problems) = compute(&st, id, &plan).await?;
    let Some(imp) = imp else {
        return Err(AppError::invalid(format!(
            "数据有 {} 处问题，未导入；请先预览并改正",
            problems.iter().filter(|p| p["severity"] == "error").count()
        )));
    };
    let import_id = st.store.import(&a.user, id, &imp, &st.now()).await?;
    for t in &plan.tokens {
        if let Ok((p, _)) = staged(&st, t) {
            remove_staged(&p);
        }
    }
    Ok(Json(
        serde_json::json!({ "import": import_id, "rows": imp.rows, "metrics": imp.metrics.len(), "instances": imp.findings.len() }),
    ))
}

#[derive(Deserialize)]
struct Tokens {
    tokens: Vec<String>,
}

/// Removes staged files: only who may import (an admin), like staging itself.
async fn cancel(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Path(id): Path<i64>,
    Json(b): Json<Tokens>,
) -> ApiResult<Json<serde_json::Value>> {
    may_import(&st, &a, id).await?;
    let mut n = 0;
    for t in &b.tokens {
        if let Ok((p, _)) = staged(&st, t)
            && meta_of(&p).is_none_or(|m| m.assessment == id)
            && remove_staged(&p)
        {
            n += 1;
        }
    }
    Ok(Json(
        serde_json::json!({ "cancelled": n, "staged": staged_files(&st, id) }),
    ))
}
