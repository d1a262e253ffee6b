//! 佐证材料 (store side) — evidence files stored by content hash and linked to a unit's clause.

use super::*;

/// A stored evidence file linked to a clause.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EvidenceRef {
    /// The link's number (what removing or replacing it names).
    pub id: i64,
    pub sha256: String,
    pub mime: String,
    pub size: i64,
    pub original_name: String,
    pub clause_id: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    /// The objection it was filed with (公示), if any.
    pub objection_id: Option<i64>,
    /// The finding it documents (考核; a photo on site), if any.
    pub finding_id: Option<i64>,
    /// 拍摄时间: a photo's own EXIF DateTimeOriginal (camera time, `YYYY-MM-DD HH:MM:SS`), if it has one.
    pub taken_at: Option<String>,
}

impl Store {
    pub(super) fn evidence_path(&self, sha: &str) -> PathBuf {
        self.dir.join("evidence").join(&sha[..2]).join(sha)
    }

    /// This store with the SM4 key that evidence files are written with from now on (and read
    /// with); files stored before it stay plain and still read.
    pub fn with_data_key(mut self, key: Option<crate::datakey::DataKey>) -> Store {
        self.data_key = key.map(Arc::new);
        self
    }

    /// Writes an evidence file named by the sha256 of `bytes` unless it is there: to a temporary
    /// name, then renamed — encrypted with SM4-GCM when a data key is configured.
    pub(super) fn write_evidence_file(&self, sha: &str, bytes: &[u8]) -> Result<()> {
        let path = self.evidence_path(sha);
        if path.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(path.parent().expect("a parent"))?;
        let tmp = path.with_extension("partial");
        match &self.data_key {
            Some(k) => std::fs::write(&tmp, k.encrypt(sha, bytes).map_err(StoreError::Invalid)?)?,
            None => std::fs::write(&tmp, bytes)?,
        }
        std::fs::rename(&tmp, &path)?;
        Ok(())
    }

    /// An evidence file's content, decrypted when it was stored encrypted, and only when it is the
    /// content its name (the sha256) says: anything else is `Tampered` (完整性校验失败), never served.
    pub(super) fn read_evidence_file(&self, sha: &str) -> Result<Vec<u8>> {
        let file = std::fs::read(self.evidence_path(sha))?;
        let bytes = if crate::datakey::is_encrypted(&file) {
            let Some(k) = &self.data_key else {
                return Err(StoreError::Unconfigured(crate::datakey::missing_key(
                    "佐证材料",
                )));
            };
            k.decrypt(sha, &file).map_err(|e| {
                StoreError::Tampered(format!("佐证材料 {} 解密失败（{e}）", &sha[..12]))
            })?
        } else {
            file
        };
        let actual: String = {
            use sha2::{Digest, Sha256};
            Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        if !actual.eq_ignore_ascii_case(sha) {
            return Err(StoreError::Tampered(format!(
                "佐证材料 {} 的内容与其 sha256 不符：文件被改动",
                &sha[..12]
            )));
        }
        Ok(bytes)
    }

    /// Stores an evidence file for a clause of a unit. Who: the unit's reporter in 自评 and 公示;
    /// an assigned assessor or an admin in 考核 and 公示.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_evidence(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        original_name: &str,
        bytes: &[u8],
        now: &str,
    ) -> Result<EvidenceRef> {
        let a = self.assessment(assessment).await?;
        // What adding evidence counts as depends on the stage, read under the lock.
        let Change { mut tx, action, .. } = self
            .change(by, assessment, Some(unit), |stage| {
                policy::evidence_action(by, stage)
            })
            .await?;
        if action == Action::SelfAssess {
            Self::check_self_deadline(&mut tx, assessment, now).await?;
            Self::check_not_submitted(&mut tx, assessment, unit).await?;
        }
        if a.rubric.clause(clause).is_none() {
            return Err(StoreError::Invalid(format!("细则中没有条款“{clause}”")));
        }
        if bytes.len() > crate::evidence::MAX_BYTES {
            return Err(StoreError::Invalid(format!(
                "文件过大：{:.1} MB，上限 {} MB",
                bytes.len() as f64 / 1_048_576.0,
                crate::evidence::MAX_BYTES / 1_048_576
            )));
        }
        let mime = crate::evidence::sniff(bytes).ok_or_else(|| StoreError::Unsupported("不支持的文件类型：请上传 PDF、图片（PNG/JPEG/GIF/WebP）、Word/Excel/PowerPoint 或 OFD 文件（按文件内容判断，与文件名无关）".into()))?;
        let sha: String = {
            use sha2::{Digest, Sha256};
            Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        // The file first (written to a temporary name, then renamed), the rows after: a row never
        // names a missing file.
        self.write_evidence_file(&sha, bytes)?;
        let name: String = original_name
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        sqlx::query(
            "INSERT INTO evidence (sha256, size, mime, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(&sha)
        .bind(bytes.len() as i64)
        .bind(mime)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO evidence_links (assessment_id, unit_code, clause_id, sha256, original_name, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(&sha)
            .bind(&name)
            .bind(by.id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "evidence.add",
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/evidence/{sha}"),
            None,
            Some(&name),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(EvidenceRef {
            id,
            sha256: sha,
            mime: mime.into(),
            size: bytes.len() as i64,
            original_name: name,
            clause_id: clause.into(),
            uploaded_by: by.name.clone(),
            uploaded_at: now.into(),
            objection_id: None,
            finding_id: None,
            taken_at: None,
        })
    }

    /// The evidence of a unit, for who may read it ([`Read::Evidence`]): the clauses' own, the
    /// objections', and — for who may read the unit's findings now ([`Read::Findings`]) — the
    /// findings' photos and files.
    pub async fn evidence(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
    ) -> Result<Vec<EvidenceRef>> {
        self.check_read(by, assessment, Read::Evidence, unit)
            .await?;
        let findings = self
            .check_read(by, assessment, Read::Findings, unit)
            .await
            .is_ok();
        let rows = sqlx::query("SELECT l.id, l.sha256, e.mime, e.size, l.original_name, l.clause_id, u.name AS by_name, u.login AS by_login, l.uploaded_at, l.objection_id, l.finding_id, l.taken_at FROM evidence_links l JOIN evidence e ON e.sha256 = l.sha256 JOIN users u ON u.id = l.uploaded_by WHERE l.assessment_id = $1 AND l.unit_code = $2 ORDER BY l.id")
            .bind(assessment)
            .bind(unit)
            .fetch_all(&self.pool)
            .await?;
        let all = rows
            .iter()
            .map(|r| {
                Ok(EvidenceRef {
                    id: r.get("id"),
                    sha256: r.get("sha256"),
                    mime: r.get("mime"),
                    size: r.get("size"),
                    original_name: r.get("original_name"),
                    clause_id: r.get("clause_id"),
                    uploaded_by: self
                        .name_from_store(&r.get::<String, _>("by_login"), r.get("by_name"))?,
                    uploaded_at: r.get("uploaded_at"),
                    objection_id: r.get("objection_id"),
                    finding_id: r.get("finding_id"),
                    taken_at: r.get("taken_at"),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(all
            .into_iter()
            .filter(|e| findings || e.finding_id.is_none())
            .collect())
    }

    /// An evidence file's bytes, type and a name to offer — if `by` may read a unit it is linked to.
    pub async fn evidence_file(&self, by: &User, sha: &str) -> Result<(Vec<u8>, String, String)> {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound("没有这个文件".into()));
        }
        let links = sqlx::query("SELECT l.assessment_id, l.unit_code, l.original_name, l.finding_id, e.mime FROM evidence_links l JOIN evidence e ON e.sha256 = l.sha256 WHERE l.sha256 = $1").bind(sha).fetch_all(&self.pool).await?;
        let mut readable = None;
        for r in &links {
            let unit = r.get::<&str, _>("unit_code");
            // A finding's photo only for who may read the unit's findings in its stage.
            let ok = match r.get::<Option<i64>, _>("finding_id") {
                None => Self::may_read_unit(by, unit),
                Some(_) => self
                    .check_read(by, r.get("assessment_id"), Read::Findings, unit)
                    .await
                    .is_ok(),
            };
            if ok {
                readable = Some(r);
                break;
            }
        }
        let Some(r) = readable else {
            return Err(if links.is_empty() {
                StoreError::NotFound("没有这个文件".into())
            } else {
                StoreError::Forbidden("无权查看该佐证材料".into())
            });
        };
        let bytes = self.read_evidence_file(sha)?;
        Ok((bytes, r.get("mime"), r.get("original_name")))
    }
}
