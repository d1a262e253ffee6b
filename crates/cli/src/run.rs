//! The commands. IO lives here: reading files, printing, exit codes.

use crate::embedded;
use crate::{Format, PlatformArgs};
use anyhow::{Context, Result, bail};
use kaohe_core::calendar::{self, Calendar};
use kaohe_core::date::Date;
use kaohe_core::deadline::{self, Limit, LimitUnit};
use kaohe_core::input::Unit;
use kaohe_core::problem::has_errors;
use kaohe_core::rubric::{self, Rubric};
use kaohe_core::{Inputs, Problem};
use kaohe_platform::indicators::{self, Indicators, Period, Request};
use kaohe_platform::survey::Scale;
use std::io::IsTerminal;
use std::path::Path;
use std::path::PathBuf;

/// The service's database URL (`--database` / `KAOHE_DATABASE`), or `None` for SQLite in the data
/// directory.
static DATABASE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

/// The audit key file (`--audit-key` / `KAOHE_AUDIT_KEY`), or `None` for `audit.key` in the data
/// directory.
static AUDIT_KEY: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

pub fn set_database(url: Option<String>, audit_key: Option<PathBuf>) {
    let _ = DATABASE.set(url.filter(|u| !u.trim().is_empty()));
    let _ = AUDIT_KEY.set(audit_key.filter(|p| !p.as_os_str().is_empty()));
}

fn audit_key() -> Option<&'static Path> {
    AUDIT_KEY.get().and_then(|k| k.as_deref())
}

fn database() -> Option<&'static str> {
    DATABASE.get().and_then(|d| d.as_deref())
}

/// Opens the service's store: the database chosen, evidence in `data/evidence/`.
async fn open_store(data: &Path) -> Result<kaohe_store::Store> {
    kaohe_store::Store::open_keyed(data, database(), audit_key())
        .await
        .with_context(|| match database() {
            Some(url) => format!("无法打开数据库 {}", redact(url)),
            None => format!("无法打开数据目录 {}", data.display()),
        })
}

/// A database URL as it may be printed: the password replaced by `***` (the user part ends at the
/// host's last `@`, so a password typed with `@` or `:` in it is hidden whole).
fn redact(url: &str) -> String {
    let Some(s) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[s + 3..];
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    match authority.rfind('@') {
        Some(at) => match authority[..at].find(':') {
            Some(c) => format!("{}{}:***{}", &url[..s + 3], &authority[..c], &rest[at..]),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// With SQLite the data directory must already hold the database.
fn sqlite_present(data: &Path) -> Result<()> {
    if database().is_none() && !data.join("kaohe.db").exists() {
        bail!("{} 中没有 kaohe.db", data.display());
    }
    Ok(())
}

pub const EXIT_OK: u8 = 0;
pub const EXIT_INVALID: u8 = 2;
pub const EXIT_INCOMPLETE: u8 = 3;

/// Problems as listed: at most [`kaohe_tables::limits::MAX_PROBLEMS`], the rest counted.
fn listed(problems: &[Problem]) -> std::borrow::Cow<'_, [Problem]> {
    if problems.len() <= kaohe_tables::limits::MAX_PROBLEMS {
        return problems.into();
    }
    let mut v = problems.to_vec();
    kaohe_tables::limits::cap_problems(&mut v);
    v.into()
}

fn print_problems(problems: &[Problem]) {
    for p in listed(problems).iter() {
        eprintln!("{p}");
    }
}

/// Loads a rubric file, or the embedded rudong-2021.
fn load_rubric(path: Option<&Path>) -> Result<(Option<Rubric>, Vec<Problem>)> {
    match path {
        Some(p) => {
            // Read within the rubric's size limit; an unreadable, oversized or non-UTF-8 file is
            // a problem naming it (exit 2), like any other refused rubric.
            let name = kaohe_tables::sheet::display_name(p);
            match kaohe_tables::sheet::read_bytes_limited(
                p,
                rubric::MAX_RUBRIC_BYTES as u64,
                "细则文件",
            ) {
                Ok(bytes) => Ok(rubric::load_bytes(&name, &bytes)),
                Err(problem) => Ok((None, vec![problem])),
            }
        }
        None => Ok(rubric::load(
            embedded::RUDONG_2021_NAME,
            embedded::RUDONG_2021,
        )),
    }
}

/// `kaohe rubric diff OLD NEW`: what a new rubric changes, clause by clause (no data needed).
pub fn rubric_diff(old: &Path, new: &Path) -> Result<u8> {
    let (a, pa) = load_rubric(Some(old))?;
    let (b, pb) = load_rubric(Some(new))?;
    let (Some(a), Some(b)) = (a, b) else {
        let all: Vec<Problem> = pa.into_iter().chain(pb).collect();
        return invalid(&all, Format::Table);
    };
    let label = |r: &Rubric| {
        format!(
            "《{}》（{} 版本 {}，满分 {}）",
            r.title,
            r.id,
            r.version,
            r.max_total.normalize()
        )
    };
    println!("原细则：{}", label(&a));
    println!("新细则：{}", label(&b));
    let changes: Vec<_> = kaohe_core::compare::rubrics(&a, &b)
        .into_iter()
        .filter(|c| c.rubric_changed())
        .collect();
    let count = |f: &dyn Fn(&kaohe_core::compare::ClauseDelta) -> bool| {
        changes.iter().filter(|c| f(c)).count()
    };
    let (added, removed) = (count(&|c| c.added()), count(&|c| c.removed()));
    println!(
        "细则改动 {} 条：新增 {added}，删去 {removed}，修改 {}",
        changes.len(),
        changes.len() - added - removed
    );
    for c in &changes {
        println!("  {} {}：{}", c.id, c.title, c.explain());
    }
    Ok(EXIT_OK)
}

pub fn rubric_check(file: &Path) -> Result<u8> {
    let (r, problems) = load_rubric(Some(file))?;
    print_problems(&problems);
    match r {
        Some(r) => {
            println!(
                "细则有效：{}（{}，第{}版）— {} 个指标，{} 个条款，满分 {}，sha256 {}",
                r.title,
                r.id,
                r.version,
                r.indicators.len(),
                r.clauses.len(),
                r.max_total.normalize(),
                r.sha256
            );
            Ok(EXIT_OK)
        }
        None => {
            eprintln!(
                "细则无效：共 {} 个问题",
                problems.iter().filter(|p| p.is_error()).count()
            );
            Ok(EXIT_INVALID)
        }
    }
}

pub fn rubric_show(file: &Path) -> Result<u8> {
    let (r, problems) = load_rubric(Some(file))?;
    print_problems(&problems);
    let Some(r) = r else {
        return Ok(EXIT_INVALID);
    };
    print!("{}", show(&r));
    Ok(EXIT_OK)
}

/// The rubric as a tree with points and the rule of every clause.
pub fn show(r: &Rubric) -> String {
    use kaohe_core::num::pts;
    let mut out = format!(
        "《{}》 {} 第{}版  {}年  满分 {}  精度 {} 位小数\n来源：{}\nsha256 {}\n",
        r.title,
        r.id,
        r.version,
        r.year,
        pts(r.max_total),
        r.precision,
        r.source,
        r.sha256
    );
    for ind in &r.indicators {
        out.push_str(&format!(
            "\n{} {}（{}分）\n",
            ind.id,
            ind.name,
            pts(ind.max)
        ));
        for item in &ind.items {
            out.push_str(&format!(
                "  {} {}（{}分）\n",
                item.id,
                item.name,
                pts(item.max)
            ));
            for &ci in &item.clauses {
                let c = &r.clauses[ci];
                let methods: Vec<&str> = c.methods.iter().map(|m| m.label()).collect();
                let max = if c.is_bonus() {
                    "加分".to_string()
                } else {
                    format!("{}分", pts(c.max))
                };
                out.push_str(&format!(
                    "    {} {}  {}  [{}] {}\n      规则：{}\n",
                    c.id,
                    c.title,
                    max,
                    c.rule.kind(),
                    methods.join("/"),
                    r.describe_rule(c)
                ));
            }
        }
    }
    if !r.grades.is_empty() {
        out.push_str("\n定档：");
        let g: Vec<String> = r
            .grades
            .iter()
            .map(|g| format!("{} ≥ {}%", g.name, pts(g.min_ratio * rust_decimal_100())))
            .collect();
        out.push_str(&g.join("，"));
        out.push('\n');
    }
    out
}

fn rust_decimal_100() -> kaohe_core::num::Dec {
    kaohe_core::num::Dec::ONE_HUNDRED
}

pub fn demo(format: Format, out: Option<&Path>) -> Result<u8> {
    let (r, problems) = load_rubric(None)?;
    let Some(r) = r else {
        print_problems(&problems);
        bail!("内置细则无效");
    };
    let (inputs, _, read_problems) =
        kaohe_tables::read_inputs_from_files(embedded::demo_files(), &r);
    if format == Format::Table && out.is_none() {
        println!("示例数据（合成，不是真实考核结果）：如东县 3 个街道、12 个镇、2 个开发区\n");
    }
    emit(&r, &inputs, read_problems, format, out)
}

pub fn score(
    rubric: Option<&Path>,
    input: &Path,
    format: Format,
    out: Option<&Path>,
    platform: &PlatformArgs,
) -> Result<u8> {
    let (r, problems) = load_rubric(rubric)?;
    let Some(r) = r else {
        return invalid(&problems, format);
    };
    match read_batch(&r, input, platform, problems)? {
        Ok((inputs, problems)) => emit(&r, &inputs, problems, format, out),
        Err(problems) => invalid(&problems, format),
    }
}

/// Inputs read and the problems met on the way; or, when the platform exports could not be read at
/// all, only the problems.
type Batch = Result<(Inputs, Vec<Problem>), Vec<Problem>>;

/// The inputs of `--input` (plus the platform exports, when given) read under `r`.
fn read_batch(
    r: &Rubric,
    input: &Path,
    platform: &PlatformArgs,
    mut problems: Vec<Problem>,
) -> Result<Batch> {
    if !input.exists() {
        bail!("输入 {} 不存在", input.display());
    }
    let (mut inputs, _, read_problems) = kaohe_tables::read_inputs(input, r);
    problems.extend(read_problems);
    if platform.given() && !has_errors(&problems) {
        let (ind, p) = platform_indicators(&inputs.units, platform, None)?;
        problems.extend(p);
        match ind {
            Some(ind) => problems.extend(indicators::merge_into(&mut inputs, &ind, r)),
            None => return Ok(Err(problems)),
        }
    }
    Ok(Ok((inputs, problems)))
}

/// `kaohe whatif`: the batch scored under `rubric` (the one in force) and under `other`, compared.
pub fn whatif(
    rubric: Option<&Path>,
    other: &Path,
    input: &Path,
    format: Format,
    out: Option<&Path>,
    platform: &PlatformArgs,
) -> Result<u8> {
    match (format, out) {
        (Format::Pdf, _) => bail!("方案对比可输出 table、json 或 xlsx"),
        (Format::Xlsx, None) => bail!("--format xlsx 需要 --out 文件名"),
        _ => {}
    }
    let (r, problems) = load_rubric(rubric)?;
    let Some(r) = r else {
        return invalid(&problems, format);
    };
    let (o, other_problems) = load_rubric(Some(other))?;
    let Some(o) = o else {
        return invalid(&other_problems, format);
    };
    let (inputs, read_problems) = match read_batch(&r, input, platform, problems)? {
        Ok(x) => x,
        Err(problems) => return invalid(&problems, format),
    };
    let before = kaohe_core::score(&r, &inputs);
    if has_errors(&read_problems) || has_errors(&before.problems) {
        let all: Vec<Problem> = read_problems.into_iter().chain(before.problems).collect();
        return invalid(&all, format);
    }
    let (carried, mut notes) = kaohe_core::compare::carry_over(&inputs, &r, &o);
    notes.extend(other_problems);
    let after = kaohe_core::score(&o, &carried);
    let cmp = kaohe_core::compare::compare(&before, &after);
    let label = |r: &Rubric| format!("《{}》（{} 版本 {}）", r.title, r.id, r.version);
    let w =
        kaohe_report::whatif::WhatIf::of(&cmp, &before, &after, (&label(&r), &label(&o)), &notes);
    if let (Format::Xlsx, Some(p)) = (format, out) {
        let bytes = kaohe_report::xlsx::whatif_workbook(&w).context("生成 XLSX 失败")?;
        std::fs::write(p, bytes).with_context(|| format!("无法写入 {}", p.display()))?;
        eprintln!("已写入 {}", p.display());
        return Ok(EXIT_OK);
    }
    let text = if format == Format::Json {
        w.to_json()
    } else {
        w.table()
    };
    match out {
        Some(p) => {
            std::fs::write(p, text + "\n").with_context(|| format!("无法写入 {}", p.display()))?
        }
        None => println!("{text}"),
    }
    Ok(EXIT_OK)
}

impl PlatformArgs {
    fn given(&self) -> bool {
        !(self.cases.is_empty() && self.claims.is_empty() && self.surveys.is_empty())
    }
}

/// Calendar files read from a calendar directory, at most (one per year is the norm).
const MAX_CALENDAR_FILES: usize = 200;
/// Bytes of one calendar file, at most (a year's holidays and 调休 days take under 4 KB).
const MAX_CALENDAR_BYTES: u64 = 256 * 1024;

/// The built-in calendar years plus every `*.toml` in `dir` (or in `./calendars` when it exists).
pub fn load_calendar(dir: Option<&Path>) -> Result<Calendar> {
    let mut files: Vec<(String, String)> =
        vec![("2020-2026.toml（内置）".into(), calendar::BUILTIN.into())];
    let dir: Option<PathBuf> = dir.map(Path::to_path_buf).or_else(|| {
        let d = PathBuf::from("calendars");
        d.is_dir().then_some(d)
    });
    if let Some(d) = dir {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&d)
            .with_context(|| format!("无法读取日历目录 {}", d.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        if paths.len() > MAX_CALENDAR_FILES {
            bail!(
                "日历目录 {} 中有 {} 个 .toml 文件，超过上限 {MAX_CALENDAR_FILES} 个（每年一个文件即可）",
                d.display(),
                paths.len()
            );
        }
        for p in paths {
            let size = std::fs::metadata(&p)
                .with_context(|| format!("无法读取 {}", p.display()))?
                .len();
            if size > MAX_CALENDAR_BYTES {
                bail!(
                    "日历文件 {} 有 {size} 字节，超过上限 {MAX_CALENDAR_BYTES} 字节（一年的日历不到 4 KB）",
                    p.display()
                );
            }
            let bytes = std::fs::read(&p).with_context(|| format!("无法读取 {}", p.display()))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                anyhow::anyhow!(
                    "日历文件 {} 不是 UTF-8 编码：第 {} 字节起无法识别",
                    p.display(),
                    e.utf8_error().valid_up_to() + 1
                )
            })?;
            files.push((p.display().to_string(), text));
        }
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (cal, problems) = Calendar::load(&refs);
    print_problems(&problems);
    cal.ok_or_else(|| anyhow::anyhow!("工作日历有误，见上"))
}

fn platform_indicators(
    units: &[Unit],
    args: &PlatformArgs,
    overdue_sink: Option<kaohe_platform::cases::OverdueSink>,
) -> Result<(Option<Indicators>, Vec<Problem>)> {
    let period = match (&args.period, args.cases.is_empty()) {
        (Some(p), _) => Period::parse(p).map_err(|e| anyhow::anyhow!(e))?,
        (None, true) => Period {
            start: Date(0),
            end: Date(0),
        },
        (None, false) => {
            bail!("提供办件数据（--cases）时须指定考核期 --period，如 2021-01-01..2021-12-31")
        }
    };
    let scale = match &args.rating_scale {
        None => None,
        Some(s) => Some(Scale::parse(s).ok_or_else(|| {
            anyhow::anyhow!(
                "--rating-scale 应为 gbt39046（1=非常满意）或 haocha（1=非常不满意），实为 {s}"
            )
        })?),
    };
    let cal = if args.cases.is_empty() {
        Calendar::builtin()
    } else {
        load_calendar(args.calendar_dir.as_deref())?
    };
    let tty = std::io::stderr().is_terminal();
    let mut progress = |name: &str, bytes: u64, rows: u64| {
        if tty {
            eprint!("\r读取 {name}：{:.1} MB，{rows} 行", bytes as f64 / 1e6);
        }
    };
    let req = Request {
        units,
        calendar: &cal,
        period,
        cases: &args.cases,
        claims: &args.claims,
        surveys: &args.surveys,
        scale,
        skip_bad_rows: args.skip_bad_rows,
        threads: args.threads.map_or(0, usize::from),
        progress: Some(&mut progress),
        overdue_sink,
    };
    let out = indicators::compute(req);
    if tty {
        eprintln!();
    }
    Ok(out)
}

pub fn ingest(units: &Path, out: &Path, args: &PlatformArgs) -> Result<u8> {
    let (units, problems) = kaohe_tables::batch::read_units_file(units);
    if has_errors(&problems) {
        return invalid(&problems, Format::Table);
    }
    print_problems(&problems);
    if !args.given() {
        bail!("请至少提供一种平台数据：--cases、--claims 或 --survey");
    }
    // Overdue cases go to disk as they are found (memory stays flat in the number of rows), into a
    // temporary file that becomes overdue.csv only when the whole import succeeds.
    std::fs::create_dir_all(out).with_context(|| format!("无法创建目录 {}", out.display()))?;
    let partial = out.join("overdue.csv.partial");
    let mut writer = indicators::OverdueWriter::create(&partial)
        .with_context(|| format!("无法写入 {}", partial.display()))?;
    let mut sink = |o: &indicators::OverdueCase| writer.write(o);
    let (ind, problems) = platform_indicators(&units, args, Some(&mut sink))?;
    let Some(ind) = ind else {
        let _ = std::fs::remove_file(&partial);
        let _ = std::fs::remove_dir(out); // only when empty, i.e. made here
        return invalid(&problems, Format::Table);
    };
    print_problems(&problems);
    writer.finish().context("写入 overdue.csv 失败")?;
    std::fs::rename(&partial, out.join("overdue.csv")).context("写入 overdue.csv 失败")?;
    indicators::write_metrics(&out.join("metrics.csv"), &ind).context("写入 metrics.csv 失败")?;
    eprintln!(
        "已读取办件 {} 行（{:.1} MB）；写出 {} 条指标、{} 件超期办件到 {}",
        ind.rows,
        ind.bytes as f64 / 1e6,
        ind.metrics.len(),
        ind.overdue_total,
        out.display()
    );
    Ok(EXIT_OK)
}

fn date_arg(s: &str) -> Result<Date> {
    Date::parse(s).ok_or_else(|| anyhow::anyhow!("“{s}”不是日期（应为 2021-09-30）"))
}

pub fn calendar_check(dir: Option<&Path>, date: &str) -> Result<u8> {
    let cal = load_calendar(dir)?;
    let d = date_arg(date)?;
    let why = cal
        .describe(d)
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    println!("{d}（{}）：{why}", d.weekday_label());
    Ok(EXIT_OK)
}

pub fn calendar_deadline(
    dir: Option<&Path>,
    accepted: &str,
    days: u32,
    natural: bool,
) -> Result<u8> {
    let cal = load_calendar(dir)?;
    let a = date_arg(accepted)?;
    let unit = if natural {
        LimitUnit::CalendarDays
    } else {
        LimitUnit::WorkingDays
    };
    let dl = deadline::deadline(&cal, a, Limit { days, unit }, None)
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    println!(
        "受理 {a}（{}），承诺 {days} 个{} → 办理期限 {}（{}）24:00",
        a.weekday_label(),
        unit.label(),
        dl.due,
        dl.due.weekday_label()
    );
    Ok(EXIT_OK)
}

pub fn calendar_between(dir: Option<&Path>, from: &str, to: &str) -> Result<u8> {
    let cal = load_calendar(dir)?;
    let (a, b) = (date_arg(from)?, date_arg(to)?);
    let n = cal
        .working_days_between(a, b)
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    println!("{a} 至 {b}：{n} 个工作日（不含 {a}，含 {b}）");
    Ok(EXIT_OK)
}

fn invalid(problems: &[Problem], format: Format) -> Result<u8> {
    print_problems(problems);
    if format == Format::Json {
        println!("{}", kaohe_report::json::problems_json(&listed(problems)));
    }
    eprintln!(
        "输入有误，未计分：{} 个错误",
        problems.iter().filter(|p| p.is_error()).count()
    );
    Ok(EXIT_INVALID)
}

fn emit(
    r: &Rubric,
    inputs: &Inputs,
    read_problems: Vec<Problem>,
    format: Format,
    out: Option<&Path>,
) -> Result<u8> {
    let scored = kaohe_core::score(r, inputs);
    if has_errors(&read_problems) || has_errors(&scored.problems) {
        let all: Vec<Problem> = read_problems
            .iter()
            .chain(&scored.problems)
            .cloned()
            .collect();
        return invalid(&all, format);
    }
    match format {
        Format::Table | Format::Json => {
            let text = if format == Format::Json {
                kaohe_report::json::to_json(&scored, &read_problems)
            } else {
                kaohe_report::table::render(&scored, &read_problems)
            };
            match out {
                Some(p) => std::fs::write(p, text + "\n")
                    .with_context(|| format!("无法写入 {}", p.display()))?,
                None => println!("{text}"),
            }
        }
        Format::Xlsx => {
            let Some(p) = out else {
                bail!("--format xlsx 需要 --out 文件名");
            };
            let bytes =
                kaohe_report::xlsx::workbook(&scored, &read_problems).context("生成 XLSX 失败")?;
            std::fs::write(p, bytes).with_context(|| format!("无法写入 {}", p.display()))?;
            eprintln!("已写入 {}", p.display());
        }
        Format::Pdf => {
            let Some(dir) = out else {
                bail!("--format pdf 需要 --out 目录（每个单位写一份考核反馈单）");
            };
            std::fs::create_dir_all(dir).with_context(|| format!("无法创建 {}", dir.display()))?;
            let title = r.title.strip_suffix("细则").unwrap_or(&r.title);
            for u in &scored.units {
                let f = kaohe_report::feedback::Feedback::of(
                    title,
                    "命令行计算（未经公示、定档）",
                    &scored,
                    u,
                );
                let bytes = kaohe_report::pdf::feedback_pdf(&f).map_err(anyhow::Error::msg)?;
                let p = dir.join(format!("{}-{}-考核反馈单.pdf", f.unit.code, f.unit.name));
                std::fs::write(&p, bytes).with_context(|| format!("无法写入 {}", p.display()))?;
            }
            eprintln!(
                "已写入 {} 份考核反馈单（PDF）到 {}",
                scored.units.len(),
                dir.display()
            );
        }
    }
    Ok(if scored.complete {
        EXIT_OK
    } else {
        EXIT_INCOMPLETE
    })
}

/// The time now, as the store records it: ISO 8601 UTC (`2021-12-01T09:00:00Z`).
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let date = Date((secs / 86_400) as i32);
    let s = secs % 86_400;
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时")
}

pub fn user_add(
    data: &Path,
    login: &str,
    name: &str,
    role: &str,
    unit: Option<&str>,
    password: &str,
) -> Result<u8> {
    let role = kaohe_store::Role::parse(role).ok_or_else(|| {
        anyhow::anyhow!("角色应为 admin / assessor / reporter / viewer，实为 {role}")
    })?;
    runtime()?.block_on(async {
        let store = open_store(data).await?;
        let new = kaohe_store::NewUser {
            login,
            name,
            role,
            unit,
            password,
        };
        match store.add_user(None, &new, &now_utc()).await {
            Ok(u) => {
                println!("已新增账户 {}（{}，{}）", u.login, u.name, u.role.label());
                Ok(EXIT_OK)
            }
            Err(kaohe_store::StoreError::Invalid(m)) => {
                eprintln!("错误：{m}");
                Ok(EXIT_INVALID)
            }
            Err(e) => Err(e.into()),
        }
    })
}

pub fn audit_verify(data: &Path) -> Result<u8> {
    sqlite_present(data)?;
    runtime()?.block_on(async {
        let store = open_store(data).await?;
        let n = match store.audit_verify().await? {
            Ok(n) => n,
            Err(first_bad) => {
                eprintln!("审计日志被改动：{first_bad}");
                return Ok(EXIT_INVALID);
            }
        };
        let differences = store.audit_replay().await?;
        if !differences.is_empty() {
            eprintln!(
                "审计日志完好（共 {n} 条），但数据表与审计日志不符——有数据在审计日志之外被改动："
            );
            for d in &differences {
                eprintln!("  - {d}");
            }
            return Ok(EXIT_INVALID);
        }
        println!(
            "审计日志完好：共 {n} 条，密钥链（HMAC-SM3）与链头逐条核对无误；按日志回放，考核分、问题记录、指标、加分、定档结果、阶段、细则与账户均与数据表一致"
        );
        Ok(EXIT_OK)
    })
}

/// How `serve` and `demo` run the service.
pub struct Service {
    pub settings: kaohe_server::Settings,
    pub max_connections: Option<usize>,
}

/// Serves `store` on `addr` as `service` says, until the process ends.
async fn serve_store(store: kaohe_store::Store, addr: &str, service: &Service) -> Result<()> {
    let state = kaohe_server::AppState::new(store, kaohe_server::AppState::system_clock())
        .with_settings(service.settings.clone());
    let mut limits = kaohe_server::limits::Limits::default();
    if let Some(n) = service.max_connections {
        limits.max_connections = n.max(1);
    }
    kaohe_server::serve_with(kaohe_server::router(state), addr, limits)
        .await
        .with_context(|| format!("无法在 {addr} 提供服务"))
}

pub fn serve(data: &Path, addr: &str, service: &Service) -> Result<u8> {
    runtime()?.block_on(async {
        let store = open_store(data).await?;
        serve_store(store, addr, service).await?;
        Ok(EXIT_OK)
    })
}

pub fn demo_serve(data: Option<&Path>, addr: &str, service: &Service) -> Result<u8> {
    let dir = match data {
        Some(d) => d.to_path_buf(),
        None => std::env::temp_dir().join(format!("kaohe-demo-{}", std::process::id())),
    };
    if dir.join("kaohe.db").exists() {
        bail!("{} 中已有数据；示例需要一个新的目录", dir.display());
    }
    runtime()?.block_on(async {
        let store = open_store(&dir).await?;
        if store.user_by_login("admin").await?.is_some() {
            bail!("数据库中已有数据；示例需要一个空的数据库");
        }
        let id = kaohe_server::demo::seed(
            &store,
            embedded::RUDONG_2021,
            &embedded::demo_files(),
            &now_utc(),
        )
        .await?;
        println!(
            "示例数据目录：{}（考核 {id}，示例数据，不是真实考核结果）",
            dir.display()
        );
        println!("示例账户（登录名 / 密码 / 角色）：");
        for (login, name, role, unit, password) in kaohe_server::demo::ACCOUNTS {
            let unit = unit.map(|u| format!("，单位 {u}")).unwrap_or_default();
            println!(
                "  {login:<10} {password:<22} {}（{name}{unit}）",
                role.label()
            );
        }
        serve_store(store, addr, service).await?;
        Ok(EXIT_OK)
    })
}

fn file_sha256(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f =
        std::fs::File::open(path).with_context(|| format!("无法读取 {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

pub fn import(data: &Path, assessment: i64, actor: &str, args: &PlatformArgs) -> Result<u8> {
    if !args.given() {
        bail!("请至少提供一种平台数据：--cases、--claims 或 --survey");
    }
    runtime()?.block_on(async {
        let store = open_store(data).await?;
        let by = store.user_by_login(actor).await?.ok_or_else(|| anyhow::anyhow!("没有账户“{actor}”"))?;
        let a = store.assessment(assessment).await?;
        let units: Vec<Unit> = store
            .units(assessment)
            .await?
            .into_iter()
            .map(|u| Unit { code: u.code.as_str().into(), name: u.name, kind: u.kind, origin: None })
            .collect();
        let (ind, problems) = platform_indicators(&units, args, None)?;
        let Some(ind) = ind else {
            return invalid(&problems, Format::Table);
        };
        print_problems(&problems);
        // The same instances as `kaohe score --cases`: overdue cases become findings of the clauses
        // that count them.
        let mut inp = kaohe_core::Inputs::default();
        let p = indicators::merge_into(&mut inp, &ind, &a.rubric);
        if has_errors(&p) {
            return invalid(&p, Format::Table);
        }
        let mut files = Vec::new();
        for f in args.cases.iter().chain(&args.claims).chain(&args.surveys) {
            files.push((f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), file_sha256(f)?));
        }
        let receipts: Vec<serde_json::Value> = ind
            .overdue
            .iter()
            .map(|o| serde_json::json!({ "case_id": o.case_id, "unit": &*o.unit, "item": o.item_code, "accepted": o.accepted.to_string(), "deadline": o.due.to_string(), "completed": o.completed.map(|c| c.to_string()), "working_days_late": o.late.working_days, "source": o.source.to_string() }))
            .collect();
        let imp = kaohe_store::Import {
            kind: ["办件", "认领", "测评"]
                .iter()
                .zip([&args.cases, &args.claims, &args.surveys])
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
                .join("、"),
            files,
            rows: ind.rows as i64,
            metrics: inp.metrics.iter().map(|m| (m.unit.to_string(), m.metric.to_string(), m.value)).collect(),
            findings: inp
                .findings
                .iter()
                .map(|f| (f.unit.to_string(), f.clause.to_string(), f.description.clone(), f.evidence.clone().unwrap_or_default()))
                .collect(),
            receipts: serde_json::Value::Array(receipts).to_string(),
        };
        match store.import(&by, assessment, &imp, &now_utc()).await {
            Ok(id) => {
                println!("已导入（第 {id} 次导入）：{} 行，{} 条指标，{} 例超期办件", ind.rows, imp.metrics.len(), imp.findings.len());
                Ok(EXIT_OK)
            }
            Err(kaohe_store::StoreError::Invalid(m)) | Err(kaohe_store::StoreError::Forbidden(m)) => {
                eprintln!("错误：{m}");
                Ok(EXIT_INVALID)
            }
            Err(e) => Err(e.into()),
        }
    })
}

pub fn backup(data: &Path, out: &Path) -> Result<u8> {
    sqlite_present(data)?;
    runtime()?.block_on(async {
        let store = open_store(data).await?;
        match store.backup(out).await {
            Ok(files) => {
                println!(
                    "已备份到 {}：数据库一致副本，佐证材料 {files} 个",
                    out.display()
                );
                Ok(EXIT_OK)
            }
            Err(kaohe_store::StoreError::Invalid(m)) => {
                eprintln!("错误：{m}");
                Ok(EXIT_INVALID)
            }
            Err(e) => Err(e.into()),
        }
    })
}

/// `kaohe transfer`: the whole store into an empty PostgreSQL database or a new data directory.
pub fn transfer(data: &Path, to: &str) -> Result<u8> {
    sqlite_present(data)?;
    runtime()?.block_on(async {
        let src = open_store(data).await?;
        let (dst, shown) = if to.starts_with("postgres://") || to.starts_with("postgresql://") {
            // The copy's chain is the original's: it keeps the original's key file.
            let dst = kaohe_store::Store::open_keyed(data, Some(to), Some(&src.audit_key().path))
                .await
                .with_context(|| format!("无法打开数据库 {}", redact(to)))?;
            (dst, redact(to))
        } else {
            let dir = Path::new(to);
            if dir.join("kaohe.db").exists() {
                eprintln!(
                    "错误：{} 中已有 kaohe.db：迁移只写入一个新的数据目录",
                    dir.display()
                );
                return Ok(EXIT_INVALID);
            }
            // The copy's chain is the original's: its key goes with it.
            std::fs::create_dir_all(dir)?;
            std::fs::copy(&src.audit_key().path, dir.join("audit.key"))
                .with_context(|| format!("无法把审计密钥复制到 {}", dir.display()))?;
            let dst = kaohe_store::Store::open(dir)
                .await
                .with_context(|| format!("无法打开数据目录 {}", dir.display()))?;
            (dst, dir.display().to_string())
        };
        let copied = match src.copy_into(&dst).await {
            Ok(c) => c,
            Err(kaohe_store::StoreError::Invalid(m)) => {
                eprintln!("错误：{m}");
                return Ok(EXIT_INVALID);
            }
            Err(e) => return Err(e.into()),
        };
        let files = if dst.dir() != src.dir() && src.dir().join("evidence").is_dir() {
            kaohe_store::store::copy_tree(&src.dir().join("evidence"), &dst.dir().join("evidence"))?
        } else {
            0
        };
        println!("已迁移到 {shown}：");
        for (table, n) in &copied {
            println!("  {table:<15} {n} 行");
        }
        if files > 0 {
            println!("  佐证材料 {files} 个文件");
        }
        println!("审计日志完好，各表行数与原库一致");
        Ok(EXIT_OK)
    })
}

pub fn restore(from: &Path, data: &Path) -> Result<u8> {
    if database().is_some() {
        bail!(
            "kaohe restore 只恢复 SQLite 备份；PostgreSQL 数据库请用 pg_restore，并另行复制 evidence/"
        );
    }
    runtime()?.block_on(async {
        let store = match kaohe_store::Store::restore(from, data).await {
            Ok(s) => s,
            Err(kaohe_store::StoreError::Invalid(m))
            | Err(kaohe_store::StoreError::NotFound(m)) => {
                eprintln!("错误：{m}");
                return Ok(EXIT_INVALID);
            }
            Err(e) => return Err(e.into()),
        };
        match store.audit_verify().await? {
            Ok(n) => {
                println!("已恢复到 {}；审计日志完好（{n} 条）", data.display());
                Ok(EXIT_OK)
            }
            Err(bad) => {
                eprintln!("已恢复，但审计日志有问题：{bad}");
                Ok(EXIT_INVALID)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_database_password_is_never_printed() {
        use super::redact;
        assert_eq!(
            redact("postgres://kaohe:s3cret@db.example:5432/kaohe"),
            "postgres://kaohe:***@db.example:5432/kaohe"
        );
        assert_eq!(
            redact("postgres://kaohe@db/kaohe"),
            "postgres://kaohe@db/kaohe"
        );
        assert_eq!(redact("postgres://db/kaohe"), "postgres://db/kaohe");
        // A password holding `@` or `:` is hidden whole, up to the host's `@`.
        assert_eq!(
            redact("postgres://u:p@ss:w@rd@db/k"),
            "postgres://u:***@db/k"
        );
    }
}
