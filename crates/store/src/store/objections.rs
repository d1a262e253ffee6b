//! 异议 — objections filed in 公示 and decided (an upheld one sets 最终分 in the same transaction).

use super::*;

/// 异议
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Objection {
    pub id: i64,
    pub unit_code: String,
    pub clause_id: String,
    pub reason: String,
    pub filed_by: String,
    pub filed_at: String,
    /// open / upheld / rejected
    pub status: String,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// 异议处理: uphold (with the final score of a judgement clause) or reject, with the reason.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    pub upheld: bool,
    pub reason: &'a str,
    pub score: Option<&'a str>,
}

impl Store {
    /// Files an objection (公示; the unit's reporter).
    pub async fn file_objection(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        reason: &str,
        now: &str,
    ) -> Result<i64> {
        let a = self.assessment(assessment).await?;
        let Change { mut tx, .. } = self
            .change(by, assessment, Some(unit), |_| Action::Object)
            .await?;
        Self::check_publication_window(&mut tx, assessment, now).await?;
        if a.rubric.clause(clause).is_none() {
            return Err(StoreError::Invalid(format!("细则中没有条款“{clause}”")));
        }
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("异议须写明理由".into()));
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO objections (assessment_id, unit_code, clause_id, reason, filed_by, filed_at, status) VALUES ($1, $2, $3, $4, $5, $6, 'open') RETURNING id")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(reason.trim())
            .bind(by.id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "objection.file",
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/objection/{id}"),
            None,
            Some(reason.trim()),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// The objections of an assessment that `by` may read ([`Read::Objections`]: a reporter its own
    /// unit's).
    pub async fn objections(&self, by: &User, assessment: i64) -> Result<Vec<Objection>> {
        let stage = self.assessment(assessment).await?.stage;
        let rows = sqlx::query(
            "SELECT o.id, o.unit_code, o.clause_id, o.reason, f.name AS filed_by, o.filed_at, o.status, o.decision, d.name AS decided_by, o.decided_at
             FROM objections o JOIN users f ON f.id = o.filed_by LEFT JOIN users d ON d.id = o.decided_by WHERE o.assessment_id = $1 ORDER BY o.id",
        )
        .bind(assessment)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Objection {
                id: r.get("id"),
                unit_code: r.get("unit_code"),
                clause_id: r.get("clause_id"),
                reason: r.get("reason"),
                filed_by: r.get("filed_by"),
                filed_at: r.get("filed_at"),
                status: r.get("status"),
                decision: r.get("decision"),
                decided_by: r.get("decided_by"),
                decided_at: r.get("decided_at"),
            })
            .filter(|o| policy::may_read(by, Read::Objections, stage, Some(&o.unit_code)).is_ok())
            .collect())
    }

    /// Decides an objection (公示; an assessor assigned to the unit, or admin). An upheld objection on
    /// a judgement clause sets the final score (最终分) to `score`; the result is recomputed from it.
    pub async fn decide_objection(
        &self,
        by: &User,
        assessment: i64,
        objection: i64,
        d: &Decision<'_>,
        now: &str,
    ) -> Result<()> {
        let Decision {
            upheld,
            reason: decision,
            score,
        } = *d;
        let a = self.assessment(assessment).await?;
        // The objection, the stage and the assignment are read under the lock, and the final
        // score is written in the same transaction as the decision: both or neither.
        let mut tx = self.write().await?;
        let r = sqlx::query("SELECT unit_code, clause_id, status FROM objections WHERE id = $1 AND assessment_id = $2").bind(objection).bind(assessment).fetch_optional(&mut *tx).await?.ok_or_else(|| StoreError::NotFound(format!("异议 {objection} 不存在")))?;
        let (unit, clause, status): (String, String, String) =
            (r.get("unit_code"), r.get("clause_id"), r.get("status"));
        let stage = Self::stage_in(&mut tx, assessment).await?;
        let assigned = Self::assigned_in(&mut tx, assessment, by, &unit).await?;
        policy::check(by, Action::Decide, stage, Some(&unit), assigned)
            .map_err(StoreError::Forbidden)?;
        if status != "open" {
            return Err(StoreError::Invalid(format!(
                "异议 {objection} 已处理（{}）",
                if status == "upheld" {
                    "已采纳"
                } else {
                    "不予采纳"
                }
            )));
        }
        if decision.trim().is_empty() {
            return Err(StoreError::Invalid("处理意见不能为空".into()));
        }
        if upheld && let Some(score) = score {
            let text = Self::checked_score(&a.rubric, &clause, score, decision)?;
            let current = Self::score_in(&mut tx, assessment, &unit, &clause, Ledger::Final)
                .await?
                .map(|s| s.version);
            self.write_score(
                &mut tx,
                by,
                assessment,
                &unit,
                &clause,
                Ledger::Final,
                &text,
                decision,
                current,
                now,
            )
            .await?;
        }
        let n = sqlx::query("UPDATE objections SET status = $1, decision = $2, decided_by = $3, decided_at = $4 WHERE id = $5 AND status = 'open'")
            .bind(if upheld { "upheld" } else { "rejected" })
            .bind(decision.trim())
            .bind(by.id)
            .bind(now)
            .bind(objection)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::Invalid(format!(
                "异议 {objection} 已被他人处理，请刷新"
            )));
        }
        self.audit(
            &mut tx,
            now,
            &by.login,
            if upheld {
                "objection.uphold"
            } else {
                "objection.reject"
            },
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/objection/{objection}"),
            Some("open"),
            score,
            Some(decision.trim()),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}
