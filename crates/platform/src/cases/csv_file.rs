//! CSV — a case export (UTF-8, BOM or GBK/GB18030) parsed on every core at once: a reader thread cuts
//! it into chunks of whole records, workers parse and count them into their own stats, and the
//! caller's thread takes the results back in file order, so rows, problems and receipts come out as
//! one reader would give them, with flat memory.

use super::count::{Ctx, account};
use super::record::{Idx, Meta, parse};
use super::{CaseOptions, CaseStats, FIELDS, PROGRESS_EVERY};
use crate::dups::IdTracker;
use crate::indicators::{OverdueCase, Receipts};
use crate::rows::{Cells, Encoding, Line};
use crate::units::UnitMap;
use kaohe_core::text::trim;
use kaohe_core::{Origin, Problem};
use kaohe_tables::header::map_columns;
use std::path::Path;

/// What a worker made of a chunk. Row numbers in it count from the chunk's start (the first
/// record is row 1) until the reader, which knows the rows before, adds them.
struct ChunkOut {
    seq: u64,
    records: u32,
    end: u64,
    problems: Vec<Problem>,
    /// Overdue cases, when no sink takes them.
    overdue: Vec<OverdueCase>,
    /// Overdue cases as rows of `overdue.csv`, when a sink takes them.
    receipts: Receipts,
}

/// A chunk's case ids, gathered while parsing, then given to the duplicate check at once: (row,
/// fingerprint) of each, and the ids one after another, ending at `ends`.
#[derive(Default)]
struct ChunkIds {
    rows: Vec<(u32, u128)>,
    text: String,
    ends: Vec<usize>,
}

fn shift(origin: &mut Option<Origin>, by: u32) {
    if let Some(r) = origin.as_mut().and_then(|o| o.row.as_mut()) {
        *r += by;
    }
}

/// A CSV export (UTF-8 with or without BOM, or GBK/GB18030), parsed on every core at once: one
/// thread reads the file and cuts it into chunks of whole records (see `chunks`), workers each
/// decode, split and parse chunks and count into their own stats, and this thread takes their
/// results back in file order — row numbers, problems, overdue receipts and case ids come out
/// exactly as a single reader would give them. At most `WINDOW` chunks are in flight, so memory
/// stays flat whatever the file's size.
pub(super) fn read_csv(
    fi: usize,
    path: &Path,
    units: &mut UnitMap,
    opts: &mut CaseOptions<'_, '_>,
    st: &mut CaseStats,
    tracker: &mut Option<IdTracker>,
    problems: &mut Vec<Problem>,
) -> bool {
    let name = kaohe_tables::sheet::display_name(path);
    let mut reader = match crate::chunks::CsvReader::open_for(
        path,
        &name,
        opts.chunk_bytes,
        super::FIELDS,
        problems,
    ) {
        Ok(r) => r,
        Err(p) => {
            problems.push(*p);
            return false;
        }
    };
    let encoding = reader.encoding;
    let header_row = reader.header_row;
    let headers = std::mem::take(&mut reader.headers);
    let meta = Meta {
        name: name.clone(),
        headers,
        xlsx: false,
    };
    let sheet = kaohe_tables::Sheet {
        name: name.clone(),
        headers: meta.headers.clone(),
        rows: Vec::new(),
        encoding: None,
    };
    let Some(cols) = map_columns(&sheet, FIELDS, problems) else {
        return false;
    };
    let ctx = Ctx {
        ix: Idx::new(&cols),
        cols,
        meta,
        calendar: opts.calendar,
        period: opts.period,
    };
    let start = reader.position();
    let workers = match opts.threads {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .clamp(1, 8),
        n => n,
    };
    const WINDOW: usize = 8;
    let n_units = units.len();
    // With a sink, workers format the receipts (see `OverdueWriter`).
    let receipts = opts.overdue_sink.is_some();
    // One part of the duplicate check per worker: its own log, the shared filter.
    let mut shards = Vec::new();
    if let Some(t) = tracker.as_ref() {
        for _ in 0..workers {
            match t.shard() {
                Ok(sh) => shards.push(sh),
                Err(e) => {
                    problems.push(Problem::error(format!(
                        "无法创建临时文件（用于检查办件编号重复）：{e}"
                    )));
                    return false;
                }
            }
        }
    }
    let mut chunk_rows: Vec<u32> = Vec::new();
    let mut shards_done = Vec::new();

    let (work_tx, work_rx) = std::sync::mpsc::channel::<crate::chunks::Chunk>();
    let work_rx = std::sync::Mutex::new(work_rx);
    let (token_tx, token_rx) = std::sync::mpsc::channel::<()>();
    let (out_tx, out_rx) = std::sync::mpsc::channel::<Result<ChunkOut, Box<Problem>>>();
    // Chunk buffers go back to the reader once parsed, so the same few are filled again.
    let (spare_tx, spare_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let mut ok = true;
    let mut rows_here = 0u64;
    let mut end = start;
    std::thread::scope(|s| {
        // Reads and cuts; waits for a token before each chunk, so at most WINDOW are in flight.
        let reader_out = out_tx.clone();
        s.spawn(move || {
            while token_rx.recv().is_ok() {
                let buf = spare_rx.try_recv().unwrap_or_default();
                match reader.next_chunk(buf) {
                    Ok(Some(chunk)) => {
                        let last = chunk.last;
                        if work_tx.send(chunk).is_err() || last {
                            return;
                        }
                    }
                    Ok(None) => return,
                    Err(p) => {
                        let _ = reader_out.send(Err(p));
                        return;
                    }
                }
            }
        });
        let mut handles = Vec::new();
        for _ in 0..workers {
            let mut shard = shards.pop();
            let out_tx = out_tx.clone();
            let work_rx = &work_rx;
            let ctx = &ctx;
            let spare_tx = spare_tx.clone();
            let mut units = units.clone();
            handles.push(s.spawn(move || {
                let mut mine = CaseStats::empty(n_units);
                let mut fields = crate::chunks::Fields::default();
                let mut ids = ChunkIds::default();
                loop {
                    let next = work_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok(chunk)) = next else { break };
                    let track = shard.is_some();
                    let out = work(
                        &chunk,
                        ctx,
                        encoding,
                        track,
                        receipts,
                        &mut units,
                        &mut mine,
                        &mut fields,
                        &mut ids,
                    );
                    if let Some(sh) = shard.as_mut() {
                        let (text, ends) = (&ids.text, &ids.ends);
                        sh.track_chunk(fi, chunk.seq as u32, &ids.rows, |i| {
                            &text[if i == 0 { 0 } else { ends[i - 1] }..ends[i]]
                        });
                    }
                    let _ = spare_tx.send(chunk.data);
                    if out_tx.send(out).is_err() {
                        break;
                    }
                }
                (mine, shard.map(|sh| sh.done()))
            }));
        }
        drop(out_tx);
        for _ in 0..WINDOW {
            let _ = token_tx.send(());
        }
        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0u64;
        let mut before = header_row; // the header's row (1 unless empty lines come first)
        for msg in out_rx.iter() {
            match msg {
                Ok(out) => {
                    pending.insert(out.seq, out);
                }
                Err(p) => {
                    problems.push(*p);
                    ok = false;
                    break;
                }
            }
            while let Some(mut out) = pending.remove(&next) {
                next += 1;
                let _ = token_tx.send(());
                for p in out.problems.iter_mut() {
                    shift(&mut p.origin, before);
                }
                problems.append(&mut out.problems);
                kaohe_tables::limits::trim_problems(problems);
                if let Some(sink) = opts.overdue_sink.as_mut() {
                    sink.write_rows(&out.receipts, before);
                }
                for mut case in out.overdue {
                    if let Some(r) = case.source.row.as_mut() {
                        *r += before;
                    }
                    st.overdue.push(case);
                }
                chunk_rows.push(before);
                let was = rows_here / PROGRESS_EVERY;
                rows_here += u64::from(out.records);
                before += out.records;
                end = out.end;
                if rows_here / PROGRESS_EVERY > was
                    && let Some(cb) = opts.progress.as_mut()
                {
                    cb(&name, end, rows_here);
                }
            }
        }
        // Stops the reader (and so the workers) if this ended early.
        drop(token_tx);
        drop(out_rx);
        for h in handles {
            match h.join() {
                Ok((mine, done)) => {
                    st.absorb(mine);
                    shards_done.extend(done);
                }
                Err(_) => ok = false,
            }
        }
    });
    if let Some(t) = tracker.as_mut() {
        for done in shards_done {
            t.absorb(done);
        }
        t.set_chunk_rows(fi, chunk_rows);
    }
    st.bytes += end;
    if let Some(cb) = opts.progress.as_mut() {
        cb(&name, end, rows_here);
    }
    ok
}

/// One chunk: decoded (GBK), cut into records, each parsed and counted in `mine`.
#[allow(clippy::too_many_arguments)]
fn work(
    chunk: &crate::chunks::Chunk,
    ctx: &Ctx<'_>,
    encoding: Encoding,
    track: bool,
    receipts: bool,
    units: &mut UnitMap,
    mine: &mut CaseStats,
    fields: &mut crate::chunks::Fields,
    ids: &mut ChunkIds,
) -> Result<ChunkOut, Box<Problem>> {
    let decoded;
    let (bytes, utf8) = match encoding {
        Encoding::Gb18030 => {
            decoded = encoding_rs::GB18030
                .decode_without_bom_handling(&chunk.data)
                .0;
            (decoded.as_bytes(), true)
        }
        _ => (
            &chunk.data[..],
            simdutf8::basic::from_utf8(&chunk.data).is_ok(),
        ),
    };
    let mut out = ChunkOut {
        seq: chunk.seq,
        records: 0,
        end: chunk.end,
        problems: Vec::new(),
        overdue: Vec::new(),
        receipts: Receipts::default(),
    };
    ids.rows.clear();
    ids.text.clear();
    ids.ends.clear();
    let mut number = 0u32;
    let cut = crate::chunks::split(bytes, chunk.last, chunk.after_cr, fields, |line, bounds| {
        number += 1;
        if let Err(p) = crate::chunks::record_limits(line, bounds) {
            // Row numbers here count from the chunk's start; the reader shifts them.
            out.problems
                .push((*p).at(Some(Origin::row(&ctx.meta.name, number))));
            mine.rows += 1;
            return;
        }
        let row = Line {
            number,
            bytes: line,
            bounds,
            utf8: utf8 || simdutf8::basic::from_utf8(line).is_ok(),
        };
        if row.is_blank() {
            return;
        }
        mine.rows += 1;
        if track && let Ok(id) = row.get(ctx.ix.case_id) {
            let id = trim(id);
            if !id.is_empty() {
                ids.rows.push((number, crate::dups::fingerprint(id)));
                ids.text.push_str(id);
                ids.ends.push(ids.text.len());
            }
        }
        let Some(p) = parse(
            &row,
            &ctx.cols,
            &ctx.ix,
            &ctx.meta,
            units,
            &mut out.problems,
        ) else {
            return;
        };
        if let Some(case) = account(p, number, ctx, units, mine, &mut out.problems) {
            if receipts {
                out.receipts.push(&case);
            } else {
                out.overdue.push(case);
            }
        }
    });
    out.records = number;
    match cut {
        Ok(()) => Ok(out),
        Err(_) => Err(Box::new(
            Problem::error("内部错误：文件分块处未在一条记录的末尾（请报告此文件）")
                .at(Some(Origin::file(&ctx.meta.name))),
        )),
    }
}
