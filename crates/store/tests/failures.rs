//! No failure dressed as data (issue 10): a stored value the store would never have written is an
//! error naming where it is, never read as a default.

use super::*;

/// Runs `sql` past the schema's CHECK constraints, as someone editing the database by hand might.
async fn unchecked(s: &Store, sql: &str) {
    let mut c = s.pool().acquire().await.unwrap();
    let off = match s.backend() {
        Backend::Sqlite => "PRAGMA ignore_check_constraints = ON",
        Backend::Postgres => {
            "ALTER TABLE assessments DROP CONSTRAINT IF EXISTS assessments_stage_check; ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check"
        }
    };
    sqlx::raw_sql(off).execute(&mut *c).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut *c)
        .await
        .unwrap();
    if s.backend() == Backend::Sqlite {
        sqlx::raw_sql("PRAGMA ignore_check_constraints = OFF")
            .execute(&mut *c)
            .await
            .unwrap();
    }
}

pub(crate) async fn a_corrupt_stage_role_or_rubric_is_an_error_never_a_default(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    unchecked(
        s,
        &format!("UPDATE assessments SET stage = 'x' WHERE id = {}", w.id),
    )
    .await;
    let e = s.assessment(w.id).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("数据库中的数据已损坏：考核 {} 的阶段“x”无法识别", w.id)
    );
    assert!(matches!(s.assessments().await, Err(StoreError::Corrupt(_))));
    // A change reads the stage under its lock: refused the same way.
    let e = s
        .advance(
            &w.admin,
            w.id,
            Stage::SelfAssessment,
            "",
            NOW,
            kaohe_store::Gate::none(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Corrupt(_)), "{e:?}");
    unchecked(
        s,
        &format!(
            "UPDATE assessments SET stage = 'review', rubric_toml = 'x = ' WHERE id = {}",
            w.id
        ),
    )
    .await;
    let e = s.assessment(w.id).await.unwrap_err();
    assert!(matches!(e, StoreError::Corrupt(_)), "{e:?}");
    unchecked(s, "UPDATE users SET role = 'root' WHERE login = 'lina'").await;
    let e = s.authenticate("lina", "assessor-pass-1").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "数据库中的数据已损坏：账户“lina”的角色“root”无法识别"
    );
    assert!(matches!(
        s.users(&w.admin).await,
        Err(StoreError::Corrupt(_))
    ));
}
