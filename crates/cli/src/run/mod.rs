//! The commands. IO lives here: reading files, printing, exit codes.

use crate::embedded;
use crate::{Format, PlatformArgs};
use anyhow::{Context, Result, bail};
use kaohe_core::calendar::Calendar;
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

/// `kaohe rubric check|show|diff`: a rubric validated, shown as its tree, or compared with another.
mod rubric_cmd;
pub use rubric_cmd::*;
/// `kaohe score`, `kaohe demo --print` and `kaohe whatif`: a batch scored (and compared under another
mod score;
pub use score::*;
/// `kaohe ingest`: platform exports → `metrics.csv` and `overdue.csv`.
mod ingest;
pub use ingest::*;
/// `kaohe calendar check|deadline|between`: the working-day calendar asked directly.
mod calendar_cmd;
pub use calendar_cmd::*;
/// The service from the command line: `kaohe serve`, `kaohe demo` (serving), `kaohe user add`,
mod service;
pub use service::*;
/// A service's data moved: `kaohe backup`, `kaohe restore`, `kaohe transfer`.
mod data;
pub use data::*;
/// `kaohe verify FILE`: a sealed result's SM2 signature checked.
mod verify;
pub use verify::*;

/// The service's database URL (`--database` / `KAOHE_DATABASE`), or `None` for SQLite in the data
/// directory.
static DATABASE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

/// The audit key file (`--audit-key` / `KAOHE_AUDIT_KEY`), or `None` for `audit.key` in the data
/// directory.
static AUDIT_KEY: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

/// The seal key file (`--seal-key` / `KAOHE_SEAL_KEY`), or `None` for `seal-sm2.key` beside the
/// audit key.
static SEAL_KEY: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

pub fn set_database(url: Option<String>, audit_key: Option<PathBuf>, seal_key: Option<PathBuf>) {
    let _ = DATABASE.set(url.filter(|u| !u.trim().is_empty()));
    let _ = AUDIT_KEY.set(audit_key.filter(|p| !p.as_os_str().is_empty()));
    let _ = SEAL_KEY.set(seal_key.filter(|p| !p.as_os_str().is_empty()));
}

/// The SM4 data key file (`--data-key` / `KAOHE_DATA_KEY`), or `None`: evidence stored plain.
static DATA_KEY: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

pub fn set_data_key(path: Option<PathBuf>) {
    let _ = DATA_KEY.set(path.filter(|p| !p.as_os_str().is_empty()));
}

pub(super) fn seal_key() -> Option<&'static Path> {
    SEAL_KEY.get().and_then(|k| k.as_deref())
}

pub(super) fn audit_key() -> Option<&'static Path> {
    AUDIT_KEY.get().and_then(|k| k.as_deref())
}

pub(super) fn database() -> Option<&'static str> {
    DATABASE.get().and_then(|d| d.as_deref())
}

/// Opens the service's store: the database chosen, evidence in `data/evidence/`.
pub(super) async fn open_store(data: &Path) -> Result<kaohe_store::Store> {
    // A key that cannot be used stops the start, before anything is opened.
    let data_key = match DATA_KEY.get().and_then(|k| k.as_deref()) {
        Some(p) => Some(kaohe_store::datakey::DataKey::read(p).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let store = kaohe_store::Store::open_with_keys(data, database(), audit_key(), seal_key())
        .await
        .with_context(|| match database() {
            Some(url) => format!("无法打开数据库 {}", redact(url)),
            None => format!("无法打开数据目录 {}", data.display()),
        })?;
    Ok(store.with_data_key(data_key))
}

/// A database URL as it may be printed: the password replaced by `***` (the user part ends at the
/// host's last `@`, so a password typed with `@` or `:` in it is hidden whole).
pub(super) fn redact(url: &str) -> String {
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
pub(super) fn sqlite_present(data: &Path) -> Result<()> {
    if database().is_none() && !data.join("kaohe.db").exists() {
        bail!("{} 中没有 kaohe.db", data.display());
    }
    Ok(())
}

pub const EXIT_OK: u8 = 0;

pub const EXIT_INVALID: u8 = 2;

pub const EXIT_INCOMPLETE: u8 = 3;

/// Problems as listed: at most [`kaohe_tables::limits::MAX_PROBLEMS`], the rest counted.
pub(super) fn listed(problems: &[Problem]) -> std::borrow::Cow<'_, [Problem]> {
    if problems.len() <= kaohe_tables::limits::MAX_PROBLEMS {
        return problems.into();
    }
    let mut v = problems.to_vec();
    kaohe_tables::limits::cap_problems(&mut v);
    v.into()
}

pub(super) fn print_problems(problems: &[Problem]) {
    for p in listed(problems).iter() {
        eprintln!("{p}");
    }
}

/// Loads a rubric file, or the embedded rudong-2021.
pub(super) fn load_rubric(path: Option<&Path>) -> Result<(Option<Rubric>, Vec<Problem>)> {
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

/// Inputs read and the problems met on the way; or, when the platform exports could not be read at
/// all, only the problems.
pub(super) type Batch = Result<(Inputs, Vec<Problem>), Vec<Problem>>;

/// The inputs of `--input` (plus the platform exports, when given) read under `r`.
pub(super) fn read_batch(
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

impl PlatformArgs {
    fn given(&self) -> bool {
        !(self.cases.is_empty() && self.claims.is_empty() && self.surveys.is_empty())
    }
}

/// The built-in calendar years plus every `*.toml` in `dir` (or in `./calendars` when it exists),
/// read within the limits of [`kaohe_app::calendar`].
pub fn load_calendar(dir: Option<&Path>) -> Result<Calendar> {
    let dir: Option<PathBuf> = dir.map(Path::to_path_buf).or_else(|| {
        let d = PathBuf::from("calendars");
        d.is_dir().then_some(d)
    });
    if let Some(d) = &dir
        && !d.is_dir()
    {
        bail!("无法读取日历目录 {}：不是目录", d.display());
    }
    let (cal, problems) = kaohe_app::calendar::load(dir.as_deref());
    print_problems(&problems);
    cal.ok_or_else(|| anyhow::anyhow!("工作日历有误，见上"))
}

/// The period and the rating scale of the platform options, checked.
pub(super) fn period_and_scale(args: &PlatformArgs) -> Result<(Period, Option<Scale>)> {
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
    Ok((period, scale))
}

pub(super) fn platform_indicators(
    units: &[Unit],
    args: &PlatformArgs,
    overdue_sink: Option<kaohe_platform::cases::OverdueSink>,
) -> Result<(Option<Indicators>, Vec<Problem>)> {
    let (period, scale) = period_and_scale(args)?;
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

pub(super) fn date_arg(s: &str) -> Result<Date> {
    Date::parse(s).ok_or_else(|| anyhow::anyhow!("“{s}”不是日期（应为 2021-09-30）"))
}

pub(super) fn invalid(problems: &[Problem], format: Format) -> Result<u8> {
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

pub(super) fn emit(
    r: &Rubric,
    inputs: &Inputs,
    read_problems: Vec<Problem>,
    format: Format,
    out: Option<&Path>,
) -> Result<u8> {
    let scored = match kaohe_app::batch::scored(r, inputs, &read_problems) {
        Ok(s) => s,
        Err(all) => return invalid(&all, format),
    };
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

pub(super) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时")
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
