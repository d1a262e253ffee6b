//! 批量计分 — a batch of files (`kaohe score`, `kaohe whatif`) scored, or every problem that stops it:
//! the reading's errors and the scoring's, together, so that nothing with an error is shown as a score.

use kaohe_core::result::Scored;
use kaohe_core::{Inputs, Problem, Rubric};

/// The batch scored, or — when reading it or scoring it found an error — every problem, the
/// reading's first.
pub fn scored<'a>(
    rubric: &'a Rubric,
    inputs: &'a Inputs,
    read_problems: &[Problem],
) -> Result<Scored<'a>, Vec<Problem>> {
    let scored = kaohe_core::score(rubric, inputs);
    let errors = |ps: &[Problem]| ps.iter().any(Problem::is_error);
    if errors(read_problems) || errors(&scored.problems) {
        return Err(read_problems
            .iter()
            .chain(&scored.problems)
            .cloned()
            .collect());
    }
    Ok(scored)
}
