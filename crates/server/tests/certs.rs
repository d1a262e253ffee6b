//! SM2 证书登录 through the 国密 TLCP gateway, in process (issue 14): the gateway passes the verified
//! client certificate's identity in the header `--client-cert-header` names; the 系统管理员 binds a
//! certificate to an account on the 系统管理 page (audited; nobody else may); the 安全管理员 turns on
//! 须证书登录 (only with a certificate of their own bound); then a sign-in needs the password AND the
//! bound certificate — which the service takes only behind HTTPS and only from a loopback peer.

use super::*;
use axum::extract::ConnectInfo;
use kaohe_server::Settings;
use std::net::SocketAddr;

const HEADER: &str = "x-client-cert";
const ADMIN_CERT: &str = "4F2A01/CN=县政务办,O=如东县政务服务管理办公室";
const SEC_CERT: &str = "4F2A02/CN=安全管理员,O=如东县政务服务管理办公室";

/// `a`'s store served with `settings`.
fn with(a: &App, settings: Settings) -> axum::Router {
    let c = a.clock.clone();
    router(
        AppState::new(a.store.clone(), Arc::new(move || c.load(Ordering::SeqCst)))
            .with_settings(settings),
    )
}

/// The gateway's deployment: behind HTTPS, the certificate in [`HEADER`].
fn gateway() -> Settings {
    Settings {
        https: true,
        client_cert_header: Some(HEADER.parse().unwrap()),
        ..Settings::default()
    }
}

/// `POST /api/login` from `peer`, with the certificate header when given.
async fn sign_in(
    app: &axum::Router,
    login: &str,
    password: &str,
    cert: Option<&str>,
    peer: [u8; 4],
) -> (StatusCode, Value) {
    let mut b = Request::builder()
        .method("POST")
        .uri("/api/login")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = cert {
        b = b.header(HEADER, c);
    }
    let mut req = b
        .body(Body::from(
            json!({ "login": login, "password": password }).to_string(),
        ))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((peer, 41000))));
    let resp = app.clone().oneshot(req).await.unwrap();
    let s = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (s, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

const LOOPBACK: [u8; 4] = [127, 0, 0, 1];

pub(crate) async fn sm2_certificate_sign_in_needs_the_password_and_the_bound_certificate(db: Db) {
    let a = app(db).await;
    let now = kaohe_server::iso(T0);
    for (login, name, role) in [
        ("sysadmin", "赵敏", Role::SystemAdmin),
        ("secadmin", "钱进", Role::SecurityAdmin),
    ] {
        let new = NewUser {
            login,
            name,
            role,
            unit: None,
            password: "password-123",
        };
        a.store.add_user(None, &new, &now).await.unwrap();
    }
    let gw = with(&a, gateway());
    // Before 须证书登录: the password alone signs in, with or without a certificate.
    assert_eq!(
        sign_in(&gw, "admin", "password-123", None, LOOPBACK)
            .await
            .0,
        StatusCode::OK
    );
    // Only the 系统管理员 binds: on the 系统管理 page, audited.
    let sys = a.login("sysadmin").await;
    let bind = |who: &Who, login: &str, cert: &str| {
        let body = serde_urlencoded::to_string([
            ("csrf", who.csrf.as_str()),
            ("what", "cert"),
            ("login", login),
            ("cert", cert),
        ])
        .unwrap();
        let who = Who {
            cookie: who.cookie.clone(),
            csrf: who.csrf.clone(),
        };
        let a = &a;
        async move { a.form(&who, "/system", body).await }
    };
    let (s, _, loc) = bind(&sys, "admin", ADMIN_CERT).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.contains("msg="), "{loc}");
    let (s, html) = page(&a, &sys, "/system").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("已绑定：4F2A01&#x2f;CN=县政务办"), "{html}");
    // One certificate, one account.
    let (_, _, loc) = bind(&sys, "wangfang", ADMIN_CERT).await;
    assert!(loc.contains("error="), "{loc}");
    let admin = a.login("admin").await;
    let (s, _, _) = bind(&admin, "admin", "X/CN=他人").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the business admin may not bind");
    let user = a.store.user_by_login("sysadmin").await.unwrap().unwrap();
    // The 安全管理员 cannot turn it on without a certificate of their own (they would be locked out).
    let sec = a.store.user_by_login("secadmin").await.unwrap().unwrap();
    let e = a
        .store
        .set_security(&sec, "require_cert", "1", &now)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("请先由系统管理员为您的账号绑定数字证书"),
        "{e}"
    );
    a.store
        .bind_certificate(&user, "secadmin", Some(SEC_CERT), &now)
        .await
        .unwrap();
    let sec_who = a.login("secadmin").await;
    a.store
        .set_security(&sec, "require_cert", "1", &now)
        .await
        .unwrap();
    // The 安全管理 page says how many accounts have one.
    let (s, html) = page(&a, &sec_who, "/security").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("已绑定数字证书的账号：2 个"), "{html}");
    assert!(html.contains("须证书登录"), "{html}");
    // Now: the password and the bound certificate, from the gateway.
    let (s, v) = sign_in(&gw, "admin", "password-123", Some(ADMIN_CERT), LOOPBACK).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let refused = [
        (None, LOOPBACK, "未收到证书"),
        (Some(SEC_CERT), LOOPBACK, "不是该账号绑定的证书"),
        // A client elsewhere cannot set the header: not the gateway.
        (Some(ADMIN_CERT), [10, 0, 0, 8], "未收到证书"),
    ];
    for (cert, peer, says) in refused {
        let (s, v) = sign_in(&gw, "admin", "password-123", cert, peer).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{cert:?} {peer:?}: {v}");
        assert!(v["error"].as_str().unwrap().contains(says), "{v}");
    }
    // The right certificate with a wrong password: refused as any wrong password.
    let (s, v) = sign_in(&gw, "admin", "wrong-pass-1", Some(ADMIN_CERT), LOOPBACK).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"], "登录名或密码错误");
    // The header is not taken without HTTPS in front, nor when no header is configured.
    for settings in [
        Settings {
            https: false,
            ..gateway()
        },
        Settings {
            https: true,
            ..Settings::default()
        },
    ] {
        let app = with(&a, settings);
        let (s, v) = sign_in(&app, "admin", "password-123", Some(ADMIN_CERT), LOOPBACK).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    }
    // An account without a certificate cannot sign in while it is required.
    let (s, v) = sign_in(&gw, "wangfang", "password-123", Some(ADMIN_CERT), LOOPBACK).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(
        v["error"].as_str().unwrap().contains("尚未绑定数字证书"),
        "{v}"
    );
    // The binding and the refusals are in the audit log.
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY seq")
        .fetch_all(a.store.pool())
        .await
        .unwrap();
    assert_eq!(actions.iter().filter(|x| *x == "user.cert_bind").count(), 2);
    assert!(
        actions
            .iter()
            .filter(|x| *x == "session.login_failed")
            .count()
            >= 6
    );
    assert!(a.store.audit_verify().await.unwrap().is_ok());
    // With the SM4 data key the identities (their subjects name people) are sealed at rest, and
    // still compared opened.
    let keyed_store = a
        .store
        .clone()
        .with_data_key(Some(kaohe_store::datakey::DataKey::new([3; 16])));
    let done = keyed_store.encrypt_stored(&now).await.unwrap();
    assert_eq!(done.certs, 2);
    let raw: Vec<String> =
        sqlx::query_scalar("SELECT cert_id FROM users WHERE cert_id IS NOT NULL")
            .fetch_all(a.store.pool())
            .await
            .unwrap();
    assert!(
        raw.len() == 2
            && raw
                .iter()
                .all(|c| c.starts_with("sm4gcm:") && !c.contains("CN=")),
        "{raw:?}"
    );
    // The refusals above count as failures: admin is locked from the gateway until lifted.
    keyed_store.unlock(&sec, "admin", &now).await.unwrap();
    let c = a.clock.clone();
    let keyed = router(
        AppState::new(
            keyed_store.clone(),
            Arc::new(move || c.load(Ordering::SeqCst)),
        )
        .with_settings(gateway()),
    );
    let (s, v) = sign_in(&keyed, "admin", "password-123", Some(ADMIN_CERT), LOOPBACK).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = sign_in(&keyed, "admin", "password-123", Some(SEC_CERT), LOOPBACK).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let listed = keyed_store.certificates(&user).await.unwrap();
    assert!(
        listed.contains(&("admin".to_string(), ADMIN_CERT.to_string())),
        "{listed:?}"
    );
}
