//! 细则草案 — versions of an assessment's rubric saved from the editor (草案), each with its author and
//! time, and the one made 生效: it replaces the assessment's rubric, in 草稿 only, checked and audited
//! inside the write transaction.

use super::*;

/// The most drafts one assessment keeps: a clerk saving every few minutes for a month stays far
/// below it; past it a save is refused with the way out (make one effective, or start anew).
pub const MAX_DRAFTS: i64 = 1000;

/// 草案 — one saved version of a rubric being edited.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RubricDraft {
    pub id: i64,
    pub assessment_id: i64,
    /// Its number among the assessment's drafts (1, 2, …), as pages show it.
    pub number: i64,
    pub rubric_toml: String,
    pub sha256: String,
    /// The author's name (as the account names them).
    pub author: String,
    /// ISO 8601 UTC, as the store writes every time.
    pub created_at: String,
    /// When it was made 生效; `None` while it is a draft.
    pub effective_at: Option<String>,
}

fn draft_of(r: &sqlx::any::AnyRow, number: i64) -> RubricDraft {
    RubricDraft {
        id: r.get("id"),
        assessment_id: r.get("assessment_id"),
        number,
        rubric_toml: r.get("rubric_toml"),
        sha256: r.get("sha256"),
        author: r.get("author"),
        created_at: r.get("created_at"),
        effective_at: r.get("effective_at"),
    }
}

impl Store {
    /// Saves `toml` as a new 草案 of `assessment`'s rubric (the admin, in 草稿). The text is kept as
    /// it is — a draft may still have problems; only making it 生效 requires a valid rubric.
    pub async fn save_rubric_draft(
        &self,
        by: &User,
        assessment: i64,
        toml: &str,
        now: &str,
    ) -> Result<RubricDraft> {
        if toml.len() > rubric::MAX_RUBRIC_BYTES {
            return Err(StoreError::Invalid(format!(
                "细则草案有 {} 字节，超过上限 {} 字节（1 MiB）",
                toml.len(),
                rubric::MAX_RUBRIC_BYTES
            )));
        }
        if toml.trim().is_empty() {
            return Err(StoreError::Invalid("细则草案是空的".into()));
        }
        let Change { mut tx, .. } = self
            .change(by, assessment, None, |_| Action::EditRubric)
            .await?;
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM rubric_drafts WHERE assessment_id = $1")
                .bind(assessment)
                .fetch_one(&mut *tx)
                .await?;
        if n >= MAX_DRAFTS {
            return Err(StoreError::Invalid(format!(
                "本次考核已保存 {n} 份细则草案，达到上限 {MAX_DRAFTS} 份"
            )));
        }
        let sha = sha256_hex(toml);
        let id: i64 = sqlx::query_scalar("INSERT INTO rubric_drafts (assessment_id, rubric_toml, sha256, author, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(assessment)
            .bind(toml)
            .bind(&sha)
            .bind(&by.name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        let new =
            serde_json::json!({ "draft": id, "number": n + 1, "sha256": sha, "bytes": toml.len() })
                .to_string();
        self.audit(
            &mut tx,
            now,
            &by.login,
            "rubric_draft.save",
            &format!("assessment/{assessment}/rubric_draft/{id}"),
            None,
            Some(&new),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(RubricDraft {
            id,
            assessment_id: assessment,
            number: n + 1,
            rubric_toml: toml.to_string(),
            sha256: sha,
            author: by.name.clone(),
            created_at: now.to_string(),
            effective_at: None,
        })
    }

    /// The drafts of `assessment`, newest first (with their text).
    pub async fn rubric_drafts(&self, assessment: i64) -> Result<Vec<RubricDraft>> {
        let rows = sqlx::query("SELECT id, assessment_id, rubric_toml, sha256, author, created_at, effective_at FROM rubric_drafts WHERE assessment_id = $1 ORDER BY id")
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        let mut out: Vec<RubricDraft> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| draft_of(r, i as i64 + 1))
            .collect();
        out.reverse();
        Ok(out)
    }

    /// One draft of `assessment` (by its id).
    pub async fn rubric_draft(&self, assessment: i64, draft: i64) -> Result<RubricDraft> {
        self.rubric_drafts(assessment)
            .await?
            .into_iter()
            .find(|d| d.id == draft)
            .ok_or_else(|| StoreError::NotFound("没有这份细则草案".into()))
    }

    /// Makes draft `draft` 生效: it replaces `assessment`'s rubric. The admin, in 草稿 only (read
    /// under the write lock); the draft must be a valid rubric and accept every unit's kind. Audited
    /// with the rubric before and after.
    pub async fn make_rubric_effective(
        &self,
        by: &User,
        assessment: i64,
        draft: i64,
        now: &str,
    ) -> Result<()> {
        let Change { mut tx, .. } = self
            .change(by, assessment, None, |_| Action::EditRubric)
            .await?;
        let row = sqlx::query("SELECT rubric_toml, effective_at FROM rubric_drafts WHERE id = $1 AND assessment_id = $2")
            .bind(draft)
            .bind(assessment)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound("没有这份细则草案".into()))?;
        let toml: String = row.get("rubric_toml");
        if row.get::<Option<String>, _>("effective_at").is_some() {
            return Err(StoreError::Invalid("这份草案已经生效过".into()));
        }
        let (r, problems) = rubric::load("rubric.toml", &toml);
        let Some(r) = r else {
            let msgs: Vec<String> = problems
                .iter()
                .filter(|p| p.is_error())
                .map(|p| p.to_string())
                .collect();
            return Err(StoreError::Invalid(format!(
                "草案有错误，不能生效：{}",
                msgs.join("；")
            )));
        };
        let units = sqlx::query(
            "SELECT code, name, kind FROM units WHERE assessment_id = $1 ORDER BY code",
        )
        .bind(assessment)
        .fetch_all(&mut *tx)
        .await?;
        for u in &units {
            let kind: String = u.get("kind");
            if !r.shapes.accepts_kind(&kind) {
                let name: String = u.get("name");
                let list = r.shapes.kinds().unwrap_or_default().join(" / ");
                return Err(StoreError::Invalid(format!(
                    "草案的单位类型为 {list}，本次考核的单位“{name}”是“{kind}”：请先改草案的单位类型"
                )));
            }
        }
        let old = sqlx::query(
            "SELECT rubric_id, rubric_version, rubric_sha256 FROM assessments WHERE id = $1",
        )
        .bind(assessment)
        .fetch_one(&mut *tx)
        .await?;
        let old = serde_json::json!({
            "rubric": old.get::<String, _>("rubric_id"),
            "version": old.get::<String, _>("rubric_version"),
            "sha256": old.get::<String, _>("rubric_sha256"),
        })
        .to_string();
        sqlx::query("UPDATE assessments SET rubric_id = $1, rubric_version = $2, rubric_sha256 = $3, rubric_toml = $4 WHERE id = $5")
            .bind(&r.id)
            .bind(&r.version)
            .bind(&r.sha256)
            .bind(&toml)
            .bind(assessment)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE rubric_drafts SET effective_at = $1 WHERE id = $2")
            .bind(now)
            .bind(draft)
            .execute(&mut *tx)
            .await?;
        let new = serde_json::json!({ "draft": draft, "rubric": r.id, "version": r.version, "sha256": r.sha256 })
            .to_string();
        self.audit(
            &mut tx,
            now,
            &by.login,
            "rubric.effective",
            &format!("assessment/{assessment}"),
            Some(&old),
            Some(&new),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}
