//! 分块读取 — a CSV export cut into chunks of whole records, so that several threads can parse one
//! file at once. The cut is exact: [`last_boundary`] follows the same states as the `csv` crate's
//! reader (quoted fields may hold commas and line breaks; `""` is a quote; a quote inside an
//! unquoted field is an ordinary character; `\r`, `\n` and `\r\n` end a record; empty lines are no
//! records), and every chunk is checked to end where a record ends when it is split
//! ([`split`] returns `Err` otherwise), so a wrong cut could never pass silently.
//!
//! GBK/GB18030 files are cut the same way before decoding: commas, quotes and line breaks are ASCII
//! bytes, which never occur inside a two- or four-byte GB18030 character.
//!
//! Rows are numbered as a spreadsheet shows them: the header is row 1, a record whose quoted field
//! holds line breaks is one row, and an empty line is a row too (given to the caller as a record
//! with no fields, which is blank) — where the `csv` crate would skip it and so number every later
//! row one too low.

use crate::rows::Encoding;
use kaohe_core::{Origin, Problem};
use kaohe_tables::limits::{MAX_CELL_CHARS, MAX_COLUMNS, MAX_RECORD_BYTES, size_text};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Where the CSV reader stands after a byte.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    RecordStart,
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first half of `""`.
    QuotedQuote,
}

/// The end (just after the line break) of the last whole record in `buf`, which begins where a
/// record begins; `None` when no record ends in it.
pub(crate) fn last_boundary(buf: &[u8]) -> Option<usize> {
    if memchr::memchr(b'"', buf).is_none() {
        // Without quotes every line break ends a record.
        return memchr::memrchr2(b'\n', b'\r', buf).map(|p| p + 1);
    }
    // With quotes: from quote to quote and break to break (the bytes between change nothing).
    // A quote opens a field only at a field's start; inside, `""` is a quote and a lone `"`
    // closes it; a line break outside quotes ends a record.
    let (mut quoted, mut last, mut i) = (false, None, 0);
    while let Some(off) = memchr::memchr3(b'"', b'\n', b'\r', &buf[i..]) {
        let p = i + off;
        i = p + 1;
        match (quoted, buf[p]) {
            (true, b'"') => match buf.get(p + 1) {
                Some(b'"') => i = p + 2,
                Some(_) => quoted = false,
                // Whether this quote is half of `""` shows only with more bytes.
                None => break,
            },
            (true, _) => {}
            (false, b'"') => quoted = p == 0 || matches!(buf[p - 1], b',' | b'\n' | b'\r'),
            (false, _) => last = Some(p + 1),
        }
    }
    last
}

/// Checks a record against [`MAX_COLUMNS`] and [`MAX_CELL_CHARS`]: `Err((column, width or
/// characters))`. One comparison for nearly every record: no field of a record shorter than the
/// cell limit can pass it.
#[inline]
pub(crate) fn record_limits(line: &[u8], bounds: &[(usize, usize)]) -> Result<(), Box<Problem>> {
    if bounds.len() > MAX_COLUMNS || line.len() > MAX_CELL_CHARS {
        return record_limits_slow(line, bounds);
    }
    Ok(())
}

#[cold]
fn record_limits_slow(line: &[u8], bounds: &[(usize, usize)]) -> Result<(), Box<Problem>> {
    if bounds.len() > MAX_COLUMNS {
        return Err(Box::new(
            Problem::error(format!(
                "本行有 {} 列，超过上限 {MAX_COLUMNS} 列",
                bounds.len()
            ))
            .expected(format!("每行不超过 {MAX_COLUMNS} 列")),
        ));
    }
    for (i, &(a, b)) in bounds.iter().enumerate() {
        if b - a > MAX_CELL_CHARS {
            let n = String::from_utf8_lossy(&line[a..b]).chars().count();
            if n > MAX_CELL_CHARS {
                let col = kaohe_tables::sheet::column_letters(i);
                return Err(Box::new(
                    Problem::error(format!(
                        "第 {} 列（{col}列）的单元格有 {n} 个字符，超过上限 {MAX_CELL_CHARS} 个字符",
                        i + 1
                    ))
                    .expected(format!(
                        "每个单元格不超过 {MAX_CELL_CHARS} 个字符（Excel 的上限）"
                    )),
                ));
            }
        }
    }
    Ok(())
}

/// Room the splitter reuses from record to record.
#[derive(Default)]
pub(crate) struct Fields {
    buf: Vec<u8>,
    bounds: Vec<(usize, usize)>,
}

/// The chunk's end is inside a record (a quoted field runs on past it).
#[derive(Debug)]
pub(crate) struct Unfinished;

/// Calls `f` with the position and byte of every comma, `\n` and `\r` of `bytes`, in order —
/// sixteen bytes compared at a time (SSE2 is part of every x86-64 CPU).
#[inline]
fn delimiters(bytes: &[u8], mut f: impl FnMut(usize, u8)) {
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always there on x86-64; every load reads 16 bytes inside `bytes`
        // (i + 16 <= len), and each position from the mask is below i + 16.
        unsafe {
            let comma = _mm_set1_epi8(b',' as i8);
            let lf = _mm_set1_epi8(b'\n' as i8);
            let cr = _mm_set1_epi8(b'\r' as i8);
            while i + 16 <= bytes.len() {
                let v = _mm_loadu_si128(bytes.as_ptr().add(i) as *const __m128i);
                let hits = _mm_or_si128(
                    _mm_cmpeq_epi8(v, comma),
                    _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)),
                );
                let mut mask = _mm_movemask_epi8(hits) as u32;
                while mask != 0 {
                    let p = i + mask.trailing_zeros() as usize;
                    f(p, *bytes.get_unchecked(p));
                    mask &= mask - 1;
                }
                i += 16;
            }
        }
    }
    for (j, &b) in bytes[i..].iter().enumerate() {
        if matches!(b, b',' | b'\n' | b'\r') {
            f(i + j, b);
        }
    }
}

/// Calls `each` with every record of `chunk`, in order: the record's bytes and where each field
/// lies in them; an empty line comes as a record with no fields. `last` is true for the file's last
/// chunk, which may end without a line break; `after_cr` when the byte before the chunk is a `\r`
/// ending a line (so that a `\n` first in the chunk completes a `\r\n`, not an empty line).
pub(crate) fn split(
    chunk: &[u8],
    last: bool,
    after_cr: bool,
    fields: &mut Fields,
    mut each: impl FnMut(&[u8], &[(usize, usize)]),
) -> Result<(), Unfinished> {
    if memchr::memchr(b'"', chunk).is_none() {
        // Without quotes a field is what lies between commas, a record what lies between breaks.
        let bounds = &mut fields.bounds;
        bounds.clear();
        let (mut line, mut field) = (0, 0);
        delimiters(chunk, |p, b| {
            if b == b',' {
                bounds.push((field - line, p - line));
            } else {
                if p > line {
                    bounds.push((field - line, p - line));
                    each(&chunk[line..p], bounds);
                } else {
                    let crlf = b == b'\n'
                        && if p == 0 {
                            after_cr
                        } else {
                            chunk[p - 1] == b'\r'
                        };
                    if !crlf {
                        each(&[], &[]);
                    }
                }
                bounds.clear();
                line = p + 1;
            }
            field = p + 1;
        });
        if line < chunk.len() {
            bounds.push((field - line, chunk.len() - line));
            each(&chunk[line..], bounds);
        }
        return Ok(());
    }
    // With quotes: the reader's states (as `step`), unquoting as it goes; the inside of a quoted
    // field and the rest of an unquoted one are copied as runs up to the next byte that matters.
    let Fields { buf, bounds, .. } = fields;
    buf.clear();
    bounds.clear();
    let mut st = State::RecordStart;
    let mut prev_cr = after_cr;
    let mut from = 0;
    let mut i = 0;
    while i < chunk.len() {
        use State::*;
        match st {
            Quoted => {
                prev_cr = false;
                match memchr::memchr(b'"', &chunk[i..]) {
                    Some(k) => {
                        buf.extend_from_slice(&chunk[i..i + k]);
                        i += k + 1;
                        st = QuotedQuote;
                    }
                    None => {
                        buf.extend_from_slice(&chunk[i..]);
                        i = chunk.len();
                    }
                }
                continue;
            }
            Unquoted => {
                prev_cr = false;
                match memchr::memchr3(b',', b'\r', b'\n', &chunk[i..]) {
                    Some(k) => {
                        buf.extend_from_slice(&chunk[i..i + k]);
                        i += k;
                    }
                    None => {
                        buf.extend_from_slice(&chunk[i..]);
                        i = chunk.len();
                        continue;
                    }
                }
            }
            _ => {}
        }
        let b = chunk[i];
        i += 1;
        let was_cr = prev_cr;
        prev_cr = false;
        st = match (st, b) {
            (Quoted, b'"') => QuotedQuote,
            (Quoted, _) => {
                buf.push(b);
                Quoted
            }
            (RecordStart, b'\r' | b'\n') => {
                if !(b == b'\n' && was_cr) {
                    each(&[], &[]);
                }
                prev_cr = b == b'\r';
                RecordStart
            }
            (_, b'\r' | b'\n') => {
                bounds.push((from, buf.len()));
                each(buf, bounds);
                buf.clear();
                bounds.clear();
                from = 0;
                prev_cr = b == b'\r';
                RecordStart
            }
            (RecordStart | FieldStart, b'"') => Quoted,
            (QuotedQuote, b'"') => {
                buf.push(b'"');
                Quoted
            }
            (_, b',') => {
                bounds.push((from, buf.len()));
                from = buf.len();
                FieldStart
            }
            _ => {
                buf.push(b);
                Unquoted
            }
        };
    }
    if st != State::RecordStart {
        if !last {
            return Err(Unfinished);
        }
        // The last record of the file without a line break (even inside an unclosed quote, as
        // the `csv` crate reads it).
        bounds.push((from, buf.len()));
        each(buf, bounds);
    }
    Ok(())
}

/// The first record of `buf` (the header) and the bytes it takes with its line break; `None` when
/// `buf` holds no whole record yet (unless `eof`, when what there is is the record).
pub(crate) fn first_record(buf: &[u8], eof: bool) -> Option<(Vec<Vec<u8>>, usize)> {
    let mut rdr = csv_core::Reader::new();
    let mut out = vec![0u8; buf.len() + 16];
    let mut ends = vec![0usize; buf.len() + 2];
    let (res, nin, _, nend) = rdr.read_record(buf, &mut out, &mut ends);
    let (res, nend) = match res {
        csv_core::ReadRecordResult::Record => (res, nend),
        csv_core::ReadRecordResult::InputEmpty if eof => {
            let (r, _, _, n2) = rdr.read_record(&[], &mut out, &mut ends[nend..]);
            (r, nend + n2)
        }
        _ => return None,
    };
    if res != csv_core::ReadRecordResult::Record {
        return None;
    }
    let mut fields = Vec::with_capacity(nend);
    let mut from = 0;
    for &end in &ends[..nend] {
        fields.push(out[from..end].to_vec());
        from = end;
    }
    // `\r\n`: the reader stops at `\r`; the `\n` belongs to the header line as well.
    let nin = if buf[..nin].ends_with(b"\r") && buf.get(nin) == Some(&b'\n') {
        nin + 1
    } else {
        nin
    };
    Some((fields, nin))
}

/// Line breaks before the first byte that is not one (`\r\n` is one break).
/// `bytes` as text in `encoding` (GBK decoded; invalid sequences shown as U+FFFD).
fn decode_as(encoding: Encoding, bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match encoding {
        Encoding::Gb18030 => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
        _ => String::from_utf8_lossy(bytes),
    }
}

fn leading_breaks(buf: &[u8]) -> u32 {
    let mut n = 0;
    let mut i = 0;
    while i < buf.len() && matches!(buf[i], b'\r' | b'\n') {
        if buf[i] == b'\r' && buf.get(i + 1) == Some(&b'\n') {
            i += 1;
        }
        n += 1;
        i += 1;
    }
    n
}

/// A piece of a CSV file holding whole records, `seq`-th from the start.
pub(crate) struct Chunk {
    pub seq: u64,
    pub data: Vec<u8>,
    /// The file's last chunk (it may end without a line break).
    pub last: bool,
    /// The byte before the chunk is a `\r` that ended a line.
    pub after_cr: bool,
    /// The file offset where the chunk ends.
    pub end: u64,
}

/// A CSV export opened for reading in chunks: its encoding and header, then its records' bytes.
pub(crate) struct CsvReader {
    pub encoding: Encoding,
    pub headers: Vec<String>,
    /// The header's row as a spreadsheet numbers it: 1, or later when empty lines come before it
    /// (the header is the first record; empty lines before it are rows all the same).
    pub header_row: u32,
    file: std::fs::File,
    carry: Vec<u8>,
    offset: u64,
    eof: bool,
    seq: u64,
    after_cr: bool,
    chunk_bytes: usize,
    name: String,
}

impl CsvReader {
    /// Opens `path` (shown as `name` in problems): the encoding sniffed, a UTF-8 BOM skipped, the
    /// header (the first record, however long) read and decoded — for a table of `fields`: when
    /// the first record does not name the required fields and one of the first 10 rows does (a
    /// title row above the header), that record is the header, the rows above it are passed over,
    /// and a note in `problems` names it.
    pub fn open_for(
        path: &Path,
        name: &str,
        chunk_bytes: usize,
        fields: &[kaohe_tables::header::Field],
        problems: &mut Vec<Problem>,
    ) -> Result<CsvReader, Box<Problem>> {
        let io = |e: std::io::Error| {
            Box::new(
                Problem::error(format!(
                    "无法读取文件：{}",
                    kaohe_tables::sheet::io_error_text(&e)
                ))
                .at(Some(Origin::file(name))),
            )
        };
        let mut file = std::fs::File::open(path).map_err(io)?;
        let (encoding, skip) = crate::rows::sniff(&mut file).map_err(io)?;
        file.seek(SeekFrom::Start(skip as u64)).map_err(io)?;
        let mut head = Vec::new();
        let mut eof = false;
        let (header, used) = loop {
            if let Some(h) = first_record(&head, eof) {
                break h;
            }
            if eof {
                return Err(Box::new(
                    Problem::error("文件是空的，没有表头行")
                        .at(Some(Origin::file(name)))
                        .expected("第一行为表头"),
                ));
            }
            if head.len() > MAX_RECORD_BYTES {
                return Err(Box::new(
                    Problem::error(format!(
                        "表头行（第一条记录）超过 {} 的上限",
                        size_text(MAX_RECORD_BYTES as u64)
                    ))
                    .at(Some(Origin::row(name, 1)))
                    .expected(format!(
                        "一行不超过 {}（多为缺少换行或引号未闭合）",
                        size_text(MAX_RECORD_BYTES as u64)
                    )),
                ));
            }
            let n = head.len();
            let got = (&mut file)
                .take(64 * 1024)
                .read_to_end(&mut head)
                .map_err(io)?;
            eof = got == 0;
            debug_assert!(head.len() == n + got);
        };
        // A title row above the header: the header is the first of the first 10 rows that names
        // the required fields (looked for in what has been read, at most 64 KiB more).
        let (mut header, mut start, mut used) = (header, 0usize, used);
        let mut rows_before = 0u32;
        if !fields.is_empty() {
            let text = |rec: &[Vec<u8>]| -> Vec<String> {
                rec.iter()
                    .map(|f| {
                        decode_as(encoding, f)
                            .trim_start_matches('\u{feff}')
                            .to_string()
                    })
                    .collect()
            };
            if !kaohe_tables::header::names_required(&text(&header), fields) {
                let (mut at, mut rows) = (used, leading_breaks(&head[..used]) + 1);
                let mut more = 64 * 1024;
                while (rows as usize) < kaohe_tables::header::HEADER_SEARCH_ROWS {
                    match first_record(&head[at..], eof) {
                        Some((rec, n)) if n > 0 => {
                            let before = leading_breaks(&head[at..at + n]);
                            if rows + before >= kaohe_tables::header::HEADER_SEARCH_ROWS as u32 {
                                break;
                            }
                            if kaohe_tables::header::names_required(&text(&rec), fields) {
                                (header, start, used, rows_before) = (rec, at, n, rows);
                                break;
                            }
                            rows += before + 1;
                            at += n;
                        }
                        Some(_) => break,
                        None if eof || more == 0 => break,
                        None => {
                            let got = (&mut file)
                                .take(more as u64)
                                .read_to_end(&mut head)
                                .map_err(io)?;
                            more -= got.min(more);
                            eof = got == 0;
                        }
                    }
                }
            }
        }
        let used = start + used;
        let header_row = 1 + rows_before + leading_breaks(&head[start..used]);
        if rows_before > 0 {
            problems.push(kaohe_tables::header::header_row_note(name, header_row));
        }
        let mut r = CsvReader {
            encoding,
            headers: Vec::new(),
            header_row,
            after_cr: used > 0 && head[used - 1] == b'\r',
            carry: head.split_off(used),
            file,
            offset: skip as u64 + used as u64,
            eof,
            seq: 0,
            chunk_bytes: chunk_bytes.max(1),
            name: name.to_string(),
        };
        r.headers = header
            .iter()
            .map(|h| r.decode(h).trim_start_matches('\u{feff}').to_string())
            .collect();
        kaohe_tables::sheet::check_row(
            name,
            r.header_row,
            r.headers.len(),
            r.headers.iter().map(String::as_str).enumerate(),
        )
        .map_err(Box::new)?;
        Ok(r)
    }

    /// `bytes` of this file as text (GBK decoded; invalid sequences shown as U+FFFD).
    pub fn decode<'b>(&self, bytes: &'b [u8]) -> std::borrow::Cow<'b, str> {
        decode_as(self.encoding, bytes)
    }

    /// The file's name as problems show it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the data rows begin (after BOM and header).
    pub fn position(&self) -> u64 {
        self.offset
    }

    /// The next chunk of whole records, filled into `buf` (a buffer to reuse); `None` at the end.
    pub fn next_chunk(&mut self, mut buf: Vec<u8>) -> Result<Option<Chunk>, Box<Problem>> {
        buf.clear();
        buf.append(&mut self.carry);
        let mut want = self.chunk_bytes;
        let cut = loop {
            if !self.eof && buf.len() < want {
                let ask = (want - buf.len()) as u64;
                let got = (&mut self.file)
                    .take(ask)
                    .read_to_end(&mut buf)
                    .map_err(|e| {
                        Box::new(
                            Problem::error(format!(
                                "无法读取文件：{}",
                                kaohe_tables::sheet::io_error_text(&e)
                            ))
                            .at(Some(Origin::file(&self.name))),
                        )
                    })?;
                self.eof = (got as u64) < ask;
            }
            if self.eof {
                break buf.len();
            }
            match last_boundary(&buf) {
                Some(b) => break b,
                // One record longer than a chunk: read on, up to the longest a record may be.
                None if buf.len() > MAX_RECORD_BYTES => {
                    return Err(Box::new(
                        Problem::error(format!(
                            "从第 {} 字节起的一条记录（一行）超过 {} 的上限",
                            self.offset + 1,
                            size_text(MAX_RECORD_BYTES as u64)
                        ))
                        .at(Some(Origin::file(&self.name)))
                        .expected(format!(
                            "一行不超过 {}（多为缺少换行或引号未闭合）",
                            size_text(MAX_RECORD_BYTES as u64)
                        )),
                    ));
                }
                None => want = (buf.len() * 2).min(MAX_RECORD_BYTES + 1),
            }
        };
        self.carry = buf.split_off(cut);
        if buf.is_empty() {
            return Ok(None);
        }
        self.offset += buf.len() as u64;
        let chunk = Chunk {
            seq: self.seq,
            after_cr: self.after_cr,
            last: self.eof && self.carry.is_empty(),
            end: self.offset,
            data: buf,
        };
        self.after_cr = chunk.data.last() == Some(&b'\r');
        self.seq += 1;
        Ok(Some(chunk))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Records as the `csv` crate reads them (flexible, no header).
    fn reference(data: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        let mut out = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            out.push(rec.iter().map(<[u8]>::to_vec).collect());
        }
        out
    }

    /// Records read chunk by chunk, cutting after about `size` bytes each time as the reader does;
    /// empty lines are records without fields.
    fn rows(data: &[u8], size: usize) -> Vec<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        let mut fields = Fields::default();
        let mut start = 0;
        while start < data.len() {
            let mut want = size;
            let (end, last) = loop {
                let stop = (start + want).min(data.len());
                if stop == data.len() {
                    break (stop, true);
                }
                match last_boundary(&data[start..stop]) {
                    Some(b) => break (start + b, false),
                    None => want *= 2,
                }
            };
            let after_cr = start > 0 && data[start - 1] == b'\r';
            split(
                &data[start..end],
                last,
                after_cr,
                &mut fields,
                |line, bounds| {
                    out.push(bounds.iter().map(|&(a, b)| line[a..b].to_vec()).collect());
                },
            )
            .expect("every chunk ends where a record ends");
            start = end;
        }
        out
    }

    /// The records, as the `csv` crate has them (without the empty lines).
    fn chunked(data: &[u8], size: usize) -> Vec<Vec<Vec<u8>>> {
        rows(data, size)
            .into_iter()
            .filter(|r| !r.is_empty())
            .collect()
    }

    /// Lines as a spreadsheet counts them: `\r\n`, `\r` or `\n` end one; no row after a final break.
    fn lines(data: &[u8]) -> usize {
        let mut n = 0;
        let mut i = 0;
        let mut open = false;
        while i < data.len() {
            match data[i] {
                b'\r' => {
                    n += 1;
                    open = false;
                    if data.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                }
                b'\n' => {
                    n += 1;
                    open = false;
                }
                _ => open = true,
            }
            i += 1;
        }
        n + usize::from(open)
    }

    #[test]
    fn empty_lines_are_rows_and_crlf_is_one_break() {
        let data = b"a,b\r\n\r\nc\n\n\nd\r\re\r\n";
        for size in 1..data.len() + 2 {
            let r = rows(data, size);
            assert_eq!(r.len(), 8, "{size}: {r:?}");
            assert_eq!(r.len(), lines(data));
            assert!(r[1].is_empty() && r[3].is_empty() && r[4].is_empty() && r[6].is_empty());
        }
        let quoted = b"\"a\r\nb\"\r\n\r\n\"c\"\n";
        for size in 1..quoted.len() + 2 {
            let r = rows(quoted, size);
            assert_eq!(
                r,
                vec![vec![b"a\r\nb".to_vec()], vec![], vec![b"c".to_vec()]],
                "{size}"
            );
        }
    }

    #[test]
    fn quoted_line_breaks_commas_and_doubled_quotes_stay_in_their_field() {
        let data = "a,b\r\n\"x,\ny\",\"say \"\"hi\"\"\"\n\nq\"r,s\r\"t\nu\",v\n";
        for size in 1..data.len() + 2 {
            assert_eq!(
                chunked(data.as_bytes(), size),
                reference(data.as_bytes()),
                "{size}"
            );
        }
    }

    #[test]
    fn a_cut_inside_a_quoted_field_is_refused() {
        let mut f = Fields::default();
        assert!(split(b"1,\"a\nb", false, false, &mut f, |_, _| {}).is_err());
        let mut n = 0;
        assert!(split(b"1,\"a\nb", true, false, &mut f, |_, _| n += 1).is_ok());
        assert_eq!(n, 1);
    }

    #[test]
    fn the_header_is_the_first_record() {
        let (h, n) = first_record(b"\"id\",name\r\n1,2\n", false).unwrap();
        assert_eq!(h, vec![b"id".to_vec(), b"name".to_vec()]);
        assert_eq!(n, 11);
        assert!(first_record(b"id,na", false).is_none());
        let (h, n) = first_record(b"id,na", true).unwrap();
        assert_eq!((h.len(), n), (2, 5));
    }

    proptest! {
        #[test]
        fn chunked_reading_gives_the_csv_crates_records(
            bytes in prop::collection::vec(prop::sample::select(b"ab,\"\r\n\xe4".to_vec()), 0..300),
            size in 1usize..64,
        ) {
            prop_assert_eq!(chunked(&bytes, size), reference(&bytes));
        }

        #[test]
        fn without_quotes_every_line_is_one_row(
            bytes in prop::collection::vec(prop::sample::select(b"ab,\r\n\xe4".to_vec()), 0..300),
            size in 1usize..64,
        ) {
            prop_assert_eq!(rows(&bytes, size).len(), lines(&bytes));
        }
    }
}
