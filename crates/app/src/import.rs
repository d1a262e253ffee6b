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
        })
    })
    .await
}

/// The import to store, or `None` with the problems that stop it (every problem either way: a file
/// with errors, or indicators the rubric cannot take).
pub fn prepare(plan: &Plan<'_>) -> (Option<Import>, Vec<Problem>) {
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
