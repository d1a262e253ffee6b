//! 办件编号重复检测 — exact duplicate detection of case ids in memory that does not grow with rows.
//! Pass 1 (on the reading thread, as records stream by): a 128-bit fingerprint of every id goes to a
//! temporary log file (22 bytes a row, on disk) and into a fixed 32 MiB blocked Bloom filter, whose
//! block is prefetched 16 rows ahead. Ids the filter has seen before are candidates. Pass 2, only
//! when there are candidates: the log (not the CSV) is scanned for the rows of candidate
//! fingerprints, and fingerprints found on two rows or more are reported as duplicates with every
//! row. (Two different ids with one 128-bit fingerprint: odds about 1 in 10^25 at 10^7 rows.)

use crate::bloom::Bloom;
use kaohe_core::{Origin, Problem};
use rustc_hash::FxHashMap;
use std::path::PathBuf;

/// The case-id log of pass 1: (file, row, 128-bit fingerprint of the id) for every row, written to
/// a temporary file so that memory stays flat; read back only when the filter flagged candidates.
pub(crate) struct IdLog {
    path: PathBuf,
    w: Option<std::io::BufWriter<std::fs::File>>,
}

impl IdLog {
    fn new() -> std::io::Result<IdLog> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path =
            std::env::temp_dir().join(format!("kaohe-case-ids-{}-{nanos}", std::process::id()));
        let f = std::fs::File::create(&path)?;
        Ok(IdLog {
            path,
            w: Some(std::io::BufWriter::with_capacity(1 << 20, f)),
        })
    }
    fn push(&mut self, file: usize, row: u32, fp: u128) {
        use std::io::Write;
        if let Some(w) = self.w.as_mut() {
            let mut rec = [0u8; 22];
            rec[..2].copy_from_slice(&(file as u16).to_le_bytes());
            rec[2..6].copy_from_slice(&row.to_le_bytes());
            rec[6..].copy_from_slice(&fp.to_le_bytes());
            if w.write_all(&rec).is_err() {
                self.w = None;
            }
        }
    }
    /// Every (file, row) whose fingerprint is in `want`.
    fn find(&mut self, want: &FxHashMap<u128, String>) -> Option<Vec<(u128, usize, u32)>> {
        use std::io::{Read, Write};
        let mut w = self.w.take()?;
        w.flush().ok()?;
        drop(w);
        let mut r =
            std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&self.path).ok()?);
        let mut out = Vec::new();
        let mut rec = [0u8; 22];
        while r.read_exact(&mut rec).is_ok() {
            let fp = u128::from_le_bytes(rec[6..].try_into().expect("16 bytes"));
            if want.contains_key(&fp) {
                let file = u16::from_le_bytes([rec[0], rec[1]]) as usize;
                let row = u32::from_le_bytes(rec[2..6].try_into().expect("4 bytes"));
                out.push((fp, file, row));
            }
        }
        Some(out)
    }
}

impl Drop for IdLog {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

pub(crate) fn fingerprint(id: &str) -> u128 {
    crate::bloom::fingerprint(id.as_bytes())
}

/// Everything pass 1 keeps: the filter, the log, the candidates, the prefetch ring.
pub struct IdTracker {
    bloom: Bloom,
    log: IdLog,
    candidates: FxHashMap<u128, String>,
    pending: [(u128, String, bool); 16],
    n: usize,
}

impl IdTracker {
    pub fn new() -> std::io::Result<IdTracker> {
        Ok(IdTracker {
            bloom: Bloom::new(28),
            log: IdLog::new()?,
            candidates: FxHashMap::default(),
            pending: Default::default(),
            n: 0,
        })
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
            confirm_duplicates(paths, &self.candidates, &mut self.log, &mut problems);
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
    log: &mut IdLog,
    problems: &mut Vec<Problem>,
) {
    let names: Vec<String> = paths
        .iter()
        .map(|p| kaohe_tables::sheet::display_name(p))
        .collect();
    let Some(found) = log.find(candidates) else {
        problems.push(Problem::error("无法读回临时文件，未能完成办件编号重复检查"));
        return;
    };
    let mut rows: FxHashMap<u128, Vec<(usize, u32)>> = FxHashMap::default();
    for (fp, f, r) in found {
        rows.entry(fp).or_default().push((f, r));
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
