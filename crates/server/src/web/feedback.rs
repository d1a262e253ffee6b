//! 考核反馈单: one unit's printable form and its PDF.

use super::*;

/// A unit's 考核反馈单, for who may read the unit once the result may be seen; otherwise the page
/// that says why not.
pub(super) async fn feedback_of(
    st: &AppState,
    headers: &HeaderMap,
    id: i64,
    unit: &str,
) -> Result<kaohe_report::feedback::Feedback, Response> {
    let a = signed_in(st, headers).await?;
    if !Store::may_read_unit(&a.user, unit) {
        return Err(page_error(
            StatusCode::FORBIDDEN,
            Some(&a),
            &format!(
                "{}（{}）无权查看单位 {unit} 的考核表",
                a.user.name,
                a.user.role.label()
            ),
        ));
    }
    let x = assessment_or_page(st, &a, id).await?;
    if !may_see_results(&a.user, x.stage) {
        return Err(page_error(
            StatusCode::FORBIDDEN,
            Some(&a),
            &format!("结果尚未公示（当前为“{}”阶段）", x.stage.label()),
        ));
    }
    let inputs = inputs_or_page(st, &a, id).await?;
    let scored = kaohe_core::score(&x.rubric, &inputs);
    let Some(r) = scored.units.iter().find(|r| *scored.unit(r).code == *unit) else {
        return Err(page_error(
            StatusCode::NOT_FOUND,
            Some(&a),
            &format!("本次考核中没有单位“{unit}”"),
        ));
    };
    Ok(kaohe_report::feedback::Feedback::of(
        &x.title,
        x.stage.label(),
        &scored,
        r,
    ))
}

/// 考核反馈单: one unit's result on A4 — every clause with its score and reason, total and rank,
/// signature and date lines — as a page to print.
pub(super) async fn feedback(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
) -> Response {
    let f = match feedback_of(&st, &headers, id, &unit).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    render(
        "feedback.html",
        json!({ "f": &f, "heading": f.heading(), "subtitle": f.subtitle(), "a_id": id }),
    )
}

/// The same 考核反馈单 as a PDF (A4, font embedded), made on the server without a browser.
pub(super) async fn feedback_pdf(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
) -> Response {
    let f = match feedback_of(&st, &headers, id, &unit).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let name = format!("{}-{}-考核反馈单.pdf", f.unit.code, f.unit.name);
    pdf_download(name, move || kaohe_report::pdf::feedback_pdf(&f)).await
}

/// A PDF made off the async threads (laying out and subsetting take a few ms a form), as a
/// download named `name`; a failure is a page saying so.
pub(super) async fn pdf_download(
    name: String,
    make: impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static,
) -> Response {
    match tokio::task::spawn_blocking(make).await {
        Ok(Ok(bytes)) => attachment(bytes, "application/pdf", &name),
        Ok(Err(e)) => page_error(StatusCode::INTERNAL_SERVER_ERROR, None, &e),
        Err(_) => page_error(StatusCode::INTERNAL_SERVER_ERROR, None, "PDF 生成中断"),
    }
}
