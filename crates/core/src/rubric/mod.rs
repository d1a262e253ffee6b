//! 细则 — the rubric as typed data: 指标 (indicator) → 类目 (item) → 条款 (clause), each clause with its
//! verbatim 原文 and a typed [`Rule`]. Loaded from TOML text by [`load`]; see `rubrics/rudong-2021.toml`.
//! Written back in one canonical form by [`write`]. Depths other than three levels (a clause directly
//! under its indicator, or under a 子类目) and the separate texts 考核内容 / 考核标准 / 考核办法 are
//! described in [`levels`](self::levels).

mod bounds;
pub(crate) mod fields;
pub mod levels;
mod load;
pub mod shapes;
pub mod sheet;
pub mod write;

/// A clause's rule: its kinds and their parameters live in [`crate::rules`], one file per kind.
pub use crate::rules::Rule;
pub use bounds::{MAX_CLAUSES, MAX_RUBRIC_BYTES, MAX_RUBRIC_NUMBER, load_bytes};
pub use load::{load, sha256_hex};
pub use shapes::Shapes;
pub use write::{normalized_sha256, write};

use rust_decimal::Decimal;

/// 细则 — one version of an assessment rubric.
#[derive(Debug, Clone)]
pub struct Rubric {
    /// e.g. `rudong-2021`
    pub id: String,
    pub title: String,
    pub year: i32,
    pub version: String,
    /// 来源: the document the rubric transcribes.
    pub source: String,
    /// 类别, e.g. 政务服务
    pub category: String,
    pub max_total: Decimal,
    /// Decimal places each clause score is rounded to, once.
    pub precision: u32,
    /// 并列规则 for every ranking unless a clause says otherwise.
    pub ties: TiePolicy,
    /// sha256 of the rubric file's bytes, recorded with every result.
    pub sha256: String,
    pub metrics: Vec<MetricDef>,
    pub indicators: Vec<Indicator>,
    /// All clauses in the rubric's order; items refer to them by index.
    pub clauses: Vec<Clause>,
    /// 定档 bands on the total, highest first; empty when the rubric sets none.
    pub grades: Vec<Grade>,
    /// 总分上限 ("总分最高不超过110分"): the total (base + bonus − penalty) never exceeds it.
    pub total_cap: Option<Decimal>,
    /// Rubric-level shapes: unit kinds, 不适用, ranking groups, 考核方式, veto grade, rank policy.
    pub shapes: Shapes,
}

impl Rubric {
    /// The clauses a reporter of a unit of `kind` self-assesses (自评): the judgement clauses that
    /// apply to the kind — the ones scored by a person, not computed from data. What 提交自评 and
    /// the reporter's 待办 count.
    pub fn self_assessed<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Clause> + 'a {
        self.clauses
            .iter()
            .filter(move |c| matches!(c.rule, Rule::Judgement) && c.applies(kind))
    }

    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| *c.id == *id)
    }
    pub fn clause_index(&self, id: &str) -> Option<usize> {
        self.clauses.iter().position(|c| *c.id == *id)
    }
    pub fn metric(&self, key: &str) -> Option<&MetricDef> {
        self.metrics.iter().find(|m| *m.key == *key)
    }
    pub fn metric_index(&self, key: &str) -> Option<usize> {
        self.metrics.iter().position(|m| *m.key == *key)
    }
}

/// 指标 — a top-level indicator, e.g. 政务服务规范化建设（1分）.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub max: Decimal,
    pub items: Vec<Item>,
    /// 共享扣分额度 over all its clauses ([`crate::budget`]).
    pub budget: Option<crate::budget::Budget>,
}

/// 类目 — an item of an indicator, e.g. 网上服务 (0.2).
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub name: String,
    pub max: Decimal,
    /// Indices into [`Rubric::clauses`]: all the item's clauses, those of its 子类目 included.
    pub clauses: Vec<usize>,
    /// The item stands for its indicator, whose clauses sit directly under it (two levels; its id,
    /// name and max are the indicator's). See [`levels`].
    pub implicit: bool,
    /// 子类目 (four levels); empty when the item's clauses sit directly under it.
    pub subitems: Vec<Subitem>,
    /// 共享扣分额度 over its clauses ([`crate::budget`]).
    pub budget: Option<crate::budget::Budget>,
}

/// 子类目 — a fourth level between an item and its clauses (see [`levels`]).
#[derive(Debug, Clone)]
pub struct Subitem {
    pub id: String,
    pub name: String,
    pub max: Decimal,
    /// Indices into [`Rubric::clauses`].
    pub clauses: Vec<usize>,
}

/// 考核方式 — how the assessors learn the facts of a clause: one of the rubric's own list
/// (`methods`, see [`shapes`]); the three of kaohe's first rubric have their own variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// 看现场
    SiteVisit,
    /// 查资料
    Documents,
    /// 平台数据
    PlatformData,
    /// Another method of the rubric's list, e.g. 暗访, 问卷, 第三方测评.
    Other(String),
}

impl Method {
    pub fn label(&self) -> &str {
        match self {
            Method::SiteVisit => "看现场",
            Method::Documents => "查资料",
            Method::PlatformData => "平台数据",
            Method::Other(m) => m,
        }
    }
    /// The method named `s`, whatever the list (the caller checks it is in the rubric's list).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "看现场" => Some(Method::SiteVisit),
            "查资料" => Some(Method::Documents),
            "平台数据" => Some(Method::PlatformData),
            "" => None,
            other => Some(Method::Other(other.to_string())),
        }
    }
}

/// 条款 — the scoring leaf: verbatim text, max points, typed rule.
#[derive(Debug, Clone)]
pub struct Clause {
    pub id: crate::input::Id,
    /// A short title for tables, e.g. `事项认领率`.
    pub title: String,
    /// 原文: the seed's paragraph, verbatim.
    pub text: String,
    /// 考核内容, verbatim, when the rubric gives it apart from 考核标准 (see [`levels`]).
    pub content: Option<String>,
    /// 考核标准, verbatim.
    pub standard: Option<String>,
    /// 考核办法 (the rubric's own words on how it is assessed), verbatim.
    pub method_text: Option<String>,
    pub max: Decimal,
    pub methods: Vec<Method>,
    /// 检查要点: what an assessor checks (shown as a checklist; not a formula).
    pub checkpoints: Vec<String>,
    pub rule: Rule,
    /// 适用单位类型 (`applies_to`): the kinds this clause applies to; `None` for every kind.
    pub applies_to: Option<Vec<String>>,
    /// Index of the indicator and of the item within it.
    pub indicator: usize,
    pub item: usize,
    /// Index of the 子类目 within the item, in a four-level rubric.
    pub subitem: Option<usize>,
}

impl Clause {
    /// Bonus clauses are kept apart from the base score.
    pub fn is_bonus(&self) -> bool {
        matches!(self.rule, Rule::Bonus { .. })
    }
    /// 扣分项 clauses are subtracted from the total, outside the base (their score is −points).
    pub fn is_penalty(&self) -> bool {
        matches!(self.rule, Rule::Penalty { .. })
    }

    /// Whether the clause applies to a unit of `kind` (`applies_to`).
    pub fn applies(&self, kind: &str) -> bool {
        self.applies_to
            .as_ref()
            .is_none_or(|k| k.iter().any(|x| x == kind))
    }
}

/// 并列规则 — how equal values share ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TiePolicy {
    /// 1, 2, 2, 4 (the default)
    Competition,
    /// 1, 2, 2, 3
    Dense,
}

impl TiePolicy {
    pub fn key(self) -> &'static str {
        match self {
            TiePolicy::Competition => "competition",
            TiePolicy::Dense => "dense",
        }
    }
    /// The policy as a rule's description says it.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            TiePolicy::Competition => "并列同分、后续名次顺延",
            TiePolicy::Dense => "并列同分、后续名次不顺延",
        }
    }
}

/// Whether a higher or a lower value of a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

impl Better {
    /// The order of a ranking as a rule's description says it.
    pub(crate) fn order(self) -> &'static str {
        match self {
            Better::Higher => "从高到低",
            Better::Lower => "从低到高",
        }
    }
}

/// 指标数据 — a metric the rules read, declared in the rubric so that inputs and explanations know
/// its name and its kind.
#[derive(Debug, Clone)]
pub struct MetricDef {
    pub key: crate::input::Id,
    /// Chinese name for explanations, e.g. 认领率.
    pub name: String,
    pub kind: MetricKind,
    /// How a bare number (no `%`) of a rate is read: as a fraction (0.987) or as a percent (98.7).
    pub bare_percent: bool,
    /// 计量单位 for counts, e.g. 件, 例.
    pub unit_label: String,
}

/// The kind of a metric's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// 比率: a fraction in [0, 1], shown as a percentage.
    Rate,
    /// 计数: a whole number ≥ 0.
    Count,
    /// 数值: any number ≥ 0.
    Number,
}

impl MetricDef {
    /// A value of this metric as a clerk reads it: a rate as a percentage, a count with its unit
    /// label (认领率 98.70%, 超期办件 27件).
    pub fn show(&self, v: Decimal) -> String {
        use crate::num::{count, percent, pts};
        match self.kind {
            MetricKind::Rate => percent(v),
            MetricKind::Count => {
                let n = v.trunc().try_into().unwrap_or(u64::MAX);
                format!("{}{}", count(n), self.unit_label)
            }
            MetricKind::Number => format!("{}{}", pts(v), self.unit_label),
        }
    }
}

impl MetricKind {
    /// What a value of this kind must be, when `value` is not: a rate in [0, 1], a count a whole
    /// number ≥ 0, a number ≥ 0.
    pub fn out_of_range(self, value: rust_decimal::Decimal) -> Option<&'static str> {
        use rust_decimal::Decimal;
        match self {
            MetricKind::Rate if value < Decimal::ZERO || value > Decimal::ONE => {
                Some("0 到 1 之间的比率（或 0% 到 100%）")
            }
            MetricKind::Count if value < Decimal::ZERO || !value.fract().is_zero() => {
                Some("不小于 0 的整数")
            }
            MetricKind::Number if value < Decimal::ZERO => Some("不小于 0 的数"),
            _ => None,
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            MetricKind::Rate => "rate",
            MetricKind::Count => "count",
            MetricKind::Number => "number",
        }
    }
}

/// 档次 — a grade band: a total of at least `min_ratio × max_total` earns `name`.
#[derive(Debug, Clone)]
pub struct Grade {
    pub name: String,
    pub min_ratio: Decimal,
}

impl Rubric {
    /// A metric as a description names it: `认领率（claim_rate）`.
    pub(crate) fn metric_name(&self, key: &str) -> String {
        self.metric(key)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| key.to_string())
    }

    /// A value of a metric as a description shows it (a threshold, a target).
    pub(crate) fn threshold(&self, key: &str, v: Decimal) -> String {
        match self.metric(key) {
            Some(m) => m.show(v),
            None => crate::num::pts(v),
        }
    }

    /// The rule of a clause in one Chinese line, e.g. for `kaohe rubric show` and the rubric page.
    pub fn describe_rule(&self, c: &Clause) -> String {
        c.rule.describe(self, c)
    }
}
