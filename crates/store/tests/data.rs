//! The audit log recorded and checked, reads kept until the next change, a store moved whole into
//! another database.

use super::*;

pub(crate) async fn the_audit_log_records_every_change_and_detects_tampering(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    s.advance(
        &w.admin,
        w.id,
        Stage::SelfAssessment,
        "开始自评",
        NOW,
        kaohe_store::Gate::none(),
    )
    .await
    .unwrap();
    s.set_score(
        &w.reporter,
        w.id,
        "320623001",
        "1.1.1",
        Ledger::SelfScore,
        "0.04",
        "面积约190平方米",
        None,
        NOW,
    )
    .await
    .unwrap();
    s.set_score(
        &w.reporter,
        w.id,
        "320623001",
        "1.1.1",
        Ledger::SelfScore,
        "0.05",
        "已扩建",
        Some(1),
        NOW,
    )
    .await
    .unwrap();
    let log = s.audit_log().await.unwrap();
    let n = log.len();
    assert_eq!(s.audit_verify().await.unwrap(), Ok(n));
    // Read in pages of any size, the chain checks the same.
    for page in [1, 2, 3, n as i64 - 1, n as i64, 10_000] {
        assert_eq!(
            s.audit_verify_paged(page).await.unwrap(),
            Ok(n),
            "pages of {page}"
        );
    }
    let last = log.last().unwrap();
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("juegang", "score.set")
    );
    assert_eq!(
        last.entity,
        format!("assessment/{}/unit/320623001/clause/1.1.1/self", w.id)
    );
    assert!(last.old.as_deref().unwrap().contains("\"0.04\""));
    assert!(last.new.as_deref().unwrap().contains("\"0.05\""));
    assert_eq!(last.why.as_deref(), Some("已扩建"));

    // The database refuses updates and deletes of the log.
    assert!(
        sqlx::query("UPDATE audit_log SET actor = 'x' WHERE seq = 3")
            .execute(s.pool())
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_log WHERE seq = 3")
            .execute(s.pool())
            .await
            .is_err()
    );
    // Someone with the database drops the triggers and edits a row: the chain names it.
    drop_trigger(s, "audit_log_no_update").await;
    drop_trigger(s, "audit_log_no_delete").await;
    sqlx::query("UPDATE audit_log SET new = replace(new, '0.04', '0.05') WHERE seq = $1")
        .bind(n as i64 - 1)
        .execute(s.pool())
        .await
        .unwrap();
    let e = s.audit_verify().await.unwrap().unwrap_err();
    assert!(
        e.starts_with(&format!("审计日志第 {} 条", n - 1)) && e.contains("被改动"),
        "{e}"
    );
    for page in [1, 2, 3] {
        assert_eq!(s.audit_verify_paged(page).await.unwrap(), Err(e.clone()));
    }
    // …or removes one.
    let w2 = world(db).await;
    drop_trigger(&w2.store, "audit_log_no_delete").await;
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(w2.store.pool())
        .await
        .unwrap();
    let e = w2.store.audit_verify().await.unwrap().unwrap_err();
    assert_eq!(e, "审计日志第 2 条缺失（下一条是第 3 条）：记录被删除");
}

pub(crate) async fn reads_are_kept_until_the_next_change(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    let a = s.inputs(w.id).await.unwrap();
    let b = s.inputs(w.id).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&a, &b), "no change: the same inputs");
    assert!(a.judgements.is_empty());
    // A change — any audited change — and the next read sees it.
    move_to(s, &w.admin, w.id, Stage::SelfAssessment).await;
    assert_eq!(
        s.assessment(w.id).await.unwrap().stage,
        Stage::SelfAssessment
    );
    move_to(s, &w.admin, w.id, Stage::Review).await;
    assert_eq!(s.assessment(w.id).await.unwrap().stage, Stage::Review);
    s.set_score(
        &w.assessor,
        w.id,
        "320623001",
        "1.1.1",
        Ledger::Assessor,
        "0.04",
        "面积不足",
        None,
        NOW,
    )
    .await
    .unwrap();
    let c = s.inputs(w.id).await.unwrap();
    assert!(!std::sync::Arc::ptr_eq(&a, &c));
    assert_eq!(c.judgements.len(), 1);
    assert_eq!(c.judgements[0].score.to_string(), "0.04");
    // A second store on the same database — another process, its own cache — changes a score: this
    // store's next read sees it.
    let other = Store::open_with(w.dir.path(), w.url.as_deref())
        .await
        .unwrap();
    other
        .set_score(
            &w.assessor,
            w.id,
            "320623001",
            "1.1.1",
            Ledger::Assessor,
            "0.03",
            "面积不足",
            Some(1),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        s.inputs(w.id).await.unwrap().judgements[0]
            .score
            .to_string(),
        "0.03"
    );
}

pub(crate) async fn a_store_moves_whole_into_another_database(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    s.advance(
        &w.admin,
        w.id,
        Stage::SelfAssessment,
        "开始自评",
        NOW,
        kaohe_store::Gate::none(),
    )
    .await
    .unwrap();
    move_to(s, &w.admin, w.id, Stage::Review).await;
    s.set_score(
        &w.assessor,
        w.id,
        "320623001",
        "1.1.1",
        Ledger::Assessor,
        "0.04",
        "面积不足",
        None,
        NOW,
    )
    .await
    .unwrap();
    s.add_finding(&w.assessor, w.id, "320623001", "1.4.2", "指南缺少样表", NOW)
        .await
        .unwrap();
    let inputs = s.inputs(w.id).await.unwrap();
    let log = s.audit_log().await.unwrap();
    // Into a new SQLite file always, and into a new PostgreSQL database when there is a server.
    let mut targets = vec![Db::Sqlite];
    if kaohe_store::testdb::server().is_some() {
        targets.push(Db::Postgres);
    }
    for to in targets {
        let dir = tempfile::tempdir().unwrap();
        // A store with a key of its own is refused: the copy's chain is the original's.
        let (other, _) = open(dir.path(), to).await;
        let e = s.copy_into(&other).await.unwrap_err();
        assert!(e.to_string().contains("审计密钥"), "{e}");
        drop(other);
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&s.audit_key().path, dir.path().join("audit.key")).unwrap();
        let (t, _) = open(dir.path(), to).await;
        let copied = s.copy_into(&t).await.unwrap();
        let count = |name: &str| copied.iter().find(|(n, _)| *n == name).unwrap().1;
        assert_eq!(count("users"), 4, "{db:?} → {to:?}");
        assert_eq!(count("audit_log"), log.len() as u64);
        assert_eq!(*t.inputs(w.id).await.unwrap(), *inputs, "{db:?} → {to:?}");
        assert_eq!(t.audit_log().await.unwrap(), log);
        assert_eq!(t.assessment(w.id).await.unwrap().stage, Stage::Review);
        // The copy works on: sign-in, a new account (ids go on after the copied ones), a new score.
        assert!(
            t.authenticate("wangfang", "assessor-pass-1")
                .await
                .unwrap()
                .is_some()
        );
        let u = t
            .add_user(
                Some(&w.admin),
                &NewUser {
                    login: "zhaolei",
                    name: "赵磊",
                    role: Role::Viewer,
                    unit: None,
                    password: "long-enough-1",
                },
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(u.id, 5);
        t.set_score(
            &w.assessor,
            w.id,
            "320623001",
            "1.1.1",
            Ledger::Assessor,
            "0.03",
            "面积不足",
            Some(1),
            NOW,
        )
        .await
        .unwrap();
        assert_eq!(t.audit_verify().await.unwrap(), Ok(log.len() + 2));
        // A database that holds data already is refused, and keeps what it had.
        let e = s.copy_into(&t).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{e}");
        assert_eq!(t.audit_verify().await.unwrap(), Ok(log.len() + 2));
    }
}
