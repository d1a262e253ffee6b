//! 佐证材料 sent with a unit page's forms — an objection's file, a finding's photo taken on site and
//! any other file — and the forms that add, replace or remove one, and reopen a decided objection.
//! A page's script reads a chosen file into a hidden field (base64url, see `kaohe.js`), so the forms
//! stay plain url-encoded posts; without the script the same forms post `multipart/form-data`
//! (`super::multipart`). Either way, who may send files here is asked before the body is read
//! ([`read_form`]); the store checks size, type, who and when again under its lock.

use super::unit::{Again, scorecard_page};
use super::*;
use kaohe_store::{Attach, Upload};

/// The largest form body carrying files: two files at the evidence limit as base64 (4 characters
/// for 3 bytes), and the rest of the form.
pub const FORM_FILES_BODY: usize =
    2 * kaohe_store::evidence::MAX_BYTES.div_ceil(3) * 4 + crate::limits::JSON_BODY;

/// What a form that carries files is for: who may send it is asked before its body is read.
#[derive(Clone, Copy)]
pub(super) enum Carries {
    /// 提出异议: the unit's reporter in 公示.
    Objection,
    /// 记录问题: who scores the unit, in 考核.
    Finding,
    /// 添加或替换材料: any of these, or who adds evidence to the unit in this stage.
    Any,
}

/// A unit page's form that carries files, read once who may send it here and now is known (the
/// store's policy; it checks again under its lock): a url-encoded body as it is, a
/// `multipart/form-data` one as the url-encoded form the page's script would have sent. The body is
/// read within [`FORM_FILES_BODY`]; each file's own limit is the store's.
pub(super) async fn read_form(
    st: &AppState,
    a: &Authed,
    (id, unit): (i64, &str),
    carries: Carries,
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<String, PageError> {
    use kaohe_store::policy::{self, Action};
    let x = st.store.assessment(id).await.or_page(a)?;
    let assigned = st.store.assigned(id, &a.user, unit).await.or_page(a)?;
    let actions = match carries {
        Carries::Objection => vec![Action::Object],
        Carries::Finding => vec![Action::Score],
        Carries::Any => vec![
            Action::Object,
            Action::Score,
            policy::evidence_action(&a.user, x.stage),
        ],
    };
    let refused: Vec<String> = actions
        .iter()
        .map_while(|act| policy::check(&a.user, *act, x.stage, Some(unit), assigned).err())
        .collect();
    if refused.len() == actions.len() {
        return Err(PageError::new(StatusCode::FORBIDDEN, Some(a), &refused[0]));
    }
    let mut bytes = Vec::new();
    crate::limits::read_body(body, FORM_FILES_BODY, |chunk| {
        bytes.extend_from_slice(chunk);
        Ok(())
    })
    .await
    .map_err(|e| PageError::new(e.status, Some(a), &e.message))?;
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let form = match super::multipart::boundary(kind) {
        Some(b) => super::multipart::as_url_encoded(&bytes, &b),
        None => String::from_utf8(bytes).map_err(|_| "表单内容不是 UTF-8 文本".to_string()),
    };
    form.map_err(|e| PageError::new(StatusCode::BAD_REQUEST, Some(a), &e))
}

/// A file a page's script put into `{prefix}_data` (base64 or base64url) and `{prefix}_name`; none
/// when nothing was chosen, or why it cannot be read.
pub(super) fn form_file(
    data: Option<&String>,
    name: Option<&String>,
) -> Result<Option<(String, Vec<u8>)>, String> {
    let Some(data) = data.map(|d| d.trim()).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    let name = name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "未命名".into());
    let bytes = kaohe_app::wizard::decode_base64(data)
        .ok_or_else(|| format!("文件“{name}”未能完整读取，请重新选择"))?;
    Ok(Some((name, bytes)))
}

/// The files of a form under the given field prefixes, as the store takes them.
pub(super) fn uploads(files: &[(String, Vec<u8>)]) -> Vec<Upload<'_>> {
    files
        .iter()
        .map(|(name, bytes)| Upload { name, bytes })
        .collect()
}

/// 添加或替换材料: `to` = `objection` / `finding` / `clause` with `target` (its number or clause),
/// `replace` the file replaced (empty: added).
pub(super) async fn attach_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit)): Path<(i64, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Page {
    let body = read_form(&st, &a, (id, &unit), Carries::Any, &headers, body).await?;
    let f = posted(&a, &body)?;
    let field = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let (to, target, replace) = (field("to"), field("target"), field("replace"));
    let number = target.parse::<i64>().ok();
    let attach = match (to.as_str(), number) {
        ("objection", Some(o)) => Attach::Objection(o),
        ("finding", Some(n)) => Attach::Finding(n),
        ("clause", _) if !target.is_empty() => Attach::Clause(&target),
        _ => {
            return scorecard_page(
                &st,
                &a,
                id,
                &unit,
                Again::error("表单不完整，请刷新页面后重试".into()),
            )
            .await;
        }
    };
    let back = |clause: Option<&str>| match attach {
        Attach::Objection(_) => None,
        _ => clause.map(str::to_string),
    };
    let file = match form_file(f.get("file_data"), f.get("file_name")) {
        Ok(Some(file)) => file,
        Ok(None) => {
            return scorecard_page(&st, &a, id, &unit, Again::error("请先选择文件".into())).await;
        }
        Err(e) => return scorecard_page(&st, &a, id, &unit, Again::error(e)).await,
    };
    let up = Upload {
        name: &file.0,
        bytes: &file.1,
    };
    let replace = replace.parse::<i64>().ok();
    match st
        .store
        .attach_evidence(&a.user, id, &unit, attach, &up, replace, &st.now())
        .await
    {
        Ok(r) => {
            let notice = if replace.is_some() {
                "replaced"
            } else {
                "attached"
            };
            let clause = back(Some(&r.clause_id));
            Ok(to_unit_page(
                id,
                &unit,
                (notice, &r.original_name),
                clause.as_deref(),
            ))
        }
        Err(e) => {
            let again = Again::error(crate::error::AppError::from(e).message);
            scorecard_page(&st, &a, id, &unit, again).await
        }
    }
}

/// 删除材料 (one file of the unit).
pub(super) async fn remove_file_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit, link)): Path<(i64, String, i64)>,
    body: String,
) -> Page {
    let f = posted(&a, &body)?;
    let name = f.get("name").cloned().unwrap_or_default();
    let clause = f.get("clause").cloned().filter(|c| !c.is_empty());
    match st
        .store
        .remove_evidence(&a.user, id, &unit, link, &st.now())
        .await
    {
        Ok(()) => Ok(to_unit_page(
            id,
            &unit,
            ("removed", &name),
            clause.as_deref(),
        )),
        Err(e) => {
            let again = Again::error(crate::error::AppError::from(e).message);
            scorecard_page(&st, &a, id, &unit, again).await
        }
    }
}

/// 重新打开异议 (the admin, 公示), with the reason.
pub(super) async fn reopen_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit, oid)): Path<(i64, String, i64)>,
    body: String,
) -> Page {
    let f = posted(&a, &body)?;
    let reason = f.get("reason").cloned().unwrap_or_default();
    match st
        .store
        .reopen_objection(&a.user, id, oid, &reason, &st.now())
        .await
    {
        Ok(()) => Ok(to_unit_page(id, &unit, ("reopened", "1"), None)),
        Err(e) => {
            let error = crate::error::AppError::from(e).message;
            let again = Again {
                kept: json!({ "form": format!("reopen-{oid}"), "reason": reason, "error": &error }),
                error: Some(error),
                at: Some(format!("reopen-{oid}")),
                ..Again::default()
            };
            scorecard_page(&st, &a, id, &unit, again).await
        }
    }
}

/// The objections of `unit` as its page shows them: the outcome in words, times in Beijing time,
/// the files (with their upload time) and the earlier decisions a reopening undid.
pub(super) fn objection_rows(
    objections: Vec<kaohe_store::Objection>,
    unit: &str,
    evidence: &[kaohe_store::store::EvidenceRef],
) -> Vec<Value> {
    let when = kaohe_core::time::beijing;
    let label = |s: &str| match s {
        "open" => "待处理",
        "upheld" => "已采纳",
        _ => "已驳回",
    };
    objections
        .into_iter()
        .filter(|o| o.unit_code == unit)
        .map(|o| {
            let files = file_rows(evidence.iter().filter(|e| e.objection_id == Some(o.id)));
            let history: Vec<Value> = o
                .history
                .iter()
                .map(|h| {
                    json!({
                        "label": label(&h.status), "decision": h.decision, "score": h.score,
                        "decided_by": h.decided_by, "decided_at": when(&h.decided_at),
                        "reopened_by": h.reopened_by, "reopened_at": when(&h.reopened_at),
                        "reopen_reason": h.reopen_reason,
                    })
                })
                .collect();
            let mut v = json!(o);
            v["status_label"] = json!(label(&o.status));
            v["filed_at"] = json!(when(&o.filed_at));
            v["decided_at"] = json!(o.decided_at.as_deref().map(when));
            v["files"] = json!(files);
            v["history"] = json!(history);
            v
        })
        .collect()
}

/// Files as a page lists them: name, link, size, the upload time in Beijing time and a photo's own
/// time (拍摄时间, as the camera wrote it).
pub(super) fn file_rows<'e>(
    files: impl Iterator<Item = &'e kaohe_store::store::EvidenceRef>,
) -> Vec<Value> {
    files
        .map(|e| {
            json!({
                "id": e.id, "sha256": e.sha256, "name": e.original_name, "clause": e.clause_id,
                "by": e.uploaded_by, "at": kaohe_core::time::beijing(&e.uploaded_at),
                "taken_at": e.taken_at.as_deref().map(kaohe_core::time::local), "size": crate::limits::size_text(e.size.max(0) as usize),
                "image": e.mime.starts_with("image/"),
            })
        })
        .collect()
}
