//! 说明 — a scored clause explained in Chinese, on demand: the result keeps a compact `Detail` per
//! cell, and its rule kind renders the sentence a township clerk can check by hand. Above the rules
//! and the results (it reads both), so that neither depends on the other's way round.

use crate::column::Cx;
use crate::num::pts;
use crate::result::{Detail, Scored, UnitResult};
use crate::rules;
use rust_decimal::Decimal;

impl Scored<'_> {
    /// The one-line Chinese explanation of clause `ci` for a unit, checkable by hand.
    pub fn explain(&self, u: &UnitResult, ci: usize) -> String {
        let r = &self.clauses(u)[ci];
        let clause = &self.rubric.clauses[ci];
        if r.detail == Detail::NotApplicable {
            return crate::applicability::explain(self, u, clause, r.score);
        }
        let cx = Cx {
            rubric: self.rubric,
            inputs: self.inputs,
            index: &self.index,
            clause,
            ci,
            rows: &[],
        };
        let info = match (self.group_columns[ci].as_slice(), u.group) {
            ([], _) | (_, None) => &self.columns[ci],
            (groups, Some(g)) => &groups[g as usize],
        };
        let line = rules::explain(&cx, info, u.row, r);
        crate::budget::explain(self, u, ci, line)
    }

    /// How the base was 折算, in one line a clerk can check:
    /// `基础分按适用条款折算：7.2 × 10 ÷ 8 = 9`.
    pub fn prorate_note(&self, u: &UnitResult) -> Option<String> {
        let p = u.prorated?;
        let full: Decimal = self
            .rubric
            .clauses
            .iter()
            .filter(|c| !c.is_bonus())
            .map(|c| c.max)
            .sum();
        let raw = p.raw * full;
        let exact = if p.applicable_max.is_zero() {
            Decimal::ZERO
        } else {
            raw / p.applicable_max
        };
        Some(format!(
            "基础分按适用条款折算：{} × {} ÷ {} {}",
            pts(p.raw),
            pts(full),
            pts(p.applicable_max),
            rules::equals(exact, u.base)
        ))
    }
}
