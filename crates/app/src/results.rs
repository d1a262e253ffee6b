//! 考核结果 — an assessment's scored result and who may see which part of it, read once here for the
//! pages, the API and the exports: the league table, the JSON of DATA.md §3 with the clause details
//! a reader may not read emptied, one unit's result, its 考核反馈单, the unit's years.
//!
//! Who may see what is the store's read policy ([`policy::may_read`]); this module only asks it.

use crate::kept::{self, Kept, Sort};
use kaohe_core::result::{Scored, UnitResult};
use kaohe_report::feedback::{Feedback, FeedbackSeal};
use kaohe_store::policy::{self, Read};
use kaohe_store::store::Assessment;
use kaohe_store::{Stage, Store, StoreError, User};
use rust_decimal::Decimal;
use std::sync::Arc;

/// A use case's answer, or why not (the store's errors: refused, not found, invalid, failed).
pub type Result<T> = std::result::Result<T, StoreError>;

/// An assessment's kept result ([`crate::kept`]), read for someone who may see it.
pub struct Results {
    pub kept: Arc<Kept>,
    /// The seal of the latest sealed version, once sealed (定档), for the 考核反馈单's 校验信息.
    pub seal: Option<FeedbackSeal>,
}

/// Units per page of a league unless asked otherwise, and the most one page may hold.
pub const PER_PAGE: usize = 50;
pub const MAX_PER_PAGE: usize = 500;

/// Which page of a league to show, of how many units, in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// From 1.
    pub page: usize,
    pub per_page: usize,
    pub sort: Sort,
}

impl Default for Paging {
    fn default() -> Paging {
        Paging {
            page: 1,
            per_page: PER_PAGE,
            sort: Sort::Rank,
        }
    }
}

impl Paging {
    /// The paging a query asks for (`page`, `per_page`, `sort`; each may be absent), or a Chinese
    /// refusal naming the parameter, its value and what was expected.
    pub fn parse(page: Option<&str>, per_page: Option<&str>, sort: Option<&str>) -> Result<Paging> {
        let number = |name: &str, v: Option<&str>, default: usize, max: usize| match v {
            None | Some("") => Ok(default),
            Some(t) => match t.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(StoreError::Invalid(format!(
                    "参数 {name} 的值“{t}”不对：应为 1 到 {max} 之间的整数"
                ))),
            },
        };
        Ok(Paging {
            page: number("page", page, 1, 1_000_000)?,
            per_page: number("per_page", per_page, PER_PAGE, MAX_PER_PAGE)?,
            sort: Sort::parse(sort.unwrap_or_default())?,
        })
    }
}

/// One page of a league: the units' places in [`Scored::units`], and where the page stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaguePage {
    pub rows: Vec<usize>,
    /// The page shown (the last one when a later page was asked for), from 1.
    pub page: usize,
    pub pages: usize,
    pub per_page: usize,
    pub total_units: usize,
    pub sort: Sort,
}

impl Results {
    pub fn assessment(&self) -> &Assessment {
        self.kept.assessment()
    }

    /// The result as kaohe-core scored it (kept: not scored again while nothing changed).
    pub fn scored(&self) -> &Scored<'_> {
        self.kept.scored()
    }

    /// The audit sequence of the last change the result reflects.
    pub fn revision(&self) -> i64 {
        self.kept.revision
    }

    /// The page `p` asks for, in its order.
    pub fn page(&self, p: &Paging) -> LeaguePage {
        let order = self.kept.order(p.sort);
        let total_units = order.len();
        let pages = total_units.div_ceil(p.per_page).max(1);
        let page = p.page.min(pages);
        let from = (page - 1) * p.per_page;
        LeaguePage {
            rows: order
                .iter()
                .skip(from)
                .take(p.per_page)
                .map(|&i| i as usize)
                .collect(),
            page,
            pages,
            per_page: p.per_page,
            total_units,
            sort: p.sort,
        }
    }

    /// The result as the JSON of DATA.md §3 as `user` may read it: every unit's total and rank, the
    /// clause details of the units `user` may read (the others' emptied), and the stage.
    pub fn report_json(&self, user: &User) -> serde_json::Value {
        let scored = self.scored();
        let mut v = serde_json::to_value(kaohe_report::json::report(scored, &[]))
            .expect("a report serialises");
        self.finish_json(user, &mut v);
        v
    }

    /// One page of that JSON: the page's units only (in `p`'s order), with `paging` saying which
    /// page of how many, and the revision the result reflects.
    pub fn page_json(&self, user: &User, p: &Paging) -> serde_json::Value {
        let scored = self.scored();
        let page = self.page(p);
        let units: Vec<_> = page
            .rows
            .iter()
            .map(|&i| kaohe_report::json::unit_out(scored, &scored.units[i]))
            .collect();
        let report = kaohe_report::json::Report {
            rubric: kaohe_report::json::RubricRef::of(scored.rubric),
            complete: scored.complete,
            units,
            problems: scored.problems.iter().map(Into::into).collect(),
        };
        let mut v = serde_json::to_value(report).expect("a report serialises");
        self.finish_json(user, &mut v);
        v["paging"] = serde_json::json!({
            "page": page.page,
            "pages": page.pages,
            "per_page": page.per_page,
            "total_units": page.total_units,
            "sort": page.sort.key(),
        });
        v["revision"] = serde_json::json!(self.revision());
        v
    }

    fn finish_json(&self, user: &User, v: &mut serde_json::Value) {
        let x = self.assessment();
        hide_unreadable_details(user, x.stage, v);
        v["stage"] = serde_json::json!(x.stage);
        if let Some(note) = &x.incomplete_note {
            v["incomplete_note"] = serde_json::json!(note);
        }
    }

    /// Every unit's 考核反馈单, in rank order (to print them all at once).
    pub fn feedbacks(&self) -> Vec<Feedback> {
        let scored = self.scored();
        let x = self.assessment();
        scored
            .units
            .iter()
            .map(|r| Feedback::of(&x.title, x.stage.label(), scored, r).sealed(self.seal.clone()))
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
    // One revision for the check, the seal and the result: the kept result's own assessment.
    let kept = kept::kept(store, id).await?;
    policy::may_read(user, Read::Results, kept.assessment().stage, None)
        .map_err(StoreError::Forbidden)?;
    let seal = seal(store, kept.assessment()).await?;
    Ok(Results { kept, seal })
}

/// The whole result for an export (汇总表, 扣分明细, every unit's form), for who may export it
/// ([`Read::Export`]): every unit's clause details, so never a reporter.
pub async fn for_export(store: &Store, user: &User, id: i64) -> Result<Results> {
    // One revision for the check, the seal and the result: the kept result's own assessment.
    let kept = kept::kept(store, id).await?;
    policy::may_read(user, Read::Export, kept.assessment().stage, None)
        .map_err(StoreError::Forbidden)?;
    let seal = seal(store, kept.assessment()).await?;
    Ok(Results { kept, seal })
}

/// The result's JSON for `user` (DATA.md §3; see [`Results::report_json`]).
/// The whole result (every unit) is built off the request threads.
pub async fn report_json(store: &Store, user: &User, id: i64) -> Result<serde_json::Value> {
    let results = of(store, user, id).await?;
    let user = user.clone();
    crate::heavy::run(move || results.report_json(&user)).await
}

/// One page of the result's JSON for `user` (see [`Results::page_json`]).
pub async fn page_json(
    store: &Store,
    user: &User,
    id: i64,
    p: &Paging,
) -> Result<serde_json::Value> {
    Ok(of(store, user, id).await?.page_json(user, p))
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
    let kept = kept::kept(store, id).await?;
    let x = kept.assessment();
    may_open_unit(user, x.stage, unit)?;
    if !may_see(user, x.stage) {
        return Err(StoreError::Forbidden(format!(
            "结果尚未公示（当前为“{}”阶段）",
            x.stage.label()
        )));
    }
    let seal = seal(store, x).await?;
    let r = kept
        .unit(unit)
        .ok_or_else(|| StoreError::NotFound(format!("本次考核中没有单位“{unit}”")))?;
    Ok(Feedback::of(&x.title, x.stage.label(), kept.scored(), r).sealed(seal))
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
/// `this` is the assessment being shown (its id and the unit's year already scored). Each other
/// year is read from that assessment's kept result (one row read while it is unchanged), never
/// scored again per page. A year that cannot be read is an error, never a year missing from the
/// chart.
pub async fn years(store: &Store, user: &User, unit: &str, this: (i64, Year)) -> Result<Vec<Year>> {
    let mut out = vec![this.1];
    for row in store.assessments().await? {
        if row.id == this.0 {
            continue;
        }
        // Only the assessments that have the unit are read (never scored for nothing).
        if !may_see(user, row.stage) || store.unit(row.id, unit).await?.is_none() {
            continue;
        }
        let kept = kept::kept(store, row.id).await?;
        if let Some(r) = kept.unit(unit) {
            out.push((kept.assessment().year as i32, r.total, r.rank));
        }
    }
    out.sort_by_key(|p| p.0);
    Ok(out)
}
