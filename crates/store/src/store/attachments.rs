//! 佐证材料 on objections and findings, and any evidence file removed or replaced before its stage
//! closes: a clause's 自评 evidence until 自评 closes (by the unit's reporter; an assessor's clause
//! evidence until 考核 closes, by the unit's assessor or the admin), an objection's files while 公示
//! is open and the objection undecided (the unit's reporter), a finding's photos and files until 考核
//! closes (the unit's assessor or the admin). Each check is made under the write lock; each removal
//! and replacement is an audit entry (`evidence.remove`, `evidence.replace`) written with it.

use super::*;

/// A file as it was sent: the name the user gave (kept for display only) and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// What an evidence file is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attach<'a> {
    /// A clause of the unit (自评 evidence, or an assessor's in 考核).
    Clause(&'a str),
    /// An objection (异议) of the unit, in 公示.
    Objection(i64),
    /// A finding (问题记录) of the unit, in 考核: a photo on site or any file.
    Finding(i64),
}

/// An evidence link read under the lock: its clause, what it is attached to, the file's name and
/// whether a reporter uploaded it.
struct Link {
    clause: String,
    to: Owner,
    name: String,
    sha: String,
    by_reporter: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Clause,
    Objection(i64),
    Finding(i64),
}

/// The size and type check of an upload, in Chinese.
fn checked(up: &Upload<'_>) -> Result<&'static str> {
    if up.bytes.is_empty() {
        return Err(StoreError::Invalid(format!(
            "文件“{}”是空的，请重新选择",
            up.name
        )));
    }
    if up.bytes.len() > crate::evidence::MAX_BYTES {
        return Err(StoreError::Invalid(format!(
            "文件“{}”过大：{:.1} MB，上限 {} MB",
            up.name,
            up.bytes.len() as f64 / 1_048_576.0,
            crate::evidence::MAX_BYTES / 1_048_576
        )));
    }
    crate::evidence::check(up.bytes).map_err(|why| {
        StoreError::Unsupported(format!(
            "文件“{}”不能作为佐证材料：{why}。请上传 PDF、图片（PNG/JPEG/GIF/WebP）、Word/Excel/PowerPoint 或 OFD 文件",
            up.name
        ))
    })
}

impl Store {
    /// Stores `up` and links it to `to` of `unit` inside `tx` (the caller has checked who and when),
    /// with its `evidence.add` audit entry. The file is written before the rows (a row never names
    /// a missing file).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn link_file_in(
        &self,
        tx: &mut sqlx::AnyConnection,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        to: Attach<'_>,
        up: &Upload<'_>,
        now: &str,
    ) -> Result<EvidenceRef> {
        let mime = checked(up)?;
        let sha: String = {
            use sha2::{Digest, Sha256};
            Sha256::digest(up.bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        self.write_evidence_file(&sha, up.bytes)?;
        let name: String = up
            .name
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let name = if name.trim().is_empty() {
            "未命名".to_string()
        } else {
            name
        };
        let taken_at = (mime == "image/jpeg")
            .then(|| crate::exif::taken_at(up.bytes))
            .flatten();
        let (objection, finding) = match to {
            Attach::Clause(_) => (None, None),
            Attach::Objection(o) => (Some(o), None),
            Attach::Finding(f) => (None, Some(f)),
        };
        sqlx::query(
            "INSERT INTO evidence (sha256, size, mime, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(&sha)
        .bind(up.bytes.len() as i64)
        .bind(mime)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO evidence_links (assessment_id, unit_code, clause_id, sha256, original_name, uploaded_by, uploaded_at, objection_id, finding_id, taken_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(&sha)
            .bind(&name)
            .bind(by.id)
            .bind(now)
            .bind(objection)
            .bind(finding)
            .bind(&taken_at)
            .fetch_one(&mut *tx)
            .await?;
        self.audit(
            tx,
            now,
            &by.login,
            "evidence.add",
            &format!(
                "{}/evidence/{sha}",
                owner_entity(assessment, unit, clause, to)
            ),
            None,
            Some(&name),
            None,
        )
        .await?;
        Ok(EvidenceRef {
            id,
            sha256: sha,
            mime: mime.into(),
            size: up.bytes.len() as i64,
            original_name: name,
            clause_id: clause.into(),
            uploaded_by: by.name.clone(),
            uploaded_at: now.into(),
            objection_id: objection,
            finding_id: finding,
            taken_at,
        })
    }

    /// Adds a file to an objection or a finding of `unit`, or — with `replace` naming one of its
    /// files — puts it in that file's place (audited as `evidence.replace`, old name → new). Who
    /// and when: see the module's documentation; checked under the write lock.
    #[allow(clippy::too_many_arguments)]
    pub async fn attach_evidence(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        to: Attach<'_>,
        up: &Upload<'_>,
        replace: Option<i64>,
        now: &str,
    ) -> Result<EvidenceRef> {
        let a = self.assessment(assessment).await?;
        let mut tx = self.write().await?;
        let owner = match to {
            Attach::Clause(_) => Owner::Clause,
            Attach::Objection(o) => Owner::Objection(o),
            Attach::Finding(f) => Owner::Finding(f),
        };
        let clause = match to {
            Attach::Clause(c) => {
                if a.rubric.clause(c).is_none() {
                    return Err(StoreError::Invalid(format!("细则中没有条款“{c}”")));
                }
                c.to_string()
            }
            Attach::Objection(o) => Self::open_objection_in(&mut tx, assessment, unit, o).await?,
            Attach::Finding(f) => Self::hand_finding_in(&mut tx, assessment, unit, f).await?,
        };
        // The file replaced must be this one's own, of the same side.
        let old = match replace {
            Some(link) => {
                let l = Self::link_in(&mut tx, assessment, unit, link).await?;
                if l.to != owner || l.clause != clause {
                    return Err(StoreError::Invalid(
                        "要替换的文件不属于这一项，请刷新页面后重试".into(),
                    ));
                }
                Some((link, l))
            }
            None => None,
        };
        self.may_change_files_in(
            &mut tx,
            by,
            assessment,
            unit,
            owner,
            old.as_ref().map(|o| &o.1),
            now,
        )
        .await?;
        if let Some((link, _)) = &old {
            sqlx::query("DELETE FROM evidence_links WHERE id = $1")
                .bind(link)
                .execute(&mut *tx)
                .await?;
        }
        // A plain clause file added here is audited as any other `evidence.add`.
        let saved = self
            .link_file_in(&mut tx, by, assessment, unit, &clause, to, up, now)
            .await?;
        if let Some((link, l)) = old {
            self.audit(
                &mut tx,
                now,
                &by.login,
                "evidence.replace",
                &format!(
                    "{}/evidence/{}",
                    owner_entity(assessment, unit, &clause, to),
                    l.sha
                ),
                Some(&l.name),
                Some(&saved.original_name),
                Some(&format!("替换第 {link} 号文件")),
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(saved)
    }

    /// Removes one evidence file of `unit` (the link: the stored bytes stay, named by the audit
    /// log's `evidence.remove` entry). Who and when: see the module's documentation.
    pub async fn remove_evidence(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        link: i64,
        now: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let l = Self::link_in(&mut tx, assessment, unit, link).await?;
        match l.to {
            Owner::Clause => {}
            Owner::Objection(o) => {
                Self::open_objection_in(&mut tx, assessment, unit, o).await?;
            }
            Owner::Finding(f) => {
                Self::hand_finding_in(&mut tx, assessment, unit, f).await?;
            }
        }
        self.may_change_files_in(&mut tx, by, assessment, unit, l.to, Some(&l), now)
            .await?;
        sqlx::query("DELETE FROM evidence_links WHERE id = $1")
            .bind(link)
            .execute(&mut *tx)
            .await?;
        let to = match l.to {
            Owner::Clause => Attach::Clause(&l.clause),
            Owner::Objection(o) => Attach::Objection(o),
            Owner::Finding(f) => Attach::Finding(f),
        };
        self.audit(
            &mut tx,
            now,
            &by.login,
            "evidence.remove",
            &format!(
                "{}/evidence/{}",
                owner_entity(assessment, unit, &l.clause, to),
                l.sha
            ),
            Some(&l.name),
            None,
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Whether `by` may add, remove or replace files of `owner` now (`old`: the file removed or
    /// replaced), with the stage named in Chinese when it has closed.
    #[allow(clippy::too_many_arguments)]
    async fn may_change_files_in(
        &self,
        tx: &mut sqlx::AnyConnection,
        by: &User,
        assessment: i64,
        unit: &str,
        owner: Owner,
        old: Option<&Link>,
        now: &str,
    ) -> Result<()> {
        let stage = Self::stage_in(tx, assessment).await?;
        let reporter = by.role == Role::Reporter;
        let (action, open, what) = match owner {
            Owner::Clause if reporter => (
                Action::SelfAssess,
                Stage::SelfAssessment,
                "自评佐证材料只能在自评阶段删除或替换",
            ),
            Owner::Clause => (
                Action::Score,
                Stage::Review,
                "考核组上传的条款材料只能在考核阶段删除或替换",
            ),
            Owner::Objection(_) => (
                Action::Object,
                Stage::Publication,
                "异议所附材料只能在公示期内添加、删除或替换",
            ),
            Owner::Finding(_) => (
                Action::Score,
                Stage::Review,
                "问题记录的照片和材料只能在考核阶段添加、删除或替换",
            ),
        };
        if let Some(l) = old
            && l.by_reporter != reporter
        {
            return Err(StoreError::Forbidden(if l.by_reporter {
                "这份材料由被考核单位上传，考核组不能删除或替换".into()
            } else {
                "这份材料由考核组上传，单位不能删除或替换".into()
            }));
        }
        let assigned = Self::assigned_in(tx, assessment, by, unit).await?;
        // Who first (a wrong person learns nothing of the stage), then when.
        policy::check(by, action, open, Some(unit), assigned).map_err(StoreError::Forbidden)?;
        if stage != open {
            return Err(StoreError::Forbidden(format!(
                "当前为“{}”阶段，{what}",
                stage.label()
            )));
        }
        if action == Action::SelfAssess {
            Self::check_self_deadline(tx, assessment, now).await?;
            Self::check_not_submitted(tx, assessment, unit).await?;
        }
        if action == Action::Object
            && let Some(d) = Self::dates_in(tx, assessment).await?.publication_closes
            && kaohe_core::time::beijing_date(now).is_some_and(|today| today > d)
        {
            return Err(StoreError::Forbidden(format!(
                "公示期已于 {d}（北京时间当日 24 时）结束，异议所附材料不能再添加、删除或替换"
            )));
        }
        Ok(())
    }

    /// An evidence link of `unit`, read under the lock.
    async fn link_in(
        tx: &mut sqlx::AnyConnection,
        assessment: i64,
        unit: &str,
        link: i64,
    ) -> Result<Link> {
        let r = sqlx::query("SELECT l.clause_id, l.objection_id, l.finding_id, l.original_name, l.sha256, u.role FROM evidence_links l JOIN users u ON u.id = l.uploaded_by WHERE l.id = $1 AND l.assessment_id = $2 AND l.unit_code = $3")
            .bind(link)
            .bind(assessment)
            .bind(unit)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound("没有这份材料（可能已被删除），请刷新页面".into()))?;
        let to = match (
            r.get::<Option<i64>, _>("objection_id"),
            r.get::<Option<i64>, _>("finding_id"),
        ) {
            (Some(o), _) => Owner::Objection(o),
            (None, Some(f)) => Owner::Finding(f),
            (None, None) => Owner::Clause,
        };
        Ok(Link {
            clause: r.get("clause_id"),
            to,
            name: r.get("original_name"),
            sha: r.get("sha256"),
            by_reporter: r.get::<String, _>("role") == Role::Reporter.key(),
        })
    }

    /// The clause of an undecided objection of `unit`, read under the lock.
    async fn open_objection_in(
        tx: &mut sqlx::AnyConnection,
        assessment: i64,
        unit: &str,
        objection: i64,
    ) -> Result<String> {
        let r = sqlx::query("SELECT clause_id, status FROM objections WHERE id = $1 AND assessment_id = $2 AND unit_code = $3")
            .bind(objection)
            .bind(assessment)
            .bind(unit)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("单位 {unit} 没有这条异议")))?;
        if r.get::<String, _>("status") != "open" {
            return Err(StoreError::Invalid(
                "这条异议已处理，所附材料不能再添加、删除或替换".into(),
            ));
        }
        Ok(r.get("clause_id"))
    }

    /// The clause of a finding of `unit` recorded by hand, read under the lock.
    async fn hand_finding_in(
        tx: &mut sqlx::AnyConnection,
        assessment: i64,
        unit: &str,
        finding: i64,
    ) -> Result<String> {
        let r = sqlx::query("SELECT clause_id, import_id FROM findings WHERE id = $1 AND assessment_id = $2 AND unit_code = $3")
            .bind(finding)
            .bind(assessment)
            .bind(unit)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("单位 {unit} 没有这条问题记录")))?;
        if r.get::<Option<i64>, _>("import_id").is_some() {
            return Err(StoreError::Invalid(
                "平台数据导入的问题记录不附照片或材料".into(),
            ));
        }
        Ok(r.get("clause_id"))
    }
}

/// The audit entity of what a file is attached to.
fn owner_entity(assessment: i64, unit: &str, clause: &str, to: Attach<'_>) -> String {
    let base = format!("assessment/{assessment}/unit/{unit}/clause/{clause}");
    match to {
        Attach::Clause(_) => base,
        Attach::Objection(o) => format!("{base}/objection/{o}"),
        Attach::Finding(f) => format!("{base}/finding/{f}"),
    }
}
