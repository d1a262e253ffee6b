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
/// 导出与下载的审计: every file handed out recorded in the audit log first.
mod downloads;
/// 错误: one error type that becomes a response (4xx says what to fix; 5xx is logged, opaque).
pub mod error;
/// 数据导入: stage, preview, commit, cancel.
pub mod imports;
/// 服务的限度: connection timeouts and cap, body limits.
pub mod limits;
/// OpenAPI document.
pub mod openapi;
/// HTTPS 内置: the TLS acceptor of `--tls-cert`/`--tls-key`.
pub mod tls;
/// 网页: the server-rendered pages.
pub mod web;
/// 新建考核与考核日期 (JSON): the wizard's copy or rubric, the dates, the 公示 window's extension.
pub mod wizard_api;

use kaohe_store::Store;
use std::sync::Arc;

/// Seconds since the Unix epoch, from a clock the tests can set.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// How the service is deployed.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Served to browsers over HTTPS (directly or by a proxy in front): cookies are `Secure` and
    /// every response carries HSTS.
    pub https: bool,
    /// A proxy the service trusts stands in front: the client's address is the last one in
    /// `X-Forwarded-For` (the one the proxy saw), not the connection's.
    pub trusted_proxy: bool,
    /// SM2 证书登录: the header in which the 国密 TLCP gateway in front passes the verified client
    /// certificate's identity (serial and subject). Read only when `https` is on and only from a
    /// loopback peer (the gateway on the same machine); a client elsewhere cannot set it.
    pub client_cert_header: Option<axum::http::HeaderName>,
}

impl Settings {
    /// A header name as `--client-cert-header` gives it, if it is one.
    pub fn cert_header(name: &str) -> Option<axum::http::HeaderName> {
        name.parse().ok()
    }
}

/// Shared state of the service.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    pub settings: Settings,
    pub(crate) limiter: Arc<dyn auth::LoginLimiter>,
    pub(crate) hasher: Arc<auth::HashGate>,
}

impl AppState {
    pub fn new(store: Store, clock: Clock) -> AppState {
        // The 公示 window is counted with the data directory's working-day calendar.
        for p in kaohe_app::dates::use_data_calendar(&store) {
            eprintln!("kaohe-server: 工作日历：{p}");
        }
        AppState {
            store,
            clock,
            settings: Settings::default(),
            limiter: Arc::new(auth::MemoryLimiter::default()),
            hasher: Arc::new(auth::HashGate::default()),
        }
    }
    /// The same state with these deployment settings.
    pub fn with_settings(mut self, settings: Settings) -> AppState {
        self.settings = settings;
        self
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

/// The whole application. Every response carries the security headers ([`security_headers`]);
/// bodies are limited per route ([`limits::body_limits`]); axum's own refusals are put in Chinese.
pub fn router(state: AppState) -> axum::Router {
    use axum::middleware::{from_fn, from_fn_with_state};
    axum::Router::new()
        .merge(auth::router())
        .merge(api::router())
        .merge(admin::router())
        .merge(imports::router())
        .merge(wizard_api::router())
        .merge(openapi::router())
        .merge(web::router())
        .route("/static/kaohe.js", axum::routing::get(script))
        .layer(from_fn_with_state(
            state.clone(),
            downloads::audit_downloads,
        ))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(from_fn(limits::body_limits))
        .layer(from_fn(error::chinese_rejections))
        .layer(from_fn_with_state(state.clone(), security_headers))
        .with_state(state)
}

/// The pages' script, served from the app so that the Content-Security-Policy allows no inline script.
pub const SCRIPT: &str = include_str!("../static/kaohe.js");

async fn script() -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// The Content-Security-Policy of every response: scripts only from the app itself (no inline
/// script, no eval); styles from the app and inline (`'unsafe-inline'` for styles only: the pages
/// keep `<style>` blocks and `style=""` attributes, and the server-drawn SVG charts size themselves by
/// `style`), images from the app and `data:`; no plug-ins, no framing, forms post only to the app.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers to every response: pages, API answers, errors and static files.
/// Everything but the static script is `Cache-Control: no-store`.
pub async fn security_headers(
    axum::extract::State(st): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if st.settings.https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    resp
}

/// Serves `app` on `addr` until the process ends, within the default [`limits::Limits`]; prints the
/// address it bound.
pub async fn serve(app: axum::Router, addr: &str) -> std::io::Result<()> {
    serve_with(app, addr, limits::Limits::default()).await
}

/// [`serve`] within the given limits.
pub async fn serve_with(
    app: axum::Router,
    addr: &str,
    limits: limits::Limits,
) -> std::io::Result<()> {
    serve_tls(app, addr, limits, None).await
}

/// [`serve_with`], speaking HTTPS when a TLS acceptor ([`tls::acceptor`]) is given.
pub async fn serve_tls(
    app: axum::Router,
    addr: &str,
    limits: limits::Limits,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("kaohe 考核服务：{scheme}://{}", listener.local_addr()?);
    use std::io::Write;
    let _ = std::io::stdout().flush();
    limits::run_tls(listener, app, limits, tls).await
}
