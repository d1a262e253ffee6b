//! 分块读取 — a CSV export cut into chunks of whole records, so that several threads can parse one
//! file at once. The cut is exact: [`last_boundary`] follows the same states as the `csv` crate's
//! reader (quoted fields may hold commas and line breaks; `""` is a quote; a quote inside an
//! unquoted field is an ordinary character; `\r`, `\n` and `\r\n` end a record; empty lines are no
//! records), and every chunk is checked to end where a record ends when it is split
//! ([`split`] returns `Err` otherwise), so a wrong cut could never pass silently.
//!
//! GBK/GB18030 files are cut the same way before decoding: commas, quotes and line breaks are ASCII
//! bytes, which never occur inside a two- or four-byte GB18030 character.

/// Where the CSV reader stands after a byte (only what decides where a record ends).
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    RecordStart,
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first half of `""`.
    QuotedQuote,
}

fn step(st: State, b: u8) -> State {
    use State::*;
    match (st, b) {
        (Quoted, b'"') => QuotedQuote,
        (Quoted, _) => Quoted,
        (_, b'\r' | b'\n') => RecordStart,
        (RecordStart | FieldStart, b'"') => Quoted,
        (QuotedQuote, b'"') => Quoted,
        (_, b',') => FieldStart,
        _ => Unquoted,
    }
}

/// The end (just after the line break) of the last whole record in `buf`, which begins where a
/// record begins; `None` when no record ends in it.
pub(crate) fn last_boundary(buf: &[u8]) -> Option<usize> {
    if memchr::memchr(b'"', buf).is_none() {
        // Without quotes every line break ends a record.
        return memchr::memrchr2(b'\n', b'\r', buf).map(|p| p + 1);
    }
    let mut st = State::RecordStart;
    let mut last = None;
    for (i, &b) in buf.iter().enumerate() {
        st = step(st, b);
        if st == State::RecordStart && (b == b'\n' || b == b'\r') {
            last = Some(i + 1);
        }
    }
    last
}

/// Room the splitter reuses from record to record.
#[derive(Default)]
pub(crate) struct Fields {
    buf: Vec<u8>,
    ends: Vec<usize>,
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
/// lies in them. `last` is true for the file's last chunk, which may end without a line break.
/// Empty lines are no records (as in the `csv` crate).
pub(crate) fn split(
    chunk: &[u8],
    last: bool,
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
    let mut rdr = csv_core::Reader::new();
    let mut input = chunk;
    let (mut o, mut e) = (0, 0);
    if fields.buf.len() < 256 {
        fields.buf.resize(256, 0);
    }
    if fields.ends.len() < 32 {
        fields.ends.resize(32, 0);
    }
    let mut at_end = false;
    loop {
        let (res, nin, nout, nend) =
            rdr.read_record(input, &mut fields.buf[o..], &mut fields.ends[e..]);
        input = &input[nin..];
        o += nout;
        e += nend;
        use csv_core::ReadRecordResult::*;
        match res {
            InputEmpty => {
                if at_end {
                    // read_record at the end always answers Record or End.
                    return Ok(());
                }
                at_end = true;
            }
            OutputFull => {
                let n = fields.buf.len() * 2;
                fields.buf.resize(n, 0);
            }
            OutputEndsFull => {
                let n = fields.ends.len() * 2;
                fields.ends.resize(n, 0);
            }
            Record => {
                if at_end && !last {
                    return Err(Unfinished);
                }
                fields.bounds.clear();
                let mut from = 0;
                for &end in &fields.ends[..e] {
                    fields.bounds.push((from, end));
                    from = end;
                }
                each(&fields.buf[..o], &fields.bounds);
                o = 0;
                e = 0;
            }
            End => return Ok(()),
        }
    }
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

    /// Records read chunk by chunk, cutting after about `size` bytes each time as the reader does.
    fn chunked(data: &[u8], size: usize) -> Vec<Vec<Vec<u8>>> {
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
            split(&data[start..end], last, &mut fields, |line, bounds| {
                out.push(bounds.iter().map(|&(a, b)| line[a..b].to_vec()).collect());
            })
            .expect("every chunk ends where a record ends");
            start = end;
        }
        out
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
        assert!(split(b"1,\"a\nb", false, &mut f, |_, _| {}).is_err());
        let mut n = 0;
        assert!(split(b"1,\"a\nb", true, &mut f, |_, _| n += 1).is_ok());
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
    }
}
