//! Signing in and out: the cookie, the CSRF token, the login limiter, expiry.

use super::*;

pub(crate) async fn sign_in_sets_a_safe_cookie_and_wrong_passwords_are_limited(db: Db) {
    let a = app(db).await;
    let (s, v, h) = a
        .call(
            &Who::default(),
            "POST",
            "/api/login",
            Some(json!({ "login": "admin", "password": "password-123" })),
            false,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["user"]["role"], "admin");
    assert_eq!(v["csrf"].as_str().unwrap().len(), 32);
    let cookie = h.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    for attr in [
        "kaohe_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=43200",
    ] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    // The database keeps the token's sha256, never the token.
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("kaohe_session=");
    let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM sessions")
        .fetch_all(a.store.pool())
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .any(|(h,)| *h == kaohe_core::rubric::sha256_hex(token.as_bytes()))
    );
    assert!(!stored.iter().any(|(h,)| h == token));
    for _ in 0..5 {
        let (s, v, _) = a
            .call(
                &Who::default(),
                "POST",
                "/api/login",
                Some(json!({ "login": "leader", "password": "wrong" })),
                false,
            )
            .await;
        assert_eq!(
            (s, v["error"].as_str().unwrap()),
            (StatusCode::UNAUTHORIZED, "登录名或密码错误")
        );
    }
    let (s, v, _) = a
        .call(
            &Who::default(),
            "POST",
            "/api/login",
            Some(json!({ "login": "leader", "password": "password-123" })),
            false,
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(v["error"], "登录失败次数过多，请 15 分钟后再试");
    a.clock.fetch_add(15 * 60, Ordering::SeqCst);
    a.login("leader").await;
}

pub(crate) async fn sessions_expire_and_logout_ends_them(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    assert_eq!(
        a.call(&admin, "GET", "/api/me", None, false).await.0,
        StatusCode::OK
    );
    a.clock.fetch_add(12 * 3600 + 1, Ordering::SeqCst);
    let (s, v, _) = a.call(&admin, "GET", "/api/me", None, false).await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (StatusCode::UNAUTHORIZED, "登录已过期，请重新登录")
    );
    let admin = a.login("admin").await;
    let (s, _, h) = a.call(&admin, "POST", "/api/logout", None, true).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        h.get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        a.call(&admin, "GET", "/api/me", None, false).await.0,
        StatusCode::UNAUTHORIZED
    );
}
