//! 计分规则 — one file per rule kind: what it means, the seed's wording, the formula, edge cases, the
//! code that scores a clause column, the code that explains one score in Chinese, and its tests.
//! Shared pieces: [`ranking`] (并列 policies) and [`instances`] (where a count of 例 comes from).

pub mod bonus;
pub mod composite_rank;
pub mod deduction;
pub mod instances;
pub mod judgement;
pub mod per_instance;
pub mod proportional;
pub mod rank_ratio;
pub mod rank_step;
pub mod ranking;
pub mod tiers;
pub mod veto;

use crate::column::{Column, Cx};
use crate::num::{pts, quotient};
use crate::result::{ClauseResult, ColumnInfo};
use crate::rubric::Rule;
use rust_decimal::Decimal;

/// Scores one clause column by its rule kind.
pub(crate) fn column(cx: &Cx, col: &mut Column) {
    match &cx.clause.rule {
        Rule::Judgement => judgement::column(cx, col),
        Rule::PerInstance { .. } => per_instance::column(cx, col),
        Rule::Deduction { .. } => deduction::column(cx, col),
        Rule::RankStep { .. } => rank_step::column(cx, col),
        Rule::CompositeRank { .. } => composite_rank::column(cx, col),
        Rule::RankRatio { .. } => rank_ratio::column(cx, col),
        Rule::Proportional { .. } => proportional::column(cx, col),
        Rule::Tiers { .. } => tiers::column(cx, col),
        Rule::Bonus { .. } => bonus::column(cx, col),
        Rule::Veto => veto::column(cx, col),
    }
}

/// Explains one clause score of the unit in row `u`.
pub(crate) fn explain(cx: &Cx, info: &ColumnInfo, u: u32, r: &ClauseResult) -> String {
    match &cx.clause.rule {
        Rule::Judgement => judgement::explain(cx, u, r),
        Rule::PerInstance { .. } => per_instance::explain(cx, u, r),
        Rule::Deduction { .. } => deduction::explain(cx, u, r),
        Rule::RankStep { .. } => rank_step::explain(cx, info, u, r),
        Rule::CompositeRank { .. } => composite_rank::explain(cx, info, u, r),
        Rule::RankRatio { .. } => rank_ratio::explain(cx, info, u, r),
        Rule::Proportional { .. } => proportional::explain(cx, u, r),
        Rule::Tiers { .. } => tiers::explain(cx, u, r),
        Rule::Bonus { .. } => bonus::explain(cx, u, r),
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
        format!("{}个有数据的单位中", info.ranked)
    } else {
        format!("{}个单位中", info.ranked)
    };
    let what = if tied { "并列第" } else { "排名第" };
    let note = if info.missing > 0 {
        format!("（另有{}个单位缺数据，未参与排名）", info.missing)
    } else {
        String::new()
    };
    format!("{who}{what}{rank}{note}")
}
