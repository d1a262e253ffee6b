//! 说明 — a scored clause explained in Chinese, on demand: the result keeps a compact `Detail` per
//! cell, and its rule kind renders the sentence a township clerk can check by hand. Above the rules
//! and the results (it reads both), so that neither depends on the other's way round.

use crate::column::Cx;
use crate::result::{Scored, UnitResult};
use crate::rules;

impl Scored<'_> {
    /// The one-line Chinese explanation of clause `ci` for a unit, checkable by hand.
    pub fn explain(&self, u: &UnitResult, ci: usize) -> String {
        let r = &self.clauses(u)[ci];
        let cx = Cx {
            rubric: self.rubric,
            inputs: self.inputs,
            index: &self.index,
            clause: &self.rubric.clauses[ci],
            ci,
        };
        let line = rules::explain(&cx, &self.columns[ci], u.row, r);
        crate::budget::explain(self, u, ci, line)
    }
}
