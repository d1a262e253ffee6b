//! 方案对比 (what-if) for the page and the API alike: who may run it, which data, which other rubric,
//! and the comparison itself (kaohe-core scores and compares; nothing is stored).

use crate::AppState;
use crate::error::AppError;
use kaohe_core::Problem;
use kaohe_report::whatif::WhatIf;
use kaohe_store::policy::{self, Read};
use kaohe_store::{Role, Stage, User};

/// Who may see an assessment's computed result now ([`Read::Results`] in the store's read policy):
/// admins and assessors always; others from 公示 on.
pub(crate) fn may_see_results(user: &User, stage: Stage) -> bool {
    policy::may_read(user, Read::Results, stage, None).is_ok()
}

/// The rubric to re-score under: another assessment's, or a draft (TOML text).
pub(crate) enum Other {
    Stored(i64),
    Draft { name: String, text: String },
}

/// Why a what-if was not computed.
pub(crate) enum Refused {
    /// Not this person, not this data, or no such assessment.
    App(AppError),
    /// The draft is not a valid rubric: every problem.
    Draft(Vec<Problem>),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Self {
        Refused::App(e)
    }
}

/// May this person run a what-if on this assessment's data? Reporters never; others when they may
/// see its results.
pub(crate) async fn check(st: &AppState, user: &User, data_id: i64) -> Result<(), AppError> {
    if user.role == Role::Reporter {
        return Err(AppError::forbidden("方案对比供管理员、考核员和领导使用"));
    }
    let data = st.store.assessment(data_id).await?;
    if !may_see_results(user, data.stage) {
        return Err(AppError::forbidden(format!(
            "“{}”的结果尚未公示，不能试算",
            data.title
        )));
    }
    Ok(())
}

/// The data of assessment `data_id` scored under its own rubric and under `other`, compared.
pub(crate) async fn run(
    st: &AppState,
    user: &User,
    data_id: i64,
    other: &Other,
) -> Result<(WhatIf, String), Refused> {
    check(st, user, data_id).await?;
    let data = st.store.assessment(data_id).await.map_err(AppError::from)?;
    let label = |r: &kaohe_core::Rubric, whose: &str| {
        format!("《{}》（{} 版本 {}，{}）", r.title, r.id, r.version, whose)
    };
    let mut notes = Vec::new();
    let (rubric, other_label) = match other {
        Other::Stored(rid) => {
            let r = st.store.assessment(*rid).await.map_err(AppError::from)?;
            let l = label(&r.rubric, &format!("“{}”所用", r.title));
            (r.rubric, l)
        }
        Other::Draft { name, text } => {
            let (r, problems) = kaohe_core::rubric::load(name, text);
            let Some(r) = r else {
                return Err(Refused::Draft(problems));
            };
            notes.extend(problems);
            let l = label(&r, &format!("上传的草案 {name}"));
            (r, l)
        }
    };
    let inputs = st.store.inputs(data_id).await.map_err(AppError::from)?;
    let before = kaohe_core::score(&data.rubric, &inputs);
    let (carried, carry_notes) = kaohe_core::compare::carry_over(&inputs, &data.rubric, &rubric);
    notes.splice(0..0, carry_notes);
    let after = kaohe_core::score(&rubric, &carried);
    let cmp = kaohe_core::compare::compare(&before, &after);
    let before_label = label(&data.rubric, &format!("“{}”的数据与细则", data.title));
    let w = WhatIf::of(&cmp, &before, &after, (&before_label, &other_label), &notes);
    Ok((w, data.title))
}
