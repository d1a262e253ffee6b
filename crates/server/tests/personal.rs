//! 个人信息 through the service (issue 14 part 4): with the SM4 data key an account's phone typed in
//! the API is sealed in the database and shown opened where accounts are listed (the API and the
//! setup page); a service without the key says so in Chinese, never an empty phone; a reporter is
//! refused the list.

use super::*;

/// The service of `a`'s store with the data key `key`.
fn keyed(a: &App, key: [u8; 16]) -> App {
    let store = a
        .store
        .clone()
        .with_data_key(Some(kaohe_store::datakey::DataKey::new(key)));
    let clock = Arc::new(AtomicU64::new(a.clock.load(Ordering::SeqCst)));
    let c = clock.clone();
    let state = AppState::new(store.clone(), Arc::new(move || c.load(Ordering::SeqCst)));
    App {
        _dir: tempfile::tempdir().unwrap(),
        app: router(state),
        clock,
        store,
        id: a.id,
    }
}

pub(crate) async fn a_phone_is_sealed_at_rest_and_shown_opened_only_to_who_manages_accounts(
    db: Db,
) {
    let plain = app(db).await;
    let a = keyed(&plain, [9; 16]);
    let admin = a.login("admin").await;
    let (s, v, _) = a
        .call(
            &admin,
            "PUT",
            "/api/users/juegang",
            Some(json!({ "name": "掘港填报员", "role": "reporter", "unit": "320623001", "phone": "13900001234", "assessment": a.id })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let raw: String = sqlx::query_scalar("SELECT phone FROM users WHERE login = 'juegang'")
        .fetch_one(a.store.pool())
        .await
        .unwrap();
    assert!(raw.starts_with("sm4gcm:") && !raw.contains("1234"), "{raw}");
    let (_, v, _) = a.call(&admin, "GET", "/api/accounts", None, false).await;
    let phone = v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["login"] == "juegang")
        .map(|x| x["phone"].clone());
    assert_eq!(phone, Some(json!("13900001234")), "{v}");
    let who = web_login(&a, "admin").await;
    let (s, html) = page(&a, &who, &format!("/a/{}/setup", a.id)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("13900001234") && !html.contains("sm4gcm:"));
    // A reporter is refused the list.
    let reporter = a.login("juegang").await;
    let (s, _, _) = a.call(&reporter, "GET", "/api/accounts", None, false).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The same data served without the key: an error naming the missing key, on the API and the page.
    let admin = plain.login("admin").await;
    let (s, v, _) = plain
        .call(&admin, "GET", "/api/accounts", None, false)
        .await;
    assert_eq!(
        s,
        StatusCode::INTERNAL_SERVER_ERROR,
        "a fault of the configuration: {v}"
    );
    says_what_to_configure(v["error"].as_str().unwrap());
    let who = web_login(&plain, "admin").await;
    let (s, html) = page(&plain, &who, &format!("/a/{}/setup", plain.id)).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    says_what_to_configure(&html);
}

/// A missing data key's message: what is sealed and what the administrator must configure.
fn says_what_to_configure(m: &str) {
    for words in [
        "未配置数据加密密钥",
        "请系统管理员",
        "--data-key",
        "重启服务",
    ] {
        assert!(m.contains(words), "{words} not in: {m}");
    }
}

/// Data sealed with the key, served by a service started without it: a fault of the server's
/// configuration (500) that tells the administrator what to configure — an evidence file as much
/// as a phone — never 422 (nothing is wrong with the request) and never an empty value.
pub(crate) async fn a_missing_data_key_is_a_500_that_says_what_to_configure(db: Db) {
    let plain = app(db).await;
    let a = keyed(&plain, [7; 16]);
    let s = &a.store;
    let id = in_self_assessment(s, "缺少密钥", &[("320623001", "掘港街道", "街道")]).await;
    let rep = a.login("juegang").await;
    let path = format!("/api/assessments/{id}/units/320623001/clauses/1.1.1/evidence");
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF".to_vec();
    let (st, body, _) = a.raw(&rep, "PUT", &path, &[], pdf.clone()).await;
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let sha = kaohe_core::rubric::sha256_hex(&pdf);
    let (st, body, _) = a
        .raw(
            &rep,
            "GET",
            &format!("/api/evidence/{sha}"),
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(
        (st, body),
        (StatusCode::OK, pdf),
        "the keyed service serves it"
    );
    let rep = plain.login("juegang").await;
    let (st, body, _) = plain
        .raw(
            &rep,
            "GET",
            &format!("/api/evidence/{sha}"),
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR);
    let v: Value = serde_json::from_slice(&body).unwrap();
    let m = v["error"].as_str().unwrap();
    says_what_to_configure(m);
    assert!(m.contains("佐证材料"), "{m}");
}
