//! 工作台: the assessments a person may open, with their progress.

use super::*;

pub(super) async fn dashboard(State(st): State<AppState>, SignedIn(a): SignedIn) -> Page {
    let mut list = Vec::new();
    for x in st.store.assessments().await.or_page(&a)? {
        let units = st.store.units(x.id).await.or_page(&a)?;
        let p = st.store.progress(x.id).await.or_page(&a)?;
        list.push(json!({ "id": x.id, "title": x.title, "stage_label": x.stage.label(), "rubric_id": x.rubric_id, "units": units.len(), "self_units": p.0, "scored": p.1, "open_objections": p.2 }));
    }
    let mut ctx = base(Some(&a));
    ctx["assessments"] = json!(list);
    ctx["own_unit"] = json!(a.user.unit_code);
    Ok(render("dashboard.html", ctx))
}
