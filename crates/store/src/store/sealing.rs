//! 定档与更正 — sealing the result at 定档, corrections after it, and serving a sealed version only when it
//! matches the audit entry that sealed it.

use super::*;

/// A sealed result version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sealed {
    pub version: i64,
    pub sha256: String,
    pub reason: String,
    pub sealed_by: String,
    pub sealed_at: String,
    /// The SM2 signature (hex of r ‖ s) of the result's canonical JSON ([`crate::seal`]); `None` for
    /// a version sealed before signatures (migration 0014).
    pub signature: Option<String>,
    /// The public key (hex, SEC 1 uncompressed) the signature is checked with.
    pub public_key: Option<String>,
}

/// 封存签名 as served with a sealed version: what `kaohe verify` checks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Seal {
    /// `SM2-SM3`.
    pub algorithm: &'static str,
    /// The signer's ID, `1234567812345678` (GB/T 35276).
    pub user_id: &'static str,
    /// The public key, hex (SEC 1 uncompressed, `04 ‖ x ‖ y`).
    pub public_key: String,
    /// Its fingerprint as the 考核反馈单 prints it.
    pub fingerprint: String,
    /// Hex of r ‖ s over the canonical JSON of the result without this `seal` member.
    pub signature: String,
    /// The sealed version.
    pub version: i64,
}

/// The sha256 a 定档 or 更正 audit entry records for the result it sealed.
pub(crate) fn sealed_sha_of(e: &Entry) -> Option<&str> {
    let new = e.new.as_deref()?;
    match e.action.as_str() {
        "stage.finalize" => new.strip_prefix("final sha256="),
        "result.correct" => Some(new),
        _ => None,
    }
}

impl Store {
    /// 定档: moves 公示 → 定档 and seals the result as version 1, with its sha256 — in one transaction.
    /// The result is made by `result` (the caller scores with kaohe-core; the store scores nothing)
    /// from the inputs as they are *under the write lock*, after the open objections were counted
    /// there: no change can land between what was checked, what was scored and what is sealed. An
    /// open objection refuses it, naming the unit and clause; unfinished work refuses it unless the
    /// `gate` was overridden with a reason (then the sealed result carries the note).
    pub async fn finalize(
        &self,
        by: &User,
        assessment: i64,
        why: &str,
        now: &str,
        gate: Gate<'_>,
        result: impl FnOnce(&Assessment, &kaohe_core::Inputs) -> String,
    ) -> Result<Sealed> {
        let Change { mut tx, stage, .. } = self
            .change(by, assessment, None, |_| Action::AdvanceStage)
            .await?;
        if stage != Stage::Publication {
            return Err(StoreError::Invalid(format!(
                "只能在“公示”阶段定档，当前为“{}”",
                stage.label()
            )));
        }
        let open = sqlx::query("SELECT o.unit_code, u.name AS unit_name, o.clause_id FROM objections o LEFT JOIN units u ON u.assessment_id = o.assessment_id AND u.code = o.unit_code WHERE o.assessment_id = $1 AND o.status = 'open' ORDER BY o.id")
            .bind(assessment)
            .fetch_all(&mut *tx)
            .await?;
        if !open.is_empty() {
            let list: Vec<String> = open
                .iter()
                .map(|r| {
                    let name: Option<String> = r.get("unit_name");
                    let code: String = r.get("unit_code");
                    let clause: String = r.get("clause_id");
                    format!("{} 条款 {clause}", name.unwrap_or(code))
                })
                .collect();
            return Err(StoreError::Invalid(format!(
                "还有 {} 件异议未处理，不能定档：{}",
                open.len(),
                list.join("、")
            )));
        }
        let note = self
            .pass_gate(&mut tx, by, assessment, Stage::Final, now, gate)
            .await?;
        let json = self.result_under_lock(assessment, note, result).await?;
        let n = sqlx::query(
            "UPDATE assessments SET stage = 'final' WHERE id = $1 AND stage = 'publication'",
        )
        .bind(assessment)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Invalid("阶段已被他人改变，请刷新".into()));
        }
        let sealed = self
            .seal_in(&mut tx, by, assessment, 1, &json, why, now)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "stage.finalize",
            &format!("assessment/{assessment}"),
            Some("publication"),
            Some(&format!("final sha256={}", sealed.sha256)),
            Some(why),
        )
        .await?;
        self.commit(tx).await?;
        Ok(sealed)
    }

    /// 更正: after 定档, seals a new version of the result with the reason (admin), made by `result`
    /// from the inputs under the write lock (see [`Store::finalize`]).
    pub async fn correct(
        &self,
        by: &User,
        assessment: i64,
        reason: &str,
        now: &str,
        result: impl FnOnce(&Assessment, &kaohe_core::Inputs) -> String,
    ) -> Result<Sealed> {
        let Change { mut tx, .. } = self
            .change(by, assessment, None, |_| Action::Correct)
            .await?;
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("定档后的更正须写明理由".into()));
        }
        let json = self.result_under_lock(assessment, None, result).await?;
        let last: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM results WHERE assessment_id = $1",
        )
        .bind(assessment)
        .fetch_one(&mut *tx)
        .await?;
        let sealed = self
            .seal_in(&mut tx, by, assessment, last + 1, &json, reason.trim(), now)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "result.correct",
            &format!("assessment/{assessment}/result/{}", sealed.version),
            None,
            Some(&sealed.sha256),
            Some(reason.trim()),
        )
        .await?;
        self.commit(tx).await?;
        Ok(sealed)
    }

    /// The result `result` makes of the assessment and its inputs as they are now. Called while the
    /// caller holds the write lock: no writer can commit meanwhile, so what the pool reads is the
    /// state under the lock.
    async fn result_under_lock(
        &self,
        assessment: i64,
        note: Option<String>,
        result: impl FnOnce(&Assessment, &kaohe_core::Inputs) -> String,
    ) -> Result<String> {
        let mut a = self.assessment(assessment).await?;
        // A note made by this very change (not yet committed) is the one the result carries.
        if note.is_some() {
            a.incomplete_note = note;
        }
        let inputs = self.inputs(assessment).await?;
        Ok(result(&a, &inputs))
    }

    /// Writes a sealed version with its sha256 and its SM2 signature over the canonical JSON.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn seal_in(
        &self,
        tx: &mut sqlx::AnyConnection,
        by: &User,
        assessment: i64,
        version: i64,
        json: &str,
        reason: &str,
        now: &str,
    ) -> Result<Sealed> {
        let sha = sha256_hex(json);
        let canonical = crate::seal::canonical_text(json)
            .ok_or_else(|| StoreError::Invalid("要封存的结果不是有效的 JSON".into()))?;
        let signature = self.seal.sign(canonical.as_bytes());
        let public_key = self.seal.public_hex();
        sqlx::query("INSERT INTO results (assessment_id, version, sha256, json, reason, sealed_by, sealed_at, signature, public_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(assessment)
            .bind(version)
            .bind(&sha)
            .bind(json)
            .bind(reason)
            .bind(by.id)
            .bind(now)
            .bind(&signature)
            .bind(&public_key)
            .execute(&mut *tx)
            .await?;
        Ok(Sealed {
            version,
            sha256: sha,
            reason: reason.into(),
            sealed_by: by.name.clone(),
            sealed_at: now.into(),
            signature: Some(signature),
            public_key: Some(public_key),
        })
    }

    /// The sealed versions of a result.
    pub async fn sealed(&self, assessment: i64) -> Result<Vec<Sealed>> {
        let rows = sqlx::query("SELECT r.version, r.sha256, r.reason, u.name AS by_name, r.sealed_at, r.signature, r.public_key FROM results r JOIN users u ON u.id = r.sealed_by WHERE r.assessment_id = $1 ORDER BY r.version").bind(assessment).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| Sealed {
                version: r.get("version"),
                sha256: r.get("sha256"),
                reason: r.get("reason"),
                sealed_by: r.get("by_name"),
                sealed_at: r.get("sealed_at"),
                signature: r.get("signature"),
                public_key: r.get("public_key"),
            })
            .collect())
    }

    /// The JSON of a sealed version, checked before it is served: against its sha256, and that sha256
    /// against the audit entry that sealed it (定档 for version 1, 更正 for later ones), whose own
    /// HMAC must hold — so a result edited in the table together with its stored hash is refused.
    pub async fn sealed_json(&self, assessment: i64, version: i64) -> Result<String> {
        Ok(self.sealed_signed(assessment, version).await?.0)
    }

    /// [`Store::sealed_json`] with its [`Seal`] (`None` for a version sealed before signatures). The
    /// signature is checked too: one that does not hold under its stored public key is `Tampered`.
    pub async fn sealed_signed(
        &self,
        assessment: i64,
        version: i64,
    ) -> Result<(String, Option<Seal>)> {
        let r = sqlx::query(
            "SELECT json, sha256, signature, public_key FROM results WHERE assessment_id = $1 AND version = $2",
        )
        .bind(assessment)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("没有第 {version} 版定档结果")))?;
        let (json, sha): (String, String) = (r.get("json"), r.get("sha256"));
        if sha256_hex(&json) != sha {
            return Err(StoreError::Tampered(format!(
                "第 {version} 版定档结果与其 sha256 不符：数据被改动"
            )));
        }
        let sealed_sha = self.sealed_sha_in_audit(assessment, version).await?;
        if sealed_sha.as_deref() != Some(sha.as_str()) {
            return Err(StoreError::Tampered(format!(
                "第 {version} 版定档结果与审计日志中定档时记下的哈希不符：结果被改动"
            )));
        }
        let seal = match (
            r.get::<Option<String>, _>("signature"),
            r.get::<Option<String>, _>("public_key"),
        ) {
            (Some(signature), Some(public_key)) => {
                let canonical = crate::seal::canonical_text(&json).ok_or_else(|| {
                    StoreError::Corrupt(format!("第 {version} 版定档结果不是有效的 JSON"))
                })?;
                if let Err(e) = crate::seal::verify(&public_key, &signature, canonical.as_bytes()) {
                    return Err(StoreError::Tampered(format!(
                        "第 {version} 版定档结果的 SM2 签名不成立（{e}）：结果或签名被改动"
                    )));
                }
                Some(Seal {
                    algorithm: crate::seal::ALGORITHM,
                    user_id: crate::seal::USER_ID,
                    fingerprint: crate::seal::fingerprint(&public_key).unwrap_or_default(),
                    public_key,
                    signature,
                    version,
                })
            }
            (None, None) => None,
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "第 {version} 版定档结果只有签名或公钥之一"
                )));
            }
        };
        Ok((json, seal))
    }

    /// The sha256 that the audit log records for sealed version `version` — from an entry whose
    /// HMAC holds under the key — or `None` when there is no such entry.
    pub(super) async fn sealed_sha_in_audit(
        &self,
        assessment: i64,
        version: i64,
    ) -> Result<Option<String>> {
        let (entity, action) = if version == 1 {
            (format!("assessment/{assessment}"), "stage.finalize")
        } else {
            (
                format!("assessment/{assessment}/result/{version}"),
                "result.correct",
            )
        };
        let entries = sqlx::query_as::<_, Entry>("SELECT seq, at, actor, action, entity, old, new, why, prev_hash, hash FROM audit_log WHERE entity = $1 AND action = $2 ORDER BY seq")
            .bind(&entity)
            .bind(action)
            .fetch_all(&self.pool)
            .await?;
        Ok(entries
            .iter()
            .filter(|e| self.key.authentic(e))
            .filter_map(|e| sealed_sha_of(e).map(str::to_string))
            .next_back())
    }
}
