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
    let mut ctx = base(Some(&a));
    ctx["a_id"] = json!(id);
    ctx["title"] = json!(x.title);
    ctx["stage_label"] = json!(x.stage.label());
    ctx["editable"] = json!(x.stage == Stage::Review);
    ctx["clauses"] =
        json!(clauses
        .iter()
        .map(|c| json!({ "id": &*c.id, "title": c.title, "max": c.max.normalize().to_string() }))
        .collect::<Vec<_>>());
    ctx["rows"] = json!(rows);
    Ok(render("grid.html", ctx))
}
