//! 登录与会话. A session cookie `kaohe_session` (HttpOnly, SameSite=Strict, Path=/; `Secure` when
//! served over HTTPS) holds a random token; the database keeps only its sha256. Each session has a
//! CSRF token, returned at sign-in and by `GET /api/me`, that every state-changing request must send in
//! the `X-CSRF-Token` header.
//!
//! Failed sign-ins lock one account from one address in the database (the security settings
//! `lock_failures` within `lock_minutes`, 5 in 15 minutes by default; a stranger elsewhere cannot lock
//! the user out; a restart keeps the lock; the 安全管理员 lifts it), each failure and lock audited.
//! Floods are also counted by a [`LoginLimiter`] in memory: 100 for one account from all addresses,
//! or 50 from one address over all accounts, lock the account or the address for the rest of the
//! window (at most 10,000 counts per kind, the oldest dropped first). A session lasts the setting
//! `session_max_hours` at most and ends after `session_idle_minutes` without a request; the previous
//! sign-in's time and address are shown at sign-in. A login over 64 characters or a password over 256 bytes
//! is refused (422) before any hashing. Password checks run off the async threads, at most 2 at a time
//! with at most 32 waiting; past that a sign-in is answered 503 at once.

use crate::AppState;
use crate::error::{ApiResult, AppError};
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kaohe_store::User;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

pub const COOKIE: &str = "kaohe_session";
/// Failures of one account from one address before that pair is locked.
pub const MAX_FAILURES: u32 = 5;
/// Failures of one account from every address before the account is locked.
pub const MAX_ACCOUNT_FAILURES: u32 = 100;
/// Failures from one address over every account before the address is locked.
pub const MAX_ADDRESS_FAILURES: u32 = 50;
/// The window of every count, in seconds.
pub const WINDOW_SECS: u64 = 15 * 60;
/// Counts kept per kind (pair, account, address).
pub const MAX_ENTRIES: usize = 10_000;
/// The longest login, in characters.
pub const MAX_LOGIN_CHARS: usize = 64;
/// The longest password, in bytes.
pub const MAX_PASSWORD_BYTES: usize = 256;

/// Where a request comes from: the connection's address, or behind a trusted proxy the last address
/// of `X-Forwarded-For`. `None` when unknown (a request made in process).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// The address as the audit log and the lock table keep it (`未知地址` when unknown).
    pub fn text(self) -> String {
        self.0
            .map_or_else(|| "未知地址".to_string(), |a| a.to_string())
    }
    pub fn of(
        parts_headers: &HeaderMap,
        ext: &axum::http::Extensions,
        st: &AppState,
    ) -> ClientAddr {
        if st.settings.trusted_proxy {
            // The last entry is the one the trusted proxy wrote; one that does not parse is not
            // replaced by an earlier (client-written) one.
            let forwarded = parts_headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next_back())
                .and_then(|a| a.trim().parse::<IpAddr>().ok());
            if forwarded.is_some() {
                return ClientAddr(forwarded);
            }
        }
        ClientAddr(
            ext.get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| a.ip()),
        )
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr::of(&parts.headers, &parts.extensions, state))
    }
}

/// The client certificate the 国密 gateway verified, as its header says — only when the service is
/// configured for it ([`crate::Settings::client_cert_header`]), behind HTTPS, and the connection
/// comes from a loopback address (the gateway): otherwise `None`, whatever the request carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCert(pub Option<String>);

impl ClientCert {
    pub fn of(headers: &HeaderMap, ext: &axum::http::Extensions, st: &AppState) -> ClientCert {
        let Some(name) = st.settings.client_cert_header.as_ref() else {
            return ClientCert(None);
        };
        let from_gateway = ext
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|ConnectInfo(a)| a.ip().is_loopback());
        if !st.settings.https || !from_gateway {
            return ClientCert(None);
        }
        // One value only: a second one is not the gateway's alone.
        let mut values = headers.get_all(name).iter();
        let (Some(v), None) = (values.next(), values.next()) else {
            return ClientCert(None);
        };
        // A subject may carry Chinese as UTF-8 (or the gateway's escapes, kept as they come).
        ClientCert(
            std::str::from_utf8(v.as_bytes())
                .ok()
                .map(str::trim)
                .filter(|v| kaohe_store::store::cert_problem(v).is_none())
                .map(str::to_string),
        )
    }
}

impl FromRequestParts<AppState> for ClientCert {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientCert::of(&parts.headers, &parts.extensions, state))
    }
}

/// Counts failed sign-ins and says when to refuse. Kept small so that a store-backed lock (a later
/// issue) can replace the memory one.
pub trait LoginLimiter: Send + Sync {
    /// `Some(seconds to wait)` when `login` from `addr` is locked at `now`.
    fn locked(&self, login: &str, addr: ClientAddr, now: u64) -> Option<u64>;
    /// A wrong password for `login` from `addr`.
    fn failed(&self, login: &str, addr: ClientAddr, now: u64);
    /// A good password: the pair's count is cleared.
    fn succeeded(&self, login: &str, addr: ClientAddr);
}

/// A count within its window: (failures, start of the window).
#[derive(Clone, Copy)]
struct Count(u32, u64);

/// Counts by key, bounded by count ([`MAX_ENTRIES`]) and age ([`WINDOW_SECS`]).
struct Counts<K> {
    map: HashMap<K, Count>,
    cap: usize,
}

impl<K: std::hash::Hash + Eq + Clone> Counts<K> {
    fn new(cap: usize) -> Self {
        Counts {
            map: HashMap::new(),
            cap,
        }
    }
    fn live(&self, k: &K, now: u64) -> u32 {
        match self.map.get(k) {
            Some(c) if now < c.1 + WINDOW_SECS => c.0,
            _ => 0,
        }
    }
    fn until(&self, k: &K, max: u32, now: u64) -> Option<u64> {
        let c = self.map.get(k)?;
        (c.0 >= max && now < c.1 + WINDOW_SECS).then(|| c.1 + WINDOW_SECS - now)
    }
    fn add(&mut self, k: K, now: u64) {
        if !self.map.contains_key(&k) && self.map.len() >= self.cap {
            self.map.retain(|_, c| now < c.1 + WINDOW_SECS);
            if self.map.len() >= self.cap
                && let Some(oldest) = self
                    .map
                    .iter()
                    .min_by_key(|(_, c)| c.1)
                    .map(|(k, _)| k.clone())
            {
                self.map.remove(&oldest);
            }
        }
        let live = self.live(&k, now);
        let e = self.map.entry(k).or_insert(Count(0, now));
        if live == 0 {
            *e = Count(0, now);
        }
        e.0 += 1;
    }
    fn len(&self) -> usize {
        self.map.len()
    }
}

struct Tables {
    pairs: Counts<(String, ClientAddr)>,
    accounts: Counts<String>,
    addresses: Counts<ClientAddr>,
}

/// The in-memory [`LoginLimiter`].
pub struct MemoryLimiter {
    t: Mutex<Tables>,
}

impl MemoryLimiter {
    /// A limiter keeping at most `cap` counts of each kind.
    pub fn with_capacity(cap: usize) -> MemoryLimiter {
        MemoryLimiter {
            t: Mutex::new(Tables {
                pairs: Counts::new(cap),
                accounts: Counts::new(cap),
                addresses: Counts::new(cap),
            }),
        }
    }
    /// Counts kept: (pairs, accounts, addresses).
    pub fn sizes(&self) -> (usize, usize, usize) {
        let t = self.t.lock().unwrap_or_else(|e| e.into_inner());
        (t.pairs.len(), t.accounts.len(), t.addresses.len())
    }
}

impl Default for MemoryLimiter {
    fn default() -> Self {
        MemoryLimiter::with_capacity(MAX_ENTRIES)
    }
}

impl LoginLimiter for MemoryLimiter {
    fn locked(&self, login: &str, addr: ClientAddr, now: u64) -> Option<u64> {
        let t = self.t.lock().unwrap_or_else(|e| e.into_inner());
        [
            t.pairs.until(&(login.to_string(), addr), MAX_FAILURES, now),
            t.accounts
                .until(&login.to_string(), MAX_ACCOUNT_FAILURES, now),
            t.addresses.until(&addr, MAX_ADDRESS_FAILURES, now),
        ]
        .into_iter()
        .flatten()
        .max()
    }
    fn failed(&self, login: &str, addr: ClientAddr, now: u64) {
        let mut t = self.t.lock().unwrap_or_else(|e| e.into_inner());
        t.pairs.add((login.to_string(), addr), now);
        t.accounts.add(login.to_string(), now);
        t.addresses.add(addr, now);
    }
    fn succeeded(&self, login: &str, addr: ClientAddr) {
        let mut t = self.t.lock().unwrap_or_else(|e| e.into_inner());
        t.pairs.map.remove(&(login.to_string(), addr));
    }
}

/// At most [`HashGate::RUNNING`] password checks at once, at most [`HashGate::WAITING`] waiting.
pub struct HashGate {
    permits: tokio::sync::Semaphore,
    waiting: std::sync::atomic::AtomicUsize,
}

impl HashGate {
    pub const RUNNING: usize = 2;
    pub const WAITING: usize = 32;
    /// Runs `f` when a permit is free; 503 at once when too many already wait.
    pub async fn run<T>(&self, f: impl Future<Output = T>) -> ApiResult<T> {
        use std::sync::atomic::Ordering;
        let busy = || {
            AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "登录请求过多，服务器正忙，请稍后再试",
            )
        };
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= Self::WAITING {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(busy());
        }
        let permit = self.permits.acquire().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let _permit = permit.map_err(|_| busy())?;
        Ok(f.await)
    }
}

impl Default for HashGate {
    fn default() -> Self {
        HashGate {
            permits: tokio::sync::Semaphore::new(Self::RUNNING),
            waiting: Default::default(),
        }
    }
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).expect("the OS random source");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Equality that takes the same time wherever the first difference is.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// A signed-in request.
pub struct Authed {
    pub user: User,
    pub csrf: String,
    pub token: String,
}

/// What a person who must change their password (an initial or reset one) hears from every other
/// route until they do.
pub const MUST_CHANGE: &str = "请先修改密码：首次登录或密码被重置后，须先设置自己的新密码";

/// The routes open to a person who must change their password: the change itself, who they are,
/// and signing out.
fn open_before_change(path: &str) -> bool {
    matches!(
        path,
        "/password" | "/logout" | "/api/logout" | "/api/me" | "/api/me/password"
    )
}

pub(crate) fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == COOKIE && !v.is_empty()).then(|| v.to_string())
        })
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie_token(&parts.headers).ok_or_else(AppError::unauthorized)?;
        let s = state
            .store
            .session(&token, &state.now())
            .await?
            .ok_or_else(|| AppError::new(StatusCode::UNAUTHORIZED, "登录已过期，请重新登录"))?;
        if s.must_change_password && !open_before_change(parts.uri.path()) {
            return Err(AppError::forbidden(MUST_CHANGE));
        }
        Ok(Authed {
            user: s.user,
            csrf: s.csrf,
            token,
        })
    }
}

/// A signed-in, state-changing request with a valid CSRF token.
pub struct Mutating(pub Authed);

impl FromRequestParts<AppState> for Mutating {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let a = Authed::from_request_parts(parts, state).await?;
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !same(sent, &a.csrf) {
            return Err(AppError::forbidden(
                "缺少或错误的 CSRF 令牌（请刷新页面后重试）",
            ));
        }
        Ok(Mutating(a))
    }
}

/// A state-changing request by an admin, refused before its body is read (for routes whose body is
/// large and only an admin may send, e.g. a new assessment with its rubric).
pub struct Admin(pub Authed);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Mutating(a) = Mutating::from_request_parts(parts, state).await?;
        if a.user.role != kaohe_store::Role::Admin {
            return Err(AppError::forbidden(format!(
                "{}（{}）无权进行此操作：只有管理员可以",
                a.user.name,
                a.user.role.label()
            )));
        }
        Ok(Admin(a))
    }
}

#[derive(Deserialize)]
pub struct Login {
    pub login: String,
    pub password: String,
}

fn me_json(user: &User, csrf: &str, must_change_password: bool) -> serde_json::Value {
    serde_json::json!({ "user": user, "csrf": csrf, "must_change_password": must_change_password })
}

/// A sign-in: the Set-Cookie value, the user, the CSRF token, whether the password must be changed
/// before anything else, and the previous sign-in (time, address) to show.
pub(crate) struct SignedInNow {
    pub cookie: HeaderValue,
    pub user: User,
    pub csrf: String,
    pub must_change: bool,
    pub previous: Option<(String, String)>,
}

/// The words for the previous sign-in shown at sign-in (Beijing time).
pub(crate) fn last_sign_in_words(previous: &Option<(String, String)>) -> String {
    match previous {
        Some((at, addr)) => format!(
            "上次登录：{}，地址 {addr}。如非本人操作，请立即修改密码并告知安全管理员",
            kaohe_core::time::beijing(at)
        ),
        None => "这是该账号第一次登录".into(),
    }
}

fn locked_error(wait: i64) -> AppError {
    let mins = (wait.max(1) as u64).div_ceil(60);
    AppError::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!("登录失败次数过多，请 {mins} 分钟后再试"),
    )
}

/// Signs in, or says why not (401, 422, 429, 503).
pub(crate) async fn sign_in(
    st: &AppState,
    login: &str,
    password: &str,
    addr: ClientAddr,
    cert: ClientCert,
) -> ApiResult<SignedInNow> {
    let chars = login.chars().count();
    if chars > MAX_LOGIN_CHARS {
        return Err(AppError::invalid(format!(
            "登录名过长：{chars} 个字符，上限 {MAX_LOGIN_CHARS} 个"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::invalid(format!(
            "密码过长：{} 字节，上限 {MAX_PASSWORD_BYTES} 字节",
            password.len()
        )));
    }
    let now = (st.clock)();
    let (now_iso, place) = (crate::iso(now), addr.text());
    if let Some(wait) = st.store.login_locked(login, &place, &now_iso).await? {
        return Err(locked_error(wait));
    }
    if let Some(wait) = st.limiter.locked(login, addr, now) {
        return Err(locked_error(wait as i64));
    }
    let found = st
        .hasher
        .run(st.store.authenticate(login, password))
        .await??;
    let Some(user) = found else {
        // The failure that reaches the limit is told as a wrong password; the next try hears of
        // the lock.
        st.limiter.failed(login, addr, now);
        st.store.login_failed(login, &place, &now_iso).await?;
        return Err(AppError::new(StatusCode::UNAUTHORIZED, "登录名或密码错误"));
    };
    st.limiter.succeeded(login, addr);
    let (token, csrf) = (random_hex(32), random_hex(16));
    let done = match st
        .store
        .sign_in(&user, &token, &csrf, &place, cert.0.as_deref(), &now_iso)
        .await
    {
        Ok(d) => d,
        // 须证书登录 and no (or another) certificate: a failed sign-in, counted and audited.
        Err(kaohe_store::StoreError::Forbidden(m)) => {
            st.limiter.failed(login, addr, now);
            st.store.login_failed(login, &place, &now_iso).await?;
            return Err(AppError::new(StatusCode::UNAUTHORIZED, m));
        }
        Err(e) => return Err(e.into()),
    };
    let max_age = kaohe_store::security::epoch(&done.expires).unwrap_or(0) - now as i64;
    let secure = if st.settings.https { "; Secure" } else { "" };
    let cookie =
        format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}");
    Ok(SignedInNow {
        cookie: HeaderValue::from_str(&cookie).expect("ascii cookie"),
        user,
        csrf,
        must_change: done.must_change,
        previous: done.previous,
    })
}

/// The Set-Cookie value that ends the session in the browser.
pub(crate) fn clear_cookie(st: &AppState) -> HeaderValue {
    if st.settings.https {
        HeaderValue::from_static(
            "kaohe_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure",
        )
    } else {
        HeaderValue::from_static("kaohe_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
    }
}

async fn login(
    State(st): State<AppState>,
    addr: ClientAddr,
    cert: ClientCert,
    Json(body): Json<Login>,
) -> ApiResult<Response> {
    let s = sign_in(&st, &body.login, &body.password, addr, cert).await?;
    let mut v = me_json(&s.user, &s.csrf, s.must_change);
    v["last_sign_in"] = match &s.previous {
        Some((at, place)) => serde_json::json!({ "at": at, "addr": place }),
        None => serde_json::Value::Null,
    };
    v["last_sign_in_words"] = last_sign_in_words(&s.previous).into();
    let mut resp = Json(v).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, s.cookie);
    Ok(resp)
}

async fn logout(
    State(st): State<AppState>,
    addr: ClientAddr,
    Mutating(a): Mutating,
) -> ApiResult<Response> {
    st.store
        .sign_out(&a.user, &a.token, &addr.text(), &st.now())
        .await?;
    let mut resp = Json(serde_json::json!({ "ok": true })).into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&st));
    Ok(resp)
}

async fn me(State(st): State<AppState>, a: Authed) -> ApiResult<Json<serde_json::Value>> {
    let must_change = match st.store.session(&a.token, &st.now()).await? {
        Some(s) => s.must_change_password,
        None => st.store.must_change_password(&a.user).await?,
    };
    Ok(Json(me_json(&a.user, &a.csrf, must_change)))
}

#[derive(Deserialize)]
struct PasswordChange {
    old: String,
    new: String,
}

/// 修改密码: one's own, with the old one (also the way out of 须修改密码).
async fn change_password(
    State(st): State<AppState>,
    Mutating(a): Mutating,
    Json(b): Json<PasswordChange>,
) -> ApiResult<Json<serde_json::Value>> {
    st.store
        .change_own_password(&a.user, &b.old, &b.new, &st.now())
        .await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
        .route("/api/me/password", post(change_password))
}
