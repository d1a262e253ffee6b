//! 分工 (store side) — which units an assessor is assigned to, read for the 待办 and the pages.

use super::*;

impl Store {
    /// The units `user` is assigned to in `assessment`, in code order. Read as one row (the codes
    /// joined by the unit separator U+001F; an assessor of 2,000 units is one row, not 2,000 sent
    /// one by one from the database's worker), else — when a code itself holds that character — row
    /// by row.
    pub async fn assigned_to(&self, assessment: i64, user: &User) -> Result<Vec<String>> {
        let joined = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) AS n, group_concat(unit_code, char(31)) AS codes FROM assignments WHERE assessment_id = $1 AND user_id = $2"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) AS n, string_agg(unit_code, chr(31)) AS codes FROM assignments WHERE assessment_id = $1 AND user_id = $2"
            }
        };
        let r = sqlx::query(joined)
            .bind(assessment)
            .bind(user.id)
            .fetch_one(&self.pool)
            .await?;
        let n: i64 = r.get("n");
        let codes: Option<String> = r.get("codes");
        let mut out: Vec<String> = codes
            .as_deref()
            .map(|c| c.split('\u{1f}').map(str::to_string).collect())
            .unwrap_or_default();
        if out.len() as i64 != n {
            out = sqlx::query_scalar(
                "SELECT unit_code FROM assignments WHERE assessment_id = $1 AND user_id = $2",
            )
            .bind(assessment)
            .bind(user.id)
            .fetch_all(&self.pool)
            .await?;
        }
        out.sort_unstable();
        Ok(out)
    }

    pub async fn assigned(&self, assessment: i64, user: &User, unit: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assignments WHERE assessment_id = $1 AND user_id = $2 AND unit_code = $3").bind(assessment).bind(user.id).bind(unit).fetch_one(&self.pool).await?;
        Ok(n > 0)
    }
}
