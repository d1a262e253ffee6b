//! 剩余信息保护 (GB/T 22239 第三级, issue 14): what a sign-in leaves behind. A password typed —
//! right or wrong — is never echoed on the page or in the API's answer, never written to the audit
//! log or any other table (only its argon2id hash is kept); a sign-out deletes the session's row and
//! the old cookie is refused afterwards, on the pages and on the API.

use super::*;

const WRONG: &str = "Wrong-Secret-42x";

/// Every text of the database that a password could have been written to, joined.
async fn stored_text(s: &Store) -> String {
    let mut all: Vec<String> = Vec::new();
    for q in [
        "SELECT COALESCE(actor, '') || ' ' || COALESCE(entity, '') || ' ' || COALESCE(old, '') || ' ' || COALESCE(new, '') || ' ' || COALESCE(why, '') FROM audit_log",
        "SELECT login || ' ' || addr FROM login_failures",
        "SELECT login || ' ' || name || ' ' || password_hash || ' ' || COALESCE(last_login_addr, '') FROM users",
        "SELECT token_hash || ' ' || csrf FROM sessions",
    ] {
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(q))
            .fetch_all(s.pool())
            .await
            .unwrap();
        all.extend(rows);
    }
    all.join("\n")
}

pub(crate) async fn a_password_is_never_echoed_or_kept_and_a_sign_out_leaves_no_session(db: Db) {
    let a = app(db).await;
    // A wrong password on the sign-in page: the page keeps the login typed, never the password.
    let (s, body, _) = a
        .raw(
            &Who::default(),
            "POST",
            "/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("login=admin&password={WRONG}").into_bytes(),
        )
        .await;
    let page = String::from_utf8(body).unwrap();
    assert_ne!(s, StatusCode::SEE_OTHER, "a wrong password signed in");
    assert!(page.contains("admin") && !page.contains(WRONG), "{page}");
    // … nor in the API's answer.
    let (s, v, _) = a
        .call(
            &Who::default(),
            "POST",
            "/api/login",
            Some(json!({ "login": "admin", "password": WRONG })),
            false,
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(!v.to_string().contains(WRONG), "{v}");
    // Signed in through the form: the failures and the sign-in are in the log, no password is.
    let who = web_login(&a, "admin").await;
    let kept = stored_text(&a.store).await;
    for secret in [WRONG, "password-123"] {
        assert!(!kept.contains(secret), "{secret} is stored:\n{kept}");
    }
    assert!(kept.contains("$argon2id$"), "only the hash is kept");
    let sessions = || async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(a.store.pool())
            .await
            .unwrap();
        n
    };
    assert_eq!(sessions().await, 1);
    // Sign-out: the session's row is gone, the old cookie opens nothing.
    let (s, _, loc) = a.form(&who, "/logout", format!("csrf={}", who.csrf)).await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/login"));
    assert_eq!(sessions().await, 0, "the session's row is deleted");
    let (s, _, h) = a.raw(&who, "GET", "/", &[], vec![]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(
        h.get(header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("/login"),
        "{h:?}"
    );
    assert_eq!(
        a.call(&who, "GET", "/api/me", None, false).await.0,
        StatusCode::UNAUTHORIZED
    );
}
