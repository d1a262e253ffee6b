//! The draft as a tree of 类目, 项目 and 考核点 with their fields, for the editor page.

use super::*;

/// A level of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Level {
    Indicator,
    Item,
    Subitem,
    Clause,
}

impl Level {
    pub fn key(self) -> &'static str {
        match self {
            Level::Indicator => "i",
            Level::Item => "t",
            Level::Subitem => "s",
            Level::Clause => "c",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "i" => Level::Indicator,
            "t" => Level::Item,
            "s" => Level::Subitem,
            "c" => Level::Clause,
            _ => return None,
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            Level::Indicator => "指标",
            Level::Item => "类目",
            Level::Subitem => "子类目",
            Level::Clause => "条款",
        }
    }
    /// The key of its tables' array in its parent.
    pub(super) fn array(self) -> &'static str {
        match self {
            Level::Indicator => "indicators",
            Level::Item => "items",
            Level::Subitem => "subitems",
            Level::Clause => "clauses",
        }
    }
}

/// One node of the draft's tree, as the editor shows it (read from the TOML table, so that a draft
/// with problems still shows whole).
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub level: Level,
    pub level_key: &'static str,
    pub level_label: &'static str,
    pub id: String,
    /// 名称 (indicator, item) or 标题 (clause).
    pub name: String,
    pub max: String,
    /// Clauses: 原文, 考核内容, 考核标准, 考核办法, 考核方式 (joined with 、).
    pub text: String,
    pub content: String,
    pub standard: String,
    pub method_text: String,
    pub methods: String,
    pub kind: String,
    pub kind_label: String,
    pub params: Vec<ParamField>,
    /// Clauses may be added under it (an item, a sub-item, or an indicator without items).
    pub takes_clauses: bool,
    /// Items may be added under it (an indicator without clauses of its own).
    pub takes_items: bool,
    pub children: Vec<Node>,
    /// The problems that name this clause.
    pub problems: Vec<String>,
}

/// One parameter of a clause's rule, as a form field: its key, its value as text, and what it means.
#[derive(Debug, Clone, Serialize)]
pub struct ParamField {
    pub key: &'static str,
    /// Its name in Chinese.
    pub name: &'static str,
    pub value: String,
    pub help: &'static str,
    pub example: &'static str,
    /// The values it may take with their Chinese names (a list to choose from), or empty (typed).
    pub choices: Vec<(String, String)>,
}

/// The rubric's own fields the editor shows.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Head {
    pub title: String,
    pub version: String,
    pub source: String,
    pub max_total: String,
    /// The methods a clause may name (the rubric's list, or kaohe's three).
    pub methods: Vec<String>,
}

/// The draft as the editor shows it.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Tree {
    pub head: Head,
    pub indicators: Vec<Node>,
}

pub(super) fn text_of(t: &Table, key: &str) -> String {
    match t.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Integer(i)) => i.to_string(),
        Some(Value::Float(f)) => f.to_string(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join("、"),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

/// A parameter's value as its form field shows it: text as it is, a whole number, a list of small
/// tables as the Excel sheet writes it (`0.8:2；0.7:1.5`), anything else in TOML's inline form.
pub(super) fn param_text(key: &str, v: &Value, metrics: &[(String, String)]) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Array(_) if key == "range" => range_text(v).unwrap_or_else(|| v.to_string()),
        Value::Array(a) if key == "types" => types_text(a).unwrap_or_else(|| v.to_string()),
        Value::Array(a) => {
            if let Some((_, fields)) = rubric::sheet::LISTS.iter().find(|(k, _)| *k == key)
                && a.iter().all(Value::is_table)
            {
                return a
                    .iter()
                    .filter_map(Value::as_table)
                    .map(|t| {
                        fields
                            .iter()
                            .map(|f| text_of(t, f))
                            .collect::<Vec<_>>()
                            .join(":")
                            .trim_end_matches(':')
                            .to_string()
                    })
                    .map(|t| match key {
                        "parts" => part_shown(&t, metrics),
                        _ => t,
                    })
                    .collect::<Vec<_>>()
                    .join("；");
            }
            v.to_string()
        }
        other => other.to_string(),
    }
}

/// `["2", "5"]` as the Excel sheet writes it: `2-5`.
fn range_text(v: &Value) -> Option<String> {
    match v.as_array()?.as_slice() {
        [Value::String(lo), Value::String(hi)] => Some(format!("{lo}-{hi}")),
        _ => None,
    }
}

/// `[{ name, per }, { name, range }]` as the Excel sheet writes it: `标识不醒目:1；情节较重:2-5`.
fn types_text(a: &[Value]) -> Option<String> {
    let each = |t: &Table| -> Option<String> {
        let name = t.get("name")?.as_str()?;
        let points = match (t.get("per"), t.get("range")) {
            (Some(Value::String(per)), None) => per.clone(),
            (None, Some(r)) => range_text(r)?,
            _ => return None,
        };
        Some(format!("{name}:{points}"))
    };
    let parts: Option<Vec<String>> = a.iter().map(|v| each(v.as_table()?)).collect();
    Some(parts?.join("；"))
}

/// One part of a 综合排名 as a clerk reads it: the metric by its name, the direction 高 or 低
/// (`网办量:高:1`), from the sheet's `online_volume:higher:1`.
fn part_shown(entry: &str, metrics: &[(String, String)]) -> String {
    let mut f: Vec<String> = entry.split(':').map(str::to_string).collect();
    if let Some(m) = f.first_mut()
        && let Some((_, name)) = metrics.iter().find(|(k, n)| k == m && !n.is_empty())
    {
        *m = name.clone();
    }
    if let Some(b) = f.get_mut(1) {
        match b.as_str() {
            "higher" => *b = "高".into(),
            "lower" => *b = "低".into(),
            _ => {}
        }
    }
    f.join(":")
}

/// A 综合排名 typed as [`part_shown`] shows it, in the sheet's words: names to metric keys, 高/低
/// to higher/lower; a direction that is neither is refused here, in the clerk's words.
fn parts_typed(cell: &str, metrics: &[(String, String)]) -> Result<String, String> {
    let mut out = Vec::new();
    for entry in cell.split(['；', ';']) {
        let mut f: Vec<String> = entry
            .split([':', '：'])
            .map(|x| x.trim().to_string())
            .collect();
        if let Some(m) = f.first_mut()
            && let Some((key, _)) = metrics.iter().find(|(_, n)| n == m && !n.is_empty())
        {
            *m = key.clone();
        }
        if let Some(b) = f.get_mut(1) {
            *b = match b.as_str() {
                "高" | "higher" => "higher".into(),
                "低" | "lower" => "lower".into(),
                "" => String::new(),
                other => {
                    return Err(format!(
                        "“{}”的方向“{other}”应为 高（数值高者在前）或 低（数值低者在前）",
                        entry.trim()
                    ));
                }
            };
        }
        out.push(f.join(":"));
    }
    Ok(out.join("；"))
}

/// A parameter's value from its form field, or what is wrong with it (in Chinese); `metrics` are
/// the draft's (key, name), for a 综合排名 written with names.
pub(super) fn param_value(
    key: &str,
    cell: &str,
    metrics: &[(String, String)],
) -> Result<Value, String> {
    let cell = cell.trim();
    match key {
        "parts" => rubric::sheet::param_value(key, &parts_typed(cell, metrics)?)
            .map(|v| v.unwrap_or_else(|| Value::String(String::new()))),
        // Lists and tables of their own: written as TOML (the help gives the example).
        // also as TOML, the way the rubric file writes them
        "types" | "range" if cell.starts_with('[') => {
            let t: Table = format!("v = {cell}")
                .parse()
                .map_err(|_| format!("“{cell}”的写法有误，例：{}", param_help("", key).1))?;
            Ok(t.get("v").cloned().unwrap_or(Value::String(String::new())))
        }
        // as the Excel sheet writes them: 标识不醒目:1；情节较重:2-5, 2-5, 是
        _ => rubric::sheet::param_value(key, cell)
            .map(|v| v.unwrap_or_else(|| Value::String(String::new()))),
    }
}

/// The methods a clause may name: the rubric's list (`methods`), or kaohe's three.
pub(super) fn methods_of(t: &Table) -> Vec<String> {
    match t.get("methods") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Table(t) => t.get("name").and_then(Value::as_str).map(str::to_string),
                _ => None,
            })
            .collect(),
        _ => vec!["看现场".into(), "查资料".into(), "平台数据".into()],
    }
}

/// The editor's tree of a draft's text (empty when it is not TOML: the TOML box shows it then).
pub fn tree_of(text: &str, problems: &[Problem]) -> Tree {
    match text.parse::<Table>() {
        Ok(t) => tree(&t, problems),
        Err(_) => Tree::default(),
    }
}

/// The editor's tree of the draft's table, with each clause's problems beside it.
pub fn tree(t: &Table, problems: &[Problem]) -> Tree {
    let head = Head {
        title: text_of(t, "title"),
        version: text_of(t, "version"),
        source: text_of(t, "source"),
        max_total: text_of(t, "max_total"),
        methods: methods_of(t),
    };
    let metrics: Vec<(String, String)> = tables(t, "metrics")
        .iter()
        .map(|m| (text_of(m, "key"), text_of(m, "name")))
        .collect();
    let indicators = tables(t, "indicators")
        .iter()
        .map(|ind| node(Level::Indicator, ind, problems, &metrics))
        .collect();
    Tree { head, indicators }
}

pub(super) fn tables<'a>(t: &'a Table, key: &str) -> Vec<&'a Table> {
    match t.get(key) {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_table).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn node(
    level: Level,
    t: &Table,
    problems: &[Problem],
    metrics: &[(String, String)],
) -> Node {
    let id = text_of(t, "id");
    let mut n = Node {
        level,
        level_key: level.key(),
        level_label: level.label(),
        id: id.clone(),
        name: String::new(),
        max: text_of(t, "max"),
        text: String::new(),
        content: String::new(),
        standard: String::new(),
        method_text: String::new(),
        methods: String::new(),
        kind: String::new(),
        kind_label: String::new(),
        params: Vec::new(),
        takes_clauses: false,
        takes_items: false,
        children: Vec::new(),
        problems: Vec::new(),
    };
    match level {
        Level::Clause => {
            n.name = text_of(t, "title");
            n.text = text_of(t, "text");
            n.content = text_of(t, "content");
            n.standard = text_of(t, "standard");
            n.method_text = text_of(t, "method_text");
            n.methods = text_of(t, "method");
            let rule = t.get("rule").and_then(Value::as_table);
            n.kind = rule.map(|r| text_of(r, "kind")).unwrap_or_default();
            n.kind_label = kind_label(&n.kind).to_string();
            if let Some(keys) = kaohe_core::rules::kind_keys(&n.kind) {
                n.params = keys
                    .into_iter()
                    .map(|key| {
                        let (help, example) = param_help(&n.kind, key);
                        let value = rule
                            .and_then(|r| r.get(key))
                            .map(|v| param_text(key, v, metrics))
                            .unwrap_or_default();
                        ParamField {
                            key,
                            name: param_name(key),
                            choices: choices(key, &value, metrics),
                            value,
                            help,
                            example,
                        }
                    })
                    .collect();
            }
            n.problems = problems
                .iter()
                .filter(|p| p.clause.as_deref() == Some(id.as_str()))
                .map(|p| p.to_string())
                .collect();
        }
        _ => {
            n.name = text_of(t, "name");
            let (clauses, below) = match level {
                Level::Indicator => (tables(t, "clauses"), tables(t, "items")),
                Level::Item => (tables(t, "clauses"), tables(t, "subitems")),
                _ => (tables(t, "clauses"), Vec::new()),
            };
            let sub = match level {
                Level::Indicator => Level::Item,
                _ => Level::Subitem,
            };
            n.takes_clauses = below.is_empty();
            n.takes_items = level == Level::Indicator && clauses.is_empty();
            n.children = below
                .iter()
                .map(|c| node(sub, c, problems, metrics))
                .chain(
                    clauses
                        .iter()
                        .map(|c| node(Level::Clause, c, problems, metrics)),
                )
                .collect();
        }
    }
    n
}

/// A kind's Chinese name, or the kind itself when unknown.
pub fn kind_label(kind: &str) -> &str {
    kaohe_core::rules::kinds()
        .into_iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, l)| l)
}

/// A parameter's name in Chinese.
pub fn param_name(key: &str) -> &'static str {
    match key {
        "per" => "每例扣分",
        "cap" => "上限",
        "metric" => "指标数据",
        "better" => "名次方向",
        "first" => "第一名得分",
        "step" => "名次扣减分",
        "ties" => "并列规则",
        "parts" => "综合排名指标",
        "points" => "第1名得分",
        "top" => "前几名按比例",
        "beyond" => "名次以外得分",
        "target" => "目标值",
        "mode" => "算法",
        "per_point" => "每百分点扣分",
        "tiers" => "阶梯",
        "types" => "问题类型",
        "range" => "酌情扣分范围",
        "word" => "件数说法",
        "inspection" => "检查记录",
        _ => "参数",
    }
}

/// The values a parameter may take, with their Chinese names, when it takes one of a few (the
/// first, empty, leaves it at its default); the rubric's metrics for `metric`. A value the list
/// does not have is kept as a choice of its own, never dropped.
pub(super) fn choices(
    key: &str,
    value: &str,
    metrics: &[(String, String)],
) -> Vec<(String, String)> {
    let fixed: &[(&str, &str)] = match key {
        "better" => &[
            ("", "默认：数值高者在前"),
            ("higher", "数值高者在前"),
            ("lower", "数值低者在前"),
        ],
        "ties" => &[
            ("", "用细则的并列规则"),
            ("competition", "并列同名次，其后顺延（1、1、3）"),
            ("dense", "并列同名次，其后连续（1、1、2）"),
        ],
        "mode" => &[
            ("", "默认：按比例得分"),
            ("ratio", "按 实际 ÷ 目标 的比例得分"),
            ("per_point", "每低 1 个百分点扣分"),
        ],
        "inspection" => &[("", "不要求检查记录"), ("required", "须有检查记录才计分")],
        _ => &[],
    };
    let mut out: Vec<(String, String)> = fixed
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect();
    if key == "metric" {
        out.push((String::new(), "（不用指标数据）".into()));
        out.extend(metrics.iter().map(|(k, name)| {
            (
                k.clone(),
                if name.is_empty() {
                    k.clone()
                } else {
                    name.clone()
                },
            )
        }));
    }
    if !out.is_empty() && !out.iter().any(|(v, _)| v == value) {
        out.push((value.to_string(), value.to_string()));
    }
    out
}
