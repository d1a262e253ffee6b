//! 考核结果 — an assessment's scored result and who may see which part of it, read once here for the
//! pages, the API and the exports: the league table, the JSON of DATA.md §3 with the clause details
//! a reader may not read emptied, one unit's result, its 考核反馈单, the unit's years.
//!
//! Who may see what is the store's read policy ([`policy::may_read`]); this module only asks it.

use kaohe_core::Inputs;
use kaohe_core::result::{Scored, UnitResult};
use kaohe_report::feedback::{Feedback, FeedbackSeal};
use kaohe_store::policy::{self, Read};
use kaohe_store::store::Assessment;
use kaohe_store::{Stage, Store, StoreError, User};
use rust_decimal::Decimal;
use std::sync::Arc;

/// A use case's answer, or why not (the store's errors: refused, not found, invalid, failed).
pub type Result<T> = std::result::Result<T, StoreError>;

/// An assessment with the inputs its result is scored from, read for someone who may see it.
pub struct Results {
    pub assessment: Assessment,
    pub inputs: Arc<Inputs>,
    /// The seal of the latest sealed version, once sealed (定档), for the 考核反馈单's 校验信息.
    pub seal: Option<FeedbackSeal>,
}

impl Results {
    /// The result as kaohe-core scores it.
    pub fn scored(&self) -> Scored<'_> {
        kaohe_core::score(&self.assessment.rubric, &self.inputs)
    }

    /// The result as the JSON of DATA.md §3 as `user` may read it: every unit's total and rank, the
    /// clause details of the units `user` may read (the others' emptied), and the stage.
    pub fn report_json(&self, user: &User) -> serde_json::Value {
        let scored = self.scored();
        let mut v = serde_json::to_value(kaohe_report::json::report(&scored, &[]))
            .expect("a report serialises");
        hide_unreadable_details(user, self.assessment.stage, &mut v);
        v["stage"] = serde_json::json!(self.assessment.stage);
        if let Some(note) = &self.assessment.incomplete_note {
            v["incomplete_note"] = serde_json::json!(note);
        }
        v
    }

    /// Every unit's 考核反馈单, in rank order (to print them all at once).
    pub fn feedbacks(&self) -> Vec<Feedback> {
        let scored = self.scored();
        let x = &self.assessment;
        scored
            .units
            .iter()
            .map(|r| Feedback::of(&x.title, x.stage.label(), &scored, r).sealed(self.seal.clone()))
            .collect()
    }
}

/// Whether `user` may see the computed result of an assessment in `stage` ([`Read::Results`]):
/// admins and assessors always; others from 公示 on.
pub fn may_see(user: &User, stage: Stage) -> bool {
    policy::may_read(user, Read::Results, stage, None).is_ok()
}

/// The assessment's result for `user`, who may see it ([`Read::Results`]); refused with the reason.
pub async fn of(store: &Store, user: &User, id: i64) -> Result<Results> {
    let assessment = store.assessment(id).await?;
    policy::may_read(user, Read::Results, assessment.stage, None).map_err(StoreError::Forbidden)?;
    let inputs = store.inputs(id).await?;
    let seal = seal(store, &assessment).await?;
    Ok(Results {
        assessment,
        inputs,
        seal,
    })
}

/// The whole result for an export (汇总表, 扣分明细, every unit's form), for who may export it
/// ([`Read::Export`]): every unit's clause details, so never a reporter.
pub async fn for_export(store: &Store, user: &User, id: i64) -> Result<Results> {
    let assessment = store.assessment(id).await?;
    policy::may_read(user, Read::Export, assessment.stage, None).map_err(StoreError::Forbidden)?;
    let inputs = store.inputs(id).await?;
    let seal = seal(store, &assessment).await?;
    Ok(Results {
        assessment,
        inputs,
        seal,
    })
}

/// The result's JSON for `user` (DATA.md §3; see [`Results::report_json`]).
pub async fn report_json(store: &Store, user: &User, id: i64) -> Result<serde_json::Value> {
    Ok(of(store, user, id).await?.report_json(user))
}

/// Empties the clause details of every unit whose details `user` may not read ([`Read::Results`] of
/// that unit): a reporter keeps its own unit's, and every unit's total and rank.
pub fn hide_unreadable_details(user: &User, stage: Stage, v: &mut serde_json::Value) {
    if let Some(units) = v["units"].as_array_mut() {
        for u in units {
            let code = u["code"].as_str().unwrap_or_default();
            if policy::may_read(user, Read::Results, stage, Some(code)).is_err() {
                u["clauses"] = serde_json::json!([]);
            }
        }
    }
}

/// That `user` may open unit `unit`'s page in `stage` ([`policy::may_open_unit`]: a reporter only
/// its own unit, a leader once published), refused as the pages say it. Every link to a unit's
/// page asks the same.
pub fn may_open_unit(user: &User, stage: Stage, unit: &str) -> Result<()> {
    if policy::may_open_unit(user, stage, unit) {
        return Ok(());
    }
    let when = if policy::may_open_unit(user, Stage::Final, unit) {
        format!("结果尚未公示（当前为“{}”阶段），", stage.label())
    } else {
        String::new()
    };
    Err(StoreError::Forbidden(format!(
        "{when}{}（{}）无权查看单位 {unit} 的考核表",
        user.name,
        user.role.label()
    )))
}

/// Whether `user` may download the whole result ([`Read::Export`]: 汇总表, 扣分明细, every unit's
/// 考核反馈单) in `stage`: what the export links ask, as the exports do.
pub fn may_export(user: &User, stage: Stage) -> bool {
    policy::may_read(user, Read::Export, stage, None).is_ok()
}

/// The one unit's result (its row of the scored result) within `scored`, or not found.
pub fn unit_result<'s>(scored: &'s Scored<'_>, unit: &str) -> Result<&'s UnitResult> {
    scored
        .units
        .iter()
        .find(|r| *scored.unit(r).code == *unit)
        .ok_or_else(|| StoreError::NotFound(format!("本次考核中没有单位“{unit}”")))
}

/// A unit's 考核反馈单, for who may open the unit once the result may be seen.
pub async fn feedback(store: &Store, user: &User, id: i64, unit: &str) -> Result<Feedback> {
    let x = store.assessment(id).await?;
    may_open_unit(user, x.stage, unit)?;
    if !may_see(user, x.stage) {
        return Err(StoreError::Forbidden(format!(
            "结果尚未公示（当前为“{}”阶段）",
            x.stage.label()
        )));
    }
    let results = Results {
        inputs: store.inputs(id).await?,
        seal: seal(store, &x).await?,
        assessment: x,
    };
    let scored = results.scored();
    let r = unit_result(&scored, unit)?;
    let x = &results.assessment;
    Ok(Feedback::of(&x.title, x.stage.label(), &scored, r).sealed(results.seal.clone()))
}

/// The seal a sealed (定档) result's 考核反馈单 names: the latest signed version and its public key's
/// fingerprint; `None` before 定档 or for a version sealed before signatures.
pub async fn seal(store: &Store, x: &Assessment) -> Result<Option<FeedbackSeal>> {
    if x.stage != Stage::Final {
        return Ok(None);
    }
    let last = store.sealed(x.id).await?.pop();
    Ok(last.and_then(|s| {
        let fingerprint = kaohe_store::seal::fingerprint(s.public_key.as_deref()?)?;
        Some(FeedbackSeal {
            version: s.version,
            fingerprint,
        })
    }))
}

/// One year of a unit's history: the assessment's year, the unit's total and its rank.
pub type Year = (i32, Decimal, u32);

/// The unit's total and rank in every assessment whose results `user` may see, oldest year first.
/// `this` is the assessment being shown (its id and the unit's year already scored). A year that
/// cannot be read is an error, never a year missing from the chart.
pub async fn years(store: &Store, user: &User, unit: &str, this: (i64, Year)) -> Result<Vec<Year>> {
    let mut out = vec![this.1];
    for row in store.assessments().await? {
        if row.id == this.0 {
            continue;
        }
        let x = store.assessment(row.id).await?;
        if !may_see(user, x.stage) {
            continue;
        }
        let results = Results {
            inputs: store.inputs(row.id).await?,
            assessment: x,
            seal: None,
        };
        let scored = results.scored();
        if let Ok(r) = unit_result(&scored, unit) {
            out.push((results.assessment.year as i32, r.total, r.rank));
        }
    }
    out.sort_by_key(|p| p.0);
    Ok(out)
}
