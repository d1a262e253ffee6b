//! 考核数据 — the typed inputs of one scoring run: units, metric values, assessor judgements,
//! findings and bonus points. Files are read into these by `kaohe-tables`; the service builds them
//! from its database. Units are referred to by code here; names are resolved before.

use crate::problem::Origin;
use rust_decimal::Decimal;
use std::sync::Arc;

/// A shared id (unit code, clause id, metric key). Readers hand out clones of one allocation per
/// id — the unit table's code, the rubric's clause id — so that indexing compares pointers, not text.
pub type Id = Arc<str>;

/// Shared text of an entry (a reason, a name): a copy of the inputs — the service patches one per
/// change — copies a pointer, not the text.
pub type Text = Arc<str>;

/// 被考核单位 — a town (镇), street (街道) or development zone (区).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// 单位编码, e.g. the 9-digit 区划代码 320623001.
    pub code: Id,
    /// 单位名称, e.g. 掘港街道.
    pub name: String,
    /// 类型: 镇, 街道 or 区.
    pub kind: String,
    pub origin: Option<Origin>,
}

/// 指标数据 — one metric value of one unit (rates as fractions: 98.7% is 0.987).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricEntry {
    pub unit: Id,
    pub metric: Id,
    pub value: Decimal,
    pub origin: Option<Origin>,
}

/// 评分 — an assessor's score of a judgement clause for a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgementEntry {
    pub unit: Id,
    pub clause: Id,
    pub score: Decimal,
    /// 扣分理由; required when the score is below max.
    pub reason: Text,
    /// 考核员, where known.
    pub assessor: Option<Text>,
    pub origin: Option<Origin>,
}

/// 问题记录 — one instance (每发现一例) found for a per-instance, deduction or veto clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingEntry {
    pub unit: Id,
    pub clause: Id,
    /// 问题描述, e.g. a defect of a guide or a case number.
    pub description: String,
    /// 佐证, optional.
    pub evidence: Option<String>,
    /// 问题类型, for a clause whose rule lists `types` (each with its own deduction); else `None`.
    pub finding_type: Option<String>,
    /// 酌情扣分: the points the assessor chose, for a clause or type with a `range`; else `None`.
    pub points: Option<Decimal>,
    /// 扣分理由 of the chosen points (required with `points`).
    pub reason: Option<String>,
    pub origin: Option<Origin>,
}

/// 检查记录 — who inspected a unit on a clause that requires one (`inspection = "required"`), and
/// when: with it and no findings the clause is full marks; without it the clause is missing (未检查).
/// `kaohe score` reads them from the inspections table (kaohe-tables); the service keeps them in the
/// store's `inspections` table (recorded on the unit page or through the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionEntry {
    pub unit: Id,
    pub clause: Id,
    /// 检查人.
    pub inspector: String,
    /// 检查日期.
    pub date: crate::date::Date,
    pub origin: Option<Origin>,
}

/// 加分 — bonus points awarded to a unit on a bonus clause, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BonusEntry {
    pub unit: Id,
    pub clause: Id,
    pub points: Decimal,
    pub reason: String,
    pub origin: Option<Origin>,
}

/// Everything one scoring run reads besides the rubric.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    pub units: Vec<Unit>,
    pub metrics: Vec<MetricEntry>,
    pub judgements: Vec<JudgementEntry>,
    pub findings: Vec<FindingEntry>,
    pub bonuses: Vec<BonusEntry>,
    /// 检查记录 of clauses that require them.
    pub inspections: Vec<InspectionEntry>,
}
