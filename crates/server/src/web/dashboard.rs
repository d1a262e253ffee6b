//! 工作台: the assessments a person may open, with their progress and dates (what is left of the
//! 自评 deadline and the 公示 window), and each person's 待办 — what is left to do, each a link
//! (kaohe-app `todo`); for the admin, 新建考核.

use super::*;

/// 工作台's context: a card per assessment, and the reporter's own unit (for its link).
#[derive(serde::Serialize)]
struct DashboardPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    assessments: Vec<AssessmentCard>,
    own_unit: Option<&'a str>,
    admin: bool,
    /// Whether the progress counts are shown: to the admin and the assessors, who do the work they
    /// count (a unit or the leader reads results once published, not the progress before).
    staff: bool,
}

/// One assessment on the dashboard, with its progress counts and the person's 待办.
#[derive(serde::Serialize)]
struct AssessmentCard {
    id: i64,
    title: String,
    stage_label: &'static str,
    rubric_title: String,
    counts: kaohe_app::todo::Counts,
    todos: Vec<kaohe_app::todo::Todo>,
    /// 考核期, 自评截止, 公示期 in words, with what is left.
    dates: Vec<String>,
}

pub(super) async fn dashboard(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Query(msg): Query<Msg>,
) -> Page {
    // 三员分立: each of the three administrators works on their own page, never an assessment.
    let own = match a.user.role {
        Role::SystemAdmin => Some("/system"),
        Role::SecurityAdmin => Some("/security"),
        Role::AuditAdmin => Some("/audit"),
        _ => None,
    };
    if let Some(own) = own {
        let q =
            serde_urlencoded::to_string([("msg", msg.msg.unwrap_or_default())]).unwrap_or_default();
        return Ok(Redirect::to(&format!("{own}?{q}")).into_response());
    }
    let mut assessments = Vec::new();
    let (calendar, now) = (st.store.calendar(), st.now());
    for x in st.store.assessments().await.or_page(&a)? {
        let staged = match a.user.role {
            Role::Admin => crate::imports::staged_names(&st, x.id),
            _ => Vec::new(),
        };
        let card = kaohe_app::todo::card(&st.store, &a.user, x.id, &staged, &now)
            .await
            .or_page(&a)?;
        let full = card.kept.assessment();
        assessments.push(AssessmentCard {
            id: x.id,
            title: x.title,
            stage_label: full.stage.label(),
            rubric_title: full.rubric.title.clone(),
            dates: kaohe_app::dates::lines(full, &calendar, &now),
            counts: card.counts,
            todos: card.todos,
        });
    }
    Ok(render(
        "dashboard.html",
        DashboardPage {
            frame: Frame::of(Some(&a)).notice(msg.msg),
            assessments,
            own_unit: a.user.unit_code.as_deref(),
            admin: a.user.role == Role::Admin,
            staff: matches!(a.user.role, Role::Admin | Role::Assessor),
        },
    ))
}
