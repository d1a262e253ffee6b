//! 细则 — the rubric as typed data: 指标 (indicator) → 类目 (item) → 条款 (clause), each clause with its
//! verbatim 原文 and a typed [`Rule`]. Loaded from TOML text by [`load`]; see `rubrics/rudong-2021.toml`.

mod bounds;
mod load;

pub use bounds::{MAX_CLAUSES, MAX_RUBRIC_BYTES, MAX_RUBRIC_NUMBER, load_bytes};
pub use load::{load, sha256_hex};

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
}

impl Rubric {
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
}

/// 类目 — an item of an indicator, e.g. 网上服务 (0.2).
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub name: String,
    pub max: Decimal,
    /// Indices into [`Rubric::clauses`].
    pub clauses: Vec<usize>,
}

/// 考核方式 — how the assessors learn the facts of a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// 看现场
    SiteVisit,
    /// 查资料
    Documents,
    /// 平台数据
    PlatformData,
}

impl Method {
    pub fn label(self) -> &'static str {
        match self {
            Method::SiteVisit => "看现场",
            Method::Documents => "查资料",
            Method::PlatformData => "平台数据",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "看现场" => Some(Method::SiteVisit),
            "查资料" => Some(Method::Documents),
            "平台数据" => Some(Method::PlatformData),
            _ => None,
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
    pub max: Decimal,
    pub methods: Vec<Method>,
    /// 检查要点: what an assessor checks (shown as a checklist; not a formula).
    pub checkpoints: Vec<String>,
    pub rule: Rule,
    /// Index of the indicator and of the item within it.
    pub indicator: usize,
    pub item: usize,
}

impl Clause {
    /// Bonus clauses are kept apart from the base score.
    pub fn is_bonus(&self) -> bool {
        matches!(self.rule, Rule::Bonus { .. })
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
}

/// Whether a higher or a lower value of a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
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

/// One part of a composite ranking.
#[derive(Debug, Clone)]
pub struct RankPart {
    pub metric: String,
    pub better: Better,
    pub weight: Decimal,
}

/// One step of a threshold ladder: a value at least (or, for lower-is-better, at most) `threshold`
/// earns `points`.
#[derive(Debug, Clone)]
pub struct Tier {
    pub threshold: Decimal,
    pub points: Decimal,
}

/// How a proportional rule deducts.
#[derive(Debug, Clone)]
pub enum ProportionalMode {
    /// 比率法: `max × min(1, actual / target)`
    Ratio,
    /// 每低1个百分点扣X分: `max(0, max − X × (target − actual) × 100)`
    PerPoint { per_point: Decimal },
}

/// 计分规则 — the typed rule of a clause. The engine dispatches on these kinds, never on clause ids.
#[derive(Debug, Clone)]
pub enum Rule {
    /// 评定: an assessor awards a score in [0, max]; below max needs a reason.
    Judgement,
    /// 每发现一例扣B分: `max(0, max − B × n)`; n from a count metric or from findings rows.
    PerInstance {
        per: Decimal,
        metric: Option<String>,
    },
    /// 每缺一项扣X分，最多扣C分: `max(0, max − min(C, X × n))`.
    Deduction {
        per: Decimal,
        cap: Decimal,
        metric: Option<String>,
    },
    /// 按X排名，第一名得A分，其余按名次依次扣减B分: `max(0, A − B × (rank − 1))`.
    RankStep {
        metric: String,
        better: Better,
        first: Decimal,
        step: Decimal,
        ties: TiePolicy,
    },
    /// 综合排名: ranks per metric, summed with weights, ranked again, scored as rank_step.
    CompositeRank {
        parts: Vec<RankPart>,
        first: Decimal,
        step: Decimal,
        ties: TiePolicy,
    },
    /// 按第1名的比例得分: `A × value / best` (`A × best / value` when lower is better).
    RankRatio {
        metric: String,
        better: Better,
        points: Decimal,
        /// Only the first `top` ranks score by ratio; the others get `beyond`.
        top: Option<u32>,
        beyond: Decimal,
        ties: TiePolicy,
    },
    /// 按比例扣分 below a target.
    Proportional {
        metric: String,
        target: Decimal,
        mode: ProportionalMode,
    },
    /// 阶梯: the highest tier reached; below every tier, 0.
    Tiers {
        metric: String,
        better: Better,
        tiers: Vec<Tier>,
    },
    /// 加分: assessors add points with a reason, apart from the base score.
    Bonus { cap: Option<Decimal> },
    /// 单项否决: a finding marks the unit 不合格 whatever its points.
    Veto,
}

impl Rule {
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Judgement => "judgement",
            Rule::PerInstance { .. } => "per_instance",
            Rule::Deduction { .. } => "deduction",
            Rule::RankStep { .. } => "rank_step",
            Rule::CompositeRank { .. } => "composite_rank",
            Rule::RankRatio { .. } => "rank_ratio",
            Rule::Proportional { .. } => "proportional",
            Rule::Tiers { .. } => "tiers",
            Rule::Bonus { .. } => "bonus",
            Rule::Veto => "veto",
        }
    }

    /// The Chinese name of the rule kind.
    pub fn label(&self) -> &'static str {
        match self {
            Rule::Judgement => "考核员评定",
            Rule::PerInstance { .. } => "每例扣分",
            Rule::Deduction { .. } => "逐项扣分（封顶）",
            Rule::RankStep { .. } => "排名递减",
            Rule::CompositeRank { .. } => "综合排名递减",
            Rule::RankRatio { .. } => "按第1名比例",
            Rule::Proportional { .. } => "按比例扣分",
            Rule::Tiers { .. } => "阶梯计分",
            Rule::Bonus { .. } => "加分",
            Rule::Veto => "单项否决",
        }
    }

    /// Metrics this rule reads.
    pub fn metrics(&self) -> Vec<&str> {
        match self {
            Rule::PerInstance { metric, .. } | Rule::Deduction { metric, .. } => {
                metric.iter().map(String::as_str).collect()
            }
            Rule::RankStep { metric, .. }
            | Rule::RankRatio { metric, .. }
            | Rule::Proportional { metric, .. }
            | Rule::Tiers { metric, .. } => vec![metric.as_str()],
            Rule::CompositeRank { parts, .. } => parts.iter().map(|p| p.metric.as_ref()).collect(),
            Rule::Judgement | Rule::Bonus { .. } | Rule::Veto => Vec::new(),
        }
    }

    /// The metric that gives this rule's count n (例数) as a number, when findings rows are not the
    /// only source: per-instance and deduction rules that name one.
    pub fn count_metric(&self) -> Option<&str> {
        match self {
            Rule::PerInstance { metric, .. } | Rule::Deduction { metric, .. } => metric.as_deref(),
            _ => None,
        }
    }

    /// Whether findings rows (问题记录) feed this rule.
    pub fn takes_findings(&self) -> bool {
        matches!(
            self,
            Rule::PerInstance { .. } | Rule::Deduction { .. } | Rule::Veto
        )
    }
}

/// 档次 — a grade band: a total of at least `min_ratio × max_total` earns `name`.
#[derive(Debug, Clone)]
pub struct Grade {
    pub name: String,
    pub min_ratio: Decimal,
}

impl Rubric {
    fn metric_name(&self, key: &str) -> String {
        self.metric(key)
            .map(|m| format!("{}（{}）", m.name, m.key))
            .unwrap_or_else(|| key.to_string())
    }

    fn threshold(&self, key: &str, v: Decimal) -> String {
        match self.metric(key) {
            Some(m) => m.show(v),
            None => crate::num::pts(v),
        }
    }

    /// The rule of a clause in one Chinese line, e.g. for `kaohe rubric show` and the rubric page.
    pub fn describe_rule(&self, c: &Clause) -> String {
        use crate::num::pts;
        let better = |b: Better| match b {
            Better::Higher => "从高到低",
            Better::Lower => "从低到高",
        };
        let ties = |t: TiePolicy| match t {
            TiePolicy::Competition => "并列同分、后续名次顺延",
            TiePolicy::Dense => "并列同分、后续名次不顺延",
        };
        match &c.rule {
            Rule::Judgement => format!("考核员评定 0 至 {} 分，低于满分须写扣分理由", pts(c.max)),
            Rule::PerInstance { per, metric } => format!(
                "每发现一例扣 {}，扣完为止（例数来自{}）",
                pts(*per),
                metric
                    .as_deref()
                    .map(|m| format!("指标 {} 或问题记录", self.metric_name(m)))
                    .unwrap_or_else(|| "问题记录".into())
            ),
            Rule::Deduction { per, cap, metric } => format!(
                "每项扣 {}，最多扣 {}（例数来自{}）",
                pts(*per),
                pts(*cap),
                metric
                    .as_deref()
                    .map(|m| format!("指标 {} 或问题记录", self.metric_name(m)))
                    .unwrap_or_else(|| "问题记录".into())
            ),
            Rule::RankStep {
                metric,
                better: b,
                first,
                step,
                ties: t,
            } => format!(
                "按{}{}排名，第一名得 {}，其余按名次依次扣减 {}（{}）",
                self.metric_name(metric),
                better(*b),
                pts(*first),
                pts(*step),
                ties(*t)
            ),
            Rule::CompositeRank {
                parts,
                first,
                step,
                ties: t,
            } => format!(
                "按{}的名次{}综合排名，第一名得 {}，其余按名次依次扣减 {}（{}）",
                parts
                    .iter()
                    .map(|p| format!("{}{}", self.metric_name(&p.metric), better(p.better)))
                    .collect::<Vec<_>>()
                    .join("、"),
                if parts.iter().all(|p| p.weight == Decimal::ONE) {
                    "之和".to_string()
                } else {
                    format!(
                        "加权之和（权重 {}）",
                        parts
                            .iter()
                            .map(|p| pts(p.weight))
                            .collect::<Vec<_>>()
                            .join(":")
                    )
                },
                pts(*first),
                pts(*step),
                ties(*t)
            ),
            Rule::RankRatio {
                metric,
                better: b,
                points,
                top,
                beyond,
                ..
            } => format!(
                "按{}{}排名，第1名得 {}，其余按与第1名的比例得分{}",
                self.metric_name(metric),
                better(*b),
                pts(*points),
                top.map(|n| format!("；第{}名之后得 {}", n, pts(*beyond)))
                    .unwrap_or_default()
            ),
            Rule::Proportional {
                metric,
                target,
                mode,
            } => match mode {
                ProportionalMode::Ratio => format!(
                    "{}达到 {} 得满分，不足的按比例得分：满分 × 实际 ÷ 目标",
                    self.metric_name(metric),
                    self.threshold(metric, *target)
                ),
                ProportionalMode::PerPoint { per_point } => format!(
                    "{}达到 {} 得满分，每低 1 个百分点扣 {}，扣完为止",
                    self.metric_name(metric),
                    self.threshold(metric, *target),
                    pts(*per_point)
                ),
            },
            Rule::Tiers {
                metric,
                better: b,
                tiers,
            } => {
                let op = if *b == Better::Higher { "≥" } else { "≤" };
                format!(
                    "按{}分档：{}；未达最低档得 0",
                    self.metric_name(metric),
                    tiers
                        .iter()
                        .map(|t| format!(
                            "{op} {} 得 {}",
                            self.threshold(metric, t.threshold),
                            pts(t.points)
                        ))
                        .collect::<Vec<_>>()
                        .join("，")
                )
            }
            Rule::Bonus { cap } => match cap {
                Some(c) => format!("特色加分，另计，不计入基础分，上限 {}", pts(*c)),
                None => "特色加分，另计，不计入基础分，不设上限".into(),
            },
            Rule::Veto => "单项否决：发现即评为不合格，不论得分".into(),
        }
    }
}
