//! 考核: an assessment's page (league table, charts, exports, stage moves) and its rubric.

use super::*;

#[derive(Deserialize, Default)]
pub(super) struct Msg {
    pub(super) msg: Option<String>,
    /// The league's page, its length and order (see [`kaohe_app::results::Paging`]).
    pub(super) page: Option<String>,
    pub(super) per_page: Option<String>,
    pub(super) sort: Option<String>,
}

/// The assessment page's context. The league rows are the DATA.md §3 report's own unit rows (the
/// chart reads them too), with whether the reader may open each unit.
#[derive(serde::Serialize)]
struct AssessmentPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    a: AssessmentHead<'a>,
    next_stage: Option<StageChoice>,
    sealed: Vec<kaohe_store::store::Sealed>,
    is_admin: bool,
    can_grid: bool,
    can_whatif: bool,
    unfinished: Vec<String>,
    incomplete_note: Option<&'a str>,
    league: Option<Vec<Value>>,
    shapes: LeagueShapes,
    chart: Option<String>,
    distribution: Option<String>,
    hidden_reason: Option<String>,
    units: Vec<UnitLink>,
    /// Where the league's page stands, with links to the others, when it has more than one.
    paging: Option<PagingView>,
}

/// The league's paging controls: page n of m, its neighbours and the orders to choose from.
#[derive(serde::Serialize)]
struct PagingView {
    page: usize,
    pages: usize,
    per_page: usize,
    total_units: usize,
    sort: &'static str,
    prev: Option<usize>,
    next: Option<usize>,
    sorts: [(&'static str, &'static str); 4],
}

/// Which columns of the rubric-level shapes the league table has (none for rudong-2021).
#[derive(serde::Serialize, Default)]
struct LeagueShapes {
    /// A 扣分项 column, apart from 加分.
    penalty: bool,
    /// A 档次 column (bands or a veto grade).
    grades: bool,
}

/// An assessment's heading: its title, stage and rubric.
#[derive(serde::Serialize)]
struct AssessmentHead<'a> {
    id: i64,
    title: &'a str,
    stage_label: &'static str,
    rubric_title: &'a str,
    rubric_id: &'a str,
    sha256: &'a str,
}

/// The stage the admin may move on to.
#[derive(serde::Serialize)]
struct StageChoice {
    key: &'static str,
    label: &'static str,
}

/// A unit named before the result may be seen, linked when the reader may open it.
#[derive(serde::Serialize)]
struct UnitLink {
    code: String,
    name: String,
    link: bool,
}

pub(super) async fn assessment(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    Query(msg): Query<Msg>,
) -> Page {
    let paging = kaohe_app::results::Paging::parse(
        msg.page.as_deref(),
        msg.per_page.as_deref(),
        msg.sort.as_deref(),
    )
    .or_page(&a)?;
    assessment_page(&st, &a, id, msg.msg, Vec::new(), paging).await
}

/// The assessment page with a notice, and — when a move on was refused for it — the unfinished work
/// with the override's own box and reason.
async fn assessment_page(
    st: &AppState,
    a: &Authed,
    id: i64,
    notice: Option<String>,
    unfinished: Vec<String>,
    paging: kaohe_app::results::Paging,
) -> Page {
    let x = assessment_of(st, a, id).await?;
    let admin = a.user.role == Role::Admin;
    let visible = may_see_results(&a.user, x.stage);
    let mut page = AssessmentPage {
        frame: Frame::of(Some(a)).notice(notice),
        a: AssessmentHead {
            id,
            title: &x.title,
            stage_label: x.stage.label(),
            rubric_title: &x.rubric.title,
            rubric_id: &x.rubric.id,
            sha256: &x.rubric.sha256,
        },
        next_stage: x.stage.next().filter(|_| admin).map(|n| StageChoice {
            key: n.key(),
            label: n.label(),
        }),
        sealed: st.store.sealed(id).await.or_page(a)?,
        is_admin: admin,
        can_grid: matches!(a.user.role, Role::Admin | Role::Assessor),
        can_whatif: a.user.role != Role::Reporter && visible,
        unfinished,
        incomplete_note: x.incomplete_note.as_deref(),
        league: None,
        shapes: LeagueShapes::default(),
        chart: None,
        distribution: None,
        hidden_reason: None,
        units: Vec::new(),
        paging: None,
    };
    if visible {
        let results = kaohe_app::results::of(&st.store, &a.user, id)
            .await
            .or_page(a)?;
        // The page's units only (the kept result is not scored again while nothing changed).
        let scored = results.scored();
        let shown = results.page(&paging);
        let league: Vec<Value> = shown
            .rows
            .iter()
            .map(|&i| {
                let r = &scored.units[i];
                let u = kaohe_report::json::unit_out(scored, r);
                let notes = league_notes(scored, r, &u);
                let mut row = serde_json::to_value(&u).expect("a report row serialises");
                if let Some(o) = row.as_object_mut() {
                    o.remove("clauses");
                }
                row["link"] = json!(Store::may_read_unit(&a.user, &u.code));
                row["notes"] = json!(notes);
                if let Some(p) = &u.penalty {
                    row["penalty_shown"] = json!(penalty_shown(p));
                }
                row
            })
            .collect();
        if shown.pages > 1 {
            page.paging = Some(PagingView {
                page: shown.page,
                pages: shown.pages,
                per_page: shown.per_page,
                total_units: shown.total_units,
                sort: shown.sort.key(),
                prev: (shown.page > 1).then(|| shown.page - 1),
                next: (shown.page < shown.pages).then(|| shown.page + 1),
                sorts: [
                    ("rank", "按排名"),
                    ("total", "按总分"),
                    ("name", "按名称"),
                    ("code", "按代码"),
                ],
            });
        }
        page.shapes = LeagueShapes {
            penalty: kaohe_report::shapes::has_penalty(&x.rubric),
            grades: kaohe_report::shapes::grades(&x.rubric),
        };
        let max: f64 = x.rubric.max_total.to_string().parse().unwrap_or(1.0);
        page.chart = Some(league_chart(&league, max));
        let totals: Vec<_> = scored.units.iter().map(|r| r.total).collect();
        let bins = crate::charts::bins(&totals, 8);
        page.distribution = Some(crate::charts::distribution_chart(&bins, x.rubric.precision));
        page.league = Some(league);
    } else {
        page.hidden_reason = Some(format!("结果尚未公示（当前为“{}”阶段）。", x.stage.label()));
        page.units = st
            .store
            .units(id)
            .await
            .or_page(a)?
            .into_iter()
            .map(|u| UnitLink {
                link: Store::may_read_unit(&a.user, &u.code),
                code: u.code,
                name: u.name,
            })
            .collect();
    }
    Ok(render("assessment.html", page))
}

/// 备注 of a league row beyond 缺数据: 单项否决 and its reason, the 不适用 clauses, the 折算, and the
/// total's own line when the cap on the total cut it — each only where the rubric has the shape.
fn league_notes(
    s: &kaohe_core::Scored,
    r: &kaohe_core::result::UnitResult,
    u: &kaohe_report::json::UnitOut,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = &u.veto_reason {
        out.push(format!("单项否决：{v}"));
    }
    if !u.not_applicable.is_empty() {
        out.push(format!("不适用：{}", u.not_applicable.join("、")));
    }
    if let Some(p) = &u.prorated {
        out.push(p.clone());
    }
    if r.base + r.bonus - r.penalty != r.total {
        // Capped: the columns no longer add up to the total, so the line says why.
        out.push(format!("总分：{}", s.explain_total(r)));
    }
    out
}

/// 扣分项 as the table shows it: `−2.00`, or `0.00`.
fn penalty_shown(p: &str) -> String {
    if p.trim_start_matches(['0', '.']).is_empty() {
        p.to_string()
    } else {
        format!("−{p}")
    }
}

/// 细则's context: the rubric's heading and its indicators with their clauses.
#[derive(serde::Serialize)]
struct RubricPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    r: RubricView<'a>,
}

#[derive(serde::Serialize)]
struct RubricView<'a> {
    title: &'a str,
    id: &'a str,
    version: &'a str,
    max_total: String,
    sha256: &'a str,
    indicators: Vec<IndicatorView<'a>>,
}

#[derive(serde::Serialize)]
struct IndicatorView<'a> {
    id: &'a str,
    name: &'a str,
    max: String,
    clauses: Vec<ClauseView<'a>>,
}

/// One clause as the rubric page shows it: its text verbatim, its rule in Chinese.
#[derive(serde::Serialize)]
struct ClauseView<'a> {
    id: &'a str,
    item: &'a str,
    max: String,
    methods: String,
    text: &'a str,
    rule: String,
    checkpoints: &'a [String],
}

pub(super) async fn rubric(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
) -> Page {
    let x = assessment_of(&st, &a, id).await?;
    let r = &x.rubric;
    let indicators = r
        .indicators
        .iter()
        .enumerate()
        .map(|(ii, ind)| IndicatorView {
            id: &ind.id,
            name: &ind.name,
            max: ind.max.normalize().to_string(),
            clauses: r
                .clauses
                .iter()
                .filter(|c| c.indicator == ii)
                .map(|c| ClauseView {
                    id: &c.id,
                    item: &ind.items[c.item].name,
                    max: if c.is_bonus() {
                        "加分".to_string()
                    } else {
                        c.max.normalize().to_string()
                    },
                    methods: c
                        .methods
                        .iter()
                        .map(|m| m.label())
                        .collect::<Vec<_>>()
                        .join("、"),
                    text: &c.text,
                    rule: r.describe_rule(c),
                    checkpoints: &c.checkpoints,
                })
                .collect(),
        })
        .collect();
    let page = RubricPage {
        frame: Frame::of(Some(&a)),
        r: RubricView {
            title: &r.title,
            id: &r.id,
            version: &r.version,
            max_total: r.max_total.normalize().to_string(),
            sha256: &r.sha256,
            indicators,
        },
    };
    Ok(render("rubric.html", page))
}

/// 推进阶段 (admin), with a confirmation; into 定档 the result is sealed.
pub(super) async fn advance_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    body: String,
) -> Page {
    let f = posted(&a, &body)?;
    let back = |msg: &str| {
        Ok(Redirect::to(&format!(
            "/a/{id}?{}",
            serde_urlencoded::to_string([("msg", msg)]).unwrap_or_default()
        ))
        .into_response())
    };
    if f.get("confirm").map(String::as_str) != Some("yes") {
        return back("请勾选“确认推进”");
    }
    let why = f.get("why").cloned().unwrap_or_default();
    let Some(to) = f.get("to").and_then(|t| Stage::parse(t)) else {
        return back("未知阶段");
    };
    // The override is a consent of its own: its box ticked and its reason written.
    let go_on = match f.get("go_on").map(String::as_str) {
        Some("yes") => Some(f.get("go_on_why").map(|w| w.trim()).unwrap_or_default()),
        _ => None,
    };
    if go_on == Some("") {
        return back("勾选“未完成仍继续”时须写明继续的理由");
    }
    let now = st.now();
    match kaohe_app::sealing::advance(&st.store, &a.user, id, to, &why, go_on, &now).await {
        Ok(moved) => back(&moved.message()),
        Err(kaohe_store::StoreError::Unfinished { items, .. }) => {
            let paging = kaohe_app::results::Paging::default();
            let mut r = assessment_page(&st, &a, id, None, items, paging).await?;
            *r.status_mut() = StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => back(&crate::error::AppError::from(e).message),
    }
}
