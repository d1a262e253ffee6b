//! 细则草案 (issue 12): drafts saved with author and time; 生效 only in 草稿, checked under the
//! write lock, audited and replayed; on SQLite and PostgreSQL.

use kaohe_store::testdb::{Db, open};
use kaohe_store::{NewUser, Role, Stage, Store, StoreError, User};

const RUBRIC: &str = include_str!("../../../rubrics/rudong-2021.toml");
const NOW: &str = "2021-12-01T09:00:00Z";
const LATER: &str = "2021-12-02T10:30:00Z";

kaohe_store::on_both!(
    a_draft_is_saved_with_its_author_and_time_and_audited,
    a_draft_takes_effect_in_draft_stage_only_and_is_audited,
    an_invalid_draft_or_another_role_never_takes_effect,
);

async fn world(db: Db) -> (tempfile::TempDir, Store, User, User, i64) {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(dir.path(), db).await;
    let nu = |login, name, role| NewUser {
        login,
        name,
        role,
        unit: None,
        password: "password-123",
    };
    let admin = store
        .add_user(None, &nu("admin", "县政务办", Role::Admin), NOW)
        .await
        .unwrap();
    let assessor = store
        .add_user(None, &nu("wangfang", "王芳", Role::Assessor), NOW)
        .await
        .unwrap();
    let id = store
        .create_assessment(&admin, "2022年度考核", RUBRIC, NOW)
        .await
        .unwrap();
    store
        .add_unit(&admin, id, "320623100", "马塘镇", "镇", NOW)
        .await
        .unwrap();
    (dir, store, admin, assessor, id)
}

/// The seed with clause 1.1.1 worth 0.04 and 1.1.2 worth 0.06 (the sums still add up).
fn moved() -> String {
    let text = RUBRIC.replacen("max = \"0.05\"", "max = \"0.04\"", 1);
    let at = text.find("id = \"1.1.2\"").unwrap();
    let (head, tail) = text.split_at(at);
    format!(
        "{head}{}",
        tail.replacen("max = \"0.05\"", "max = \"0.06\"", 1)
    )
}

async fn a_draft_is_saved_with_its_author_and_time_and_audited(db: Db) {
    let (_dir, store, admin, _, id) = world(db).await;
    let d1 = store
        .save_rubric_draft(&admin, id, &moved(), NOW)
        .await
        .unwrap();
    let d2 = store
        .save_rubric_draft(&admin, id, "id = ", LATER)
        .await
        .unwrap();
    assert_eq!((d1.number, d2.number), (1, 2));
    let all = store.rubric_drafts(id).await.unwrap();
    assert_eq!(all.len(), 2);
    // Newest first, each with its author and time; a draft may be unfinished (not yet valid).
    assert_eq!(all[0].id, d2.id);
    assert_eq!(all[0].rubric_toml, "id = ");
    assert_eq!(all[1].author, "县政务办");
    assert_eq!(all[1].created_at, NOW);
    assert!(all.iter().all(|d| d.effective_at.is_none()));
    let got = store.rubric_draft(id, d1.id).await.unwrap();
    assert_eq!(got.rubric_toml, moved());
    assert_eq!(got.number, 1);
    // Another assessment's draft is not this one's.
    assert!(matches!(
        store.rubric_draft(id + 1, d1.id).await,
        Err(StoreError::NotFound(_))
    ));
    let log = store.audit_log().await.unwrap();
    let saves: Vec<_> = log
        .iter()
        .filter(|e| e.action == "rubric_draft.save")
        .collect();
    assert_eq!(saves.len(), 2);
    assert_eq!(saves[0].actor, "admin");
    assert_eq!(
        saves[0].entity,
        format!("assessment/{id}/rubric_draft/{}", d1.id)
    );
    // An empty draft is refused.
    assert!(matches!(
        store.save_rubric_draft(&admin, id, "  ", NOW).await,
        Err(StoreError::Invalid(m)) if m == "细则草案是空的"
    ));
    // A draft of exactly the rubric size limit is kept; one byte more is refused, saying why.
    let max = kaohe_core::rubric::MAX_RUBRIC_BYTES;
    let mut at = String::from("id = \"x\"\n");
    at.push_str(&"#".repeat(max - at.len()));
    assert_eq!(at.len(), max);
    store.save_rubric_draft(&admin, id, &at, NOW).await.unwrap();
    match store
        .save_rubric_draft(&admin, id, &format!("{at}#"), NOW)
        .await
    {
        Err(StoreError::Invalid(m)) => assert_eq!(
            m,
            format!("细则草案有 {} 字节，超过上限 {max} 字节（1 MiB）", max + 1)
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.rubric_drafts(id).await.unwrap().len(), 3);
    // The number of drafts kept: up to the limit (the rows before the last put in directly).
    let mut tx = store.pool().begin().await.unwrap();
    for _ in 3..kaohe_store::store::MAX_DRAFTS - 1 {
        sqlx::query("INSERT INTO rubric_drafts (assessment_id, rubric_toml, sha256, author, created_at) VALUES ($1, 'id = 1', 'x', '县政务办', $2)")
            .bind(id)
            .bind(NOW)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let last = store
        .save_rubric_draft(&admin, id, RUBRIC, NOW)
        .await
        .unwrap();
    assert_eq!(last.number, kaohe_store::store::MAX_DRAFTS);
    match store.save_rubric_draft(&admin, id, RUBRIC, NOW).await {
        Err(StoreError::Invalid(m)) => {
            assert_eq!(m, "本次考核已保存 1000 份细则草案，达到上限 1000 份")
        }
        other => panic!("{other:?}"),
    }
    assert!(store.audit_verify().await.unwrap().is_ok());
    assert!(store.audit_replay().await.unwrap().is_empty());
}

async fn a_draft_takes_effect_in_draft_stage_only_and_is_audited(db: Db) {
    let (_dir, store, admin, _, id) = world(db).await;
    let d = store
        .save_rubric_draft(&admin, id, &moved(), NOW)
        .await
        .unwrap();
    let before = store.assessment(id).await.unwrap().rubric.sha256;
    store
        .make_rubric_effective(&admin, id, d.id, LATER)
        .await
        .unwrap();
    let x = store.assessment(id).await.unwrap();
    assert_eq!(x.rubric.clause("1.1.1").unwrap().max.to_string(), "0.04");
    assert_eq!(x.rubric_toml, moved());
    assert_ne!(x.rubric.sha256, before);
    let d = store.rubric_draft(id, d.id).await.unwrap();
    assert_eq!(d.effective_at.as_deref(), Some(LATER));
    let e = store.audit_log().await.unwrap().pop().unwrap();
    assert_eq!(e.action, "rubric.effective");
    assert_eq!(e.entity, format!("assessment/{id}"));
    assert!(e.old.unwrap().contains(&before));
    assert!(e.new.unwrap().contains(&x.rubric.sha256));
    // The log replays to the tables: the rubric changed through the log, not behind its back.
    assert!(store.audit_replay().await.unwrap().is_empty());
    assert!(matches!(
        store.make_rubric_effective(&admin, id, d.id, LATER).await,
        Err(StoreError::Invalid(m)) if m == "这份草案已经生效过"
    ));

    // Past 草稿: saving and 生效 both refused, and nothing changes.
    let d2 = store
        .save_rubric_draft(&admin, id, RUBRIC, NOW)
        .await
        .unwrap();
    store
        .advance(
            &admin,
            id,
            Stage::SelfAssessment,
            "",
            NOW,
            kaohe_store::Gate::none(),
        )
        .await
        .unwrap();
    let seq = store.audit_log().await.unwrap().len();
    match store.make_rubric_effective(&admin, id, d2.id, LATER).await {
        Err(StoreError::Forbidden(m)) => assert_eq!(m, "当前为“自评”阶段，不能修改细则"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        store.save_rubric_draft(&admin, id, RUBRIC, NOW).await,
        Err(StoreError::Forbidden(_))
    ));
    assert_eq!(store.audit_log().await.unwrap().len(), seq);
    assert_eq!(store.assessment(id).await.unwrap().rubric_toml, moved());
}

async fn an_invalid_draft_or_another_role_never_takes_effect(db: Db) {
    let (_dir, store, admin, assessor, id) = world(db).await;
    let bad = RUBRIC.replacen("step = \"0.002\"", "step = \"-1\"", 1);
    let d = store
        .save_rubric_draft(&admin, id, &bad, NOW)
        .await
        .unwrap();
    match store.make_rubric_effective(&admin, id, d.id, NOW).await {
        Err(StoreError::Invalid(m)) => {
            assert!(m.starts_with("草案有错误，不能生效："), "{m}");
            assert!(m.contains("名次扣减分应大于 0"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    // A rubric whose unit kinds leave out the assessment's 镇.
    let kinds = RUBRIC.replacen(
        "ties = \"competition\"",
        "ties = \"competition\"\nunit_kinds = [\"街道\"]",
        1,
    );
    let d = store
        .save_rubric_draft(&admin, id, &kinds, NOW)
        .await
        .unwrap();
    match store.make_rubric_effective(&admin, id, d.id, NOW).await {
        Err(StoreError::Invalid(m)) => assert!(m.contains("单位“马塘镇”是“镇”"), "{m}"),
        other => panic!("{other:?}"),
    }
    let good = store
        .save_rubric_draft(&admin, id, &moved(), NOW)
        .await
        .unwrap();
    match store
        .make_rubric_effective(&assessor, id, good.id, NOW)
        .await
    {
        Err(StoreError::Forbidden(m)) => {
            assert_eq!(m, "王芳（考核员）无权修改细则：只有管理员可以")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        store.save_rubric_draft(&assessor, id, &moved(), NOW).await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        store.make_rubric_effective(&admin, id, 999_999, NOW).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.assessment(id).await.unwrap().rubric_toml, RUBRIC);
}
