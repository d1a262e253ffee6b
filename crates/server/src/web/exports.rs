//! 导出: the whole result as XLSX, CSV and one PDF of every unit's form, for who may export.

use super::*;

pub(super) fn attachment(bytes: Vec<u8>, mime: &'static str, name: &str) -> Response {
    let encoded = kaohe_store::url::percent_encode(name, b"._-");
    let mut r = bytes.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, header::HeaderValue::from_static(mime));
    if let Ok(v) = format!("attachment; filename*=UTF-8''{encoded}").parse() {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// 汇总表, 扣分明细 and 原始数据 as XLSX (DATA.md §3).
pub(super) async fn export_xlsx(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
) -> Page {
    let results = kaohe_app::results::for_export(&st.store, &a.user, id)
        .await
        .or_page(&a)?;
    let name = format!("{}汇总表.xlsx", results.assessment().title);
    // Rendered off the request threads, at most one per core at once.
    let book = kaohe_app::heavy::run(move || {
        kaohe_report::xlsx::workbook(results.scored(), &[]).map_err(|e| e.to_string())
    })
    .await
    .or_page(&a)?;
    Ok(xlsx_download(book, &name))
}

/// A workbook as a download, or the failure logged and a 500 in Chinese.
pub(super) fn xlsx_download(book: Result<Vec<u8>, impl std::fmt::Display>, name: &str) -> Response {
    match book {
        Ok(bytes) => attachment(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            name,
        ),
        Err(e) => {
            eprintln!("kaohe-server: xlsx: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "导出失败，请联系管理员").into_response()
        }
    }
}

/// Every unit's 考核反馈单 in one PDF, in rank order, to print them all at once (who may export).
pub(super) async fn export_feedback_pdf(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
) -> Page {
    let results = kaohe_app::results::for_export(&st.store, &a.user, id)
        .await
        .or_page(&a)?;
    let name = format!("{}考核反馈单（全部单位）.pdf", results.assessment().title);
    Ok(pdf_download(name, move || {
        kaohe_report::pdf::feedback_pdfs(&results.feedbacks())
    })
    .await)
}

/// A CSV cell that no spreadsheet runs as a formula.
pub(super) fn csv_safe(s: &str) -> String {
    kaohe_core::text::csv_safe(s).into_owned()
}

/// 汇总表 as CSV (UTF-8 with BOM, so that Excel opens the Chinese right).
pub(super) async fn export_csv(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
) -> Page {
    let results = kaohe_app::results::for_export(&st.store, &a.user, id)
        .await
        .or_page(&a)?;
    let (x, scored) = (results.assessment(), results.scored());
    let dp = x.rubric.precision;
    let mut out = String::from("\u{feff}排名,单位编码,单位名称,类型");
    for ind in &x.rubric.indicators {
        out.push_str(&format!(",{} {}", ind.id, ind.name));
    }
    // The rubric-level shapes' columns only where the rubric has them (rudong-2021's CSV as before).
    let penalty = kaohe_report::shapes::has_penalty(&x.rubric);
    let grades = kaohe_report::shapes::grades(&x.rubric);
    out.push_str(",基础分,加分");
    if penalty {
        out.push_str(",扣分项");
    }
    out.push_str(",总分,完整");
    if grades {
        out.push_str(",档次");
    }
    out.push('\n');
    for u in &scored.units {
        let unit = scored.unit(u);
        let mut row = vec![
            // 未完成 for a unit not ranked, 镇、街道组 第1名 within groups, never 0.
            csv_safe(&kaohe_report::shapes::rank_cell(scored, u)),
            csv_safe(&unit.code),
            csv_safe(&unit.name),
            csv_safe(&unit.kind),
        ];
        for i in 0..x.rubric.indicators.len() {
            row.push(kaohe_report::fixed(scored.indicator_score(u, i), dp));
        }
        row.extend([
            kaohe_report::fixed(u.base, dp),
            kaohe_report::fixed(u.bonus, dp),
        ]);
        if penalty {
            row.push(kaohe_report::shapes::minus(u.penalty, dp));
        }
        row.extend([
            kaohe_report::fixed(u.total, dp),
            if u.complete {
                "是".into()
            } else {
                "否".into()
            },
        ]);
        if let Some(g) = kaohe_report::shapes::grade_cell(scored, u) {
            row.push(csv_safe(&g));
        }
        let quoted: Vec<String> = row
            .iter()
            .map(|c| {
                if c.contains([',', '"', '\n']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    Ok(attachment(
        out.into_bytes(),
        "text/csv; charset=utf-8",
        &format!("{}汇总表.csv", x.title),
    ))
}
