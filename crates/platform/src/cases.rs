//! 办件 — case records (GB/T 39046—2020 fields) streamed into, per unit: online cases accepted in
//! the period (网上办件量), the items they concern (for 覆盖率), and the overdue online cases with their
//! receipts. Memory: units × items, the overdue list, and a fixed-size filter for duplicate ids.

use crate::dups::IdTracker;
use crate::indicators::{OverdueCase, Period};
use crate::rows::Tracking;
use crate::rows::{Cells, Encoding, Line, Row, Source};
use crate::units::UnitMap;
use kaohe_core::calendar::Calendar;
use kaohe_core::date::{Date, DateTime, Precision};
use kaohe_core::deadline::{self, Limit, LimitUnit};
use kaohe_core::text::trim;
use kaohe_core::{Origin, Problem};
use kaohe_tables::header::{Columns, Field, map_columns};
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};

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

/// Takes each overdue case as it is found (e.g. straight into `overdue.csv`), so that memory does
/// not grow with the number of late cases.
pub type OverdueSink<'a> = &'a mut dyn FnMut(&OverdueCase);

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

/// Column indices of the fields, looked up once per file.
struct Idx {
    case_id: Option<usize>,
    item_code: Option<usize>,
    item_name: Option<usize>,
    unit: Option<usize>,
    channel: Option<usize>,
    kind: Option<usize>,
    accepted_at: Option<usize>,
    limit: Option<usize>,
    limit_unit: Option<usize>,
    completed_at: Option<usize>,
    special_start: Option<usize>,
    special_end: Option<usize>,
}

impl Idx {
    fn new(cols: &Columns) -> Idx {
        let i = |k| cols.index(k);
        Idx {
            case_id: i("case_id"),
            item_code: i("item_code"),
            item_name: i("item_name"),
            unit: i("unit"),
            channel: i("channel"),
            kind: i("kind"),
            accepted_at: i("accepted_at"),
            limit: i("limit"),
            limit_unit: i("limit_unit"),
            completed_at: i("completed_at"),
            special_start: i("special_start"),
            special_end: i("special_end"),
        }
    }
}

struct Parsed<'r> {
    case_id: &'r str,
    unit: u32,
    item_code: &'r str,
    item_name: &'r str,
    online: bool,
    accepted: DateTime,
    limit: Limit,
    completed: Option<DateTime>,
    special: Option<(Date, Date)>,
}

fn when(raw: &str, xlsx: bool) -> Option<DateTime> {
    when_precise(raw, xlsx).map(|(t, _)| t)
}

/// A date-time and how precisely it was written. An XLSX cell holds a number, shown with seconds
/// whatever its format: there a time on the minute counts as given to the minute (and midnight as
/// a date alone).
fn when_precise(raw: &str, xlsx: bool) -> Option<(DateTime, Precision)> {
    let parsed = DateTime::parse_precise(raw).or_else(|| {
        if xlsx {
            kaohe_tables::cell::decimal(raw)
                .and_then(DateTime::from_excel_serial)
                .map(|t| (t, Precision::Second))
        } else {
            None
        }
    })?;
    Some(match parsed {
        (t, Precision::Second) if xlsx && t.secs == 0 => (t, Precision::Day),
        (t, Precision::Second) if xlsx && t.secs % 60 == 0 => (t, Precision::Minute),
        x => x,
    })
}

const DATE_EXPECTED: &str = "日期时间，如 2021-03-05 09:31:00、2021/3/5 9:31 或 20210305T093100";

fn bad_utf8(out: &mut Vec<Problem>, file: &str, row: u32, header: String, lossy: String) {
    out.push(
        Problem::error("单元格不是有效的 UTF-8 文本（文件编码混杂？）")
            .at(Some(Origin::row(file, row).with_column(header)))
            .value(lossy)
            .expected("整个文件使用同一种编码：UTF-8 或 GBK"),
    );
}

/// What parsing a row needs to know of its file.
struct Meta {
    name: String,
    headers: Vec<String>,
    xlsx: bool,
}

/// Parses one row; every bad cell becomes a problem.
fn parse<'r>(
    row: &'r impl Cells,
    cols: &Columns,
    ix: &Idx,
    src: &Meta,
    units: &mut UnitMap,
    out: &mut Vec<Problem>,
) -> Option<Parsed<'r>> {
    let before = out.len();
    let xlsx = src.xlsx;
    // UTF-8 problems were reported by the caller before; here every field is text.
    // Each field is fetched once; a cell that is not valid UTF-8 (a file with mixed encodings) is
    // reported, never mangled.
    let mut not_utf8: Vec<(Option<usize>, String)> = Vec::new();
    let mut get = |col: Option<usize>| -> &'r str {
        match row.get(col) {
            Ok(s) => s,
            Err(lossy) => {
                not_utf8.push((col, lossy));
                ""
            }
        }
    };
    let case_id = trim(get(ix.case_id));
    let item_code = trim(get(ix.item_code));
    let item_name = trim(get(ix.item_name));
    let unit_raw = get(ix.unit);
    let ch_raw = get(ix.channel);
    let kind_raw = get(ix.kind);
    let acc_raw = get(ix.accepted_at);
    let lim_raw = get(ix.limit);
    let lu_raw = get(ix.limit_unit);
    let done_raw = get(ix.completed_at);
    let ss_raw = get(ix.special_start);
    let se_raw = get(ix.special_end);
    for (col, lossy) in not_utf8 {
        let header = col
            .and_then(|c| src.headers.get(c))
            .cloned()
            .unwrap_or_default();
        bad_utf8(out, &src.name, row.number(), header, lossy);
    }
    let mut bad = |key: &str, raw: &str, msg: String, expected: &str| {
        out.push(
            Problem::error(msg)
                .at(Some(
                    Origin::row(&src.name, row.number()).with_column(
                        src.headers
                            .get(cols.index(key).unwrap_or(usize::MAX))
                            .cloned()
                            .unwrap_or_else(|| key.to_string()),
                    ),
                ))
                .value(raw)
                .expected(expected),
        )
    };
    if case_id.is_empty() {
        bad("case_id", case_id, "办件编号为空".into(), "非空的办件编号");
    }
    if item_code.is_empty() {
        bad(
            "item_code",
            item_code,
            "事项编码为空".into(),
            "非空的事项编码",
        );
    }
    let unit = match units.resolve(unit_raw) {
        Ok(u) => Some(u),
        Err(m) => {
            bad(
                "unit",
                unit_raw,
                m,
                "单位表中的区划代码（9位，或村居12位）或单位名称",
            );
            None
        }
    };
    let ch = channel(ch_raw);
    if ch.is_none() {
        bad(
            "channel",
            ch_raw,
            "申报来源无法识别".into(),
            "1 窗口 / 2 电脑端网上 / 3 移动端 / 4 快递 / 9 其他，或对应文字",
        );
    }
    let imm = if trim(kind_raw).is_empty() {
        None
    } else {
        let k = immediate(kind_raw);
        if k.is_none() {
            bad(
                "kind",
                kind_raw,
                "办件类型无法识别".into(),
                "1 即办件 / 2 承诺件",
            );
        }
        k
    };
    let accepted_precise = when_precise(acc_raw, xlsx);
    let accepted = accepted_precise.map(|(t, _)| t);
    if accepted.is_none() {
        bad(
            "accepted_at",
            acc_raw,
            if trim(acc_raw).is_empty() {
                "受理时间为空".into()
            } else {
                "受理时间无法识别".into()
            },
            DATE_EXPECTED,
        );
    }
    let unit_of_limit = limit_unit(lu_raw);
    if unit_of_limit.is_none() {
        bad(
            "limit_unit",
            lu_raw,
            "时限单位无法识别".into(),
            "工作日 或 自然日",
        );
    }
    let days = if imm == Some(true) {
        Some(0)
    } else if trim(lim_raw).is_empty() {
        bad(
            "limit",
            lim_raw,
            "承诺时限为空".into(),
            "承诺件须有承诺时限（整数天）；即办件请在办件类型中注明",
        );
        None
    } else {
        let d = kaohe_tables::cell::whole(lim_raw)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n <= 3650);
        if d.is_none() {
            bad(
                "limit",
                lim_raw,
                "承诺时限不是整数天数".into(),
                "0 到 3650 的整数",
            );
        }
        d
    };
    let completed = if trim(done_raw).is_empty() {
        Some(None)
    } else {
        match when_precise(done_raw, xlsx) {
            // Compared at the coarser precision of the two (a time to the minute to the minute).
            Some((t, p)) if accepted_precise.is_some_and(|(a, q)| t.before(p, a, q)) => {
                bad(
                    "completed_at",
                    done_raw,
                    "办结时间早于受理时间".into(),
                    "不早于受理时间的日期时间",
                );
                None
            }
            Some((t, _)) => Some(Some(t)),
            None => {
                bad(
                    "completed_at",
                    done_raw,
                    "办结时间无法识别".into(),
                    DATE_EXPECTED,
                );
                None
            }
        }
    };
    let special = match (trim(ss_raw).is_empty(), trim(se_raw).is_empty()) {
        (true, true) => Some(None),
        (false, false) => match (when(ss_raw, xlsx), when(se_raw, xlsx)) {
            (Some(a), Some(b)) if b >= a => Some(Some((a.date, b.date))),
            (Some(_), Some(_)) => {
                bad(
                    "special_end",
                    se_raw,
                    "特别程序结束时间早于开始时间".into(),
                    "不早于开始时间的日期",
                );
                None
            }
            (a, _) => {
                if a.is_none() {
                    bad(
                        "special_start",
                        ss_raw,
                        "特别程序开始时间无法识别".into(),
                        DATE_EXPECTED,
                    );
                } else {
                    bad(
                        "special_end",
                        se_raw,
                        "特别程序结束时间无法识别".into(),
                        DATE_EXPECTED,
                    );
                }
                None
            }
        },
        (false, true) => {
            bad(
                "special_end",
                se_raw,
                "有特别程序开始时间而无结束时间".into(),
                "开始、结束时间成对填写",
            );
            None
        }
        (true, false) => {
            bad(
                "special_start",
                ss_raw,
                "有特别程序结束时间而无开始时间".into(),
                "开始、结束时间成对填写",
            );
            None
        }
    };
    let failed = out.len() > before;
    if failed {
        return None;
    }
    Some(Parsed {
        case_id,
        unit: unit?,
        item_code,
        item_name,
        online: matches!(ch?, 2 | 3),
        accepted: accepted?,
        limit: Limit {
            days: days?,
            unit: unit_of_limit?,
        },
        completed: completed?,
        special: special?,
    })
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

/// Everything a row is counted against, the same for every row of a file.
struct Ctx<'a> {
    meta: Meta,
    cols: Columns,
    ix: Idx,
    calendar: &'a Calendar,
    period: Period,
}

/// Counts a parsed row in `st`; an overdue case comes back (its receipt names `row`).
fn account(
    p: Parsed<'_>,
    row: u32,
    ctx: &Ctx<'_>,
    units: &UnitMap,
    st: &mut CaseStats,
    problems: &mut Vec<Problem>,
) -> Option<OverdueCase> {
    let u = p.unit as usize;
    st.seen[u] = true;
    if !p.online || !ctx.period.contains(p.accepted.date) {
        return None;
    }
    st.online_in_period += 1;
    st.volume[u] += 1;
    let item = match st.item_ids.get(p.item_code) {
        Some(&i) => i,
        None => {
            let i = st.item_ids.len() as u32;
            st.item_ids.insert(p.item_code.to_string(), i);
            i
        }
    };
    st.items[u].insert(item);
    let cal = ctx.calendar;
    let name = &ctx.meta.name;
    let due = match deadline::deadline(cal, p.accepted.date, p.limit, p.special) {
        Ok(d) => d,
        Err(e) => {
            let header = ctx
                .cols
                .index("accepted_at")
                .and_then(|i| ctx.meta.headers.get(i))
                .cloned()
                .unwrap_or_default();
            problems.push(
                Problem::error(e.to_string())
                    .at(Some(Origin::row(name, row).with_column(header)))
                    .value(p.accepted.to_string())
                    .expected("工作日历覆盖的年份"),
            );
            return None;
        }
    };
    match deadline::overdue(cal, due.due, p.completed.map(|c| c.date), ctx.period.end) {
        Ok(Some(late)) => {
            st.overdue_count[u] += 1;
            Some(OverdueCase {
                case_id: p.case_id.to_string(),
                unit: units.codes[u].clone(),
                item_code: p.item_code.to_string(),
                item_name: p.item_name.to_string(),
                accepted: p.accepted,
                limit: p.limit,
                due: due.due,
                extension: due.extension,
                completed: p.completed,
                late,
                source: Origin::row(name, row),
            })
        }
        Ok(None) => None,
        Err(e) => {
            problems.push(
                Problem::error(e.to_string())
                    .at(Some(Origin::row(name, row)))
                    .expected("工作日历覆盖的年份"),
            );
            None
        }
    }
}

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
        read_xlsx(fi, path, units, opts, st, tracker, problems)
    } else {
        read_csv(fi, path, units, opts, st, tracker, problems)
    }
}

/// Every this many rows the caller hears how far the reading is.
const PROGRESS_EVERY: u64 = 262_144;

/// An XLSX workbook's first sheet, row by row (Excel caps a sheet at 1,048,576 rows).
fn read_xlsx(
    fi: usize,
    path: &Path,
    units: &mut UnitMap,
    opts: &mut CaseOptions<'_, '_>,
    st: &mut CaseStats,
    tracker: &mut Option<IdTracker>,
    problems: &mut Vec<Problem>,
) -> bool {
    let mut src = match Source::open(path) {
        Ok(s) => s,
        Err(p) => {
            problems.push(*p);
            return false;
        }
    };
    let Some(cols) = map_columns(&src.header_sheet(), FIELDS, problems) else {
        return false;
    };
    let ix = Idx::new(&cols);
    if let Some(t) = tracker.take() {
        src.track_ids(Tracking {
            column: ix.case_id,
            file: fi,
            tracker: t,
        });
    }
    let ctx = Ctx {
        meta: Meta {
            name: src.name.clone(),
            headers: src.headers.clone(),
            xlsx: src.encoding == Encoding::Xlsx,
        },
        cols,
        ix,
        calendar: opts.calendar,
        period: opts.period,
    };
    let mut row = Row::default();
    let mut rows_here = 0u64;
    loop {
        match src.next(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(p) => {
                problems.push(*p);
                return false;
            }
        }
        st.rows += 1;
        rows_here += 1;
        if rows_here % PROGRESS_EVERY == 0
            && let Some(cb) = opts.progress.as_mut()
        {
            cb(&src.name, src.position(), rows_here);
        }
        kaohe_tables::limits::trim_problems(problems);
        let Some(p) = parse(&row, &ctx.cols, &ctx.ix, &ctx.meta, units, problems) else {
            continue;
        };
        if let Some(case) = account(p, row.number, &ctx, units, st, problems) {
            match opts.overdue_sink.as_mut() {
                Some(sink) => sink(&case),
                None => st.overdue.push(case),
            }
        }
    }
    if let Some(cb) = opts.progress.as_mut() {
        cb(&src.name, src.position(), rows_here);
    }
    *tracker = src.into_tracker();
    true
}

/// What a worker made of a chunk. Row numbers in it count from the chunk's start (the first
/// record is row 1) until the reader, which knows the rows before, adds them.
struct ChunkOut {
    seq: u64,
    records: u32,
    end: u64,
    problems: Vec<Problem>,
    overdue: Vec<OverdueCase>,
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
fn read_csv(
    fi: usize,
    path: &Path,
    units: &mut UnitMap,
    opts: &mut CaseOptions<'_, '_>,
    st: &mut CaseStats,
    tracker: &mut Option<IdTracker>,
    problems: &mut Vec<Problem>,
) -> bool {
    let name = kaohe_tables::sheet::display_name(path);
    let mut reader = match crate::chunks::CsvReader::open(path, &name, opts.chunk_bytes) {
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
                for mut case in out.overdue {
                    if let Some(r) = case.source.row.as_mut() {
                        *r += before;
                    }
                    match opts.overdue_sink.as_mut() {
                        Some(sink) => sink(&case),
                        None => st.overdue.push(case),
                    }
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
            out.overdue.push(case);
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
