//! The workbook prints: 汇总表 and 扣分明细 on A4 landscape, one page wide, their title and header
//! rows repeated on every page, 第 N 页 共 M 页 in the footer — read back from the workbook's XML.

use std::io::{Cursor, Read};

fn rubric() -> kaohe_core::Rubric {
    let text = include_str!("../../../rubrics/rudong-2021.toml");
    kaohe_core::rubric::load("rudong-2021.toml", text)
        .0
        .unwrap()
}

/// The text of `part` in the xlsx `bytes`.
fn part(bytes: &[u8], part: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(part).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn the_summary_and_deductions_print_landscape_one_page_wide_with_headers_and_page_numbers() {
    let r = rubric();
    let mut i = kaohe_core::Inputs::default();
    i.units.push(kaohe_core::input::Unit {
        code: "320623001".into(),
        name: "掘港街道".into(),
        kind: "街道".into(),
        origin: None,
    });
    let s = kaohe_core::score(&r, &i);
    let bytes = kaohe_report::xlsx::workbook(&s, &[]).unwrap();
    let workbook = part(&bytes, "xl/workbook.xml");
    // Sheets 1 and 2 are 汇总表 and 扣分明细.
    assert!(
        workbook.contains(r#"<sheet name="汇总表" sheetId="1""#),
        "{workbook}"
    );
    assert!(
        workbook.contains(r#"<sheet name="扣分明细" sheetId="2""#),
        "{workbook}"
    );
    // Their header rows repeat on every page: 汇总表 rows 1–3 (title and two header rows), 扣分明细
    // row 1.
    assert!(
        workbook.contains(
            r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">汇总表!$1:$3</definedName>"#
        ),
        "{workbook}"
    );
    assert!(
        workbook.contains(r#"<definedName name="_xlnm.Print_Titles" localSheetId="1">扣分明细!$1:$1</definedName>"#),
        "{workbook}"
    );
    for sheet in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
        let xml = part(&bytes, sheet);
        assert!(
            xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#),
            "{sheet}: {xml}"
        );
        let setup = xml
            .split("<pageSetup ")
            .nth(1)
            .and_then(|t| t.split("/>").next())
            .unwrap_or_else(|| panic!("{sheet}: no pageSetup"));
        for attr in [
            r#"paperSize="9""#,
            r#"orientation="landscape""#,
            r#"fitToHeight="0""#,
        ] {
            assert!(setup.contains(attr), "{sheet}: {attr} missing from {setup}");
        }
        // One page wide: fitToWidth is 1, Excel's default, so it is left out.
        assert!(!setup.contains("fitToWidth") || setup.contains(r#"fitToWidth="1""#));
        assert!(
            xml.contains("<headerFooter><oddFooter>&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter></headerFooter>"),
            "{sheet}: {xml}"
        );
    }
    // 原始数据 keeps Excel's defaults (the setup is the two printed tables').
    let raw = part(&bytes, "xl/worksheets/sheet3.xml");
    assert!(!raw.contains("landscape") && !raw.contains("oddFooter"));
}
