//! bonus — 加分: "特色亮点工作额外加分".
//!
//! Seed: 2.3.3. Assessors add points with a reason; the points are kept apart from the base score
//! (total = base + bonus) and the clause's max is 0 (it adds nothing to the base's maximum).
//! Formula: `min(cap, Σ points)`; the seed sets no cap, so rudong-2021 sets none.
//! Edge cases: no bonus rows is 0 (a bonus is never `missing`: most units get none).
//!
//! Parameters (`rule = { kind = "bonus", … }`; the clause's `max` must be `"0"`):
//! - `cap` (optional, > 0): the most a unit's bonus on this clause counts; none: no cap.
//!
//! Worked case: `{ kind = "bonus", cap = "0.05" }`, two entries of 0.03 and 0.04:
//! `加 0.03（全流程电子化）；加 0.04（获省级表彰）；合计 0.07，超过加分上限，计 0.05`.

use crate::column::{Column, Cx};
use crate::num::pts;
use crate::result::{ClauseResult, Detail};
use crate::rubric::fields::RuleFields;
use crate::rubric::write::{Param, Params};
use rust_decimal::Decimal;

pub(crate) const KIND: &str = "bonus";
pub(crate) const LABEL: &str = "加分";
pub(crate) const KEYS: &[&str] = &["kind", "cap"];

/// 加分: assessors add points with a reason, apart from the base score.
#[derive(Debug, Clone)]
pub struct Bonus {
    pub cap: Option<Decimal>,
}

impl Bonus {
    pub(crate) fn parse(r: &mut RuleFields) -> Option<Self> {
        r.zero_max("加分");
        let cap = r.opt_decimal("cap");
        r.positive(cap, "cap", "加分上限");
        Some(Bonus { cap })
    }

    pub(crate) fn describe(&self) -> String {
        match self.cap {
            Some(c) => format!("特色加分，另计，不计入基础分，上限 {}", pts(c)),
            None => "特色加分，另计，不计入基础分，不设上限".into(),
        }
    }

    pub(crate) fn column(&self, cx: &Cx, col: &mut Column) {
        let cap = self.cap;
        for u in cx.rows() {
            let mut n = 0;
            let mut sum = Decimal::ZERO;
            for b in cx.bonuses(u) {
                n += 1;
                sum += b.points;
            }
            let capped = cap.is_some_and(|c| sum > c);
            let raw = if capped { cap.unwrap_or(sum) } else { sum };
            col.info.ranked += 1;
            col.set(u, raw, Detail::Bonus { n, capped });
        }
    }

    /// The bonus entries of a unit, and whether the cap cut them.
    pub(crate) fn explain(&self, cx: &Cx, u: u32, r: &ClauseResult) -> String {
        let items: Vec<String> = cx
            .bonuses(u)
            .map(|b| format!("加 {}（{}）", pts(b.points), b.reason.trim()))
            .collect();
        if items.is_empty() {
            return "无加分".into();
        }
        let sum: Decimal = cx.bonuses(u).map(|b| b.points).sum();
        let mut s = items.join("；");
        if items.len() > 1 {
            s.push_str(&format!("；合计 {}", pts(sum)));
        }
        if let Detail::Bonus { capped: true, .. } = r.detail {
            s.push_str(&format!("，超过加分上限，计 {}", pts(r.score)));
        }
        s
    }

    /// Its parameters as a rubric writes them ([`crate::rubric::write`]).
    pub(crate) fn params(&self) -> Params {
        let cap = self.cap.map(|c| ("cap", Param::Text(c.to_string())));
        cap.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::score;
    use crate::input::*;
    use crate::testkit::*;

    fn b(unit: &str, p: &str, why: &str) -> BonusEntry {
        BonusEntry {
            unit: unit.into(),
            clause: "1.1.1".into(),
            points: d(p),
            reason: why.into(),
            origin: None,
        }
    }

    #[test]
    fn bonus_sums_apart_from_base_with_cap() {
        let r = rubric("0", r#"kind = "bonus", cap = "0.05""#);
        let inputs = Inputs {
            units: units(3),
            bonuses: vec![
                b("U01", "0.02", "不见面开标"),
                b("U02", "0.03", "全流程电子化"),
                b("U02", "0.04", "获省级表彰"),
            ],
            ..Default::default()
        };
        let s = score(&r, &inputs);
        let t = table(&s);
        assert_eq!(t[0].2, "加 0.02（不见面开标）");
        assert_eq!(t[1].1, "0.0500");
        assert_eq!(
            t[1].2,
            "加 0.03（全流程电子化）；加 0.04（获省级表彰）；合计 0.07，超过加分上限，计 0.05"
        );
        assert_eq!(t[2].1, "0.0000");
        assert_eq!(t[2].2, "无加分");
        let u2 = s.units.iter().find(|u| &*s.unit(u).code == "U02").unwrap();
        assert_eq!(
            (u2.base, u2.bonus, u2.total),
            (d("0"), d("0.05"), d("0.05"))
        );
        assert!(s.complete);
    }
}
