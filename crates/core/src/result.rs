//! 考核结果 — what the engine returns: per unit the base, bonus and total, rank, grade and veto, and per
//! clause a score with a compact [`Detail`] from which the Chinese explanation line is rendered on
//! demand ([`Scored::explain`]), so that scoring 40,000 units formats no text.

use crate::index::Index;
use crate::input::{FindingEntry, Inputs, Unit};
use crate::problem::Problem;
use crate::rubric::{Clause, Rubric};
use rust_decimal::Decimal;

/// Why a clause has no score (状态 `missing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// 尚未评分: no assessor score.
    NotScored,
    /// 缺少指标数据: the metric (or one part of a composite) is absent.
    NoMetric,
    /// 缺少例数: neither a count metric nor findings rows.
    NoCount,
    /// 未检查: the clause requires an inspection record and the unit has none.
    NotInspected,
}

/// How a clause score came about; the explanation is rendered from this, the rubric and the inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Missing(Missing),
    /// An assessor's judgement (the entry is in the index).
    Judgement,
    /// n instances (每发现一例), from findings rows or from a count metric.
    Instances {
        n: u32,
        from_findings: bool,
    },
    /// A place in a ranking of the units that have the data.
    Rank {
        rank: u32,
        tied: bool,
    },
    /// A score computed from the unit's metric value alone.
    Value,
    /// The tier reached (index into the rule's tiers), or none.
    Tier {
        tier: Option<u32>,
    },
    /// n bonus entries; `capped` when the sum exceeded the cap.
    Bonus {
        n: u32,
        capped: bool,
    },
    /// n veto findings (0: no veto).
    Veto {
        n: u32,
    },
}

/// 条款得分 — one clause of one unit: the score (rounded once, to the rubric's precision; a value
/// with fewer places keeps them, so compare numerically or display with the precision) and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClauseResult {
    pub score: Decimal,
    pub detail: Detail,
}

impl ClauseResult {
    pub fn is_missing(&self) -> bool {
        matches!(self.detail, Detail::Missing(_))
    }
    /// The score, or `None` when missing.
    pub fn score(&self) -> Option<Decimal> {
        (!self.is_missing()).then_some(self.score)
    }
    pub fn status(&self) -> &'static str {
        if self.is_missing() {
            "missing"
        } else {
            "scored"
        }
    }
}

/// Per clause: how many units were ranked and the parts of a composite ranking.
#[derive(Debug, Clone, Default)]
pub struct ColumnInfo {
    /// Units that had the data (ranked or scored from a metric).
    pub ranked: u32,
    /// Units without the data.
    pub missing: u32,
    /// The best value among ranked units (rank_ratio).
    pub best: Option<Decimal>,
    /// For composite rankings: per part, the rank of each scored unit (u32::MAX where not ranked),
    /// and per unit the composite key.
    pub part_ranks: Vec<Vec<u32>>,
    pub keys: Vec<Decimal>,
}

/// 单位结果 — one unit's totals and place.
#[derive(Debug, Clone)]
pub struct UnitResult {
    /// Index into `Inputs::units`.
    pub unit: u32,
    /// Row of this unit in the result grid.
    pub row: u32,
    /// 基础分 = Σ clause scores, bonus excluded.
    pub base: Decimal,
    /// 加分
    pub bonus: Decimal,
    /// 扣分项: what the penalty clauses subtract (0 without any).
    pub penalty: Decimal,
    /// 总分 = base + bonus − penalty, at most the rubric's `total_cap`.
    pub total: Decimal,
    /// 排名 by total (a vetoed unit after all others).
    pub rank: u32,
    /// False when any clause is missing.
    pub complete: bool,
    /// 单项否决
    pub vetoed: bool,
    /// Index into `Rubric::grades` (定档), when the rubric has bands and the unit is complete.
    pub grade: Option<u32>,
}

/// The result of one scoring run.
pub struct Scored<'a> {
    pub rubric: &'a Rubric,
    pub inputs: &'a Inputs,
    pub(crate) index: Index,
    /// unit row × clause, row-major.
    pub(crate) cells: Vec<ClauseResult>,
    pub columns: Vec<ColumnInfo>,
    /// Units in rank order.
    pub units: Vec<UnitResult>,
    pub problems: Vec<Problem>,
    /// No clause missing and no error.
    pub complete: bool,
}

impl<'a> Scored<'a> {
    pub fn unit(&self, u: &UnitResult) -> &'a Unit {
        &self.inputs.units[u.unit as usize]
    }
    /// The clause results of a unit, in the rubric's clause order.
    pub fn clauses(&self, u: &UnitResult) -> &[ClauseResult] {
        let n = self.rubric.clauses.len();
        &self.cells[u.row as usize * n..(u.row as usize + 1) * n]
    }
    pub fn grade(&self, u: &UnitResult) -> Option<&'a str> {
        u.grade
            .map(|g| self.rubric.grades[g as usize].name.as_str())
    }
    /// The findings (instances) behind a clause score of a unit: the receipts of its deductions.
    pub fn findings(&self, u: &UnitResult, ci: usize) -> Vec<&'a FindingEntry> {
        self.index
            .findings(u.row, ci)
            .iter()
            .map(|&i| &self.inputs.findings[i as usize])
            .collect()
    }
    /// The assessor behind a judgement score, where recorded.
    pub fn assessor(&self, u: &UnitResult, ci: usize) -> Option<&'a str> {
        match self.index.judgement(u.row, ci) {
            crate::index::NONE => None,
            e => self.inputs.judgements[e as usize].assessor.as_deref(),
        }
    }
    /// Points lost on a clause (max − score) for a scored, non-bonus clause.
    pub fn lost(&self, clause: &Clause, r: &ClauseResult) -> Decimal {
        if clause.is_bonus() || clause.is_penalty() || r.is_missing() {
            Decimal::ZERO
        } else {
            clause.max - r.score
        }
    }
    /// Ids of the clauses a unit is missing.
    pub fn missing_clauses(&self, u: &UnitResult) -> Vec<&'a str> {
        self.rubric
            .clauses
            .iter()
            .zip(self.clauses(u))
            .filter(|(_, r)| r.is_missing())
            .map(|(c, _)| c.id.as_ref())
            .collect()
    }
    /// Scores of the units for one clause, by unit code (for tests and comparisons).
    pub fn clause_scores(&self, ci: usize) -> Vec<(&'a str, Option<Decimal>)> {
        self.units
            .iter()
            .map(|u| (self.unit(u).code.as_ref(), self.clauses(u)[ci].score()))
            .collect()
    }
    /// Sum of the indicator's clause scores for a unit (bonus included where the bonus clause sits).
    pub fn indicator_score(&self, u: &UnitResult, indicator: usize) -> Decimal {
        self.rubric
            .clauses
            .iter()
            .zip(self.clauses(u))
            .filter(|(c, _)| c.indicator == indicator && !c.is_bonus() && !c.is_penalty())
            .map(|(_, r)| r.score)
            .sum()
    }
    /// Sum of an item's clause scores for a unit (bonus excluded).
    pub fn item_score(&self, u: &UnitResult, indicator: usize, item: usize) -> Decimal {
        self.rubric.indicators[indicator].items[item]
            .clauses
            .iter()
            .filter(|&&c| {
                !self.rubric.clauses[c].is_bonus() && !self.rubric.clauses[c].is_penalty()
            })
            .map(|&c| self.clauses(u)[c].score)
            .sum()
    }
}
