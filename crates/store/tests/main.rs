//! kaohe-store against real databases: every test runs on SQLite in a temporary folder and on a
//! fresh PostgreSQL database (when `KAOHE_TEST_POSTGRES` names a server; `.ci/run` starts one).

use kaohe_store::{Backend, Ledger, NewUser, Role, Stage, Store, StoreError, User};

use kaohe_store::testdb::{Db, open};

kaohe_store::on_both!(
    passwords_are_argon2id_and_wrong_ones_fail,
    roles_units_and_stages_are_enforced,
    scores_are_checked_against_the_rubric,
    concurrent_edits_on_two_threads_exactly_one_wins_every_time,
    concurrent_edits_of_one_score_exactly_one_wins,
    the_audit_log_records_every_change_and_detects_tampering,
    reopening_keeps_everything,
    reads_are_kept_until_the_next_change,
    a_store_moves_whole_into_another_database,
    the_untouched_log_replays_to_the_tables,
    deleting_the_last_entries_is_named,
    an_edit_with_every_later_hash_recomputed_is_named,
    tables_changed_behind_the_stores_back_are_named,
    a_sealed_result_edited_with_its_hash_is_refused_and_named,
    the_key_file_is_required_and_must_be_the_right_one,
    a_log_from_before_keys_is_kept_and_checked,
    a_score_and_a_stage_move_at_once_never_leave_a_score_after_the_move,
    a_hand_finding_and_an_import_at_once_never_count_one_clause_twice,
    an_objection_and_the_finalisation_at_once_never_seal_over_an_open_objection,
    a_corrupt_stage_role_or_rubric_is_an_error_never_a_default,
);

/// Stored values the store would never have written are errors (issue 10).
mod failures;
use failures::*;

/// The keyed audit chain, its head and the replay (issue 9).
mod history;
/// Checks under the write lock, two callers at once (issue 10).
mod locks;
use history::*;
use locks::*;

const RUBRIC: &str = include_str!("../../../rubrics/rudong-2021.toml");
const NOW: &str = "2021-12-01T09:00:00Z";

struct World {
    dir: tempfile::TempDir,
    /// The PostgreSQL database, when on PostgreSQL.
    url: Option<String>,
    store: Store,
    admin: User,
    assessor: User,
    other_assessor: User,
    reporter: User,
    id: i64,
}

async fn world(db: Db) -> World {
    let dir = tempfile::tempdir().unwrap();
    let (store, url) = open(dir.path(), db).await;
    let admin = store
        .add_user(
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
    let assessor = store
        .add_user(
            Some(&admin),
            &NewUser {
                login: "wangfang",
                name: "王芳",
                role: Role::Assessor,
                unit: None,
                password: "assessor-pass",
            },
            NOW,
        )
        .await
        .unwrap();
    let other_assessor = store
        .add_user(
            Some(&admin),
            &NewUser {
                login: "lina",
                name: "李娜",
                role: Role::Assessor,
                unit: None,
                password: "assessor-pass",
            },
            NOW,
        )
        .await
        .unwrap();
    let reporter = store
        .add_user(
            Some(&admin),
            &NewUser {
                login: "juegang",
                name: "掘港填报员",
                role: Role::Reporter,
                unit: Some("320623001"),
                password: "reporter-pass",
            },
            NOW,
        )
        .await
        .unwrap();
    let id = store
        .create_assessment(&admin, "2021年度考核", RUBRIC, NOW)
        .await
        .unwrap();
    store
        .add_unit(&admin, id, "320623001", "掘港街道", "街道", NOW)
        .await
        .unwrap();
    store
        .add_unit(&admin, id, "320623100", "马塘镇", "镇", NOW)
        .await
        .unwrap();
    store
        .assign(&admin, id, &assessor, "320623001", NOW)
        .await
        .unwrap();
    World {
        dir,
        url,
        store,
        admin,
        assessor,
        other_assessor,
        reporter,
        id,
    }
}

async fn passwords_are_argon2id_and_wrong_ones_fail(db: Db) {
    let w = world(db).await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE login = 'admin'")
        .fetch_one(w.store.pool())
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert_eq!(
        w.store
            .authenticate("admin", "admin-pass-1")
            .await
            .unwrap()
            .map(|u| u.role),
        Some(Role::Admin)
    );
    assert!(
        w.store
            .authenticate("admin", "wrong")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        w.store
            .authenticate("nobody", "admin-pass-1")
            .await
            .unwrap()
            .is_none()
    );
    let e = w
        .store
        .add_user(
            Some(&w.admin),
            &NewUser {
                login: "x",
                name: "x",
                role: Role::Reporter,
                unit: None,
                password: "long-enough",
            },
            NOW,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(m) if m.contains("须绑定一个单位")));
    let e = w
        .store
        .add_user(
            Some(&w.reporter),
            &NewUser {
                login: "y",
                name: "y",
                role: Role::Viewer,
                unit: None,
                password: "long-enough",
            },
            NOW,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)));
    match w.store.backend() {
        // SQLite in WAL mode with full sync, on every connection of the pool.
        Backend::Sqlite => {
            for _ in 0..3 {
                let mut c = w.store.pool().acquire().await.unwrap();
                let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
                    .fetch_one(&mut *c)
                    .await
                    .unwrap();
                let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(&mut *c)
                    .await
                    .unwrap();
                let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
                    .fetch_one(&mut *c)
                    .await
                    .unwrap();
                assert_eq!((journal.as_str(), sync, fk), ("wal", 2, 1));
            }
        }
        // PostgreSQL: text compares byte by byte, as in SQLite.
        Backend::Postgres => {
            let collation: String = sqlx::query_scalar(
                "SELECT collation_name::text FROM information_schema.columns WHERE table_name = 'units' AND column_name = 'name'",
            )
            .fetch_one(w.store.pool())
            .await
            .unwrap();
            assert_eq!(collation, "C");
        }
    }
}

async fn roles_units_and_stages_are_enforced(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    // 草稿: nobody scores yet.
    let e = s
        .set_score(
            &w.reporter,
            w.id,
            "320623001",
            "1.1.1",
            Ledger::SelfScore,
            "0.05",
            "",
            None,
            NOW,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Forbidden(m) if m == "当前为“草稿”阶段，不能填报自评"),
        "{e}"
    );
    // Stages advance one at a time, by the admin.
    let e = s
        .advance(&w.admin, w.id, Stage::Review, "跳过自评", NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid(m) if m.contains("须依次推进")),
        "{e}"
    );
    assert!(matches!(
        s.advance(&w.assessor, w.id, Stage::SelfAssessment, "x", NOW)
            .await
            .unwrap_err(),
        StoreError::Forbidden(_)
    ));
    s.advance(&w.admin, w.id, Stage::SelfAssessment, "开始自评", NOW)
        .await
        .unwrap();
    // 自评: the reporter, for its own unit only.
    s.set_score(
        &w.reporter,
        w.id,
        "320623001",
        "1.1.1",
        Ledger::SelfScore,
        "0.05",
        "",
        None,
        NOW,
    )
    .await
    .unwrap();
    let e = s
        .set_score(
            &w.reporter,
            w.id,
            "320623100",
            "1.1.1",
            Ledger::SelfScore,
            "0.05",
            "",
            None,
            NOW,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Forbidden(m) if m.contains("只有本单位的填报员可以")),
        "{e}"
    );
    let e = s
        .set_score(
            &w.assessor,
            w.id,
            "320623001",
            "1.1.1",
            Ledger::Assessor,
            "0.05",
            "",
            None,
            NOW,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Forbidden(m) if m.contains("“自评”阶段")),
        "{e}"
    );
    // Units can no longer be added.
    assert!(matches!(
        s.add_unit(&w.admin, w.id, "320623103", "长沙镇", "镇", NOW)
            .await
            .unwrap_err(),
        StoreError::Forbidden(_)
    ));
    s.advance(&w.admin, w.id, Stage::Review, "开始考核", NOW)
        .await
        .unwrap();
    // 考核: the assigned assessor; not another assessor; not the reporter.
    let sc = s
        .set_score(
            &w.assessor,
            w.id,
            "320623001",
            "1.1.1",
            Ledger::Assessor,
            "0.03",
            "大厅面积不足200平方米",
            None,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        (sc.score.as_str(), sc.version, sc.updated_by.as_str()),
        ("0.03", 1, "王芳")
    );
    assert!(matches!(
        s.set_score(
            &w.other_assessor,
            w.id,
            "320623001",
            "1.1.2",
            Ledger::Assessor,
            "0.05",
            "",
            None,
            NOW
        )
        .await
        .unwrap_err(),
        StoreError::Forbidden(_)
    ));
    assert!(matches!(
        s.set_score(
            &w.reporter,
            w.id,
            "320623001",
            "1.1.2",
            Ledger::Assessor,
            "0.05",
            "",
            None,
            NOW
        )
        .await
        .unwrap_err(),
        StoreError::Forbidden(_)
    ));
    assert_eq!(s.assessment(w.id).await.unwrap().stage, Stage::Review);
}

async fn scores_are_checked_against_the_rubric(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    s.advance(&w.admin, w.id, Stage::SelfAssessment, "", NOW)
        .await
        .unwrap();
    s.advance(&w.admin, w.id, Stage::Review, "", NOW)
        .await
        .unwrap();
    let set = |clause: &'static str, score: &'static str, reason: &'static str| {
        s.set_score(
            &w.admin,
            w.id,
            "320623001",
            clause,
            Ledger::Assessor,
            score,
            reason,
            None,
            NOW,
        )
    };
    let msg = |e: StoreError| e.to_string();
    assert_eq!(
        msg(set("1.1.1", "0.06", "x").await.unwrap_err()),
        "得分 0.06 超出条款 1.1.1 的分值范围（0 到 0.05）"
    );
    assert_eq!(
        msg(set("1.1.1", "0.04", " ").await.unwrap_err()),
        "得分 0.04 低于满分 0.05，须填写理由"
    );
    assert_eq!(
        msg(set("9.9.9", "0.05", "").await.unwrap_err()),
        "细则中没有条款“9.9.9”"
    );
    assert_eq!(
        msg(set("1.4.1", "0.05", "").await.unwrap_err()),
        "条款 1.4.1 按“排名递减”计分，不能直接录入分数"
    );
    assert_eq!(
        msg(set("1.1.1", "abc", "").await.unwrap_err()),
        "得分“abc”不是数字"
    );
    let e = s
        .set_score(
            &w.admin,
            w.id,
            "320623999",
            "1.1.1",
            Ledger::Assessor,
            "0.05",
            "",
            None,
            NOW,
        )
        .await
        .unwrap_err();
    assert_eq!(msg(e), "本次考核中没有单位“320623999”");
}

async fn concurrent_edits_on_two_threads_exactly_one_wins_every_time(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    s.advance(&w.admin, w.id, Stage::SelfAssessment, "", NOW)
        .await
        .unwrap();
    s.advance(&w.admin, w.id, Stage::Review, "", NOW)
        .await
        .unwrap();
    let mut version = s
        .set_score(
            &w.assessor,
            w.id,
            "320623001",
            "1.5.2",
            Ledger::Assessor,
            "0.05",
            "",
            None,
            NOW,
        )
        .await
        .unwrap()
        .version;
    for round in 0..10 {
        let (s1, s2) = (s.clone(), s.clone());
        let (u1, u2) = (w.assessor.clone(), w.admin.clone());
        let id = w.id;
        let a = tokio::spawn(async move {
            s1.set_score(
                &u1,
                id,
                "320623001",
                "1.5.2",
                Ledger::Assessor,
                "0.04",
                "甲",
                Some(version),
                NOW,
            )
            .await
        });
        let b = tokio::spawn(async move {
            s2.set_score(
                &u2,
                id,
                "320623001",
                "1.5.2",
                Ledger::Assessor,
                "0.03",
                "乙",
                Some(version),
                NOW,
            )
            .await
        });
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        let won = match (a, b) {
            (Ok(x), Err(StoreError::Conflict { current }))
            | (Err(StoreError::Conflict { current }), Ok(x)) => {
                assert_eq!(current.version, x.version);
                x
            }
            other => {
                panic!("round {round}: exactly one must win, the other get a conflict: {other:?}")
            }
        };
        assert_eq!(won.version, version + 1);
        version = won.version;
    }
    assert_eq!(s.audit_verify().await.unwrap().map(|n| n > 10), Ok(true));
}

async fn concurrent_edits_of_one_score_exactly_one_wins(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    s.advance(&w.admin, w.id, Stage::SelfAssessment, "", NOW)
        .await
        .unwrap();
    s.advance(&w.admin, w.id, Stage::Review, "", NOW)
        .await
        .unwrap();
    let first = s
        .set_score(
            &w.assessor,
            w.id,
            "320623001",
            "1.5.1",
            Ledger::Assessor,
            "0.1",
            "",
            None,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(first.version, 1);
    // Two people saw version 1 and both save.
    let (a, b) = tokio::join!(
        s.set_score(
            &w.assessor,
            w.id,
            "320623001",
            "1.5.1",
            Ledger::Assessor,
            "0.08",
            "岗位牌未公开照片",
            Some(1),
            "2021-12-01T09:01:00Z"
        ),
        s.set_score(
            &w.admin,
            w.id,
            "320623001",
            "1.5.1",
            Ledger::Assessor,
            "0.09",
            "未佩戴工作标志",
            Some(1),
            "2021-12-01T09:01:00Z"
        ),
    );
    let (won, lost) = match (a, b) {
        (Ok(x), Err(e)) | (Err(e), Ok(x)) => (x, e),
        other => panic!("exactly one must win: {other:?}"),
    };
    assert_eq!(won.version, 2);
    match lost {
        StoreError::Conflict { current } => {
            assert_eq!(current.version, 2);
            assert_eq!(current.score, won.score);
            assert_eq!(current.updated_by, won.updated_by);
        }
        other => panic!("{other:?}"),
    }
    // A stale edit later is a conflict too, with a message that says who changed it.
    let e = s
        .set_score(
            &w.admin,
            w.id,
            "320623001",
            "1.5.1",
            Ledger::Assessor,
            "0.07",
            "x",
            Some(1),
            NOW,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("第 2 版"), "{e}");
}

async fn the_audit_log_records_every_change_and_detects_tampering(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    s.advance(&w.admin, w.id, Stage::SelfAssessment, "开始自评", NOW)
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

async fn drop_trigger(s: &Store, name: &str) {
    let sql = match s.backend() {
        Backend::Sqlite => format!("DROP TRIGGER {name}"),
        Backend::Postgres => format!("DROP TRIGGER {name} ON audit_log"),
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(s.pool())
        .await
        .unwrap();
}

async fn reopening_keeps_everything(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let url = {
        let (s, url) = open(dir.path(), db).await;
        s.add_user(
            None,
            &NewUser {
                login: "admin",
                name: "管理员",
                role: Role::Admin,
                unit: None,
                password: "admin-pass-1",
            },
            NOW,
        )
        .await
        .unwrap();
        url
    };
    let s = Store::open_with(dir.path(), url.as_deref()).await.unwrap();
    assert!(
        s.authenticate("admin", "admin-pass-1")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(s.audit_verify().await.unwrap(), Ok(1));
    assert!(dir.path().join("evidence").is_dir());
}

#[tokio::test]
async fn a_data_directory_named_in_chinese_with_spaces_opens_and_an_unknown_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("如东县 考核 #1?");
    let s = Store::open(&data).await.unwrap();
    s.add_user(
        None,
        &NewUser {
            login: "admin",
            name: "管理员",
            role: Role::Admin,
            unit: None,
            password: "admin-pass-1",
        },
        NOW,
    )
    .await
    .unwrap();
    assert!(
        data.join("kaohe.db").is_file(),
        "the database is in the directory named"
    );
    let e = Store::open_with(&data, Some("mysql://root:secret@db/kaohe"))
        .await
        .err()
        .unwrap();
    assert!(matches!(e, StoreError::Invalid(_)));
    let m = e.to_string();
    assert!(m.contains("mysql") && !m.contains("secret"), "{m}");
}

async fn reads_are_kept_until_the_next_change(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    let a = s.inputs(w.id).await.unwrap();
    let b = s.inputs(w.id).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&a, &b), "no change: the same inputs");
    assert!(a.judgements.is_empty());
    // A change — any audited change — and the next read sees it.
    s.advance(&w.admin, w.id, Stage::SelfAssessment, "", NOW)
        .await
        .unwrap();
    assert_eq!(
        s.assessment(w.id).await.unwrap().stage,
        Stage::SelfAssessment
    );
    s.advance(&w.admin, w.id, Stage::Review, "", NOW)
        .await
        .unwrap();
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

async fn a_store_moves_whole_into_another_database(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    s.advance(&w.admin, w.id, Stage::SelfAssessment, "开始自评", NOW)
        .await
        .unwrap();
    s.advance(&w.admin, w.id, Stage::Review, "", NOW)
        .await
        .unwrap();
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
            t.authenticate("wangfang", "assessor-pass")
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
                    password: "long-enough",
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
