//! Recipes for hostile files too big to keep in the repo, built in the test from a few bytes; shared
//! by the tests of kaohe-tables and of the CLI (included with `#[path]`). The small hostile files
//! themselves are kept beside this file.
#![allow(dead_code)]

use std::io::Write;

/// One part of a workbook: its path in the archive and its bytes.
pub type Part = (String, Vec<u8>);

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="units" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

pub const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
pub const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// The parts of a one-sheet workbook (sheet "units") with this sheet data and these shared strings.
pub fn parts(sheet_data: &str, shared: &[&str]) -> Vec<Part> {
    let mut sst = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    for s in shared {
        sst.push_str("<si><t>");
        sst.push_str(s);
        sst.push_str("</t></si>");
    }
    sst.push_str("</sst>");
    vec![
        ("[Content_Types].xml".into(), CONTENT_TYPES.into()),
        ("_rels/.rels".into(), RELS.into()),
        ("xl/workbook.xml".into(), WORKBOOK.into()),
        ("xl/_rels/workbook.xml.rels".into(), WORKBOOK_RELS.into()),
        (
            "xl/worksheets/sheet1.xml".into(),
            format!("{SHEET_HEAD}{sheet_data}{SHEET_TAIL}").into_bytes(),
        ),
        ("xl/sharedStrings.xml".into(), sst.into_bytes()),
    ]
}

/// A zip archive of `parts`, deflated.
pub fn zip(parts: &[Part]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for (name, bytes) in parts {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A cell holding shared string `i` at `r` (e.g. "A1").
pub fn s(r: &str, i: usize) -> String {
    format!(r#"<c r="{r}" t="s"><v>{i}</v></c>"#)
}

/// A units workbook with a proper header and one unit, plus `extra` sheet data after it.
pub fn units_with(extra: &str) -> Vec<u8> {
    let data = format!(
        r#"<row r="1">{}{}{}</row><row r="2">{}{}{}</row>{extra}"#,
        s("A1", 0),
        s("B1", 1),
        s("C1", 2),
        s("A2", 3),
        s("B2", 4),
        s("C2", 5)
    );
    zip(&parts(
        &data,
        &[
            "单位编码",
            "单位名称",
            "类型",
            "320623001",
            "掘港街道",
            "街道",
        ],
    ))
}

/// The workbook with a cell at A1 and one at XFD1048576, its dimension claiming the whole sheet (it
/// aborted kaohe: calamine's dense range of 16,384 × 1,048,576 cells of 32 bytes is
/// 549,755,813,888 bytes).
pub fn xfd1048576() -> Vec<u8> {
    let mut p = parts(
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="1048576"><c r="XFD1048576" t="s"><v>0</v></c></row>"#,
        &["x"],
    );
    let xml = String::from_utf8(p[4].1.clone()).unwrap().replace(
        "<sheetData>",
        r#"<dimension ref="A1:XFD1048576"/><sheetData>"#,
    );
    p[4].1 = xml.into_bytes();
    zip(&p)
}

/// One shared string of `mib` MiB (the 79 KB workbook with a 64 MB string took 4.1 GB).
pub fn shared_string_bomb(mib: usize) -> Vec<u8> {
    let big = "a".repeat(mib * 1024 * 1024);
    zip(&parts(&s("A1", 0), &[&big]))
}

/// Sheet XML of `mib` MiB of whitespace between rows (the 1 GiB sheet XML passed 8 GB).
pub fn sheet_xml_bomb(mib: usize) -> Vec<u8> {
    let filler = " ".repeat(mib * 1024 * 1024);
    let data = format!(r#"<row r="1">{}</row>{filler}"#, s("A1", 0));
    zip(&parts(&data, &["单位编码"]))
}

/// A workbook whose sheet part says it inflates to 200 bytes but inflates to `real` bytes: the
/// sizes in the local header and in the central directory are both rewritten.
pub fn lying_header(real: usize) -> Vec<u8> {
    let filler = " ".repeat(real);
    let data = format!(r#"<row r="1">{}</row>{filler}"#, s("A1", 0));
    let mut bytes = zip(&parts(&data, &["单位编码"]));
    let name = b"xl/worksheets/sheet1.xml";
    let mut patched = 0;
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let sig: [u8; 4] = bytes[i..i + 4].try_into().unwrap();
        // Local file header: name at 30, uncompressed size at 22.
        if &sig == b"PK\x03\x04" && bytes.get(i + 30..i + 30 + name.len()) == Some(name) {
            bytes[i + 22..i + 26].copy_from_slice(&200u32.to_le_bytes());
            patched += 1;
        }
        // Central directory header: name at 46, uncompressed size at 24.
        if &sig == b"PK\x01\x02" && bytes.get(i + 46..i + 46 + name.len()) == Some(name) {
            bytes[i + 24..i + 28].copy_from_slice(&200u32.to_le_bytes());
            patched += 1;
        }
        i += 1;
    }
    assert_eq!(patched, 2, "both headers of the sheet part rewritten");
    bytes
}

/// A workbook of `n` entries (a header bomb: a million tiny parts).
pub fn many_entries(n: usize) -> Vec<u8> {
    let mut p = parts(&s("A1", 0), &["单位编码"]);
    for i in p.len()..n {
        p.push((format!("x/{i}"), Vec::new()));
    }
    zip(&p)
}

/// A CSV whose header has `columns` columns (the 2 MB bonus.csv of a million columns took 21 s and
/// 2.7 GB).
pub fn width_bomb_csv(columns: usize) -> Vec<u8> {
    let mut s = String::from("单位,条款,加分,理由");
    for i in 4..columns {
        s.push_str(&format!(",c{i}"));
    }
    s.push('\n');
    s.into_bytes()
}

/// A rubric of `bytes` bytes or more: a valid start, then comment lines.
pub fn huge_rubric(bytes: usize) -> String {
    let mut s = String::from("id = \"x\"\n");
    let line = format!("# {}\n", "注".repeat(40));
    while s.len() < bytes {
        s.push_str(&line);
    }
    s
}
