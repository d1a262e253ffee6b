//! Issue 9 §9: history that cannot be rewritten unseen. Each tampering an attacker with the database
//! (not the key file) can do is named — by the keyed chain, the head kept outside the database, the
//! replay of the log against the tables, or the check of a sealed result before it is served.

use super::*;
use kaohe_store::Import;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

/// A world in 考核 with a score, a finding, a metric, a bonus and an import.
async fn busy(db: Db) -> World {
    let w = world(db).await;
    let s = &w.store;
    move_to(s, &w.admin, w.id, Stage::SelfAssessment).await;
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
    s.set_metric(
        &w.admin,
        w.id,
        "320623100",
        "claim_rate",
        Decimal::new(95, 2),
        NOW,
    )
    .await
    .unwrap();
    s.add_bonus(&w.admin, w.id, "320623100", "2.3.3", "0.5", "省级表彰", NOW)
        .await
        .unwrap();
    let imp = Import {
        kind: "办件".into(),
        files: vec![("办件.csv".into(), "ab".repeat(32))],
        rows: 10,
        metrics: vec![
            (
                "320623001".into(),
                "online_volume".into(),
                Decimal::from(120),
            ),
            (
                "320623100".into(),
                "online_volume".into(),
                Decimal::from(80),
            ),
        ],
        findings: vec![
            (
                "320623100".into(),
                "1.4.3a".into(),
                "办件 A1 超期 2 个工作日".into(),
                "办件.csv 第 2 行".into(),
            ),
            (
                "320623100".into(),
                "1.4.3a".into(),
                "办件 A2 超期 1 个工作日".into(),
                "办件.csv 第 3 行".into(),
            ),
        ],
        receipts: "[]".into(),
    };
    s.import(&w.admin, w.id, &imp, NOW).await.unwrap();
    w
}

async fn sql(s: &Store, q: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(q.to_string()))
        .execute(s.pool())
        .await
        .unwrap();
}

async fn whole(s: &Store) -> usize {
    let n = s.audit_verify().await.unwrap().unwrap();
    assert_eq!(s.audit_replay().await.unwrap(), Vec::<String>::new());
    n
}

pub(crate) async fn the_untouched_log_replays_to_the_tables(db: Db) {
    let w = busy(db).await;
    assert!(whole(&w.store).await > 10);
    // The head is on disk beside the key, outside the database.
    let head = std::fs::read_to_string(w.dir.path().join("audit.head")).unwrap();
    let last = w.store.audit_log().await.unwrap().pop().unwrap();
    assert_eq!(head.trim(), format!("{} {}", last.seq, last.hash));
    assert!(w.dir.path().join("audit.key").exists());
}

pub(crate) async fn deleting_the_last_entries_is_named(db: Db) {
    let w = busy(db).await;
    let n = whole(&w.store).await;
    drop_trigger(&w.store, "audit_log_no_delete").await;
    sql(
        &w.store,
        &format!("DELETE FROM audit_log WHERE seq > {}", n - 5),
    )
    .await;
    let e = w.store.audit_verify().await.unwrap().unwrap_err();
    assert_eq!(
        e,
        format!(
            "审计日志只有 {} 条，但链头文件记着第 {n} 条：末尾的 5 条记录被删除",
            n - 5
        )
    );
    // Removing the head file too is no way out.
    std::fs::remove_file(w.dir.path().join("audit.head")).unwrap();
    let e = w.store.audit_verify().await.unwrap().unwrap_err();
    assert!(e.starts_with("找不到审计链头文件"), "{e}");
}

/// The old chain's recipe: sha256 over the JSON of the previous hash and the fields.
fn sha256_chain(e: &kaohe_store::audit::Entry, prev: &str) -> String {
    let text = serde_json::to_string(&(
        prev, e.seq, &e.at, &e.actor, &e.action, &e.entity, &e.old, &e.new, &e.why,
    ))
    .unwrap();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) async fn an_edit_with_every_later_hash_recomputed_is_named(db: Db) {
    let w = busy(db).await;
    let s = &w.store;
    whole(s).await;
    drop_trigger(s, "audit_log_no_update").await;
    let log = s.audit_log().await.unwrap();
    let k = log.iter().find(|e| e.action == "score.set").unwrap().seq;
    // The attacker edits entry k and rebuilds the chain from there on (without the key: sha256).
    let mut prev = log[(k - 2) as usize].hash.clone();
    for e in log.iter().skip((k - 1) as usize) {
        let mut e = e.clone();
        if e.seq == k {
            e.new = e.new.map(|n| n.replace("0.04", "0.05"));
        }
        let h = sha256_chain(&e, &prev);
        sqlx::query("UPDATE audit_log SET new = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(&e.new)
            .bind(&prev)
            .bind(&h)
            .bind(e.seq)
            .execute(s.pool())
            .await
            .unwrap();
        prev = h;
    }
    let e = s.audit_verify().await.unwrap().unwrap_err();
    assert!(
        e.starts_with(&format!("审计日志第 {k} 条")) && e.contains("内容与哈希不符"),
        "{e}"
    );
}

pub(crate) async fn tables_changed_behind_the_stores_back_are_named(db: Db) {
    let w = busy(db).await;
    let s = &w.store;
    whole(s).await;
    let a = w.id;
    sql(
        s,
        &format!(
            "UPDATE ledger SET score = '0.05' WHERE assessment_id = {a} AND clause_id = '1.1.1'"
        ),
    )
    .await;
    sql(
        s,
        &format!(
            "UPDATE metrics SET value = '1' WHERE assessment_id = {a} AND metric = 'claim_rate'"
        ),
    )
    .await;
    sql(s, &format!("UPDATE metrics SET value = '999' WHERE assessment_id = {a} AND unit_code = '320623100' AND metric = 'online_volume'")).await;
    sql(
        s,
        &format!("DELETE FROM findings WHERE assessment_id = {a} AND import_id IS NULL"),
    )
    .await;
    sql(
        s,
        &format!("DELETE FROM findings WHERE assessment_id = {a} AND description LIKE '%A2%'"),
    )
    .await;
    sql(
        s,
        &format!("UPDATE bonuses SET points = '5' WHERE assessment_id = {a}"),
    )
    .await;
    sql(
        s,
        &format!("UPDATE assessments SET stage = 'publication' WHERE id = {a}"),
    )
    .await;
    sql(
        s,
        "UPDATE users SET role = 'admin' WHERE login = 'wangfang'",
    )
    .await;
    // The chain itself is whole: only the replay sees these.
    assert!(s.audit_verify().await.unwrap().is_ok());
    let d = s.audit_replay().await.unwrap();
    let expect = [
        format!("考核 {a} 单位 320623001 条款 1.1.1 的考核分在表中为 0.05（理由“面积不足”，第 1 版，wangfang 于 {NOW}），审计日志记载为 0.04（理由“面积不足”，第 1 版，wangfang 于 {NOW}）：在审计日志之外被改动"),
        format!("问题记录 1（考核 {a} 单位 320623001 条款 1.4.2：“指南缺少样表”）审计日志记载未撤回，表中没有：该行被删除"),
        format!("考核 {a} 条款 1.4.3a 由第 1 次导入带来的 1 条问题记录与审计日志记下的摘要不符：在审计日志之外被改动"),
        "注意".into(),
        format!("考核 {a} 单位 320623100 的指标 claim_rate 在表中为 1，审计日志记载为 0.95：在审计日志之外被改动"),
        format!("考核 {a} 单位 320623100 的指标 online_volume 在表中为 999，审计日志记载为 80：在审计日志之外被改动"),
        "加分 1 在表中为 单位 320623100 条款 2.3.3 5 分，审计日志记载为 单位 320623100 条款 2.3.3 0.5 分：在审计日志之外被改动".into(),
        format!("考核 {a} 的阶段在表中为“publication”，审计日志记载为“review”：在审计日志之外被改动"),
        "账户“wangfang”在表中为 王芳（管理员，单位 无，启用），审计日志记载为 王芳（考核员，单位 无，启用）：在审计日志之外被改动".into(),
    ];
    let expect: Vec<String> = expect.into_iter().filter(|e| e != "注意").collect();
    assert_eq!(d, expect);
}

pub(crate) async fn a_sealed_result_edited_with_its_hash_is_refused_and_named(db: Db) {
    let w = busy(db).await;
    let s = &w.store;
    move_to(s, &w.admin, w.id, Stage::Publication).await;
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
    assert_eq!(s.sealed_json(w.id, 1).await.unwrap(), json);
    whole(s).await;
    let forged = json.replace("99.5", "100");
    let sha: String = Sha256::digest(forged.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    sqlx::query(
        "UPDATE results SET json = $1, sha256 = $2 WHERE assessment_id = $3 AND version = 1",
    )
    .bind(&forged)
    .bind(&sha)
    .bind(w.id)
    .execute(s.pool())
    .await
    .unwrap();
    let e = s.sealed_json(w.id, 1).await.unwrap_err();
    assert!(matches!(e, StoreError::Tampered(_)), "{e:?}");
    assert!(
        e.to_string().contains("与审计日志中定档时记下的哈希不符"),
        "{e}"
    );
    assert_eq!(
        s.audit_replay().await.unwrap(),
        vec![format!(
            "考核 {} 第 1 版定档结果与审计日志定档时记下的哈希不符：结果被改动",
            w.id
        )]
    );
}

pub(crate) async fn the_key_file_is_required_and_must_be_the_right_one(db: Db) {
    let w = busy(db).await;
    let key = w.dir.path().join("audit.key");
    let saved = std::fs::read(&key).unwrap();
    // A keyed log without its key: refused at opening, never re-keyed silently.
    std::fs::remove_file(&key).unwrap();
    let e = Store::open_with(w.dir.path(), w.url.as_deref())
        .await
        .err()
        .unwrap();
    assert!(e.to_string().starts_with("找不到审计密钥文件"), "{e}");
    assert!(!key.exists());
    // Another key: the chain fails at its first keyed entry.
    let other = tempfile::tempdir().unwrap();
    let s2 = Store::open_keyed(
        w.dir.path(),
        w.url.as_deref(),
        Some(&other.path().join("k")),
    )
    .await;
    assert!(
        s2.is_err(),
        "a keyed log with a new key file is refused too"
    );
    std::fs::write(&key, &saved).unwrap();
    let s = Store::open_with(w.dir.path(), w.url.as_deref())
        .await
        .unwrap();
    whole(&s).await;
    let mut text = String::from_utf8(saved).unwrap();
    let start = text.find("key = \"").unwrap() + 7;
    text.replace_range(
        start..start + 2,
        if &text[start..start + 2] == "00" {
            "11"
        } else {
            "00"
        },
    );
    std::fs::write(&key, text).unwrap();
    let s = Store::open_with(w.dir.path(), w.url.as_deref())
        .await
        .unwrap();
    let e = s.audit_verify().await.unwrap().unwrap_err();
    assert!(
        e.starts_with("审计日志第 1 条") && e.contains("内容与哈希不符"),
        "{e}"
    );
}

/// A log written before keys (plain sha256 chain) opens: its entries are checked as the old chain,
/// the new ones under the key; an edit among the old ones is still named.
pub(crate) async fn a_log_from_before_keys_is_kept_and_checked(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    // Make the store's first entry look like the old chain's, then take the key file away.
    let (s, url) = open(dir.path(), db).await;
    s.add_user(
        None,
        &NewUser {
            login: "admin",
            name: "县政务办",
            role: Role::Admin,
            unit: None,
            password: "admin-pass-1",
        },
        NOW,
    )
    .await
    .unwrap();
    drop_trigger(&s, "audit_log_no_update").await;
    let e1 = s.audit_log().await.unwrap().remove(0);
    let h = sha256_chain(&e1, kaohe_store::audit::GENESIS);
    sqlx::query("UPDATE audit_log SET hash = $1 WHERE seq = 1")
        .bind(&h)
        .execute(s.pool())
        .await
        .unwrap();
    drop(s);
    std::fs::remove_file(dir.path().join("audit.key")).unwrap();
    std::fs::remove_file(dir.path().join("audit.head")).unwrap();
    let (s, _) = open_reusing(dir.path(), url.as_deref()).await;
    assert_eq!(s.audit_key().since, 1);
    let admin = s.user_by_login("admin").await.unwrap().unwrap();
    s.add_user(
        Some(&admin),
        &NewUser {
            login: "viewer",
            name: "领导",
            role: Role::Viewer,
            unit: None,
            password: "viewer-pass-1",
        },
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(whole(&s).await, 2);
    let last = s.audit_log().await.unwrap().pop().unwrap();
    assert_ne!(last.hash, sha256_chain(&last, &h), "new entries are keyed");
    sql(&s, "UPDATE audit_log SET actor = 'x' WHERE seq = 1").await;
    let e = s.audit_verify().await.unwrap().unwrap_err();
    assert!(e.starts_with("审计日志第 1 条"), "{e}");
}

async fn open_reusing(dir: &std::path::Path, url: Option<&str>) -> (Store, Option<String>) {
    (
        Store::open_with(dir, url).await.unwrap(),
        url.map(str::to_string),
    )
}
