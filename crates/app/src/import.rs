//! 数据导入 — platform exports (办件, 事项认领, 满意度测评) turned into the import the store keeps: the
//! indicators computed, the overdue cases as instances of the clauses that count them, every overdue
//! case's receipt, the files named with their sha256. One path for `kaohe import` and for the web's
//! staged import, so that the two cannot drift (they kept different receipts, and read different
//! calendars, before).

use kaohe_core::Problem;
use kaohe_core::calendar::Calendar;
use kaohe_core::input::Unit;
use kaohe_core::rubric::Rubric;
use kaohe_platform::indicators::{self, Indicators, Period, Request};
use kaohe_platform::survey::Scale;
use kaohe_store::Import;
use std::path::PathBuf;

/// Which export a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 办件
    Cases,
    /// 事项认领
    Claims,
    /// 满意度测评
    Survey,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Cases => "办件",
            Kind::Claims => "认领",
            Kind::Survey => "测评",
        }
    }
    /// The export's name as the office says it: 办件, 事项认领, 满意度测评.
    pub fn export_name(self) -> &'static str {
        match self {
            Kind::Cases => "办件",
            Kind::Claims => "事项认领",
            Kind::Survey => "满意度测评",
        }
    }
    /// The kind's key in the API and on disk (`cases`, `claims`, `survey`).
    pub fn key(self) -> &'static str {
        match self {
            Kind::Cases => "cases",
            Kind::Claims => "claims",
            Kind::Survey => "survey",
        }
    }
    pub fn from_key(key: &str) -> Option<Kind> {
        [Kind::Cases, Kind::Claims, Kind::Survey]
            .into_iter()
            .find(|k| k.key() == key)
    }
}

/// Who asks for an import, so that every message names that one's own choices: the command line's
/// flags, or the import page's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Asker {
    /// `kaohe import`: `--rating-scale`, `--period`.
    #[default]
    Cli,
    /// 导入平台数据 page: 评价代码方向, 考核期.
    Page,
}

/// The 考核期 an import of `assessment` defaults to: its own 考核期, or for an assessment made
/// before it had one its year, 1 January to 31 December. The one place that decides it.
pub fn default_period(assessment: &kaohe_store::store::Assessment) -> Period {
    // the assessment's own 考核期 (新建考核 sets it); the whole of its year for one made before
    if let Some((start, end)) = assessment.dates.period {
        return Period { start, end };
    }
    let y = assessment.year.clamp(1900, 9999) as i32;
    let day = |m, d| kaohe_core::Date::from_ymd(y, m, d).expect("a real date");
    Period {
        start: day(1, 1),
        end: day(12, 31),
    }
}

/// Problems that say the same thing (severity, file, column, message, expectation) are one group:
/// how many rows and the first of them, so that 1,700 rows of one mistake read as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemGroup {
    pub problem: Problem,
    /// Rows with this problem.
    pub count: usize,
    /// The first [`GROUP_ROWS_SHOWN`] of their rows.
    pub rows: Vec<u32>,
}

/// Rows named in a group of problems.
pub const GROUP_ROWS_SHOWN: usize = 5;

/// `problems` grouped (in the order each first appears): see [`ProblemGroup`].
pub fn group(problems: &[Problem]) -> Vec<ProblemGroup> {
    let key = |p: &Problem| {
        let o = p.origin.clone().unwrap_or_default();
        (
            p.severity,
            o.file,
            o.column,
            p.message.clone(),
            p.expected.clone(),
            p.unit.clone(),
            p.clause.clone(),
        )
    };
    let mut out: Vec<ProblemGroup> = Vec::new();
    let mut at = std::collections::HashMap::new();
    for p in problems {
        let row = p.origin.as_ref().and_then(|o| o.row);
        match at.get(&key(p)) {
            Some(&i) => {
                let g: &mut ProblemGroup = &mut out[i];
                g.count += 1;
                if let Some(r) = row
                    && g.rows.len() < GROUP_ROWS_SHOWN
                {
                    g.rows.push(r);
                }
            }
            None => {
                at.insert(key(p), out.len());
                out.push(ProblemGroup {
                    problem: p.clone(),
                    count: 1,
                    rows: row.into_iter().collect(),
                });
            }
        }
    }
    out
}

/// One export to import: its kind, where it is, and the name it is shown by (the name the user
/// gave; problems name the file at `path`).
#[derive(Debug, Clone)]
pub struct Source {
    pub kind: Kind,
    pub path: PathBuf,
    pub shown: String,
}

/// What an import is made of.
pub struct Plan<'a> {
    pub rubric: &'a Rubric,
    pub units: &'a [Unit],
    pub calendar: &'a Calendar,
    pub period: Period,
    pub scale: Option<Scale>,
    pub sources: &'a [Source],
    /// Whose choices the messages name.
    pub asker: Asker,
}

/// The import of `sources` into an assessment of `store`: its rubric and units, and the calendar of the
/// store's data directory ([`crate::calendar::of_data_dir`]) — what the web's staged import and
/// `kaohe import` both call.
pub async fn prepare_for(
    store: &kaohe_store::Store,
    assessment: i64,
    period: Period,
    scale: Option<Scale>,
    sources: &[Source],
) -> Result<(Option<Import>, Vec<Problem>), kaohe_store::StoreError> {
    prepare_as(store, assessment, period, scale, sources, Asker::Cli).await
}

/// [`prepare_for`], its messages naming the choices of `asker`.
pub async fn prepare_as(
    store: &kaohe_store::Store,
    assessment: i64,
    period: Period,
    scale: Option<Scale>,
    sources: &[Source],
    asker: Asker,
) -> Result<(Option<Import>, Vec<Problem>), kaohe_store::StoreError> {
    let a = store.assessment(assessment).await?;
    let units: Vec<Unit> = store
        .units(assessment)
        .await?
        .into_iter()
        .map(|u| Unit {
            code: u.code.as_str().into(),
            name: u.name,
            kind: u.kind,
            origin: None,
        })
        .collect();
    let (calendar, problems) =
        crate::calendar::load(Some(&crate::calendar::of_data_dir(store.dir())));
    let Some(calendar) = calendar else {
        return Ok((None, problems));
    };
    // Reading the files is heavy work: off the request threads, under the bound.
    let sources = sources.to_vec();
    crate::heavy::run(move || {
        prepare(&Plan {
            rubric: &a.rubric,
            units: &units,
            calendar: &calendar,
            period,
            scale,
            sources: &sources,
            asker,
        })
    })
    .await
}

/// The import to store, or `None` with the problems that stop it (every problem either way: a file
/// with errors, or indicators the rubric cannot take).
pub fn prepare(plan: &Plan<'_>) -> (Option<Import>, Vec<Problem>) {
    // A file of the wrong kind (a PDF, an image, a zip that is no workbook) is named as what it is,
    // before any reader takes its bytes for a table.
    let wrong: Vec<Problem> = plan.sources.iter().filter_map(wrong_kind).collect();
    if !wrong.is_empty() {
        return (None, wrong);
    }
    let (imp, mut problems) = prepare_tables(plan);
    if plan.asker == Asker::Page {
        for p in &mut problems {
            if let Some(rest) = p.message.strip_prefix(kaohe_platform::survey::UNDECLARED) {
                p.message = format!("评价为数字代码，但页面上的“评价代码方向”未选择{rest}");
                p.expected = Some(
                    "在“评价代码方向”中选择 GB/T 39046（1=非常满意）或 好差评（1=非常不满意）后重新预览；或评价写为非常满意/满意/基本满意/不满意/非常不满意".into(),
                );
            }
        }
    }
    (imp, problems)
}

/// The problem of a source that is no table (CSV text or an XLSX workbook), or `None`.
fn wrong_kind(s: &Source) -> Option<Problem> {
    use kaohe_tables::filekind::{FileKind, sniff_path};
    let at = Some(kaohe_core::Origin::file(&s.shown));
    match sniff_path(&s.path) {
        Ok(FileKind::Other(what)) => Some(
            Problem::error(format!(
                "这是一个{}{what}，不是{}导出表（应为 CSV 或 XLSX）",
                if what.starts_with(|c: char| c.is_ascii()) {
                    " "
                } else {
                    ""
                },
                s.kind.export_name()
            ))
            .at(at)
            .expected(format!(
                "一体化政务服务平台导出的{}表：CSV（UTF-8 或 GBK）或 XLSX",
                s.kind.export_name()
            )),
        ),
        Ok(_) => None,
        Err(e) => Some(Problem::error(format!("无法读取：{e}")).at(at)),
    }
}

fn prepare_tables(plan: &Plan<'_>) -> (Option<Import>, Vec<Problem>) {
    let of = |k: Kind| -> Vec<PathBuf> {
        plan.sources
            .iter()
            .filter(|s| s.kind == k)
            .map(|s| s.path.clone())
            .collect()
    };
    let (cases, claims, surveys) = (of(Kind::Cases), of(Kind::Claims), of(Kind::Survey));
    let (ind, mut problems) = indicators::compute(Request {
        units: plan.units,
        calendar: plan.calendar,
        period: plan.period,
        cases: &cases,
        claims: &claims,
        surveys: &surveys,
        scale: plan.scale,
        skip_bad_rows: false,
        threads: 0,
        progress: None,
        overdue_sink: None,
    });
    let Some(ind) = ind else {
        return (None, problems);
    };
    // The same instances as `kaohe score --cases`: overdue cases become findings of the clauses
    // that count them.
    let mut inputs = kaohe_core::Inputs::default();
    let merged = indicators::merge_into(&mut inputs, &ind, plan.rubric);
    let stop = merged.iter().any(Problem::is_error);
    problems.extend(merged);
    if stop {
        return (None, problems);
    }
    let mut files = Vec::new();
    for s in plan.sources {
        match sha256_of(&s.path) {
            Ok(sha) => files.push((s.shown.clone(), sha)),
            Err(e) => {
                problems.push(
                    Problem::error(format!("无法读取：{e}"))
                        .at(Some(kaohe_core::Origin::file(&s.shown))),
                );
                return (None, problems);
            }
        }
    }
    let kinds: Vec<&str> = [Kind::Cases, Kind::Claims, Kind::Survey]
        .into_iter()
        .filter(|k| plan.sources.iter().any(|s| s.kind == *k))
        .map(Kind::label)
        .collect();
    let imp = Import {
        kind: kinds.join("、"),
        files,
        rows: ind.rows as i64,
        metrics: inputs
            .metrics
            .iter()
            .map(|m| (m.unit.to_string(), m.metric.to_string(), m.value))
            .collect(),
        findings: inputs
            .findings
            .iter()
            .map(|f| {
                (
                    f.unit.to_string(),
                    f.clause.to_string(),
                    f.description.clone(),
                    f.evidence.clone().unwrap_or_default(),
                )
            })
            .collect(),
        receipts: receipts(&ind),
    };
    (Some(imp), problems)
}

/// Every overdue case's receipt, as the store keeps it: case, unit, item, accepted, deadline,
/// completed, working days late, and where it was read.
fn receipts(ind: &Indicators) -> String {
    let list: Vec<serde_json::Value> = ind
        .overdue
        .iter()
        .map(|o| {
            serde_json::json!({
                "case_id": o.case_id, "unit": &*o.unit, "item": o.item_code,
                "accepted": o.accepted.to_string(), "deadline": o.due.to_string(),
                "completed": o.completed.map(|c| c.to_string()),
                "working_days_late": o.late.working_days, "source": o.source.to_string(),
            })
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// The sha256 of a file, read a mebibyte at a time.
fn sha256_of(path: &std::path::Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use kaohe_core::Origin;

    #[test]
    fn identical_problems_are_one_group_with_a_count_and_the_first_rows() {
        let at = |row| Some(Origin::row("测评.csv", row).with_column("评价"));
        let mut ps: Vec<Problem> = (2..=1701)
            .map(|r| Problem::error("评价无法识别").at(at(r)).value("6"))
            .collect();
        ps.insert(3, Problem::error("未知单位“9”").at(at(9)));
        let g = group(&ps);
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].count, g[0].rows.clone()), (1700, vec![2, 3, 4, 5, 6]));
        assert_eq!(g[0].problem.value.as_deref(), Some("6"));
        assert_eq!((g[1].count, g[1].rows.clone()), (1, vec![9]));
        assert!(group(&[]).is_empty());
    }

    #[test]
    fn the_default_period_is_the_assessments_year() {
        let rubric = kaohe_core::rubric::load(
            "rudong-2021.toml",
            include_str!("../../../rubrics/rudong-2021.toml"),
        )
        .0
        .unwrap();
        let a = kaohe_store::store::Assessment {
            id: 1,
            year: 2024,
            title: "x".into(),
            stage: kaohe_store::Stage::Draft,
            rubric,
            rubric_toml: String::new(),
            incomplete_note: None,
            dates: kaohe_store::store::Dates::default(),
        };
        let p = default_period(&a);
        assert_eq!(
            (p.start.to_string(), p.end.to_string()),
            ("2024-01-01".into(), "2024-12-31".into())
        );
        // its own 考核期 when it has one
        let day = |s| kaohe_core::Date::parse(s).unwrap();
        let a = kaohe_store::store::Assessment {
            dates: kaohe_store::store::Dates {
                period: Some((day("2024-03-01"), day("2025-02-28"))),
                ..Default::default()
            },
            ..a
        };
        let p = default_period(&a);
        assert_eq!(
            (p.start.to_string(), p.end.to_string()),
            ("2024-03-01".into(), "2025-02-28".into())
        );
    }
}
