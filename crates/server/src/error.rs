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
}

impl AppError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> AppError {
        AppError {
            status,
            message: message.into(),
            current: None,
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
            StoreError::NotFound(m) => AppError::not_found(m),
            StoreError::Stale(m) => AppError::new(StatusCode::CONFLICT, m),
            StoreError::Conflict { current } => {
                let message = StoreError::Conflict {
                    current: current.clone(),
                }
                .to_string();
                AppError {
                    status: StatusCode::CONFLICT,
                    message,
                    current: Some(current),
                }
            }
            StoreError::Tampered(m) => {
                eprintln!("kaohe-server: integrity check failed: {m}");
                AppError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("完整性校验失败：{m}。请联系管理员用 kaohe audit verify 检查"),
                )
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
            body["current"] = serde_json::to_value(&*c).unwrap_or_default();
        }
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, AppError>;
