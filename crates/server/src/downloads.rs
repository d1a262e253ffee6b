//! 导出与下载的审计 (GB/T 22239 §8.1.4.3) — every file handed out (a response with a
//! `Content-Disposition`: exports, 考核反馈单, evidence, the roster, rubric files, what-if workbooks)
//! is recorded in the audit log — who, which path, when, from which address — before it leaves; when
//! the record cannot be written the file is not sent.

use crate::AppState;
use crate::auth::{self, ClientAddr};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub(crate) async fn audit_downloads(
    State(st): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let what = req.uri().path().to_string();
    let addr = ClientAddr::of(req.headers(), req.extensions(), &st);
    let token = auth::cookie_token(req.headers());
    let resp = next.run(req).await;
    if !resp.status().is_success() || !resp.headers().contains_key(header::CONTENT_DISPOSITION) {
        return resp;
    }
    let Some(token) = token else { return resp };
    let now = st.now();
    let user = match st.store.session(&token, &now).await {
        Ok(Some(s)) => s.user,
        Ok(None) => return resp,
        Err(e) => return refused(&e.to_string()),
    };
    match st
        .store
        .record_download(&user, &what, &addr.text(), &now)
        .await
    {
        Ok(()) => resp,
        Err(e) => refused(&e.to_string()),
    }
}

fn refused(why: &str) -> Response {
    eprintln!("kaohe-server: download not recorded: {why}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "无法记录本次下载的审计日志，文件未发送，请联系管理员",
    )
        .into_response()
}
