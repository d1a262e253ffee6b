//! 评分表: the grid of units × judgement clauses for whom may score them.

use super::*;

/// 评分表 (admin, assessors): the units one may score × the 评定 clauses, one cell per score with its
/// reason; cells save through the score API with the version they showed (a change made meanwhile by
/// someone else comes back as a conflict with the current value, never an overwrite).
pub(super) async fn grid_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
) -> Page {
    if !matches!(a.user.role, Role::Admin | Role::Assessor) {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            Some(&a),
            "只有管理员和考核员可以使用评分表",
        ));
    }
    let x = assessment_of(&st, &a, id).await?;
    let clauses: Vec<&kaohe_core::rubric::Clause> = x
        .rubric
        .clauses
        .iter()
        .filter(|c| matches!(c.rule, kaohe_core::rubric::Rule::Judgement))
        .collect();
    let mut rows = Vec::new();
    for u in st.store.units(id).await.or_page(&a)? {
        let mine = a.user.role == Role::Admin
            || st.store.assigned(id, &a.user, &u.code).await.or_page(&a)?;
        if !mine {
            continue;
        }
        let scores = st.store.scores(&a.user, id, &u.code).await.or_page(&a)?;
        let cells: Vec<Value> = clauses
            .iter()
            .map(|c| {
                let s = scores
                    .iter()
                    .find(|s| s.clause_id == *c.id && s.ledger == Ledger::Assessor);
                json!({
                    "clause": &*c.id, "max": c.max.normalize().to_string(),
                    "score": s.map(|s| s.score.clone()), "reason": s.map(|s| s.reason.clone()),
                    "version": s.map(|s| s.version),
                })
            })
            .collect();
        rows.push(json!({ "code": u.code, "name": u.name, "cells": cells }));
    }
    let page = GridPage {
        frame: Frame::of(Some(&a)),
        a_id: id,
        title: &x.title,
        stage_label: x.stage.label(),
        editable: x.stage == Stage::Review,
        clauses: clauses
            .iter()
            .map(|c| GridClause {
                id: &c.id,
                title: &c.title,
                max: c.max.normalize().to_string(),
            })
            .collect(),
        rows,
    };
    Ok(render("grid.html", page))
}

/// 评分表's context: the 评定 clauses as columns, a row per unit one may score.
#[derive(serde::Serialize)]
struct GridPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    a_id: i64,
    title: &'a str,
    stage_label: &'static str,
    editable: bool,
    clauses: Vec<GridClause<'a>>,
    rows: Vec<Value>,
}

#[derive(serde::Serialize)]
struct GridClause<'a> {
    id: &'a str,
    title: &'a str,
    max: String,
}
