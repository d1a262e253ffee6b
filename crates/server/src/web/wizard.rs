//! 新建考核 (the wizard) and 考核日期 (an assessment's dates, edited and extended by the admin).
//! The use cases are kaohe-app's (`wizard`, `dates`); the store checks and records.

use super::*;
use kaohe_app::wizard::{Choices, Refused, Upload};

/// A source the wizard may copy.
#[derive(serde::Serialize)]
struct SourceOption {
    id: i64,
    label: String,
}

/// 新建考核's context: the assessments to copy, the form as filled (defaults or as typed), and every
/// problem when it was refused.
#[derive(serde::Serialize)]
struct WizardPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    sources: Vec<SourceOption>,
    /// "copy" or "file".
    source: String,
    from: Option<i64>,
    copy_units: bool,
    copy_assignments: bool,
    copy_rubric: bool,
    rubric_name: String,
    rubric_toml: String,
    title: String,
    year: String,
    period_start: String,
    period_end: String,
    self_deadline: String,
    publication_days: String,
    problems: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct FromQuery {
    from: Option<String>,
}

fn admin_only(a: &Authed) -> Result<(), PageError> {
    if a.user.role != Role::Admin {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            Some(a),
            "只有管理员可以新建考核",
        ));
    }
    Ok(())
}

async fn sources(st: &AppState, a: &Authed) -> Result<Vec<SourceOption>, PageError> {
    Ok(st
        .store
        .assessments()
        .await
        .or_page(a)?
        .into_iter()
        .rev()
        .map(|r| SourceOption {
            id: r.id,
            label: format!("{}（{}年，{}）", r.title, r.year, r.stage.label()),
        })
        .collect())
}

/// 新建考核 (admin): the form filled with the defaults of the chosen source (by default the latest
/// assessment), or of a new year.
pub(super) async fn new_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Query(q): Query<FromQuery>,
) -> Page {
    admin_only(&a)?;
    let sources = sources(&st, &a).await?;
    let from = match q.from.as_deref() {
        Some("") => None,
        Some(x) => Some(
            x.parse::<i64>()
                .map_err(|_| PageError::new(StatusCode::NOT_FOUND, Some(&a), "没有这个考核"))?,
        ),
        None => sources.first().map(|s| s.id),
    };
    let d = kaohe_app::wizard::defaults(&st.store, from, &st.now())
        .await
        .or_page(&a)?;
    let page = WizardPage {
        frame: Frame::of(Some(&a)),
        sources,
        source: if from.is_some() { "copy" } else { "file" }.into(),
        from,
        copy_units: true,
        copy_assignments: true,
        copy_rubric: true,
        rubric_name: String::new(),
        rubric_toml: String::new(),
        title: d.title,
        year: d.year.to_string(),
        period_start: d.period_start,
        period_end: d.period_end,
        self_deadline: d.self_deadline,
        publication_days: d.publication_days.to_string(),
        problems: Vec::new(),
    };
    Ok(render("wizard.html", page))
}

/// The wizard's form posted: the new assessment's page (草稿), or the form again with every problem.
pub(super) async fn new_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    body: String,
) -> Page {
    admin_only(&a)?;
    let f = posted(&a, &body)?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let on = |k: &str| f.get(k).is_some_and(|v| !v.is_empty());
    let copying = get("source") != "file";
    let from = if copying {
        get("from").trim().parse::<i64>().ok()
    } else {
        None
    };
    let name = match get("rubric_name").trim() {
        "" => "细则.toml".to_string(),
        n => n.to_string(),
    };
    let xlsx = get("rubric_xlsx");
    let upload = if !xlsx.trim().is_empty() {
        Some(match kaohe_app::wizard::decode_base64(xlsx.trim()) {
            Some(bytes) => Upload::Xlsx {
                name: name.clone(),
                bytes,
            },
            None => Upload::Toml {
                name: name.clone(),
                text: String::new(),
            },
        })
    } else if !get("rubric_toml").trim().is_empty() {
        Some(Upload::Toml {
            name: name.clone(),
            text: get("rubric_toml"),
        })
    } else {
        None
    };
    let choices = Choices {
        from,
        copy_units: copying && on("copy_units"),
        copy_assignments: copying && on("copy_assignments"),
        copy_rubric: copying && on("copy_rubric"),
        upload,
        title: get("title"),
        year: get("year"),
        period_start: get("period_start"),
        period_end: get("period_end"),
        self_deadline: get("self_deadline"),
        publication_days: get("publication_days"),
    };
    let problems = match kaohe_app::wizard::create(&st.store, &a.user, &choices, &st.now()).await {
        Ok(id) => {
            let msg = format!("已新建考核“{}”，当前为草稿阶段", choices.title.trim());
            return Ok(Redirect::to(&format!(
                "/a/{id}?{}",
                serde_urlencoded::to_string([("msg", msg)]).unwrap_or_default()
            ))
            .into_response());
        }
        Err(Refused::Problems(p)) => p,
        Err(Refused::Store(e @ (StoreError::Invalid(_) | StoreError::NotFound(_)))) => {
            vec![e.to_string()]
        }
        Err(Refused::Store(e)) => return Err(PageError::store(&a, e)),
    };
    let page = WizardPage {
        frame: Frame::of(Some(&a)).error(Some(format!(
            "未新建考核：共 {} 个问题，请改正后重新提交",
            problems.len()
        ))),
        sources: sources(&st, &a).await?,
        source: if copying { "copy" } else { "file" }.into(),
        from,
        copy_units: choices.copy_units,
        copy_assignments: choices.copy_assignments,
        copy_rubric: choices.copy_rubric,
        rubric_name: name,
        rubric_toml: get("rubric_toml"),
        title: choices.title,
        year: choices.year,
        period_start: choices.period_start,
        period_end: choices.period_end,
        self_deadline: choices.self_deadline,
        publication_days: choices.publication_days,
        problems,
    };
    let mut r = render("wizard.html", page);
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

/// 考核日期's context: the dates in words, the form to change them, and — in 公示 — the extension.
#[derive(serde::Serialize)]
struct DatesPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    a_id: i64,
    title: String,
    stage_label: &'static str,
    lines: Vec<String>,
    editable: bool,
    publication: bool,
    period_start: String,
    period_end: String,
    self_deadline: String,
    publication_days: String,
    closes: String,
}

/// 考核日期 (admin): the assessment's dates, a form to change them with a reason, and the extension
/// of the 公示 window.
pub(super) async fn dates_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    Query(msg): Query<Msg>,
) -> Page {
    dates_render(&st, &a, id, msg.msg, None).await
}

async fn dates_render(
    st: &AppState,
    a: &Authed,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Page {
    if a.user.role != Role::Admin {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            Some(a),
            "只有管理员可以设置考核日期",
        ));
    }
    let x = assessment_of(st, a, id).await?;
    let d = &x.dates;
    let text = |v: Option<kaohe_core::Date>| v.map(|d| d.to_string()).unwrap_or_default();
    let page = DatesPage {
        frame: Frame::of(Some(a)).notice(notice).error(error.clone()),
        a_id: id,
        lines: kaohe_app::dates::lines(&x, &st.store.calendar(), &st.now()),
        title: x.title.clone(),
        stage_label: x.stage.label(),
        editable: x.stage != Stage::Final,
        publication: x.stage == Stage::Publication,
        period_start: text(d.period.map(|p| p.0)),
        period_end: text(d.period.map(|p| p.1)),
        self_deadline: text(d.self_deadline),
        publication_days: d
            .publication_days
            .map(|n| n.to_string())
            .unwrap_or_default(),
        closes: text(d.publication_closes),
    };
    let mut r = render("dates.html", page);
    if error.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// The dates' forms posted: `do=edit` (考核期, 自评截止, 公示期, with a reason) or `do=extend` (the
/// 公示 window to a later day, with a reason).
pub(super) async fn dates_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    body: String,
) -> Page {
    let f = posted(&a, &body)?;
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let done = if get("do") == "extend" {
        match kaohe_core::Date::parse(&get("until")) {
            Some(until) => st
                .store
                .extend_publication(&a.user, id, until, &get("why"), &st.now())
                .await
                .map(|_| format!("公示期已延长至 {until}")),
            None => Err(StoreError::Invalid(format!(
                "延长至“{}”不是日期（应为 2022-02-18 这样的年-月-日）",
                get("until")
            ))),
        }
    } else {
        match kaohe_app::wizard::parse_dates(
            &get("period_start"),
            &get("period_end"),
            &get("self_deadline"),
            &get("publication_days"),
        ) {
            Ok(dates) => st
                .store
                .set_dates(&a.user, id, &dates, &get("why"), &st.now())
                .await
                .map(|_| "考核日期已修改".to_string()),
            Err(p) => Err(StoreError::Invalid(p.join("；"))),
        }
    };
    match done {
        Ok(msg) => Ok(Redirect::to(&format!(
            "/a/{id}/dates?{}",
            serde_urlencoded::to_string([("msg", msg)]).unwrap_or_default()
        ))
        .into_response()),
        Err(StoreError::Invalid(m)) => dates_render(&st, &a, id, None, Some(m)).await,
        Err(e) => Err(PageError::store(&a, e)),
    }
}
