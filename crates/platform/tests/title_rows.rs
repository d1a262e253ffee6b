//! A title row above the header of an export (CSV or XLSX): the header is the first of the first 10
//! rows that has the expected columns, a note says which row was taken, and rows keep the numbers a
//! spreadsheet shows.

use super::*;

const HEADER: &str =
    "办件编号,事项编码,事项名称,行政区划,申报来源,办件类型,受理时间,承诺时限,时限单位,办结时间";
const ROWS: [&str; 2] = [
    "X1,001,户籍证明,320623001,2,2,2021-09-30 10:00:00,3,工作日,2021-10-12 09:00:00",
    "X2,002,生育登记,320623999,3,2,2021-03-01 10:00:00,3,工作日,2021-03-02 09:00:00",
];

fn compute_cases(path: &Path) -> (Option<Indicators>, Vec<Problem>) {
    let cal = Calendar::builtin();
    let units = units();
    indicators::compute(Request {
        units: &units,
        calendar: &cal,
        period: Period::parse("2021-01-01..2021-12-31").unwrap(),
        cases: &[path.to_path_buf()],
        claims: &[],
        surveys: &[],
        scale: None,
        skip_bad_rows: false,
        threads: 0,
        progress: None,
        overdue_sink: None,
    })
}

fn rows_of(problems: &[Problem]) -> Vec<(String, Option<u32>)> {
    problems
        .iter()
        .map(|p| (p.message.clone(), p.origin.as_ref().and_then(|o| o.row)))
        .collect()
}

#[test]
fn a_title_row_above_a_csv_or_xlsx_header_is_passed_over_and_named() {
    let dir = tempfile::tempdir().unwrap();
    // CSV: a title, an empty line, the header on row 3, the unknown unit on row 5.
    let csv = dir.path().join("办件.csv");
    std::fs::write(
        &csv,
        format!(
            "2021年度办件明细,,,\n\n{HEADER}\n{}\n{}\n",
            ROWS[0], ROWS[1]
        ),
    )
    .unwrap();
    // XLSX: a title in A1, a note in A2, the header on row 3.
    let xlsx = dir.path().join("办件.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "2021年度办件明细").unwrap();
    ws.write_string(1, 0, "导出时间：2022-01-05").unwrap();
    for (r, line) in std::iter::once(HEADER).chain(ROWS).enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            ws.write_string(2 + r as u32, c as u16, cell).unwrap();
        }
    }
    wb.save(&xlsx).unwrap();
    for path in [&csv, &xlsx] {
        let (_, problems) = compute_cases(path);
        let got = rows_of(&problems);
        assert!(
            got.iter()
                .any(|(m, r)| m.contains("已取第 3 行为表头") && *r == Some(3)),
            "{path:?}: {got:?}"
        );
        assert!(
            got.iter()
                .any(|(m, r)| m.contains("320623999") && *r == Some(5)),
            "{path:?}: {got:?}"
        );
        assert!(!got.iter().any(|(m, _)| m.contains("未知列")), "{got:?}");
    }
    // Past the tenth row the header is not looked for: the missing columns are reported.
    let far = dir.path().join("far.csv");
    std::fs::write(
        &far,
        format!("{}{HEADER}\n{}\n", "标题,,\n".repeat(10), ROWS[0]),
    )
    .unwrap();
    let (ind, problems) = compute_cases(&far);
    assert!(ind.is_none());
    assert!(
        problems.iter().any(|p| p.message.contains("缺少")),
        "{:?}",
        rows_of(&problems)
    );
    // The tenth row is still found.
    std::fs::write(
        &far,
        format!("{}{HEADER}\n{}\n", "标题,,\n".repeat(9), ROWS[0]),
    )
    .unwrap();
    let (ind, problems) = compute_cases(&far);
    assert!(ind.is_some(), "{:?}", rows_of(&problems));
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("已取第 10 行为表头"))
    );
}
