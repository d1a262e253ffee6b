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
    /// 不适用: the clause does not apply to the unit's kind (`applies_to`); neither missing nor 0.
    NotApplicable,
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
    /// 不适用: the clause does not apply to the unit's kind.
    pub fn is_not_applicable(&self) -> bool {
        matches!(self.detail, Detail::NotApplicable)
    }
    /// The score, or `None` when missing.
    pub fn score(&self) -> Option<Decimal> {
        (!self.is_missing()).then_some(self.score)
    }
    pub fn status(&self) -> &'static str {
        if self.is_missing() {
            "missing"
        } else if self.is_not_applicable() {
            "not_applicable"
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
    /// Who a ranking ran among when not all units (a ranking group), e.g. `镇、街道组`; empty for all.
    pub scope: String,
}

/// 档次 of a unit: a band of the rubric, below every band, or the veto's grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradeOf {
    /// Index into `Rubric::grades`.
    Band(u32),
    /// 未达等级: below every band.
    Below,
    /// The rubric's `veto_grade`.
    Veto,
}

/// 折算: a base scaled to the full mark over the clauses that apply (`not_applicable = "prorate"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prorated {
    /// Σ scores of the clauses that apply.
    pub raw: Decimal,
    /// Σ max of the (non-bonus) clauses that apply.
    pub applicable_max: Decimal,
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
    /// 定档, when the rubric has bands and the unit is complete.
    pub grade: Option<GradeOf>,
    /// Index into the rubric's ranking groups (`shapes.ranking_groups`), when it has them.
    pub group: Option<u32>,
    /// False when the unit is not ranked (`incomplete = "unranked"`): 未完成 where its rank would be.
    pub ranked: bool,
    /// How the base was 折算, when it was.
    pub prorated: Option<Prorated>,
}

/// The result of one scoring run.
pub struct Scored<'a> {
    pub rubric: &'a Rubric,
    pub inputs: &'a Inputs,
    pub(crate) index: Index,
    /// unit row × clause, row-major.
    pub(crate) cells: Vec<ClauseResult>,
    pub columns: Vec<ColumnInfo>,
    /// Per clause ranked within groups: the column of each group (else empty).
    pub(crate) group_columns: Vec<Vec<ColumnInfo>>,
    /// Units in rank order (group by group when the rubric has ranking groups).
    pub units: Vec<UnitResult>,
    pub problems: Vec<Problem>,
    /// No clause missing and no error.
    pub complete: bool,
    /// Per scored row, the unit's ranking group.
    pub(crate) groups: Vec<Option<u32>>,
    /// How many of `problems` came from checking the inputs (the rest are the missing-data warnings).
    pub(crate) input_problems: usize,
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
        u.grade.map(|g| match g {
            GradeOf::Band(g) => self.rubric.grades[g as usize].name.as_str(),
            GradeOf::Below => crate::rubric::shapes::BELOW_GRADES,
            GradeOf::Veto => self.rubric.shapes.veto_grade.as_deref().unwrap_or_default(),
        })
    }
    /// The unit's rank as shown: the number, or 未完成 for an unranked unit.
    pub fn rank_text(&self, u: &UnitResult) -> String {
        if u.ranked {
            u.rank.to_string()
        } else {
            crate::rubric::shapes::UNRANKED.to_string()
        }
    }
    /// The unit's ranking group, e.g. `镇、街道`, when the rubric has groups.
    pub fn group(&self, u: &UnitResult) -> Option<&'a str> {
        u.group
            .and_then(|g| self.rubric.shapes.ranking_groups.get(g as usize))
            .map(|g| g.name.as_str())
    }
    /// Why the unit is vetoed: the findings of its veto clauses (单项否决的理由), joined with ；.
    pub fn veto_reason(&self, u: &UnitResult) -> Option<String> {
        if !u.vetoed {
            return None;
        }
        let mut out = Vec::new();
        for (ci, (c, r)) in self.rubric.clauses.iter().zip(self.clauses(u)).enumerate() {
            if matches!(r.detail, Detail::Veto { n } if n > 0) {
                let what: Vec<&str> = self
                    .findings(u, ci)
                    .iter()
                    .map(|f| f.description.trim())
                    .collect();
                out.push(format!("{}（{}）：{}", c.id, c.title, what.join("；")));
            }
        }
        Some(out.join("；"))
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
        if clause.is_bonus() || clause.is_penalty() || r.is_missing() || r.is_not_applicable() {
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
    /// Sum of the indicator's clause scores for a unit, bonus and 扣分项 excluded. Never 折算: a
    /// 不适用 clause adds its cell's score (0 under `prorate`, its max under `full`), and the 折算 is
    /// the base's alone (see [`crate::applicability`]).
    pub fn indicator_score(&self, u: &UnitResult, indicator: usize) -> Decimal {
        self.rubric
            .clauses
            .iter()
            .zip(self.clauses(u))
            .filter(|(c, _)| c.indicator == indicator && !c.is_bonus() && !c.is_penalty())
            .map(|(_, r)| r.score)
            .sum()
    }
    /// Sum of an item's clause scores for a unit, bonus and 扣分项 excluded; never 折算, as
    /// [`Scored::indicator_score`].
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
