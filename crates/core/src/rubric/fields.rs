//! 字段 — the shared readers of a rubric's TOML tables: field getters (text, decimals written as text,
//! integers, lists, tables), the shared vocabulary (`better`, `ties`, a metric reference, point
//! checks) and problem reporting, each problem with its path (`条款 1.4.1 › rule › step`) and clause.
//! The loader ([`super::load`]) and every rule kind's parameters (`crate::rules`, through
//! [`RuleFields`]) read with these, so that one mistake reads the same wherever it is made.

use super::{Better, MAX_RUBRIC_NUMBER, MetricDef, TiePolicy};
use crate::num::parse_decimal;
use crate::problem::{Origin, Problem};
use rust_decimal::Decimal;
use toml::{Table, Value};

/// A problem sink over one rubric file, with the getters that report into it.
pub(crate) struct Fields {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl Fields {
    pub(crate) fn err(&mut self, path: &str, clause: Option<&str>, msg: String) {
        let mut p = Problem::error(msg).at(Some(Origin::file(&self.file).with_column(path)));
        if let Some(c) = clause {
            p = p.clause(c);
        }
        self.problems.push(p);
    }

    pub(crate) fn unknown_keys(
        &mut self,
        t: &Table,
        allowed: &[&str],
        path: &str,
        clause: Option<&str>,
    ) {
        for k in t.keys() {
            if !allowed.contains(&k.as_str()) {
                let here = join(path, k);
                self.err(
                    &here,
                    clause,
                    format!("未知字段“{k}”（可用字段：{}）", allowed.join("、")),
                );
            }
        }
    }

    pub(crate) fn string(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
    ) -> Option<String> {
        match t.get(key) {
            None => {
                self.err(&join(path, key), clause, format!("缺少必填字段“{key}”"));
                None
            }
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(Value::String(_)) => {
                self.err(&join(path, key), clause, format!("字段“{key}”不能为空"));
                None
            }
            Some(v) => {
                self.err(
                    &join(path, key),
                    clause,
                    format!("字段“{key}”应为文本，实为{}", type_name(v)),
                );
                None
            }
        }
    }

    pub(crate) fn opt_string(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
    ) -> Option<String> {
        if t.contains_key(key) {
            self.string(t, key, path, clause)
        } else {
            None
        }
    }

    /// A decimal written as a string (`"0.05"`), so that nothing passes through a float.
    pub(crate) fn decimal(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
    ) -> Option<Decimal> {
        match t.get(key) {
            None => {
                self.err(&join(path, key), clause, format!("缺少必填字段“{key}”"));
                None
            }
            Some(v) => self.decimal_value(v, &join(path, key), clause),
        }
    }

    fn decimal_value(&mut self, v: &Value, path: &str, clause: Option<&str>) -> Option<Decimal> {
        let d = self.decimal_any(v, path, clause)?;
        if d.abs() > Decimal::from(MAX_RUBRIC_NUMBER) {
            self.err(
                path,
                clause,
                format!(
                    "数值 {} 超出细则数值的范围（绝对值不超过 {MAX_RUBRIC_NUMBER}）",
                    d.normalize()
                ),
            );
            return None;
        }
        Some(d)
    }

    fn decimal_any(&mut self, v: &Value, path: &str, clause: Option<&str>) -> Option<Decimal> {
        match v {
            Value::String(s) => match parse_decimal(s) {
                Some(d) => Some(d),
                None => {
                    self.err(path, clause, format!("“{s}”不是十进制数（例：\"0.05\"）"));
                    None
                }
            },
            Value::Integer(i) => Some(Decimal::from(*i)),
            Value::Float(f) => {
                self.err(
                    path,
                    clause,
                    format!("分值请写成带引号的十进制文本（例：\"{f}\"），以免经过浮点数失真"),
                );
                None
            }
            other => {
                self.err(
                    path,
                    clause,
                    format!("应为十进制数，实为{}", type_name(other)),
                );
                None
            }
        }
    }

    pub(crate) fn opt_decimal(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
    ) -> Option<Decimal> {
        t.get(key)
            .and_then(|v| self.decimal_value(v, &join(path, key), clause))
    }

    pub(crate) fn integer(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
    ) -> Option<i64> {
        match t.get(key) {
            None => {
                self.err(&join(path, key), clause, format!("缺少必填字段“{key}”"));
                None
            }
            Some(Value::Integer(i)) => Some(*i),
            Some(v) => {
                self.err(
                    &join(path, key),
                    clause,
                    format!("字段“{key}”应为整数，实为{}", type_name(v)),
                );
                None
            }
        }
    }

    pub(crate) fn tables<'t>(
        &mut self,
        t: &'t Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
        required: bool,
    ) -> Vec<&'t Table> {
        match t.get(key) {
            None if required => {
                self.err(&join(path, key), clause, format!("缺少“{key}”列表"));
                Vec::new()
            }
            None => Vec::new(),
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for (i, v) in a.iter().enumerate() {
                    match v {
                        Value::Table(t) => out.push(t),
                        other => self.err(
                            &format!("{}[{}]", join(path, key), i + 1),
                            clause,
                            format!("应为表，实为{}", type_name(other)),
                        ),
                    }
                }
                out
            }
            Some(v) => {
                self.err(
                    &join(path, key),
                    clause,
                    format!("“{key}”应为表的列表，实为{}", type_name(v)),
                );
                Vec::new()
            }
        }
    }

    pub(crate) fn strings(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
    ) -> Vec<String> {
        match t.get(key) {
            None => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for v in a {
                    match v {
                        Value::String(s) => out.push(s.clone()),
                        other => self.err(
                            &join(path, key),
                            clause,
                            format!("“{key}”的元素应为文本，实为{}", type_name(other)),
                        ),
                    }
                }
                out
            }
            Some(v) => {
                self.err(
                    &join(path, key),
                    clause,
                    format!("“{key}”应为文本列表，实为{}", type_name(v)),
                );
                Vec::new()
            }
        }
    }

    pub(crate) fn ties(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
        default: TiePolicy,
    ) -> TiePolicy {
        match t.get(key) {
            None => default,
            Some(Value::String(s)) if s == "competition" => TiePolicy::Competition,
            Some(Value::String(s)) if s == "dense" => TiePolicy::Dense,
            Some(v) => {
                self.err(
                    &join(path, key),
                    clause,
                    format!(
                        "并列规则应为 \"competition\"（1,2,2,4）或 \"dense\"（1,2,2,3），实为 {v}"
                    ),
                );
                default
            }
        }
    }

    pub(crate) fn better(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
    ) -> Better {
        match t.get(key) {
            None => Better::Higher,
            Some(Value::String(s)) if s == "higher" => Better::Higher,
            Some(Value::String(s)) if s == "lower" => Better::Lower,
            Some(v) => {
                self.err(
                    &join(path, key),
                    clause,
                    format!("“{key}”应为 \"higher\"（越高越好）或 \"lower\"（越低越好），实为 {v}"),
                );
                Better::Higher
            }
        }
    }

    pub(crate) fn metric_ref(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        c: Option<&str>,
        metrics: &[MetricDef],
    ) -> Option<String> {
        let m = self.string(t, key, path, c)?;
        if !metrics.iter().any(|d| *d.key == *m) {
            let known: Vec<&str> = metrics.iter().map(|d| d.key.as_ref()).collect();
            self.err(
                &join(path, key),
                c,
                format!(
                    "指标“{m}”未在 [[metrics]] 中定义（已定义：{}）",
                    known.join("、")
                ),
            );
            return None;
        }
        Some(m)
    }

    pub(crate) fn points_le_max(
        &mut self,
        v: Option<Decimal>,
        max: Option<Decimal>,
        path: &str,
        c: Option<&str>,
        what: &str,
    ) {
        if let (Some(v), Some(max)) = (v, max) {
            if v < Decimal::ZERO {
                self.err(path, c, format!("{what}不能为负数：{}", v.normalize()));
            } else if v > max {
                self.err(
                    path,
                    c,
                    format!("{what} {} 超过条款满分 {}", v.normalize(), max.normalize()),
                );
            }
        }
    }

    pub(crate) fn positive(&mut self, v: Option<Decimal>, path: &str, c: Option<&str>, what: &str) {
        if let Some(v) = v
            && v <= Decimal::ZERO
        {
            self.err(path, c, format!("{what}应大于 0，实为 {}", v.normalize()));
        }
    }
}

/// Where a problem is, as a clerk reads it: `条款 1.4.1 › 计分规则（rule） › 每例扣分（per）` — each
/// key the rubric format knows in Chinese, with the file's own key beside it for whoever edits the
/// file; a key it does not know as it is.
pub(crate) fn join(path: &str, key: &str) -> String {
    let key = match key_label(key) {
        Some(label) => format!("{label}（{key}）"),
        None => key.to_string(),
    };
    if path.is_empty() {
        key
    } else {
        format!("{path} › {key}")
    }
}

/// The Chinese name of a key of the rubric format.
fn key_label(key: &str) -> Option<&'static str> {
    Some(match key {
        "rule" => "计分规则",
        "kind" => "规则类型",
        "text" => "原文",
        "title" => "名称",
        "id" => "编号",
        "max" => "满分",
        "points" => "分值",
        "per" => "每例扣分",
        "metric" => "指标",
        "metrics" => "指标数据",
        "ranges" => "区间",
        "tiers" => "档次",
        "parts" => "分项",
        "step" => "每档",
        "method" | "methods" => "考核方式",
        "items" => "项目",
        "subitems" => "子项",
        "clauses" => "考核点",
        "indicators" => "指标",
        "bands" => "等级",
        "applies_to" => "适用单位类型",
        "types" => "问题类型",
        "range" => "酌情范围",
        "inspection" => "检查记录",
        "content" => "考核内容",
        "standard" => "考核标准",
        "cap" | "total_cap" => "上限",
        "budget" => "共同扣分上限",
        "version" => "版本",
        "precision" => "小数位数",
        "ties" => "并列规则",
        "groups" => "排名组",
        "veto" => "一票否决",
        "threshold" => "门槛",
        "target" => "目标值",
        "weight" => "权重",
        _ => return None,
    })
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "文本",
        Value::Integer(_) => "整数",
        Value::Float(_) => "小数（浮点）",
        Value::Boolean(_) => "布尔值",
        Value::Datetime(_) => "日期时间",
        Value::Array(_) => "列表",
        Value::Table(_) => "表",
    }
}

/// What a rule kind reads its parameters with: the rule's table, where it sits, and what it needs of
/// the clause around it (its max, the rubric's metrics, the rubric's tie policy). Each getter takes a
/// key of the table and reports a problem at `<path> › <key>` for the clause.
pub(crate) struct RuleFields<'a> {
    pub f: &'a mut Fields,
    pub table: &'a Table,
    pub path: &'a str,
    pub clause: Option<&'a str>,
    /// The clause's max, when it loaded.
    pub max: Option<Decimal>,
    pub metrics: &'a [MetricDef],
    /// The rubric's tie policy: a ranking rule's default.
    pub ties: TiePolicy,
}

impl<'a> RuleFields<'a> {
    /// The same clause's reader over a table inside the rule (a part, a tier) at `path`.
    pub fn nested<'b>(&'b mut self, table: &'b Table, path: &'b str) -> RuleFields<'b> {
        RuleFields {
            f: &mut *self.f,
            table,
            path,
            clause: self.clause,
            max: self.max,
            metrics: self.metrics,
            ties: self.ties,
        }
    }
    pub fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }
    /// The path of a key of this table.
    pub fn at(&self, key: &str) -> String {
        join(self.path, key)
    }
    pub fn err(&mut self, key: &str, msg: String) {
        let path = self.at(key);
        self.f.err(&path, self.clause, msg);
    }
    pub fn unknown_keys(&mut self, allowed: &[&str]) {
        self.f
            .unknown_keys(self.table, allowed, self.path, self.clause);
    }
    pub fn string(&mut self, key: &str) -> Option<String> {
        self.f.string(self.table, key, self.path, self.clause)
    }
    pub fn opt_string(&mut self, key: &str) -> Option<String> {
        self.f.opt_string(self.table, key, self.path, self.clause)
    }
    pub fn decimal(&mut self, key: &str) -> Option<Decimal> {
        self.f.decimal(self.table, key, self.path, self.clause)
    }
    pub fn opt_decimal(&mut self, key: &str) -> Option<Decimal> {
        self.f.opt_decimal(self.table, key, self.path, self.clause)
    }
    /// A list of tables under `key`; `required`: its absence is a problem.
    pub fn tables(&mut self, key: &str, required: bool) -> Vec<&'a Table> {
        self.f
            .tables(self.table, key, self.path, self.clause, required)
    }
    /// `higher` (the default) or `lower`.
    pub fn better(&mut self, key: &str) -> Better {
        self.f.better(self.table, key, self.path, self.clause)
    }
    /// `competition` or `dense`; the rubric's policy by default.
    pub fn ties(&mut self, key: &str) -> TiePolicy {
        self.f
            .ties(self.table, key, self.path, self.clause, self.ties)
    }
    /// A metric key declared in `[[metrics]]`.
    pub fn metric(&mut self, key: &str) -> Option<String> {
        self.f
            .metric_ref(self.table, key, self.path, self.clause, self.metrics)
    }
    /// The declaration of a metric, when it is declared.
    pub fn metric_def(&self, key: &str) -> Option<&'a MetricDef> {
        self.metrics.iter().find(|d| *d.key == *key)
    }
    /// Checks that `v` (the value of `key`) is greater than 0.
    pub fn positive(&mut self, v: Option<Decimal>, key: &str, what: &str) {
        let path = self.at(key);
        self.f.positive(v, &path, self.clause, what);
    }
    /// Checks that points `v` (the value of `key`) are in [0, the clause's max].
    pub fn points_le_max(&mut self, v: Option<Decimal>, key: &str, what: &str) {
        let path = self.at(key);
        self.f.points_le_max(v, self.max, &path, self.clause, what);
    }
    /// Checks that a clause kept apart from the base score (veto, bonus) has max 0.
    pub fn zero_max(&mut self, what: &str) {
        if let Some(m) = self.max
            && !m.is_zero()
        {
            self.err(
                "kind",
                format!(
                    "{what}条款不计入基础分，满分应为 \"0\"，实为 {}",
                    m.normalize()
                ),
            );
        }
    }
}
