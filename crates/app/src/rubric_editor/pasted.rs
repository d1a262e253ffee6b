//! Pasted 细则 text as a proposed tree, and the ticked clauses added to the draft.

use super::*;

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

pub(super) fn pieces(text: &str, because: &str) -> Vec<Piece> {
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

pub(super) fn dec(d: Option<rust_decimal::Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

pub(super) fn clause_view(n: usize, c: &PastedClause) -> PasteClauseView {
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
            .map(|(k, v)| (param_name(k).to_string(), v.clone()))
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
pub(super) fn pasted_clauses(p: &Pasted) -> Vec<&PastedClause> {
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

pub(super) fn clause_table(id: &str, c: &PastedClause) -> Table {
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
            param_value(k, v, &[]).unwrap_or_else(|_| s(v))
        } else {
            s(v)
        };
        rule.insert((*k).into(), v);
    }
    t.insert("rule".into(), Value::Table(rule));
    t
}

pub(super) trait IfEmpty {
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
