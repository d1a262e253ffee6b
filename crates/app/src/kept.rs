//! 保留的考核结果 — each assessment's scored result, kept per server and brought up to date when the
//! assessment changes: a read costs one indexed row read (the assessment's revision,
//! [`Store::revision`]) while nothing changed; after a change to *that* assessment the first read
//! brings it up to date, off the request threads ([`crate::heavy`]) — only what the change touched
//! read and scored again (`Store::inputs_since`, `kaohe_core::rescore`), whole when the units or the
//! rubric changed — and every read arriving meanwhile waits for that one computation instead of
//! starting its own. Sign-ins and other assessments'
//! changes leave a kept result alone. Several servers on one database each keep their own and each
//! sees another's change on its next read, since the revision lives in the database.
//!
//! A kept result is complete and tagged with the revision it reflects (at least the revision read
//! before its data was); whoever made a change reads a revision at least theirs, so their next page
//! shows it.

use kaohe_core::result::{Scored, UnitResult};
use kaohe_core::{Inputs, Rubric};
use kaohe_store::store::Assessment;
use kaohe_store::{Store, StoreError};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// What a scored result borrows: the assessment (its rubric) and the inputs.
pub struct Source {
    pub assessment: Assessment,
    pub inputs: Arc<Inputs>,
}

self_cell::self_cell!(
    /// The scored result with what it was scored from.
    struct ScoredCell {
        owner: Source,
        #[covariant]
        dependent: Scored,
    }
);

/// How a league is sorted (`sort=` on the assessment page and the results API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// 按排名 (the result's own order, group by group).
    #[default]
    Rank,
    /// 按总分从高到低.
    Total,
    /// 按单位名称.
    Name,
    /// 按单位代码.
    Code,
}

impl Sort {
    /// The sort a query names (`rank`, `total`, `name`, `code`), or a Chinese refusal.
    pub fn parse(s: &str) -> Result<Sort, StoreError> {
        match s {
            "" | "rank" => Ok(Sort::Rank),
            "total" => Ok(Sort::Total),
            "name" => Ok(Sort::Name),
            "code" => Ok(Sort::Code),
            other => Err(StoreError::Invalid(format!(
                "排序方式“{other}”无法识别：应为 rank（按排名）、total（按总分）、name（按名称）或 code（按代码）"
            ))),
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Sort::Rank => "rank",
            Sort::Total => "total",
            Sort::Name => "name",
            Sort::Code => "code",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

/// One assessment's kept result at one revision.
pub struct Kept {
    /// The revision the result reflects (the assessment's revision read before its data).
    pub revision: i64,
    cell: ScoredCell,
    /// Unit code → its row in the result (the same while the units are: shared with the next).
    rows: Arc<HashMap<String, u32>>,
    /// Row → its place in [`Scored::units`] (league order).
    places: Vec<u32>,
    /// How it was made: scored whole, or brought up to date from the one before ([`Kept::rescore`]).
    pub incremental: bool,
    /// Per indicator, the sum of points and the number of the units that have all its data.
    sums: Vec<(Decimal, u64)>,
    /// Per indicator, the average points of the units that have all its data.
    averages: Vec<Option<Decimal>>,
    /// Per [`Sort`], the order of [`Scored::units`] (made on first use).
    orders: [OnceLock<Vec<u32>>; 4],
    /// What each unit has and lacks, for the 待办 (made on first use).
    states: OnceLock<crate::todo::UnitStates>,
    /// The units as rows (code, name, kind), in code order (made on first use).
    unit_rows: OnceLock<Vec<kaohe_store::store::UnitRow>>,
}

impl Kept {
    /// Scores `inputs` under the assessment's rubric (pure computation: run it off the async threads).
    pub fn build(revision: i64, assessment: Assessment, inputs: Arc<Inputs>) -> Kept {
        let cell = ScoredCell::new(Source { assessment, inputs }, |s| {
            kaohe_core::score(&s.assessment.rubric, &s.inputs)
        });
        Kept::around(revision, cell)
    }

    /// The result of `inputs` brought up to date from `prev`'s when they differ from `prev`'s
    /// inputs only in the scores of the `changed` (unit, clause) pairs and in the smaller tables
    /// (metrics, findings, bonuses, inspections) — `kaohe_core::rescore`: the clauses they bear on
    /// and the units whose clause scores moved scored again, then the ranks — else scored whole.
    pub fn rescore(
        prev: &Kept,
        revision: i64,
        assessment: Assessment,
        inputs: Arc<Inputs>,
        changed: &[(String, String)],
    ) -> Kept {
        let pairs: Vec<(&str, &str)> = changed
            .iter()
            .map(|(u, c)| (u.as_str(), c.as_str()))
            .collect();
        let mut moved = None;
        let cell =
            ScoredCell::new(
                Source { assessment, inputs },
                |s| match kaohe_core::rescore::rescored(
                    prev.scored(),
                    &s.assessment.rubric,
                    &s.inputs,
                    &pairs,
                ) {
                    Some(r) => {
                        moved = Some(r.rows);
                        r.scored
                    }
                    None => kaohe_core::score(&s.assessment.rubric, &s.inputs),
                },
            );
        let Some(moved) = moved else {
            return Kept::around(revision, cell);
        };
        // The same units in the same rows: the code map is shared, the indicator sums change by
        // the moved units' points before and after.
        let scored = cell.borrow_dependent();
        let places = places(scored);
        let mut sums = prev.sums.clone();
        for row in moved {
            let old = &prev.scored().units[prev.places[row as usize] as usize];
            let new = &scored.units[places[row as usize] as usize];
            for (ind, sum) in scored.rubric.indicators.iter().zip(sums.iter_mut()) {
                if let Some(p) = indicator_points(prev.scored(), old, ind) {
                    *sum = (sum.0 - p, sum.1 - 1);
                }
                if let Some(p) = indicator_points(scored, new, ind) {
                    *sum = (sum.0 + p, sum.1 + 1);
                }
            }
        }
        Kept {
            revision,
            rows: prev.rows.clone(),
            places,
            incremental: true,
            averages: averages(&sums),
            sums,
            orders: Default::default(),
            states: OnceLock::new(),
            unit_rows: OnceLock::new(),
            cell,
        }
    }

    fn around(revision: i64, cell: ScoredCell) -> Kept {
        let scored = cell.borrow_dependent();
        let rows = Arc::new(
            scored
                .units
                .iter()
                .map(|r| (scored.unit(r).code.to_string(), r.row))
                .collect(),
        );
        let sums = indicator_sums(scored.rubric, scored);
        Kept {
            revision,
            rows,
            places: places(scored),
            incremental: false,
            averages: averages(&sums),
            sums,
            orders: Default::default(),
            states: OnceLock::new(),
            unit_rows: OnceLock::new(),
            cell,
        }
    }

    pub fn assessment(&self) -> &Assessment {
        &self.cell.borrow_owner().assessment
    }

    pub fn inputs(&self) -> &Arc<Inputs> {
        &self.cell.borrow_owner().inputs
    }

    /// The result as kaohe-core scored it.
    pub fn scored(&self) -> &Scored<'_> {
        self.cell.borrow_dependent()
    }

    /// The unit's row of the result (found by its code, without a scan), if it is in it.
    pub fn unit(&self, code: &str) -> Option<&UnitResult> {
        let row = *self.rows.get(code)? as usize;
        Some(&self.scored().units[self.places[row] as usize])
    }

    /// What each unit has and lacks (clauses that apply, scored, to inspect), made once.
    pub fn unit_states(&self) -> &crate::todo::UnitStates {
        self.states.get_or_init(|| crate::todo::states_of(self))
    }

    /// The assessment's units (code, name, kind) in code order, as `Store::units` lists them, from
    /// the inputs the result was scored from (made once; no database read per page).
    pub fn unit_rows(&self) -> &[kaohe_store::store::UnitRow] {
        self.unit_rows.get_or_init(|| {
            let mut rows: Vec<_> = self
                .inputs()
                .units
                .iter()
                .map(|u| kaohe_store::store::UnitRow {
                    code: u.code.to_string(),
                    name: u.name.clone(),
                    kind: u.kind.clone(),
                })
                .collect();
            rows.sort_by(|a, b| a.code.cmp(&b.code));
            rows
        })
    }

    /// Per indicator of the rubric, the average points of the units that have all its data.
    pub fn indicator_averages(&self) -> &[Option<Decimal>] {
        &self.averages
    }

    /// The places in [`Scored::units`] in `sort`'s order (kept once made).
    pub fn order(&self, sort: Sort) -> &[u32] {
        self.orders[sort.index()].get_or_init(|| {
            let s = self.scored();
            let mut o: Vec<u32> = (0..s.units.len() as u32).collect();
            let u = |i: &u32| &s.units[*i as usize];
            match sort {
                Sort::Rank => {}
                Sort::Total => o.sort_by_key(|i| std::cmp::Reverse(u(i).total)),
                Sort::Name => o.sort_by(|a, b| s.unit(u(a)).name.cmp(&s.unit(u(b)).name)),
                Sort::Code => o.sort_by(|a, b| s.unit(u(a)).code.cmp(&s.unit(u(b)).code)),
            }
            o
        })
    }
}

/// An indicator's points for a unit: the sum of its clauses, or none when one is missing.
pub fn indicator_points(
    scored: &Scored<'_>,
    r: &UnitResult,
    ind: &kaohe_core::rubric::Indicator,
) -> Option<Decimal> {
    let cells = scored.clauses(r);
    ind.items
        .iter()
        .flat_map(|it| it.clauses.iter())
        .try_fold(Decimal::ZERO, |acc, &ci| cells[ci].score().map(|v| acc + v))
}

/// Per indicator, the sum of points and the number of the units that have all its data.
fn indicator_sums(rubric: &Rubric, scored: &Scored<'_>) -> Vec<(Decimal, u64)> {
    rubric
        .indicators
        .iter()
        .map(|ind| {
            scored
                .units
                .iter()
                .filter_map(|r| indicator_points(scored, r, ind))
                .fold((Decimal::ZERO, 0), |(s, n), p| (s + p, n + 1))
        })
        .collect()
}

fn averages(sums: &[(Decimal, u64)]) -> Vec<Option<Decimal>> {
    sums.iter()
        .map(|&(s, n)| (n > 0).then(|| s / Decimal::from(n)))
        .collect()
}

/// Row → place in league order.
fn places(scored: &Scored<'_>) -> Vec<u32> {
    let mut out = vec![0; scored.units.len()];
    for (i, r) in scored.units.iter().enumerate() {
        out[r.row as usize] = i as u32;
    }
    out
}

/// Whether `prev` was scored under the same rubric text as `assessment` has now.
fn same_rubric(prev: &Kept, assessment: &Assessment) -> bool {
    prev.assessment().rubric_toml == assessment.rubric_toml
}

/// The kept results of one store (one server), per assessment.
#[derive(Default)]
pub struct KeptResults {
    slots: Mutex<HashMap<i64, Arc<Slot>>>,
}

/// One assessment's kept result, and the lock its one recomputation holds.
#[derive(Default)]
struct Slot {
    current: Mutex<Option<Arc<Kept>>>,
    build: tokio::sync::Mutex<()>,
}

impl Slot {
    /// The kept result if it reflects `revision` or later.
    fn fresh(&self, revision: i64) -> Option<Arc<Kept>> {
        let cur = self.current.lock().expect("kept result");
        cur.as_ref().filter(|k| k.revision >= revision).cloned()
    }
}

/// How many times this store scored an assessment for its kept results (for tests).
#[derive(Default)]
pub struct Builds(std::sync::atomic::AtomicU64);

impl Builds {
    pub fn count(store: &Store) -> u64 {
        store
            .kept::<Builds>()
            .0
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The assessment's kept result, up to date with its revision in the database: kept as it is while
/// nothing changed it; else scored once (concurrent readers share that one computation).
pub async fn kept(store: &Store, id: i64) -> Result<Arc<Kept>, StoreError> {
    let revision = store.revision(id).await?;
    let slot = store
        .kept::<KeptResults>()
        .slots
        .lock()
        .expect("kept results")
        .entry(id)
        .or_default()
        .clone();
    if let Some(k) = slot.fresh(revision) {
        return Ok(k);
    }
    let _one = slot.build.lock().await;
    if let Some(k) = slot.fresh(revision) {
        return Ok(k);
    }
    let assessment = store.assessment(id).await?;
    // From the result kept before when only scoring inputs other than units changed since (a
    // save: its clause and unit scored again, then the ranks); else scored whole.
    let before = slot.current.lock().expect("kept result").clone();
    let k = match before {
        Some(prev) => {
            let since = store.inputs_since(id, prev.revision, prev.inputs()).await?;
            match since.judgements_changed {
                Some(changed) if same_rubric(&prev, &assessment) => {
                    crate::heavy::run(move || {
                        Kept::rescore(&prev, revision, assessment, since.inputs, &changed)
                    })
                    .await?
                }
                _ => {
                    let inputs = since.inputs;
                    crate::heavy::run(move || Kept::build(revision, assessment, inputs)).await?
                }
            }
        }
        None => {
            let inputs = store.inputs(id).await?;
            crate::heavy::run(move || Kept::build(revision, assessment, inputs)).await?
        }
    };
    let k = Arc::new(k);
    store
        .kept::<Builds>()
        .0
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let mut cur = slot.current.lock().expect("kept result");
    if cur.as_ref().is_none_or(|c| c.revision <= k.revision) {
        *cur = Some(k.clone());
    }
    Ok(k)
}
