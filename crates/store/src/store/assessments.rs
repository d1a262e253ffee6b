//! 考核与阶段 — assessments with their rubric, units, assessor assignments, and the stage moves
//! 草稿 → 自评 → 考核 → 公示 (定档 is sealing's).

use super::*;

/// A unit of an assessment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub kind: String,
}

/// An assessment in a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AssessmentRow {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub stage: Stage,
    pub rubric_id: String,
    pub rubric_sha256: String,
}

/// A stage as the store wrote it, or `Corrupt` (never read as 草稿).
fn stored_stage(assessment: i64, key: String) -> Result<Stage> {
    Stage::parse(&key)
        .ok_or_else(|| StoreError::Corrupt(format!("考核 {assessment} 的阶段“{key}”无法识别")))
}

impl Store {
    /// Creates an assessment in 草稿 from a rubric's TOML text (validated; its sha256 is kept).
    pub async fn create_assessment(
        &self,
        by: &User,
        title: &str,
        rubric_toml: &str,
        now: &str,
    ) -> Result<i64> {
        policy::check(by, Action::SetUp, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        let (r, problems) = rubric::load("rubric.toml", rubric_toml);
        let Some(r) = r else {
            let msgs: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            return Err(StoreError::Invalid(format!(
                "细则无效：{}",
                msgs.join("；")
            )));
        };
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO assessments (year, title, rubric_id, rubric_version, rubric_sha256, rubric_toml, stage, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7) RETURNING id")
            .bind(r.year as i64)
            .bind(title)
            .bind(&r.id)
            .bind(&r.version)
            .bind(&r.sha256)
            .bind(rubric_toml)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        let new = serde_json::json!({ "title": title, "rubric": r.id, "version": r.version, "sha256": r.sha256 }).to_string();
        self.audit(
            &mut tx,
            now,
            &by.login,
            "assessment.create",
            &format!("assessment/{id}"),
            None,
            Some(&new),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// An assessment with its rubric parsed (kept until the next change).
    pub async fn assessment(&self, id: i64) -> Result<Assessment> {
        let state = self.revision(id).await?;
        if let Some((at, a)) = self.cache.lock().expect("cache").assessments.get(&id)
            && *at == state
        {
            return Ok(a.clone());
        }
        // The rubric is parsed again only when its text changed (a stage move keeps it).
        let before = self
            .cache
            .lock()
            .expect("cache")
            .assessments
            .get(&id)
            .map(|(_, a)| a.clone());
        let a = self.assessment_read(id, before.as_ref()).await?;
        self.cache
            .lock()
            .expect("cache")
            .assessments
            .insert(id, (state, a.clone()));
        Ok(a)
    }

    /// The assessment as stored, its rubric taken from `before` when the stored text is the same.
    async fn assessment_read(&self, id: i64, before: Option<&Assessment>) -> Result<Assessment> {
        let r = sqlx::query(
            "SELECT id, year, title, stage, rubric_toml, incomplete_note FROM assessments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound("没有这个考核".into()))?;
        let toml: String = r.get("rubric_toml");
        let rubric = match before {
            Some(b) if b.rubric_toml == toml => b.rubric.clone(),
            _ => rubric::load("rubric.toml", &toml)
                .0
                .ok_or_else(|| StoreError::Corrupt(format!("考核 {id} 的已存细则无法读取")))?,
        };
        Ok(Assessment {
            id: r.get("id"),
            year: r.get("year"),
            title: r.get("title"),
            stage: stored_stage(id, r.get("stage"))?,
            rubric,
            rubric_toml: toml,
            incomplete_note: r.get("incomplete_note"),
        })
    }

    /// One unit of an assessment, if it has it (one indexed row read).
    pub async fn unit(&self, assessment: i64, code: &str) -> Result<Option<UnitRow>> {
        let r = sqlx::query(
            "SELECT code, name, kind FROM units WHERE assessment_id = $1 AND code = $2",
        )
        .bind(assessment)
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(r.map(|r| UnitRow {
            code: r.get("code"),
            name: r.get("name"),
            kind: r.get("kind"),
        }))
    }

    /// Adds a unit to an assessment (草稿 only).
    pub async fn add_unit(
        &self,
        by: &User,
        assessment: i64,
        code: &str,
        name: &str,
        kind: &str,
        now: &str,
    ) -> Result<()> {
        let Change { mut tx, .. } = self.change(by, assessment, None, |_| Action::SetUp).await?;
        // The rubric's own kinds (`unit_kinds`), kaohe's three for a format-1 rubric without them.
        let toml: String = sqlx::query_scalar("SELECT rubric_toml FROM assessments WHERE id = $1")
            .bind(assessment)
            .fetch_one(&mut *tx)
            .await?;
        let kinds = rubric::load("rubric.toml", &toml)
            .0
            .ok_or_else(|| StoreError::Corrupt(format!("考核 {assessment} 的已存细则无法读取")))?
            .shapes;
        if kind.trim().is_empty() || kind.chars().count() > 20 {
            return Err(StoreError::Invalid(format!(
                "单位类型“{kind}”应为 1 到 20 个字，不超过 20 个字"
            )));
        }
        if !kinds.accepts_kind(kind) {
            let list = kinds.kinds().unwrap_or_default().join(" / ");
            return Err(StoreError::Invalid(format!("单位类型“{kind}”应为 {list}")));
        }
        let r = sqlx::query(
            "INSERT INTO units (assessment_id, code, name, kind) VALUES ($1, $2, $3, $4)",
        )
        .bind(assessment)
        .bind(code)
        .bind(name)
        .bind(kind)
        .execute(&mut *tx)
        .await;
        if let Err(sqlx::Error::Database(e)) = &r
            && e.is_unique_violation()
        {
            return Err(StoreError::Invalid(format!("单位“{code}”已在本次考核中")));
        }
        r?;
        let new = serde_json::json!({ "code": code, "name": name, "kind": kind }).to_string();
        self.audit(
            &mut tx,
            now,
            &by.login,
            "unit.add",
            &format!("assessment/{assessment}/unit/{code}"),
            None,
            Some(&new),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Assigns an assessor to a unit (草稿 only).
    pub async fn assign(
        &self,
        by: &User,
        assessment: i64,
        assessor: &User,
        unit: &str,
        now: &str,
    ) -> Result<()> {
        let Change { mut tx, .. } = self.change(by, assessment, None, |_| Action::SetUp).await?;
        if assessor.role != Role::Assessor {
            return Err(StoreError::Invalid(format!("{} 不是考核员", assessor.name)));
        }
        sqlx::query("INSERT INTO assignments (assessment_id, user_id, unit_code) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING").bind(assessment).bind(assessor.id).bind(unit).execute(&mut *tx).await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "assignment.add",
            &format!("assessment/{assessment}/unit/{unit}"),
            None,
            Some(&assessor.login),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Whether `user` is assigned to `unit` in `assessment`.
    /// 分工: (assessor's login, assessor's name, unit code) of an assessment, by unit then login.
    pub async fn assignments(&self, assessment: i64) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query("SELECT u.login, u.name, a.unit_code FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.assessment_id = $1 ORDER BY a.unit_code, u.login")
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("login"), r.get("name"), r.get("unit_code")))
            .collect())
    }

    pub async fn assigned(&self, assessment: i64, user: &User, unit: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assignments WHERE assessment_id = $1 AND user_id = $2 AND unit_code = $3").bind(assessment).bind(user.id).bind(unit).fetch_one(&self.pool).await?;
        Ok(n > 0)
    }

    /// Moves the assessment to the next stage (admin; recorded with the reason). Into 公示 the `gate`
    /// is passed under the write lock (see [`Gate`]): unfinished work refuses the move unless the
    /// gate was overridden with its own reason, which is recorded and kept as the assessment's
    /// [`Assessment::incomplete_note`].
    pub async fn advance(
        &self,
        by: &User,
        assessment: i64,
        to: Stage,
        why: &str,
        now: &str,
        gate: Gate<'_>,
    ) -> Result<()> {
        let Change {
            mut tx,
            stage: from,
            ..
        } = self
            .change(by, assessment, None, |_| Action::AdvanceStage)
            .await?;
        if from.next() != Some(to) {
            return Err(StoreError::Invalid(format!(
                "不能从“{}”直接进入“{}”：阶段须依次推进",
                from.label(),
                to.label()
            )));
        }
        if to == Stage::Final {
            return Err(StoreError::Invalid(
                "定档须经“定档”操作：它同时封存结果".into(),
            ));
        }
        if to == Stage::Publication {
            self.pass_gate(&mut tx, by, assessment, to, now, gate)
                .await?;
        }
        let n = sqlx::query("UPDATE assessments SET stage = $1 WHERE id = $2 AND stage = $3")
            .bind(to.key())
            .bind(assessment)
            .bind(from.key())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::Invalid("阶段已被他人改变，请刷新".into()));
        }
        self.audit(
            &mut tx,
            now,
            &by.login,
            "stage.advance",
            &format!("assessment/{assessment}"),
            Some(from.key()),
            Some(to.key()),
            Some(why),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    pub async fn assessments(&self) -> Result<Vec<AssessmentRow>> {
        let rows = sqlx::query(
            "SELECT id, year, title, stage, rubric_id, rubric_sha256 FROM assessments ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get("id");
                Ok(AssessmentRow {
                    id,
                    year: r.get("year"),
                    title: r.get("title"),
                    stage: stored_stage(id, r.get("stage"))?,
                    rubric_id: r.get("rubric_id"),
                    rubric_sha256: r.get("rubric_sha256"),
                })
            })
            .collect()
    }

    pub async fn units(&self, assessment: i64) -> Result<Vec<UnitRow>> {
        let rows = sqlx::query(
            "SELECT code, name, kind FROM units WHERE assessment_id = $1 ORDER BY code",
        )
        .bind(assessment)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| UnitRow {
                code: r.get("code"),
                name: r.get("name"),
                kind: r.get("kind"),
            })
            .collect())
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
}
