//! 登录与会话. A session cookie `kaohe_session` (HttpOnly, SameSite=Strict, Path=/) holds a random
//! token; the database keeps only its sha256. Each session has a CSRF token, returned at sign-in and by
//! `GET /api/me`, that every state-changing request must send in the `X-CSRF-Token` header. After 5
//! failed sign-ins for one login within 15 minutes, further attempts get 429 until the window ends.

use crate::AppState;
use crate::error::{ApiResult, AppError};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kaohe_store::User;
use serde::Deserialize;
use std::collections::HashMap;

pub const COOKIE: &str = "kaohe_session";
const SESSION_SECS: u64 = 12 * 3600;
const MAX_FAILURES: u32 = 5;
const WINDOW_SECS: u64 = 15 * 60;

/// Failed sign-ins per login: (count, start of the window).
#[derive(Default)]
pub struct Limiter {
    failures: HashMap<String, (u32, u64)>,
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

fn cookie_token(headers: &HeaderMap) -> Option<String> {
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

#[derive(Deserialize)]
pub struct Login {
    pub login: String,
    pub password: String,
}

fn me_json(user: &User, csrf: &str) -> serde_json::Value {
    serde_json::json!({ "user": user, "csrf": csrf })
}

/// Signs in: the Set-Cookie value, the user and the CSRF token; or why not (401, 429).
pub(crate) async fn sign_in(
    st: &AppState,
    login: &str,
    password: &str,
) -> ApiResult<(HeaderValue, User, String)> {
    let now = (st.clock)();
    {
        let lim = st.limiter.lock().expect("limiter");
        if let Some((n, start)) = lim.failures.get(login)
            && *n >= MAX_FAILURES
            && now < start + WINDOW_SECS
        {
            let mins = (start + WINDOW_SECS - now).div_ceil(60);
            return Err(AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("登录失败次数过多，请 {mins} 分钟后再试"),
            ));
        }
    }
    let Some(user) = st.store.authenticate(login, password).await? else {
        let mut lim = st.limiter.lock().expect("limiter");
        let e = lim.failures.entry(login.to_string()).or_insert((0, now));
        if now >= e.1 + WINDOW_SECS {
            *e = (0, now);
        }
        e.0 += 1;
        return Err(AppError::new(StatusCode::UNAUTHORIZED, "登录名或密码错误"));
    };
    st.limiter.lock().expect("limiter").failures.remove(login);
    let (token, csrf) = (random_hex(32), random_hex(16));
    st.store
        .create_session(
            &user,
            &token,
            &csrf,
            &crate::iso(now),
            &crate::iso(now + SESSION_SECS),
        )
        .await?;
    let cookie =
        format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={SESSION_SECS}");
    Ok((
        HeaderValue::from_str(&cookie).expect("ascii cookie"),
        user,
        csrf,
    ))
}

async fn login(State(st): State<AppState>, Json(body): Json<Login>) -> ApiResult<Response> {
    let (cookie, user, csrf) = sign_in(&st, &body.login, &body.password).await?;
    let mut resp = Json(me_json(&user, &csrf)).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(resp)
}

async fn logout(State(st): State<AppState>, Mutating(a): Mutating) -> ApiResult<Response> {
    st.store.end_session(&a.token).await?;
    let mut resp = Json(serde_json::json!({ "ok": true })).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("kaohe_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    Ok(resp)
}

async fn me(a: Authed) -> Json<serde_json::Value> {
    Json(me_json(&a.user, &a.csrf))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
}
