//! 个人信息 at rest (issue 14 part 4) on both databases: with an SM4 data key an account's phone is
//! sealed in `users.phone` (no plain phone in the column, nor in the audit log, which keeps it
//! masked), read back opened where it is shown; a changed value, one copied from another account, a
//! wrong key or no key is an error in Chinese, never an empty phone; `encrypt_stored` seals what was
//! stored plain before the key (phones and evidence files), once; and who may read phones at all.
//! Reporters' names sealed the same way (masked in the log); `rotate_data_key` moves every sealed
//! value and file to a new key.

use super::*;
use kaohe_store::datakey::{DataKey, FIELD_PREFIX, MAGIC};
use kaohe_store::{AccountEdit, NewAccount};

const KEY: [u8; 16] = *b"kaohe-sm4-key-16";

fn person(login: &str, name: &str, role: Role, phone: &str) -> NewAccount {
    NewAccount {
        login: login.into(),
        name: name.into(),
        role,
        unit: None,
        phone: Some(phone.into()),
        password: "Initial-pass-1".into(),
    }
}

async fn raw_phone(s: &Store, login: &str) -> Option<String> {
    sqlx::query_scalar("SELECT phone FROM users WHERE login = $1")
        .bind(login)
        .fetch_one(s.pool())
        .await
        .unwrap()
}

async fn phones(s: &Store, by: &User) -> Result<Vec<(String, Option<String>)>, StoreError> {
    Ok(s.accounts(by)
        .await?
        .into_iter()
        .map(|a| (a.login, a.phone))
        .collect())
}

async fn logged(s: &Store) -> String {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT COALESCE(old, '') || ' ' || COALESCE(new, '') FROM audit_log ORDER BY seq",
    )
    .fetch_all(s.pool())
    .await
    .unwrap();
    rows.join("\n")
}

pub(crate) async fn phones_are_sm4_encrypted_at_rest_and_a_changed_value_is_refused(db: Db) {
    let w = world(db).await;
    let plain = &w.store;
    // Before the key: stored plain (and still read when the key comes).
    plain
        .add_account(
            &w.admin,
            Some(w.id),
            &person("zhouli", "周立", Role::Viewer, "13912345678"),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        raw_phone(plain, "zhouli").await.as_deref(),
        Some("13912345678")
    );
    let keyed = plain.clone().with_data_key(Some(DataKey::new(KEY)));
    keyed
        .add_account(
            &w.admin,
            Some(w.id),
            &person("sunmei", "孙梅", Role::Viewer, "13800001111"),
            NOW,
        )
        .await
        .unwrap();
    let raw = raw_phone(&keyed, "sunmei").await.unwrap();
    assert!(raw.starts_with(FIELD_PREFIX), "{raw}");
    assert!(
        !raw.contains("13800001111") && !raw.contains("1111"),
        "{raw}"
    );
    let read = phones(&keyed, &w.admin).await.unwrap();
    assert!(
        read.contains(&("sunmei".into(), Some("13800001111".into()))),
        "{read:?}"
    );
    assert!(
        read.contains(&("zhouli".into(), Some("13912345678".into()))),
        "{read:?}"
    );
    // An edit seals the new phone; the log keeps both masked, never the number.
    let edit = AccountEdit {
        name: "孙梅".into(),
        role: Role::Viewer,
        unit: None,
        phone: Some("13800002222".into()),
    };
    keyed
        .edit_account(&w.admin, Some(w.id), "sunmei", &edit, NOW)
        .await
        .unwrap();
    let raw = raw_phone(&keyed, "sunmei").await.unwrap();
    assert!(
        raw.starts_with(FIELD_PREFIX) && !raw.contains("2222"),
        "{raw}"
    );
    let log = logged(&keyed).await;
    for number in ["13800001111", "13800002222"] {
        assert!(!log.contains(number), "{number} in the log:\n{log}");
    }
    assert!(
        log.contains("138****1111") && log.contains("138****2222"),
        "{log}"
    );
    // Without the key, or with another: an error that says so, never an empty phone.
    match phones(plain, &w.admin).await {
        Err(StoreError::Unconfigured(m)) => {
            assert!(
                m.contains("sunmei") && m.contains("未配置数据加密密钥"),
                "{m}"
            )
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let other_key = plain.clone().with_data_key(Some(DataKey::new([7; 16])));
    match phones(&other_key, &w.admin).await {
        Err(e @ StoreError::Tampered(_)) => {
            let m = e.to_string();
            assert!(
                m.contains("完整性校验失败") && m.contains("电话解密失败"),
                "{m}"
            )
        }
        other => panic!("expected Tampered, got {other:?}"),
    }
    // One hex digit changed, or the value copied onto another account: refused.
    let mut changed = raw.clone().into_bytes();
    let i = changed.len() - 5;
    changed[i] = if changed[i] == b'0' { b'1' } else { b'0' };
    let changed = String::from_utf8(changed).unwrap();
    let set = |login: &'static str, value: String| {
        let s = keyed.clone();
        async move {
            sqlx::query("UPDATE users SET phone = $1 WHERE login = $2")
                .bind(value)
                .bind(login)
                .execute(s.pool())
                .await
                .unwrap();
        }
    };
    for (login, value, was) in [
        ("sunmei", changed.clone(), raw.clone()),
        ("zhouli", raw.clone(), "13912345678".to_string()),
    ] {
        set(login, value).await;
        match phones(&keyed, &w.admin).await {
            Err(StoreError::Tampered(m)) => assert!(m.contains(login), "{m}"),
            other => panic!("expected Tampered for {login}, got {other:?}"),
        }
        set(login, was).await;
    }
    assert_eq!(phones(&keyed, &w.admin).await.unwrap(), read_after(&read));
}

/// The list read before the edit, with sunmei's phone as edited.
fn read_after(read: &[(String, Option<String>)]) -> Vec<(String, Option<String>)> {
    read.iter()
        .map(|(l, p)| match l.as_str() {
            "sunmei" => (l.clone(), Some("13800002222".into())),
            _ => (l.clone(), p.clone()),
        })
        .collect()
}

/// `kaohe data-key encrypt`'s store side: what was stored plain before the key — a phone, an
/// evidence file — sealed once, audited, and still read; a second run seals nothing.
pub(crate) async fn what_was_stored_before_the_key_is_encrypted_once(db: Db) {
    let w = world(db).await;
    let plain = &w.store;
    move_to(plain, &w.admin, w.id, Stage::SelfAssessment).await;
    plain
        .add_account(
            &w.admin,
            Some(w.id),
            &person("zhouli", "周立", Role::Viewer, "13912345678"),
            NOW,
        )
        .await
        .unwrap();
    let clause = {
        let (r, _) = kaohe_core::rubric::load("r", RUBRIC);
        r.unwrap()
            .self_assessed("街道")
            .next()
            .unwrap()
            .id
            .to_string()
    };
    let pdf: &[u8] = b"%PDF-1.4\n%stored before the key\n";
    let e = plain
        .put_evidence(&w.reporter, w.id, "320623001", &clause, "a.pdf", pdf, NOW)
        .await
        .unwrap();
    let file = w
        .dir
        .path()
        .join("evidence")
        .join(&e.sha256[..2])
        .join(&e.sha256);
    assert_eq!(std::fs::read(&file).unwrap(), pdf);
    match plain.encrypt_stored(NOW).await {
        Err(StoreError::Invalid(m)) => assert!(m.contains("未配置数据加密密钥"), "{m}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    let keyed = plain.clone().with_data_key(Some(DataKey::new(KEY)));
    let done = keyed.encrypt_stored(NOW).await.unwrap();
    assert_eq!((done.phones, done.files), (1, 1));
    let every: Vec<String> = sqlx::query_scalar("SELECT phone FROM users WHERE phone IS NOT NULL")
        .fetch_all(keyed.pool())
        .await
        .unwrap();
    assert!(
        !every.is_empty() && every.iter().all(|p| p.starts_with(FIELD_PREFIX)),
        "{every:?}"
    );
    assert!(std::fs::read(&file).unwrap().starts_with(MAGIC));
    assert_eq!(
        keyed.evidence_file(&w.reporter, &e.sha256).await.unwrap().0,
        pdf
    );
    let read = phones(&keyed, &w.admin).await.unwrap();
    assert!(
        read.contains(&("zhouli".into(), Some("13912345678".into()))),
        "{read:?}"
    );
    let sealed = raw_phone(&keyed, "zhouli").await.unwrap();
    let again = keyed.encrypt_stored(NOW).await.unwrap();
    assert_eq!((again.phones, again.files), (0, 0));
    assert_eq!(
        raw_phone(&keyed, "zhouli").await.unwrap(),
        sealed,
        "left as it was"
    );
    let log = logged(&keyed).await;
    assert!(
        log.contains(r#"{"bad_files":0,"certs":0,"files":1,"names":1,"phones":1}"#),
        "{log}"
    );
    assert!(
        log.contains(r#"{"bad_files":0,"certs":0,"files":0,"names":0,"phones":0}"#),
        "{log}"
    );
    assert!(keyed.audit_verify().await.unwrap().is_ok());
}

/// 个人信息保护: the phones are read by who manages accounts (考核管理员, 系统管理员) and by the
/// 安全管理员 (roles) only; an assessor, a reporter, a leader and the 审计管理员 are refused the
/// list. One person is still never two of the three administrators when their phones are sealed
/// (each sealing differs, so the phones are compared opened).
pub(crate) async fn only_account_managers_read_phones(db: Db) {
    let w = world(db).await;
    let s = w.store.clone().with_data_key(Some(DataKey::new(KEY)));
    let sys = s
        .add_user(
            None,
            &NewUser {
                login: "sysadmin",
                name: "赵敏",
                role: Role::SystemAdmin,
                unit: None,
                password: "Officer-pass-1",
            },
            NOW,
        )
        .await
        .unwrap();
    let add = |login: &'static str, name: &'static str, role| {
        let (s, sys) = (s.clone(), sys.clone());
        async move {
            s.add_account(&sys, None, &person(login, name, role, "13700007777"), NOW)
                .await
        }
    };
    let sec = add("secadmin", "钱进", Role::SecurityAdmin).await.unwrap();
    let e = add("auditor", "孙丽", Role::AuditAdmin).await.unwrap_err();
    assert!(e.to_string().contains("三员分立"), "{e}");
    let viewer = add("leader", "县领导", Role::Viewer).await.unwrap();
    let audit = s
        .add_account(
            &sys,
            None,
            &person("auditor", "孙丽", Role::AuditAdmin, "13700008888"),
            NOW,
        )
        .await
        .unwrap();
    for who in [&w.admin, &sys, &sec] {
        let read = phones(&s, who).await.unwrap();
        assert!(
            read.contains(&("secadmin".into(), Some("13700007777".into()))),
            "{read:?}"
        );
    }
    for who in [&w.assessor, &w.reporter, &viewer, &audit] {
        match s.accounts(who).await {
            Err(StoreError::Forbidden(_)) => {}
            other => panic!("{} read the accounts: {other:?}", who.login),
        }
    }
}

/// 更换数据加密密钥: every sealed phone and file moves from the old key to the new one; a wrong old
/// key changes nothing; the store with the new key reads everything, the old key nothing; a rerun
/// changes nothing and logs nothing.
pub(crate) async fn a_rotation_moves_every_sealed_value_to_the_new_key(db: Db) {
    let w = world(db).await;
    let (old, new) = (DataKey::new(KEY), DataKey::new(*b"another-sm4-key!"));
    let before = w.store.clone().with_data_key(Some(old.clone()));
    move_to(&w.store, &w.admin, w.id, Stage::SelfAssessment).await;
    for (login, name, phone) in [
        ("zhouli", "周立", "13912345678"),
        ("wuqing", "吴青", "13800005555"),
    ] {
        before
            .add_account(
                &w.admin,
                Some(w.id),
                &person(login, name, Role::Viewer, phone),
                NOW,
            )
            .await
            .unwrap();
    }
    let clause = {
        let (r, _) = kaohe_core::rubric::load("r", RUBRIC);
        r.unwrap()
            .self_assessed("街道")
            .next()
            .unwrap()
            .id
            .to_string()
    };
    let pdf: &[u8] = b"%PDF-1.4\n%sealed with the old key\n";
    let e = before
        .put_evidence(&w.reporter, w.id, "320623001", &clause, "a.pdf", pdf, NOW)
        .await
        .unwrap();
    let raw = || async {
        (
            raw_phone(&w.store, "zhouli").await,
            raw_phone(&w.store, "wuqing").await,
            std::fs::read(
                w.dir
                    .path()
                    .join("evidence")
                    .join(&e.sha256[..2])
                    .join(&e.sha256),
            )
            .unwrap(),
        )
    };
    let sealed = raw().await;
    // A wrong old key: refused, nothing changed.
    let wrong = DataKey::new([5; 16]);
    match w.store.rotate_data_key(&wrong, &new, NOW).await {
        Err(StoreError::Invalid(m)) => {
            assert!(
                m.contains("旧密钥（--old-key）不对") && m.contains("账号“zhouli”的电话"),
                "{m}"
            )
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert_eq!(raw().await, sealed);
    let done = w.store.rotate_data_key(&old, &new, NOW).await.unwrap();
    assert_eq!((done.files, done.fields, done.already), (1, 2, 0));
    let after = w.store.clone().with_data_key(Some(new.clone()));
    let read = phones(&after, &w.admin).await.unwrap();
    for (login, phone) in [("zhouli", "13912345678"), ("wuqing", "13800005555")] {
        assert!(
            read.contains(&(login.into(), Some(phone.into()))),
            "{read:?}"
        );
    }
    assert_eq!(
        after.evidence_file(&w.reporter, &e.sha256).await.unwrap().0,
        pdf
    );
    // The old key opens nothing any more.
    assert!(matches!(
        phones(&before, &w.admin).await,
        Err(StoreError::Tampered(_))
    ));
    assert!(matches!(
        before.evidence_file(&w.reporter, &e.sha256).await,
        Err(StoreError::Tampered(_))
    ));
    // Again: nothing under the old key.
    let rotated = raw().await;
    let again = w.store.rotate_data_key(&old, &new, NOW).await.unwrap();
    assert_eq!((again.files, again.fields, again.already), (0, 0, 3));
    assert_eq!(raw().await, rotated);
    let log = logged(&w.store).await;
    assert_eq!(
        log.matches(r#"{"already":0,"fields":2,"files":1}"#).count(),
        1,
        "{log}"
    );
    assert!(w.store.audit_verify().await.unwrap().is_ok());
}

async fn raw_name(s: &Store, login: &str) -> String {
    sqlx::query_scalar("SELECT name FROM users WHERE login = $1")
        .bind(login)
        .fetch_one(s.pool())
        .await
        .unwrap()
}

/// 填报员的姓名: with the key a reporter's name is sealed in `users.name` (bound to the account)
/// and opened wherever it is shown to who may read it — the account itself at sign-in, the
/// account lists, the 自评分 it wrote, the evidence it uploaded, the objection it filed — and
/// masked in the audit log (`陈**`), whose replay still checks the account; an officer's name stays
/// plain (the label of what they decide). Without the key: an error naming the missing key, never
/// an empty name; a changed or moved value is refused; `encrypt_stored` seals names stored before
/// the key, and a rotation moves them to the new key.
pub(crate) async fn reporters_names_are_sm4_encrypted_at_rest_and_opened_where_shown(db: Db) {
    let w = world(db).await;
    let keyed = w.store.clone().with_data_key(Some(DataKey::new(KEY)));
    keyed
        .add_account(
            &w.admin,
            Some(w.id),
            &NewAccount {
                login: "chenxh".into(),
                name: "陈小红".into(),
                role: Role::Reporter,
                unit: Some("320623001".into()),
                phone: None,
                password: "Initial-pass-1".into(),
            },
            NOW,
        )
        .await
        .unwrap();
    keyed
        .add_account(
            &w.admin,
            Some(w.id),
            &person("zhouli", "周立", Role::Viewer, "13912345678"),
            NOW,
        )
        .await
        .unwrap();
    let raw = raw_name(&keyed, "chenxh").await;
    assert!(
        raw.starts_with(FIELD_PREFIX) && !raw.contains("陈"),
        "{raw}"
    );
    assert_eq!(
        raw_name(&keyed, "zhouli").await,
        "周立",
        "an officer's stays plain"
    );
    // Opened for the account itself, and where its work is shown.
    let me = keyed
        .authenticate("chenxh", "Initial-pass-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(me.name, "陈小红");
    move_to(&keyed, &w.admin, w.id, Stage::SelfAssessment).await;
    let clause = {
        let (r, _) = kaohe_core::rubric::load("r", RUBRIC);
        r.unwrap()
            .self_assessed("街道")
            .next()
            .unwrap()
            .id
            .to_string()
    };
    let e = keyed
        .put_evidence(
            &me,
            w.id,
            "320623001",
            &clause,
            "a.pdf",
            b"%PDF-1.4\n%x\n",
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(e.uploaded_by, "陈小红");
    let listed = keyed.evidence(&w.admin, w.id, "320623001").await.unwrap();
    assert_eq!(listed[0].uploaded_by, "陈小红");
    let accounts = keyed.accounts(&w.admin).await.unwrap();
    let a = accounts.iter().find(|a| a.login == "chenxh").unwrap();
    assert_eq!(a.name, "陈小红");
    // The log keeps it masked; the replay still checks the account.
    let log = logged(&keyed).await;
    assert!(!log.contains("陈小红") && log.contains("陈**"), "{log}");
    assert!(log.contains("周立"), "an officer's name is logged: {log}");
    assert!(keyed.audit_verify().await.unwrap().is_ok());
    // Without the key: an error naming what to configure, never an empty name.
    match w.store.accounts(&w.admin).await {
        Err(StoreError::Unconfigured(m)) => {
            assert!(
                m.contains("chenxh") && m.contains("姓名") && m.contains("--data-key"),
                "{m}"
            )
        }
        other => panic!("expected Unconfigured, got {other:?}"),
    }
    match w.store.authenticate("chenxh", "Initial-pass-1").await {
        Err(StoreError::Unconfigured(_)) => {}
        other => panic!("expected Unconfigured, got {other:?}"),
    }
    // A sealed name moved to another account does not open there.
    sqlx::query("UPDATE users SET name = $1 WHERE login = 'juegang'")
        .bind(&raw)
        .execute(keyed.pool())
        .await
        .unwrap();
    match keyed.authenticate("juegang", "reporter-pass-1").await {
        Err(StoreError::Tampered(m)) => assert!(m.contains("juegang") && m.contains("姓名"), "{m}"),
        other => panic!("expected Tampered, got {other:?}"),
    }
    sqlx::query("UPDATE users SET name = '掘港填报员' WHERE login = 'juegang'")
        .execute(keyed.pool())
        .await
        .unwrap();
    // Names stored before the key (the world's reporters) are sealed by `encrypt_stored`.
    let done = keyed.encrypt_stored(NOW).await.unwrap();
    let reporters: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'reporter'")
        .fetch_one(keyed.pool())
        .await
        .unwrap();
    assert_eq!(done.names as i64, reporters - 1, "all but chenxh");
    let plain_names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM users WHERE role = 'reporter' AND name NOT LIKE 'sm4gcm:%'",
    )
    .fetch_all(keyed.pool())
    .await
    .unwrap();
    assert!(plain_names.is_empty(), "{plain_names:?}");
    // A rotation moves them to the new key.
    let new = DataKey::new(*b"another-sm4-key!");
    let r = keyed
        .rotate_data_key(&DataKey::new(KEY), &new, NOW)
        .await
        .unwrap();
    assert_eq!(
        r.fields as i64,
        reporters + 1,
        "the names and zhouli's phone"
    );
    let after = w.store.clone().with_data_key(Some(new));
    let me = after
        .authenticate("chenxh", "Initial-pass-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(me.name, "陈小红");
    assert!(after.audit_verify().await.unwrap().is_ok());
}
