//! 账本 — the three scores of a clause (自评分, 考核分, 最终分) with optimistic concurrency, and who may
//! read which.

use super::*;

impl Store {
    /// Sets a score in a ledger, with optimistic concurrency: `expected` is the version the editor
    /// saw (`None` for a new score). A stale edit gets [`StoreError::Conflict`] with the current value.
    /// The stage, the assignment and the unit are read under the write lock. 最终分 is given only by
    /// deciding an objection ([`Store::decide_objection`]) in 公示, or as a 更正 after 定档.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_score(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        ledger: Ledger,
        score: &str,
        reason: &str,
        expected: Option<i64>,
        now: &str,
    ) -> Result<Score> {
        let a = self.assessment(assessment).await?;
        let Change { mut tx, action, .. } = self
            .change(by, assessment, Some(unit), |stage| match ledger {
                Ledger::SelfScore => Action::SelfAssess,
                Ledger::Assessor => Action::Score,
                Ledger::Final if stage == Stage::Final => Action::Correct,
                Ledger::Final => Action::Decide,
            })
            .await?;
        if action == Action::Correct && reason.trim().is_empty() {
            return Err(StoreError::Invalid("定档后的更正须写明理由".into()));
        }
        if action == Action::Decide {
            return Err(StoreError::Invalid(
                "公示阶段的最终分只能在处理异议时给出：请在该条款的异议上选择“采纳”并填写最终分"
                    .into(),
            ));
        }
        if action == Action::SelfAssess {
            Self::check_self_deadline(&mut tx, assessment, now).await?;
            Self::check_not_submitted(&mut tx, assessment, unit).await?;
        }
        let text = Self::checked_score(&a.rubric, clause, score, reason)?;
        Self::unit_in(&mut tx, assessment, unit).await?;
        let saved = self
            .write_score(
                &mut tx, by, assessment, unit, clause, ledger, &text, reason, expected, now,
            )
            .await?;
        self.commit(tx).await?;
        Ok(saved)
    }

    /// A score typed for a judgement clause, as canonical text; or why it is refused.
    pub(super) fn checked_score(
        rubric: &Rubric,
        clause: &str,
        score: &str,
        reason: &str,
    ) -> Result<String> {
        let c = rubric
            .clause(clause)
            .ok_or_else(|| StoreError::Invalid(format!("细则中没有条款“{clause}”")))?;
        if !matches!(c.rule, Rule::Judgement) {
            return Err(StoreError::Invalid(format!(
                "条款 {clause} 按“{}”计分，不能直接录入分数",
                c.rule.label()
            )));
        }
        let value = kaohe_core::num::typed_decimal(score)
            .ok_or_else(|| StoreError::Invalid(format!("得分“{}”不是数字", score.trim())))?;
        if value < Decimal::ZERO || value > c.max {
            return Err(StoreError::Invalid(format!(
                "得分 {value} 超出条款 {clause} 的分值范围（0 到 {}）",
                c.max.normalize()
            )));
        }
        if value < c.max && reason.trim().is_empty() {
            return Err(StoreError::Invalid(format!(
                "得分 {} 低于满分 {}，须填写理由",
                value.normalize(),
                c.max.normalize()
            )));
        }
        Ok(value.normalize().to_string())
    }

    /// Writes a checked score inside `tx` with its audit entry: version `expected` + 1, or a
    /// [`StoreError::Conflict`] with the current value when the editor's view is stale.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn write_score(
        &self,
        tx: &mut sqlx::AnyConnection,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        ledger: Ledger,
        text: &str,
        reason: &str,
        expected: Option<i64>,
        now: &str,
    ) -> Result<Score> {
        let current = self.score_in(tx, assessment, unit, clause, ledger).await?;
        let version = match (&current, expected) {
            (None, None) => 1,
            (Some(cur), Some(v)) if cur.version == v => v + 1,
            (Some(cur), _) => {
                return Err(StoreError::Conflict {
                    current: Box::new(cur.clone()),
                });
            }
            (None, Some(_)) => return Err(StoreError::Invalid("该分数已不存在，请刷新".into())),
        };
        let upsert = sqlx::query(
            "INSERT INTO ledger (assessment_id, unit_code, clause_id, ledger, score, reason, version, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (assessment_id, unit_code, clause_id, ledger) DO UPDATE SET score = excluded.score, reason = excluded.reason, version = excluded.version, updated_by = excluded.updated_by, updated_at = excluded.updated_at
             WHERE ledger.version = $10",
        )
        .bind(assessment)
        .bind(unit)
        .bind(clause)
        .bind(ledger.key())
        .bind(text)
        .bind(reason.trim())
        .bind(version)
        .bind(by.id)
        .bind(now)
        .bind(version - 1)
        .execute(&mut *tx)
        .await?;
        if upsert.rows_affected() != 1 {
            let cur = self
                .score_in(tx, assessment, unit, clause, ledger)
                .await?
                .ok_or_else(|| StoreError::Invalid("该分数已不存在，请刷新".into()))?;
            return Err(StoreError::Conflict {
                current: Box::new(cur),
            });
        }
        let old = current.as_ref().map(|c| {
            serde_json::json!({ "score": c.score, "reason": c.reason, "version": c.version })
                .to_string()
        });
        let new = serde_json::json!({ "score": text, "reason": reason.trim(), "version": version })
            .to_string();
        self.audit(
            tx,
            now,
            &by.login,
            "score.set",
            &format!(
                "assessment/{assessment}/unit/{unit}/clause/{clause}/{}",
                ledger.key()
            ),
            old.as_deref(),
            Some(&new),
            Some(reason.trim()),
        )
        .await?;
        self.score_in(tx, assessment, unit, clause, ledger)
            .await?
            .ok_or_else(|| StoreError::Invalid("该分数写入后未找到".into()))
    }

    pub(super) async fn score_in(
        &self,
        tx: &mut sqlx::AnyConnection,
        assessment: i64,
        unit: &str,
        clause: &str,
        ledger: Ledger,
    ) -> Result<Option<Score>> {
        let r = sqlx::query("SELECT l.unit_code, l.clause_id, l.score, l.reason, l.version, u.name AS by_name, u.login AS by_login, l.updated_at FROM ledger l JOIN users u ON u.id = l.updated_by WHERE l.assessment_id = $1 AND l.unit_code = $2 AND l.clause_id = $3 AND l.ledger = $4")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(ledger.key())
            .fetch_optional(&mut *tx)
            .await?;
        r.map(|r| {
            Ok(Score {
                unit_code: r.get("unit_code"),
                clause_id: r.get("clause_id"),
                ledger,
                score: r.get("score"),
                reason: r.get("reason"),
                version: r.get("version"),
                updated_by: self
                    .name_from_store(&r.get::<String, _>("by_login"), r.get("by_name"))?,
                updated_at: r.get("updated_at"),
            })
        })
        .transpose()
    }

    /// The scores of a unit that `by` may read ([`policy::may_read`]), in the ledgers it may read;
    /// [`StoreError::Forbidden`] when it may read none of them.
    pub async fn scores(&self, by: &User, assessment: i64, unit: &str) -> Result<Vec<Score>> {
        let stage = self.assessment(assessment).await?.stage;
        let readable: Vec<Ledger> = [Ledger::SelfScore, Ledger::Assessor, Ledger::Final]
            .into_iter()
            .filter(|l| policy::may_read(by, Read::Ledger(*l), stage, Some(unit)).is_ok())
            .collect();
        if readable.is_empty() {
            return Err(StoreError::Forbidden(
                policy::may_read(by, Read::Ledger(Ledger::SelfScore), stage, Some(unit))
                    .expect_err("no ledger readable"),
            ));
        }
        let mut all = self.all_scores(assessment, unit).await?;
        all.retain(|s| readable.contains(&s.ledger));
        Ok(all)
    }

    /// Every score of a unit, in all three ledgers (for the store's own checks).
    pub(super) async fn all_scores(&self, assessment: i64, unit: &str) -> Result<Vec<Score>> {
        let rows = sqlx::query("SELECT l.unit_code, l.clause_id, l.ledger, l.score, l.reason, l.version, u.name AS by_name, u.login AS by_login, l.updated_at FROM ledger l JOIN users u ON u.id = l.updated_by WHERE l.assessment_id = $1 AND l.unit_code = $2 ORDER BY l.clause_id, l.ledger")
            .bind(assessment)
            .bind(unit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let key: String = r.get("ledger");
                let clause: String = r.get("clause_id");
                Ok(Score {
                    ledger: Ledger::parse(&key).ok_or_else(|| {
                        StoreError::Corrupt(format!(
                            "单位 {unit} 条款 {clause} 的账本“{key}”不是 self/assessor/final 之一"
                        ))
                    })?,
                    unit_code: r.get("unit_code"),
                    clause_id: clause,
                    score: r.get("score"),
                    reason: r.get("reason"),
                    version: r.get("version"),
                    updated_by: self
                        .name_from_store(&r.get::<String, _>("by_login"), r.get("by_name"))?,
                    updated_at: r.get("updated_at"),
                })
            })
            .collect()
    }

    /// Whether `user` may open `unit`'s pages at all (its own entries, in some stage): admins and
    /// assessors; a reporter its own unit only; a viewer never ([`policy::may_read`]).
    pub fn may_read_unit(user: &User, unit: &str) -> bool {
        policy::may_read(user, Read::Evidence, Stage::Final, Some(unit)).is_ok()
    }

    /// Refuses unless `by` may read `what` of `unit` in the assessment's stage.
    pub(super) async fn check_read(
        &self,
        by: &User,
        assessment: i64,
        what: Read,
        unit: &str,
    ) -> Result<()> {
        let stage = self.assessment(assessment).await?.stage;
        policy::may_read(by, what, stage, Some(unit)).map_err(StoreError::Forbidden)
    }
}
