//! 方案对比 (what-if) — an assessment's data scored under its own rubric and under another (another
//! assessment's, or a draft), compared; nothing is stored. Who may run it, which data, which rubric,
//! and the comparison itself, for the page, the API and `kaohe whatif` alike.

use crate::results::may_see;
use kaohe_core::{Inputs, Problem, Rubric};
use kaohe_report::whatif::WhatIf;
use kaohe_store::{Role, Store, StoreError, User};

/// The rubric to re-score under: another assessment's, or a draft (TOML text).
pub enum Other {
    Stored(i64),
    Draft { name: String, text: String },
}

/// Why a what-if was not computed.
#[derive(Debug)]
pub enum Refused {
    /// Not this person, not this data, or no such assessment.
    Store(StoreError),
    /// The draft is not a valid rubric: every problem.
    Draft(Vec<Problem>),
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Store(e)
    }
}

/// How a rubric is named in a comparison: 《title》（版本 v，whose）.
pub fn label(r: &Rubric, whose: Option<&str>) -> String {
    match whose {
        Some(w) => format!("《{}》（版本 {}，{}）", r.title, r.version, w),
        None => format!("《{}》（版本 {}）", r.title, r.version),
    }
}

/// The comparison itself: `inputs` scored under `rubric` (the one they were kept under) and, carried
/// over, under `other`; `notes` are shown after what the carrying over says.
pub fn compare(
    rubric: &Rubric,
    inputs: &Inputs,
    other: &Rubric,
    labels: (&str, &str),
    notes: Vec<Problem>,
) -> WhatIf {
    let before = kaohe_core::score(rubric, inputs);
    let (carried, mut all) = kaohe_core::compare::carry_over(inputs, rubric, other);
    all.extend(notes);
    let after = kaohe_core::score(other, &carried);
    let cmp = kaohe_core::compare::compare(&before, &after);
    WhatIf::of(&cmp, &before, &after, labels, &all)
}

/// May `user` run a what-if on assessment `data_id`'s data? Reporters never; others when they may
/// see its results.
pub async fn check(store: &Store, user: &User, data_id: i64) -> Result<(), StoreError> {
    let data = store.assessment(data_id).await?;
    if may_use(user, data.stage) {
        return Ok(());
    }
    if user.role == Role::Reporter {
        return Err(StoreError::Forbidden(
            "方案对比供管理员、考核员和领导使用".into(),
        ));
    }
    Err(StoreError::Forbidden(format!(
        "“{}”的结果尚未公示，不能试算",
        data.title
    )))
}

/// Whether `user` may run a what-if on the data of an assessment in `stage` (what [`check`] and
/// the page's link ask): not a reporter, and only when they may see its results.
pub fn may_use(user: &User, stage: kaohe_store::Stage) -> bool {
    user.role != Role::Reporter && may_see(user, stage)
}

/// The data of assessment `data_id` scored under its own rubric and under `other`, compared; with
/// the data's title.
pub async fn run(
    store: &Store,
    user: &User,
    data_id: i64,
    other: &Other,
) -> Result<(WhatIf, String), Refused> {
    check(store, user, data_id).await?;
    let data = store.assessment(data_id).await?;
    let mut notes = Vec::new();
    let (rubric, other_label) = match other {
        Other::Stored(rid) => {
            let r = store.assessment(*rid).await?;
            let l = label(&r.rubric, Some(&format!("“{}”所用", r.title)));
            (r.rubric, l)
        }
        Other::Draft { name, text } => {
            // A syntax error in Chinese with its line and column, as the rubric editor says it.
            let crate::rubric_editor::Checked {
                rubric: r,
                problems,
            } = crate::rubric_editor::check(name, text);
            let Some(r) = r else {
                return Err(Refused::Draft(problems));
            };
            notes.extend(problems);
            let l = label(&r, Some(&format!("上传的草案 {name}")));
            (r, l)
        }
    };
    let inputs = store.inputs(data_id).await?;
    let before_label = label(&data.rubric, Some(&format!("“{}”的数据与细则", data.title)));
    let w = compare(
        &data.rubric,
        &inputs,
        &rubric,
        (&before_label, &other_label),
        notes,
    );
    Ok((w, data.title))
}
