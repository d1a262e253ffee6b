//! 总分 — a unit's total from its base, its 加分 and its 扣分项, and the rubric's cap on the total:
//!
//! ```toml
//! max_total = "100"
//! total_cap = "110"   # 总分最高不超过110分
//! ```
//!
//! `total = min(total_cap, base + bonus − penalty)`: base is the sum of the clause scores (bonus and
//! penalty clauses excluded), bonus the sum of the bonus clauses, penalty the sum of what the
//! penalty clauses subtract ([`crate::rules::penalty`]). Not the same as a bonus `cap`: a bonus cap
//! limits the points added; `total_cap` limits the total, whatever its parts.
//! `total_cap` (optional, not less than `max_total`); absent, the total is `base + bonus − penalty`
//! as before (and without penalty clauses `base + bonus`).
//!
//! Worked case (`max_total = "100"`, `total_cap = "110"`): base 96, bonus 16, penalty 1:
//! `基础分 96 + 加分 16 − 扣分项 1 = 111，总分最高不超过 110 分，计 110`.

use crate::num::pts;
use crate::result::{Scored, UnitResult};
use crate::rubric::fields::Fields;
use rust_decimal::Decimal;
use toml::Table;

/// Reads the rubric's `total_cap`, which must not be below `max_total`.
pub(crate) fn parse_cap(f: &mut Fields, t: &Table, max_total: Option<Decimal>) -> Option<Decimal> {
    let cap = f.opt_decimal(t, "total_cap", "", None)?;
    if let Some(m) = max_total
        && cap < m
    {
        f.err(
            "total_cap",
            None,
            format!(
                "总分上限 {} 低于总分 {}：上限用于限制加分后的总分，应不小于总分",
                pts(cap),
                pts(m)
            ),
        );
    }
    Some(cap)
}

/// The total of `base + bonus − penalty` under the rubric's cap, and whether the cap cut it.
pub(crate) fn total(
    cap: Option<Decimal>,
    base: Decimal,
    bonus: Decimal,
    penalty: Decimal,
) -> (Decimal, bool) {
    let sum = base + bonus - penalty;
    match cap {
        Some(c) if sum > c => (c, true),
        _ => (sum, false),
    }
}

impl Scored<'_> {
    /// A unit's total in one Chinese line, checkable by hand: `基础分 96 + 加分 16 − 扣分项 1 = 111，
    /// 总分最高不超过 110 分，计 110`.
    pub fn explain_total(&self, u: &UnitResult) -> String {
        let mut s = format!("基础分 {}", pts(u.base));
        if !u.bonus.is_zero() {
            s.push_str(&format!(" + 加分 {}", pts(u.bonus)));
        }
        if !u.penalty.is_zero() {
            s.push_str(&format!(" − 扣分项 {}", pts(u.penalty)));
        }
        let sum = u.base + u.bonus - u.penalty;
        s.push_str(&format!(" = {}", pts(sum)));
        if sum != u.total {
            s.push_str(&format!(
                "，总分最高不超过 {} 分，计 {}",
                pts(u.total),
                pts(u.total)
            ));
        }
        s
    }
}
