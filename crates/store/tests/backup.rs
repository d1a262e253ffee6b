//! 数据备份恢复 (GB/T 22239 第三级, issue 14) on both databases: on SQLite a backup taken while the
//! store is open restores into an empty directory with its audit chain whole (verified and replayed
//! against the tables) and every sealed version still served with its SM2 signature under the same
//! key; a restore never writes over data. On PostgreSQL the backup names pg_dump instead.

use super::*;

pub(crate) async fn a_backup_restores_with_its_audit_chain_and_sealed_versions_verifiable(db: Db) {
    let w = world(db).await;
    let s = w.store.clone();
    move_to(&s, &w.admin, w.id, Stage::SelfAssessment).await;
    move_to(&s, &w.admin, w.id, Stage::Review).await;
    move_to(&s, &w.admin, w.id, Stage::Publication).await;
    let json = r#"{"units":[{"code":"320623001","total":"99.5"}]}"#;
    s.finalize(
        &w.admin,
        w.id,
        "定档",
        NOW,
        kaohe_store::Gate::none(),
        |_, _| json.to_string(),
    )
    .await
    .unwrap();
    let (_, seal) = s.sealed_signed(w.id, 1).await.unwrap();
    let seal = seal.expect("signed");
    let to = w.dir.path().join("backup");
    if db == Db::Postgres {
        match s.backup(&to).await {
            Err(StoreError::Invalid(m)) => assert!(m.contains("pg_dump"), "{m}"),
            other => panic!("expected pg_dump named, got {other:?}"),
        }
        return;
    }
    s.backup(&to).await.unwrap();
    let there = tempfile::tempdir().unwrap();
    let r = Store::restore(&to, there.path()).await.unwrap();
    let n = r.audit_verify().await.unwrap().expect("the chain is whole");
    assert_eq!(n, s.audit_verify().await.unwrap().unwrap());
    assert_eq!(r.audit_replay().await.unwrap(), Vec::<String>::new());
    let (restored, again) = r.sealed_signed(w.id, 1).await.unwrap();
    let again = again.expect("still signed");
    assert_eq!(restored, json);
    assert_eq!(
        (again.fingerprint.as_str(), again.signature.as_str()),
        (seal.fingerprint.as_str(), seal.signature.as_str())
    );
    // The same key pair signs after the restore: it went with the backup.
    assert_eq!(r.seal_key().public_hex(), s.seal_key().public_hex());
    // A restore never writes over data.
    match Store::restore(&to, there.path()).await {
        Err(StoreError::Invalid(m)) => assert!(m.contains("恢复只写入空目录"), "{m}"),
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
}
