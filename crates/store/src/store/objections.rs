//! 异议 — objections filed in 公示 (with files), decided on purpose (采纳 sets the new 最终分 in the same
//! transaction; 驳回 needs its reason) and reopened by the admin with a reason (the earlier decision
//! kept in the objection's history, an upheld one's 最终分 put back).

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
    /// The 最终分 an upheld decision set.
    pub score: Option<String>,
    /// Earlier decisions, each undone by a reopening (oldest first).
    pub history: Vec<ObjectionHistory>,
}

/// 处理记录: an earlier decision of an objection and the reopening that undid it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ObjectionHistory {
    /// upheld / rejected
    pub status: String,
    pub decision: String,
    pub score: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
    pub reopened_by: String,
    pub reopened_at: String,
    pub reopen_reason: String,
}

/// 处理结果 as a form chose it: none is refused (nothing is pre-selected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 采纳
    Upheld,
    /// 驳回
    Rejected,
}

impl Outcome {
    /// The form's value (`upheld` / `rejected`), or why nothing was chosen.
    pub fn parse(value: Option<&str>) -> Result<Outcome> {
        match value.map(str::trim) {
            Some("upheld") => Ok(Outcome::Upheld),
            Some("rejected") => Ok(Outcome::Rejected),
            _ => Err(StoreError::Invalid("请选择处理结果：采纳或驳回".into())),
        }
    }
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
        self.file_objection_with(by, assessment, unit, clause, reason, &[], now)
            .await
    }

    /// Files an objection with its files (公示; the unit's reporter): the objection and every file
    /// in one transaction, or none of them.
    #[allow(clippy::too_many_arguments)]
    pub async fn file_objection_with(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        reason: &str,
        files: &[Upload<'_>],
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
        for up in files {
            self.link_file_in(
                &mut tx,
                by,
                assessment,
                unit,
                clause,
                Attach::Objection(id),
                up,
                now,
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(id)
    }

    /// The objections of an assessment that `by` may read ([`Read::Objections`]: a reporter its own
    /// unit's).
    pub async fn objections(&self, by: &User, assessment: i64) -> Result<Vec<Objection>> {
        let stage = self.assessment(assessment).await?.stage;
        let rows = sqlx::query(
            "SELECT o.id, o.unit_code, o.clause_id, o.reason, f.name AS filed_by, f.login AS filed_login, o.filed_at, o.status, o.decision, d.name AS decided_by, o.decided_at, o.score
             FROM objections o JOIN users f ON f.id = o.filed_by LEFT JOIN users d ON d.id = o.decided_by WHERE o.assessment_id = $1 ORDER BY o.id",
        )
        .bind(assessment)
        .fetch_all(&self.pool)
        .await?;
        let mut history: HashMap<i64, Vec<ObjectionHistory>> = HashMap::new();
        for r in sqlx::query(
            "SELECT h.objection_id, h.status, h.decision, h.score, d.name AS decided_by, h.decided_at, r.name AS reopened_by, h.reopened_at, h.reopen_reason
             FROM objection_history h JOIN objections o ON o.id = h.objection_id JOIN users d ON d.id = h.decided_by JOIN users r ON r.id = h.reopened_by
             WHERE o.assessment_id = $1 ORDER BY h.id",
        )
        .bind(assessment)
        .fetch_all(&self.pool)
        .await?
        {
            history
                .entry(r.get("objection_id"))
                .or_default()
                .push(ObjectionHistory {
                    status: r.get("status"),
                    decision: r.get("decision"),
                    score: r.get("score"),
                    decided_by: r.get("decided_by"),
                    decided_at: r.get("decided_at"),
                    reopened_by: r.get("reopened_by"),
                    reopened_at: r.get("reopened_at"),
                    reopen_reason: r.get("reopen_reason"),
                });
        }
        // Read only by who may: a reporter's name opened only for them.
        rows.iter()
            .filter(|r| {
                let unit: String = r.get("unit_code");
                policy::may_read(by, Read::Objections, stage, Some(&unit)).is_ok()
            })
            .map(|r| {
                Ok(Objection {
                    id: r.get("id"),
                    unit_code: r.get("unit_code"),
                    clause_id: r.get("clause_id"),
                    reason: r.get("reason"),
                    filed_by: self
                        .name_from_store(&r.get::<String, _>("filed_login"), r.get("filed_by"))?,
                    filed_at: r.get("filed_at"),
                    status: r.get("status"),
                    decision: r.get("decision"),
                    decided_by: r.get("decided_by"),
                    decided_at: r.get("decided_at"),
                    score: r.get("score"),
                    history: history.remove(&r.get::<i64, _>("id")).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Decides an objection (公示; an assessor assigned to the unit, or admin). 采纳 requires the new
    /// 最终分 (`score`, a judgement clause's), written to the 最终 ledger in the same transaction (the
    /// result is recomputed from it); 驳回 requires its reason.
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
                    "已驳回"
                }
            )));
        }
        if decision.trim().is_empty() {
            return Err(StoreError::Invalid(if upheld {
                "采纳异议须写明处理意见".into()
            } else {
                "驳回异议须写明理由".into()
            }));
        }
        let score = score.map(str::trim).filter(|s| !s.is_empty());
        if upheld && score.is_none() {
            return Err(StoreError::Invalid(format!(
                "采纳异议须填写条款 {clause} 新的最终分"
            )));
        }
        let mut kept: (Option<String>, Option<String>) = (None, None);
        if upheld && let Some(score) = score {
            let text = Self::checked_score(&a.rubric, &clause, score, decision)?;
            let fin = self
                .score_in(&mut tx, assessment, &unit, &clause, Ledger::Final)
                .await?;
            let current = fin.as_ref().map(|s| s.version);
            // The clause's effective score before (最终分, else 考核分), put back on a reopening.
            let prior = match fin {
                Some(s) => Some(s.score),
                None => self
                    .score_in(&mut tx, assessment, &unit, &clause, Ledger::Assessor)
                    .await?
                    .map(|s| s.score),
            };
            kept = (Some(text.clone()), prior);
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
        let n = sqlx::query("UPDATE objections SET status = $1, decision = $2, decided_by = $3, decided_at = $4, score = $5, prior_score = $6 WHERE id = $7 AND status = 'open'")
            .bind(if upheld { "upheld" } else { "rejected" })
            .bind(decision.trim())
            .bind(by.id)
            .bind(now)
            .bind(&kept.0)
            .bind(&kept.1)
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

    /// Reopens a decided objection (公示; the admin), with the reason: the decision goes into the
    /// objection's history, the objection is 待处理 again, and an upheld one's 最终分 is put back to
    /// the clause's score before it (audited as `score.set`, then `objection.reopen`).
    pub async fn reopen_objection(
        &self,
        by: &User,
        assessment: i64,
        objection: i64,
        reason: &str,
        now: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let r = sqlx::query("SELECT unit_code, clause_id, status, decision, decided_by, decided_at, score, prior_score FROM objections WHERE id = $1 AND assessment_id = $2")
            .bind(objection)
            .bind(assessment)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("异议 {objection} 不存在")))?;
        let (unit, clause, status): (String, String, String) =
            (r.get("unit_code"), r.get("clause_id"), r.get("status"));
        let stage = Self::stage_in(&mut tx, assessment).await?;
        policy::check(by, Action::Reopen, stage, Some(&unit), false)
            .map_err(StoreError::Forbidden)?;
        if status == "open" {
            return Err(StoreError::Invalid(
                "这条异议尚未处理（待处理），无需重新打开".into(),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid("重新打开异议须写明理由".into()));
        }
        let (decided_by, decided_at, decision): (Option<i64>, Option<String>, Option<String>) =
            (r.get("decided_by"), r.get("decided_at"), r.get("decision"));
        let (Some(decided_by), Some(decided_at), Some(decision)) =
            (decided_by, decided_at, decision)
        else {
            return Err(StoreError::Corrupt(format!(
                "异议 {objection} 标为已处理，却没有处理人、时间或意见"
            )));
        };
        let score: Option<String> = r.get("score");
        let prior: Option<String> = r.get("prior_score");
        sqlx::query("INSERT INTO objection_history (objection_id, status, decision, score, decided_by, decided_at, reopened_by, reopened_at, reopen_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(objection)
            .bind(&status)
            .bind(&decision)
            .bind(&score)
            .bind(decided_by)
            .bind(&decided_at)
            .bind(by.id)
            .bind(now)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
        // The 最终分 an upheld decision set goes back to what the clause had before it.
        if status == "upheld"
            && let Some(prior) = prior
        {
            let current = self
                .score_in(&mut tx, assessment, &unit, &clause, Ledger::Final)
                .await?
                .map(|s| s.version);
            self.write_score(
                &mut tx,
                by,
                assessment,
                &unit,
                &clause,
                Ledger::Final,
                &prior,
                &format!("重新打开异议：{reason}"),
                current,
                now,
            )
            .await?;
        }
        sqlx::query("UPDATE objections SET status = 'open', decision = NULL, decided_by = NULL, decided_at = NULL, score = NULL, prior_score = NULL WHERE id = $1")
            .bind(objection)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "objection.reopen",
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/objection/{objection}"),
            Some(&status),
            Some("open"),
            Some(reason),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}
