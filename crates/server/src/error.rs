//! 错误 — one error type that becomes a response: 4xx says in Chinese what to fix, 5xx is logged and
//! opaque (an integrity failure says what failed its check).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kaohe_store::{Score, StoreError};

/// An error as the client sees it: a status and a Chinese message saying what to fix; a conflict
/// carries the current value.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub message: String,
    pub current: Option<Box<Score>>,
    /// What is unfinished, one line per unit, when a move on to 公示 or 定档 was refused for it.
    pub unfinished: Vec<String>,
}

impl AppError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> AppError {
        AppError {
            status,
            message: message.into(),
            current: None,
            unfinished: Vec::new(),
        }
    }
    pub fn unauthorized() -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, "请先登录")
    }
    pub fn forbidden(m: impl Into<String>) -> AppError {
        AppError::new(StatusCode::FORBIDDEN, m)
    }
    pub fn not_found(m: impl Into<String>) -> AppError {
        AppError::new(StatusCode::NOT_FOUND, m)
    }
    pub fn invalid(m: impl Into<String>) -> AppError {
        AppError::new(StatusCode::UNPROCESSABLE_ENTITY, m)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Forbidden(m) => AppError::forbidden(m),
            StoreError::Invalid(m) => AppError::invalid(m),
            StoreError::Unsupported(m) => AppError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, m),
            StoreError::Unfinished { message, items } => AppError {
                unfinished: items,
                ..AppError::new(StatusCode::CONFLICT, message)
            },
            StoreError::NotFound(m) => AppError::not_found(m),
            StoreError::Stale(m) => AppError::new(StatusCode::CONFLICT, m),
            StoreError::Busy(m) => AppError::new(StatusCode::SERVICE_UNAVAILABLE, m),
            StoreError::Conflict { current } => {
                let message = StoreError::Conflict {
                    current: current.clone(),
                }
                .to_string();
                AppError {
                    status: StatusCode::CONFLICT,
                    message,
                    current: Some(current),
                    unfinished: Vec::new(),
                }
            }
            StoreError::Tampered(m) => {
                eprintln!("kaohe-server: integrity check failed: {m}");
                AppError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("完整性校验失败：{m}。请联系管理员用 kaohe audit verify 检查"),
                )
            }
            StoreError::Unconfigured(m) => {
                eprintln!("kaohe-server: configuration: {m}");
                AppError::new(StatusCode::INTERNAL_SERVER_ERROR, m)
            }
            other => {
                eprintln!("kaohe-server: internal error: {other}");
                AppError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "服务器内部错误，请联系管理员",
                )
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.message });
        if let Some(c) = self.current {
            body["current"] = serde_json::to_value(&*c).expect("a score serialises");
        }
        if !self.unfinished.is_empty() {
            body["unfinished"] = serde_json::json!(self.unfinished);
        }
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, AppError>;

/// Middleware: axum's own refusals (a body too large, not JSON, a JSON body of the wrong shape) are
/// plain English text; they become the service's Chinese JSON errors. A 413 names the route's limit.
pub async fn chinese_rejections(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let limit = crate::limits::body_limit(req.method(), req.uri().path());
    let resp = next.run(req).await;
    let status = resp.status();
    let plain = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return resp;
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return crate::limits::too_large(limit).into_response();
    }
    // The English text of a JSON rejection names a missing field as "missing field `x`".
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let field = text
        .split_once("missing field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(f, _)| f.to_string());
    let message = match (status, field) {
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, _) => {
            "请求格式有误：内容须为 JSON（Content-Type: application/json）".to_string()
        }
        (_, Some(f)) => format!("请求内容有误：缺少字段“{f}”"),
        (StatusCode::BAD_REQUEST, None) if text.contains("JSON") => {
            "请求内容有误：不是有效的 JSON".to_string()
        }
        (StatusCode::UNPROCESSABLE_ENTITY, None) => {
            "请求内容有误：字段的类型或取值不符合接口说明（见 /api/openapi.json）".to_string()
        }
        (StatusCode::BAD_REQUEST, None) => "请求有误：路径参数或请求内容格式不对".to_string(),
        _ => {
            let _ = parts;
            return AppError::new(status, "请求有误").into_response();
        }
    };
    AppError::new(status, message).into_response()
}
