//! 考核: an assessment's page (league table, charts, exports, stage moves) and its rubric.

use super::*;

#[derive(Deserialize, Default)]
pub(super) struct Msg {
    pub(super) msg: Option<String>,
}

pub(super) async fn assessment(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    Query(msg): Query<Msg>,
) -> Page {
    let x = assessment_of(&st, &a, id).await?;
    let units = st.store.units(id).await.or_page(&a)?;
    let mut ctx = base(Some(&a));
    ctx["a"] = json!({ "id": id, "title": x.title, "stage_label": x.stage.label(), "rubric_title": x.rubric.title, "rubric_id": x.rubric.id, "sha256": x.rubric.sha256 });
    if a.user.role == Role::Admin
        && let Some(n) = x.stage.next()
    {
        ctx["next_stage"] = json!({ "key": n.key(), "label": n.label() });
    }
    ctx["sealed"] = json!(st.store.sealed(id).await.or_page(&a)?);
    ctx["is_admin"] = json!(a.user.role == Role::Admin);
    ctx["can_grid"] = json!(matches!(a.user.role, Role::Admin | Role::Assessor));
    ctx["can_whatif"] = json!(a.user.role != Role::Reporter && may_see_results(&a.user, x.stage));
    ctx["notice"] = json!(msg.msg);
    if may_see_results(&a.user, x.stage) {
        let results = kaohe_app::results::of(&st.store, &a.user, id)
            .await
            .or_page(&a)?;
        let scored = results.scored();
        let report = serde_json::to_value(kaohe_report::json::report(&scored, &[]))
            .expect("a report serialises");
        let league: Vec<Value> = report["units"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|u| {
                let link = Store::may_read_unit(&a.user, u["code"].as_str().unwrap_or_default());
                json!({ "rank": u["rank"], "code": u["code"], "name": u["name"], "kind": u["kind"], "base": u["base"], "bonus": u["bonus"], "total": u["total"], "complete": u["complete"], "link": link })
            })
            .collect();
        let max: f64 = x.rubric.max_total.to_string().parse().unwrap_or(1.0);
        ctx["chart"] = json!(league_chart(&league, max));
        let totals: Vec<_> = scored.units.iter().map(|r| r.total).collect();
        let bins = crate::charts::bins(&totals, 8);
        ctx["distribution"] = json!(crate::charts::distribution_chart(&bins, x.rubric.precision));
        ctx["league"] = json!(league);
    } else {
        ctx["hidden_reason"] = json!(format!("结果尚未公示（当前为“{}”阶段）。", x.stage.label()));
        ctx["units"] = json!(units.iter().map(|u| json!({ "code": u.code, "name": u.name, "link": Store::may_read_unit(&a.user, &u.code) })).collect::<Vec<_>>());
    }
    Ok(render("assessment.html", ctx))
}

pub(super) async fn rubric(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
) -> Page {
    let x = assessment_of(&st, &a, id).await?;
    let r = &x.rubric;
    let indicators: Vec<Value> = r
        .indicators
        .iter()
        .enumerate()
        .map(|(ii, ind)| {
            let clauses: Vec<Value> = r
                .clauses
                .iter()
                .filter(|c| c.indicator == ii)
                .map(|c| {
                    json!({ "id": &*c.id, "item": ind.items[c.item].name, "max": if c.is_bonus() { "加分".to_string() } else { c.max.normalize().to_string() }, "methods": c.methods.iter().map(|m| m.label()).collect::<Vec<_>>().join("、"), "text": c.text, "rule": r.describe_rule(c), "checkpoints": c.checkpoints })
                })
                .collect();
            json!({ "id": ind.id, "name": ind.name, "max": ind.max.normalize().to_string(), "clauses": clauses })
        })
        .collect();
    let mut ctx = base(Some(&a));
    ctx["r"] = json!({ "title": r.title, "id": r.id, "version": r.version, "max_total": r.max_total.normalize().to_string(), "sha256": r.sha256, "indicators": indicators });
    Ok(render("rubric.html", ctx))
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
    match kaohe_app::sealing::advance(&st.store, &a.user, id, to, &why, &st.now()).await {
        Ok(moved) => back(&moved.message()),
        Err(e) => back(&crate::error::AppError::from(e).message),
    }
}
