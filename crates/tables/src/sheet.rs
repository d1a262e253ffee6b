//! A table as text: a header row and data rows, each cell as the text a person sees. CSV cells are
//! the decoded text; XLSX numbers use the shortest text that round-trips (0.987, not
//! 0.98699999999999999), dates become `YYYY-MM-DD HH:MM:SS`. Rows keep the number a spreadsheet
//! shows (the header is row 1 in a CSV), so that every problem points at the right row.

use crate::decode::{Encoding, decode};
use calamine::{Data, Reader};
use kaohe_core::{Origin, Problem};
use std::io::Cursor;
use std::path::Path;

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row number a spreadsheet shows.
    pub number: u32,
    pub cells: Vec<String>,
}

/// A table read from a CSV file or an XLSX sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// How problems name it: `judgements.csv` or `inputs.xlsx › 评分`.
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// Detected encoding (CSV only).
    pub encoding: Option<Encoding>,
}

impl Sheet {
    pub fn origin(&self, row: u32) -> Origin {
        Origin::row(&self.name, row)
    }
}

/// Reads CSV text (already decoded).
pub fn from_csv_text(name: &str, text: &str) -> Result<Sheet, Problem> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers = None;
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    // Rows as a spreadsheet numbers them: one per record (a quoted line break stays in its cell), and
    // one per empty line, which the csv crate skips without a record.
    let mut number = 0u32;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(Problem::error(format!("CSV 格式错误：{e}"))
                    .at(Some(Origin::row(name, number + 1)))
                    .expected("逗号分隔、双引号包裹含逗号的单元格"));
            }
        }
        let at = rec.position().map_or(0, |p| p.byte() as usize);
        number += 1 + empty_lines_at(text.as_bytes(), at);
        let cells: Vec<String> = rec.iter().map(str::to_string).collect();
        if headers.is_none() {
            headers = Some(cells);
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(Row { number, cells });
    }
    let headers = headers.ok_or_else(|| {
        Problem::error("文件是空的，没有表头行")
            .at(Some(Origin::file(name)))
            .expected("第一行为表头")
    })?;
    Ok(Sheet {
        name: name.to_string(),
        headers,
        rows,
        encoding: None,
    })
}

/// Empty lines skipped before the record the csv crate says starts at `at`: its position is where
/// the reader stood, which is before any empty lines — and, after a `\r\n`, on the `\n`.
fn empty_lines_at(bytes: &[u8], at: usize) -> u32 {
    let mut i = at;
    if i > 0 && bytes.get(i - 1) == Some(&b'\r') && bytes.get(i) == Some(&b'\n') {
        i += 1;
    }
    let mut n = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\r' | b'\n' => i += 1,
            _ => break,
        }
        n += 1;
    }
    n
}

/// Reads CSV bytes, detecting their encoding.
pub fn from_csv_bytes(name: &str, bytes: &[u8]) -> Result<Sheet, Problem> {
    let (text, enc) = decode(bytes).map_err(|m| Problem::error(m).at(Some(Origin::file(name))))?;
    let mut sheet = from_csv_text(name, &text)?;
    sheet.encoding = Some(enc);
    Ok(sheet)
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, Problem> {
    std::fs::read(path).map_err(|e| {
        Problem::error(format!("无法读取文件：{e}")).at(Some(Origin::file(display_name(path))))
    })
}

/// The text a person sees in an XLSX cell.
pub fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => {
            let (y, mo, da, h, mi, s, _) = dt.to_ymd_hms_milli();
            format!("{y:04}-{mo:02}-{da:02} {h:02}:{mi:02}:{s:02}")
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Shortest decimal text that round-trips the double (what Excel displays in General format).
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    format!("{f}")
}

/// An open XLSX workbook.
pub struct Workbook {
    name: String,
    inner: calamine::Xlsx<Cursor<Vec<u8>>>,
}

impl Workbook {
    pub fn open(path: &Path) -> Result<Workbook, Problem> {
        Self::from_bytes(&display_name(path), read_bytes(path)?)
    }

    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Workbook, Problem> {
        let name = name.to_string();
        let inner = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
            Problem::error(format!("不是有效的 XLSX 工作簿：{e}"))
                .at(Some(Origin::file(&name)))
                .expected("Excel 2007 及以后的 .xlsx 文件")
        })?;
        Ok(Workbook { name, inner })
    }

    pub fn sheet_names(&self) -> Vec<String> {
        self.inner.sheet_names()
    }

    /// Reads one sheet by name.
    pub fn sheet(&mut self, sheet: &str) -> Result<Sheet, Problem> {
        let label = format!("{} › {}", self.name, sheet);
        let range = self.inner.worksheet_range(sheet).map_err(|e| {
            Problem::error(format!("无法读取工作表：{e}")).at(Some(Origin::file(&label)))
        })?;
        let (row0, _) = range.start().unwrap_or((0, 0));
        let mut headers = None;
        let mut rows = Vec::new();
        for (i, r) in range.rows().enumerate() {
            let number = row0 + i as u32 + 1;
            let cells: Vec<String> = r.iter().map(cell_text).collect();
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if headers.is_none() {
                headers = Some(cells);
                continue;
            }
            rows.push(Row { number, cells });
        }
        let headers = headers.ok_or_else(|| {
            Problem::error("工作表是空的，没有表头行")
                .at(Some(Origin::file(&label)))
                .expected("第一行为表头")
        })?;
        Ok(Sheet {
            name: label,
            headers,
            rows,
            encoding: None,
        })
    }
}

/// The file name as problems show it.
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads a CSV file or the first sheet (or the sheet named like the file) of an XLSX file.
pub fn read_any(path: &Path) -> Result<Sheet, Problem> {
    from_bytes(&display_name(path), read_bytes(path)?)
}

/// Like [`read_any`] for bytes already in memory; `name` (with its extension) says which format.
pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Sheet, Problem> {
    let lower = name.to_lowercase();
    if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        let mut wb = Workbook::from_bytes(name, bytes)?;
        let names = wb.sheet_names();
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        let pick = names
            .iter()
            .find(|n| n.as_str() == stem)
            .or_else(|| names.first())
            .cloned()
            .ok_or_else(|| Problem::error("工作簿中没有工作表").at(Some(Origin::file(name))))?;
        wb.sheet(&pick)
    } else {
        from_csv_bytes(name, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_spreadsheet_numbers_and_skip_blank_lines() {
        let s = from_csv_text("t.csv", "单位,得分\nA,1\n,\n\"B,C\",2\n").unwrap();
        assert_eq!(s.headers, vec!["单位", "得分"]);
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0].number, 2);
        assert_eq!(s.rows[1].number, 4);
        assert_eq!(s.rows[1].cells[0], "B,C");
    }

    #[test]
    fn empty_lines_are_rows_as_a_spreadsheet_shows_them() {
        for text in [
            "\n\n单位,得分\nA,1\n\n\n\"B\nC\",2\nD,3",
            "\r\n\r\n单位,得分\r\nA,1\r\n\r\n\r\n\"B\nC\",2\r\nD,3\r\n",
            "\r\r单位,得分\rA,1\r\r\r\"B\nC\",2\rD,3\r",
        ] {
            let s = from_csv_text("t.csv", text).unwrap();
            assert_eq!(s.headers, vec!["单位", "得分"], "{text:?}");
            let rows: Vec<(u32, &str)> = s
                .rows
                .iter()
                .map(|r| (r.number, r.cells[0].as_str()))
                .collect();
            // Rows 1–2 empty, header row 3, A row 4, rows 5–6 empty, B (two lines in one cell) row 7.
            assert_eq!(rows, [(4, "A"), (7, "B\nC"), (8, "D")], "{text:?}");
        }
    }

    #[test]
    fn floats_show_as_people_see_them() {
        assert_eq!(float_text(0.987), "0.987");
        assert_eq!(float_text(320623001.0), "320623001");
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn empty_file_is_an_error() {
        let e = from_csv_text("t.csv", "").unwrap_err();
        assert!(e.message.contains("没有表头"));
    }
}
