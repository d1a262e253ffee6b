//! 三员分立、登录规则与安全审计 (issue 14) on both databases: the password rules with their settings,
//! a lock kept in the database across a reopening and lifted by the 安全管理员, each of the three
//! administrators refused the others' work and every business action, one person never two of them,
//! the audit archive signed and checked offline with a tampered entry named.

use super::*;
use kaohe_store::security::SecuritySettings;

const LATER: &str = "2021-12-01T09:01:00Z";

/// The three administrators of a world, added at the console.
async fn officers(s: &Store) -> (User, User, User) {
    let add = |login: &'static str, name: &'static str, role| async move {
        s.add_user(
            None,
            &NewUser {
                login,
                name,
                role,
                unit: None,
                password: "Officer-pass-1",
            },
            NOW,
        )
        .await
        .unwrap()
    };
    (
        add("sysadmin", "赵敏", Role::SystemAdmin).await,
        add("secadmin", "钱进", Role::SecurityAdmin).await,
        add("auditor", "孙丽", Role::AuditAdmin).await,
    )
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Forbidden(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn invalid<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid(m)) => m,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// 身份鉴别 (§8.1.4.1): weak passwords refused whatever the path, the last five not used again, the
/// settings changed by the 安全管理员 only, within their bounds, audited.
pub(crate) async fn sign_in_rules_are_settings_and_weak_passwords_are_refused(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    let (sys, sec, _audit) = officers(s).await;
    for weak in ["12345678", "password", "        ", "juegang", "P@ssw0rd"] {
        let e = invalid(s.reset_password(&sys, "juegang", weak, NOW).await);
        assert!(!e.is_empty(), "{weak}");
    }
    // The last five are not used again.
    let u = &w.reporter;
    s.change_own_password(u, "reporter-pass-1", "Second-pass-2", NOW)
        .await
        .unwrap();
    s.change_own_password(u, "Second-pass-2", "Third-pass-3", NOW)
        .await
        .unwrap();
    let e = invalid(
        s.change_own_password(u, "Third-pass-3", "reporter-pass-1", NOW)
            .await,
    );
    assert!(e.contains("最近 5 次"), "{e}");
    // Settings: the 安全管理员's, within bounds, audited with old and new value.
    let e = forbidden(s.set_security(&sys, "password_min_chars", "12", NOW).await);
    assert!(e.contains("只有安全管理员"), "{e}");
    let e = invalid(s.set_security(&sec, "password_min_chars", "6", NOW).await);
    assert!(e.contains("8 到 64"), "{e}");
    invalid(
        s.set_security(&sec, "audit_retention_days", "30", NOW)
            .await,
    );
    s.set_security(&sec, "password_min_chars", "12", NOW)
        .await
        .unwrap();
    assert_eq!(s.security().await.unwrap().min_chars(), 12);
    let e = invalid(s.reset_password(&sys, "juegang", "Short-pa-1", NOW).await);
    assert_eq!(e, "密码至少 12 位");
    let log = s.audit_log().await.unwrap();
    let set = log.iter().find(|e| e.action == "settings.change").unwrap();
    assert_eq!(
        (set.actor.as_str(), set.old.as_deref(), set.new.as_deref()),
        ("secadmin", Some("8"), Some("12"))
    );
    assert!(log.iter().any(|e| e.action == "user.password_change"));
    assert_eq!(s.audit_verify().await.unwrap(), Ok(log.len()));
}

/// A lock (§8.1.4.1): five failures of one account from one address lock that pair in the database;
/// the lock survives reopening the store; another address is not locked; the 安全管理员 lifts it;
/// each failure, the lock and the unlock are in the audit log.
pub(crate) async fn a_lock_is_kept_across_a_restart_and_lifted_by_the_security_admin(db: Db) {
    let w = world(db).await;
    let (_, sec, _) = officers(&w.store).await;
    let s = &w.store;
    for i in 1..=5 {
        let locked = s.login_failed("juegang", "10.0.0.7", NOW).await.unwrap();
        assert_eq!(locked, i == 5, "failure {i}");
    }
    assert!(
        s.login_locked("juegang", "10.0.0.7", LATER)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        s.login_locked("juegang", "10.0.0.8", LATER).await.unwrap(),
        None
    );
    // A restart: the store opened again on the same data.
    let again = Store::open_with(w.dir.path(), w.url.as_deref())
        .await
        .unwrap();
    let wait = again
        .login_locked("juegang", "10.0.0.7", LATER)
        .await
        .unwrap();
    assert_eq!(wait, Some(14 * 60));
    let locks = again.locks(&sec, LATER).await.unwrap();
    assert_eq!(locks.len(), 1);
    forbidden(again.unlock(&w.admin, "juegang", LATER).await);
    again.unlock(&sec, "juegang", LATER).await.unwrap();
    assert_eq!(
        again
            .login_locked("juegang", "10.0.0.7", LATER)
            .await
            .unwrap(),
        None
    );
    let log = again.audit_log().await.unwrap();
    let count = |a: &str| log.iter().filter(|e| e.action == a).count();
    assert_eq!(
        (
            count("session.login_failed"),
            count("account.lock"),
            count("account.unlock")
        ),
        (5, 1, 1)
    );
    let failed = log
        .iter()
        .find(|e| e.action == "session.login_failed")
        .unwrap();
    assert!(failed.new.as_deref().unwrap().contains("10.0.0.7"));
    // After the lock's time the pair may try again.
    assert_eq!(
        again
            .login_locked("juegang", "10.0.0.7", "2021-12-01T10:00:00Z")
            .await
            .unwrap(),
        None
    );
}

/// 三员分立 (§8.1.4.2): each administrator does only their own work and nothing of the business;
/// one person never holds two of the three; the business admin manages no administrator's account.
pub(crate) async fn the_three_administrators_are_refused_each_others_work(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    let (sys, sec, audit) = officers(s).await;
    // Audit log: the 审计管理员 only.
    for who in [&w.admin, &sys, &sec] {
        let e = forbidden(s.audit_search(who, "", "", "", 10).await);
        assert!(e.contains("只有审计管理员"), "{e}");
    }
    assert!(
        !s.audit_search(&audit, "", "", "", 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Settings, locks and roles: the 安全管理员 only.
    for who in [&w.admin, &sys, &audit] {
        forbidden(s.set_security(who, "lock_minutes", "30", NOW).await);
        forbidden(s.locks(who, NOW).await);
        forbidden(s.set_role(who, "lina", Role::Viewer, "调岗", NOW).await);
    }
    s.set_role(&sec, "lina", Role::Viewer, "调岗", NOW)
        .await
        .unwrap();
    // Accounts: the 系统管理员 (and the business admin for business accounts), never the other two.
    let new = |login: &str, role| kaohe_store::NewAccount {
        login: login.into(),
        name: format!("新人{login}"),
        role,
        unit: None,
        phone: None,
        password: "Initial-pass-1".into(),
    };
    for who in [&sec, &audit] {
        forbidden(
            s.add_account(who, None, &new("x1", Role::Viewer), NOW)
                .await,
        );
        forbidden(s.reset_password(who, "juegang", "Reset-pass-1", NOW).await);
    }
    let e = forbidden(
        s.add_account(&w.admin, None, &new("x2", Role::AuditAdmin), NOW)
            .await,
    );
    assert!(e.contains("只有系统管理员"), "{e}");
    forbidden(
        s.reset_password(&w.admin, "auditor", "Reset-pass-1", NOW)
            .await,
    );
    s.add_account(&sys, None, &new("x3", Role::Viewer), NOW)
        .await
        .unwrap();
    // No business rights: scoring, stage moves, results.
    for who in [&sys, &sec, &audit] {
        forbidden(
            s.advance(
                who,
                w.id,
                Stage::SelfAssessment,
                "",
                NOW,
                kaohe_store::Gate::none(),
            )
            .await,
        );
        let e = kaohe_store::policy::may_read(
            who,
            kaohe_store::policy::Read::Results,
            Stage::Final,
            None,
        )
        .unwrap_err();
        assert!(e.contains("无权查看"), "{e}");
    }
    // One person, two of the three: refused by name (and by phone).
    let mut twice = new("zhaomin2", Role::SecurityAdmin);
    twice.name = "赵敏".into();
    let e = invalid(s.add_account(&sys, None, &twice, NOW).await);
    assert!(e.contains("三员分立"), "{e}");
    let log = s.audit_log().await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "user.role" && e.new.as_deref() == Some("viewer"))
    );
    assert!(s.audit_replay().await.unwrap().is_empty());
}

/// 安全审计 (§8.1.4.3): sign-ins with their address, sign-outs, downloads in the log; the archive of
/// a period signed, checked offline, a changed entry named; the log refuses deletion.
pub(crate) async fn the_audit_archive_is_signed_and_a_tampered_entry_is_named(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    let (_, _, audit) = officers(s).await;
    let signed = s
        .sign_in(&w.reporter, "tok", "csrf", "10.1.2.3", None, NOW)
        .await
        .unwrap();
    assert_eq!(signed.previous, None);
    let again = s
        .sign_in(&w.reporter, "tok2", "csrf", "10.1.2.4", None, LATER)
        .await
        .unwrap();
    assert_eq!(again.previous, Some((NOW.to_string(), "10.1.2.3".into())));
    s.sign_out(&w.reporter, "tok2", "10.1.2.4", LATER)
        .await
        .unwrap();
    s.record_download(&w.admin, "/a/1/export.xlsx", "10.9.9.9", LATER)
        .await
        .unwrap();
    let day = kaohe_core::Date::parse("2021-12-01").unwrap();
    forbidden(s.audit_archive(&w.admin, day, day, "x", LATER).await);
    let text = s
        .audit_archive(&audit, day, day, "10.0.0.1", LATER)
        .await
        .unwrap();
    let key = s.audit_key();
    let ok = kaohe_store::archive::verify(key, &text).unwrap();
    let n = text.lines().count() - 2;
    assert_eq!(ok.count, n);
    for action in ["session.login", "session.logout", "export.download"] {
        assert!(text.contains(action), "{action}");
    }
    // One entry's actor changed: named by its number.
    let line = text
        .lines()
        .find(|l| l.contains("export.download"))
        .unwrap();
    let seq: serde_json::Value = serde_json::from_str(line).unwrap();
    let changed = text.replace(line, &line.replace("\"admin\"", "\"lina\""));
    let e = kaohe_store::archive::verify(key, &changed).unwrap_err();
    assert!(e.contains(&format!("第 {} 条", seq["seq"])), "{e}");
    // A line removed, and the signature line cut.
    let cut: String = text
        .lines()
        .filter(|l| *l != line)
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(kaohe_store::archive::verify(key, &cut).is_err());
    let short: String = text.lines().take(n + 1).map(|l| format!("{l}\n")).collect();
    assert!(kaohe_store::archive::verify(key, &short).is_err());
    // Retention: the log refuses deletion (no way to purge any entry).
    assert!(
        sqlx::query("DELETE FROM audit_log WHERE seq = 1")
            .execute(s.pool())
            .await
            .is_err()
    );
    assert!(SecuritySettings::default().get("audit_retention_days") >= 180);
    assert!(
        s.audit_log()
            .await
            .unwrap()
            .iter()
            .any(|e| e.action == "audit.export")
    );
}
