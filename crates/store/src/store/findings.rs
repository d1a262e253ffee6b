//! 问题记录、指标与加分 — findings recorded by hand, typed-in metric values and bonus points, with the rule
//! "one source per count".

use super::*;

/// 问题记录 (扣分事项) as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub id: i64,
    pub clause_id: String,
    pub description: String,
    /// Brought by a platform import (not withdrawn by hand; replaced by the next import).
    pub imported: bool,
    /// Who recorded it (for an import: who imported).
    pub by: String,
    pub at: String,
    /// 问题类型, for a clause whose rule lists finding types.
    pub finding_type: Option<String>,
    /// 酌情扣分 chosen in the range (canonical decimal text).
    pub points: Option<String>,
    /// 扣分理由 of the chosen points.
    pub reason: Option<String>,
}

/// A finding to record ([`Store::add_typed_finding`]): its clause and description, and — where the
/// clause's rule says so — its 问题类型, and the points chosen in a range with the reason.
#[derive(Debug, Clone, Default)]
pub struct NewFinding<'a> {
    pub clause: &'a str,
    pub description: &'a str,
    pub finding_type: Option<&'a str>,
    pub points: Option<Decimal>,
    pub reason: Option<&'a str>,
    /// Photos or files recorded with it (each checked and stored in the same transaction).
    pub files: &'a [Upload<'a>],
}

/// What the audit entry of a typed finding or one with chosen points holds (`finding.add_typed`;
/// the replay reads it back).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct TypedAudit {
    pub(crate) description: String,
    pub(crate) finding_type: Option<String>,
    pub(crate) points: Option<String>,
    pub(crate) reason: Option<String>,
}

/// The type, points and reason a finding of clause `c` must have, checked against its rule: the
/// type among the rule's types (none for an untyped clause); points inside the type's or the
/// clause's range with a reason (none for a fixed deduction). The stored (type, points, reason).
fn typed_parts(
    c: &kaohe_core::rubric::Clause,
    f: &NewFinding<'_>,
) -> Result<(Option<String>, Option<String>, Option<String>)> {
    use kaohe_core::rules::counting::Each;
    let counting = c.rule.counting();
    let ty = f.finding_type.map(str::trim).filter(|t| !t.is_empty());
    let reason = f.reason.map(str::trim).filter(|r| !r.is_empty());
    let each = if counting.types.is_empty() {
        if let Some(ty) = ty {
            return Err(StoreError::Invalid(format!(
                "条款 {} 不分问题类型，不能选“{ty}”",
                c.id
            )));
        }
        counting.range.map(Each::Range)
    } else {
        let names: Vec<&str> = counting.types.iter().map(|t| t.name.as_str()).collect();
        let Some(ty) = ty else {
            return Err(StoreError::Invalid(format!(
                "条款 {} 分问题类型扣分，请选择问题类型（{}）",
                c.id,
                names.join("、")
            )));
        };
        let Some(t) = counting.types.iter().find(|t| t.name == ty) else {
            return Err(StoreError::Invalid(format!(
                "条款 {} 没有问题类型“{ty}”：应为 {} 之一",
                c.id,
                names.join("、")
            )));
        };
        Some(t.each)
    };
    let what = ty.map_or_else(|| format!("条款 {}", c.id), |t| format!("问题类型“{t}”"));
    match (each, f.points) {
        (Some(Each::Range(r)), None) => Err(StoreError::Invalid(format!(
            "{what}酌情扣分，请填写扣分（{} 到 {} 分）和扣分理由",
            r.lo.normalize(),
            r.hi.normalize()
        ))),
        (Some(Each::Range(r)), Some(p)) if p < r.lo || p > r.hi => {
            Err(StoreError::Invalid(format!(
                "扣分 {} 超出{what}的酌情范围：应在 {} 到 {} 分之间",
                p.normalize(),
                r.lo.normalize(),
                r.hi.normalize()
            )))
        }
        (Some(Each::Range(_)), Some(_)) if reason.is_none() => Err(StoreError::Invalid(
            "酌情扣分须写明扣分理由（为何扣这个分值）".into(),
        )),
        (Some(Each::Range(_)), Some(p)) => Ok((
            ty.map(str::to_string),
            Some(p.normalize().to_string()),
            reason.map(str::to_string),
        )),
        (_, Some(_)) => Err(StoreError::Invalid(format!(
            "{what}按细则规定的分值扣分，不能自填扣分"
        ))),
        (_, None) if reason.is_some() => Err(StoreError::Invalid(format!(
            "{what}按细则规定的分值扣分，不填扣分理由（情况写在问题描述中）"
        ))),
        (_, None) => Ok((ty.map(str::to_string), None, None)),
    }
}

impl Store {
    /// Stores a metric value (admin, 考核), e.g. typed in or from an import.
    pub async fn set_metric(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        metric: &str,
        value: Decimal,
        now: &str,
    ) -> Result<()> {
        self.set_metric_checked(by, assessment, unit, metric, value, None, now)
            .await
    }

    /// Like [`Store::set_metric`], but only if the stored value is still `expected` (`Some(None)`: no
    /// value yet) — an editor's stale view gets [`StoreError::Stale`] with the current value.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_metric_checked(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        metric: &str,
        value: Decimal,
        expected: Option<Option<&str>>,
        now: &str,
    ) -> Result<()> {
        let a = self.assessment(assessment).await?;
        let Change { mut tx, .. } = self
            .change(by, assessment, None, |_| Action::Import)
            .await?;
        let Some(def) = a.rubric.metric(metric) else {
            return Err(StoreError::Invalid(format!("细则中没有指标“{metric}”")));
        };
        if let Some(expected) = def.kind.out_of_range(value) {
            return Err(StoreError::Invalid(format!(
                "{}的值 {} 超出范围：应为{expected}",
                def.name,
                value.normalize()
            )));
        }
        Self::unit_in(&mut tx, assessment, unit).await?;
        // One source per count (as in `add_finding`): a clause counting this metric whose unit already
        // has findings recorded one by one does not also take a number.
        for c in &a.rubric.clauses {
            let counts = c
                .rule
                .count_metric()
                .is_some_and(|m| m == &*def.key || m == def.name);
            if !counts {
                continue;
            }
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM findings WHERE assessment_id = $1 AND unit_code = $2 AND clause_id = $3")
                .bind(assessment)
                .bind(unit)
                .bind(&*c.id)
                .fetch_one(&mut *tx)
                .await?;
            if n > 0 {
                return Err(StoreError::Invalid(format!(
                    "单位 {unit} 条款 {} 已逐条记录 {n} 例问题，不能再给出{}数值：两种来源只能用一种",
                    c.id, def.name
                )));
            }
        }
        let old: Option<String> = sqlx::query_scalar(
            "SELECT value FROM metrics WHERE assessment_id = $1 AND unit_code = $2 AND metric = $3",
        )
        .bind(assessment)
        .bind(unit)
        .bind(metric)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(expected) = expected {
            let same = match (expected, old.as_deref()) {
                (None, None) => true,
                (Some(e), Some(o)) => Decimal::from_str(e).ok() == Decimal::from_str(o).ok(),
                _ => false,
            };
            if !same {
                return Err(StoreError::Stale(format!(
                    "该指标已被他人修改，当前值为 {}，请刷新后再改",
                    old.as_deref().unwrap_or("（无）")
                )));
            }
        }
        let v = value.normalize().to_string();
        sqlx::query("INSERT INTO metrics (assessment_id, unit_code, metric, value) VALUES ($1, $2, $3, $4) ON CONFLICT (assessment_id, unit_code, metric) DO UPDATE SET value = excluded.value")
            .bind(assessment)
            .bind(unit)
            .bind(metric)
            .bind(&v)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "metric.set",
            &format!("assessment/{assessment}/unit/{unit}/metric/{metric}"),
            old.as_deref(),
            Some(&v),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Records a finding (每发现一例) for a per-instance clause (考核; assigned assessor or admin), with
    /// no type and no chosen points: see [`Store::add_typed_finding`].
    pub async fn add_finding(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        description: &str,
        now: &str,
    ) -> Result<i64> {
        let f = NewFinding {
            clause,
            description,
            ..NewFinding::default()
        };
        self.add_typed_finding(by, assessment, unit, &f, now).await
    }

    /// Records a finding (考核; assigned assessor or admin) with its 问题类型 where the clause's rule
    /// lists types, and the points chosen in a range with their reason where a range applies (each
    /// checked against the rule under the write lock, see `typed_parts`).
    pub async fn add_typed_finding(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        f: &NewFinding<'_>,
        now: &str,
    ) -> Result<i64> {
        let (clause, description) = (f.clause, f.description);
        let a = self.assessment(assessment).await?;
        // The stage, the assignment and both "one source per count" checks under the write lock.
        let Change { mut tx, .. } = self
            .change(by, assessment, Some(unit), |_| Action::Score)
            .await?;
        let c = a
            .rubric
            .clause(clause)
            .ok_or_else(|| StoreError::Invalid(format!("细则中没有条款“{clause}”")))?;
        if !c.rule.takes_findings() {
            return Err(StoreError::Invalid(format!(
                "条款 {clause} 按“{}”计分，不接受问题记录",
                c.rule.label()
            )));
        }
        if description.trim().is_empty() {
            return Err(StoreError::Invalid("问题描述不能为空".into()));
        }
        Self::unit_in(&mut tx, assessment, unit).await?;
        let (finding_type, points, reason) = typed_parts(c, f)?;
        // One source per count: findings, or the count metric — never both (the engine would
        // reject the pair as disagreeing sources and leave the clause unscored).
        if let Some(m) = c.rule.count_metric() {
            let name = a
                .rubric
                .metric(m)
                .map(|d| d.name.clone())
                .unwrap_or_else(|| m.to_string());
            let given: Option<String> = sqlx::query_scalar(
                "SELECT value FROM metrics WHERE assessment_id = $1 AND unit_code = $2 AND (metric = $3 OR metric = $4)",
            )
            .bind(assessment)
            .bind(unit)
            .bind(m)
            .bind(&name)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(v) = given {
                return Err(StoreError::Invalid(format!(
                    "单位 {unit} 的{name}已由指标数值给出（{v}），条款 {clause} 不能再逐条记录问题：两种来源只能用一种。如需逐条记录，请先在数据导入中去掉该单位的{name}数值"
                )));
            }
        }
        // Nor on top of instances a platform import brought for the clause: a re-import would
        // bring the same case again next to the hand-made record.
        let imported: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM findings WHERE assessment_id = $1 AND unit_code = $2 AND clause_id = $3 AND import_id IS NOT NULL")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .fetch_one(&mut *tx)
            .await?;
        if imported > 0 {
            return Err(StoreError::Invalid(format!(
                "单位 {unit} 条款 {clause} 的问题已由平台数据导入（{imported} 例），不能再逐条手工记录：两种来源只能用一种。如有遗漏，请更正平台数据后重新导入"
            )));
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO findings (assessment_id, unit_code, clause_id, description, created_by, created_at, finding_type, points, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(description.trim())
            .bind(by.id)
            .bind(now)
            .bind(&finding_type)
            .bind(&points)
            .bind(&reason)
            .fetch_one(&mut *tx)
            .await?;
        for up in f.files {
            self.link_file_in(
                &mut tx,
                by,
                assessment,
                unit,
                clause,
                Attach::Finding(id),
                up,
                now,
            )
            .await?;
        }
        // A plain finding is audited as before (its description); one with a type or chosen points
        // as `finding.add_typed`, with all of them.
        let (action, new) = if finding_type.is_none() && points.is_none() {
            ("finding.add", description.trim().to_string())
        } else {
            let t = TypedAudit {
                description: description.trim().to_string(),
                finding_type,
                points,
                reason,
            };
            (
                "finding.add_typed",
                serde_json::to_string(&t).expect("serialisable"),
            )
        };
        self.audit(
            &mut tx,
            now,
            &by.login,
            action,
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/finding/{id}"),
            None,
            Some(&new),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// The findings of a unit, in the order recorded: those recorded by hand can be withdrawn
    /// ([`Store::withdraw_finding`]); those a platform import brought change with the next import.
    /// For who may read them ([`Read::Findings`]).
    pub async fn findings_of(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
    ) -> Result<Vec<Finding>> {
        self.check_read(by, assessment, Read::Findings, unit)
            .await?;
        let rows = sqlx::query("SELECT f.id, f.clause_id, f.description, f.import_id, u.name AS by_name, f.created_at, f.finding_type, f.points, f.reason FROM findings f JOIN users u ON u.id = f.created_by WHERE f.assessment_id = $1 AND f.unit_code = $2 ORDER BY f.id")
            .bind(assessment)
            .bind(unit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| Finding {
                id: r.get("id"),
                clause_id: r.get("clause_id"),
                description: r.get("description"),
                imported: r.get::<Option<i64>, _>("import_id").is_some(),
                by: r.get("by_name"),
                at: r.get("created_at"),
                finding_type: r.get("finding_type"),
                points: r.get("points"),
                reason: r.get("reason"),
            })
            .collect())
    }

    /// Withdraws a finding recorded by hand (考核; the unit's assessor or admin), with the reason;
    /// the audit log keeps what it said. Findings a platform import brought are replaced by the
    /// next import instead.
    pub async fn withdraw_finding(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        finding: i64,
        reason: &str,
        now: &str,
    ) -> Result<()> {
        let Change { mut tx, .. } = self
            .change(by, assessment, Some(unit), |_| Action::Score)
            .await?;
        let row = sqlx::query("SELECT unit_code, clause_id, description, import_id FROM findings WHERE assessment_id = $1 AND unit_code = $2 AND id = $3")
            .bind(assessment)
            .bind(unit)
            .bind(finding)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("单位 {unit} 没有问题记录 {finding}")))?;
        let clause: String = row.get("clause_id");
        let description: String = row.get("description");
        if row.get::<Option<i64>, _>("import_id").is_some() {
            return Err(StoreError::Invalid(format!(
                "条款 {clause} 的这条问题来自平台数据导入，不能单独撤回：请更正平台数据后重新导入"
            )));
        }
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("撤回问题记录须填写理由".into()));
        }
        let gone = sqlx::query(
            "DELETE FROM findings WHERE assessment_id = $1 AND id = $2 AND import_id IS NULL",
        )
        .bind(assessment)
        .bind(finding)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if gone != 1 {
            return Err(StoreError::NotFound(format!("问题记录 {finding}")));
        }
        // Its photos and files go with it (the audit entry of each upload names them).
        sqlx::query("DELETE FROM evidence_links WHERE assessment_id = $1 AND finding_id = $2")
            .bind(assessment)
            .bind(finding)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "finding.withdraw",
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/finding/{finding}"),
            Some(&description),
            None,
            Some(reason.trim()),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Adds bonus points with a reason (考核; an assigned assessor or admin) on a bonus clause.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_bonus(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        points: &str,
        reason: &str,
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
        if !c.is_bonus() {
            return Err(StoreError::Invalid(format!("条款 {clause} 不是加分条款")));
        }
        let p = kaohe_core::num::typed_decimal(points)
            .ok_or_else(|| StoreError::Invalid(format!("加分“{points}”不是数字")))?;
        if p <= Decimal::ZERO {
            return Err(StoreError::Invalid("加分应大于 0".into()));
        }
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("加分须写明理由".into()));
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO bonuses (assessment_id, unit_code, clause_id, points, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(p.normalize().to_string())
            .bind(reason.trim())
            .bind(by.id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "bonus.add",
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/bonus/{id}"),
            None,
            Some(&p.normalize().to_string()),
            Some(reason.trim()),
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }
}
