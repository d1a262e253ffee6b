//! The JSON object of `kaohe score --format json` (DATA.md §3). Decimals are strings so that nothing
//! is lost. Fields beyond the contract (grade, vetoed, lost points, instances) are additions that
//! readers of the contract may ignore. The rubric-level shapes (issue 11) add, only where a rubric
//! has them: `penalty` (扣分项, per unit and per penalty clause), `total_explained`, `place` (`镇、街道组
//! 第3名`), `rank_note` (未完成; `rank` is then 0), `grade_note` (暂不定档（数据不全）),
//! `not_applicable` (the clause ids; each such clause has status `not_applicable`), `veto_reason`
//! and `prorated` (the 折算 line). Indicator subtotals are not in the JSON; the base is 折算, the
//! clause scores are not.

use crate::{fixed, plain, shapes};
use kaohe_core::{Problem, Scored};
use serde::Serialize;

#[derive(Serialize)]
pub struct Report {
    pub rubric: RubricRef,
    pub complete: bool,
    pub units: Vec<UnitOut>,
    pub problems: Vec<ProblemOut>,
}

#[derive(Serialize)]
pub struct RubricRef {
    pub id: String,
    pub title: String,
    pub version: String,
    pub sha256: String,
    pub max_total: String,
}

impl RubricRef {
    pub fn of(r: &kaohe_core::Rubric) -> Self {
        RubricRef {
            id: r.id.clone(),
            title: r.title.clone(),
            version: r.version.clone(),
            sha256: r.sha256.clone(),
            max_total: plain(r.max_total),
        }
    }
}

#[derive(Serialize)]
pub struct UnitOut {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub base: String,
    pub bonus: String,
    /// 扣分项: what the penalty clauses subtract from the total (only when the rubric has them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub penalty: Option<String>,
    pub total: String,
    /// The total in one line (`基础分 96 + 加分 16 − 扣分项 1 = 111，总分最高不超过 110 分，计 110`),
    /// when the rubric has 扣分项 or a cap on the total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_explained: Option<String>,
    pub rank: u32,
    pub complete: bool,
    pub vetoed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// 排名组, when the rubric ranks within groups of unit kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// 未完成 for a unit the rubric does not rank (its `rank` is then 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank_note: Option<String>,
    /// The place as people read it, `镇、街道组 第3名` (or 未完成), when the rubric ranks within groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// Why a unit of a graded rubric has no grade: 暂不定档（数据不全）.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade_note: Option<String>,
    /// The clauses that do not apply to the unit's kind (不适用).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_applicable: Vec<String>,
    /// 否决理由: the findings of the veto clauses of a vetoed unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub veto_reason: Option<String>,
    /// 折算: how the base was scaled over the clauses that apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prorated: Option<String>,
    pub clauses: Vec<ClauseOut>,
}

#[derive(Serialize)]
pub struct ClauseOut {
    pub id: String,
    pub max: String,
    pub score: Option<String>,
    pub status: &'static str,
    pub explanation: String,
    /// 扣分: max − score (absent for bonus and missing clauses, and when nothing was lost).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost: Option<String>,
    /// 扣分项: what a penalty clause subtracts from the total (its score is −penalty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub penalty: Option<String>,
    /// The instances behind a per-instance deduction (每一例).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<InstanceOut>,
}

#[derive(Serialize)]
pub struct InstanceOut {
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Serialize)]
pub struct ProblemOut {
    pub severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    pub message: String,
    /// The whole problem as one Chinese line.
    pub text: String,
}

impl From<&Problem> for ProblemOut {
    fn from(p: &Problem) -> Self {
        ProblemOut {
            severity: p.severity.key(),
            file: p.origin.as_ref().map(|o| o.file.clone()),
            row: p.origin.as_ref().and_then(|o| o.row),
            column: p.origin.as_ref().and_then(|o| o.column.clone()),
            unit: p.unit.clone(),
            clause: p.clause.clone(),
            value: p.value.clone(),
            expected: p.expected.clone(),
            message: p.message.clone(),
            text: p.to_string(),
        }
    }
}

/// One unit's row of the report, with its clauses and their explanations (what [`report`] builds
/// for every unit; a page of the league builds it for the units it shows).
pub fn unit_out(s: &Scored, u: &kaohe_core::result::UnitResult) -> UnitOut {
    let r = s.rubric;
    let dp = r.precision;
    let unit = s.unit(u);
    let clauses = r
        .clauses
        .iter()
        .enumerate()
        .zip(s.clauses(u))
        .map(|((ci, c), cr)| {
            let lost = s.lost(c, cr);
            ClauseOut {
                id: c.id.to_string(),
                max: plain(c.max),
                score: cr.score().map(|v| fixed(v, dp)),
                status: cr.status(),
                explanation: s.explain(u, ci),
                lost: (!lost.is_zero()).then(|| fixed(lost, dp)),
                penalty: (c.is_penalty() && !cr.score.is_zero()).then(|| fixed(cr.score.abs(), dp)),
                instances: s
                    .findings(u, ci)
                    .into_iter()
                    .map(|f| InstanceOut {
                        description: f.description.clone(),
                        evidence: f.evidence.clone(),
                        source: f.origin.as_ref().map(|o| o.to_string()),
                    })
                    .collect(),
            }
        })
        .collect();
    UnitOut {
        code: unit.code.to_string(),
        name: unit.name.clone(),
        kind: unit.kind.clone(),
        base: fixed(u.base, dp),
        bonus: fixed(u.bonus, dp),
        penalty: shapes::has_penalty(r).then(|| fixed(u.penalty, dp)),
        total: fixed(u.total, dp),
        total_explained: shapes::explains_total(r).then(|| s.explain_total(u)),
        rank: u.rank,
        complete: u.complete,
        vetoed: u.vetoed,
        grade: s.grade(u).map(str::to_string),
        group: s.group(u).map(str::to_string),
        rank_note: (!u.ranked).then(|| s.rank_text(u)),
        place: s.group(u).map(|_| shapes::place(s, u)),
        grade_note: (s.grade(u).is_none() && !u.complete && !r.grades.is_empty())
            .then(|| shapes::GRADE_WITHHELD.to_string()),
        not_applicable: shapes::not_applicable(s, u),
        veto_reason: s.veto_reason(u),
        prorated: s.prorate_note(u),
        clauses,
    }
}

/// Builds the report of a scored run; `extra` problems (e.g. from reading the files) come first.
pub fn report(s: &Scored, extra: &[Problem]) -> Report {
    let r = s.rubric;
    let units = s.units.iter().map(|u| unit_out(s, u)).collect();
    Report {
        rubric: RubricRef::of(r),
        complete: s.complete && !extra.iter().any(Problem::is_error),
        units,
        problems: extra
            .iter()
            .chain(&s.problems)
            .map(ProblemOut::from)
            .collect(),
    }
}

/// The report as pretty JSON text.
pub fn to_json(s: &Scored, extra: &[Problem]) -> String {
    serde_json::to_string_pretty(&report(s, extra)).expect("report serialises")
}

/// Problems alone, as JSON (for exit status 2: nothing scored).
pub fn problems_json(problems: &[Problem]) -> String {
    let v: Vec<ProblemOut> = problems.iter().map(ProblemOut::from).collect();
    serde_json::to_string_pretty(
        &serde_json::json!({ "complete": false, "units": [], "problems": v }),
    )
    .expect("problems serialise")
}
