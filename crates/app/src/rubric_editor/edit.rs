//! Edits of a draft: add, move, delete, set fields, replace the whole text.

use super::*;

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
pub(super) fn locate(t: &Table, level: Level, id: &str) -> Option<Vec<(&'static str, usize)>> {
    pub(super) fn walk(
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
pub(super) fn find_mut<'a>(
    t: &'a mut Table,
    level: Level,
    id: &str,
) -> Option<(&'a mut Vec<Value>, usize)> {
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

pub(super) fn table_mut<'a>(t: &'a mut Table, level: Level, id: &str) -> Option<&'a mut Table> {
    let (arr, i) = find_mut(t, level, id)?;
    arr.get_mut(i)?.as_table_mut()
}

/// Every id in the tree (to make new ones unique).
pub(super) fn all_ids(t: &Table) -> std::collections::BTreeSet<String> {
    pub(super) fn walk(v: &Value, out: &mut std::collections::BTreeSet<String>) {
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

pub(super) fn next_id(t: &Table, prefix: &str, from: usize) -> String {
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

pub(super) fn push_table(t: &mut Table, key: &str, new: Table) {
    match t.get_mut(key) {
        Some(Value::Array(a)) => a.push(Value::Table(new)),
        _ => {
            t.insert(key.into(), Value::Array(vec![Value::Table(new)]));
        }
    }
}

pub(super) fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

pub(super) fn new_clause(id: &str) -> Table {
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
pub(super) fn structural(t: &mut Table, op: &Op) -> Result<String, String> {
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
pub(super) fn set_fields(t: &mut Table, fields: &[(String, String)]) -> (Vec<String>, Vec<String>) {
    let mut wrong = Vec::new();
    let mut changed = Vec::new();
    // The kind first, so that the parameters are read for the kind chosen.
    let mut kinds: Vec<(String, String)> = Vec::new();
    let metrics: Vec<(String, String)> = super::tree::tables(t, "metrics")
        .iter()
        .map(|m| (text_of(m, "key"), text_of(m, "name")))
        .collect();
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
                    .map(|v| param_text(key, v, &metrics))
                    .unwrap_or_default();
                if now == value.trim() {
                    continue;
                }
                if value.trim().is_empty() {
                    rule.remove(key);
                    continue;
                }
                match param_value(key, &value, &metrics) {
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
pub(super) fn differs(old: &str, new: &str) -> bool {
    old != new && old != new.trim()
}

/// Whether a problem is a sum that no longer adds up (shown, never a reason to refuse an edit).
pub(super) fn is_sum(p: &Problem) -> bool {
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
