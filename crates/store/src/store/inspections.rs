//! 检查记录 — who inspected a unit on a clause that requires an inspection record (`inspection =
//! "required"`), and on which day. With a record and no findings the clause is full marks; without
//! one it is missing (未检查). Recorded and removed like findings: the unit's assigned assessor or the
//! admin, in 考核, each change checked and audited inside its write transaction.

use super::*;
use kaohe_core::Date;

/// 检查记录 as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Inspection {
    pub id: i64,
    pub clause_id: String,
    /// 检查人: the name of the account that recorded it.
    pub inspector: String,
    /// 检查日期 (a civil date as stated, `YYYY-MM-DD`).
    pub date: String,
    /// 说明 (may be empty).
    pub note: String,
    /// When it was recorded (ISO 8601 UTC, as the service gave it).
    pub recorded_at: String,
}

use kaohe_core::time::beijing_date;

/// What the audit entry of a record holds (and the replay reads back).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct InspectionAudit {
    pub(crate) date: String,
    pub(crate) note: String,
}

impl Store {
    /// Records that `by` inspected `unit` on `clause` on `date` (考核; the unit's assigned assessor
    /// or admin). Refused: a clause that does not require an inspection record, a date after today
    /// (Beijing time of `now`) or before the assessment's year, the same record twice.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_inspection(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        date: Date,
        note: &str,
        now: &str,
    ) -> Result<i64> {
        let a = self.assessment(assessment).await?;
        let Change { mut tx, .. } = self
            .change(by, assessment, Some(unit), |_| Action::Score)
            .await?;
        Self::unit_in(&mut tx, assessment, unit).await?;
        let c = a
            .rubric
            .clause(clause)
            .ok_or_else(|| StoreError::Invalid(format!("细则中没有条款“{clause}”")))?;
        if !c.rule.counting().inspection {
            return Err(StoreError::Invalid(format!(
                "条款 {clause} 不要求检查记录：细则未写 inspection = \"required\""
            )));
        }
        let today = beijing_date(now).ok_or_else(|| {
            StoreError::Invalid(format!("当前时间“{now}”无法识别（应为 ISO 8601 时间）"))
        })?;
        if date > today {
            return Err(StoreError::Invalid(format!(
                "检查日期 {date} 晚于今天（{today}）：不能记录尚未进行的检查"
            )));
        }
        let start = Date::from_ymd(a.year as i32, 1, 1)
            .ok_or_else(|| StoreError::Corrupt(format!("考核 {assessment} 的年度 {}", a.year)))?;
        if date < start {
            return Err(StoreError::Invalid(format!(
                "检查日期 {date} 早于考核年度 {} 年：应在 {start} 到 {today} 之间",
                a.year
            )));
        }
        let date_text = date.to_string();
        let same: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inspections WHERE assessment_id = $1 AND unit_code = $2 AND clause_id = $3 AND inspected_by = $4 AND inspected_on = $5")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(by.id)
            .bind(&date_text)
            .fetch_one(&mut *tx)
            .await?;
        if same > 0 {
            return Err(StoreError::Invalid(format!(
                "{} 已记录过 {date_text} 对条款 {clause} 的检查，不必重复记录",
                by.name
            )));
        }
        let note = note.trim();
        let id: i64 = sqlx::query_scalar("INSERT INTO inspections (assessment_id, unit_code, clause_id, inspected_by, inspected_on, recorded_at, note) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(by.id)
            .bind(&date_text)
            .bind(now)
            .bind(note)
            .fetch_one(&mut *tx)
            .await?;
        let new = serde_json::to_string(&InspectionAudit {
            date: date_text,
            note: note.to_string(),
        })
        .expect("serialisable");
        self.audit(
            &mut tx,
            now,
            &by.login,
            "inspection.add",
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/inspection/{id}"),
            None,
            Some(&new),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// Removes an inspection record (考核; the unit's assigned assessor or admin), with the reason;
    /// the audit log keeps what it said. The clause is then 未检查 again unless another record stands.
    pub async fn remove_inspection(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        inspection: i64,
        reason: &str,
        now: &str,
    ) -> Result<()> {
        let Change { mut tx, .. } = self
            .change(by, assessment, Some(unit), |_| Action::Score)
            .await?;
        let row = sqlx::query("SELECT clause_id, inspected_on, note FROM inspections WHERE assessment_id = $1 AND unit_code = $2 AND id = $3")
            .bind(assessment)
            .bind(unit)
            .bind(inspection)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("单位 {unit} 没有这条检查记录")))?;
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("撤销检查记录须填写理由".into()));
        }
        let clause: String = row.get("clause_id");
        let old = serde_json::to_string(&InspectionAudit {
            date: row.get("inspected_on"),
            note: row.get("note"),
        })
        .expect("serialisable");
        sqlx::query("DELETE FROM inspections WHERE assessment_id = $1 AND id = $2")
            .bind(assessment)
            .bind(inspection)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "inspection.remove",
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/inspection/{inspection}"),
            Some(&old),
            None,
            Some(reason.trim()),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The inspection records of a unit, in the order recorded. Read like its findings
    /// ([`Read::Findings`]).
    pub async fn inspections_of(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
    ) -> Result<Vec<Inspection>> {
        self.check_read(by, assessment, Read::Findings, unit)
            .await?;
        let rows = sqlx::query("SELECT i.id, i.clause_id, u.name AS by_name, i.inspected_on, i.note, i.recorded_at FROM inspections i JOIN users u ON u.id = i.inspected_by WHERE i.assessment_id = $1 AND i.unit_code = $2 ORDER BY i.id")
            .bind(assessment)
            .bind(unit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| Inspection {
                id: r.get("id"),
                clause_id: r.get("clause_id"),
                inspector: r.get("by_name"),
                date: r.get("inspected_on"),
                note: r.get("note"),
                recorded_at: r.get("recorded_at"),
            })
            .collect())
    }
}
