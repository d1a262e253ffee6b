//! 计分输入 — the scoring inputs an assessment's tables make, kept per revision and brought up to
//! date from the audit log: a score saved or an objection upheld reads that one (unit, clause)
//! again; a metric, an import, a finding, a bonus or an inspection reads its own tables again; a
//! change that is no scoring input (an objection filed, evidence, a submission, dates, a stage
//! move) reads nothing; anything else — an account edited (its name is in the inputs), a unit,
//! the rubric, a 更正 — reads all.

use super::*;

impl Store {
    /// The scoring inputs of an assessment: its units, and per judgement clause the assessor's score
    /// (考核分) — or, where one exists, the final score (最终分) after objections. Kept until the next
    /// change to the assessment (see `Cache`); then only what the changes since touched is read
    /// again ([`Store::inputs_patched`]).
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
                    Some((p, _)) => p,
                    None => Arc::new(self.inputs_uncached(assessment).await?),
                }
            }
            _ => Arc::new(self.inputs_uncached(assessment).await?),
        };
        self.keep_inputs(assessment, state, &i);
        Ok(i)
    }

    /// The inputs kept at revision `from` brought to `to` from the audit entries in between
    /// (`from < seq ≤ to`, all committed since writers queue), with the (unit, clause) pairs whose
    /// judgement entries were read again: a score (`score.set`) or an objection's decision reads its
    /// (unit, clause) again and puts it in place; a metric or an import reads the metrics (and an
    /// import the findings) again whole; a finding or bonus reads the findings and bonuses; an
    /// inspection the inspections; a change that is no scoring input reads nothing. `None` — read
    /// all again — for any other change (units, the rubric, a 更正), or too many entries in between.
    pub(super) async fn inputs_patched(
        &self,
        assessment: i64,
        from: i64,
        to: i64,
        old: &Arc<kaohe_core::Inputs>,
    ) -> Result<Option<(Arc<kaohe_core::Inputs>, Vec<(String, String)>)>> {
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
        let mut tables = Tables::default();
        for e in &entries {
            let (action, entity): (String, String) = (e.get("action"), e.get("entity"));
            if action == "user.edit" {
                return Ok(None); // a name in the inputs may have changed (`Store::audit`)
            }
            let Some(rest) = entity.strip_prefix(&whole) else {
                continue;
            };
            if !(rest.is_empty() || rest.starts_with('/')) {
                continue; // another assessment whose id begins with the same digits
            }
            let parts: Vec<&str> = rest.split('/').collect();
            match (action.as_str(), parts.as_slice()) {
                ("score.set", ["", "unit", unit, "clause", clause, _])
                | (
                    "objection.uphold" | "objection.reject" | "objection.reopen",
                    ["", "unit", unit, "clause", clause, "objection", _],
                ) => {
                    touched.insert((unit.to_string(), clause.to_string()));
                }
                ("metric.set", _) => tables.metrics = true,
                ("import", _) => (tables.metrics, tables.findings) = (true, true),
                ("finding.add" | "finding.add_typed" | "finding.withdraw" | "bonus.add", _) => {
                    (tables.findings, tables.bonuses) = (true, true)
                }
                ("inspection.add" | "inspection.remove", _) => tables.inspections = true,
                (a, _) if NO_INPUT.contains(&a) => {}
                _ => return Ok(None),
            }
        }
        if touched.is_empty() && !tables.any() {
            return Ok(Some((old.clone(), Vec::new()))); // no scoring input changed: no copy
        }
        let mut inp = kaohe_core::Inputs::clone(old);
        for (unit, clause) in &touched {
            self.patch_judgement(assessment, unit, clause, &mut inp)
                .await?;
        }
        if tables.metrics {
            inp.metrics = self.read_metrics(assessment).await?;
        }
        if tables.findings {
            inp.findings = self.read_findings(assessment).await?;
        }
        if tables.bonuses {
            inp.bonuses = self.read_bonuses(assessment).await?;
        }
        if tables.inspections {
            inp.inspections = self.read_inspections(assessment).await?;
        }
        Ok(Some((Arc::new(inp), touched.into_iter().collect())))
    }

    /// The (unit, clause) judgement entry of `inp` read again: the final score where there is one,
    /// else the assessor's (as `inputs_uncached`), replaced, inserted or removed in place.
    async fn patch_judgement(
        &self,
        assessment: i64,
        unit: &str,
        clause: &str,
        inp: &mut kaohe_core::Inputs,
    ) -> Result<()> {
        let rows = sqlx::query("SELECT l.ledger, l.score, l.reason, u.name AS by_name FROM ledger l JOIN users u ON u.id = l.updated_by WHERE l.assessment_id = $1 AND l.unit_code = $2 AND l.clause_id = $3 AND l.ledger IN ('assessor', 'final')")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .fetch_all(&self.pool)
            .await?;
        let row = rows
            .iter()
            .find(|r| r.get::<String, _>("ledger") == "final")
            .or_else(|| rows.first());
        let entry = match row {
            Some(r) => Some(judgement_entry(r, unit, clause)?),
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
        Ok(())
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
    /// (unit, clause) pairs whose judgement entries changed since, when the units did not and
    /// whatever else changed was a table read again whole — what `kaohe_core::rescore` needs to
    /// bring a result up to date — or `None` for those when the inputs were read whole. Keeps what
    /// it read as [`Store::inputs`] does.
    pub async fn inputs_since(
        &self,
        assessment: i64,
        from: i64,
        old: &Arc<kaohe_core::Inputs>,
    ) -> Result<InputsSince> {
        let state = self.revision(assessment).await?;
        let (inputs, judgements_changed) = if state <= from {
            (old.clone(), Some(Vec::new()))
        } else {
            match self.inputs_patched(assessment, from, state, old).await? {
                Some((p, touched)) => (p, Some(touched)),
                None => (Arc::new(self.inputs_uncached(assessment).await?), None),
            }
        };
        self.keep_inputs(assessment, state, &inputs);
        Ok(InputsSince {
            inputs,
            judgements_changed,
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
        inp.judgements = self.read_judgements(assessment).await?;
        inp.metrics = self.read_metrics(assessment).await?;
        inp.findings = self.read_findings(assessment).await?;
        inp.inspections = self.read_inspections(assessment).await?;
        inp.bonuses = self.read_bonuses(assessment).await?;
        Ok(inp)
    }

    /// Per (unit, clause) the final score where there is one, else the assessor's, in (unit,
    /// clause) order.
    async fn read_judgements(
        &self,
        assessment: i64,
    ) -> Result<Vec<kaohe_core::input::JudgementEntry>> {
        let rows = sqlx::query("SELECT l.unit_code, l.clause_id, l.ledger, l.score, l.reason, u.name AS by_name FROM ledger l JOIN users u ON u.id = l.updated_by WHERE l.assessment_id = $1 AND l.ledger IN ('assessor', 'final') ORDER BY l.unit_code, l.clause_id, l.ledger")
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        let mut chosen: std::collections::BTreeMap<(String, String), _> = Default::default();
        for r in &rows {
            let (unit, clause): (String, String) = (r.get("unit_code"), r.get("clause_id"));
            // 'assessor' sorts before 'final': a final score replaces the assessor's.
            let e = judgement_entry(r, &unit, &clause)?;
            chosen.insert((unit, clause), e);
        }
        Ok(chosen.into_values().collect())
    }

    /// The metric values, in (unit, metric) order.
    async fn read_metrics(&self, assessment: i64) -> Result<Vec<kaohe_core::input::MetricEntry>> {
        let rows = sqlx::query("SELECT unit_code, metric, value FROM metrics WHERE assessment_id = $1 ORDER BY unit_code, metric")
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let (u, m, v): (String, String, String) =
                    (r.get("unit_code"), r.get("metric"), r.get("value"));
                Ok(kaohe_core::input::MetricEntry {
                    value: stored_decimal(&v, || format!("单位 {u} 指标 {m}"))?,
                    unit: u.as_str().into(),
                    metric: m.as_str().into(),
                    origin: None,
                })
            })
            .collect()
    }

    /// The findings (问题记录), in the order they were recorded.
    async fn read_findings(&self, assessment: i64) -> Result<Vec<kaohe_core::input::FindingEntry>> {
        let rows = sqlx::query("SELECT unit_code, clause_id, description, evidence_sha256, finding_type, points, reason FROM findings WHERE assessment_id = $1 ORDER BY id")
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let (u, c): (String, String) = (r.get("unit_code"), r.get("clause_id"));
                let points = match r.get::<Option<String>, _>("points") {
                    Some(p) => Some(stored_decimal(&p, || {
                        format!("单位 {u} 条款 {c} 问题记录的扣分")
                    })?),
                    None => None,
                };
                Ok(kaohe_core::input::FindingEntry {
                    unit: u.as_str().into(),
                    clause: c.as_str().into(),
                    description: r.get("description"),
                    evidence: r.get("evidence_sha256"),
                    finding_type: r.get("finding_type"),
                    points,
                    reason: r.get("reason"),
                    origin: None,
                })
            })
            .collect()
    }

    /// 检查记录: who inspected (the account's name) and on which day, in the order recorded.
    async fn read_inspections(
        &self,
        assessment: i64,
    ) -> Result<Vec<kaohe_core::input::InspectionEntry>> {
        let rows = sqlx::query("SELECT i.unit_code, i.clause_id, i.inspected_on, u.name AS by_name FROM inspections i JOIN users u ON u.id = i.inspected_by WHERE i.assessment_id = $1 ORDER BY i.id")
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let (u, c, d): (String, String, String) = (
                    r.get("unit_code"),
                    r.get("clause_id"),
                    r.get("inspected_on"),
                );
                let date = kaohe_core::Date::parse(&d).ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "单位 {u} 条款 {c} 检查记录的检查日期“{d}”不是日期"
                    ))
                })?;
                Ok(kaohe_core::input::InspectionEntry {
                    unit: u.as_str().into(),
                    clause: c.as_str().into(),
                    inspector: r.get("by_name"),
                    date,
                    origin: None,
                })
            })
            .collect()
    }

    /// The bonus entries (加分), in the order recorded.
    async fn read_bonuses(&self, assessment: i64) -> Result<Vec<kaohe_core::input::BonusEntry>> {
        let rows = sqlx::query("SELECT unit_code, clause_id, points, reason FROM bonuses WHERE assessment_id = $1 ORDER BY id")
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let (u, c, p): (String, String, String) =
                    (r.get("unit_code"), r.get("clause_id"), r.get("points"));
                Ok(kaohe_core::input::BonusEntry {
                    points: stored_decimal(&p, || format!("单位 {u} 条款 {c} 的加分"))?,
                    unit: u.as_str().into(),
                    clause: c.as_str().into(),
                    reason: r.get("reason"),
                    origin: None,
                })
            })
            .collect()
    }
}

/// What [`Store::inputs_since`] read: the inputs now, and what changed in them.
pub struct InputsSince {
    pub inputs: Arc<kaohe_core::Inputs>,
    /// The (unit code, clause id) pairs whose assessor or final scores changed, when the units did
    /// not (the other tables may have: `kaohe_core::rescore` compares them); `None` when the
    /// inputs were read whole.
    pub judgements_changed: Option<Vec<(String, String)>>,
}

/// The tables other than the judgements that a run of changes touched.
#[derive(Default)]
struct Tables {
    metrics: bool,
    findings: bool,
    bonuses: bool,
    inspections: bool,
}

impl Tables {
    fn any(&self) -> bool {
        self.metrics || self.findings || self.bonuses || self.inspections
    }
}

/// Actions on an assessment that change no scoring input.
const NO_INPUT: &[&str] = &[
    "objection.file",
    "evidence.add",
    "evidence.remove",
    "evidence.replace",
    "self.submit",
    "self.return",
    "assignment.add",
    "assignment.replace",
    "assessment.dates",
    "publication.extend",
    "stage.advance",
    "stage.override",
    "stage.finalize",
    "rubric_draft.save",
    "export.download",
];

/// A judgement entry from a ledger row (`ledger`, `score`, `reason`, `by_name`).
fn judgement_entry(
    r: &sqlx::any::AnyRow,
    unit: &str,
    clause: &str,
) -> Result<kaohe_core::input::JudgementEntry> {
    let ledger: String = r.get("ledger");
    let score: String = r.get("score");
    Ok(kaohe_core::input::JudgementEntry {
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
