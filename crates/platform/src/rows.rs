//! One way to read a platform export row by row, whatever it is: a CSV file streamed in chunks of
//! whole records on a second thread (UTF-8 with or without BOM as is; GBK/GB18030 decoded chunk by
//! chunk; see `chunks`), or the first sheet of an XLSX workbook (Excel caps a sheet at 1,048,576
//! rows, so reading it whole is bounded). Row numbers are those a spreadsheet shows: the header is
//! row 1, an empty line is a row.

use crate::dups::IdTracker;
use kaohe_core::{Origin, Problem};
use kaohe_tables::sheet::{Workbook, display_name};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The detected encoding of a CSV export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
    Xlsx,
}

enum Kind {
    /// CSV records are read and split on a second thread, in batches, while this one parses them.
    /// The thread starts at the first row (so that an id tracker can be handed to it first).
    Csv(Option<Box<crate::chunks::CsvReader>>, Option<Pipe>),
    Xlsx(std::vec::IntoIter<(u32, Vec<String>)>),
}

/// A batch of records from the reader thread: records, their row numbers, whether each is UTF-8.
#[derive(Default)]
struct Batch {
    recs: Vec<csv::ByteRecord>,
    numbers: Vec<u32>,
    utf8: Vec<bool>,
    len: usize,
    /// Bytes read when the batch was full.
    position: u64,
    /// Bytes of the records in it.
    bytes: usize,
    /// The file's last batch.
    last: bool,
}

const BATCH: usize = 1024;
/// A batch is full at this many bytes of records too (at most [`MAX_RECORD_BYTES`] past it), so
/// that the few batches in flight stay within a few tens of MiB whatever the records' length.
///
/// [`MAX_RECORD_BYTES`]: kaohe_tables::limits::MAX_RECORD_BYTES
const BATCH_BYTES: usize = 4 * 1024 * 1024;

struct Pipe {
    full: std::sync::mpsc::Receiver<Result<Batch, Box<Problem>>>,
    empty: std::sync::mpsc::SyncSender<Batch>,
    cur: Batch,
    pos: usize,
    done: bool,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Ids to track on the reading thread: the column, the file's index, the tracker.
pub struct Tracking {
    pub column: Option<usize>,
    pub file: usize,
    pub tracker: IdTracker,
}

impl Pipe {
    fn start(mut rdr: crate::chunks::CsvReader) -> Pipe {
        let (full_tx, full) = std::sync::mpsc::sync_channel::<Result<Batch, Box<Problem>>>(4);
        let (empty, empty_rx) = std::sync::mpsc::sync_channel::<Batch>(8);
        for _ in 0..6 {
            let _ = empty.send(Batch::default());
        }
        let thread = std::thread::spawn(move || {
            let mut number = rdr.header_row;
            let mut fields = crate::chunks::Fields::default();
            let mut data = Vec::new();
            let mut b = match empty_rx.recv() {
                Ok(b) => b,
                Err(_) => return,
            };
            b.len = 0;
            b.bytes = 0;
            b.last = false;
            loop {
                let chunk = match rdr.next_chunk(std::mem::take(&mut data)) {
                    Ok(Some(c)) => c,
                    Ok(None) => break,
                    Err(p) => {
                        let _ = full_tx.send(Err(p));
                        return;
                    }
                };
                let decoded = (rdr.encoding == Encoding::Gb18030).then(|| rdr.decode(&chunk.data));
                let (bytes, utf8) = match &decoded {
                    Some(text) => (text.as_bytes(), true),
                    None => (&chunk.data[..], std::str::from_utf8(&chunk.data).is_ok()),
                };
                let mut gone = false;
                let mut over: Option<Problem> = None;
                let cut = crate::chunks::split(
                    bytes,
                    chunk.last,
                    chunk.after_cr,
                    &mut fields,
                    |line, bounds| {
                        number += 1;
                        if gone || blank(line, bounds) {
                            return;
                        }
                        if let Err(p) = crate::chunks::record_limits(line, bounds) {
                            over = Some((*p).at(Some(Origin::row(rdr.name(), number))));
                            gone = true;
                            return;
                        }
                        if b.recs.len() == b.len {
                            b.recs.push(csv::ByteRecord::new());
                            b.numbers.push(0);
                            b.utf8.push(true);
                        }
                        let rec = &mut b.recs[b.len];
                        rec.clear();
                        for &(x, y) in bounds {
                            rec.push_field(&line[x..y]);
                        }
                        b.numbers[b.len] = number;
                        b.utf8[b.len] = utf8 || std::str::from_utf8(line).is_ok();
                        b.len += 1;
                        b.bytes += line.len();
                        // Full by count, or by bytes (long records), so that a batch stays small.
                        if b.len == BATCH || b.bytes >= BATCH_BYTES {
                            b.position = chunk.end;
                            let full = std::mem::take(&mut b);
                            match full_tx
                                .send(Ok(full))
                                .ok()
                                .and_then(|_| empty_rx.recv().ok())
                            {
                                Some(next) => {
                                    b = next;
                                    b.len = 0;
                                    b.bytes = 0;
                                    b.last = false;
                                }
                                None => gone = true,
                            }
                        }
                    },
                );
                drop(decoded);
                if let Some(p) = over {
                    let _ = full_tx.send(Err(Box::new(p)));
                    return;
                }
                if gone {
                    return;
                }
                if cut.is_err() {
                    let p =
                        Problem::error("内部错误：文件分块处未在一条记录的末尾（请报告此文件）")
                            .at(Some(Origin::file(rdr.name())));
                    let _ = full_tx.send(Err(Box::new(p)));
                    return;
                }
                b.position = chunk.end;
                data = chunk.data;
            }
            // The last batch says so.
            b.last = true;
            let _ = full_tx.send(Ok(b));
        });
        Pipe {
            full,
            empty,
            cur: Batch::default(),
            pos: 0,
            done: false,
            thread: Some(thread),
        }
    }
}

/// An open export.
pub struct Source {
    pub name: String,
    pub headers: Vec<String>,
    pub encoding: Encoding,
    kind: Kind,
    position: u64,
    tracking: Option<Tracking>,
}

/// The current row.
pub struct Row {
    pub number: u32,
    rec: csv::ByteRecord,
    cells: Vec<String>,
    kind: RowKind,
    /// The whole record is valid UTF-8 (checked once per row; fields then need no check).
    utf8: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Csv,
    Cells,
}

impl Default for Row {
    fn default() -> Self {
        Row {
            number: 0,
            rec: csv::ByteRecord::new(),
            cells: Vec::new(),
            kind: RowKind::Csv,
            utf8: true,
        }
    }
}

impl Row {
    /// The text of column `col` ("" when the column is absent or the row is short), or `Err` with
    /// the raw bytes shown lossily when they are not valid UTF-8.
    #[inline]
    pub fn get(&self, col: Option<usize>) -> Result<&str, String> {
        let Some(i) = col else { return Ok("") };
        let b = match self.kind {
            RowKind::Cells => return Ok(self.cells.get(i).map(String::as_str).unwrap_or("")),
            RowKind::Csv => self.rec.get(i).unwrap_or(b""),
        };
        if self.utf8 {
            // SAFETY: the whole record was checked to be UTF-8 when it was read, and fields
            // split at ASCII commas and quotes, so every field is UTF-8 as well.
            return Ok(unsafe { std::str::from_utf8_unchecked(b) });
        }
        std::str::from_utf8(b).map_err(|_| String::from_utf8_lossy(b).into_owned())
    }

    pub fn is_blank(&self) -> bool {
        match self.kind {
            RowKind::Csv => self
                .rec
                .iter()
                .all(|f| f.iter().all(|b| b.is_ascii_whitespace())),
            RowKind::Cells => self.cells.iter().all(|c| c.trim().is_empty()),
        }
    }
}

/// A record cut from a chunk, read where it lies: its bytes and where each field lies in them.
pub(crate) struct Line<'a> {
    pub number: u32,
    pub bytes: &'a [u8],
    pub bounds: &'a [(usize, usize)],
    /// The record is valid UTF-8.
    pub utf8: bool,
}

impl Line<'_> {
    pub fn is_blank(&self) -> bool {
        blank(self.bytes, self.bounds)
    }
}

/// A record whose every field is empty or ASCII whitespace (an empty line included) is no data.
pub(crate) fn blank(bytes: &[u8], bounds: &[(usize, usize)]) -> bool {
    bounds
        .iter()
        .all(|&(a, b)| bytes[a..b].iter().all(u8::is_ascii_whitespace))
}

/// The cells of a row, however it was read.
pub(crate) trait Cells {
    /// The row as a spreadsheet numbers it.
    fn number(&self) -> u32;
    /// The text of column `col` ("" when the column is absent or the row is short), or `Err`
    /// with the raw bytes shown lossily when they are not valid UTF-8.
    fn get(&self, col: Option<usize>) -> Result<&str, String>;
}

impl Cells for Row {
    fn number(&self) -> u32 {
        self.number
    }
    #[inline]
    fn get(&self, col: Option<usize>) -> Result<&str, String> {
        Row::get(self, col)
    }
}

impl Cells for Line<'_> {
    fn number(&self) -> u32 {
        self.number
    }
    #[inline]
    fn get(&self, col: Option<usize>) -> Result<&str, String> {
        let b = match col.and_then(|i| self.bounds.get(i)) {
            Some(&(a, z)) => &self.bytes[a..z],
            None => return Ok(""),
        };
        if self.utf8 {
            // SAFETY: the record was checked to be UTF-8, and fields split at ASCII commas and
            // quotes, so every field is UTF-8 as well.
            return Ok(unsafe { std::str::from_utf8_unchecked(b) });
        }
        std::str::from_utf8(b).map_err(|_| String::from_utf8_lossy(b).into_owned())
    }
}

pub(crate) fn sniff(file: &mut File) -> std::io::Result<(Encoding, usize)> {
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
        Source::open_for(path, &[], &mut Vec::new())
    }

    /// Opens `path` as a table of `fields`: in a workbook, when the first row does not name the
    /// required fields and one of the first 10 rows does (a title row above the header), that row
    /// is the header, with a note in `problems` naming it.
    pub fn open_for(
        path: &Path,
        fields: &[kaohe_tables::header::Field],
        problems: &mut Vec<Problem>,
    ) -> Result<Source, Box<Problem>> {
        let name = display_name(path);
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if ext == "xlsx" || ext == "xlsm" {
            let mut sheet = kaohe_tables::sheet::read_any(path)?;
            if !fields.is_empty()
                && let Some(row) = kaohe_tables::header::find_header_row(&mut sheet, fields)
            {
                problems.push(kaohe_tables::header::header_row_note(&sheet.name, row));
            }
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
                position: 0,
                tracking: None,
            });
        }
        let mut rdr =
            crate::chunks::CsvReader::open_for(path, &name, 256 * 1024, fields, problems)?;
        let headers = std::mem::take(&mut rdr.headers);
        let encoding = rdr.encoding;
        Ok(Source {
            kind: Kind::Csv(Some(Box::new(rdr)), None),
            name,
            headers,
            encoding,
            position: 0,
            tracking: None,
        })
    }

    /// Tracks case ids for duplicates while reading (call before the first row).
    pub fn track_ids(&mut self, tracking: Tracking) {
        self.tracking = Some(tracking);
    }

    /// The tracker back, once the rows have been read (joins the reading thread).
    pub fn into_tracker(mut self) -> Option<IdTracker> {
        if let Kind::Csv(_, Some(p)) = &mut self.kind {
            let thread = p.thread.take();
            // Unblock the reading thread if it is waiting to hand over a batch.
            let (_, rx) = std::sync::mpsc::sync_channel(0);
            let full = std::mem::replace(&mut p.full, rx);
            drop(full);
            let _ = thread.map(|t| t.join());
        }
        self.tracking.take().map(|t| t.tracker)
    }

    /// Reads the next non-blank row into `row` (its case id tracked, when ids are); false at the
    /// end.
    pub fn next(&mut self, row: &mut Row) -> Result<bool, Box<Problem>> {
        let more = self.next_row(row)?;
        if more && let Some(t) = self.tracking.as_mut() {
            // A cell that is not UTF-8 is reported by whoever parses the row; its id is not tracked.
            if let Ok(id) = row.get(t.column) {
                t.tracker
                    .track(t.file, row.number, kaohe_core::text::trim(id));
            }
        }
        Ok(more)
    }

    fn next_row(&mut self, row: &mut Row) -> Result<bool, Box<Problem>> {
        if let Kind::Csv(rdr, pipe @ None) = &mut self.kind {
            let rdr = rdr.take().expect("reader until the thread starts");
            *pipe = Some(Pipe::start(*rdr));
        }
        match &mut self.kind {
            Kind::Csv(_, Some(p)) => {
                if p.pos == p.cur.len {
                    if p.done {
                        return Ok(false);
                    }
                    let spent = std::mem::take(&mut p.cur);
                    let _ = p.empty.try_send(spent);
                    match p.full.recv() {
                        Ok(Ok(b)) => {
                            p.done = b.last;
                            self.position = b.position;
                            p.cur = b;
                            p.pos = 0;
                        }
                        Ok(Err(e)) => return Err(e),
                        Err(_) => return Ok(false),
                    }
                    if p.cur.len == 0 {
                        return Ok(false);
                    }
                }
                row.kind = RowKind::Csv;
                std::mem::swap(&mut row.rec, &mut p.cur.recs[p.pos]);
                row.number = p.cur.numbers[p.pos];
                row.utf8 = p.cur.utf8[p.pos];
                p.pos += 1;
                Ok(true)
            }
            Kind::Csv(_, None) => unreachable!("the reading thread was started above"),
            Kind::Xlsx(it) => match it.next() {
                Some((n, cells)) => {
                    row.kind = RowKind::Cells;
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
        self.position
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
