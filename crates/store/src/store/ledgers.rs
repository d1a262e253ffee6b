//! 账本 — the three scores of a clause (自评分, 考核分, 最终分) with optimistic concurrency, who may read
//! which, and the scoring inputs an assessment's tables make.

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

    /// The scoring inputs of an assessment: its units, and per judgement clause the assessor's score
    /// (考核分) — or, where one exists, the final score (最终分) after objections. Kept until the next
    /// change to the assessment (see `Cache`); when every change since the kept inputs is a score,
    /// only those scores are read again ([`Store::inputs_patched`]).
    pub async fn inputs(&self, assessment: i64) -> Result<Arc<kaohe_core::Inputs>> {
        let state = self.revision(assessment).await?;
        let old = self
            .cache
            .lock()
            .expect("cache")
            .inputs
            .get(&assessment)
            .cloned();
        let i = match old {
            Some((at, i)) if at == state => return Ok(i),
            Some((at, i)) if at < state => {
                match self.inputs_patched(assessment, at, state, &i).await? {
                    Some((p, _)) => Arc::new(p),
                    None => Arc::new(self.inputs_uncached(assessment).await?),
                }
            }
            _ => Arc::new(self.inputs_uncached(assessment).await?),
        };
        self.keep_inputs(assessment, state, &i);
        Ok(i)
    }

    /// The inputs kept at revision `from` brought to `to` when every change to the assessment in
    /// between (the audit entries `from < seq ≤ to`, all committed since writers queue) was a score
    /// (`score.set`): those (unit, clause) scores read again and put in place. `None` — read all
    /// again — for any other change, or too many entries in between.
    pub(super) async fn inputs_patched(
        &self,
        assessment: i64,
        from: i64,
        to: i64,
        old: &kaohe_core::Inputs,
    ) -> Result<Option<(kaohe_core::Inputs, Vec<(String, String)>)>> {
        const MOST: i64 = 2_000;
        if to - from > MOST {
            return Ok(None);
        }
        let entries = sqlx::query(
            "SELECT action, entity FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        let whole = format!("assessment/{assessment}");
        let mut touched = std::collections::BTreeSet::new();
        for e in &entries {
            let (action, entity): (String, String) = (e.get("action"), e.get("entity"));
            let Some(rest) = entity.strip_prefix(&whole) else {
                continue;
            };
            if !(rest.is_empty() || rest.starts_with('/')) {
                continue; // another assessment whose id begins with the same digits
            }
            let parts: Vec<&str> = rest.split('/').collect();
            match (action.as_str(), parts.as_slice()) {
                ("score.set", ["", "unit", unit, "clause", clause, _ledger]) => {
                    touched.insert((unit.to_string(), clause.to_string()));
                }
                _ => return Ok(None),
            }
        }
        let mut inp = old.clone();
        for (unit, clause) in &touched {
            let (unit, clause) = (unit.as_str(), clause.as_str());
            let rows = sqlx::query("SELECT l.ledger, l.score, l.reason, u.name AS by_name FROM ledger l JOIN users u ON u.id = l.updated_by WHERE l.assessment_id = $1 AND l.unit_code = $2 AND l.clause_id = $3 AND l.ledger IN ('assessor', 'final')")
                .bind(assessment)
                .bind(unit)
                .bind(clause)
                .fetch_all(&self.pool)
                .await?;
            // The final score where there is one, else the assessor's (as `inputs_uncached`).
            let row = rows
                .iter()
                .find(|r| r.get::<String, _>("ledger") == "final")
                .or_else(|| rows.first());
            let entry = match row {
                Some(r) => {
                    let ledger: String = r.get("ledger");
                    let score: String = r.get("score");
                    Some(kaohe_core::input::JudgementEntry {
                        unit: unit.into(),
                        clause: clause.into(),
                        score: stored_decimal(&score, || {
                            let l = Ledger::parse(&ledger).map_or(ledger.as_str(), |l| l.label());
                            format!("单位 {unit} 条款 {clause} 的{l}")
                        })?,
                        reason: r.get("reason"),
                        assessor: Some(r.get("by_name")),
                        origin: None,
                    })
                }
                None => None,
            };
            // Judgements are kept in (unit, clause) order, as `inputs_uncached` reads them.
            let at = inp
                .judgements
                .binary_search_by(|j| (&*j.unit, &*j.clause).cmp(&(unit, clause)));
            match (at, entry) {
                (Ok(i), Some(e)) => inp.judgements[i] = e,
                (Err(i), Some(e)) => inp.judgements.insert(i, e),
                (Ok(i), None) => {
                    inp.judgements.remove(i);
                }
                (Err(_), None) => {}
            }
        }
        Ok(Some((inp, touched.into_iter().collect())))
    }

    /// Keeps `inputs` as the assessment's at revision `state`, unless newer ones are kept already.
    fn keep_inputs(&self, assessment: i64, state: i64, inputs: &Arc<kaohe_core::Inputs>) {
        let mut cache = self.cache.lock().expect("cache");
        let newer = cache
            .inputs
            .get(&assessment)
            .is_some_and(|(at, _)| *at > state);
        if !newer {
            cache.inputs.insert(assessment, (state, inputs.clone()));
        }
    }

    /// The inputs now, given `old`, the inputs at revision `from` (a kept result's): with the
    /// (unit, clause) pairs whose scores changed since, when nothing else did — what
    /// `kaohe_core::rescore` needs to bring a result up to date — or `None` for those when anything
    /// else changed (the inputs then read whole). Keeps what it read as [`Store::inputs`] does.
    pub async fn inputs_since(
        &self,
        assessment: i64,
        from: i64,
        old: &Arc<kaohe_core::Inputs>,
    ) -> Result<InputsSince> {
        let state = self.revision(assessment).await?;
        let (inputs, scores_changed) = if state <= from {
            (old.clone(), Some(Vec::new()))
        } else {
            match self.inputs_patched(assessment, from, state, old).await? {
                Some((p, touched)) => (Arc::new(p), Some(touched)),
                None => (Arc::new(self.inputs_uncached(assessment).await?), None),
            }
        };
        self.keep_inputs(assessment, state, &inputs);
        Ok(InputsSince {
            inputs,
            scores_changed,
        })
    }

    pub(super) async fn inputs_uncached(&self, assessment: i64) -> Result<kaohe_core::Inputs> {
        use kaohe_core::input::*;
        let mut inp = Inputs::default();
        for u in self.units(assessment).await? {
            inp.units.push(Unit {
                code: u.code.as_str().into(),
                name: u.name,
                kind: u.kind,
                origin: None,
            });
        }
        let rows = sqlx::query("SELECT l.unit_code, l.clause_id, l.ledger, l.score, l.reason, u.name AS by_name FROM ledger l JOIN users u ON u.id = l.updated_by WHERE l.assessment_id = $1 AND l.ledger IN ('assessor', 'final') ORDER BY l.unit_code, l.clause_id, l.ledger")
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        let mut chosen: std::collections::BTreeMap<(String, String), JudgementEntry> =
            Default::default();
        for r in &rows {
            let unit: String = r.get("unit_code");
            let clause: String = r.get("clause_id");
            let ledger: String = r.get("ledger");
            let key = (unit.clone(), clause.clone());
            if ledger == "assessor" && chosen.contains_key(&key) {
                continue;
            }
            let score: String = r.get("score");
            chosen.insert(
                key,
                JudgementEntry {
                    unit: unit.as_str().into(),
                    clause: clause.as_str().into(),
                    score: stored_decimal(&score, || {
                        let l = Ledger::parse(&ledger).map_or(ledger.as_str(), |l| l.label());
                        format!("单位 {unit} 条款 {clause} 的{l}")
                    })?,
                    reason: r.get("reason"),
                    assessor: Some(r.get("by_name")),
                    origin: None,
                },
            );
        }
        inp.judgements = chosen.into_values().collect();
        for r in
            sqlx::query("SELECT unit_code, metric, value FROM metrics WHERE assessment_id = $1")
                .bind(assessment)
                .fetch_all(&self.pool)
                .await?
        {
            let (u, m, v): (String, String, String) =
                (r.get("unit_code"), r.get("metric"), r.get("value"));
            inp.metrics.push(MetricEntry {
                unit: u.as_str().into(),
                metric: m.as_str().into(),
                value: stored_decimal(&v, || format!("单位 {u} 指标 {m}"))?,
                origin: None,
            });
        }
        for r in sqlx::query("SELECT unit_code, clause_id, description, evidence_sha256, finding_type, points, reason FROM findings WHERE assessment_id = $1 ORDER BY id").bind(assessment).fetch_all(&self.pool).await? {
            let (u, c): (String, String) = (r.get("unit_code"), r.get("clause_id"));
            let points = match r.get::<Option<String>, _>("points") {
                Some(p) => Some(stored_decimal(&p, || format!("单位 {u} 条款 {c} 问题记录的扣分"))?),
                None => None,
            };
            inp.findings.push(FindingEntry { unit: u.as_str().into(), clause: c.as_str().into(), description: r.get("description"), evidence: r.get("evidence_sha256"), finding_type: r.get("finding_type"), points, reason: r.get("reason"), origin: None });
        }
        // 检查记录: who inspected (the account's name) and on which day.
        for r in sqlx::query("SELECT i.unit_code, i.clause_id, i.inspected_on, u.name AS by_name FROM inspections i JOIN users u ON u.id = i.inspected_by WHERE i.assessment_id = $1 ORDER BY i.id").bind(assessment).fetch_all(&self.pool).await? {
            let (u, c, d): (String, String, String) = (r.get("unit_code"), r.get("clause_id"), r.get("inspected_on"));
            let date = kaohe_core::Date::parse(&d).ok_or_else(|| StoreError::Corrupt(format!("单位 {u} 条款 {c} 检查记录的检查日期“{d}”不是日期")))?;
            inp.inspections.push(InspectionEntry { unit: u.as_str().into(), clause: c.as_str().into(), inspector: r.get("by_name"), date, origin: None });
        }
        for r in sqlx::query("SELECT unit_code, clause_id, points, reason FROM bonuses WHERE assessment_id = $1 ORDER BY id").bind(assessment).fetch_all(&self.pool).await? {
            let (u, c, p): (String, String, String) = (r.get("unit_code"), r.get("clause_id"), r.get("points"));
            inp.bonuses.push(BonusEntry { unit: u.as_str().into(), clause: c.as_str().into(), points: stored_decimal(&p, || format!("单位 {u} 条款 {c} 的加分"))?, reason: r.get("reason"), origin: None });
        }
        Ok(inp)
    }
}

/// What [`Store::inputs_since`] read: the inputs now, and what changed in them.
pub struct InputsSince {
    pub inputs: Arc<kaohe_core::Inputs>,
    /// The (unit code, clause id) pairs whose assessor or final scores changed, when nothing else
    /// did (empty: nothing changed); `None` when something else changed.
    pub scores_changed: Option<Vec<(String, String)>>,
}
