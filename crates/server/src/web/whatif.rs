//! 方案对比: the data under another rubric, as a page and a workbook.

use super::*;

#[derive(Deserialize, Default)]
pub(super) struct WhatIfPick {
    /// The assessment whose data is re-scored (default: this one).
    pub(super) data: Option<i64>,
    /// The assessment whose rubric the data is re-scored under.
    pub(super) rubric: Option<i64>,
}

/// 方案对比 (what-if): choose the data and another assessment's rubric.
pub(super) async fn whatif_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<WhatIfPick>,
) -> Page {
    let other = q.rubric.map(Other::Stored);
    whatif_render(&st, &a, id, q.data.unwrap_or(id), other, false).await
}

/// The same comparison as a workbook (总分与名次, 细则改动, 得分变化, 提示).
pub(super) async fn whatif_xlsx(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<WhatIfPick>,
) -> Page {
    let Some(rid) = q.rubric else {
        return Ok(Redirect::to(&format!("/a/{id}/whatif")).into_response());
    };
    let other = Some(Other::Stored(rid));
    whatif_render(&st, &a, id, q.data.unwrap_or(id), other, true).await
}

/// 方案对比 under a draft rubric sent as text (the page's script reads the chosen file into the field).
pub(super) async fn whatif_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    body: String,
) -> Page {
    let f = posted(&a, &body)?;
    let data = f.get("data").and_then(|d| d.parse().ok()).unwrap_or(id);
    let name = f
        .get("name")
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .unwrap_or("细则草案.toml")
        .to_string();
    let text = f.get("toml").cloned().unwrap_or_default();
    let xlsx = f.get("format").is_some_and(|x| x == "xlsx");
    whatif_render(&st, &a, id, data, Some(Other::Draft { name, text }), xlsx).await
}

pub(super) async fn whatif_render(
    st: &AppState,
    a: &Authed,
    id: i64,
    data_id: i64,
    other: Option<Other>,
    xlsx: bool,
) -> Page {
    kaohe_app::whatif::check(&st.store, &a.user, data_id)
        .await
        .or_page(a)?;
    let x = assessment_of(st, a, id).await?;
    let mut data_options = Vec::new();
    let mut rubric_options = Vec::new();
    for row in st.store.assessments().await.or_page(a)? {
        if may_see_results(&a.user, row.stage) {
            data_options.push(json!({ "id": row.id, "title": row.title, "year": row.year }));
        }
        rubric_options.push(json!({ "id": row.id, "label": format!("“{}”所用的细则", row.title) }));
    }
    let mut page = WhatIfPage {
        frame: Frame::of(Some(a)),
        a: json!({ "id": id, "title": x.title }),
        data_id,
        data_options,
        rubric_options,
        rubric_pick: None,
        draft_name: None,
        draft_text: None,
        draft_problems: None,
        w: None,
    };
    let Some(other) = other else {
        return Ok(render("whatif.html", page));
    };
    match &other {
        Other::Stored(rid) => page.rubric_pick = Some(*rid),
        Other::Draft { name, text } => {
            page.draft_name = Some(name.clone());
            page.draft_text = Some(text.clone());
        }
    }
    let (w, title) = match kaohe_app::whatif::run(&st.store, &a.user, data_id, &other).await {
        Ok(x) => x,
        Err(Refused::Store(e)) => return Err(PageError::store(a, e)),
        Err(Refused::Draft(problems)) => {
            page.draft_problems = Some(problems.iter().map(|p| p.to_string()).collect());
            let mut resp = render("whatif.html", page);
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(resp);
        }
    };
    if xlsx {
        return Ok(xlsx_download(
            kaohe_report::xlsx::whatif_workbook(&w),
            &format!("{title}-方案对比.xlsx"),
        ));
    }
    page.w = Some(w);
    Ok(render("whatif.html", page))
}

/// 方案对比's context: the choices of data and rubric, the draft typed (and its problems), and the
/// comparison when one was made.
#[derive(serde::Serialize)]
struct WhatIfPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    a: Value,
    data_id: i64,
    data_options: Vec<Value>,
    rubric_options: Vec<Value>,
    rubric_pick: Option<i64>,
    draft_name: Option<String>,
    draft_text: Option<String>,
    draft_problems: Option<Vec<String>>,
    w: Option<kaohe_report::whatif::WhatIf>,
}
