//! 数据导入 — platform exports uploaded through the API: each file is staged (kept under the data
//! directory by a random token, the kind given by the client), a preview computes the indicators
//! and lists every problem by file, row and column without changing anything, and a commit stores
//! the result all-or-nothing (metrics, overdue instances, receipts). Cancel removes the staged files.

use crate::AppState;
use crate::auth::Mutating;
use crate::error::{ApiResult, AppError};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use kaohe_app::import::{Kind, Source, prepare_for};
use kaohe_platform::indicators::Period;
use serde::Deserialize;
use std::path::PathBuf;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/assessments/{id}/imports/stage", post(stage))
        .route("/api/assessments/{id}/imports/preview", post(preview))
        .route("/api/assessments/{id}/imports/commit", post(commit))
        .route("/api/assessments/{id}/imports/cancel", post(cancel))
}

fn staging(st: &AppState) -> PathBuf {
    st.store.dir().join("staging")
}

/// A staged file: `<token>.<kind>.<csv|xlsx>`.
fn staged(st: &AppState, token: &str) -> ApiResult<(PathBuf, String)> {
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::invalid("无效的暂存编号"));
    }
    for e in
        std::fs::read_dir(staging(st)).map_err(|_| AppError::not_found("暂存文件不存在或已取消"))?
    {
        let p = e.map_err(|_| AppError::not_found("暂存文件不存在"))?.path();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.ends_with(".name") || name.contains('-') {
            continue; // the uploaded name beside the file, or a named copy being read
        }
        if let Some(rest) = name.strip_prefix(&format!("{token}.")) {
            let kind = rest.split('.').next().unwrap_or_default().to_string();
            return Ok((p, kind));
        }
    }
    Err(AppError::not_found("暂存文件不存在或已取消"))
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
    std::fs::write(path.with_extension("name"), &name)
        .and_then(|_| std::fs::rename(&partial, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            AppError::invalid(format!("无法暂存：{e}"))
        })?;
    Ok(Json(
        serde_json::json!({ "token": token, "kind": kind, "file_name": name, "bytes": n }),
    ))
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
    period: String,
    rating_scale: Option<String>,
}

/// Computes the indicators of staged files: the import to store, or the problems.
async fn compute(
    st: &AppState,
    id: i64,
    plan: &ImportRequest,
) -> ApiResult<(Option<kaohe_store::Import>, Vec<serde_json::Value>)> {
    st.store.assessment(id).await?;
    let period = Period::parse(&plan.period).map_err(AppError::invalid)?;
    let scale = match plan.rating_scale.as_deref() {
        None => None,
        Some(s) => Some(
            kaohe_platform::survey::Scale::parse(s)
                .ok_or_else(|| AppError::invalid("rating_scale 应为 gbt39046 或 haocha"))?,
        ),
    };
    let mut sources = Vec::new();
    let mut linked = Vec::new();
    for t in &plan.tokens {
        let (p, kind) = staged(st, t)?;
        // The file is read under the name the user gave it (in a folder of its own), so that
        // problems, receipts and stored instances name it as the user knows it — never by token.
        let shown = std::fs::read_to_string(p.with_extension("name")).unwrap_or_default();
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
        let kind = match kind.as_str() {
            "cases" => Kind::Cases,
            "claims" => Kind::Claims,
            _ => Kind::Survey,
        };
        sources.push(Source {
            kind,
            path: named,
            shown,
        });
    }
    // The same use case as `kaohe import` (kaohe_app::import): the data directory's calendar, the
    // same receipts.
    let prepared = prepare_for(&st.store, id, period, scale, &sources).await;
    for p in &linked {
        let _ = std::fs::remove_file(p);
        if let Some(folder) = p.parent() {
            let _ = std::fs::remove_dir(folder);
        }
    }
    let (imp, problems) = prepared?;
    Ok((imp, shown_problems(&problems)))
}

/// Problems as the page and the API show them (the files already named as the user named them).
fn shown_problems(problems: &[kaohe_core::Problem]) -> Vec<serde_json::Value> {
    problems
        .iter()
        .map(|p| {
            let o = p.origin.clone().unwrap_or_default();
            serde_json::json!({ "severity": p.severity.key(), "file": o.file, "row": o.row, "column": o.column, "value": p.value, "expected": p.expected, "message": p.message })
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
            let _ = std::fs::remove_file(p.with_extension("name"));
            let _ = std::fs::remove_file(p);
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
        if let Ok((p, _)) = staged(&st, t) {
            let _ = std::fs::remove_file(p.with_extension("name"));
            if std::fs::remove_file(p).is_ok() {
                n += 1;
            }
        }
    }
    Ok(Json(serde_json::json!({ "cancelled": n })))
}
