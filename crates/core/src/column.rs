//! 条款列 — what a rule kind sees of one clause (`Cx`: the rubric, the inputs and their index) and the
//! column of results it fills (`Column`, which rounds each score once). The bottom of the scoring
//! layers: the engine makes them, the rules use them, explanations read through `Cx` again; this
//! module depends on none of those.

use crate::index::{Index, NONE};
use crate::input::{BonusEntry, FindingEntry, Inputs, InspectionEntry, JudgementEntry};
use crate::num::round_points;
use crate::result::{ClauseResult, ColumnInfo, Detail};
use crate::rubric::{Clause, MetricDef, Rubric};
use rust_decimal::Decimal;

/// What a rule module sees of one clause column.
pub(crate) struct Cx<'a> {
    pub rubric: &'a Rubric,
    pub inputs: &'a Inputs,
    pub index: &'a Index,
    pub clause: &'a Clause,
    pub ci: usize,
    /// The rows this pass scores: the units the clause applies to (of one ranking group when it
    /// ranks within groups); empty when explaining.
    pub rows: &'a [u32],
}

impl<'a> Cx<'a> {
    /// How many units this pass scores.
    pub fn n_units(&self) -> u32 {
        self.rows.len() as u32
    }
    /// The rows this pass scores.
    pub fn rows(&self) -> impl Iterator<Item = u32> + 'a {
        self.rows.iter().copied()
    }
    /// Every scored unit of the run (for arrays indexed by row).
    pub fn all_units(&self) -> usize {
        self.index.units.len()
    }
    pub fn metric_def(&self, key: &str) -> (usize, &'a MetricDef) {
        let i = self
            .rubric
            .metric_index(key)
            .expect("rubric validation guarantees metric keys");
        (i, &self.rubric.metrics[i])
    }
    /// The value of metric `m` for scored unit `u`.
    pub fn metric(&self, u: u32, m: usize) -> Option<Decimal> {
        match self.index.metric(u, m) {
            NONE => None,
            e => Some(self.inputs.metrics[e as usize].value),
        }
    }
    pub fn judgement(&self, u: u32) -> Option<&'a JudgementEntry> {
        match self.index.judgement(u, self.ci) {
            NONE => None,
            e => Some(&self.inputs.judgements[e as usize]),
        }
    }
    pub fn findings(&self, u: u32) -> impl Iterator<Item = &'a FindingEntry> + 'a {
        let inputs = self.inputs;
        self.index
            .findings(u, self.ci)
            .iter()
            .map(move |&i| &inputs.findings[i as usize])
    }
    pub fn inspections(&self, u: u32) -> impl Iterator<Item = &'a InspectionEntry> + 'a {
        let inputs = self.inputs;
        self.index
            .inspections(u, self.ci)
            .iter()
            .map(move |&i| &inputs.inspections[i as usize])
    }
    pub fn n_findings(&self, u: u32) -> usize {
        self.index.findings(u, self.ci).len()
    }
    pub fn bonuses(&self, u: u32) -> impl Iterator<Item = &'a BonusEntry> + 'a {
        let inputs = self.inputs;
        self.index
            .bonuses(u, self.ci)
            .iter()
            .map(move |&i| &inputs.bonuses[i as usize])
    }
}

/// One clause column being filled: raw scores go in, rounded once here.
pub(crate) struct Column<'g> {
    pub(crate) cells: &'g mut [ClauseResult],
    pub(crate) n_clauses: usize,
    pub(crate) ci: usize,
    pub(crate) precision: u32,
    pub info: ColumnInfo,
}

impl Column<'_> {
    /// Records a raw score, rounded once (half away from zero) when it has more places than the
    /// rubric's precision. A value with fewer places is kept as it is (0.05 stays 0.05); reports
    /// show scores at the precision.
    pub fn set(&mut self, u: u32, raw: Decimal, detail: Detail) {
        let score = if raw.scale() > self.precision {
            round_points(raw, self.precision)
        } else {
            raw
        };
        self.cells[u as usize * self.n_clauses + self.ci] = ClauseResult { score, detail };
    }
    pub fn missing(&mut self, u: u32, detail: Detail) {
        debug_assert!(matches!(detail, Detail::Missing(_)));
        self.cells[u as usize * self.n_clauses + self.ci] = ClauseResult {
            score: round_points(Decimal::ZERO, self.precision),
            detail,
        };
    }
}
