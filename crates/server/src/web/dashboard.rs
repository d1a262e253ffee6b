//! 工作台: the assessments a person may open, with their progress.

use super::*;

pub(super) async fn dashboard(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let a = match signed_in(&st, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut list = Vec::new();
    for x in or_500!(st.store.assessments().await, a) {
        let units = or_500!(st.store.units(x.id).await, a);
        let p = or_500!(st.store.progress(x.id).await, a);
        list.push(json!({ "id": x.id, "title": x.title, "stage_label": x.stage.label(), "rubric_id": x.rubric_id, "units": units.len(), "self_units": p.0, "scored": p.1, "open_objections": p.2 }));
    }
    let mut ctx = base(Some(&a));
    ctx["assessments"] = json!(list);
    ctx["own_unit"] = json!(a.user.unit_code);
    render("dashboard.html", ctx)
}
