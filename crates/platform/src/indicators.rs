//! 指标 — the indicators of RULES.md §4 from the platform files, with receipts:
//! `claim_rate` (claims), `online_volume`, `overdue_cases` (cases), `online_coverage` (cases ÷ claimed
//! items), `agent_satisfaction` (survey). Every value is exact (a quotient of counts, as a decimal).

use crate::cases::{self, CaseOptions, OverdueSink, Progress};
use crate::survey::Scale;
use crate::units::UnitMap;
use crate::{claims, survey};
use kaohe_core::calendar::Calendar;
use kaohe_core::date::{Date, DateTime};
use kaohe_core::deadline::{Lateness, Limit};
use kaohe_core::input::{FindingEntry, Id, Inputs, MetricEntry, Unit};
use kaohe_core::rubric::Rubric;
use kaohe_core::{Origin, Problem};
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// 考核期 — acceptance dates from `start` to `end`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: Date,
    pub end: Date,
}

impl Period {
    /// `2021-01-01..2021-12-31`
    pub fn parse(s: &str) -> Result<Period, String> {
        let (a, b) = s
            .split_once("..")
            .ok_or_else(|| format!("考核期“{s}”应写成 2021-01-01..2021-12-31"))?;
        let a = Date::parse(a.trim()).ok_or_else(|| format!("考核期起始日“{a}”不是日期"))?;
        let b = Date::parse(b.trim()).ok_or_else(|| format!("考核期截止日“{b}”不是日期"))?;
        if b < a {
            return Err(format!("考核期截止日 {b} 早于起始日 {a}"));
        }
        Ok(Period { start: a, end: b })
    }
    pub fn contains(&self, d: Date) -> bool {
        self.start <= d && d <= self.end
    }
}

/// 超期办件 — one receipt of 1.4.3a.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueCase {
    pub case_id: String,
    pub unit: Id,
    pub item_code: String,
    pub item_name: String,
    pub accepted: DateTime,
    pub limit: Limit,
    /// The last day (until 24:00).
    pub due: Date,
    /// Working days added for 特别程序.
    pub extension: u32,
    pub completed: Option<DateTime>,
    pub late: Lateness,
    pub source: Origin,
}

impl OverdueCase {
    /// One line a clerk can check against the calendar.
    pub fn describe(&self) -> String {
        let item = if self.item_name.is_empty() {
            self.item_code.clone()
        } else {
            format!("{}（{}）", self.item_name, self.item_code)
        };
        let limit = if self.limit.days == 0 {
            "即办件".to_string()
        } else {
            format!("承诺{}个{}", self.limit.days, self.limit.unit.label())
        };
        let ext = if self.extension > 0 {
            format!("，特别程序顺延{}个工作日", self.extension)
        } else {
            String::new()
        };
        let end = match self.completed {
            Some(c) => format!("{c} 办结"),
            None => "至考核期末未办结".to_string(),
        };
        format!(
            "办件 {}：{}，{} 受理，{}{}，应于 {} 前办结，{}，超期 {} 天（{} 个工作日）",
            self.case_id,
            item,
            self.accepted,
            limit,
            ext,
            self.due,
            end,
            self.late.days,
            self.late.working_days
        )
    }
}

/// What to compute from.
pub struct Request<'a, 's> {
    pub units: &'a [Unit],
    pub calendar: &'a Calendar,
    pub period: Period,
    pub cases: &'a [PathBuf],
    pub claims: &'a [PathBuf],
    pub surveys: &'a [PathBuf],
    pub scale: Option<Scale>,
    pub skip_bad_rows: bool,
    /// Threads that parse case CSVs: 0 for one per core.
    pub threads: usize,
    pub progress: Option<Progress<'a>>,
    /// Where overdue cases go as they are found; `None` keeps them in [`Indicators::overdue`].
    pub overdue_sink: Option<OverdueSink<'s>>,
}

/// The computed indicators.
#[derive(Debug, Default)]
pub struct Indicators {
    pub metrics: Vec<MetricEntry>,
    pub overdue: Vec<OverdueCase>,
    /// Metric keys computed here (they may not also be typed into a metrics table).
    pub computed: BTreeSet<&'static str>,
    /// Overdue cases found (also those given to a sink).
    pub overdue_total: u64,
    pub rows: u64,
    pub bytes: u64,
}

fn ratio(a: u64, b: u64) -> Decimal {
    Decimal::from(a) / Decimal::from(b)
}

/// Reads the files and computes the indicators. `None` when any file has errors (unless bad rows
/// are skipped); the problems say why.
pub fn compute(req: Request<'_, '_>) -> (Option<Indicators>, Vec<Problem>) {
    let (ind, mut problems) = compute_all(req);
    kaohe_tables::limits::cap_problems(&mut problems);
    (ind, problems)
}

fn compute_all(req: Request<'_, '_>) -> (Option<Indicators>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut units = UnitMap::new(req.units);
    let mut ind = Indicators::default();
    let origin = |what: &str| Some(Origin::file(what));
    let metric = |u: &Id, key: &str, v: Decimal, what: &str| MetricEntry {
        unit: u.clone(),
        metric: key.into(),
        value: v,
        origin: origin(what),
    };

    let mut case_stats = if req.cases.is_empty() {
        None
    } else {
        let mut opts = CaseOptions {
            calendar: req.calendar,
            period: req.period,
            skip_bad_rows: req.skip_bad_rows,
            progress: req.progress,
            overdue_sink: req.overdue_sink,
            chunk_bytes: cases::CHUNK_BYTES,
            threads: req.threads,
        };
        let (st, p) = cases::read(req.cases, &mut units, &mut opts);
        problems.extend(p);
        if st.is_none() {
            return (None, problems);
        }
        st
    };
    let claim_stats = if req.claims.is_empty() {
        None
    } else {
        let (st, p) = claims::read(req.claims, &mut units);
        problems.extend(p);
        if st.is_none() {
            return (None, problems);
        }
        st
    };
    let survey_stats = if req.surveys.is_empty() {
        None
    } else {
        let (st, p) = survey::read(req.surveys, &mut units, req.scale);
        problems.extend(p);
        if st.is_none() {
            return (None, problems);
        }
        st
    };

    let codes = units.codes.clone();
    if let Some(cs) = case_stats.as_mut() {
        ind.computed.extend(["online_volume", "overdue_cases"]);
        ind.rows = cs.rows;
        ind.bytes = cs.bytes;
        ind.overdue_total = cs.overdue_count.iter().sum();
        for (u, code) in codes.iter().enumerate() {
            if !cs.seen[u] {
                problems.push(Problem::warning(format!("单位 {code} 在办件数据中没有任何记录：网上办件量、超期办件按 0 计，请核对导出范围")).unit(&**code));
            }
            ind.metrics.push(metric(
                code,
                "online_volume",
                cs.volume[u].into(),
                "办件数据",
            ));
            ind.metrics.push(metric(
                code,
                "overdue_cases",
                cs.overdue_count[u].into(),
                "办件数据",
            ));
        }
        ind.overdue = std::mem::take(&mut cs.overdue);
        ind.overdue.sort_by(|a, b| {
            (&*a.unit, a.accepted, &a.case_id).cmp(&(&*b.unit, b.accepted, &b.case_id))
        });
    }
    if let Some(cl) = &claim_stats {
        ind.computed.insert("claim_rate");
        for (u, code) in codes.iter().enumerate() {
            if cl.should[u] == 0 {
                problems.push(
                    Problem::warning(format!("单位 {code} 没有事项认领记录：认领率缺数据"))
                        .unit(&**code),
                );
                continue;
            }
            ind.metrics.push(metric(
                code,
                "claim_rate",
                ratio(cl.claimed[u], cl.should[u]),
                "事项认领数据",
            ));
        }
    }
    match (&case_stats, &claim_stats) {
        (Some(cs), Some(cl)) => {
            ind.computed.insert("online_coverage");
            for (u, code) in codes.iter().enumerate() {
                let claimed = cl.claimed_items[u].len() as u64;
                if claimed == 0 {
                    problems.push(
                        Problem::warning(format!("单位 {code} 没有已认领事项：覆盖率缺数据"))
                            .unit(&**code),
                    );
                    continue;
                }
                let covered = cl.claimed_items[u]
                    .iter()
                    .filter(|c| {
                        cs.item_ids
                            .get(c.as_str())
                            .is_some_and(|i| cs.items[u].contains(i))
                    })
                    .count() as u64;
                ind.metrics.push(metric(
                    code,
                    "online_coverage",
                    ratio(covered, claimed),
                    "办件数据 ÷ 已认领事项",
                ));
            }
        }
        (Some(_), None) => problems.push(Problem::warning(
            "未提供事项认领数据：无法计算网上办件覆盖率（online_coverage）",
        )),
        _ => {}
    }
    if let Some(sv) = &survey_stats {
        ind.computed.insert("agent_satisfaction");
        for (u, code) in codes.iter().enumerate() {
            let v = match (sv.rate[u], sv.valid[u]) {
                (Some(r), _) => r,
                (None, n) if n > 0 => ratio(sv.satisfied[u], n),
                _ => {
                    problems.push(
                        Problem::warning(format!("单位 {code} 没有帮办代办满意度测评数据"))
                            .unit(&**code),
                    );
                    continue;
                }
            };
            ind.metrics
                .push(metric(code, "agent_satisfaction", v, "满意度测评"));
        }
    }
    (Some(ind), problems)
}

/// Adds computed indicators to a batch's inputs. A computed metric typed into the metrics table
/// too is an error. Overdue cases become the instances (findings) of every clause that counts
/// `overdue_cases`, so that 扣分明细 lists each case; units without overdue cases get the count 0.
pub fn merge_into(inputs: &mut Inputs, ind: &Indicators, rubric: &Rubric) -> Vec<Problem> {
    let mut problems = Vec::new();
    for m in &inputs.metrics {
        if ind.computed.contains(&*m.metric) {
            problems.push(
                Problem::error(format!(
                    "指标 {} 已由平台数据计算，不能在指标表中重复填写",
                    m.metric
                ))
                .at(m.origin.as_ref().map(|o| o.with_column("指标")))
                .unit(&*m.unit)
                .value(&*m.metric)
                .expected("删去该行，或不提供对应的平台数据"),
            );
        }
    }
    let overdue_clauses: Vec<&Id> = rubric
        .clauses
        .iter()
        .filter(|c| c.rule.count_metric() == Some("overdue_cases"))
        .map(|c| &c.id)
        .collect();
    let with_cases: BTreeSet<&str> = ind.overdue.iter().map(|o| &*o.unit).collect();
    for m in &ind.metrics {
        if &*m.metric == "overdue_cases"
            && with_cases.contains(&*m.unit)
            && !overdue_clauses.is_empty()
        {
            continue; // the instances below carry the count
        }
        inputs.metrics.push(m.clone());
    }
    for o in &ind.overdue {
        for c in &overdue_clauses {
            inputs.findings.push(FindingEntry {
                unit: o.unit.clone(),
                clause: (*c).clone(),
                description: o.describe(),
                evidence: Some(o.source.to_string()),
                finding_type: None,
                points: None,
                reason: None,
                origin: Some(o.source.clone()),
            });
        }
    }
    problems
}

/// A CSV text cell that no spreadsheet runs as a formula ([`kaohe_core::text::csv_safe`]).
/// `metrics.csv`: `unit,metric,value` — the metrics table of `kaohe score`.
pub fn write_metrics(path: &Path, ind: &Indicators) -> std::io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["unit", "metric", "value"])?;
    for m in &ind.metrics {
        w.write_record([&*m.unit, &*m.metric, &m.value.normalize().to_string()])?;
    }
    w.flush()
}

/// `overdue.csv`: one row per overdue online case, first column `case_id`, written as cases are
/// found. The rows are formatted where each case is found — by the worker that parsed its chunk
/// ([`Receipts`]) — and this writer only copies them out in file order, putting in each row number
/// (a worker knows its rows only from its chunk's start). So formatting runs on every core; the
/// one thread that restores file order copies bytes.
pub struct OverdueWriter {
    out: std::io::BufWriter<std::fs::File>,
    pub error: Option<std::io::Error>,
}

/// The header of `overdue.csv`.
const OVERDUE_HEADER: [&str; 12] = [
    "case_id",
    "unit",
    "item_code",
    "item_name",
    "accepted_at",
    "limit",
    "deadline",
    "extension_working_days",
    "completed_at",
    "days_late",
    "working_days_late",
    "source",
];

/// Rows of `overdue.csv` formatted in full except for each row's source line number, which is
/// filled in by [`OverdueWriter::write_rows`] with the rows before. Written byte by byte (no
/// intermediate strings): text quoted as the csv crate quotes it (when it holds `,` `"` or a line
/// break, quotes doubled) after the formula guard of `csv_safe`, numbers and dates as digits.
#[derive(Default)]
pub struct Receipts {
    bytes: Vec<u8>,
    /// (byte offset where the row number goes, row number counted from the chunk's start).
    marks: Vec<(usize, u32)>,
}

impl Receipts {
    /// Formats one overdue case as a row of `overdue.csv`.
    pub fn push(&mut self, o: &OverdueCase) {
        let b = &mut self.bytes;
        put_text(b, &o.case_id);
        b.push(b',');
        put_text(b, &o.unit);
        b.push(b',');
        put_text(b, &o.item_code);
        b.push(b',');
        put_text(b, &o.item_name);
        b.push(b',');
        put_datetime(b, o.accepted);
        b.push(b',');
        put_u64(b, u64::from(o.limit.days));
        b.extend_from_slice(o.limit.unit.label().as_bytes());
        b.push(b',');
        put_date(b, o.due);
        b.push(b',');
        put_u64(b, u64::from(o.extension));
        b.push(b',');
        match o.completed {
            Some(c) => put_datetime(b, c),
            None => b.extend_from_slice("未办结".as_bytes()),
        }
        b.push(b',');
        put_i64(b, i64::from(o.late.days));
        b.push(b',');
        put_i64(b, o.late.working_days);
        b.push(b',');
        // the source: `file 第{row}行[ [column]]`, the row filled in later
        let quoted = needs_quotes(o.source.file.as_bytes())
            || o.source
                .column
                .as_deref()
                .is_some_and(|c| needs_quotes(c.as_bytes()));
        match o.source.row {
            Some(row) => {
                if quoted {
                    b.push(b'"');
                }
                put_escaped(b, o.source.file.as_bytes(), quoted);
                b.extend_from_slice(" 第".as_bytes());
                self.marks.push((b.len(), row));
                b.extend_from_slice("行".as_bytes());
                if let Some(c) = &o.source.column {
                    b.extend_from_slice(b" [");
                    put_escaped(b, c.as_bytes(), quoted);
                    b.push(b']');
                }
                if quoted {
                    b.push(b'"');
                }
            }
            None => put_text(b, &o.source.to_string()),
        }
        b.push(b'\n');
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

fn needs_quotes(b: &[u8]) -> bool {
    b.iter().any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r'))
}

fn put_escaped(buf: &mut Vec<u8>, b: &[u8], quoted: bool) {
    if !quoted {
        buf.extend_from_slice(b);
        return;
    }
    for &c in b {
        if c == b'"' {
            buf.push(b'"');
        }
        buf.push(c);
    }
}

fn put_text(buf: &mut Vec<u8>, s: &str) {
    let s = kaohe_core::text::csv_safe(s);
    let b = s.as_bytes();
    let quoted = needs_quotes(b);
    if quoted {
        buf.push(b'"');
    }
    put_escaped(buf, b, quoted);
    if quoted {
        buf.push(b'"');
    }
}

fn put_u64(buf: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

fn put_i64(buf: &mut Vec<u8>, n: i64) {
    if n < 0 {
        buf.push(b'-');
    }
    put_u64(buf, n.unsigned_abs());
}

/// `n` as `width` digits with leading zeros (n < 10^width).
fn put_fixed(buf: &mut Vec<u8>, n: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let mut n = n;
    for i in (0..width).rev() {
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    buf.extend_from_slice(&digits[..width]);
}

fn put_date(buf: &mut Vec<u8>, d: Date) {
    let (y, m, day) = d.ymd();
    if (0..10_000).contains(&y) {
        put_fixed(buf, y as u32, 4);
        buf.push(b'-');
        put_fixed(buf, m, 2);
        buf.push(b'-');
        put_fixed(buf, day, 2);
    } else {
        buf.extend_from_slice(d.to_string().as_bytes());
    }
}

fn put_datetime(buf: &mut Vec<u8>, t: DateTime) {
    put_date(buf, t.date);
    buf.push(b' ');
    put_fixed(buf, t.secs / 3600, 2);
    buf.push(b':');
    put_fixed(buf, t.secs / 60 % 60, 2);
    buf.push(b':');
    put_fixed(buf, t.secs % 60, 2);
}

impl OverdueWriter {
    pub fn create(path: &Path) -> std::io::Result<OverdueWriter> {
        let file = std::fs::File::create(path)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut head = csv::Writer::from_writer(Vec::new());
        head.write_record(OVERDUE_HEADER)?;
        std::io::Write::write_all(&mut out, &head.into_inner().map_err(|e| e.into_error())?)?;
        Ok(OverdueWriter { out, error: None })
    }

    /// Writes one case (formatted here, on the caller's thread).
    pub fn write(&mut self, o: &OverdueCase) {
        let mut one = Receipts::default();
        one.push(o);
        self.write_rows(&one, 0);
    }

    /// Copies rows formatted elsewhere, adding `before` to each row number.
    pub fn write_rows(&mut self, rows: &Receipts, before: u32) {
        use std::io::Write;
        if self.error.is_some() {
            return;
        }
        let buf = &rows.bytes;
        let mut prev = 0;
        let mut r = Ok(());
        let mut digits = Vec::with_capacity(12);
        for &(at, row) in &rows.marks {
            digits.clear();
            put_u64(&mut digits, u64::from(row) + u64::from(before));
            r = r
                .and_then(|()| self.out.write_all(&buf[prev..at]))
                .and_then(|()| self.out.write_all(&digits));
            prev = at;
        }
        if let Err(e) = r.and_then(|()| self.out.write_all(&buf[prev..])) {
            self.error = Some(e);
        }
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        std::io::Write::flush(&mut self.out)
    }
}
