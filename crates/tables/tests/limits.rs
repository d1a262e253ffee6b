//! Every limit of what kaohe-tables reads, tested at the limit (accepted) and one past it (refused
//! with a Chinese error naming the file and the limit), and the hostile workbooks of issue 9.

#![allow(clippy::result_large_err)]

#[path = "../../../tests/hostile/recipes.rs"]
mod recipes;

use kaohe_tables::limits::*;
use kaohe_tables::sheet::{self, Workbook, column_letters, from_csv_text};
use recipes::*;

fn sheet_of(bytes: Vec<u8>) -> Result<kaohe_tables::Sheet, kaohe_core::Problem> {
    sheet::from_bytes("units.xlsx", bytes)
}

fn refused(bytes: Vec<u8>) -> String {
    let p = sheet_of(bytes).expect_err("refused");
    assert!(p.is_error());
    let text = p.to_string();
    assert!(text.contains("units.xlsx"), "names the file: {text}");
    text
}

#[test]
fn the_xfd1048576_workbook_is_refused_not_an_abort() {
    // Before: calamine's Range::from_sparse allocated 549,755,813,888 bytes and aborted.
    let e = refused(xfd1048576());
    assert!(e.contains("第1048576行第 16384 列（XFD列）"), "{e}");
    // The kept fixture is the same file.
    let kept = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/hostile/xfd1048576.xlsx"
    ))
    .unwrap();
    let e = refused(kept);
    assert!(e.contains("第1048576行第 16384 列（XFD列）"), "{e}");
    assert!(e.contains(&format!("上限 {MAX_COLUMNS} 列")), "{e}");
}

#[test]
fn a_sheet_is_read_from_its_cells_not_from_its_claimed_dimension() {
    // A header at the last row Excel has, and a dimension claiming the whole sheet.
    let data = format!(
        r#"<row r="1048576">{}{}{}</row>"#,
        s("A1048576", 0),
        s("B1048576", 1),
        s("C1048576", 2)
    );
    let mut p = parts(&data, &["单位编码", "单位名称", "类型"]);
    let xml = String::from_utf8(p[4].1.clone()).unwrap().replace(
        "<sheetData>",
        r#"<dimension ref="A1:XFD1048576"/><sheetData>"#,
    );
    p[4].1 = xml.into_bytes();
    let s = sheet_of(zip(&p)).unwrap();
    assert_eq!(s.headers, ["单位编码", "单位名称", "类型"]);
    assert!(s.rows.is_empty());
}

#[test]
fn cells_far_apart_keep_their_rows_and_columns() {
    let data = format!(
        r#"<row r="3">{}{}</row><row r="900000">{}{}</row>"#,
        s("B3", 0),
        s("D3", 1),
        s("B900000", 2),
        s("D900000", 3)
    );
    let s = sheet_of(zip(&parts(&data, &["甲", "乙", "1", "2"]))).unwrap();
    // Columns start at the first filled one (B), as calamine's used range did.
    assert_eq!(s.headers, ["甲", "", "乙"]);
    assert_eq!(s.rows.len(), 1);
    assert_eq!(s.rows[0].number, 900000);
    assert_eq!(s.rows[0].cells, ["1", "", "2"]);
}

#[test]
fn columns_at_the_limit_are_read_and_one_past_is_refused() {
    let at = column_letters(MAX_COLUMNS - 1);
    let past = column_letters(MAX_COLUMNS);
    assert_eq!((at.as_str(), past.as_str()), ("AMJ", "AMK"));
    let ok = sheet_of(zip(&parts(
        &format!(
            r#"<row r="1">{}{}</row>"#,
            s("A1", 0),
            s(&format!("{at}1"), 0)
        ),
        &["x"],
    )))
    .unwrap();
    assert_eq!(ok.headers.len(), MAX_COLUMNS);
    let e = refused(zip(&parts(
        &format!(
            r#"<row r="1">{}{}</row>"#,
            s("A1", 0),
            s(&format!("{past}1"), 0)
        ),
        &["x"],
    )));
    assert!(e.contains("第1行第 1025 列（AMK列）"), "{e}");

    let header = |n: usize| {
        (0..n)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(
        from_csv_text("t.csv", &header(MAX_COLUMNS))
            .unwrap()
            .headers
            .len(),
        MAX_COLUMNS
    );
    let e = from_csv_text("t.csv", &header(MAX_COLUMNS + 1))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("t.csv 第1行") && e.contains("有 1025 列，超过上限 1024 列"),
        "{e}"
    );
}

#[test]
fn a_cell_at_excels_length_is_read_and_one_character_more_is_refused() {
    let at = "字".repeat(MAX_CELL_CHARS);
    let past = "字".repeat(MAX_CELL_CHARS + 1);
    let ok = sheet_of(zip(&parts(&s("A1", 0), &[&at]))).unwrap();
    assert_eq!(ok.headers[0].chars().count(), MAX_CELL_CHARS);
    let e = refused(zip(&parts(&s("A1", 0), &[&past])));
    assert!(e.contains("有 32768 个字符，超过上限 32767 个字符"), "{e}");

    // Inline strings too.
    let inline =
        |t: &str| format!(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>{t}</t></is></c></row>"#);
    assert!(sheet_of(zip(&parts(&inline(&at), &[]))).is_ok());
    refused(zip(&parts(&inline(&past), &[])));

    assert!(from_csv_text("t.csv", &format!("a\n{at}\n")).is_ok());
    let e = from_csv_text("t.csv", &format!("a\n{past}\n"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("t.csv 第2行") && e.contains("超过上限 32767 个字符"),
        "{e}"
    );
}

#[test]
fn the_shared_string_bomb_is_refused_before_it_is_inflated() {
    // The 79 KB workbook of one 64 MB shared string took 4.1 GB.
    let bytes = shared_string_bomb(64);
    assert!(bytes.len() < 200 * 1024, "{}", bytes.len());
    let e = refused(bytes);
    assert!(e.contains("xl/sharedStrings.xml"), "{e}");
    assert!(e.contains("压缩比") || e.contains("共享字符串"), "{e}");
}

#[test]
fn the_sheet_xml_bomb_is_refused_before_it_is_inflated() {
    let e = refused(sheet_xml_bomb(600));
    assert!(e.contains("xl/worksheets/sheet1.xml"), "{e}");
}

#[test]
fn a_long_text_run_in_sheet_xml_is_refused_while_inflating() {
    // Under the ratio (the text is not compressible: a counter), past any cell's length.
    let mut t = String::new();
    let mut i = 0u64;
    while t.len() as u64 <= MAX_XML_RUN_BYTES {
        t.push_str(&format!("{:x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        i += 1;
    }
    let e = refused(zip(&parts(
        &format!(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>{t}</t></is></c></row>"#),
        &[],
    )));
    assert!(e.contains("有一段文字超过"), "{e}");
}

#[test]
fn a_part_that_inflates_past_its_declared_size_is_refused() {
    let e = refused(lying_header(2 * 1024 * 1024));
    assert!(e.contains("解压后大于它声明的 200 字节"), "{e}");
}

#[test]
fn the_zip_crate_itself_stops_an_entry_inflating_past_its_declared_size() {
    // What calamine would meet without our check: zip bounds the output by the declared size.
    use std::io::Read;
    let bytes = lying_header(2 * 1024 * 1024);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut f = z.by_name("xl/worksheets/sheet1.xml").unwrap();
    let mut out = Vec::new();
    let e = f.read_to_end(&mut out).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    assert!(out.len() <= 201, "{}", out.len());
}

#[test]
fn entries_at_the_limit_pass_and_one_past_is_refused() {
    assert!(kaohe_tables::zipcheck::check("units.xlsx", &many_entries(MAX_ZIP_ENTRIES)).is_ok());
    let e = kaohe_tables::zipcheck::check("units.xlsx", &many_entries(MAX_ZIP_ENTRIES + 1))
        .unwrap_err()
        .to_string();
    assert!(e.contains("10001 个部件，超过上限 10000 个"), "{e}");
}

#[test]
fn a_file_past_its_size_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for (name, limit) in [
        ("units.csv", MAX_TABLE_FILE_BYTES),
        ("units.xlsx", MAX_XLSX_FILE_BYTES),
    ] {
        let p = dir.path().join(name);
        let f = std::fs::File::create(&p).unwrap();
        // Sparse: nothing is written, the size is what is checked.
        f.set_len(limit + 1).unwrap();
        let e = sheet::read_any(&p).unwrap_err().to_string();
        assert!(
            e.contains(name) && e.contains("超过") && e.contains(&size_text(limit)),
            "{e}"
        );
    }
    // At the limit the size passes (the content is then what is judged).
    assert!(
        sheet::check_size(
            "units.csv",
            MAX_TABLE_FILE_BYTES,
            MAX_TABLE_FILE_BYTES,
            "CSV 表格"
        )
        .is_ok()
    );
}

#[test]
fn cells_at_the_limit_are_read_and_one_row_more_is_refused() {
    // Rows of 1,000 empty cells: blank, so nothing is kept, but every cell is counted.
    let row = ",".repeat(999);
    let rows = (MAX_SHEET_CELLS / 1000) as usize;
    let mut text = String::with_capacity(rows * 1001);
    for _ in 0..rows {
        text.push_str(&row);
        text.push('\n');
    }
    assert!(from_csv_text("t.csv", &text).is_ok());
    text.push_str(&row);
    text.push('\n');
    let e = from_csv_text("t.csv", &text).unwrap_err().to_string();
    assert!(e.contains("4000000 个单元格的上限"), "{e}");
}

#[test]
fn a_million_unknown_columns_are_one_note_not_a_million() {
    // Within the width limit, 1,000 unknown columns: one note naming the first 20 and the count.
    let csv = String::from_utf8(width_bomb_csv(1004)).unwrap();
    let s = from_csv_text("bonus.csv", &csv).unwrap();
    let mut problems = Vec::new();
    static F: &[kaohe_tables::header::Field] = &[kaohe_tables::header::Field {
        key: "unit",
        label: "单位",
        required: true,
        aliases: &["单位"],
    }];
    kaohe_tables::header::map_columns(&s, F, &mut problems).unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("等 1003 列，已忽略"),
        "{}",
        problems[0].message
    );
    // Past the width limit, one error.
    let e = from_csv_text(
        "bonus.csv",
        &String::from_utf8(width_bomb_csv(1_000_000)).unwrap(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("有 1000000 列，超过上限 1024 列"), "{e}");
}

#[test]
fn a_workbook_that_is_no_zip_is_a_chinese_error() {
    let e = refused(b"%PDF-1.4 not a workbook".to_vec());
    assert!(e.contains("不是有效的 XLSX 工作簿"), "{e}");
    assert!(!e.contains("Invalid") && !e.contains("rror"), "{e}");
    let _ = Workbook::from_bytes;
}
