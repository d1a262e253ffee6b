//! 推进前检查 — the gate before 公示 and 定档: what is unfinished (units × clauses without a score or
//! data, as the caller's scoring finds it from the inputs under the write lock) refuses the move, by
//! unit name; the admin may go on only through an explicit override with its own reason, which is
//! recorded in the audit log (`stage.override`) and kept as the assessment's `incomplete_note`, the
//! line the published result prints: “部分单位未完成考核：…”.
//!
//! The store scores nothing: the list is made by the caller's function (kaohe-app scores with
//! kaohe-core), run by the store after it took the write lock, so that nothing can change between
//! the check and the move.

use super::*;

/// What the store reads for the gate under the write lock besides the scoring inputs: the units
/// whose self-assessment is submitted (提交自评), and the units that have an active reporter
/// account (only they can submit; a unit without one is not waited for).
#[derive(Debug, Default)]
pub struct Progress {
    pub submitted: std::collections::BTreeSet<String>,
    pub with_reporter: std::collections::BTreeSet<String>,
}

impl Progress {
    /// Whether unit `code` still owes its self-assessment.
    pub fn owes_self(&self, code: &str) -> bool {
        self.with_reporter.contains(code) && !self.submitted.contains(code)
    }
}

impl Store {
    /// The [`Progress`] of `assessment`, read on `conn` (the write transaction for the gate).
    pub(super) async fn progress_on(
        conn: &mut sqlx::AnyConnection,
        assessment: i64,
    ) -> Result<Progress> {
        let submitted: Vec<String> = sqlx::query_scalar(
            "SELECT unit_code FROM self_submissions WHERE assessment_id = $1 AND status = 'submitted'",
        )
        .bind(assessment)
        .fetch_all(&mut *conn)
        .await?;
        let with_reporter: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT u.code FROM units u JOIN users r ON r.unit_code = u.code AND r.role = 'reporter' AND r.active = 1 WHERE u.assessment_id = $1",
        )
        .bind(assessment)
        .fetch_all(&mut *conn)
        .await?;
        Ok(Progress {
            submitted: submitted.into_iter().collect(),
            with_reporter: with_reporter.into_iter().collect(),
        })
    }

    /// Objections not yet decided (one indexed count).
    pub async fn open_objections(&self, assessment: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM objections WHERE assessment_id = $1 AND status = 'open'",
        )
        .bind(assessment)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Progress of an assessment: units with a self-assessment, scores in the assessor ledger, open
    /// objections.
    pub async fn progress(&self, assessment: i64) -> Result<(i64, i64, i64)> {
        let a: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT unit_code) FROM ledger WHERE assessment_id = $1 AND ledger = 'self'").bind(assessment).fetch_one(&self.pool).await?;
        let b: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ledger WHERE assessment_id = $1 AND ledger = 'assessor'",
        )
        .bind(assessment)
        .fetch_one(&self.pool)
        .await?;
        let c: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM objections WHERE assessment_id = $1 AND status = 'open'",
        )
        .bind(assessment)
        .fetch_one(&self.pool)
        .await?;
        Ok((a, b, c))
    }

    /// The [`Progress`] of `assessment` as committed (for the 待办 and the dashboard's counts).
    pub async fn self_progress(&self, assessment: i64) -> Result<Progress> {
        let mut conn = self.pool.acquire().await?;
        Self::progress_on(&mut conn, assessment).await
    }
}

/// The unfinished work of an assessment as the caller finds it: one line per unit, in Chinese.
type Unfinished<'a> =
    Box<dyn FnOnce(&Assessment, &kaohe_core::Inputs, &Progress) -> Vec<String> + Send + 'a>;

/// What a move into 公示 or 定档 must pass: the caller's list of unfinished work, and — only when
/// the admin chose it explicitly — the reason to go on regardless.
pub struct Gate<'a> {
    unfinished: Option<Unfinished<'a>>,
    go_on: Option<&'a str>,
}

impl<'a> Gate<'a> {
    /// A gate that lists the unfinished work with `unfinished` (run under the write lock).
    pub fn new(
        unfinished: impl FnOnce(&Assessment, &kaohe_core::Inputs, &Progress) -> Vec<String> + Send + 'a,
    ) -> Gate<'a> {
        Gate {
            unfinished: Some(Box::new(unfinished)),
            go_on: None,
        }
    }

    /// No check: for data kaohe sets up itself (the demo) and for tests of other rules.
    pub fn none() -> Gate<'static> {
        Gate {
            unfinished: None,
            go_on: None,
        }
    }

    /// The admin's explicit override: go on despite unfinished work, for `reason` (which must say
    /// something; it is recorded and printed with the result).
    pub fn overridden(mut self, reason: Option<&'a str>) -> Gate<'a> {
        self.go_on = reason;
        self
    }
}

/// The line a published result prints for what was unfinished.
pub fn incomplete_note(items: &[String]) -> String {
    format!("部分单位未完成考核：{}", items.join("；"))
}

impl Store {
    /// Runs `gate` inside `tx` (the write lock held): unfinished work refuses the move to `to`,
    /// unless overridden with a reason; an override is audited and its note kept. Returns the note
    /// when there was one.
    pub(super) async fn pass_gate(
        &self,
        tx: &mut sqlx::AnyConnection,
        by: &User,
        assessment: i64,
        to: Stage,
        now: &str,
        gate: Gate<'_>,
    ) -> Result<Option<String>> {
        let Some(unfinished) = gate.unfinished else {
            return Ok(None);
        };
        let a = self.assessment(assessment).await?;
        let inputs = self.inputs(assessment).await?;
        let progress = Self::progress_on(tx, assessment).await?;
        let items = unfinished(&a, &inputs, &progress);
        if items.is_empty() {
            return Ok(None);
        }
        let Some(reason) = gate.go_on.map(str::trim).filter(|r| !r.is_empty()) else {
            return Err(StoreError::Unfinished {
                message: format!(
                    "还有 {} 项未完成，不能进入“{}”：{}。如确需继续，请另行勾选“未完成仍继续”并写明理由",
                    items.len(),
                    to.label(),
                    items.join("；")
                ),
                items,
            });
        };
        let note = incomplete_note(&items);
        sqlx::query("UPDATE assessments SET incomplete_note = $1 WHERE id = $2")
            .bind(&note)
            .bind(assessment)
            .execute(&mut *tx)
            .await?;
        self.audit(
            tx,
            now,
            &by.login,
            "stage.override",
            &format!("assessment/{assessment}"),
            None,
            Some(&note),
            Some(reason),
        )
        .await?;
        Ok(Some(note))
    }
}
