//! 待办 — what each person has left to do in an assessment, as the dashboard lists it, each item a
//! link to where it is done; and the counts of an assessment's card, which mean what they say.
//!
//! - **填报员** (the unit's reporter): in 自评, the clauses not yet self-assessed, then 提交自评; once
//!   submitted, that it waits for the assessor; when returned, the reason. In 公示, the window for
//!   objections and the unit's own objections not yet decided.
//! - **考核员**: in 自评, the submissions of the assigned units to review (退回 if need be); in 考核,
//!   each assigned unit with its clauses scored x/y and the clauses still to inspect; in 公示, the
//!   assigned units' objections to decide.
//! - **管理员**: the open objections by unit and clause; the self-assessments not submitted while 自评
//!   runs; the files staged for import and not committed; in 考核 and 公示, the gate's unfinished list.
//! - **领导**: nothing to do; the result once published.
//!
//! The lists are made from the same scoring (kaohe-core) and the same policy the store checks, so
//! an item never names work the person may not do.

use kaohe_store::policy::{self, Action};
use kaohe_store::store::{Assessment, Progress, UnitRow};
use kaohe_store::{Role, Stage, Store, StoreError, User};
use std::sync::Arc;

/// One thing to do: what, in Chinese, and where (a page of the service).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Todo {
    pub text: String,
    pub href: String,
}

/// An assessment's progress as its card shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Units in the assessment.
    pub units: usize,
    /// Units whose self-assessment is submitted, of the units that have clauses to self-assess and
    /// a reporter account.
    pub submitted: usize,
    pub to_submit: usize,
    /// Units with every clause that applies to them scored (or computed from data).
    pub complete: usize,
    /// Objections not yet decided.
    pub open_objections: usize,
}

/// What a unit has and lacks, from one scoring of the assessment.
pub struct UnitState {
    /// Clauses that apply to the unit, and those of them with a score.
    applying: usize,
    scored: usize,
    /// Clause ids needing an inspection record and without one.
    to_inspect: Vec<String>,
}

/// What each unit has and lacks, in the order of [`crate::kept::Kept::unit_rows`] (code order), and
/// how many have everything scored — made once per kept result, so that a view of the dashboard
/// reads them by position (no lookup by code per unit: 10,000 units are a scan).
pub struct UnitStates {
    states: Vec<UnitState>,
    /// Units with every clause that applies to them scored (or computed from data).
    complete: usize,
}

impl UnitStates {
    /// The state of the unit at `i` in [`crate::kept::Kept::unit_rows`].
    fn at(&self, i: usize) -> &UnitState {
        &self.states[i]
    }
}

/// What each unit has and lacks in a kept result (made once per kept result, see
/// [`crate::kept::Kept::unit_states`]).
pub(crate) fn states_of(kept: &crate::kept::Kept) -> UnitStates {
    let (x, scored) = (kept.assessment(), kept.scored());
    let states: Vec<UnitState> = kept
        .unit_rows()
        .iter()
        .map(|u| {
            let mut s = UnitState {
                applying: 0,
                scored: 0,
                to_inspect: Vec::new(),
            };
            let Some(r) = kept.unit(&u.code) else {
                return s;
            };
            for (cr, c) in scored.clauses(r).iter().zip(&x.rubric.clauses) {
                if !c.applies(&u.kind) {
                    continue;
                }
                s.applying += 1;
                if cr.score().is_some() {
                    s.scored += 1;
                } else if c.rule.counting().inspection {
                    s.to_inspect.push(c.id.to_string());
                }
            }
            s
        })
        .collect();
    UnitStates {
        complete: states.iter().filter(|s| s.scored == s.applying).count(),
        states,
    }
}

/// The positions in `units` (in code order) of the `codes` (in code order) that are there.
fn positions<'a>(units: &[UnitRow], codes: impl IntoIterator<Item = &'a String>) -> Vec<usize> {
    codes
        .into_iter()
        .filter_map(|c| units.binary_search_by(|u| u.code.cmp(c)).ok())
        .collect()
}

fn unit_href(id: i64, code: &str) -> String {
    format!(
        "/a/{id}/u/{}",
        kaohe_store::url::percent_encode(code, b"-._~")
    )
}

fn has_self_clauses(x: &Assessment, u: &UnitRow) -> bool {
    x.rubric.self_assessed(&u.kind).next().is_some()
}

/// One assessment's card on the dashboard: its kept result (the assessment as scored, one revision
/// for everything on the card), its counts and what `user` has left to do.
pub struct Card {
    pub kept: Arc<crate::kept::Kept>,
    pub counts: Counts,
    pub todos: Vec<Todo>,
}

/// The card of assessment `id` for `user` at `now` (ISO 8601 UTC, as the service gives it); `staged`
/// names the files uploaded for import and not committed. Reads the kept result, the
/// self-assessment progress and the open objections once each.
pub async fn card(
    store: &Store,
    user: &User,
    id: i64,
    staged: &[String],
    now: &str,
) -> Result<Card, StoreError> {
    let kept = crate::kept::kept(store, id).await?;
    let progress = store.self_progress(id).await?;
    let open = store.open_objections(id).await?;
    let counts = counts_of(&kept, &progress, open);
    let todos = todos_of(store, user, &kept, &progress, staged, now).await?;
    Ok(Card {
        kept,
        counts,
        todos,
    })
}

/// The counts of assessment `id`'s card.
pub async fn counts(store: &Store, id: i64) -> Result<Counts, StoreError> {
    let kept = crate::kept::kept(store, id).await?;
    let progress = store.self_progress(id).await?;
    let open = store.open_objections(id).await?;
    Ok(counts_of(&kept, &progress, open))
}

fn counts_of(kept: &crate::kept::Kept, progress: &Progress, open: i64) -> Counts {
    let (x, units, states) = (kept.assessment(), kept.unit_rows(), kept.unit_states());
    // The units with a reporter (a few) looked up in the units, not every unit in the set.
    let with_self: Vec<&UnitRow> = positions(units, &progress.with_reporter)
        .into_iter()
        .map(|i| &units[i])
        .filter(|u| has_self_clauses(x, u))
        .collect();
    Counts {
        units: units.len(),
        submitted: with_self
            .iter()
            .filter(|u| progress.submitted.contains(&u.code))
            .count(),
        to_submit: with_self.len(),
        complete: states.complete,
        open_objections: open as usize,
    }
}

/// What `user` has left to do in assessment `id` at `now` (ISO 8601 UTC, as the service gives it);
/// `staged` names the files uploaded for import and not committed.
pub async fn of(
    store: &Store,
    user: &User,
    id: i64,
    staged: &[String],
    now: &str,
) -> Result<Vec<Todo>, StoreError> {
    let kept = crate::kept::kept(store, id).await?;
    let progress = store.self_progress(id).await?;
    todos_of(store, user, &kept, &progress, staged, now).await
}

async fn todos_of(
    store: &Store,
    user: &User,
    kept: &crate::kept::Kept,
    progress: &Progress,
    staged: &[String],
    now: &str,
) -> Result<Vec<Todo>, StoreError> {
    let (x, units) = (kept.assessment(), kept.unit_rows());
    let mut out = Vec::new();
    match user.role {
        Role::Reporter => reporter(store, user, x, units, now, &mut out).await?,
        Role::Assessor => assessor(store, user, kept, &mut out).await?,
        Role::Admin => admin(store, user, kept, progress, staged, &mut out).await?,
        _ => {}
    }
    Ok(out)
}

async fn reporter(
    store: &Store,
    user: &User,
    x: &Assessment,
    units: &[UnitRow],
    now: &str,
    out: &mut Vec<Todo>,
) -> Result<(), StoreError> {
    let Some(u) = user
        .unit_code
        .as_deref()
        .and_then(|c| units.binary_search_by(|u| u.code.as_str().cmp(c)).ok())
        .map(|i| &units[i])
    else {
        return Ok(());
    };
    let href = unit_href(x.id, &u.code);
    match x.stage {
        Stage::SelfAssessment if has_self_clauses(x, u) => {
            let submission = store.submission(x.id, &u.code).await?;
            if submission.as_ref().is_some_and(|s| s.is_submitted()) {
                out.push(Todo {
                    text: "本单位已提交自评，等待考核员审核；如需修改，请联系考核员退回".into(),
                    href,
                });
                return Ok(());
            }
            let scores = store.scores(user, x.id, &u.code).await?;
            let missing: Vec<&str> = x
                .rubric
                .self_assessed(&u.kind)
                .filter(|c| {
                    !scores
                        .iter()
                        .any(|s| s.ledger == kaohe_store::Ledger::SelfScore && s.clause_id == *c.id)
                })
                .map(|c| &*c.id)
                .collect();
            if let Some(reason) = submission.and_then(|s| s.return_reason) {
                out.push(Todo {
                    text: format!("自评被退回：{reason}。请修改后重新提交"),
                    href: format!("{href}#submission"),
                });
            }
            if let Some(d) = x.dates.self_deadline
                && kaohe_core::time::beijing_date(now).is_some_and(|today| today > d)
            {
                out.push(Todo {
                    text: format!("自评已于 {d} 截止，本单位未提交；如需延期，请联系管理员"),
                    href,
                });
                return Ok(());
            }
            match missing.first() {
                Some(first) => out.push(Todo {
                    text: format!(
                        "还有 {} 项考核点未自评（{}），填完后提交自评",
                        missing.len(),
                        missing.join("、")
                    ),
                    href: format!("{href}#c-{first}"),
                }),
                None => out.push(Todo {
                    text: "自评已全部填写，请提交自评".into(),
                    href: format!("{href}#submission"),
                }),
            }
        }
        Stage::Publication => {
            let open = store
                .objections(user, x.id)
                .await?
                .into_iter()
                .filter(|o| o.unit_code == u.code && o.status == "open")
                .count();
            let closes = x
                .dates
                .publication_closes
                .map(|d| format!("公示期至 {d}，"))
                .unwrap_or_default();
            out.push(Todo {
                text: format!("结果公示中：{closes}对本单位结果有异议的，可在本单位考核表上提出"),
                href: format!("{href}#objections"),
            });
            if open > 0 {
                out.push(Todo {
                    text: format!("本单位有 {open} 件异议等待考核组处理"),
                    href: format!("{href}#objections"),
                });
            }
        }
        _ => {}
    }
    Ok(())
}

async fn assessor(
    store: &Store,
    user: &User,
    kept: &crate::kept::Kept,
    out: &mut Vec<Todo>,
) -> Result<(), StoreError> {
    let (x, units) = (kept.assessment(), kept.unit_rows());
    // The assigned units' positions in the units (code order), looked up one by one.
    let at: Vec<usize> = {
        let assigned: std::collections::BTreeSet<String> =
            store.assigned_to(x.id, user).await?.into_iter().collect();
        positions(units, &assigned)
    };
    let mine: Vec<&UnitRow> = at.iter().map(|&i| &units[i]).collect();
    if mine.is_empty() {
        return Ok(());
    }
    match x.stage {
        Stage::SelfAssessment => {
            let submitted = store.submissions(x.id).await?;
            for u in &mine {
                if submitted
                    .iter()
                    .any(|s| s.unit_code == u.code && s.is_submitted())
                {
                    out.push(Todo {
                        text: format!("{} 已提交自评，待审核（有问题可退回）", u.name),
                        href: format!("{}#submission", unit_href(x.id, &u.code)),
                    });
                }
            }
        }
        Stage::Review => {
            let states = kept.unit_states();
            let done = at
                .iter()
                .filter(|&&i| states.at(i).scored == states.at(i).applying)
                .count();
            out.push(Todo {
                text: format!("分给您的单位 {done}/{} 个已评完", mine.len()),
                href: format!("/a/{}/grid", x.id),
            });
            // At most LISTED units by name; the rest in one line to the grid (an assessor of
            // hundreds of units reads their 评分表, not a page of 待办).
            const LISTED: usize = 20;
            let open: Vec<(&UnitRow, &UnitState)> = at
                .iter()
                .map(|&i| (&units[i], states.at(i)))
                .filter(|(_, s)| s.scored != s.applying)
                .collect();
            let more = open.len().saturating_sub(LISTED);
            for &(u, s) in open.iter().take(LISTED) {
                let inspect = match s.to_inspect.is_empty() {
                    true => String::new(),
                    false => format!("，待检查：条款 {}", s.to_inspect.join("、")),
                };
                out.push(Todo {
                    text: format!(
                        "{}：已有得分 {}/{} 项{inspect}",
                        u.name, s.scored, s.applying
                    ),
                    href: unit_href(x.id, &u.code),
                });
            }
            if more > 0 {
                out.push(Todo {
                    text: format!("另有 {more} 个单位未评完，见评分表"),
                    href: format!("/a/{}/grid", x.id),
                });
            }
        }
        Stage::Publication => objections(store, user, x, units, Some(&mine), out).await?,
        _ => {}
    }
    Ok(())
}

/// The open objections `user` may decide, by unit and clause (of `only` units when given).
async fn objections(
    store: &Store,
    user: &User,
    x: &Assessment,
    units: &[UnitRow],
    only: Option<&[&UnitRow]>,
    out: &mut Vec<Todo>,
) -> Result<(), StoreError> {
    for o in store.objections(user, x.id).await? {
        if o.status != "open" || only.is_some_and(|m| !m.iter().any(|u| u.code == o.unit_code)) {
            continue;
        }
        let name = units
            .iter()
            .find(|u| u.code == o.unit_code)
            .map_or(o.unit_code.as_str(), |u| u.name.as_str());
        let title = x
            .rubric
            .clause(&o.clause_id)
            .map_or("", |c| c.title.as_str());
        out.push(Todo {
            text: format!("待处理异议：{name} · 条款 {} {title}", o.clause_id),
            href: format!("{}#objections", unit_href(x.id, &o.unit_code)),
        });
    }
    Ok(())
}

async fn admin(
    store: &Store,
    user: &User,
    kept: &crate::kept::Kept,
    progress: &Progress,
    staged: &[String],
    out: &mut Vec<Todo>,
) -> Result<(), StoreError> {
    let (x, units) = (kept.assessment(), kept.unit_rows());
    if policy::check(user, Action::AdvanceStage, x.stage, None, false).is_err() {
        return Ok(());
    }
    if x.stage == Stage::Publication {
        objections(store, user, x, units, None, out).await?;
    }
    if x.stage == Stage::SelfAssessment {
        let not: Vec<&str> = units
            .iter()
            .filter(|u| has_self_clauses(x, u) && progress.owes_self(&u.code))
            .map(|u| u.name.as_str())
            .collect();
        if !not.is_empty() {
            let deadline = x
                .dates
                .self_deadline
                .map(|d| format!("（自评截止 {d}）"))
                .unwrap_or_default();
            out.push(Todo {
                text: format!("{} 个单位尚未提交自评{deadline}：{}", not.len(), list(&not)),
                href: format!("/a/{}/grid", x.id),
            });
        }
    }
    if !staged.is_empty() {
        out.push(Todo {
            text: format!(
                "已上传但未导入的文件 {} 个：{}",
                staged.len(),
                staged.join("、")
            ),
            href: format!("/a/{}/import", x.id),
        });
    }
    if matches!(x.stage, Stage::Review | Stage::Publication) {
        // The gate's list (`sealing::unfinished_in`) by unit only: a clause unscored or a
        // self-assessment owed, from the kept per-unit states (no formatting of every unit).
        let states = kept.unit_states();
        let owing = !progress.with_reporter.is_empty();
        let lines: Vec<&str> = units
            .iter()
            .enumerate()
            .filter(|&(i, u)| {
                states.at(i).scored < states.at(i).applying
                    || (owing && progress.owes_self(&u.code) && has_self_clauses(x, u))
            })
            .map(|(_, u)| u.name.as_str())
            .collect();
        if !lines.is_empty() {
            let next = match x.stage {
                Stage::Review => "公示",
                _ => "定档",
            };
            out.push(Todo {
                text: format!(
                    "进入{next}前还有 {} 个单位未完成：{}",
                    lines.len(),
                    list(&lines)
                ),
                href: format!("/a/{}", x.id),
            });
        }
    }
    Ok(())
}

/// At most five names of a list, then how many more.
fn list(items: &[&str]) -> String {
    match items.len() {
        0..=5 => items.join("、"),
        n => format!("{} 等 {n} 个", items[..5].join("、")),
    }
}
