//! kaohe-server — the HTTP face of the assessment service: sign-in with sessions (HttpOnly,
//! SameSite=Strict cookies; only a token's hash is stored), a CSRF token required on every
//! state-changing request, login rate limiting, authorisation on every request (by role, unit and
//! stage — decided by `kaohe_store::policy`), and a JSON API described at `/api/openapi.json`.
//! Handlers translate; the store decides and records; kaohe-core scores.

/// 管理接口: accounts, setup, metrics, bonus, audit.
pub mod admin;
/// 接口: the JSON routes.
pub mod api;
/// 登录与会话: sign-in, sessions, CSRF, rate limiting.
pub mod auth;
/// 图表: server-side SVG charts.
pub mod charts;
/// 示例: a demo data directory.
pub mod demo;
/// 错误: one error type that becomes a response (4xx says what to fix; 5xx is logged, opaque).
pub mod error;
/// 数据导入: stage, preview, commit, cancel.
pub mod imports;
/// OpenAPI document.
pub mod openapi;
/// 网页: the server-rendered pages.
pub mod web;
/// 方案对比 (what-if), shared by the page and the API.
mod whatif;

use kaohe_store::Store;
use std::sync::{Arc, Mutex};

/// Seconds since the Unix epoch, from a clock the tests can set.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// Shared state of the service.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    pub(crate) limiter: Arc<Mutex<auth::Limiter>>,
}

impl AppState {
    pub fn new(store: Store, clock: Clock) -> AppState {
        AppState {
            store,
            clock,
            limiter: Arc::default(),
        }
    }
    /// The system clock.
    pub fn system_clock() -> Clock {
        Arc::new(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        })
    }
    pub fn now(&self) -> String {
        iso((self.clock)())
    }
}

/// ISO 8601 UTC text of Unix seconds: `2021-12-01T09:00:00Z`.
pub fn iso(secs: u64) -> String {
    let date = kaohe_core::Date((secs / 86_400) as i32);
    let s = secs % 86_400;
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

/// The whole application.
pub fn router(state: AppState) -> axum::Router {
    axum::Router::new()
        .merge(auth::router())
        .merge(api::router())
        .merge(admin::router())
        .merge(imports::router())
        .merge(openapi::router())
        .merge(web::router())
        .with_state(state)
}

/// Serves `app` on `addr` until the process ends; prints the address it bound.
pub async fn serve(app: axum::Router, addr: &str) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("kaohe 考核服务：http://{}", listener.local_addr()?);
    use std::io::Write;
    let _ = std::io::stdout().flush();
    axum::serve(listener, app).await
}
