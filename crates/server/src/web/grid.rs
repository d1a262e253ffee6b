//! 评分表: the grid of units × judgement clauses for whom may score them — a page of the units a
//! person works on (an assessor his assigned units; the admin every unit, by kind, ranking group or
//! search), read in a fixed number of queries ([`kaohe_store::Store::grid_rows`]).

use super::*;
use kaohe_store::{GridFilter, GridRows};

/// Units on one page of the grid.
const PER_PAGE: u32 = 50;

/// The grid's query string: every field text, read leniently (a page that is not a number is page 1).
#[derive(Deserialize, Default)]
pub(super) struct GridQuery {
    /// 单位类型.
    #[serde(default)]
    kind: String,
    /// 排名组, by its name (`镇、街道`).
    #[serde(default)]
    group: String,
    /// Part of a unit's name or code.
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

/// 评分表 (admin, assessors): a page of the units one may score × the 评定 clauses, one cell per score
/// with its reason; cells save through the score API with the version they showed (a change made
/// meanwhile by someone else comes back as a conflict: the typed values stay, the other value is
/// shown beside them). An unscored clause is an empty cell, never a default.
pub(super) async fn grid_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<GridQuery>,
) -> Page {
    if !matches!(a.user.role, Role::Admin | Role::Assessor) {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            Some(&a),
            "只有管理员和考核员可以使用评分表",
        ));
    }
    let x = assessment_of(&st, &a, id).await?;
    let shapes = &x.rubric.shapes;
    let group = shapes
        .ranking_groups
        .iter()
        .find(|g| g.name == q.group.trim());
    let kind = Some(q.kind.trim()).filter(|k| !k.is_empty());
    let kinds = match (kind, group) {
        (None, None) => None,
        (Some(k), None) => Some(vec![k.to_string()]),
        (None, Some(g)) => Some(g.kinds.clone()),
        (Some(k), Some(g)) => Some(g.kinds.iter().filter(|g| *g == k).cloned().collect()),
    };
    let search: String =
        q.q.trim()
            .chars()
            .take(kaohe_store::GRID_MAX_SEARCH)
            .collect();
    let filter = GridFilter {
        kinds,
        search: search.clone(),
        page: q.page.trim().parse().unwrap_or(1),
        per_page: PER_PAGE,
    };
    let rows = st.store.grid_rows(&a.user, id, &filter).await.or_page(&a)?;
    let clauses: Vec<&kaohe_core::rubric::Clause> = x
        .rubric
        .clauses
        .iter()
        .filter(|c| matches!(c.rule, kaohe_core::rubric::Rule::Judgement))
        .collect();
    let units = rows
        .units
        .iter()
        .map(|g| GridRow {
            code: &g.unit.code,
            name: &g.unit.name,
            assessors: g.assessors.join("、"),
            cells: clauses
                .iter()
                .map(|c| {
                    let s = g.scores.iter().find(|s| s.clause_id == *c.id);
                    GridCell {
                        clause: &c.id,
                        applies: c
                            .applies_to
                            .as_ref()
                            .is_none_or(|k| k.contains(&g.unit.kind)),
                        score: s.map(|s| s.score.as_str()),
                        reason: s.map(|s| s.reason.as_str()),
                        version: s.map(|s| s.version),
                    }
                })
                .collect(),
        })
        .collect();
    let page = GridPage {
        frame: Frame::of(Some(&a)),
        a_id: id,
        title: &x.title,
        stage_label: x.stage.label(),
        editable: x.stage == Stage::Review,
        admin: a.user.role == Role::Admin,
        clauses: clauses
            .iter()
            .map(|c| GridClause {
                id: &c.id,
                title: &c.title,
                max: c.max.normalize().to_string(),
            })
            .collect(),
        kinds: &rows.kinds,
        groups: shapes
            .ranking_groups
            .iter()
            .map(|g| g.name.as_str())
            .collect(),
        kind: kind.unwrap_or(""),
        group: group.map(|g| g.name.as_str()).unwrap_or(""),
        q: &search,
        paging: Paging::of(
            &rows,
            kind.unwrap_or(""),
            group.map(|g| g.name.as_str()),
            &search,
        ),
        units,
    };
    Ok(render("grid.html", page))
}

/// 评分表's context: the 评定 clauses as columns, a row per unit of the page.
#[derive(serde::Serialize)]
struct GridPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    a_id: i64,
    title: &'a str,
    stage_label: &'static str,
    editable: bool,
    /// The admin sees every unit (and who is assigned to each); an assessor his own.
    admin: bool,
    clauses: Vec<GridClause<'a>>,
    /// The kinds of the units one may see, and the rubric's ranking groups (for the filters).
    kinds: &'a [String],
    groups: Vec<&'a str>,
    /// The filter as chosen.
    kind: &'a str,
    group: &'a str,
    q: &'a str,
    paging: Paging,
    units: Vec<GridRow<'a>>,
}

#[derive(serde::Serialize)]
struct GridClause<'a> {
    id: &'a str,
    title: &'a str,
    max: String,
}

#[derive(serde::Serialize)]
struct GridRow<'a> {
    code: &'a str,
    name: &'a str,
    /// 考核员 assigned, joined with 、 (shown to the admin).
    assessors: String,
    cells: Vec<GridCell<'a>>,
}

#[derive(serde::Serialize)]
struct GridCell<'a> {
    clause: &'a str,
    /// Whether the clause applies to the unit's kind (`适用单位类型`); 不适用 otherwise.
    applies: bool,
    score: Option<&'a str>,
    reason: Option<&'a str>,
    version: Option<i64>,
}

/// 第 x / y 页 with the links to the pages before and after, keeping the filter.
#[derive(serde::Serialize)]
struct Paging {
    total: String,
    page: u32,
    pages: u32,
    first: u64,
    last: u64,
    prev: Option<String>,
    next: Option<String>,
}

impl Paging {
    fn of(rows: &GridRows, kind: &str, group: Option<&str>, q: &str) -> Paging {
        let link = |page: u32| {
            let mut parts = Vec::new();
            for (k, v) in [("kind", kind), ("group", group.unwrap_or("")), ("q", q)] {
                if !v.is_empty() {
                    parts.push(format!(
                        "{k}={}",
                        kaohe_store::url::percent_encode(v, b"-._~")
                    ));
                }
            }
            parts.push(format!("page={page}"));
            format!("?{}", parts.join("&"))
        };
        let pages = rows.pages();
        let first = u64::from(rows.page - 1) * u64::from(rows.per_page);
        Paging {
            total: kaohe_core::num::count(rows.total),
            page: rows.page,
            pages,
            first: (first + 1).min(rows.total),
            last: first + rows.units.len() as u64,
            prev: (rows.page > 1).then(|| link(rows.page - 1)),
            next: (rows.page < pages).then(|| link(rows.page + 1)),
        }
    }
}
