//! The import page's traps, in a real browser (issue 13 part 8), at 1366×768 and at 390×844: the
//! period picker shows the assessment's year; a PDF given as 办件 is named as the wrong kind of file
//! (not "未知列“%PDF-1.4…”"); the corrected upload — an XLSX export with a title row above its header
//! — replaces the staged PDF (one file of the kind, not two) and its header is found below the title
//! row; the page fits the window and its buttons are in view.

use super::{assert_in_view, assert_no_sideways, demo, enabled};
use kaohe_browser::{Browser, Window};

/// The header of a 办件 export, as the platform writes it.
const CASES_HEADER: &str =
    "办件编号,事项编码,事项名称,行政区划,申报来源,办件类型,受理时间,承诺时限,时限单位,办结时间";

/// An XLSX 办件 export as offices save it: a title in the first row, a blank row, the header in the
/// third, one case.
fn titled_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "如东县2021年度办件明细表").unwrap();
    let row = "X1,001,户籍证明,320623001,2,2,2021-09-30 10:00:00,3,工作日,2021-10-12 09:00:00";
    for (r, line) in [CASES_HEADER, row].iter().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            ws.write_string(2 + r as u32, c as u16, cell).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The preview's problems table: one row per problem, its cells' text.
fn problems(b: &Browser) -> Vec<Vec<String>> {
    serde_json::from_value(b.execute(
        "return [...document.querySelectorAll('#problems tbody tr')].map(r => [...r.cells].map(c => c.textContent));",
    ))
    .unwrap()
}

#[test]
fn a_wrong_file_is_named_a_title_row_is_passed_over_and_a_reupload_replaces_the_file() {
    if !enabled() {
        return;
    }
    let d = demo();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().canonicalize().unwrap();
    let pdf = dir.join("办件报告.pdf");
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF",
    )
    .unwrap();
    let xlsx = dir.join("办件明细.xlsx");
    std::fs::write(&xlsx, titled_workbook()).unwrap();
    let b = Browser::start(Window::DESKTOP);
    b.login(&d.base, "admin", "kaohe-admin-2021");
    for window in [Window::DESKTOP, Window::PHONE] {
        b.set_window(window);
        b.goto(&d.url("/a/1/import"));
        b.wait_for("还没有暂存的文件。");
        // The period picker shows the assessment's year (2021), as two dates to pick.
        for (id, day) in [
            ("#period-start", "2021-01-01"),
            ("#period-end", "2021-12-31"),
        ] {
            assert_eq!(b.property(id, "type"), "date");
            assert_eq!(b.property(id, "value"), day);
        }
        assert_no_sideways(&b);
        // A PDF given as 办件: named as what it is.
        b.click("#kind option[value=cases]");
        b.choose_file("#file", &pdf);
        b.wait_for("已暂存：办件报告.pdf");
        assert_in_view(&b, "#import", "#preview");
        b.click("#preview");
        let t = b.wait_for("数据有问题，未导入");
        let ps = problems(&b);
        assert_eq!(ps.len(), 1, "{ps:?}");
        assert_eq!(ps[0][1], "办件报告.pdf", "{ps:?}");
        assert_eq!(
            ps[0][5], "这是一个 PDF 文件，不是办件导出表（应为 CSV 或 XLSX）",
            "{ps:?}"
        );
        assert!(!t.contains("未知列") && !t.contains("%PDF"), "{t}");
        assert_eq!(b.property("#commit", "disabled"), true);
        assert_no_sideways(&b);
        // The corrected file, an XLSX with a title row: it replaces the PDF.
        b.choose_file("#file", &xlsx);
        let t = b.wait_for("已暂存：办件明细.xlsx");
        assert!(t.contains("替换了之前暂存的 办件报告.pdf"), "{t}");
        let staged: Vec<Vec<String>> = serde_json::from_value(b.execute(
            "return [...document.querySelectorAll('#staged tr')].map(r => [r.cells[0].textContent, r.cells[1].textContent]);",
        ))
        .unwrap();
        assert_eq!(
            staged,
            vec![vec!["办件".to_string(), "办件明细.xlsx".to_string()]]
        );
        b.click("#preview");
        b.wait_for("预览通过：1 行");
        let ps = problems(&b);
        assert!(
            ps.iter()
                .any(|p| p[2] == "3" && p[5].contains("已取第 3 行为表头")),
            "the header row found below the title: {ps:?}"
        );
        assert_eq!(b.property("#commit", "disabled"), false);
        assert_in_view(&b, "#import", "#commit");
        assert_no_sideways(&b);
        // Removed again, for the next window.
        b.click("#cancel");
        b.wait_for("已全部移除");
    }
}
