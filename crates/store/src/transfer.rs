//! 迁移 — a whole store copied into another database: a county's SQLite file into the city's
//! PostgreSQL, or a PostgreSQL database into a SQLite file (a portable copy). Every table, row by
//! row, read in one consistent snapshot and written in one transaction (all or nothing); the copy's
//! audit chain is then verified and every table counted on both sides. Sessions are not copied.

use crate::store::{Backend, Result, Store, StoreError};
use sqlx::{Column, Row};

/// The tables in an order that satisfies every foreign key.
const TABLES: &[&str] = &[
    "users",
    "security_settings",
    "login_failures",
    "password_history",
    "assessments",
    "units",
    "assignments",
    "imports",
    "ledger",
    "findings",
    "inspections",
    "bonuses",
    "metrics",
    "objections",
    "objection_history",
    "evidence",
    "evidence_links",
    "results",
    "rubric_drafts",
    "audit_log",
];

/// Integer columns (all others hold text); PostgreSQL wants each value bound with its column's type.
const INTEGERS: &[&str] = &[
    "id",
    "seq",
    "year",
    "version",
    "rows",
    "size",
    "active",
    "must_change_password",
    "revision",
    "assessment_id",
    "user_id",
    "import_id",
    "updated_by",
    "created_by",
    "uploaded_by",
    "sealed_by",
    "filed_by",
    "decided_by",
    "inspected_by",
    "publication_days",
    "objection_id",
    "finding_id",
    "reopened_by",
    "failures",
];

/// Tables whose `id` a PostgreSQL sequence hands out.
const SERIAL: &[&str] = &[
    "users",
    "assessments",
    "imports",
    "findings",
    "inspections",
    "bonuses",
    "evidence_links",
    "objections",
    "objection_history",
    "rubric_drafts",
];

/// Rows copied, per table, in `TABLES` order.
pub type Copied = Vec<(&'static str, u64)>;

impl Store {
    /// Copies every table of this store into `to`, which must hold no data yet. Returns the rows
    /// copied per table once the copy's audit chain has been verified and every count matches.
    /// Both must use the same audit key (the copy's chain is the original's).
    pub async fn copy_into(&self, to: &Store) -> Result<Copied> {
        if to.audit_key().mac(b"kaohe") != self.audit_key().mac(b"kaohe")
            || to.audit_key().since != self.audit_key().since
        {
            return Err(StoreError::Invalid(format!(
                "目标数据库的审计密钥（{}）与原数据库的（{}）不同：请让两者使用同一个密钥文件",
                to.audit_key().path.display(),
                self.audit_key().path.display()
            )));
        }
        let mut src = self.pool().begin().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                .execute(&mut *src)
                .await?;
        }
        let mut dst = to.write().await?;
        for t in ["users", "audit_log"] {
            let n: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
                    .fetch_one(&mut *dst)
                    .await?;
            if n > 0 {
                return Err(StoreError::Invalid(
                    "目标数据库中已有数据：迁移只写入一个空的数据库".into(),
                ));
            }
        }
        let mut copied = Vec::new();
        for &t in TABLES {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {t}")))
                .fetch_all(&mut *src)
                .await?;
            let Some(first) = rows.first() else {
                copied.push((t, 0));
                continue;
            };
            let cols: Vec<String> = first
                .columns()
                .iter()
                .map(|c| c.name().to_string())
                .collect();
            let marks: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {t} ({}) VALUES ({})",
                cols.join(", "),
                marks.join(", ")
            );
            for r in &rows {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for (i, c) in cols.iter().enumerate() {
                    q = if INTEGERS.contains(&c.as_str()) {
                        q.bind(r.try_get::<Option<i64>, _>(i)?)
                    } else {
                        q.bind(r.try_get::<Option<String>, _>(i)?)
                    };
                }
                q.execute(&mut *dst).await?;
            }
            copied.push((t, rows.len() as u64));
        }
        if to.backend() == Backend::Postgres {
            for t in SERIAL {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {t}), false)"
                )))
                .execute(&mut *dst)
                .await?;
            }
        }
        to.commit(dst).await?;
        src.rollback().await?;
        // The copy checked: its chain whole, every table as long as the original's.
        let n = copied
            .iter()
            .find(|(t, _)| *t == "audit_log")
            .map_or(0, |c| c.1);
        match to.audit_verify().await? {
            Ok(m) if m as u64 == n => {}
            Ok(m) => {
                return Err(StoreError::Corrupt(format!(
                    "迁移后审计日志有 {m} 条，原有 {n} 条"
                )));
            }
            Err(bad) => return Err(StoreError::Corrupt(format!("迁移后审计日志不完整：{bad}"))),
        }
        for &(t, n) in &copied {
            let m: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
                    .fetch_one(to.pool())
                    .await?;
            if m as u64 != n {
                return Err(StoreError::Corrupt(format!(
                    "迁移后表 {t} 有 {m} 行，原有 {n} 行"
                )));
            }
        }
        Ok(copied)
    }
}
