//! 办件编号重复检测 — exact duplicate detection of case ids in memory that does not grow with rows.
//! Pass 1 (on the threads that parse, as records stream by): a 128-bit fingerprint of every id goes
//! to a temporary log file (26 bytes a row, on disk; one log per parsing thread) and into one fixed
//! 32 MiB Bloom filter shared by the threads, whose word is prefetched 16 rows ahead. Ids the filter
//! has seen before are candidates. Pass 2, only
//! when there are candidates: the log (not the CSV) is scanned for the rows of candidate
//! fingerprints, and fingerprints found on two rows or more are reported as duplicates with every
//! row. (Two different ids with one 128-bit fingerprint: odds about 1 in 10^25 at 10^7 rows.)

use crate::bloom::Bloom;
use kaohe_core::{Origin, Problem};
use rustc_hash::FxHashMap;
use std::path::PathBuf;

/// The case-id log of pass 1: (file, chunk, row, 128-bit fingerprint of the id) for every row,
/// written to a temporary file so that memory stays flat; read back only when the filter flagged
/// candidates. A row counted from its chunk's start becomes a row of the file through the chunks'
/// first rows ([`IdTracker::set_chunk_rows`]); chunk `NO_CHUNK` means the row is the file's own.
pub(crate) struct IdLog {
    path: PathBuf,
    w: Option<std::io::BufWriter<std::fs::File>>,
}

impl IdLog {
    fn new() -> std::io::Result<IdLog> {
        static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "kaohe-case-ids-{}-{nanos}-{serial}",
            std::process::id()
        ));
        let f = std::fs::File::create(&path)?;
        Ok(IdLog {
            path,
            w: Some(std::io::BufWriter::with_capacity(1 << 20, f)),
        })
    }
    fn record(out: &mut Vec<u8>, file: usize, chunk: u32, row: u32, fp: u128) {
        out.extend_from_slice(&(file as u16).to_le_bytes());
        out.extend_from_slice(&chunk.to_le_bytes());
        out.extend_from_slice(&row.to_le_bytes());
        out.extend_from_slice(&fp.to_le_bytes());
    }
    fn push(&mut self, file: usize, row: u32, fp: u128) {
        let mut rec = Vec::with_capacity(REC);
        Self::record(&mut rec, file, NO_CHUNK, row, fp);
        self.push_bytes(&rec);
    }
    fn push_bytes(&mut self, recs: &[u8]) {
        use std::io::Write;
        if let Some(w) = self.w.as_mut()
            && w.write_all(recs).is_err()
        {
            self.w = None;
        }
    }
    /// Every (file, row) whose fingerprint is in `want`, added to `out`.
    fn find(
        &mut self,
        want: &FxHashMap<u128, String>,
        chunk_rows: &FxHashMap<usize, Vec<u32>>,
        out: &mut Vec<(u128, usize, u32)>,
    ) -> Option<()> {
        use std::io::{Read, Write};
        let mut w = self.w.take()?;
        w.flush().ok()?;
        drop(w);
        let mut r =
            std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&self.path).ok()?);
        let mut rec = [0u8; REC];
        while r.read_exact(&mut rec).is_ok() {
            let fp = u128::from_le_bytes(rec[10..].try_into().expect("16 bytes"));
            if want.contains_key(&fp) {
                let file = u16::from_le_bytes([rec[0], rec[1]]) as usize;
                let chunk = u32::from_le_bytes(rec[2..6].try_into().expect("4 bytes"));
                let mut row = u32::from_le_bytes(rec[6..10].try_into().expect("4 bytes"));
                if chunk != NO_CHUNK {
                    row += *chunk_rows.get(&file)?.get(chunk as usize)?;
                }
                out.push((fp, file, row));
            }
        }
        Some(())
    }
}

impl Drop for IdLog {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Bytes of a log record: file (2), chunk (4), row (4), fingerprint (16).
const REC: usize = 26;
/// The chunk of a row numbered from the file's start.
const NO_CHUNK: u32 = u32::MAX;

pub(crate) fn fingerprint(id: &str) -> u128 {
    crate::bloom::fingerprint(id.as_bytes())
}

/// Everything pass 1 keeps: the filter, the logs, the candidates, the prefetch ring.
pub struct IdTracker {
    bloom: Bloom,
    log: IdLog,
    /// The logs of the threads that parsed chunks ([`IdTracker::shard`]).
    shard_logs: Vec<IdLog>,
    /// Per file read in chunks: the row before each chunk's first row.
    chunk_rows: FxHashMap<usize, Vec<u32>>,
    candidates: FxHashMap<u128, String>,
    pending: [(u128, String, bool); 16],
    n: usize,
}

/// The part of pass 1 one parsing thread does: its own log and candidates, the shared filter.
pub(crate) struct Shard<'t> {
    bloom: &'t Bloom,
    log: IdLog,
    candidates: FxHashMap<u128, String>,
    buf: Vec<u8>,
}

/// What a shard leaves for pass 2.
pub(crate) struct ShardDone {
    log: IdLog,
    candidates: FxHashMap<u128, String>,
}

impl Shard<'_> {
    /// Records a chunk's ids: `rows[i]` is (row counted from the chunk's start, fingerprint) of
    /// the id `id(i)`. The filter's words are prefetched 16 ids ahead; the log gets one write.
    pub(crate) fn track_chunk<'a>(
        &mut self,
        file: usize,
        chunk: u32,
        rows: &[(u32, u128)],
        id: impl Fn(usize) -> &'a str,
    ) {
        self.buf.clear();
        for &(row, fp) in rows {
            IdLog::record(&mut self.buf, file, chunk, row, fp);
        }
        self.log.push_bytes(&self.buf);
        const AHEAD: usize = 16;
        for &(_, fp) in rows.iter().take(AHEAD) {
            self.bloom.prefetch((fp >> 64) as u64);
        }
        for (i, &(_, fp)) in rows.iter().enumerate() {
            if let Some(&(_, next)) = rows.get(i + AHEAD) {
                self.bloom.prefetch((next >> 64) as u64);
            }
            if self.bloom.insert((fp >> 64) as u64) {
                self.candidates.insert(fp, id(i).to_string());
            }
        }
    }

    pub(crate) fn done(self) -> ShardDone {
        ShardDone {
            log: self.log,
            candidates: self.candidates,
        }
    }
}

impl IdTracker {
    pub fn new() -> std::io::Result<IdTracker> {
        Self::for_bytes(u64::MAX)
    }

    /// A tracker for exports of `bytes` bytes in all: the filter sized to them (about 16 bits per
    /// row of 80 bytes, between 2^16 bits and 2^28 = 32 MiB), so that a small export does not
    /// allocate and clear 32 MiB. A filter too small only lets more ids through to the exact check.
    pub fn for_bytes(bytes: u64) -> std::io::Result<IdTracker> {
        let bits = (bytes / 5).max(1 << 16);
        let log2 = (64 - bits.leading_zeros()).clamp(16, 28);
        Ok(IdTracker {
            bloom: Bloom::new(log2),
            log: IdLog::new()?,
            shard_logs: Vec::new(),
            chunk_rows: FxHashMap::default(),
            candidates: FxHashMap::default(),
            pending: Default::default(),
            n: 0,
        })
    }

    /// A part of pass 1 for one parsing thread (its own log, the shared filter).
    pub(crate) fn shard(&self) -> std::io::Result<Shard<'_>> {
        Ok(Shard {
            bloom: &self.bloom,
            log: IdLog::new()?,
            candidates: FxHashMap::default(),
            buf: Vec::new(),
        })
    }

    /// Takes back a shard's log and candidates.
    pub(crate) fn absorb(&mut self, done: ShardDone) {
        self.shard_logs.push(done.log);
        self.candidates.extend(done.candidates);
    }

    /// For file `file` read in chunks: the row before each chunk's first row, in chunk order.
    pub(crate) fn set_chunk_rows(&mut self, file: usize, rows: Vec<u32>) {
        self.chunk_rows.insert(file, rows);
    }

    /// Records the id of `row` of file `file`.
    pub fn track(&mut self, file: usize, row: u32, id: &str) {
        if id.is_empty() {
            return;
        }
        let fp = fingerprint(id);
        self.log.push(file, row, fp);
        self.bloom.prefetch((fp >> 64) as u64);
        let slot = &mut self.pending[self.n % 16];
        self.n += 1;
        if slot.2 && self.bloom.insert((slot.0 >> 64) as u64) {
            self.candidates.insert(slot.0, slot.1.clone());
        }
        slot.0 = fp;
        slot.1.clear();
        slot.1.push_str(id);
        slot.2 = true;
    }

    /// Inserts what is still pending.
    pub fn flush(&mut self) {
        for slot in self.pending.iter_mut() {
            if slot.2 && self.bloom.insert((slot.0 >> 64) as u64) {
                self.candidates.insert(slot.0, slot.1.clone());
            }
            slot.2 = false;
        }
    }

    /// Pass 2: the duplicates among the files, as problems.
    pub fn duplicates(mut self, paths: &[PathBuf]) -> Vec<Problem> {
        self.flush();
        let mut problems = Vec::new();
        if !self.candidates.is_empty() {
            let mut found = Vec::new();
            let mut ok = true;
            for log in std::iter::once(&mut self.log).chain(self.shard_logs.iter_mut()) {
                ok &= log
                    .find(&self.candidates, &self.chunk_rows, &mut found)
                    .is_some();
            }
            if ok {
                confirm_duplicates(paths, &self.candidates, found, &mut problems);
            } else {
                problems.push(Problem::error("无法读回临时文件，未能完成办件编号重复检查"));
            }
        }
        problems
    }
}

/// Second pass over the id log (not the files): every row whose 128-bit fingerprint was flagged
/// is found; fingerprints seen on two rows or more are duplicates. (Two different ids with the same
/// 128-bit fingerprint would need odds of about 1 in 10^25 at 10^7 rows.)
fn confirm_duplicates(
    paths: &[PathBuf],
    candidates: &FxHashMap<u128, String>,
    found: Vec<(u128, usize, u32)>,
    problems: &mut Vec<Problem>,
) {
    let names: Vec<String> = paths
        .iter()
        .map(|p| kaohe_tables::sheet::display_name(p))
        .collect();
    let mut rows: FxHashMap<u128, Vec<(usize, u32)>> = FxHashMap::default();
    for (fp, f, r) in found {
        rows.entry(fp).or_default().push((f, r));
    }
    for v in rows.values_mut() {
        v.sort_unstable();
    }
    let mut dups: Vec<(&u128, &Vec<(usize, u32)>)> =
        rows.iter().filter(|(_, v)| v.len() > 1).collect();
    dups.sort_by_key(|(_, v)| v[0]);
    for (fp, at) in dups {
        let id = &candidates[fp];
        let places: Vec<String> = at
            .iter()
            .map(|(f, r)| {
                format!(
                    "{} 第{}行",
                    names.get(*f).map(String::as_str).unwrap_or("?"),
                    r
                )
            })
            .collect();
        let (f, r) = at[1];
        problems.push(
            Problem::error(format!(
                "办件编号重复：{id} 出现 {} 次（{}）",
                at.len(),
                places.join("、")
            ))
            .at(Some(
                Origin::row(names.get(f).cloned().unwrap_or_default(), r).with_column("办件编号"),
            ))
            .value(id)
            .expected("每个办件编号只出现一次"),
        );
    }
}
