//! 考核: an assessment's page (league table, charts, exports, stage moves) and its rubric.

use super::*;
use kaohe_store::policy;

#[derive(Deserialize, Default)]
pub(super) struct Msg {
    pub(super) msg: Option<String>,
    /// What a refused 更正 left to fix (shown as an error in the 更正 form, where the page opens).
    pub(super) error: Option<String>,
    /// A 更正 done: what it sealed (shown atop the sealed versions, where the page opens).
    pub(super) corrected: Option<String>,
    /// The league's page, its length and order (see [`kaohe_app::results::Paging`]).
    pub(super) page: Option<String>,
    pub(super) per_page: Option<String>,
    pub(super) sort: Option<String>,
    /// What a refused 更正 had typed, shown again in its form.
    #[serde(flatten)]
    pub(super) typed: Typed,
}

/// The 更正 form as typed: unit, clause, 最终分 and reason.
#[derive(Deserialize, serde::Serialize, Default)]
pub(super) struct Typed {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    clause: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    why: String,
}

/// What the assessment page says besides itself: a notice, a refused 更正's reason with what it had
/// typed, a done 更正's notice.
#[derive(Default)]
struct Said {
    notice: Option<String>,
    error: Option<String>,
    corrected: Option<String>,
    typed: Typed,
}

/// The assessment page's context. The league rows are the DATA.md §3 report's own unit rows (the
/// chart reads them too), with whether the reader may open each unit.
#[derive(serde::Serialize)]
struct AssessmentPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    a: AssessmentHead<'a>,
    next_stage: Option<StageChoice>,
    sealed: Vec<SealedView>,
    /// The 更正 form (admin, 定档): the units and the clauses a 最终分 is typed for.
    correction: Option<CorrectionForm>,
    /// A refused 更正's reason, shown in its form; a done one's notice, atop the sealed versions.
    correct_error: Option<String>,
    corrected: Option<String>,
    is_admin: bool,
    can_grid: bool,
    can_whatif: bool,
    /// The export links (汇总表, 扣分明细, every 考核反馈单), for who may download them.
    can_export: bool,
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

/// A sealed version as the page shows it: when (Beijing time), by whom, why, what it changed from
/// the version before (in words), and its hash apart (校验信息).
#[derive(serde::Serialize)]
struct SealedView {
    version: i64,
    at: String,
    by: String,
    reason: String,
    sha256: String,
    changes: Vec<String>,
}

/// The 更正 form's choices.
#[derive(serde::Serialize)]
struct CorrectionForm {
    units: Vec<(String, String)>,
    clauses: Vec<(String, String)>,
    typed: Typed,
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
    // A 更正 comes back to its form (refused) or to the sealed versions (done), its words there.
    let said = Said {
        notice: msg.msg,
        error: msg.error,
        corrected: msg.corrected,
        typed: msg.typed,
    };
    assessment_page(&st, &a, id, said, Vec::new(), paging).await
}

/// The assessment page with a notice, a refused 更正's reason and a done one's notice, and — when a
/// move on was refused for it — the unfinished work with the override's own box and reason.
async fn assessment_page(
    st: &AppState,
    a: &Authed,
    id: i64,
    said: Said,
    unfinished: Vec<String>,
    paging: kaohe_app::results::Paging,
) -> Page {
    let x = assessment_of(st, a, id).await?;
    let admin = a.user.role == Role::Admin;
    let visible = may_see_results(&a.user, x.stage);
    let Said {
        notice,
        error,
        corrected,
        typed,
    } = said;
    let correction = policy::check(&a.user, policy::Action::Correct, x.stage, None, false).is_ok();
    // Beside the 更正 form when it is shown (else atop the page).
    let (error, correct_error) = match correction {
        true => (None, error),
        false => (error, None),
    };
    let mut page = AssessmentPage {
        frame: Frame::of(Some(a)).notice(notice).error(error),
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
        sealed: sealed_views(st, a, &x).await?,
        correct_error,
        corrected,
        correction: correction.then(|| CorrectionForm {
            typed,
            units: Vec::new(),
            clauses: x
                .rubric
                .clauses
                .iter()
                .filter(|c| matches!(c.rule, kaohe_core::rubric::Rule::Judgement))
                .map(|c| (c.id.to_string(), format!("{} {}", c.id, c.title)))
                .collect(),
        }),
        is_admin: admin,
        can_grid: matches!(a.user.role, Role::Admin | Role::Assessor),
        can_whatif: kaohe_app::whatif::may_use(&a.user, x.stage),
        can_export: kaohe_app::results::may_export(&a.user, x.stage),
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
    if let Some(form) = &mut page.correction {
        form.units = st
            .store
            .units(id)
            .await
            .or_page(a)?
            .into_iter()
            .map(|u| (u.code, u.name))
            .collect();
    }
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
                row["link"] = json!(policy::may_open_unit(&a.user, x.stage, &u.code));
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
                link: policy::may_open_unit(&a.user, x.stage, &u.code),
                code: u.code,
                name: u.name,
            })
            .collect();
    }
    Ok(render("assessment.html", page))
}

/// The sealed versions, each with what it changed from the one before, as `a` may read it.
async fn sealed_views(
    st: &AppState,
    a: &Authed,
    x: &kaohe_store::store::Assessment,
) -> Result<Vec<SealedView>, PageError> {
    let sealed = st.store.sealed(x.id).await.or_page(a)?;
    if sealed.is_empty() {
        return Ok(Vec::new());
    }
    let units = st.store.units(x.id).await.or_page(a)?;
    let name = |code: &str| {
        units
            .iter()
            .find(|u| u.code == code)
            .map(|u| u.name.clone())
    };
    let mut out = Vec::new();
    let mut before: Option<i64> = None;
    for v in sealed {
        let changes = match before {
            Some(b) => kaohe_app::sealing::diff(&st.store, &a.user, x.id, b, v.version)
                .await
                .or_page(a)?
                .iter()
                .map(|c| kaohe_app::sealing::change_words(c, name))
                .collect(),
            None => Vec::new(),
        };
        before = Some(v.version);
        out.push(SealedView {
            version: v.version,
            at: kaohe_core::time::beijing(&v.sealed_at),
            by: v.sealed_by,
            reason: v.reason,
            sha256: v.sha256,
            changes,
        });
    }
    Ok(out)
}

/// 更正 (admin, 定档): a clause's 最终分 set with the reason and the result sealed again; back to the
/// assessment page, where the new version shows what it changed.
pub(super) async fn correct_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    body: String,
) -> Page {
    let f = posted(&a, &body)?;
    let get = |k: &str| f.get(k).map(|v| v.trim()).unwrap_or_default();
    let target = match (get("unit"), get("clause")) {
        ("", _) | (_, "") => None,
        (u, c) => Some((u, c)),
    };
    let done = kaohe_app::sealing::correct_score(
        &st.store,
        &a.user,
        id,
        target,
        get("score"),
        get("why"),
        &st.now(),
    )
    .await;
    // Refused: back to the form with its reason and what was typed; done: to the sealed versions.
    let (query, at) = match done {
        Ok((sealed, changes)) => (
            serde_urlencoded::to_string([(
                "corrected",
                format!(
                    "已更正，结果已封存为第 {} 版（{} 项变化，见下）",
                    sealed.version,
                    changes.len()
                ),
            )]),
            "sealed",
        ),
        Err(e) => (
            serde_urlencoded::to_string([
                (
                    "error",
                    format!("未更正：{}", crate::error::AppError::from(e).message),
                ),
                ("unit", get("unit").to_string()),
                ("clause", get("clause").to_string()),
                ("score", get("score").to_string()),
                ("why", get("why").to_string()),
            ]),
            "correct",
        ),
    };
    Ok(Redirect::to(&format!("/a/{id}?{}#{at}", query.unwrap_or_default())).into_response())
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
    let staged = crate::imports::staged_names(&st, id);
    match kaohe_app::sealing::advance(&st.store, &a.user, id, to, &why, go_on, &staged, &now).await
    {
        Ok(moved) => back(&moved.message()),
        Err(kaohe_store::StoreError::Unfinished { items, .. }) => {
            let paging = kaohe_app::results::Paging::default();
            let mut r = assessment_page(&st, &a, id, Said::default(), items, paging).await?;
            *r.status_mut() = StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => back(&crate::error::AppError::from(e).message),
    }
}
