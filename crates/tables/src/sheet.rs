//! A table as text: a header row and data rows, each cell as the text a person sees. CSV cells are
//! the decoded text; XLSX numbers use the shortest text that round-trips (0.987, not
//! 0.98699999999999999), dates become `YYYY-MM-DD HH:MM:SS`. Rows keep the number a spreadsheet
//! shows (the header is row 1 in a CSV), so that every problem points at the right row.

use crate::decode::{Encoding, decode};
use crate::limits::*;
use calamine::{Data, DataRef, Reader};
use kaohe_core::{Origin, Problem};
use std::collections::BTreeMap;
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

/// Reads CSV text (already decoded), within [`MAX_COLUMNS`] columns per row, [`MAX_CELL_CHARS`]
/// characters per field and [`MAX_SHEET_CELLS`] cells in all.
pub fn from_csv_text(name: &str, text: &str) -> Result<Sheet, Problem> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers = None;
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    let mut cells_kept = 0u64;
    // Rows as a spreadsheet numbers them: one per record (a quoted line break stays in its cell), and
    // one per empty line, which the csv crate skips without a record.
    let mut number = 0u32;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(Problem::error(csv_error_text(&e))
                    .at(Some(Origin::row(name, number + 1)))
                    .expected("逗号分隔、双引号包裹含逗号的单元格"));
            }
        }
        let at = rec.position().map_or(0, |p| p.byte() as usize);
        number = number.saturating_add(1 + empty_lines_at(text.as_bytes(), at));
        check_row(name, number, rec.len(), rec.iter().enumerate())?;
        cells_kept += rec.len() as u64;
        if cells_kept > MAX_SHEET_CELLS {
            return Err(too_many_cells(name, number));
        }
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

/// A CSV reading error in words (the csv crate's own text is English).
fn csv_error_text(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "CSV 格式错误：含有不是 UTF-8 的字节".into(),
        csv::ErrorKind::Io(_) => "CSV 格式错误：读取中断".into(),
        _ => "CSV 格式错误：无法拆分为单元格".into(),
    }
}

/// Checks a row's width and each cell's length (the header is row `number` too).
pub fn check_row<'c>(
    name: &str,
    number: u32,
    width: usize,
    cells: impl Iterator<Item = (usize, &'c str)>,
) -> Result<(), Problem> {
    if width > MAX_COLUMNS {
        return Err(Problem::error(format!(
            "第{number}行有 {width} 列，超过上限 {MAX_COLUMNS} 列"
        ))
        .at(Some(Origin::row(name, number)))
        .expected(format!("每行不超过 {MAX_COLUMNS} 列")));
    }
    for (i, c) in cells {
        // Characters are never more than bytes: only a long field needs counting.
        if c.len() > MAX_CELL_CHARS {
            let n = c.chars().count();
            if n > MAX_CELL_CHARS {
                return Err(cell_too_long(name, number, i, n));
            }
        }
    }
    Ok(())
}

/// The problem of a cell longer than [`MAX_CELL_CHARS`].
pub fn cell_too_long(name: &str, number: u32, col: usize, chars: usize) -> Problem {
    Problem::error(format!(
        "第{number}行第 {} 列（{}列）的单元格有 {chars} 个字符，超过上限 {MAX_CELL_CHARS} 个字符",
        col + 1,
        column_letters(col)
    ))
    .at(Some(
        Origin::row(name, number).with_column(column_letters(col)),
    ))
    .expected(format!(
        "每个单元格不超过 {MAX_CELL_CHARS} 个字符（Excel 的上限）"
    ))
}

fn too_many_cells(name: &str, number: u32) -> Problem {
    Problem::error(format!(
        "到第{number}行，表格已超过 {MAX_SHEET_CELLS} 个单元格的上限"
    ))
    .at(Some(Origin::row(name, number)))
    .expected(format!(
        "一张表不超过 {MAX_SHEET_CELLS} 个单元格（含每行最后一个非空单元格之前的空格）；更大的平台导出请存为 CSV"
    ))
}

/// A column as a spreadsheet names it: 0 → A, 26 → AA.
pub fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
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

/// Reads CSV bytes (at most [`MAX_TABLE_FILE_BYTES`]), detecting their encoding.
pub fn from_csv_bytes(name: &str, bytes: &[u8]) -> Result<Sheet, Problem> {
    check_size(name, bytes.len() as u64, MAX_TABLE_FILE_BYTES, "CSV 表格")?;
    let (text, enc) = decode(bytes).map_err(|m| Problem::error(m).at(Some(Origin::file(name))))?;
    let mut sheet = from_csv_text(name, &text)?;
    sheet.encoding = Some(enc);
    Ok(sheet)
}

/// Refuses a file of `len` bytes past `limit`.
pub fn check_size(name: &str, len: u64, limit: u64, what: &str) -> Result<(), Problem> {
    if len > limit {
        return Err(Problem::error(format!(
            "文件大小 {}，超过{what}的上限 {}",
            size_text(len),
            size_text(limit)
        ))
        .at(Some(Origin::file(name)))
        .expected(format!("{what}不超过 {}", size_text(limit))));
    }
    Ok(())
}

/// Reads a file of at most `limit` bytes (the size checked before reading, and the read itself
/// bounded, in case the file grows meanwhile).
pub fn read_bytes_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, Problem> {
    use std::io::Read;
    let name = display_name(path);
    let io = |e: std::io::Error| {
        Problem::error(format!("无法读取文件：{}", io_error_text(&e))).at(Some(Origin::file(&name)))
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    check_size(&name, len, limit, what)?;
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    check_size(&name, bytes.len() as u64, limit, what)?;
    Ok(bytes)
}

/// An IO error in words a clerk reads.
pub fn io_error_text(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "文件不存在".into(),
        K::PermissionDenied => "没有读取权限".into(),
        K::IsADirectory => "这是一个目录，不是文件".into(),
        K::InvalidData => "内容不是有效的文本".into(),
        _ => format!("读取出错（系统错误码 {}）", e.raw_os_error().unwrap_or(0)),
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, Problem> {
    let lower = path.to_string_lossy().to_lowercase();
    if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        read_bytes_limited(path, MAX_XLSX_FILE_BYTES, "XLSX 工作簿")
    } else {
        read_bytes_limited(path, MAX_TABLE_FILE_BYTES, "CSV 表格")
    }
}

/// The text a person sees in an XLSX cell, as calamine streams it.
pub fn cell_ref_text(d: DataRef<'_>) -> String {
    match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s,
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => cell_text(&Data::Int(i)),
        DataRef::Float(f) => cell_text(&Data::Float(f)),
        DataRef::Bool(b) => cell_text(&Data::Bool(b)),
        DataRef::DateTime(dt) => cell_text(&Data::DateTime(dt)),
        DataRef::Error(e) => cell_text(&Data::Error(e)),
    }
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
    /// Opens a workbook of at most [`MAX_XLSX_FILE_BYTES`].
    pub fn open(path: &Path) -> Result<Workbook, Problem> {
        let bytes = read_bytes_limited(path, MAX_XLSX_FILE_BYTES, "XLSX 工作簿")?;
        Self::from_bytes(&display_name(path), bytes)
    }

    /// Opens a workbook in memory: its size and its zip archive checked first
    /// ([`crate::zipcheck`]), so that calamine only ever inflates parts within the limits.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Workbook, Problem> {
        let name = name.to_string();
        check_size(
            &name,
            bytes.len() as u64,
            MAX_XLSX_FILE_BYTES,
            "XLSX 工作簿",
        )?;
        crate::zipcheck::check(&name, &bytes)?;
        let inner = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
            Problem::error(format!("不是有效的 XLSX 工作簿：{}", xlsx_error_text(&e)))
                .at(Some(Origin::file(&name)))
                .expected("Excel 2007 及以后的 .xlsx 文件")
        })?;
        Ok(Workbook { name, inner })
    }

    pub fn sheet_names(&self) -> Vec<String> {
        self.inner.sheet_names()
    }

    /// Reads one sheet by name, from the cells actually present (never from the dimension the
    /// sheet claims): at most [`MAX_COLUMNS`] columns, [`MAX_CELL_CHARS`] characters a cell,
    /// [`MAX_SHEET_CELLS`] cells and [`MAX_SHEET_TEXT_BYTES`] of text.
    pub fn sheet(&mut self, sheet: &str) -> Result<Sheet, Problem> {
        let label = format!("{} › {}", self.name, sheet);
        let unreadable = |e: calamine::XlsxError| {
            Problem::error(format!("无法读取工作表：{}", xlsx_error_text(&e)))
                .at(Some(Origin::file(&label)))
        };
        let mut reader = self
            .inner
            .worksheet_cells_reader(sheet)
            .map_err(unreadable)?;
        // Rows by number, each as wide as its last filled cell; cells may come in any order.
        let mut by_row: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        let (mut slots, mut text_bytes, mut min_col) = (0u64, 0u64, usize::MAX);
        while let Some(cell) = reader.next_cell().map_err(unreadable)? {
            let (r, c) = cell.get_position();
            let (number, col) = (r.saturating_add(1), c as usize);
            if col >= MAX_COLUMNS {
                return Err(Problem::error(format!(
                    "第{number}行第 {} 列（{}列）有内容，超过上限 {MAX_COLUMNS} 列",
                    col + 1,
                    column_letters(col)
                ))
                .at(Some(
                    Origin::row(&label, number).with_column(column_letters(col)),
                ))
                .expected(format!(
                    "内容在前 {MAX_COLUMNS} 列（A 到 {} 列）之内",
                    column_letters(MAX_COLUMNS - 1)
                )));
            }
            if r >= MAX_XLSX_ROWS {
                return Err(Problem::error(format!(
                    "第{number}行超过 Excel 的行数上限 {MAX_XLSX_ROWS} 行"
                ))
                .at(Some(Origin::row(&label, number))));
            }
            let text = cell_ref_text(cell.get_value().clone());
            if text.is_empty() {
                continue;
            }
            if text.len() > MAX_CELL_CHARS {
                let n = text.chars().count();
                if n > MAX_CELL_CHARS {
                    return Err(cell_too_long(&label, number, col, n));
                }
            }
            text_bytes += text.len() as u64;
            if text_bytes > MAX_SHEET_TEXT_BYTES {
                return Err(Problem::error(format!(
                    "到第{number}行，工作表的文字已超过 {} 的上限",
                    size_text(MAX_SHEET_TEXT_BYTES)
                ))
                .at(Some(Origin::row(&label, number)))
                .expected(format!(
                    "一张工作表的文字合计不超过 {}",
                    size_text(MAX_SHEET_TEXT_BYTES)
                )));
            }
            let row = by_row.entry(r).or_default();
            if row.len() <= col {
                slots += (col + 1 - row.len()) as u64;
                if slots > MAX_SHEET_CELLS {
                    return Err(too_many_cells(&label, number));
                }
                row.resize(col + 1, String::new());
            }
            min_col = min_col.min(col);
            row[col] = text;
        }
        let mut headers = None;
        let mut rows = Vec::new();
        for (r, mut cells) in by_row {
            // Columns as the sheet's used range starts them (the first filled column is the first).
            cells.drain(..min_col.min(cells.len()));
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if headers.is_none() {
                headers = Some(cells);
                continue;
            }
            rows.push(Row {
                number: r + 1,
                cells,
            });
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

/// Why calamine could not read a workbook, in words a clerk reads (its own messages are English).
pub fn xlsx_error_text(e: &calamine::XlsxError) -> String {
    use calamine::XlsxError as E;
    match e {
        E::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            "压缩包中的部件解压后与其声明的大小或校验和不符（文件损坏或被篡改）".into()
        }
        E::Io(io) => io_error_text(io),
        E::Zip(_) => "ZIP 压缩包结构损坏，或不是 ZIP 文件".into(),
        E::Password => "工作簿有密码保护，请去掉密码后另存".into(),
        E::Xml(_) | E::XmlAttr(_) | E::XmlEof(_) | E::Encoding(_) => {
            "工作簿中的 XML 内容损坏".into()
        }
        E::FileNotFound(p) => format!("工作簿缺少部件“{}”", shown(p)),
        E::WorksheetNotFound(s) => format!("找不到工作表“{}”", shown(s)),
        E::NotAWorksheet(_) => "这不是普通工作表（可能是图表页）".into(),
        E::ColumnNumberOverflow | E::RowNumberOverflow | E::DimensionCount(_) => {
            "单元格位置超出 Excel 的行列范围".into()
        }
        _ => "工作簿结构无法识别（单元格或部件内容不符合 XLSX 格式）".into(),
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
