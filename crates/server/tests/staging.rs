//! The import page (issue 13): staged files kept until committed or removed, listed after a reload
//! and replaced by kind; numeric survey codes as one problem naming the page's choice; title rows;
//! files of the wrong kind; the 考核期 picker's default.

use super::*;

/// Stages `bytes` as `kind` under `name` (percent-encoded by the caller when not ASCII): the answer.
async fn stage_file(a: &App, who: &Who, kind: &str, name: &str, bytes: Vec<u8>) -> Value {
    let (st, body, _) = a
        .raw(
            who,
            "POST",
            &format!("/api/assessments/{}/imports/stage", a.id),
            &[("x-kind", kind), ("x-file-name", name)],
            bytes,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

async fn staged_list(a: &App, who: &Who) -> Vec<Value> {
    let (st, v, _) = a
        .call(
            who,
            "GET",
            &format!("/api/assessments/{}/imports/staged", a.id),
            None,
            false,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["staged"].as_array().unwrap().clone()
}

async fn preview_of(a: &App, who: &Who, plan: Value) -> (StatusCode, Value) {
    let (st, v, _) = a
        .call(
            who,
            "POST",
            &format!("/api/assessments/{}/imports/preview", a.id),
            Some(plan),
            true,
        )
        .await;
    (st, v)
}

const CASES_HEADER: &str =
    "办件编号,事项编码,事项名称,行政区划,申报来源,办件类型,受理时间,承诺时限,时限单位,办结时间";

/// Issue 13: staged files stay until committed or removed, listed on the page after a reload with
/// their kind, name, size and Beijing upload time; a new upload of a kind replaces the old one;
/// each is removable; only an admin lists them.
pub(crate) async fn staged_files_survive_a_reload_are_replaced_by_kind_and_removable(db: Db) {
    let a = app(db).await;
    let id = a.id;
    // The export with a unit this assessment does not have, staged at 17:30 UTC (01:30 the next
    // day in Beijing).
    a.clock.store(T0 + 8 * 3600 + 30 * 60, Ordering::SeqCst);
    // (Sessions end after 30 idle minutes: signed in after the clock moves on.)
    let (admin, assessor) = (a.login("admin").await, a.login("wangfang").await);
    let bad = format!(
        "{CASES_HEADER}\nX1,001,户籍证明,320623999,2,2,2021-09-30 10:00:00,3,工作日,2021-10-12 09:00:00\n"
    );
    let first = stage_file(
        &a,
        &admin,
        "cases",
        "%E5%8A%9E%E4%BB%B6.csv",
        bad.into_bytes(),
    )
    .await;
    let survey = "单位,满意度\n320623001,96%\n320623100,0.98\n";
    let s = stage_file(
        &a,
        &admin,
        "survey",
        "survey.csv",
        survey.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(s["replaced"], json!([]));
    let list = staged_list(&a, &admin).await;
    let shown: Vec<(&str, &str, &str, &str)> = list
        .iter()
        .map(|f| {
            (
                f["kind_name"].as_str().unwrap(),
                f["name"].as_str().unwrap(),
                f["size"].as_str().unwrap(),
                f["uploaded"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("办件", "办件.csv", "216 字节", "2021年12月2日 01:30"),
            ("满意度测评", "survey.csv", "46 字节", "2021年12月2日 01:30"),
        ]
    );
    // A reload of the page lists both, each with its button.
    let (st, html) = page(&a, &admin, &format!("/a/{id}/import")).await;
    assert_eq!(st, StatusCode::OK);
    for text in [
        "办件.csv",
        "survey.csv",
        "216 字节",
        "2021年12月2日 01:30",
        "满意度测评",
    ] {
        assert!(html.contains(text), "{text} missing from the page");
    }
    assert_eq!(html.matches("class=\"remove-staged\"").count(), 2);
    assert!(html.contains("<p id=\"no-staged\" hidden>"));
    // The corrected export replaces the wrong one: one 办件 file staged, the preview reads only it
    // (no duplicate cases against the old one).
    a.clock.store(T0 + 3600, Ordering::SeqCst);
    let good = format!(
        "{CASES_HEADER}\nX1,001,户籍证明,320623001,2,2,2021-09-30 10:00:00,3,工作日,2021-10-12 09:00:00\n"
    );
    let second = stage_file(&a, &admin, "cases", "cases-fixed.csv", good.into_bytes()).await;
    assert_eq!(second["replaced"], json!(["办件.csv"]));
    let list = staged_list(&a, &admin).await;
    let names: Vec<&str> = list.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["cases-fixed.csv", "survey.csv"]);
    let tokens: Vec<&str> = list.iter().map(|f| f["token"].as_str().unwrap()).collect();
    let (st, v) = preview_of(&a, &admin, json!({ "tokens": tokens })).await;
    assert_eq!((st, v["ok"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    // The old token is gone.
    let (st, v) = preview_of(&a, &admin, json!({ "tokens": [first["token"]] })).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    // Only an admin lists what is staged.
    let (st, _, _) = a
        .call(
            &assessor,
            "GET",
            &format!("/api/assessments/{id}/imports/staged"),
            None,
            false,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // One removed with its button (cancel of its token): the other stays, after a reload too.
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/imports/cancel"),
            Some(json!({ "tokens": [second["token"]] })),
            true,
        )
        .await;
    assert_eq!((st, v["cancelled"].as_i64()), (StatusCode::OK, Some(1)));
    let names: Vec<String> = staged_list(&a, &admin)
        .await
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["survey.csv"]);
    let (_, html) = page(&a, &admin, &format!("/a/{id}/import")).await;
    assert!(!html.contains("cases-fixed.csv") && html.contains("survey.csv"));
    // Removing the last: the page says nothing is staged.
    a.call(
        &admin,
        "POST",
        &format!("/api/assessments/{id}/imports/cancel"),
        Some(json!({ "tokens": [s["token"]] })),
        true,
    )
    .await;
    assert!(staged_list(&a, &admin).await.is_empty());
    let (_, html) = page(&a, &admin, &format!("/a/{id}/import")).await;
    assert!(
        html.contains("<p id=\"no-staged\">还没有暂存的文件。</p>"),
        "{html}"
    );
    // A committed file is no longer staged.
    let good = format!(
        "{CASES_HEADER}\nX1,001,户籍证明,320623001,2,2,2021-09-30 10:00:00,3,工作日,2021-10-12 09:00:00\n"
    );
    let t = stage_file(&a, &admin, "cases", "c.csv", good.into_bytes()).await;
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/imports/commit"),
            Some(json!({ "tokens": [t["token"]] })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(staged_list(&a, &admin).await.is_empty());
}

/// Issue 13: 1,700 numeric survey codes without a direction are one problem with a count and the
/// first rows, naming the page's 评价代码方向 (never the command line's flag); with the choice made
/// they are read.
pub(crate) async fn numeric_survey_codes_are_one_problem_naming_the_pages_choice(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let mut csv = String::from("单位,评价\n");
    for i in 0..1700 {
        csv.push_str(&format!(
            "{},{}\n",
            ["320623001", "320623100"][i % 2],
            1 + i % 5
        ));
    }
    let t = stage_file(&a, &admin, "survey", "survey.csv", csv.into_bytes()).await;
    let plan = json!({ "tokens": [t["token"]], "start": "2021-01-01", "end": "2021-12-31" });
    let (st, v) = preview_of(&a, &admin, plan.clone()).await;
    assert_eq!(st, StatusCode::OK);
    let errors: Vec<&Value> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{v}");
    let p = errors[0];
    assert_eq!(
        (
            p["row"].as_i64(),
            p["column"].as_str(),
            p["value"].as_str(),
            p["message"].as_str()
        ),
        (
            Some(2),
            Some("评价"),
            Some("1"),
            Some(
                "评价为数字代码，但页面上的“评价代码方向”未选择：共 1700 行（第 2、3、4、5、6 行 等）"
            )
        )
    );
    assert!(
        p["expected"]
            .as_str()
            .unwrap()
            .contains("在“评价代码方向”中选择"),
        "{p}"
    );
    assert!(!v.to_string().contains("--rating-scale"), "{v}");
    // With the page's choice made, the codes are read.
    let mut plan = plan;
    plan["rating_scale"] = json!("gbt39046");
    let (_, v) = preview_of(&a, &admin, plan).await;
    assert_eq!(v["ok"], true, "{v}");
}

/// Issue 13: a title row above the header of an XLSX export is passed over, the page's answer
/// naming the row taken; a PDF, an image or a zip given as an export is named as what it is.
pub(crate) async fn a_title_row_is_passed_over_and_a_wrong_file_is_named_as_what_it_is(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "如东县2021年度办件明细表").unwrap();
    let row = "X1,001,户籍证明,320623001,2,2,2021-09-30 10:00:00,3,工作日,2021-10-12 09:00:00";
    for (r, line) in [CASES_HEADER, row].iter().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            ws.write_string(2 + r as u32, c as u16, cell).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let t = stage_file(&a, &admin, "cases", "cases.xlsx", bytes).await;
    let (st, v) = preview_of(&a, &admin, json!({ "tokens": [t["token"]] })).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        (v["ok"].as_bool(), v["rows"].as_i64()),
        (Some(true), Some(1)),
        "{v}"
    );
    assert!(
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["message"].as_str().unwrap().contains("已取第 3 行为表头") && p["row"] == 3),
        "{v}"
    );
    // Files that are no export, each named as what it is, whatever kind it was given as.
    let mut zip = Vec::new();
    {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut zip));
        w.start_file("办件.csv", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, CASES_HEADER.as_bytes()).unwrap();
        w.finish().unwrap();
    }
    for (kind, name, bytes, said) in [
        (
            "cases",
            "report.pdf",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec(),
            "这是一个 PDF 文件，不是办件导出表（应为 CSV 或 XLSX）",
        ),
        (
            "claims",
            "photo.png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            "这是一个 PNG 图片，不是事项认领导出表（应为 CSV 或 XLSX）",
        ),
        (
            "survey",
            "exports.zip",
            zip,
            "这是一个 ZIP 压缩包（不是 Excel 工作簿），不是满意度测评导出表（应为 CSV 或 XLSX）",
        ),
    ] {
        let t = stage_file(&a, &admin, kind, name, bytes).await;
        let (st, v) = preview_of(&a, &admin, json!({ "tokens": [t["token"]] })).await;
        assert_eq!((st, v["ok"].as_bool()), (StatusCode::OK, Some(false)));
        let ps = v["problems"].as_array().unwrap();
        assert_eq!(ps.len(), 1, "{v}");
        assert_eq!(
            (ps[0]["file"].as_str(), ps[0]["message"].as_str()),
            (Some(name), Some(said))
        );
        assert!(!v.to_string().contains("未知列"), "{v}");
    }
}

/// Issue 13: the 考核期 is two date fields defaulting to the assessment's year; a preview without
/// one reads that year; a wrong choice is named as the page's field.
pub(crate) async fn the_period_defaults_to_the_assessments_year_and_names_the_pages_field(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let (_, html) = page(&a, &admin, &format!("/a/{}/import", a.id)).await;
    assert!(
        html.contains(r#"<input type="date" id="period-start" value="2021-01-01""#)
            && html.contains(r#"<input type="date" id="period-end" value="2021-12-31""#),
        "{html}"
    );
    // A case accepted in 2021 on time and one in 2022 late: without a period only 2021 is read (no
    // overdue case); with the period widened to 2022 the late one counts.
    let csv = format!(
        "{CASES_HEADER}\nX1,001,户籍证明,320623001,2,2,2021-09-30 10:00:00,3,工作日,2021-10-01 09:00:00\nX2,001,户籍证明,320623001,2,2,2022-03-01 10:00:00,3,工作日,2022-03-10 09:00:00\n"
    );
    let t = stage_file(&a, &admin, "cases", "c.csv", csv.into_bytes()).await;
    let (_, v) = preview_of(&a, &admin, json!({ "tokens": [t["token"]] })).await;
    assert_eq!(
        (v["ok"].as_bool(), v["instances"].as_i64()),
        (Some(true), Some(0)),
        "{v}"
    );
    let (_, v) = preview_of(
        &a,
        &admin,
        json!({ "tokens": [t["token"]], "start": "2021-01-01", "end": "2022-12-31" }),
    )
    .await;
    assert_eq!(
        (v["ok"].as_bool(), v["instances"].as_i64()),
        (Some(true), Some(1)),
        "{v}"
    );
    for (start, end, said) in [
        (
            "2021-12-31",
            "2021-01-01",
            "考核期的截止日 2021-01-01 早于起始日 2021-12-31：请在“考核期”中重新选择",
        ),
        (
            "",
            "2021-12-31",
            "考核期的起始日未选择：请在“考核期”中选择日期",
        ),
    ] {
        let (st, v) = preview_of(
            &a,
            &admin,
            json!({ "tokens": [t["token"]], "start": start, "end": end }),
        )
        .await;
        assert_eq!(
            (st, v["error"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(said))
        );
    }
}
