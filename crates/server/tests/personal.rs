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
    assert!(s.is_client_error() || s.is_server_error(), "{s}");
    assert!(
        v["error"].as_str().unwrap().contains("未配置数据加密密钥"),
        "{v}"
    );
    let who = web_login(&plain, "admin").await;
    let (s, html) = page(&plain, &who, &format!("/a/{}/setup", plain.id)).await;
    assert_ne!(s, StatusCode::OK);
    assert!(html.contains("未配置数据加密密钥"), "{html}");
}
