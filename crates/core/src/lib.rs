//! kaohe-core — the scoring core of kaohe (考核).
//!
//! The rubric (细则) is data ([`rubric`]); inputs ([`input`]) are typed values; [`engine::score`] turns
//! both into exact, explained results ([`result`]). Pure: no file system, no clock, no floats, no
//! async, no SQL. It cannot fail: every problem comes back as a [`problem::Problem`].
//!
//! Layers, bottom up; a module uses only those below it:
//! 1. data — [`rubric`] (with its loader and the shared field readers) and [`input`], over [`num`],
//!    [`date`], [`problem`], [`text`];
//! 2. `index` — inputs checked against the rubric, dense indices;
//! 3. [`result`] — what a scoring run returns (scores with a compact `Detail`, totals, ranks);
//! 4. `column` — what a rule kind sees of one clause (`Cx`) and the column it fills (`Column`);
//! 5. [`rules`] — one file per rule kind, and the one list of kinds ([`rules::Rule`]);
//! 6. [`engine`] (scores every column, totals, ranks) and `explain` (a score in Chinese, on demand);
//!    [`compare`] reads two results.
//!
//! A rule kind's file spans two of them on purpose, so that a kind is one unit: its parameters,
//! their reading from the rubric's TOML and its description belong to the data layer (a clause holds
//! a [`rules::Rule`]; the loader asks it to read itself, through `rubric::fields`) and use nothing
//! above it; its `column` and `explain` sit on `column` and are called only from the layer above.

/// 不适用: where a clause applies, and what 不适用 does to the total.
mod applicability;
/// 共享扣分额度: the deductions of an item's or indicator's clauses capped together.
pub mod budget;
/// 工作日历: holidays and 调休 working days; working-day arithmetic.
pub mod calendar;
/// 条款列: what a rule kind sees of one clause, and the column of results it fills.
mod column;
/// Two scoring runs side by side (what-if).
pub mod compare;
/// 日期: civil dates and date-times, parsing of export formats.
pub mod date;
/// 办理时限与超期: deadlines per RULES.md §4 and overdue cases.
pub mod deadline;
/// 计分: the engine.
pub mod engine;
/// 说明: a scored clause explained in Chinese, on demand.
mod explain;
/// 校验与索引: input checks against the rubric, dense indices.
mod index;
/// 考核数据: units, metrics, judgements, findings, bonus.
pub mod input;
/// 数值: exact decimal parsing, rounding once, Chinese display of numbers.
pub mod num;
/// 粘贴细则: pasted 细则 text split into clauses, with a suggested rule for each (never applied).
pub mod paste;
/// 问题: problems with file, row, column, value and expectation.
pub mod problem;
/// 增量计分: a result brought up to date after assessors' scores changed.
pub mod rescore;
/// 考核结果: scores, totals, ranks, explanations.
pub mod result;
/// 细则: the rubric model and its loader/validator.
pub mod rubric;
/// 计分规则: one module per rule kind.
pub mod rules;
/// 名次与档次: ranking groups, rank policy for incomplete units, grades.
mod standing;
/// 文本: small helpers for text read from files.
pub mod text;
/// 北京时间: an instant the service wrote, read and shown in Beijing time.
pub mod time;
/// 总分: base, bonus, penalty and the rubric's cap on the total, explained.
pub mod totals;

#[cfg(test)]
mod testkit;

pub use calendar::Calendar;
pub use date::{Date, DateTime};
pub use engine::score;
pub use input::Inputs;
pub use problem::{Origin, Problem, Severity};
pub use rescore::rescore;
pub use result::Scored;
pub use rubric::Rubric;
