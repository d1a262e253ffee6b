//! 计分规则 — one file per rule kind, each a whole unit: its parameters (a struct, read and checked
//! from the rule's TOML table through `RuleFields`, with the same problems wherever they are made),
//! its description in Chinese, the code that scores a clause column, the code that explains one score,
//! and its tests; its module doc documents every parameter with a worked case.
//! Shared pieces: [`ranking`] (并列 policies) and [`instances`] (where a count of 例 comes from).
//!
//! This file is the one list of kinds: the `Rule` enum and its dispatch. Adding a kind is its file
//! and one entry in each match here (the compiler finds all but `KINDS`).
//!
//! A kind's file has two halves on two layers: its parameters, parsing and description use only the
//! data layer (`crate::rubric`, whose clauses hold a `Rule`); its `column` and `explain` sit above
//! `crate::column` (`Cx`, `Column`) and are called by the engine and by explanations.

pub mod bonus;
pub mod composite_rank;
pub mod counting;
pub mod deduction;
pub mod instances;
pub mod judgement;
pub mod penalty;
pub mod per_instance;
pub mod proportional;
pub mod rank_ratio;
pub mod rank_step;
pub mod ranking;
pub mod tiers;
pub mod veto;

pub use bonus::Bonus;
pub use composite_rank::{CompositeRank, RankPart};
pub use deduction::Deduction;
pub use penalty::Penalty;
pub use per_instance::PerInstance;
pub use proportional::{Proportional, ProportionalMode};
pub use rank_ratio::RankRatio;
pub use rank_step::RankStep;
pub use tiers::{Tier, Tiers};

use crate::column::{Column, Cx};
use crate::num::{pts, quotient};
use crate::result::{ClauseResult, ColumnInfo};
use crate::rubric::fields::RuleFields;
use crate::rubric::write::{Defaults, Params};
use crate::rubric::{Clause, Rubric};
use rust_decimal::Decimal;

/// 计分规则 — the typed rule of a clause, one variant per kind, wrapping the kind's parameters. The
/// engine dispatches on these kinds, never on clause ids.
#[derive(Debug, Clone)]
pub enum Rule {
    /// 评定: an assessor awards a score in [0, max]; below max needs a reason.
    Judgement,
    /// 每发现一例扣B分.
    PerInstance(PerInstance),
    /// 每缺一项扣X分，最多扣C分.
    Deduction(Deduction),
    /// 按X排名，第一名得A分，其余按名次依次扣减B分.
    RankStep(RankStep),
    /// 综合排名: ranks per metric, summed with weights, ranked again, scored as rank_step.
    CompositeRank(CompositeRank),
    /// 按第1名的比例得分.
    RankRatio(RankRatio),
    /// 按比例扣分 below a target.
    Proportional(Proportional),
    /// 阶梯: the highest tier reached.
    Tiers(Tiers),
    /// 加分: assessors add points with a reason, apart from the base score.
    Bonus(Bonus),
    /// 扣分项: findings subtract points from the total, outside the base.
    Penalty(Penalty),
    /// 单项否决: a finding marks the unit 不合格 whatever its points.
    Veto,
}

/// Reads one kind's parameters from its rule table (its keys already checked).
type Parse = fn(&mut RuleFields) -> Option<Rule>;

/// Every kind as a rubric names it (`kind = "…"`), the keys its rule table may have, and its reader;
/// in the order the loader lists them when a kind is unknown.
const KINDS: &[(&str, &[&str], Parse)] = &[
    (judgement::KIND, judgement::KEYS, |_| Some(Rule::Judgement)),
    (per_instance::KIND, per_instance::KEYS, |r| {
        PerInstance::parse(r).map(Rule::PerInstance)
    }),
    (deduction::KIND, deduction::KEYS, |r| {
        Deduction::parse(r).map(Rule::Deduction)
    }),
    (rank_step::KIND, rank_step::KEYS, |r| {
        RankStep::parse(r).map(Rule::RankStep)
    }),
    (composite_rank::KIND, composite_rank::KEYS, |r| {
        CompositeRank::parse(r).map(Rule::CompositeRank)
    }),
    (rank_ratio::KIND, rank_ratio::KEYS, |r| {
        RankRatio::parse(r).map(Rule::RankRatio)
    }),
    (proportional::KIND, proportional::KEYS, |r| {
        Proportional::parse(r).map(Rule::Proportional)
    }),
    (tiers::KIND, tiers::KEYS, |r| {
        Tiers::parse(r).map(Rule::Tiers)
    }),
    (bonus::KIND, bonus::KEYS, |r| {
        Bonus::parse(r).map(Rule::Bonus)
    }),
    (penalty::KIND, penalty::KEYS, |r| {
        Penalty::parse(r).map(Rule::Penalty)
    }),
    (veto::KIND, veto::KEYS, |r| {
        veto::parse(r);
        Some(Rule::Veto)
    }),
];

impl Rule {
    /// Reads a clause's rule table: its `kind`, no key the kind does not know, then the kind's
    /// parameters. `None` when it cannot be read; every problem is reported through `r`.
    pub(crate) fn parse(r: &mut RuleFields) -> Option<Rule> {
        let kind = r.string("kind")?;
        let Some((_, keys, parse)) = KINDS.iter().find(|(k, ..)| *k == kind) else {
            let kinds: Vec<&str> = KINDS.iter().map(|(k, ..)| *k).collect();
            r.err(
                "kind",
                format!("未知规则类型“{kind}”（可用：{}）", kinds.join("、")),
            );
            return None;
        };
        r.unknown_keys(keys);
        parse(r)
    }

    /// The kind as a rubric names it, e.g. `rank_step`.
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Judgement => judgement::KIND,
            Rule::PerInstance(_) => per_instance::KIND,
            Rule::Deduction(_) => deduction::KIND,
            Rule::RankStep(_) => rank_step::KIND,
            Rule::CompositeRank(_) => composite_rank::KIND,
            Rule::RankRatio(_) => rank_ratio::KIND,
            Rule::Proportional(_) => proportional::KIND,
            Rule::Tiers(_) => tiers::KIND,
            Rule::Bonus(_) => bonus::KIND,
            Rule::Penalty(_) => penalty::KIND,
            Rule::Veto => veto::KIND,
        }
    }

    /// The Chinese name of the rule kind.
    pub fn label(&self) -> &'static str {
        match self {
            Rule::Judgement => judgement::LABEL,
            Rule::PerInstance(_) => per_instance::LABEL,
            Rule::Deduction(_) => deduction::LABEL,
            Rule::RankStep(_) => rank_step::LABEL,
            Rule::CompositeRank(_) => composite_rank::LABEL,
            Rule::RankRatio(_) => rank_ratio::LABEL,
            Rule::Proportional(_) => proportional::LABEL,
            Rule::Tiers(_) => tiers::LABEL,
            Rule::Bonus(_) => bonus::LABEL,
            Rule::Penalty(_) => penalty::LABEL,
            Rule::Veto => veto::LABEL,
        }
    }

    /// Metrics this rule reads.
    pub fn metrics(&self) -> Vec<&str> {
        match self {
            Rule::PerInstance(PerInstance { metric, .. })
            | Rule::Deduction(Deduction { metric, .. }) => {
                metric.iter().map(String::as_str).collect()
            }
            Rule::RankStep(RankStep { metric, .. })
            | Rule::RankRatio(RankRatio { metric, .. })
            | Rule::Proportional(Proportional { metric, .. })
            | Rule::Tiers(Tiers { metric, .. }) => vec![metric.as_str()],
            Rule::CompositeRank(k) => k.parts.iter().map(|p| p.metric.as_ref()).collect(),
            Rule::Judgement | Rule::Bonus(_) | Rule::Penalty(_) | Rule::Veto => Vec::new(),
        }
    }

    /// The metric that gives this rule's count n (例数) as a number, when findings rows are not the
    /// only source: per-instance and deduction rules that name one.
    pub fn count_metric(&self) -> Option<&str> {
        match self {
            Rule::PerInstance(PerInstance { metric, .. })
            | Rule::Deduction(Deduction { metric, .. }) => metric.as_deref(),
            _ => None,
        }
    }

    /// How the findings of this rule are counted (types, ranges, words, inspection), for the kinds
    /// that count findings; a veto takes its findings plain.
    pub fn counting(&self) -> &counting::Counting {
        match self {
            Rule::PerInstance(k) => &k.counting,
            Rule::Deduction(k) => &k.counting,
            Rule::Penalty(k) => &k.counting,
            _ => &counting::PLAIN,
        }
    }

    /// Whether this rule ranks units against each other (and so ranks within a ranking group when
    /// the rubric says so).
    pub fn ranks(&self) -> bool {
        matches!(
            self,
            Rule::RankStep(_) | Rule::CompositeRank(_) | Rule::RankRatio(_)
        )
    }

    /// Whether findings rows (问题记录) feed this rule.
    pub fn takes_findings(&self) -> bool {
        matches!(
            self,
            Rule::PerInstance(_) | Rule::Deduction(_) | Rule::Penalty(_) | Rule::Veto
        )
    }

    /// The rule's parameters as a rubric writes them, in the kind's order, those at their default
    /// left out ([`crate::rubric::write`]).
    pub fn params(&self, d: &Defaults) -> Params {
        match self {
            Rule::Judgement | Rule::Veto => Vec::new(),
            Rule::PerInstance(k) => k.params(),
            Rule::Deduction(k) => k.params(),
            Rule::RankStep(k) => k.params(d),
            Rule::CompositeRank(k) => k.params(d),
            Rule::RankRatio(k) => k.params(d),
            Rule::Proportional(k) => k.params(),
            Rule::Tiers(k) => k.params(),
            Rule::Bonus(k) => k.params(),
            Rule::Penalty(k) => k.params(),
        }
    }

    /// The rule of clause `c` in one Chinese line ([`Rubric::describe_rule`]).
    pub(crate) fn describe(&self, rubric: &Rubric, c: &Clause) -> String {
        match self {
            Rule::Judgement => judgement::describe(c),
            Rule::PerInstance(k) => k.describe(rubric),
            Rule::Deduction(k) => k.describe(rubric),
            Rule::RankStep(k) => k.describe(rubric),
            Rule::CompositeRank(k) => k.describe(rubric),
            Rule::RankRatio(k) => k.describe(rubric),
            Rule::Proportional(k) => k.describe(rubric),
            Rule::Tiers(k) => k.describe(rubric),
            Rule::Bonus(k) => k.describe(),
            Rule::Penalty(k) => k.describe(),
            Rule::Veto => veto::describe(),
        }
    }
}

/// Every kind as a rubric names it, with its Chinese name (`kaohe rubric export`'s 规则类型), in
/// the list's order.
pub fn kinds() -> Vec<(&'static str, &'static str)> {
    vec![
        (judgement::KIND, judgement::LABEL),
        (per_instance::KIND, per_instance::LABEL),
        (deduction::KIND, deduction::LABEL),
        (rank_step::KIND, rank_step::LABEL),
        (composite_rank::KIND, composite_rank::LABEL),
        (rank_ratio::KIND, rank_ratio::LABEL),
        (proportional::KIND, proportional::LABEL),
        (tiers::KIND, tiers::LABEL),
        (bonus::KIND, bonus::LABEL),
        (penalty::KIND, penalty::LABEL),
        (veto::KIND, veto::LABEL),
    ]
}

/// Every parameter name that some kind uses (`kind` left out), once, in the list's order.
pub fn param_keys() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (_, keys, _) in KINDS {
        for k in keys.iter().filter(|k| **k != "kind") {
            if !out.contains(k) {
                out.push(k);
            }
        }
    }
    out
}

/// The parameter names a kind's rule table may have (`kind` left out).
pub fn kind_keys(kind: &str) -> Option<Vec<&'static str>> {
    let (_, keys, _) = KINDS.iter().find(|(k, ..)| *k == kind)?;
    Some(keys.iter().copied().filter(|k| *k != "kind").collect())
}

/// Scores one clause column by its rule kind.
pub(crate) fn column(cx: &Cx, col: &mut Column) {
    match &cx.clause.rule {
        Rule::Judgement => judgement::column(cx, col),
        Rule::PerInstance(k) => k.column(cx, col),
        Rule::Deduction(k) => k.column(cx, col),
        Rule::RankStep(k) => k.column(cx, col),
        Rule::CompositeRank(k) => k.column(cx, col),
        Rule::RankRatio(k) => k.column(cx, col),
        Rule::Proportional(k) => k.column(cx, col),
        Rule::Tiers(k) => k.column(cx, col),
        Rule::Bonus(k) => k.column(cx, col),
        Rule::Penalty(k) => k.column(cx, col),
        Rule::Veto => veto::column(cx, col),
    }
}

/// Explains one clause score of the unit in row `u`.
pub(crate) fn explain(cx: &Cx, info: &ColumnInfo, u: u32, r: &ClauseResult) -> String {
    match &cx.clause.rule {
        Rule::Judgement => judgement::explain(cx, u, r),
        Rule::PerInstance(k) => k.explain(cx, u, r),
        Rule::Deduction(k) => k.explain(cx, u, r),
        Rule::RankStep(k) => k.explain(cx, info, u, r),
        Rule::CompositeRank(k) => k.explain(cx, info, u, r),
        Rule::RankRatio(k) => k.explain(cx, info, u, r),
        Rule::Proportional(k) => k.explain(cx, u, r),
        Rule::Tiers(k) => k.explain(cx, u, r),
        Rule::Bonus(k) => k.explain(cx, u, r),
        Rule::Penalty(k) => k.explain(cx, u, r),
        Rule::Veto => veto::explain(cx, u, r),
    }
}

/// `= raw` when the rounded score equals it, else `= raw，四舍五入得 score`.
pub(crate) fn equals(raw: Decimal, score: Decimal) -> String {
    if raw == score {
        format!("= {}", pts(score))
    } else {
        format!("= {}，四舍五入得 {}", quotient(raw), pts(score))
    }
}

/// `max − n × per = v`, with 扣完为止 when the formula goes below zero.
pub(crate) fn minus_times(start: Decimal, n: Decimal, per: Decimal, score: Decimal) -> String {
    let raw = start - n * per;
    let head = format!("{} − {} × {}", pts(start), pts(n), pts(per));
    if raw < Decimal::ZERO {
        format!("{head} = {}，扣完为止，得 0", pts(raw))
    } else {
        format!("{head} {}", equals(raw, score))
    }
}

/// `N个单位中排名第r` / `并列第r`, noting units without data.
pub(crate) fn place(info: &ColumnInfo, rank: u32, tied: bool) -> String {
    let who = if info.missing > 0 {
        format!("{}{}个有数据的单位中", info.scope, info.ranked)
    } else {
        format!("{}{}个单位中", info.scope, info.ranked)
    };
    let what = if tied { "并列第" } else { "排名第" };
    let note = if info.missing > 0 {
        format!("（另有{}个单位缺数据，未参与排名）", info.missing)
    } else {
        String::new()
    };
    format!("{who}{what}{rank}{note}")
}

#[cfg(test)]
mod tests {
    use super::KINDS;
    use crate::testkit::rubric;

    /// Every kind of the list reads back as itself: `KINDS` and `Rule::kind` agree.
    #[test]
    fn every_kind_reads_back_as_itself() {
        let minimal = |kind: &str| match kind {
            "per_instance" | "deduction" | "penalty" => r#"per = "0.01""#,
            "rank_step" => r#"metric = "rate", step = "0.01""#,
            "composite_rank" => {
                r#"step = "0.01", parts = [{ metric = "volume" }, { metric = "coverage" }]"#
            }
            "rank_ratio" => r#"metric = "volume""#,
            "proportional" => r#"metric = "rate", target = "0.9""#,
            "tiers" => r#"metric = "rate", tiers = [{ threshold = "0.8", points = "0.05" }]"#,
            _ => "",
        };
        for (kind, ..) in KINDS {
            let max = if matches!(*kind, "bonus" | "penalty" | "veto") {
                "0"
            } else {
                "0.05"
            };
            let params = minimal(kind);
            let sep = if params.is_empty() { "" } else { ", " };
            let r = rubric(max, &format!(r#"kind = "{kind}"{sep}{params}"#));
            assert_eq!(r.clauses[0].rule.kind(), *kind);
        }
        // The list of Chinese names has every kind, in the same order.
        let named: Vec<&str> = super::kinds().iter().map(|(k, _)| *k).collect();
        let listed: Vec<&str> = KINDS.iter().map(|(k, ..)| *k).collect();
        assert_eq!(named, listed);
    }
}
