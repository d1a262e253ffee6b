//! 细则编辑 — the rubric editor's use cases, for the pages (and any other face) to call:
//!
//! - **checks** ([`check`]): every problem of a draft in Chinese — the loader's own (with clause id
//!   and field), and a TOML syntax error told in Chinese with its line and column
//!   ([`syntax_problem`]), never the parser's English (方案对比's draft box uses the same);
//! - **edits** ([`apply`]): the draft is TOML text; an edit (add, move, delete, set fields, set a
//!   rule and its parameters) is applied to its parsed table and the result written back — with
//!   [`rubric::write`] when it is a valid rubric the writer can write, else as TOML as it is. An edit
//!   of fields that would bring a new error (a wrong parameter, a method not in the list) is refused
//!   with that error and the draft stays as it was; sums that no longer add up are shown, not
//!   refused, since a clerk changes a clause's points and then its item's;
//! - **paste** ([`paste_view`], [`accept_paste`]): pasted 细则 text split into a proposed tree with a
//!   suggested rule per clause (`kaohe_core::paste`), shown for the clerk to tick; only the ticked
//!   clauses are added;
//! - **versions**: a draft saved ([`save`]), the clause-by-clause diff with the rubric in force
//!   ([`diff`]), made 生效 ([`make_effective`]); the data of last year for the preview
//!   ([`last_year`]); downloads as TOML and Excel ([`download_xlsx`]);
//! - the parameters of every rule kind explained in Chinese with an example ([`param_help`]).

use kaohe_core::paste::{self, Pasted, PastedClause};
use kaohe_core::rubric::{self, Rubric};
use kaohe_core::{Problem, Severity};
use kaohe_store::{RubricDraft, Store, StoreError, User};
use serde::Serialize;
use toml::{Table, Value};

/// The name a draft's problems are reported under.
pub const DRAFT_FILE: &str = "细则草案";

// ───────────────────────────── checks ─────────────────────────────

/// A TOML syntax error in Chinese: where (line and column, counted in characters as an editor
/// shows them) and what, from the parser's reason mapped to Chinese; the parser's English is never
/// shown.
pub fn syntax_problem(file: &str, text: &str, e: &toml::de::Error) -> Problem {
    let at = match e.span() {
        Some(span) => {
            let mut start = span.start.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let before = &text[..start];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            format!("第 {line} 行第 {col} 列：")
        }
        None => String::new(),
    };
    Problem::error(format!("TOML 写法有误，{at}{}", syntax_reason(e.message())))
        .at(Some(kaohe_core::problem::Origin::file(file)))
        .expected(
            "按 TOML 写法：键 = 值，文字加英文双引号（如 max = \"0.05\"），表头写成 [[indicators]]",
        )
}

/// The parser's reason, in Chinese (the most specific match first; anything else as a general
/// syntax error).
fn syntax_reason(why: &str) -> &'static str {
    let why = why.to_lowercase();
    const KNOWN: &[(&str, &str)] = &[
        ("recursion", "嵌套层数过深"),
        ("duplicate key", "同一个键写了两次"),
        ("duplicate", "同一个键或表写了两次"),
        ("redefin", "同一个表定义了两次"),
        (
            "unquoted key",
            "键名无效：键名只能用英文字母、数字、- 和 _，其他文字须加双引号",
        ),
        (
            "invalid key",
            "键名无效：键名只能用英文字母、数字、- 和 _，其他文字须加双引号",
        ),
        ("table header", "表头 [..] 或 [[..]] 的写法有误"),
        ("unclosed", "引号或括号没有闭合"),
        ("unterminated", "引号或括号没有闭合"),
        (
            "newline",
            "此处不能换行（一行写完一个键值，或用三个引号写多行文字）",
        ),
        ("escape", "文字中的转义写法有误（反斜杠 \\ 须写成 \\\\）"),
        ("string", "文字的写法有误（文字须放在英文双引号中）"),
        (
            "integer",
            "数的写法有误（分值请写成带引号的文字，如 \"0.05\"）",
        ),
        (
            "float",
            "数的写法有误（分值请写成带引号的文字，如 \"0.05\"）",
        ),
        (
            "number",
            "数的写法有误（分值请写成带引号的文字，如 \"0.05\"）",
        ),
        ("date", "日期的写法有误"),
        ("array", "列表 [..] 的写法有误"),
        ("inline table", "行内表 {..} 的写法有误"),
        ("expected", "此处缺少应有的符号（如 =、引号或括号）"),
    ];
    KNOWN
        .iter()
        .find(|(k, _)| why.contains(k))
        .map_or("此处的写法不符合 TOML 语法", |(_, zh)| zh)
}

/// A draft read: the rubric when it is valid, and every problem in Chinese.
#[derive(Debug, Clone)]
pub struct Checked {
    pub rubric: Option<Rubric>,
    pub problems: Vec<Problem>,
}

impl Checked {
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }
    /// Every problem as one Chinese line.
    pub fn lines(&self) -> Vec<String> {
        self.problems.iter().map(|p| p.to_string()).collect()
    }
}

/// Reads a draft: a syntax error in Chinese (see [`syntax_problem`]), else every problem the
/// loader finds.
pub fn check(file: &str, text: &str) -> Checked {
    if text.len() <= rubric::MAX_RUBRIC_BYTES
        && let Err(e) = text.parse::<Table>()
    {
        return Checked {
            rubric: None,
            problems: vec![syntax_problem(file, text, &e)],
        };
    }
    let (rubric, problems) = rubric::load(file, text);
    Checked { rubric, problems }
}

// ───────────────────────────── the tree ─────────────────────────────

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
    fn array(self) -> &'static str {
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

fn text_of(t: &Table, key: &str) -> String {
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
fn param_text(key: &str, v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
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
                    .collect::<Vec<_>>()
                    .join("；");
            }
            v.to_string()
        }
        other => other.to_string(),
    }
}

/// A parameter's value from its form field, or what is wrong with it (in Chinese).
fn param_value(key: &str, cell: &str) -> Result<Value, String> {
    let cell = cell.trim();
    match key {
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
fn methods_of(t: &Table) -> Vec<String> {
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

fn tables<'a>(t: &'a Table, key: &str) -> Vec<&'a Table> {
    match t.get(key) {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_table).collect(),
        _ => Vec::new(),
    }
}

fn node(level: Level, t: &Table, problems: &[Problem], metrics: &[(String, String)]) -> Node {
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
                            .map(|v| param_text(key, v))
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
fn choices(key: &str, value: &str, metrics: &[(String, String)]) -> Vec<(String, String)> {
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
        out.extend(
            metrics
                .iter()
                .map(|(k, name)| (k.clone(), format!("{name}（{k}）"))),
        );
    }
    if !out.is_empty() && !out.iter().any(|(v, _)| v == value) {
        out.push((value.to_string(), value.to_string()));
    }
    out
}

/// What a parameter of a rule kind means, and a worked example — the one table the editor's form
/// and the paste view show (taken from the rule kinds' own documentation in `kaohe_core::rules`).
pub fn param_help(kind: &str, key: &str) -> (&'static str, &'static str) {
    match (kind, key) {
        ("bonus", "cap") => (
            "加分上限：本条最多加的分数；不填则以条款分值为上限",
            "0.1：加分合计 0.15 只计 0.1",
        ),
        ("deduction", "cap") => (
            "扣分上限：本条最多扣的分数（封顶）；不填则扣完条款分值为止",
            "0.5：每项扣 0.2，缺 4 项应扣 0.8，封顶只扣 0.5",
        ),
        ("penalty", "cap") => (
            "扣分上限：本项从总分中最多扣的分数",
            "2：每例扣 0.5，发现 5 例应扣 2.5，只扣 2",
        ),
        ("rank_ratio", "points") => (
            "第 1 名得分；不填则为条款分值",
            "2：办件量 300、200、100 的三个单位得 2、1.3333、0.6667",
        ),
        (_, "per") => (
            "每发现一例（一项、一处、一件）扣的分数",
            "0.002：满分 0.05，超期 3 件得 0.05 − 3 × 0.002 = 0.044",
        ),
        (_, "metric") => (
            "所依据的平台数据指标：填细则“指标数据”（[[metrics]]）中的编号",
            "claim_rate（认领率）",
        ),
        (_, "better") => (
            "名次方向：higher 数值高者在前，lower 数值低者在前；不填为 higher",
            "lower：超期件数少的单位排第一",
        ),
        (_, "first") => ("第一名得分；不填则为条款分值", "0.05：第一名得 0.05"),
        (_, "step") => (
            "名次每后一名扣减的分数",
            "0.002：第一名 0.05，第 3 名得 0.05 − 2 × 0.002 = 0.046",
        ),
        (_, "ties") => (
            "并列名次的算法：competition 并列者同名次、其后顺延（1、1、3）；dense 其后连续（1、1、2）；不填用细则的设置",
            "dense：两个单位并列第 1，下一个单位第 2",
        ),
        (_, "parts") => (
            "参与综合排名的指标，每项写成 指标编号:方向:权重，多项以“；”分隔（方向、权重可省，默认 higher、1）",
            "handled_volume:higher:1；online_rate:higher:1",
        ),
        (_, "top") => (
            "只有前几名按比例得分（整数）；其后的名次得 beyond 的分数",
            "5：第 6 名起得 beyond（默认 0）",
        ),
        (_, "beyond") => (
            "top 名次以外的得分；不填为 0",
            "0.5：第 6 名起每个单位得 0.5",
        ),
        (_, "target") => (
            "目标值：达到即得满分；比率写成小数",
            "0.95：满意度 90% 得 分值 × 90% ÷ 95%",
        ),
        (_, "mode") => (
            "算法：ratio 按 实际 ÷ 目标 的比例得分；per_point 每低 1 个百分点扣 per_point 分；不填为 ratio",
            "per_point",
        ),
        (_, "per_point") => (
            "mode 为 per_point 时，每低 1 个百分点扣的分数",
            "0.01：目标 95%，实际 90%，扣 5 × 0.01 = 0.05",
        ),
        (_, "tiers") => (
            "阶梯：每档写成 门槛:得分，最好的一档在前，多档以“；”分隔；未达最低一档得 0",
            "0.8:2；0.7:1.5；0.6:1：75% 得 1.5",
        ),
        (_, "types") => (
            "问题类型及各自的扣分（TOML 写法）；写了它就不写 per",
            "[{ name = \"标识不醒目\", per = \"1\" }, { name = \"标识不易识别\", per = \"0.5\" }]",
        ),
        (_, "range") => (
            "酌情扣分的范围 [下限, 上限]：考核员逐件选定扣分并写明理由；写了它就不写 per",
            "[\"0.1\", \"0.5\"]",
        ),
        (_, "word") => (
            "细则自己对件数的说法，{n} 处填件数",
            "缺 {n} 项：说明写成“缺 11 项 × 0.2 = 2.2”",
        ),
        (_, "inspection") => (
            "填 required：须有检查记录（谁、何时）才计分，没有记录为“未检查”",
            "required",
        ),
        (_, "cap") => ("上限：本条最多扣（或加）的分数", "0.5"),
        _ => ("", ""),
    }
}

// ───────────────────────────── edits ─────────────────────────────

/// One editor action (the fields of the form are applied first, see [`apply`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Only the fields.
    Apply,
    AddIndicator,
    /// A 类目 under the indicator with this id.
    AddItem(String),
    /// A clause under the node (indicator, item or sub-item) with this id.
    AddClause(Level, String),
    Up(Level, String),
    Down(Level, String),
    Delete(Level, String),
}

impl Op {
    /// `apply`, `add-ind`, `add-item:1`, `add-clause:t:1.1`, `up:c:1.1.1`, `down:…`, `del:…`.
    pub fn parse(s: &str) -> Option<Op> {
        let mut parts = s.splitn(3, ':');
        let verb = parts.next()?;
        let a = parts.next();
        let b = parts.next();
        let at = |a: Option<&str>, b: Option<&str>| -> Option<(Level, String)> {
            Some((Level::parse(a?)?, b?.to_string()))
        };
        Some(match verb {
            "apply" => Op::Apply,
            "add-ind" => Op::AddIndicator,
            "add-item" => Op::AddItem(a?.to_string()),
            "add-clause" => {
                let (l, id) = at(a, b)?;
                Op::AddClause(l, id)
            }
            "up" => {
                let (l, id) = at(a, b)?;
                Op::Up(l, id)
            }
            "down" => {
                let (l, id) = at(a, b)?;
                Op::Down(l, id)
            }
            "del" => {
                let (l, id) = at(a, b)?;
                Op::Delete(l, id)
            }
            _ => return None,
        })
    }
}

/// The result of an edit: the new text, or the edit refused with why (the text unchanged).
#[derive(Debug, Clone)]
pub struct Edited {
    pub text: String,
    /// What was done, in Chinese.
    pub notice: Option<String>,
    /// Why the edit was refused (each in Chinese); empty when it was applied.
    pub refused: Vec<String>,
}

/// Where the table of `level` with `id` sits: the path of (array key, index) from the top.
fn locate(t: &Table, level: Level, id: &str) -> Option<Vec<(&'static str, usize)>> {
    fn walk(
        arr: &[Value],
        here: Level,
        level: Level,
        id: &str,
        path: &mut Vec<(&'static str, usize)>,
    ) -> bool {
        for (i, v) in arr.iter().enumerate() {
            let Some(t) = v.as_table() else { continue };
            path.push((here.array(), i));
            if here == level && t.get("id").and_then(Value::as_str) == Some(id) {
                return true;
            }
            let below: &[Level] = match here {
                Level::Indicator => &[Level::Item, Level::Clause],
                Level::Item => &[Level::Subitem, Level::Clause],
                Level::Subitem => &[Level::Clause],
                Level::Clause => &[],
            };
            for &l in below {
                if let Some(Value::Array(a)) = t.get(l.array())
                    && walk(a, l, level, id, path)
                {
                    return true;
                }
            }
            path.pop();
        }
        false
    }
    let mut path = Vec::new();
    match t.get("indicators") {
        Some(Value::Array(a)) if walk(a, Level::Indicator, level, id, &mut path) => Some(path),
        _ => None,
    }
}

/// The table of `level` with `id`, mutably: the array that holds it and its index.
fn find_mut<'a>(t: &'a mut Table, level: Level, id: &str) -> Option<(&'a mut Vec<Value>, usize)> {
    let path = locate(t, level, id)?;
    let (last, parents) = path.split_last()?;
    let mut here = t;
    for (key, i) in parents {
        here = here
            .get_mut(*key)?
            .as_array_mut()?
            .get_mut(*i)?
            .as_table_mut()?;
    }
    Some((here.get_mut(last.0)?.as_array_mut()?, last.1))
}

fn table_mut<'a>(t: &'a mut Table, level: Level, id: &str) -> Option<&'a mut Table> {
    let (arr, i) = find_mut(t, level, id)?;
    arr.get_mut(i)?.as_table_mut()
}

/// Every id in the tree (to make new ones unique).
fn all_ids(t: &Table) -> std::collections::BTreeSet<String> {
    fn walk(v: &Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            Value::Table(t) => {
                if let Some(Value::String(id)) = t.get("id") {
                    out.insert(id.clone());
                }
                for (k, v) in t {
                    if k != "rule" {
                        walk(v, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Default::default();
    if let Some(v) = t.get("indicators") {
        walk(v, &mut out);
    }
    out
}

fn next_id(t: &Table, prefix: &str, from: usize) -> String {
    let ids = all_ids(t);
    (from..)
        .map(|n| {
            if prefix.is_empty() {
                n.to_string()
            } else {
                format!("{prefix}.{n}")
            }
        })
        .find(|id| !ids.contains(id))
        .unwrap_or_default()
}

fn push_table(t: &mut Table, key: &str, new: Table) {
    match t.get_mut(key) {
        Some(Value::Array(a)) => a.push(Value::Table(new)),
        _ => {
            t.insert(key.into(), Value::Array(vec![Value::Table(new)]));
        }
    }
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

fn new_clause(id: &str) -> Table {
    let mut c = Table::new();
    c.insert("id".into(), s(id));
    c.insert("title".into(), s("新条款"));
    c.insert("max".into(), s("0"));
    c.insert("method".into(), Value::Array(vec![s("查资料")]));
    c.insert("text".into(), s(""));
    let mut rule = Table::new();
    rule.insert("kind".into(), s("judgement"));
    c.insert("rule".into(), Value::Table(rule));
    c
}

/// A structural change, or why not.
fn structural(t: &mut Table, op: &Op) -> Result<String, String> {
    match op {
        Op::Apply => Ok("已应用修改".into()),
        Op::AddIndicator => {
            let n = tables(t, "indicators").len() + 1;
            let id = next_id(t, "", n);
            let mut ind = Table::new();
            ind.insert("id".into(), s(&id));
            ind.insert("name".into(), s("新指标"));
            ind.insert("max".into(), s("0"));
            push_table(t, "indicators", ind);
            Ok(format!(
                "已添加指标 {id}，请填写名称、分值，并在其下添加类目或条款"
            ))
        }
        Op::AddItem(ind_id) => {
            let ind = table_mut(t, Level::Indicator, ind_id)
                .ok_or_else(|| format!("草案中没有指标 {ind_id}"))?;
            if ind.contains_key("clauses") {
                return Err(format!(
                    "指标 {ind_id} 的条款直接列在指标下（两级），不能再加类目"
                ));
            }
            let n = tables(ind, "items").len() + 1;
            let snapshot = t.clone();
            let id = next_id(&snapshot, ind_id, n);
            let ind = table_mut(t, Level::Indicator, ind_id).expect("found above");
            let mut item = Table::new();
            item.insert("id".into(), s(&id));
            item.insert("name".into(), s("新类目"));
            item.insert("max".into(), s("0"));
            push_table(ind, "items", item);
            Ok(format!("已在指标 {ind_id} 下添加类目 {id}"))
        }
        Op::AddClause(level, parent) => {
            let snapshot = t.clone();
            let node = table_mut(t, *level, parent)
                .ok_or_else(|| format!("草案中没有{} {parent}", level.label()))?;
            let below = match level {
                Level::Indicator => "items",
                Level::Item => "subitems",
                _ => "",
            };
            if !below.is_empty() && node.contains_key(below) {
                return Err(format!(
                    "{} {parent} 下已有{}，条款请加在{}下",
                    level.label(),
                    if below == "items" {
                        "类目"
                    } else {
                        "子类目"
                    },
                    if below == "items" {
                        "类目"
                    } else {
                        "子类目"
                    },
                ));
            }
            let n = tables(node, "clauses").len() + 1;
            let id = next_id(&snapshot, parent, n);
            push_table(node, "clauses", new_clause(&id));
            Ok(format!(
                "已在{} {parent} 下添加条款 {id}，请填写原文、分值和计分规则",
                level.label()
            ))
        }
        Op::Up(level, id) | Op::Down(level, id) => {
            let (arr, i) = find_mut(t, *level, id)
                .ok_or_else(|| format!("草案中没有{} {id}", level.label()))?;
            let up = matches!(op, Op::Up(..));
            let j = if up { i.checked_sub(1) } else { Some(i + 1) };
            match j {
                Some(j) if j < arr.len() => {
                    arr.swap(i, j);
                    Ok(format!(
                        "已将{} {id} {}",
                        level.label(),
                        if up { "上移" } else { "下移" }
                    ))
                }
                _ => Err(format!(
                    "{} {id} 已在{}",
                    level.label(),
                    if up { "最前" } else { "最后" }
                )),
            }
        }
        Op::Delete(level, id) => {
            let (arr, i) = find_mut(t, *level, id)
                .ok_or_else(|| format!("草案中没有{} {id}", level.label()))?;
            arr.remove(i);
            Ok(format!(
                "已删除{} {id}{}",
                level.label(),
                if *level == Level::Clause {
                    ""
                } else {
                    "及其下的全部内容"
                }
            ))
        }
    }
}

/// Sets the form's fields on the table: `r||title` (the rubric's own fields), `<level>|<id>|<field>`
/// for a node's, `c|<id>|p.<key>` for a rule parameter. Only fields whose value differs from the
/// table's are written. Returns what is wrong with a field that could not be read at all, and the
/// clauses whose rule kind changed.
fn set_fields(t: &mut Table, fields: &[(String, String)]) -> (Vec<String>, Vec<String>) {
    let mut wrong = Vec::new();
    let mut changed = Vec::new();
    // The kind first, so that the parameters are read for the kind chosen.
    let mut kinds: Vec<(String, String)> = Vec::new();
    for (name, value) in fields {
        let mut p = name.splitn(3, '|');
        let (Some(l), Some(id), Some(field)) = (p.next(), p.next(), p.next()) else {
            continue;
        };
        if l == "c" && field == "kind" {
            kinds.push((id.to_string(), value.trim().to_string()));
        }
    }
    for (id, kind) in &kinds {
        let Some(c) = table_mut(t, Level::Clause, id) else {
            continue;
        };
        let old = c
            .get("rule")
            .and_then(Value::as_table)
            .map(|r| text_of(r, "kind"))
            .unwrap_or_default();
        if old != *kind {
            if kaohe_core::rules::kind_keys(kind).is_none() {
                wrong.push(format!("条款 {id}：没有“{kind}”这种计分规则"));
                continue;
            }
            let mut rule = Table::new();
            rule.insert("kind".into(), s(kind));
            c.insert("rule".into(), Value::Table(rule));
            changed.push(id.clone());
        }
    }
    for (name, value) in fields {
        let mut p = name.splitn(3, '|');
        let (Some(l), Some(id), Some(field)) = (p.next(), p.next(), p.next()) else {
            continue;
        };
        let value = value.replace("\r\n", "\n");
        if l == "r" {
            if matches!(field, "title" | "version" | "source" | "max_total")
                && differs(&text_of(t, field), &value)
            {
                t.insert(field.into(), s(value.trim()));
            }
            continue;
        }
        let Some(level) = Level::parse(l) else {
            continue;
        };
        let Some(node) = table_mut(t, level, id) else {
            continue;
        };
        match (level, field) {
            (_, "max") | (Level::Clause, "title") | (Level::Clause, "text")
                if differs(&text_of(node, field), &value) =>
            {
                node.insert(field.into(), s(value.trim()));
            }
            (Level::Indicator | Level::Item | Level::Subitem, "name")
                if differs(&text_of(node, field), &value) =>
            {
                node.insert(field.into(), s(value.trim()));
            }
            (Level::Clause, "content" | "standard" | "method_text")
                if differs(&text_of(node, field), &value) =>
            {
                if value.trim().is_empty() {
                    node.remove(field);
                } else {
                    node.insert(field.into(), s(value.trim()));
                }
            }
            (Level::Clause, "method") if differs(&text_of(node, field), &value) => {
                let list: Vec<Value> = value
                    .split(['、', ',', '，', ';', '；'])
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(s)
                    .collect();
                node.insert(field.into(), Value::Array(list));
            }
            (Level::Clause, f) if f.starts_with("p.") => {
                let key = &f[2..];
                let Some(rule) = node.get_mut("rule").and_then(Value::as_table_mut) else {
                    continue;
                };
                let kind = text_of(rule, "kind");
                let Some(keys) = kaohe_core::rules::kind_keys(&kind) else {
                    continue;
                };
                let Some(&key) = keys.iter().find(|k| **k == key) else {
                    // A parameter of the kind before the change: dropped with it.
                    continue;
                };
                let now = rule
                    .get(key)
                    .map(|v| param_text(key, v))
                    .unwrap_or_default();
                if now == value.trim() {
                    continue;
                }
                if value.trim().is_empty() {
                    rule.remove(key);
                    continue;
                }
                match param_value(key, &value) {
                    Ok(v) => {
                        rule.insert(key.into(), v);
                    }
                    Err(e) => wrong.push(format!("条款 {id} 的参数 {key}：{e}")),
                }
            }
            _ => {}
        }
    }
    (wrong, changed)
}

/// Whether a field typed as `new` changes the value `old` (a value sent back as it was shown,
/// spaces around it included, is no change).
fn differs(old: &str, new: &str) -> bool {
    old != new && old != new.trim()
}

/// Whether a problem is a sum that no longer adds up (shown, never a reason to refuse an edit).
fn is_sum(p: &Problem) -> bool {
    p.message.contains("合计") && p.message.contains("不符")
}

/// The table as text: the canonical writing when it is a valid rubric, else TOML as it is.
pub fn text_of_table(t: &Table) -> String {
    let raw = toml::to_string(t).unwrap_or_default();
    match check(DRAFT_FILE, &raw).rubric {
        Some(r) => rubric::write(&r),
        None => raw,
    }
}

/// Applies the form's `fields` and then `op` to the draft `text`. Refused (the text unchanged)
/// when the text is not TOML, a field cannot be read, or the change brings an error the draft did
/// not have — a sum that no longer adds up excepted, and the parameters still to fill in of a
/// clause whose rule kind was just changed (its form shows the new kind's parameters next).
pub fn apply(text: &str, fields: &[(String, String)], op: &Op) -> Edited {
    let refuse = |refused: Vec<String>| Edited {
        text: text.to_string(),
        notice: None,
        refused,
    };
    let mut t: Table = match text.parse() {
        Ok(t) => t,
        Err(e) => return refuse(vec![syntax_problem(DRAFT_FILE, text, &e).to_string()]),
    };
    let before: Vec<String> = check(DRAFT_FILE, text)
        .errors()
        .map(|p| p.to_string())
        .collect();
    let (wrong, changed) = set_fields(&mut t, fields);
    if !wrong.is_empty() {
        return refuse(wrong);
    }
    let after = check(DRAFT_FILE, &toml::to_string(&t).unwrap_or_default());
    let new: Vec<String> = after
        .errors()
        .filter(|p| !is_sum(p))
        .filter(|p| !p.clause.as_ref().is_some_and(|c| changed.contains(c)))
        .map(|p| p.to_string())
        .filter(|p| !before.contains(p))
        .collect();
    if !new.is_empty() {
        return refuse(new);
    }
    match structural(&mut t, op) {
        Ok(notice) => Edited {
            text: text_of_table(&t),
            notice: Some(notice),
            refused: Vec::new(),
        },
        Err(e) => refuse(vec![e]),
    }
}

/// Replaces the whole draft with text typed in the TOML box: refused (in Chinese, with line and
/// column) when it is not TOML; else taken, with its problems shown.
pub fn replace_text(old: &str, typed: &str) -> Edited {
    match typed.parse::<Table>() {
        Ok(_) => Edited {
            text: typed.replace("\r\n", "\n"),
            notice: Some("已采用修改后的 TOML 原文".into()),
            refused: Vec::new(),
        },
        Err(e) => Edited {
            text: old.to_string(),
            notice: None,
            refused: vec![syntax_problem(DRAFT_FILE, typed, &e).to_string()],
        },
    }
}

// ───────────────────────────── paste ─────────────────────────────

/// A pasted clause as the paste view shows it: its number (for the tick box), its text in pieces
/// with the words that led to the suggestion marked, the suggestion in Chinese, the split.
#[derive(Debug, Clone, Serialize)]
pub struct PasteClauseView {
    pub n: usize,
    pub title: String,
    pub max: String,
    pub pieces: Vec<Piece>,
    pub kind: &'static str,
    pub kind_label: String,
    pub params: Vec<(String, String)>,
    pub because: String,
    pub note: String,
    /// Other scoring wordings found in the text (kind labels).
    pub also: Vec<String>,
    pub parts: Vec<PasteClauseView>,
}

/// A piece of text; `mark` when it is the words that led to the suggestion.
#[derive(Debug, Clone, Serialize)]
pub struct Piece {
    pub text: String,
    pub mark: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PasteItemView {
    pub name: String,
    pub max: String,
    pub clauses: Vec<PasteClauseView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PasteIndicatorView {
    pub category: String,
    pub name: String,
    pub max: String,
    pub items: Vec<PasteItemView>,
}

/// The proposed tree of a paste, for the clerk to tick.
#[derive(Debug, Clone, Serialize)]
pub struct PasteView {
    pub title: String,
    pub indicators: Vec<PasteIndicatorView>,
    pub problems: Vec<String>,
    pub clauses: usize,
}

fn pieces(text: &str, because: &str) -> Vec<Piece> {
    match (!because.is_empty()).then(|| text.find(because)).flatten() {
        Some(at) => [
            (&text[..at], false),
            (because, true),
            (&text[at + because.len()..], false),
        ]
        .into_iter()
        .filter(|(t, _)| !t.is_empty())
        .map(|(t, mark)| Piece {
            text: t.to_string(),
            mark,
        })
        .collect(),
        None => vec![Piece {
            text: text.to_string(),
            mark: false,
        }],
    }
}

fn dec(d: Option<rust_decimal::Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

fn clause_view(n: usize, c: &PastedClause) -> PasteClauseView {
    let s = &c.suggestion;
    PasteClauseView {
        n,
        title: c.title.clone().unwrap_or_default(),
        max: dec(c.max),
        pieces: pieces(&c.text, &s.because),
        kind: s.kind,
        kind_label: kind_label(s.kind).to_string(),
        params: s
            .params
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        because: s.because.clone(),
        note: s.note.clone(),
        also: c
            .found
            .iter()
            .skip(1)
            .map(|f| kind_label(f.kind).to_string())
            .collect(),
        parts: c.parts.iter().map(|p| clause_view(n, p)).collect(),
    }
}

/// The pasted clauses in order (the numbers of the tick boxes).
fn pasted_clauses(p: &Pasted) -> Vec<&PastedClause> {
    p.indicators
        .iter()
        .flat_map(|i| &i.items)
        .flat_map(|it| &it.clauses)
        .collect()
}

/// What a paste proposes, for the clerk to tick.
pub fn paste_view(text: &str) -> PasteView {
    let p = paste::paste(text);
    let mut n = 0usize;
    let indicators = p
        .indicators
        .iter()
        .map(|ind| PasteIndicatorView {
            category: ind.category.clone().unwrap_or_default(),
            name: ind.name.clone(),
            max: dec(ind.max),
            items: ind
                .items
                .iter()
                .map(|it| PasteItemView {
                    name: it.name.clone(),
                    max: dec(it.max),
                    clauses: it
                        .clauses
                        .iter()
                        .map(|c| {
                            n += 1;
                            clause_view(n, c)
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    PasteView {
        title: p.title.clone().unwrap_or_default(),
        indicators,
        problems: p.problems.clone(),
        clauses: n,
    }
}

/// How the ticked clauses join the draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasteMode {
    /// After the draft's indicators, as new indicators.
    Append,
    /// In place of all the draft's indicators (metrics, grades and the rubric's own fields kept).
    Replace,
}

fn clause_table(id: &str, c: &PastedClause) -> Table {
    let mut t = Table::new();
    t.insert("id".into(), s(id));
    let title = c.title.clone().unwrap_or_else(|| {
        let head: String = c.text.chars().take(16).collect();
        head.trim_end_matches(['，', '。', '；', '：']).to_string()
    });
    t.insert("title".into(), s(&title));
    t.insert("max".into(), s(&dec(c.max).if_empty("0")));
    t.insert("method".into(), Value::Array(vec![s("查资料")]));
    t.insert("text".into(), s(&c.text));
    let mut rule = Table::new();
    rule.insert("kind".into(), s(c.suggestion.kind));
    for (k, v) in &c.suggestion.params {
        let v = if *k == "range" {
            param_value(k, v).unwrap_or_else(|_| s(v))
        } else {
            s(v)
        };
        rule.insert((*k).into(), v);
    }
    t.insert("rule".into(), Value::Table(rule));
    t
}

trait IfEmpty {
    fn if_empty(self, other: &str) -> String;
}

impl IfEmpty for String {
    fn if_empty(self, other: &str) -> String {
        if self.is_empty() {
            other.to_string()
        } else {
            self
        }
    }
}

/// Adds the ticked clauses of the paste of `pasted` to the draft `text`: clause `n` (numbered as
/// [`paste_view`] numbers them) when `take` has it, as its suggested parts when `split` has it too.
/// Each indicator and item of the paste with a ticked clause becomes one of the draft's, with new
/// ids; each clause keeps its text verbatim, its stated points and its suggested rule — shown with
/// their problems afterwards (a ranking still needs its metric chosen).
pub fn accept_paste(
    text: &str,
    pasted: &str,
    take: &[usize],
    split: &[usize],
    mode: PasteMode,
) -> Edited {
    let refuse = |refused: Vec<String>| Edited {
        text: text.to_string(),
        notice: None,
        refused,
    };
    let mut t: Table = match text.parse() {
        Ok(t) => t,
        Err(e) => return refuse(vec![syntax_problem(DRAFT_FILE, text, &e).to_string()]),
    };
    if take.is_empty() {
        return refuse(vec!["没有勾选任何条款".into()]);
    }
    let p = paste::paste(pasted);
    let all = pasted_clauses(&p);
    if let Some(n) = take.iter().find(|n| **n == 0 || **n > all.len()) {
        return refuse(vec![format!(
            "粘贴的内容只有 {} 个条款，没有第 {n} 个：请重新粘贴",
            all.len()
        )]);
    }
    if mode == PasteMode::Replace {
        t.remove("indicators");
    }
    let mut n = 0usize;
    let mut added = 0usize;
    for ind in &p.indicators {
        let mut ind_t: Option<Table> = None;
        let ind_no = tables(&t, "indicators").len() + 1;
        let ind_id = next_id(&t, "", ind_no);
        let two_levels = ind.items.iter().all(|it| it.name.is_empty());
        for (k, it) in ind.items.iter().enumerate() {
            let mut clauses: Vec<Value> = Vec::new();
            // Pasted clauses taken into this item (a split clause's parts share one number).
            let mut taken = 0usize;
            let item_id = if two_levels {
                ind_id.clone()
            } else {
                format!("{ind_id}.{}", k + 1)
            };
            for c in &it.clauses {
                n += 1;
                if !take.contains(&n) {
                    continue;
                }
                let leaves: Vec<&PastedClause> = if split.contains(&n) && !c.parts.is_empty() {
                    c.parts.iter().collect()
                } else {
                    vec![c]
                };
                taken += 1;
                let base = taken;
                for (j, leaf) in leaves.iter().enumerate() {
                    let id = if leaves.len() > 1 {
                        format!("{item_id}.{base}{}", (b'a' + j as u8) as char)
                    } else {
                        format!("{item_id}.{base}")
                    };
                    clauses.push(Value::Table(clause_table(&id, leaf)));
                    added += 1;
                }
            }
            if clauses.is_empty() {
                continue;
            }
            let x = ind_t.get_or_insert_with(|| {
                let mut x = Table::new();
                x.insert("id".into(), s(&ind_id));
                x.insert("name".into(), s(&ind.name.clone().if_empty("粘贴的指标")));
                x.insert("max".into(), s(&dec(ind.max).if_empty("0")));
                x
            });
            if two_levels {
                for c in clauses {
                    if let Value::Table(c) = c {
                        push_table(x, "clauses", c);
                    }
                }
            } else {
                let mut item = Table::new();
                item.insert("id".into(), s(&item_id));
                item.insert("name".into(), s(&it.name));
                let sum: rust_decimal::Decimal = clauses
                    .iter()
                    .filter_map(|c| c.get("max").and_then(Value::as_str))
                    .filter_map(|m| m.parse::<rust_decimal::Decimal>().ok())
                    .sum();
                let max = it.max.unwrap_or(sum);
                item.insert("max".into(), s(&max.normalize().to_string()));
                item.insert("clauses".into(), Value::Array(clauses));
                push_table(x, "items", item);
            }
        }
        if let Some(mut x) = ind_t {
            if ind.max.is_none() {
                // No points stated on the heading: those of what was taken under it.
                let parts = if two_levels { "clauses" } else { "items" };
                let sum: rust_decimal::Decimal = tables(&x, parts)
                    .iter()
                    .filter_map(|c| c.get("max").and_then(Value::as_str))
                    .filter_map(|m| m.parse::<rust_decimal::Decimal>().ok())
                    .sum();
                x.insert("max".into(), s(&sum.normalize().to_string()));
            }
            push_table(&mut t, "indicators", x);
        }
    }
    Edited {
        text: text_of_table(&t),
        notice: Some(format!(
            "已将勾选的 {added} 个条款{}草案，请逐条核对计分规则和参数",
            if mode == PasteMode::Replace {
                "替换为"
            } else {
                "加入"
            }
        )),
        refused: Vec::new(),
    }
}

// ───────────────────────────── versions ─────────────────────────────

/// The text the editor starts from: the newest draft not yet made 生效 when there is one, else the
/// rubric in force (written canonically when the writer can write it whole).
pub async fn start(
    store: &Store,
    assessment: i64,
) -> Result<(String, Option<RubricDraft>), StoreError> {
    let drafts = store.rubric_drafts(assessment).await?;
    if let Some(d) = drafts.into_iter().find(|d| d.effective_at.is_none()) {
        return Ok((d.rubric_toml.clone(), Some(d)));
    }
    let a = store.assessment(assessment).await?;
    Ok((in_force_text(&a), None))
}

/// The rubric in force as text, written canonically.
pub fn in_force_text(a: &kaohe_store::store::Assessment) -> String {
    rubric::write(&a.rubric)
}

/// Saves the draft text as a new 草案 (the admin, in 草稿): refused when it is not TOML.
pub async fn save(
    store: &Store,
    by: &User,
    assessment: i64,
    text: &str,
    now: &str,
) -> Result<RubricDraft, StoreError> {
    if let Err(e) = text.parse::<Table>() {
        return Err(StoreError::Invalid(
            syntax_problem(DRAFT_FILE, text, &e).to_string(),
        ));
    }
    store.save_rubric_draft(by, assessment, text, now).await
}

/// Makes a draft 生效 (the admin, in 草稿; the store checks and audits it).
pub async fn make_effective(
    store: &Store,
    by: &User,
    assessment: i64,
    draft: i64,
    now: &str,
) -> Result<(), StoreError> {
    store
        .make_rubric_effective(by, assessment, draft, now)
        .await
}

/// One line of the diff between the rubric in force and a draft.
#[derive(Debug, Clone, Serialize)]
pub struct DiffLine {
    pub id: String,
    pub title: String,
    /// 新增 / 删去 / 修改
    pub what: &'static str,
    pub explain: String,
}

/// The clause-by-clause diff between the rubric in force and the draft (clauses that changed
/// only), as `kaohe rubric diff` computes it.
pub fn diff(in_force: &Rubric, draft: &Rubric) -> Vec<DiffLine> {
    kaohe_core::compare::rubrics(in_force, draft)
        .into_iter()
        .filter(|d| d.rubric_changed())
        .map(|d| DiffLine {
            id: d.id.to_string(),
            title: d.title.clone(),
            what: if d.added() {
                "新增"
            } else if d.removed() {
                "删去"
            } else {
                "修改"
            },
            explain: d.explain(),
        })
        .collect()
}

/// The assessment whose data previews a draft: the latest year before this one (else none).
pub async fn last_year(
    store: &Store,
    assessment: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    let a = store.assessment(assessment).await?;
    Ok(store
        .assessments()
        .await?
        .into_iter()
        .filter(|r| r.id != assessment && r.year < a.year)
        .max_by_key(|r| (r.year, r.id))
        .map(|r| (r.id, r.title)))
}

/// A valid draft as the rubric's Excel workbook, or why not (in Chinese).
pub fn download_xlsx(text: &str) -> Result<Vec<u8>, String> {
    let c = check(DRAFT_FILE, text);
    let Some(r) = c.rubric else {
        return Err(format!(
            "细则有错误，不能导出为 Excel：{}",
            c.errors()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("；")
        ));
    };
    kaohe_report::rubric_sheet::rubric_workbook(&r).map_err(|e| format!("导出失败：{e}"))
}

/// An ISO 8601 UTC time (`2021-12-01T09:00:00Z`, as the store writes) in Beijing time:
/// `2021年12月1日 17:00`; anything else as it is.
pub fn beijing(iso: &str) -> String {
    let parsed = (|| {
        let date = kaohe_core::Date::parse(iso.get(..10)?)?;
        let h: i32 = iso.get(11..13)?.parse().ok()?;
        let m: u32 = iso.get(14..16)?.parse().ok()?;
        Some((date, h, m))
    })();
    match parsed {
        Some((date, h, m)) => {
            let (date, h) = if h + 8 >= 24 {
                (date.add_days(1), h + 8 - 24)
            } else {
                (date, h + 8)
            };
            let (y, mo, d) = date.ymd();
            format!("{y}年{mo}月{d}日 {h:02}:{m:02}")
        }
        None => iso.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUDONG: &str = include_str!("../../../rubrics/rudong-2021.toml");

    fn canonical() -> String {
        let (r, _) = rubric::load("r", RUDONG);
        rubric::write(&r.unwrap())
    }

    fn field(name: &str, value: &str) -> (String, String) {
        (name.to_string(), value.to_string())
    }

    #[test]
    fn a_toml_syntax_error_is_told_in_chinese_with_line_and_column() {
        let text = "id = \"x\"\n标题 = \"y\"\n";
        let c = check("草案", text);
        assert!(c.rubric.is_none());
        let line = c.lines().join("\n");
        assert!(line.contains("第 2 行第 1 列"), "{line}");
        assert!(line.contains("键名无效"), "{line}");
        assert!(
            !line.contains("invalid") && !line.contains("expected") && !line.contains("TOML parse"),
            "{line}"
        );
        // An unclosed string on line 3, column 7.
        let c = check("草案", "id = \"x\"\n\ntitle = \"y\n");
        let line = c.lines().join("\n");
        assert!(line.contains("第 3 行"), "{line}");
        assert!(
            !line.contains("invalid") && !line.contains("expected"),
            "{line}"
        );
    }

    #[test]
    fn every_syntax_reason_is_chinese() {
        for bad in [
            "a = ",
            "a = \"x",
            "[[a]\n",
            "a = [1, 2",
            "a = { b = 1",
            "a = 1\na = 2",
            "a = 1.2.3",
            "a = \"\\q\"",
            "a.b = 1\n[a]\nb = 2",
            "= 1",
        ] {
            let c = check("草案", bad);
            assert_eq!(c.problems.len(), 1, "{bad}");
            let line = c.lines().join("");
            assert!(line.contains("TOML 写法有误"), "{bad}: {line}");
            let english = line
                .split(['“', '”', '"', '[', ']', '{', '}'])
                .step_by(2)
                .collect::<String>();
            assert!(
                !english
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .any(|w| w.len() > 3 && w != "TOML" && w != "indicators" && w != "max"),
                "{bad}: {line}"
            );
        }
    }

    #[test]
    fn adding_a_clause_under_an_item_gives_it_a_new_id_and_shows_what_to_fill() {
        let text = canonical();
        let e = apply(&text, &[], &Op::parse("add-clause:t:1.1").unwrap());
        assert!(e.refused.is_empty(), "{:?}", e.refused);
        let t: Table = e.text.parse().unwrap();
        let tr = tree(&t, &check(DRAFT_FILE, &e.text).problems);
        let item = &tr.indicators[0].children[0];
        let last = item.children.last().unwrap();
        assert_eq!(last.id, "1.1.3");
        assert_eq!(last.kind, "judgement");
        // Its empty text is named as a problem of that clause.
        assert!(
            last.problems.iter().any(|p| p.contains("text")),
            "{:?}",
            last.problems
        );
    }

    #[test]
    fn a_wrong_parameter_is_refused_in_chinese_and_the_draft_stays() {
        let text = canonical();
        let e = apply(&text, &[field("c|1.4.1|p.step", "-0.5")], &Op::Apply);
        assert_eq!(e.text, text);
        assert_eq!(e.refused.len(), 1, "{:?}", e.refused);
        assert!(e.refused[0].contains("1.4.1"), "{:?}", e.refused);
        assert!(e.refused[0].contains("step"), "{:?}", e.refused);
        // A parameter that is not a number at all.
        let e = apply(&text, &[field("c|1.4.1|p.step", "两分")], &Op::Apply);
        assert!(!e.refused.is_empty());
        assert_eq!(e.text, text);
    }

    #[test]
    fn points_moved_between_two_clauses_keep_the_sums_and_the_diff_names_both() {
        let text = canonical();
        let before = check(DRAFT_FILE, &text).rubric.unwrap();
        let c = &before.clauses[0];
        let d = &before.clauses[1];
        let e = apply(
            &text,
            &[
                field(
                    &format!("c|{}|max", c.id),
                    &(c.max - rust_decimal::Decimal::new(1, 2)).to_string(),
                ),
                field(
                    &format!("c|{}|max", d.id),
                    &(d.max + rust_decimal::Decimal::new(1, 2)).to_string(),
                ),
            ],
            &Op::Apply,
        );
        assert!(e.refused.is_empty(), "{:?}", e.refused);
        let after = check(DRAFT_FILE, &e.text);
        assert!(after.errors().next().is_none(), "{:?}", after.lines());
        let lines = diff(&before, &after.rubric.unwrap());
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].explain.starts_with("满分 "), "{lines:?}");
    }

    #[test]
    fn a_changed_sum_is_shown_not_refused() {
        let text = canonical();
        let e = apply(&text, &[field("c|1.1.1|max", "0.09")], &Op::Apply);
        assert!(e.refused.is_empty(), "{:?}", e.refused);
        let c = check(DRAFT_FILE, &e.text);
        assert!(c.errors().all(is_sum), "{:?}", c.lines());
        assert!(c.errors().next().is_some());
    }

    #[test]
    fn a_rule_kind_changed_takes_the_new_kinds_parameters() {
        let text = canonical();
        let e = apply(
            &text,
            &[
                field("c|1.1.1|kind", "per_instance"),
                field("c|1.1.1|p.per", "0.01"),
                // A parameter of the old kind is dropped with it.
                field("c|1.1.1|p.step", "0.002"),
            ],
            &Op::Apply,
        );
        assert!(e.refused.is_empty(), "{:?}", e.refused);
        let r = check(DRAFT_FILE, &e.text).rubric.unwrap();
        assert_eq!(r.clause("1.1.1").unwrap().rule.kind(), "per_instance");
        assert!(r.describe_rule(r.clause("1.1.1").unwrap()).contains("0.01"));
    }

    #[test]
    fn moves_and_deletes_change_the_order() {
        let text = canonical();
        let e = apply(&text, &[], &Op::parse("down:c:1.1.1").unwrap());
        let r = check(DRAFT_FILE, &e.text).rubric.unwrap();
        assert_eq!(r.clauses[0].id.to_string(), "1.1.2");
        let e2 = apply(&e.text, &[], &Op::parse("down:c:1.1.1").unwrap());
        assert_eq!(e2.refused, vec!["条款 1.1.1 已在最后".to_string()]);
        let e3 = apply(&text, &[], &Op::parse("del:i:2").unwrap());
        let t: Table = e3.text.parse().unwrap();
        assert!(tree(&t, &[]).indicators.iter().all(|i| i.id != "2"));
    }

    #[test]
    fn the_seed_pasted_and_accepted_becomes_the_drafts_tree() {
        let seed = include_str!("../../../rubrics/source/rudong-2021-seed.txt");
        let v = paste_view(seed);
        assert!(v.clauses >= 20, "{}", v.clauses);
        let take: Vec<usize> = (1..=v.clauses).collect();
        let e = accept_paste(&canonical(), seed, &take, &take, PasteMode::Replace);
        assert!(e.refused.is_empty(), "{:?}", e.refused);
        let t: Table = e.text.parse().unwrap();
        let tr = tree(&t, &[]);
        let leaves: usize = tr
            .indicators
            .iter()
            .flat_map(|i| &i.children)
            .map(|it| it.children.len())
            .sum();
        let expected = paste::paste(seed).leaf_clauses().len();
        assert_eq!(leaves, expected);
        // Nothing ticked: nothing added.
        let none = accept_paste(&canonical(), seed, &[], &[], PasteMode::Append);
        assert_eq!(none.refused, vec!["没有勾选任何条款".to_string()]);
    }

    #[test]
    fn a_split_clause_takes_one_number_with_letters_and_the_next_goes_on() {
        let pasted = "网上服务\t0.1\n1. 及时处理网上申报件，无超期，得0.05分，发现一例扣0.002分；按办件时效综合排名，第一名得0.05分，其余按名次依次扣减0.002分。\n2. 材料齐全（0.05分）。\n";
        let v = paste_view(pasted);
        assert_eq!(v.clauses, 2, "{v:?}");
        assert_eq!(v.indicators[0].items[0].clauses[0].parts.len(), 2, "{v:?}");
        let e = accept_paste("", pasted, &[1, 2], &[1], PasteMode::Append);
        assert!(e.refused.is_empty(), "{:?}", e.refused);
        let t: Table = e.text.parse().unwrap();
        let ids: Vec<String> = tree(&t, &[]).indicators[0].children[0]
            .children
            .iter()
            .map(|c| c.id.clone())
            .collect();
        assert_eq!(ids, ["1.1.1a", "1.1.1b", "1.1.2"]);
        // The indicator's points, none stated, are its item's: 0.1.
        assert_eq!(tree(&t, &[]).indicators[0].max, "0.1");
    }

    #[test]
    fn a_field_sent_back_as_shown_is_no_change() {
        let text = canonical();
        let r = check(DRAFT_FILE, &text).rubric.unwrap();
        let c = &r.clauses[0];
        let e = apply(
            &text,
            &[
                field(
                    &format!("c|{}|text", c.id),
                    &format!("{}\r\n", c.text.replace('\n', "\r\n")),
                ),
                field(&format!("c|{}|title", c.id), &c.title),
            ],
            &Op::Apply,
        );
        assert_eq!(e.text, text);
    }

    #[test]
    fn every_parameter_of_every_kind_is_explained_with_an_example() {
        for (kind, _) in kaohe_core::rules::kinds() {
            for key in kaohe_core::rules::kind_keys(kind).unwrap() {
                let (help, example) = param_help(kind, key);
                assert!(!help.is_empty() && !example.is_empty(), "{kind}.{key}");
            }
        }
    }

    #[test]
    fn a_metric_is_chosen_from_the_rubrics_metrics_and_a_direction_in_chinese() {
        let text = canonical();
        let t: Table = text.parse().unwrap();
        let tr = tree(&t, &[]);
        let c = tr.indicators[0].children[3].children[0].clone();
        assert_eq!(c.id, "1.4.1");
        let metric = c.params.iter().find(|p| p.key == "metric").unwrap();
        assert_eq!(metric.name, "指标数据");
        assert_eq!(metric.value, "claim_rate");
        assert!(
            metric
                .choices
                .contains(&("claim_rate".to_string(), "认领率（claim_rate）".to_string())),
            "{:?}",
            metric.choices
        );
        let better = c.params.iter().find(|p| p.key == "better").unwrap();
        assert_eq!(better.value, "");
        assert_eq!(better.choices[0].1, "默认：数值高者在前");
        // A value not in the list stays a choice of its own.
        assert!(choices("metric", "gone", &[]).contains(&("gone".into(), "gone".into())));
        assert!(choices("step", "0.002", &[]).is_empty());
    }

    #[test]
    fn beijing_time_is_eight_hours_ahead() {
        assert_eq!(beijing("2021-12-01T09:05:00Z"), "2021年12月1日 17:05");
        assert_eq!(beijing("2021-12-31T20:00:00Z"), "2022年1月1日 04:00");
    }
}
