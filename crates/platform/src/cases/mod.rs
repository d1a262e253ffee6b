//! 办件 — case records (GB/T 39046—2020 fields) streamed into, per unit: online cases accepted in
//! the period (网上办件量), the items they concern (for 覆盖率), and the overdue online cases with their
//! receipts. Memory: units × items, the overdue list, and a fixed-size filter for duplicate ids.

use crate::dups::IdTracker;
use crate::indicators::{OverdueCase, Period};
use crate::units::UnitMap;
use kaohe_core::Problem;
use kaohe_core::calendar::Calendar;
use kaohe_core::deadline::LimitUnit;
use kaohe_core::text::trim;
use kaohe_tables::header::Field;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};

/// 计数: a parsed record counted against its unit, period and deadline.
mod count;
/// CSV: an export parsed on every core at once, in chunks, results taken back in file order.
mod csv_file;
/// 解析: one record's cells read into a case, every bad cell a problem.
mod record;
/// XLSX: a workbook's first sheet, row by row.
mod xlsx_file;

pub static FIELDS: &[Field] = &[
    Field {
        key: "case_id",
        label: "办件编号",
        required: true,
        aliases: &["办件编号", "申报号", "办件号", "业务流水号"],
    },
    Field {
        key: "item_code",
        label: "事项编码",
        required: true,
        aliases: &["事项编码", "实施编码", "基本编码"],
    },
    Field {
        key: "item_name",
        label: "事项名称",
        required: false,
        aliases: &["事项名称"],
    },
    Field {
        key: "unit",
        label: "行政区划",
        required: true,
        aliases: &["行政区划", "区划代码", "办理单位", "受理单位", "单位"],
    },
    Field {
        key: "channel",
        label: "申报来源",
        required: true,
        aliases: &["申报来源", "办理形式"],
    },
    Field {
        key: "kind",
        label: "办件类型",
        required: false,
        aliases: &["办件类型"],
    },
    Field {
        key: "accepted_at",
        label: "受理时间",
        required: true,
        aliases: &["受理时间"],
    },
    Field {
        key: "limit",
        label: "承诺时限",
        required: false,
        aliases: &["承诺时限", "承诺办结时限"],
    },
    Field {
        key: "limit_unit",
        label: "时限单位",
        required: false,
        aliases: &["时限单位"],
    },
    Field {
        key: "completed_at",
        label: "办结时间",
        required: true,
        aliases: &["办结时间"],
    },
    Field {
        key: "special_start",
        label: "特别程序开始时间",
        required: false,
        aliases: &["特别程序开始时间"],
    },
    Field {
        key: "special_end",
        label: "特别程序结束时间",
        required: false,
        aliases: &["特别程序结束时间"],
    },
];

/// 申报来源 (GB/T 39046): 1 窗口, 2 电脑端网上, 3 移动端, 4 快递, 9 其他; or the words.
pub fn channel(s: &str) -> Option<u8> {
    match trim(s) {
        "1" | "窗口" | "窗口办理" | "现场" => Some(1),
        "2" | "电脑端" | "电脑端网上办理" | "网上" | "网上办理" | "PC端" | "pc端" => {
            Some(2)
        }
        "3" | "移动端" | "移动端办理" | "手机端" | "APP" | "app" | "小程序" => {
            Some(3)
        }
        "4" | "快递" | "快递申请" | "邮寄" => Some(4),
        "9" | "其他" => Some(9),
        _ => None,
    }
}

/// 办件类型: 1 即办件, 2 承诺件; or the words. `true` for 即办件.
pub fn immediate(s: &str) -> Option<bool> {
    match trim(s) {
        "1" | "即办件" => Some(true),
        "2" | "承诺件" => Some(false),
        _ => None,
    }
}

/// 时限单位: 工作日 (default when empty) or 自然日. "天" alone is not guessed.
pub fn limit_unit(s: &str) -> Option<LimitUnit> {
    match trim(s) {
        "" | "工作日" | "个工作日" | "W" | "w" => Some(LimitUnit::WorkingDays),
        "自然日" | "日历日" | "个自然日" | "N" | "n" => Some(LimitUnit::CalendarDays),
        _ => None,
    }
}

/// What the case files gave.
#[derive(Default)]
pub struct CaseStats {
    /// Per unit: online cases accepted in the period.
    pub volume: Vec<u64>,
    /// Per unit: ids (into `item_codes`) of items with at least one online case in the period.
    pub items: Vec<FxHashSet<u32>>,
    pub item_ids: FxHashMap<String, u32>,
    /// Per unit: any row at all (any channel, any date).
    pub seen: Vec<bool>,
    /// Per unit: overdue online cases.
    pub overdue_count: Vec<u64>,
    /// The overdue cases, when no sink takes them (see [`CaseOptions::overdue_sink`]).
    pub overdue: Vec<OverdueCase>,
    pub rows: u64,
    pub bytes: u64,
    pub online_in_period: u64,
}

/// Called now and then with (file name, bytes read, rows read).
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

/// Takes the overdue cases as they are found, as rows of `overdue.csv` (formatted on the worker
/// that found each), so that memory does not grow with the number of late cases.
pub type OverdueSink<'a> = &'a mut crate::indicators::OverdueWriter;

/// Reading options.
pub struct CaseOptions<'a, 's> {
    pub calendar: &'a Calendar,
    pub period: Period,
    pub skip_bad_rows: bool,
    /// Called now and then with (bytes read, rows read) of the current file.
    pub progress: Option<Progress<'a>>,
    pub overdue_sink: Option<OverdueSink<'s>>,
    /// A CSV file is cut into chunks of about this many bytes, parsed on every core at once
    /// ([`CHUNK_BYTES`] unless a test wants many small ones).
    pub chunk_bytes: usize,
    /// Threads that parse a CSV file's chunks: 0 for one per core.
    pub threads: usize,
}

/// The usual chunk size: large enough that handing chunks between threads costs nothing, small
/// enough that the chunks in flight take a few MiB.
pub const CHUNK_BYTES: usize = 1 << 20;

impl CaseStats {
    fn empty(units: usize) -> CaseStats {
        CaseStats {
            volume: vec![0; units],
            items: vec![FxHashSet::default(); units],
            seen: vec![false; units],
            overdue_count: vec![0; units],
            ..CaseStats::default()
        }
    }

    /// Adds what another reader counted (its item numbers are its own: matched by code).
    fn absorb(&mut self, other: CaseStats) {
        let mut map = vec![0u32; other.item_ids.len()];
        for (code, i) in other.item_ids {
            let n = self.item_ids.len() as u32;
            map[i as usize] = *self.item_ids.entry(code).or_insert(n);
        }
        for u in 0..self.volume.len() {
            self.volume[u] += other.volume[u];
            self.seen[u] |= other.seen[u];
            self.overdue_count[u] += other.overdue_count[u];
            self.items[u].extend(other.items[u].iter().map(|&i| map[i as usize]));
        }
        self.overdue.extend(other.overdue);
        self.rows += other.rows;
        self.bytes += other.bytes;
        self.online_in_period += other.online_in_period;
    }
}

/// Reads every case file. Returns the stats (or `None` when any file has errors and bad rows are
/// not to be skipped) and every problem; skipped rows come back as warnings, one per row.
pub fn read(
    paths: &[PathBuf],
    units: &mut UnitMap,
    opts: &mut CaseOptions<'_, '_>,
) -> (Option<CaseStats>, Vec<Problem>) {
    let n = units.len();
    let mut st = CaseStats {
        volume: vec![0; n],
        items: vec![FxHashSet::default(); n],
        seen: vec![false; n],
        overdue_count: vec![0; n],
        ..CaseStats::default()
    };
    let mut problems = Vec::new();
    let bytes: u64 = paths
        .iter()
        .map(|p| std::fs::metadata(p).map_or(u64::MAX / 4, |m| m.len()))
        .fold(0, u64::saturating_add);
    let mut tracker = match IdTracker::for_bytes(bytes) {
        Ok(t) => Some(t),
        Err(e) => {
            problems.push(Problem::error(format!(
                "无法创建临时文件（用于检查办件编号重复）：{e}"
            )));
            return (None, problems);
        }
    };
    let mut fatal = false;
    for (fi, path) in paths.iter().enumerate() {
        if !read_one(fi, path, units, opts, &mut st, &mut tracker, &mut problems) {
            fatal = true;
        }
    }
    if let Some(t) = tracker
        && !fatal
    {
        problems.extend(t.duplicates(paths));
    }
    let errors = problems.iter().any(Problem::is_error);
    if opts.skip_bad_rows && !fatal {
        // Rows were skipped; duplicates are not rows to skip: they stay errors.
        for p in problems.iter_mut() {
            if p.is_error()
                && !p.message.starts_with("办件编号重复")
                && kaohe_tables::limits::summary_counts(p).is_none()
            {
                p.severity = kaohe_core::Severity::Warning;
                p.message = format!("已跳过此行：{}", p.message);
            }
        }
    }
    let still = problems.iter().any(Problem::is_error);
    if fatal || still || (errors && !opts.skip_bad_rows) {
        return (None, problems);
    }
    (Some(st), problems)
}

fn read_one(
    fi: usize,
    path: &Path,
    units: &mut UnitMap,
    opts: &mut CaseOptions<'_, '_>,
    st: &mut CaseStats,
    tracker: &mut Option<IdTracker>,
    problems: &mut Vec<Problem>,
) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if ext == "xlsx" || ext == "xlsm" {
        xlsx_file::read_xlsx(fi, path, units, opts, st, tracker, problems)
    } else {
        csv_file::read_csv(fi, path, units, opts, st, tracker, problems)
    }
}

/// Every this many rows the caller hears how far the reading is.
const PROGRESS_EVERY: u64 = 262_144;
