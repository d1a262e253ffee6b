//! 三员分立、登录规则与安全审计 in process (issue 14): the demo's three administrators sign in with
//! the printed passwords and each is refused the others' work and the business; a lock survives a
//! restart (the app rebuilt on the same data) until the 安全管理员 lifts it; the last sign-in is shown;
//! an idle session ends; a download is in the audit log.

use super::*;

/// The demo (its rubric, files and accounts) in a fresh store, served with a clock the test moves.
async fn demo_app(db: Db) -> (tempfile::TempDir, Option<String>, App) {
    let dir = tempfile::tempdir().unwrap();
    let (store, url) = kaohe_store::testdb::open(dir.path(), db).await;
    macro_rules! f {
        ($name:literal) => {
            (
                $name.to_string(),
                include_bytes!(concat!("../../../examples/rudong-2021/", $name)).to_vec(),
            )
        };
    }
    let files = vec![
        f!("units.csv"),
        f!("judgements.csv"),
        f!("metrics.csv"),
        f!("findings.csv"),
        f!("bonus.csv"),
    ];
    let id = kaohe_server::demo::seed(&store, RUBRIC, &files, &kaohe_server::iso(T0))
        .await
        .unwrap();
    let app = serve(&store, id);
    (dir, url, app)
}

fn serve(store: &Store, id: i64) -> App {
    let clock = Arc::new(AtomicU64::new(T0 + 60));
    let c = clock.clone();
    let state = AppState::new(store.clone(), Arc::new(move || c.load(Ordering::SeqCst)));
    App {
        _dir: tempfile::tempdir().unwrap(),
        app: router(state),
        clock,
        store: store.clone(),
        id,
    }
}

/// The demo's printed password of `login`.
fn demo_password(login: &str) -> &'static str {
    kaohe_server::demo::ACCOUNTS
        .iter()
        .find(|a| a.0 == login)
        .unwrap()
        .4
}

/// A form post by `who` to `path` with `fields` (the CSRF token added).
async fn post(a: &App, who: &Who, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let mut all = vec![("csrf", who.csrf.as_str())];
    all.extend_from_slice(fields);
    let (s, html, loc) = a
        .form(who, path, serde_urlencoded::to_string(&all).unwrap())
        .await;
    (s, format!("{loc}{html}"))
}

pub(crate) async fn the_demo_signs_in_the_three_administrators_and_each_is_refused_the_others_work(
    db: Db,
) {
    let (_dir, _url, a) = demo_app(db).await;
    let id = a.id;
    let mut who = std::collections::HashMap::new();
    for login in ["admin", "sysadmin", "secadmin", "auditor"] {
        let (s, v, _) = a
            .call(
                &Who::default(),
                "POST",
                "/api/login",
                Some(json!({ "login": login, "password": demo_password(login) })),
                false,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{login}: {v}");
        // The demo's accounts are the one exception to the forced change at first sign-in.
        assert_eq!(v["must_change_password"], json!(false), "{login}");
        assert_eq!(v["last_sign_in_words"], json!("这是该账号第一次登录"));
        who.insert(login, a.login_with(login, demo_password(login)).await);
    }
    let own = [
        ("sysadmin", "/system", "系统管理"),
        ("secadmin", "/security", "安全管理"),
        ("auditor", "/audit", "审计日志"),
    ];
    for (login, mine, title) in own {
        let me = &who[login];
        let (s, html) = page(&a, me, mine).await;
        assert_eq!(s, StatusCode::OK, "{login} {mine}: {html}");
        assert!(html.contains(title), "{html}");
        // "/" leads each to their own page.
        let (_, _, h) = a.raw(me, "GET", "/", &[], vec![]).await;
        assert!(h[header::LOCATION].to_str().unwrap().starts_with(mine));
        for (_, theirs, _) in own.iter().filter(|o| o.1 != mine) {
            let (s, html) = page(&a, me, theirs).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{login} {theirs}: {html}");
        }
        // No business: no assessment, no results, no audit log through the API but their own.
        let (s, _, _) = a
            .call(
                me,
                "GET",
                &format!("/api/assessments/{id}/results"),
                None,
                false,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{login} results");
        let (s, _, _) = a
            .call(
                me,
                "POST",
                &format!("/api/assessments/{id}/stage"),
                Some(json!({ "to": "publication", "reason": "x" })),
                true,
            )
            .await;
        assert_ne!(s, StatusCode::OK, "{login} stage");
    }
    // The business admin: none of the three pages.
    for p in ["/system", "/security", "/audit"] {
        let (s, _) = page(&a, &who["admin"], p).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "admin {p}");
    }
    let (s, v, _) = a
        .call(&who["admin"], "GET", "/api/audit", None, false)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    // Their forms, posted by the wrong one, are refused too.
    let (s, _) = post(
        &a,
        &who["sysadmin"],
        "/security",
        &[("what", "settings"), ("lock_minutes", "60")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = post(
        &a,
        &who["secadmin"],
        "/system",
        &[
            ("what", "add"),
            ("login", "x"),
            ("name", "某"),
            ("role", "viewer"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Each does their own: a setting, an account, an archive — all in the audit log.
    let (s, loc) = post(
        &a,
        &who["secadmin"],
        "/security",
        &[("what", "settings"), ("lock_minutes", "30")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    assert_eq!(a.store.security().await.unwrap().lock_secs(), 1800);
    let (s, loc) = post(
        &a,
        &who["sysadmin"],
        "/system",
        &[
            ("what", "add"),
            ("login", "wujing"),
            ("name", "吴静"),
            ("role", "viewer"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let (s, body, h) = a
        .raw(
            &who["auditor"],
            "GET",
            "/audit/archive?from=2021-12-01&to=2021-12-31",
            &[],
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        h[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("kaohe-audit-2021-12-01-2021-12-31.jsonl")
    );
    let text = String::from_utf8(body).unwrap();
    kaohe_store::archive::verify(a.store.audit_key(), &text).unwrap();
    let log = a.store.audit_log().await.unwrap();
    for action in [
        "settings.change",
        "user.add",
        "audit.export",
        "export.download",
    ] {
        assert!(log.iter().any(|e| e.action == action), "{action}");
    }
}

pub(crate) async fn a_restart_keeps_a_lock_until_the_security_admin_lifts_it(db: Db) {
    let (dir, url, a) = demo_app(db).await;
    let wrong = json!({ "login": "leader", "password": "Wrong-pass-1" });
    for _ in 0..5 {
        a.call(
            &Who::default(),
            "POST",
            "/api/login",
            Some(wrong.clone()),
            false,
        )
        .await;
    }
    // A restart: the store opened again on the same data, the app built again.
    let store = Store::open_with(dir.path(), url.as_deref()).await.unwrap();
    let b = serve(&store, a.id);
    let right = json!({ "login": "leader", "password": demo_password("leader") });
    let (s, v, _) = b
        .call(
            &Who::default(),
            "POST",
            "/api/login",
            Some(right.clone()),
            false,
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert!(v["error"].as_str().unwrap().contains("登录失败次数过多"));
    let sec = b.login_with("secadmin", demo_password("secadmin")).await;
    let (_, html) = page(&b, &sec, "/security").await;
    assert!(html.contains("leader"), "{html}");
    let (s, loc) = post(
        &b,
        &sec,
        "/security",
        &[("what", "unlock"), ("login", "leader")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let (s, v, _) = b
        .call(&Who::default(), "POST", "/api/login", Some(right), false)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let log = b.store.audit_log().await.unwrap();
    for action in ["session.login_failed", "account.lock", "account.unlock"] {
        assert!(log.iter().any(|e| e.action == action), "{action}");
    }
}

pub(crate) async fn the_last_sign_in_is_shown_and_an_idle_session_ends(db: Db) {
    let a = app(db).await;
    let form = |login: &str| format!("login={login}&password=password-123").into_bytes();
    let ct = [("content-type", "application/x-www-form-urlencoded")];
    let (s, _, h) = a
        .raw(&Who::default(), "POST", "/login", &ct, form("leader"))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    a.clock.fetch_add(60, Ordering::SeqCst);
    let (_, _, h2) = a
        .raw(&Who::default(), "POST", "/login", &ct, form("leader"))
        .await;
    let loc = h2[header::LOCATION].to_str().unwrap().to_string();
    let cookie = h2[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    let who = Who {
        cookie: cookie.to_string(),
        csrf: String::new(),
    };
    let (_, html) = page(&a, &who, &loc).await;
    assert!(
        html.contains("上次登录：2021年12月1日 17:00"),
        "{loc} {html}"
    );
    assert!(h.contains_key(header::SET_COOKIE));
    // 30 minutes without a request end the session (the default idle timeout).
    a.clock.fetch_add(29 * 60, Ordering::SeqCst);
    assert_eq!(page(&a, &who, "/").await.0, StatusCode::OK);
    a.clock.fetch_add(31 * 60, Ordering::SeqCst);
    let (s, _, h) = a.raw(&who, "GET", "/", &[], vec![]).await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/login")
    );
    // A download is recorded with its path and address.
    let admin = a.login("admin").await;
    let (s, _, _) = a
        .raw(
            &admin,
            "GET",
            &format!("/a/{}/export.xlsx", a.id),
            &[],
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let log = a.store.audit_log().await.unwrap();
    let d = log.iter().rfind(|e| e.action == "export.download").unwrap();
    assert_eq!(
        (d.actor.as_str(), d.entity.clone()),
        ("admin", format!("/a/{}/export.xlsx", a.id))
    );
}
