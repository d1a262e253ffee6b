//! One way to read a platform export row by row, whatever it is: a CSV file streamed through a
//! buffered reader (UTF-8 with or without BOM as is; GBK/GB18030 decoded on the fly), or the first
//! sheet of an XLSX workbook (Excel caps a sheet at 1,048,576 rows, so reading it whole is bounded).
//! Row numbers are those a spreadsheet shows: the header is row 1.

use kaohe_core::{Origin, Problem};
use kaohe_tables::sheet::{Workbook, display_name};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// The detected encoding of a CSV export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
    Xlsx,
}

enum Kind {
    Csv(Box<csv::Reader<Box<dyn Read>>>),
    Xlsx(std::vec::IntoIter<(u32, Vec<String>)>),
}

/// An open export.
pub struct Source {
    pub name: String,
    pub headers: Vec<String>,
    pub encoding: Encoding,
    kind: Kind,
    row: u32,
}

/// The current row.
pub struct Row {
    pub number: u32,
    rec: csv::ByteRecord,
    cells: Vec<String>,
    csv: bool,
}

impl Default for Row {
    fn default() -> Self {
        Row {
            number: 0,
            rec: csv::ByteRecord::new(),
            cells: Vec::new(),
            csv: true,
        }
    }
}

impl Row {
    /// The text of column `col` ("" when the column is absent or the row is short), or `Err` with
    /// the raw bytes shown lossily when they are not valid UTF-8.
    pub fn get(&self, col: Option<usize>) -> Result<&str, String> {
        let Some(i) = col else { return Ok("") };
        if self.csv {
            let b = self.rec.get(i).unwrap_or(b"");
            std::str::from_utf8(b).map_err(|_| String::from_utf8_lossy(b).into_owned())
        } else {
            Ok(self.cells.get(i).map(String::as_str).unwrap_or(""))
        }
    }
    pub fn is_blank(&self) -> bool {
        if self.csv {
            self.rec
                .iter()
                .all(|f| f.iter().all(|b| b.is_ascii_whitespace()))
        } else {
            self.cells.iter().all(|c| c.trim().is_empty())
        }
    }
}

fn sniff(file: &mut File) -> std::io::Result<(Encoding, usize)> {
    let mut head = vec![0u8; 64 * 1024];
    let mut n = 0;
    while n < head.len() {
        let k = file.read(&mut head[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    file.seek(SeekFrom::Start(0))?;
    let head = &head[..n];
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok((Encoding::Utf8, 3));
    }
    match std::str::from_utf8(head) {
        Ok(_) => Ok((Encoding::Utf8, 0)),
        // A character cut by the 64 KiB boundary is still UTF-8.
        Err(e) if e.error_len().is_none() => Ok((Encoding::Utf8, 0)),
        Err(_) => Ok((Encoding::Gb18030, 0)),
    }
}

impl Source {
    pub fn open(path: &Path) -> Result<Source, Box<Problem>> {
        let name = display_name(path);
        let io = |e: std::io::Error| {
            Problem::error(format!("无法读取文件：{e}")).at(Some(Origin::file(&name)))
        };
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if ext == "xlsx" || ext == "xlsm" {
            let sheet = kaohe_tables::sheet::read_any(path)?;
            let rows: Vec<(u32, Vec<String>)> = sheet
                .rows
                .into_iter()
                .map(|r| (r.number, r.cells))
                .collect();
            return Ok(Source {
                name: sheet.name,
                headers: sheet.headers,
                encoding: Encoding::Xlsx,
                kind: Kind::Xlsx(rows.into_iter()),
                row: 0,
            });
        }
        let mut file = File::open(path).map_err(io)?;
        let (encoding, skip) = sniff(&mut file).map_err(io)?;
        if skip > 0 {
            file.seek(SeekFrom::Start(skip as u64)).map_err(io)?;
        }
        let reader: Box<dyn Read> = match encoding {
            Encoding::Gb18030 => Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding_rs::GB18030))
                    .build(file),
            ),
            _ => Box::new(file),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(256 * 1024)
            .from_reader(Box::new(BufReader::with_capacity(256 * 1024, reader)) as Box<dyn Read>);
        let mut rec = csv::ByteRecord::new();
        let got = rdr.read_byte_record(&mut rec).map_err(|e| {
            Problem::error(format!("CSV 格式错误：{e}")).at(Some(Origin::row(&name, 1)))
        })?;
        if !got {
            return Err(Box::new(
                Problem::error("文件是空的，没有表头行")
                    .at(Some(Origin::file(&name)))
                    .expected("第一行为表头"),
            ));
        }
        let headers = rec
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim_start_matches('\u{feff}')
                    .to_string()
            })
            .collect();
        Ok(Source {
            name,
            headers,
            encoding,
            kind: Kind::Csv(Box::new(rdr)),
            row: 1,
        })
    }

    /// Reads the next non-blank row into `row`; false at the end.
    pub fn next(&mut self, row: &mut Row) -> Result<bool, Box<Problem>> {
        match &mut self.kind {
            Kind::Csv(rdr) => loop {
                row.csv = true;
                self.row += 1;
                let got = rdr.read_byte_record(&mut row.rec).map_err(|e| {
                    Problem::error(format!("CSV 格式错误：{e}"))
                        .at(Some(Origin::row(&self.name, self.row)))
                        .expected("逗号分隔、双引号包裹含逗号的单元格")
                })?;
                if !got {
                    return Ok(false);
                }
                row.number = self.row;
                if !row.is_blank() {
                    return Ok(true);
                }
            },
            Kind::Xlsx(it) => match it.next() {
                Some((n, cells)) => {
                    row.csv = false;
                    row.number = n;
                    row.cells = cells;
                    Ok(true)
                }
                None => Ok(false),
            },
        }
    }

    /// Bytes read so far (CSV; 0 for XLSX), for progress.
    pub fn position(&self) -> u64 {
        match &self.kind {
            Kind::Csv(r) => r.position().byte(),
            Kind::Xlsx(_) => 0,
        }
    }

    /// The headers as a sheet, for `kaohe_tables::header::map_columns`.
    pub fn header_sheet(&self) -> kaohe_tables::Sheet {
        kaohe_tables::Sheet {
            name: self.name.clone(),
            headers: self.headers.clone(),
            rows: Vec::new(),
            encoding: None,
        }
    }
}

/// Keeps `Workbook` reachable for callers that want a named sheet.
pub type XlsxWorkbook = Workbook;
