//! 提交自评与退回 — a unit's reporter submits its self-assessment once every clause it self-assesses
//! has a 自评分; from then its 自评分 and 佐证材料 are locked until the unit's assessor (or the admin)
//! 退回 it with a reason, which opens it again. Both happen in 自评, before its deadline for the
//! submission; each is checked and audited inside its write transaction. One row per unit holds the
//! present state; the audit log holds the history.

use super::*;

/// A unit's self-assessment as submitted or returned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Submission {
    pub unit_code: String,
    /// `submitted` or `returned`.
    pub status: String,
    /// Who submitted it last (login) and when (ISO 8601 UTC, as the service gave it).
    pub submitted_by: String,
    pub submitted_at: String,
    /// Who returned it last, when and why; `None` while it was never returned.
    pub returned_by: Option<String>,
    pub returned_at: Option<String>,
    pub return_reason: Option<String>,
}

impl Submission {
    /// Whether the self-assessment is submitted (and so locked).
    pub fn is_submitted(&self) -> bool {
        self.status == "submitted"
    }
}

fn submission_of(r: &sqlx::any::AnyRow) -> Submission {
    Submission {
        unit_code: r.get("unit_code"),
        status: r.get("status"),
        submitted_by: r.get("submitted_by"),
        submitted_at: r.get("submitted_at"),
        returned_by: r.get("returned_by"),
        returned_at: r.get("returned_at"),
        return_reason: r.get("return_reason"),
    }
}

impl Store {
    /// Every unit's submission state in `assessment` (units never submitted have none).
    pub async fn submissions(&self, assessment: i64) -> Result<Vec<Submission>> {
        let rows = sqlx::query("SELECT unit_code, status, submitted_by, submitted_at, returned_by, returned_at, return_reason FROM self_submissions WHERE assessment_id = $1 ORDER BY unit_code")
        .bind(assessment)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(submission_of).collect())
    }

    /// One unit's submission state.
    pub async fn submission(&self, assessment: i64, unit: &str) -> Result<Option<Submission>> {
        let row = sqlx::query("SELECT unit_code, status, submitted_by, submitted_at, returned_by, returned_at, return_reason FROM self_submissions WHERE assessment_id = $1 AND unit_code = $2")
        .bind(assessment)
        .bind(unit)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(submission_of))
    }

    /// Refuses a change of the unit's self-assessment once it is submitted (read inside `tx`).
    pub(super) async fn check_not_submitted(
        tx: &mut sqlx::AnyConnection,
        assessment: i64,
        unit: &str,
    ) -> Result<()> {
        let status: Option<String> = sqlx::query_scalar(
            "SELECT status FROM self_submissions WHERE assessment_id = $1 AND unit_code = $2",
        )
        .bind(assessment)
        .bind(unit)
        .fetch_optional(&mut *tx)
        .await?;
        if status.as_deref() == Some("submitted") {
            return Err(StoreError::Forbidden(
                "本单位已提交自评，自评分和佐证材料已锁定；如需修改，请联系考核员退回".into(),
            ));
        }
        Ok(())
    }

    /// 提交自评 (the unit's reporter, in 自评, before its deadline): refused while a clause the unit
    /// self-assesses has no 自评分 (each named), or when already submitted.
    pub async fn submit_self(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        now: &str,
    ) -> Result<Submission> {
        let Change { mut tx, .. } = self
            .change(by, assessment, Some(unit), |_| Action::Submit)
            .await?;
        // The rubric as it stands under the lock (it is fixed once 自评 began, read here anyway).
        let a = self.assessment(assessment).await?;
        Self::check_self_deadline(&mut tx, assessment, now).await?;
        let kind: Option<String> =
            sqlx::query_scalar("SELECT kind FROM units WHERE assessment_id = $1 AND code = $2")
                .bind(assessment)
                .bind(unit)
                .fetch_optional(&mut *tx)
                .await?;
        let kind =
            kind.ok_or_else(|| StoreError::NotFound(format!("本次考核中没有单位“{unit}”")))?;
        let before: Option<String> = sqlx::query_scalar(
            "SELECT status FROM self_submissions WHERE assessment_id = $1 AND unit_code = $2",
        )
        .bind(assessment)
        .bind(unit)
        .fetch_optional(&mut *tx)
        .await?;
        if before.as_deref() == Some("submitted") {
            return Err(StoreError::Invalid("本单位已提交自评，不必重复提交".into()));
        }
        let done: Vec<String> = sqlx::query_scalar(
            "SELECT clause_id FROM ledger WHERE assessment_id = $1 AND unit_code = $2 AND ledger = 'self'",
        )
        .bind(assessment)
        .bind(unit)
        .fetch_all(&mut *tx)
        .await?;
        let missing: Vec<String> = a
            .rubric
            .self_assessed(&kind)
            .filter(|c| !done.iter().any(|d| *d == *c.id))
            .map(|c| format!("{} {}", c.id, short(&c.title)))
            .collect();
        if !missing.is_empty() {
            return Err(StoreError::Invalid(format!(
                "还有 {} 项考核点未自评，不能提交：{}",
                missing.len(),
                missing.join("；")
            )));
        }
        sqlx::query(
            "INSERT INTO self_submissions (assessment_id, unit_code, status, submitted_by, submitted_at) VALUES ($1, $2, 'submitted', $3, $4)
             ON CONFLICT (assessment_id, unit_code) DO UPDATE SET status = 'submitted', submitted_by = excluded.submitted_by, submitted_at = excluded.submitted_at",
        )
        .bind(assessment)
        .bind(unit)
        .bind(&by.login)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "self.submit",
            &format!("assessment/{assessment}/unit/{unit}"),
            before.as_deref(),
            Some("submitted"),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(self
            .submission(assessment, unit)
            .await?
            .expect("written above"))
    }

    /// 退回自评 (the unit's assessor or the admin, in 自评, with the reason): the submitted
    /// self-assessment opens again for its reporter.
    pub async fn return_self(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        reason: &str,
        now: &str,
    ) -> Result<Submission> {
        let reason = reason.trim();
        let Change { mut tx, .. } = self
            .change(by, assessment, Some(unit), |_| Action::ReturnSelf)
            .await?;
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "退回自评须写明理由（例如哪项自评分或佐证材料需要修改）".into(),
            ));
        }
        // A return after the deadline would leave the unit unable to change or submit again.
        if let Some(d) = Self::dates_in(&mut tx, assessment).await?.self_deadline
            && kaohe_core::time::beijing_date(now).is_some_and(|today| today > d)
        {
            return Err(StoreError::Forbidden(format!(
                "自评已于 {d}（北京时间当日 24 时）截止：退回后单位无法再修改或提交；如确需退回，请先由管理员延长自评截止日期"
            )));
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(StoreError::Invalid(format!(
                "退回理由过长：{} 字，上限 {MAX_REASON_CHARS} 字",
                reason.chars().count()
            )));
        }
        let n = sqlx::query(
            "UPDATE self_submissions SET status = 'returned', returned_by = $1, returned_at = $2, return_reason = $3 WHERE assessment_id = $4 AND unit_code = $5 AND status = 'submitted'",
        )
        .bind(&by.login)
        .bind(now)
        .bind(reason)
        .bind(assessment)
        .bind(unit)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Invalid(
                "该单位尚未提交自评（或已被退回），无需退回".into(),
            ));
        }
        self.audit(
            &mut tx,
            now,
            &by.login,
            "self.return",
            &format!("assessment/{assessment}/unit/{unit}"),
            Some("submitted"),
            Some("returned"),
            Some(reason),
        )
        .await?;
        self.commit(tx).await?;
        Ok(self
            .submission(assessment, unit)
            .await?
            .expect("written above"))
    }
}

/// A clause's title as a message names it: its first 20 characters.
fn short(title: &str) -> String {
    match title.char_indices().nth(20) {
        Some((i, _)) => format!("{}…", &title[..i]),
        None => title.to_string(),
    }
}

/// The longest 退回理由 kept, in characters.
pub const MAX_REASON_CHARS: usize = 500;
