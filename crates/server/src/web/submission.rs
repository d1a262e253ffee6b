//! 提交自评与退回 on a unit's page: the state of the unit's self-assessment, the reporter's 提交自评
//! and the assessor's 退回 with its reason. The store checks and records both (kaohe-store
//! `submit_self`, `return_self`); this module only translates the forms and shows the state.

use super::*;

/// The self-assessment's state as the unit's page shows it (`None` when the unit has no clause to
/// self-assess).
#[derive(serde::Serialize)]
pub(super) struct SubmissionView {
    /// 尚未提交自评 / 已提交自评（时间，提交人）/ 自评已被退回（时间，退回人）：理由.
    state: String,
    pub(super) submitted: bool,
    can_submit: bool,
    can_return: bool,
}

/// The state of `unit`'s self-assessment and what `a` may do with it in `stage`.
pub(super) async fn view(
    st: &AppState,
    a: &Authed,
    x: &kaohe_store::store::Assessment,
    unit: &kaohe_store::store::UnitRow,
    assigned: bool,
) -> Result<Option<SubmissionView>, StoreError> {
    if x.rubric.self_assessed(&unit.kind).next().is_none() {
        return Ok(None);
    }
    let s = st.store.submission(x.id, &unit.code).await?;
    let name = |login: &str| {
        let login = login.to_string();
        async move {
            st.store
                .user_by_login(&login)
                .await
                .ok()
                .flatten()
                .map_or(login, |u| u.name)
        }
    };
    let submitted = s.as_ref().is_some_and(|s| s.is_submitted());
    let state = match &s {
        None => "尚未提交自评".to_string(),
        Some(s) if s.is_submitted() => format!(
            "已提交自评（{}，{}）{}",
            kaohe_core::time::beijing(&s.submitted_at),
            name(&s.submitted_by).await,
            match x.stage {
                Stage::SelfAssessment => "，自评分和佐证材料已锁定；如需修改，须由考核员退回",
                _ => "",
            }
        ),
        Some(s) => format!(
            "自评已被退回（{}，{}）：{}",
            kaohe_core::time::beijing(s.returned_at.as_deref().unwrap_or_default()),
            name(s.returned_by.as_deref().unwrap_or_default()).await,
            s.return_reason.as_deref().unwrap_or_default()
        ),
    };
    // After the deadline nothing can be submitted or returned (the store refuses it too).
    let closed = x
        .dates
        .self_deadline
        .filter(|d| kaohe_core::time::beijing_date(&st.now()).is_some_and(|today| today > *d));
    let state = match (closed, submitted) {
        (Some(d), false) => format!("{state}；自评已于 {d} 截止，不能再提交，如需延期请联系管理员"),
        _ => state,
    };
    let may = |action| {
        kaohe_store::policy::check(&a.user, action, x.stage, Some(&unit.code), assigned).is_ok()
    };
    Ok(Some(SubmissionView {
        state,
        submitted,
        can_submit: closed.is_none() && !submitted && may(kaohe_store::policy::Action::Submit),
        can_return: closed.is_none() && submitted && may(kaohe_store::policy::Action::ReturnSelf),
    }))
}

/// Back to the unit's page at its self-assessment, with a notice.
fn to_submission(id: i64, unit: &str, notice: &str) -> Response {
    Redirect::to(&format!(
        "/a/{id}/u/{}?{notice}=1#submission",
        kaohe_store::url::percent_encode(unit, b"-._~"),
    ))
    .into_response()
}

/// 提交自评 (the unit's reporter, 自评).
pub(super) async fn submit_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Page {
    posted(&a, &body)?;
    match st.store.submit_self(&a.user, id, &unit, &st.now()).await {
        Ok(_) => Ok(to_submission(id, &unit, "submitted")),
        Err(e) => {
            let again = Again::error(crate::error::AppError::from(e).message);
            scorecard_page(&st, &a, id, &unit, again).await
        }
    }
}

/// 退回自评 (the unit's assessor or the admin, 自评), with the reason.
pub(super) async fn return_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Page {
    let f = posted(&a, &body)?;
    let reason = f.get("reason").cloned().unwrap_or_default();
    match st
        .store
        .return_self(&a.user, id, &unit, &reason, &st.now())
        .await
    {
        Ok(_) => Ok(to_submission(id, &unit, "returned")),
        Err(e) => {
            let again = Again {
                error: Some(crate::error::AppError::from(e).message),
                kept: json!({ "form": "return", "reason": reason }),
                ..Again::default()
            };
            scorecard_page(&st, &a, id, &unit, again).await
        }
    }
}
