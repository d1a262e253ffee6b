//! A service that stays up (issue 9, point 3): uploads refused before their body is read, body
//! limits, the login limiter and the password-check gate. (Headers and the OpenAPI document are in
//! `headers.rs`, a served instance's connections in `connections.rs`.)

use super::{App, T0, Who, app};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use kaohe_server::auth::{ClientAddr, LoginLimiter, MemoryLimiter};
use kaohe_server::{AppState, Settings, router};
use kaohe_store::testdb::Db;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;

kaohe_store::on_both!(
    a_viewers_big_upload_is_refused_before_its_body_is_read,
    over_limit_bodies_get_413_in_chinese_naming_the_limit,
    imports_cancel_is_for_admins_only,
    a_stranger_elsewhere_cannot_lock_a_user_out,
    over_long_logins_and_passwords_are_refused_before_hashing,
    sign_ins_beyond_the_waiting_room_get_503_at_once,
);

/// The same store and clock, served with other settings.
pub(super) fn with_settings(a: &App, settings: Settings) -> axum::Router {
    let c = a.clock.clone();
    router(
        AppState::new(a.store.clone(), Arc::new(move || c.load(Ordering::SeqCst)))
            .with_settings(settings),
    )
}

/// A body of `total` bytes in 1 MiB chunks that counts what is pulled from it (and, with `fail`,
/// breaks off after two chunks as a client that goes away would).
pub(super) struct Counted {
    left: usize,
    pulled: Arc<AtomicUsize>,
    fail: bool,
    sent: usize,
}

impl http_body::Body for Counted {
    type Data = bytes::Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, std::io::Error>>> {
        if self.fail && self.sent == 2 {
            return std::task::Poll::Ready(Some(Err(std::io::Error::other("client went away"))));
        }
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        let n = self.left.min(1024 * 1024);
        self.left -= n;
        self.sent += 1;
        self.pulled.fetch_add(n, Ordering::SeqCst);
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(bytes::Bytes::from(vec![
            b'0';
            n
        ])))))
    }
}

pub(super) fn counted_body(total: usize, pulled: Arc<AtomicUsize>) -> Body {
    Body::new(Counted {
        left: total,
        pulled,
        fail: false,
        sent: 0,
    })
}

pub(super) async fn send(
    app: &axum::Router,
    req: Request<Body>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let (s, h) = (resp.status(), resp.headers().clone());
    let b = resp.into_body().collect().await.unwrap().to_bytes();
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null), h)
}

pub(super) fn upload(who: &Who, method: &str, path: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, &who.cookie)
        .header("x-csrf-token", &who.csrf)
        .header("x-kind", "cases")
}

/// 4 × 400 MiB posts by a viewer took the server from 422 to 2,227 MB: the role is now checked before
/// the body, so not a byte of it is pulled; likewise evidence by another unit's reporter.
async fn a_viewers_big_upload_is_refused_before_its_body_is_read(db: Db) {
    let a = app(db).await;
    let leader = a.login("leader").await;
    let pulled = Arc::new(AtomicUsize::new(0));
    let path = format!("/api/assessments/{}/imports/stage", a.id);
    let req = upload(&leader, "POST", &path)
        .body(counted_body(400 * 1024 * 1024, pulled.clone()))
        .unwrap();
    let (s, v, _) = send(&a.app, req).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("无权导入平台数据"),
        "{v}"
    );
    assert!(
        pulled.load(Ordering::SeqCst) <= 1024 * 1024,
        "{} bytes of a refused upload were read",
        pulled.load(Ordering::SeqCst)
    );
    // Evidence for 掘港 by 马塘's reporter (in 考核: no reporter may upload).
    let matang = a.login("matang").await;
    let pulled = Arc::new(AtomicUsize::new(0));
    let path = format!(
        "/api/assessments/{}/units/320623001/clauses/1.1.1/evidence",
        a.id
    );
    let req = upload(&matang, "PUT", &path)
        .body(counted_body(19 * 1024 * 1024, pulled.clone()))
        .unwrap();
    let (s, v, _) = send(&a.app, req).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(pulled.load(Ordering::SeqCst) <= 1024 * 1024);
    // A new assessment with its rubric: only an admin, checked before the rubric is read.
    let pulled = Arc::new(AtomicUsize::new(0));
    let req = upload(&leader, "POST", "/api/assessments")
        .header(header::CONTENT_TYPE, "application/json")
        .body(counted_body(1024 * 1024, pulled.clone()))
        .unwrap();
    let (s, v, _) = send(&a.app, req).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"], "县领导（领导）无权进行此操作：只有管理员可以");
    assert_eq!(pulled.load(Ordering::SeqCst), 0);
    // Without the CSRF token nothing is read either.
    let pulled = Arc::new(AtomicUsize::new(0));
    let req = Request::builder()
        .method("POST")
        .uri(format!("/api/assessments/{}/imports/stage", a.id))
        .header(header::COOKIE, &a.login("admin").await.cookie)
        .body(counted_body(64 * 1024 * 1024, pulled.clone()))
        .unwrap();
    assert_eq!(send(&a.app, req).await.0, StatusCode::FORBIDDEN);
    assert!(pulled.load(Ordering::SeqCst) <= 1024 * 1024);
}

/// Over a route's limit: 413 with the limit in Chinese, declared or not; the staged file is not kept.
async fn over_limit_bodies_get_413_in_chinese_naming_the_limit(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    // Declared over 512 MiB: refused before anything is read.
    let pulled = Arc::new(AtomicUsize::new(0));
    let req = upload(
        &admin,
        "POST",
        &format!("/api/assessments/{}/imports/stage", a.id),
    )
    .header(header::CONTENT_LENGTH, (513u64 * 1024 * 1024).to_string())
    .body(counted_body(8 * 1024 * 1024, pulled.clone()))
    .unwrap();
    let (s, v, _) = send(&a.app, req).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["error"], "文件过大：上限 512 MB（536870912 字节）");
    assert_eq!(pulled.load(Ordering::SeqCst), 0);
    // Undeclared (chunked) evidence over 20 MiB by an admin: read up to the limit, then 413.
    let pulled = Arc::new(AtomicUsize::new(0));
    let req = upload(
        &admin,
        "PUT",
        &format!(
            "/api/assessments/{}/units/320623001/clauses/1.1.1/evidence",
            a.id
        ),
    )
    .body(counted_body(64 * 1024 * 1024, pulled.clone()))
    .unwrap();
    let (s, v, _) = send(&a.app, req).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(v["error"], "文件过大：上限 20 MB（20971520 字节）");
    assert!(pulled.load(Ordering::SeqCst) <= 22 * 1024 * 1024);
    // A staged import whose client goes away half-way: 400 in Chinese, the partial file removed.
    let req = upload(
        &admin,
        "POST",
        &format!("/api/assessments/{}/imports/stage", a.id),
    )
    .body(Body::new(Counted {
        left: 8 * 1024 * 1024,
        pulled: Arc::default(),
        fail: true,
        sent: 0,
    }))
    .unwrap();
    let (s, v, _) = send(&a.app, req).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"], "上传中断：未收到完整的文件");
    // 剩余信息保护: nothing of the half-sent file is left in the staging folder.
    let left: Vec<_> = std::fs::read_dir(a.store.dir().join("staging"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left in staging: {left:?}");
    // JSON routes: 1 MiB.
    let big = json!({ "login": "x".repeat(2 * 1024 * 1024), "password": "y" });
    let (s, v, _) = a
        .call(&Who::default(), "POST", "/api/login", Some(big), false)
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["error"], "请求内容过大：上限 1 MB（1048576 字节）");
    // The same through a chunked body (no Content-Length): axum's English refusal is put in Chinese.
    let pulled = Arc::new(AtomicUsize::new(0));
    let req = Request::builder()
        .method("POST")
        .uri("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(counted_body(3 * 1024 * 1024, pulled.clone()))
        .unwrap();
    let (s, v, _) = send(&a.app, req).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["error"], "请求内容过大：上限 1 MB（1048576 字节）");
    // A form page too.
    let (s, _, _) = a
        .raw(
            &Who::default(),
            "POST",
            "/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            vec![b'a'; 2 * 1024 * 1024],
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    // Other refusals of axum's are Chinese as well.
    let (s, v, _) = a
        .raw(
            &admin,
            "POST",
            "/api/login",
            &[("content-type", "application/json")],
            b"{".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_slice::<Value>(&v).unwrap()["error"],
        "请求内容有误：不是有效的 JSON"
    );
    let (s, v, _) = a
        .call(
            &Who::default(),
            "POST",
            "/api/login",
            Some(json!({ "login": "a" })),
            false,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"], "请求内容有误：缺少字段“password”");
    // Nothing half-uploaded stays in the staging folder.
    let staging = a.store.dir().join("staging");
    let left: Vec<_> = std::fs::read_dir(&staging)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

/// `imports/cancel` checked no role: any signed-in user could cancel an admin's staged import.
async fn imports_cancel_is_for_admins_only(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let (s, b, _) = a
        .raw(
            &admin,
            "POST",
            &format!("/api/assessments/{}/imports/stage", a.id),
            &[("x-kind", "cases")],
            "办件编号,事项名称\n".as_bytes().to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let token = serde_json::from_slice::<Value>(&b).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/assessments/{}/imports/cancel", a.id);
    for login in ["leader", "juegang", "wangfang"] {
        let who = a.login(login).await;
        let (s, v, _) = a
            .call(
                &who,
                "POST",
                &path,
                Some(json!({ "tokens": [token] })),
                true,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{login}: {v}");
        assert!(v["error"].as_str().unwrap().contains("无权导入平台数据"));
    }
    let (s, v, _) = a
        .call(
            &admin,
            "POST",
            &path,
            Some(json!({ "tokens": [token] })),
            true,
        )
        .await;
    assert_eq!((s, &v["cancelled"]), (StatusCode::OK, &json!(1)), "{v}");
}

pub(super) fn login_from(
    addr: &str,
    login: &str,
    password: &str,
    xff: Option<&str>,
) -> Request<Body> {
    let mut b = Request::builder()
        .method("POST")
        .uri("/api/login")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(x) = xff {
        b = b.header("x-forwarded-for", x);
    }
    let mut req = b
        .body(Body::from(
            json!({ "login": login, "password": password }).to_string(),
        ))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(addr.parse::<SocketAddr>().unwrap()));
    req
}

/// Five wrong passwords from anyone locked the real user out for 15 minutes: now the lock is per
/// account and address, with slower brakes per account (100) and per address (50).
async fn a_stranger_elsewhere_cannot_lock_a_user_out(db: Db) {
    let a = app(db).await;
    for _ in 0..5 {
        let (s, _, _) = send(&a.app, login_from("10.0.0.9:4000", "leader", "wrong", None)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, v, _) = send(
        &a.app,
        login_from("10.0.0.9:4001", "leader", "password-123", None),
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(v["error"], "登录失败次数过多，请 15 分钟后再试");
    // The user at their own desk signs in.
    let (s, v, _) = send(
        &a.app,
        login_from("10.0.0.1:5000", "leader", "password-123", None),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // X-Forwarded-For is not believed without the setting: a rotating header does not help.
    let (s, _, _) = send(
        &a.app,
        login_from("10.0.0.9:4002", "leader", "wrong", Some("192.0.2.77")),
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // Behind a trusted proxy the last forwarded address is the client's.
    let proxied = with_settings(
        &a,
        Settings {
            trusted_proxy: true,
            ..Settings::default()
        },
    );
    for _ in 0..5 {
        let r = login_from(
            "10.0.0.2:80",
            "wangfang",
            "wrong",
            Some("1.2.3.4, 172.16.0.5"),
        );
        assert_eq!(send(&proxied, r).await.0, StatusCode::UNAUTHORIZED);
    }
    let r = login_from(
        "10.0.0.2:80",
        "wangfang",
        "password-123",
        Some("172.16.0.5"),
    );
    assert_eq!(send(&proxied, r).await.0, StatusCode::TOO_MANY_REQUESTS);
    let r = login_from(
        "10.0.0.2:80",
        "wangfang",
        "password-123",
        Some("172.16.0.6"),
    );
    assert_eq!(send(&proxied, r).await.0, StatusCode::OK);
    // The window ends.
    a.clock.store(T0 + 15 * 60, Ordering::SeqCst);
    let (s, _, _) = send(
        &a.app,
        login_from("10.0.0.9:4003", "leader", "password-123", None),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

/// The brakes, and memory bounded by count and by age (300 unique 1.9 MB logins kept 567 MB for good).
#[test]
fn the_login_counter_is_bounded_by_count_and_age_with_account_and_address_brakes() {
    let ip = |n: u32| ClientAddr(Some(std::net::IpAddr::from(n.to_be_bytes())));
    let lim = MemoryLimiter::with_capacity(100);
    let now = 1_000_000;
    for i in 0..1000u32 {
        lim.failed(&format!("user{i}"), ip(i), now + u64::from(i));
    }
    let (pairs, accounts, addresses) = lim.sizes();
    assert!(
        pairs <= 100 && accounts <= 100 && addresses <= 100,
        "{:?}",
        lim.sizes()
    );
    // The newest are kept, the oldest dropped.
    lim.failed("user999", ip(999), now + 1000);
    lim.failed("user999", ip(999), now + 1000);
    lim.failed("user999", ip(999), now + 1000);
    lim.failed("user999", ip(999), now + 1000);
    assert!(lim.locked("user999", ip(999), now + 1000).is_some());
    // Past the window a new failure first forgets every entry of the old window.
    lim.failed("late", ip(5000), now + 5000);
    assert_eq!(lim.sizes(), (1, 1, 1));
    // Account brake: 100 failures from 100 addresses lock the account everywhere…
    let lim = MemoryLimiter::default();
    for i in 0..100u32 {
        assert!(lim.locked("admin", ip(i), now).is_none());
        lim.failed("admin", ip(i), now);
    }
    assert!(lim.locked("admin", ip(7777), now).is_some());
    assert!(lim.locked("other", ip(7777), now).is_none());
    // …and 50 failures from one address over 50 accounts lock that address.
    let lim = MemoryLimiter::default();
    for i in 0..50u32 {
        lim.failed(&format!("guess{i}"), ip(1), now);
    }
    assert!(lim.locked("leader", ip(1), now).is_some());
    assert!(lim.locked("leader", ip(2), now).is_none());
    // The window ends for all three.
    assert!(lim.locked("leader", ip(1), now + 15 * 60).is_none());
}

/// A login over 64 characters or a password over 256 bytes: 422 before any hashing (and not counted).
async fn over_long_logins_and_passwords_are_refused_before_hashing(db: Db) {
    let a = app(db).await;
    let long_login = "甲".repeat(65);
    for _ in 0..6 {
        let (s, v, _) = send(&a.app, login_from("10.0.0.3:1", &long_login, "x", None)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"], "登录名过长：65 个字符，上限 64 个");
        let (s, v, _) = send(
            &a.app,
            login_from("10.0.0.3:1", "leader", &"p".repeat(257), None),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"], "密码过长：257 字节，上限 256 字节");
    }
    // Not counted as failures: the account is not locked from that address.
    let (s, _, _) = send(
        &a.app,
        login_from("10.0.0.3:1", "leader", "password-123", None),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // At the limits: accepted for checking (a wrong password, 401).
    let (s, _, _) = send(
        &a.app,
        login_from("10.0.0.4:1", &"甲".repeat(64), &"p".repeat(256), None),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// At most 2 password checks run and 32 wait; the rest are answered 503 at once, in Chinese.
async fn sign_ins_beyond_the_waiting_room_get_503_at_once(db: Db) {
    let a = app(db).await;
    let reqs: Vec<_> = (0..60)
        .map(|i| {
            let app = a.app.clone();
            async move {
                let addr = format!("10.1.{}.{}:1", i / 200, i % 200 + 1);
                send(&app, login_from(&addr, "leader", "password-123", None)).await
            }
        })
        .collect();
    let results = join_all(reqs).await;
    let ok = results.iter().filter(|r| r.0 == StatusCode::OK).count();
    let busy: Vec<_> = results
        .iter()
        .filter(|r| r.0 == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert_eq!(ok + busy.len(), 60, "only 200 or 503");
    assert!(!busy.is_empty(), "60 at once: some must be refused");
    assert!(ok >= 2 + 32 - 2, "those admitted are served: {ok}");
    assert_eq!(busy[0].1["error"], "登录请求过多，服务器正忙，请稍后再试");
    // Afterwards the gate is free again.
    let (s, _, _) = send(
        &a.app,
        login_from("10.0.0.5:1", "leader", "password-123", None),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

/// Polls every future in turn until all are done (the futures crate is not a dependency).
pub(super) async fn join_all<F: std::future::Future>(fs: Vec<F>) -> Vec<F::Output> {
    let mut fs: Vec<_> = fs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = fs.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, o) in fs.iter_mut().zip(out.iter_mut()) {
            if o.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *o = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.unwrap()).collect()
}
