//! 考核反馈单: one unit's printable form and its PDF.

use super::*;

/// 考核反馈单's context: the form (kaohe-report's, as the PDF prints it) with its headings. A page to
/// print, so without the frame of the other pages.
#[derive(serde::Serialize)]
struct FeedbackPage<'a> {
    f: &'a kaohe_report::feedback::Feedback,
    heading: String,
    subtitle: String,
    a_id: i64,
}

/// 考核反馈单: one unit's result on A4 — every clause with its score and reason, total and rank,
/// signature and date lines — as a page to print.
pub(super) async fn feedback(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit)): Path<(i64, String)>,
) -> Page {
    let f = kaohe_app::results::feedback(&st.store, &a.user, id, &unit)
        .await
        .or_page(&a)?;
    let page = FeedbackPage {
        heading: f.heading(),
        subtitle: f.subtitle(),
        f: &f,
        a_id: id,
    };
    Ok(render("feedback.html", page))
}

/// The same 考核反馈单 as a PDF (A4, font embedded), made on the server without a browser.
pub(super) async fn feedback_pdf(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit)): Path<(i64, String)>,
) -> Page {
    let f = kaohe_app::results::feedback(&st.store, &a.user, id, &unit)
        .await
        .or_page(&a)?;
    let name = format!("{}-{}-考核反馈单.pdf", f.unit.code, f.unit.name);
    Ok(pdf_download(name, move || kaohe_report::pdf::feedback_pdf(&f)).await)
}

/// A PDF made off the async threads (laying out and subsetting take a few ms a form), at most one
/// per core at once ([`kaohe_app::heavy`]), as a download named `name`; a failure is a page saying
/// so, a full queue a 503 saying to try again.
pub(super) async fn pdf_download(
    name: String,
    make: impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static,
) -> Response {
    match kaohe_app::heavy::run(make).await {
        Ok(Ok(bytes)) => attachment(bytes, "application/pdf", &name),
        Ok(Err(e)) => page_error(StatusCode::INTERNAL_SERVER_ERROR, None, &e),
        Err(kaohe_store::StoreError::Busy(m)) => {
            page_error(StatusCode::SERVICE_UNAVAILABLE, None, &m)
        }
        Err(_) => page_error(StatusCode::INTERNAL_SERVER_ERROR, None, "PDF 生成中断"),
    }
}
