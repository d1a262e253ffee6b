//! 粘贴细则 — a clerk pastes the 细则 text or table from Word, WPS or Excel; kaohe splits it into
//! 指标 → 类目 → 条款 and **suggests** a rule kind for each clause from its wording. The editor shows
//! every suggestion with the words that led to it, for the clerk to confirm or change; nothing is
//! applied silently. Pure: no IO, no clock, cannot fail (problems are reported).
//!
//! The pasted text is read as a stream of cells in reading order: a line is split at tabs (a Word or
//! Excel table row), each cell trimmed, quotes Excel puts around a cell with line breaks removed, and
//! empty cells dropped — so a table copied as rows and the same table copied cell per line read the
//! same. Then, in order:
//! - before the first 指标, the title (a cell with 细则 or 考核) and the header cells (类别, 序号, 类目,
//!   分值, 考核内容 …) are skipped;
//! - `政务服务（1分）`-like cells — short, ending in `（N分）` — start an indicator; a 序号 (a bare
//!   integer) before it is skipped, and a short cell before the 序号 is the 类别;
//! - a short cell followed by a bare number is a 类目 and its 分值;
//! - every other cell is clause text: a cell that starts with an enumerator (`1.`, `2、`, `（3）`) or
//!   the first text of a 类目 starts a clause, any other cell continues the clause before it (a
//!   paragraph break inside a Word cell).
//!
//! Suggestions, from the rubric's own words (see [`suggest`]):
//! - `一票否决` → `veto`;
//! - `第一名得A分，其余按名次依次扣减B分` → `rank_step` (first A, step B), or `composite_rank` when the
//!   sentence says 综合排名;
//! - `每发现一例扣X分` (一处、一项、一件、一次 …) → `per_instance` (per X; `每缺一项` gives the word
//!   `缺 {n} 项`); `酌情扣A–B分` → `per_instance` with the range [A, B];
//! - `不足N%的按比例扣分` → `proportional` (target N%);
//! - `加分` → `bonus`;
//! - none of these → `judgement` (scored by the assessor against the text).
//!
//! A clause whose sentences carry two different scoring rules (2021 seed 1.4.3: 无超期 per instance,
//! then 综合排名) gets `parts`: the suggested split, each part with its own text, points (`得N分`)
//! and rule — the way rudong-2021 writes 1.4.3a and 1.4.3b.

use crate::num::parse_decimal;
use rust_decimal::Decimal;

/// The most text a paste may hold (bytes).
pub const MAX_PASTE_BYTES: usize = 512 * 1024;
/// The most clauses a paste may produce.
pub const MAX_PASTE_CLAUSES: usize = 2_000;
/// The longest cell (characters); a longer one is cut with a problem.
pub const MAX_CELL_CHARS: usize = 10_000;

/// What a paste produced: the tree, and every problem found on the way (in Chinese).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pasted {
    /// The document's title when the paste starts with one.
    pub title: Option<String>,
    pub indicators: Vec<PastedIndicator>,
    /// Problems and notes for the clerk: limits reached, points that do not add up, stray numbers.
    pub problems: Vec<String>,
}

/// 指标 as pasted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PastedIndicator {
    /// 类别, e.g. 政务服务, when the table has that column.
    pub category: Option<String>,
    /// Empty when clauses came before any indicator heading.
    pub name: String,
    pub max: Option<Decimal>,
    pub items: Vec<PastedItem>,
}

/// 类目 as pasted; `name` is empty when the clauses sit directly under their indicator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PastedItem {
    pub name: String,
    pub max: Option<Decimal>,
    pub clauses: Vec<PastedClause>,
}

/// 条款 as pasted, with its suggested rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastedClause {
    /// 原文, verbatim (paragraphs joined by a line break).
    pub text: String,
    /// The clause's own name when its text starts `1. 事项认领率（0.05分）：`.
    pub title: Option<String>,
    /// The points the text states (`（0.05分）`, or `得0.05分` for a part).
    pub max: Option<Decimal>,
    /// The suggested rule; `judgement` when the wording names no other.
    pub suggestion: Suggestion,
    /// Every scoring wording found, in text order (the first is `suggestion`).
    pub found: Vec<Suggestion>,
    /// A suggested split when the sentences carry different scoring rules; else empty.
    pub parts: Vec<PastedClause>,
}

/// One suggested rule: the kind, the parameters read from the text, and the words that led to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// A rule kind of [`crate::rules`], e.g. `rank_step`.
    pub kind: &'static str,
    /// Parameters read from the wording, as the rubric file writes them (`("step", "0.002")`).
    pub params: Vec<(&'static str, String)>,
    /// The rubric's words that led to it, verbatim; empty for the `judgement` fallback.
    pub because: String,
    /// What the clerk still has to decide, in Chinese.
    pub note: String,
}

impl Pasted {
    /// Every clause in order, with a split clause's parts in place of the clause.
    pub fn leaf_clauses(&self) -> Vec<&PastedClause> {
        let mut out = Vec::new();
        for c in self
            .indicators
            .iter()
            .flat_map(|i| &i.items)
            .flat_map(|it| &it.clauses)
        {
            if c.parts.is_empty() {
                out.push(c);
            } else {
                out.extend(c.parts.iter());
            }
        }
        out
    }
}

/// Reads pasted 细则 text into a tree with a suggested rule per clause.
pub fn paste(text: &str) -> Pasted {
    let mut out = Pasted::default();
    let text = if text.len() > MAX_PASTE_BYTES {
        out.problems.push(format!(
            "粘贴的内容有 {} 字节，超过上限 {} 字节（512 KB）；只读了前 {} 字节，请分几次粘贴",
            text.len(),
            MAX_PASTE_BYTES,
            MAX_PASTE_BYTES
        ));
        let mut end = MAX_PASTE_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    } else {
        text
    };
    let cells = cells(text, &mut out.problems);
    let mut clauses = 0usize;
    let mut i = 0;
    while i < cells.len() {
        let (line, cell) = (&cells[i].0, cells[i].1.as_str());
        let next = cells.get(i + 1).map(|c| c.1.as_str());
        let after = cells.get(i + 2).map(|c| c.1.as_str());
        if out.indicators.is_empty() && !starts_enumerated(cell) && heading(cell).is_none() {
            if is_header(cell) {
                i += 1;
                continue;
            }
            if out.title.is_none()
                && (cell.contains("细则") || cell.contains("考核"))
                && cell.chars().count() <= 60
                && !next.is_some_and(is_number)
            {
                out.title = Some(cell.to_string());
                i += 1;
                continue;
            }
        }
        // 类别 → 序号 → 指标
        if short(cell)
            && !is_number(cell)
            && next.is_some_and(is_integer)
            && after.is_some_and(|a| heading(a).is_some())
        {
            let (name, max) = heading(after.unwrap_or_default()).unwrap_or_default();
            out.indicators.push(PastedIndicator {
                category: Some(cell.to_string()),
                name,
                max,
                items: Vec::new(),
            });
            i += 3;
            continue;
        }
        if is_integer(cell) && next.is_some_and(|n| heading(n).is_some()) {
            i += 1;
            continue;
        }
        if let Some((name, max)) = heading(cell) {
            let category = out.indicators.last().and_then(|x| x.category.clone());
            out.indicators.push(PastedIndicator {
                category,
                name,
                max,
                items: Vec::new(),
            });
            i += 1;
            continue;
        }
        if short(cell)
            && !starts_enumerated(cell)
            && !is_number(cell)
            && next.is_some_and(is_number)
        {
            let max = next.and_then(number_of);
            indicator(&mut out).items.push(PastedItem {
                name: cell.to_string(),
                max,
                clauses: Vec::new(),
            });
            i += 2;
            continue;
        }
        if is_number(cell) {
            out.problems.push(format!(
                "第 {line} 行：单独的数字“{cell}”前面没有类目名称，不知道是哪一项的分值，已略过"
            ));
            i += 1;
            continue;
        }
        let item = item(&mut out);
        match item.clauses.last_mut() {
            Some(last) if !starts_enumerated(cell) => {
                last.text.push('\n');
                last.text.push_str(cell);
                *last = clause(std::mem::take(&mut last.text));
            }
            _ => {
                clauses += 1;
                if clauses > MAX_PASTE_CLAUSES {
                    out.problems.push(format!(
                        "第 {line} 行：条款超过上限 {MAX_PASTE_CLAUSES} 条，其后的内容没有读入"
                    ));
                    break;
                }
                item.clauses.push(clause(cell.to_string()));
            }
        }
        i += 1;
    }
    check_points(&mut out);
    out
}

/// The suggested rule of one clause text, and every scoring wording found in it.
pub fn suggest(text: &str) -> (Suggestion, Vec<Suggestion>) {
    let mut found: Vec<(usize, Suggestion)> = Vec::new();
    for (start, sentence) in sentences(text) {
        for s in suggest_sentence(sentence) {
            found.push((start, s));
        }
    }
    found.sort_by_key(|(at, _)| *at);
    let found: Vec<Suggestion> = found.into_iter().map(|(_, s)| s).collect();
    let first = found.first().cloned().unwrap_or_else(judgement);
    (first, found)
}

fn judgement() -> Suggestion {
    Suggestion {
        kind: "judgement",
        params: Vec::new(),
        because: String::new(),
        note: "原文没有计分用语（排名、每发现一例扣分、按比例、加分、一票否决），建议由考核人员对照原文评分"
            .into(),
    }
}

fn clause(text: String) -> PastedClause {
    let title = title_of(&text);
    let max = stated_points(&text);
    let (suggestion, found) = suggest(&text);
    let parts = split(&text);
    PastedClause {
        text,
        title,
        max,
        suggestion,
        found,
        parts,
    }
}

/// A split when different sentences carry different scoring rules: each part runs from the
/// sentence of its rule to the next part's.
fn split(text: &str) -> Vec<PastedClause> {
    let sentences = sentences(text);
    let mut starts: Vec<(usize, Suggestion)> = Vec::new();
    for (start, sentence) in &sentences {
        if let Some(s) = suggest_sentence(sentence).into_iter().next() {
            if s.kind == "veto" || starts.last().is_some_and(|(_, p)| p.kind == s.kind) {
                continue;
            }
            starts.push((*start, s));
        }
    }
    if starts.len() < 2 {
        return Vec::new();
    }
    starts[0].0 = 0;
    let mut parts = Vec::new();
    for (k, (start, s)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(text.len(), |n| n.0);
        let part = text[*start..end].trim().to_string();
        let max = earned_points(&part).or_else(|| stated_points(&part));
        let (_, found) = suggest(&part);
        parts.push(PastedClause {
            title: if k == 0 { title_of(&part) } else { None },
            text: part,
            max,
            suggestion: s.clone(),
            found,
            parts: Vec::new(),
        });
    }
    parts
}

fn suggest_sentence(s: &str) -> Vec<Suggestion> {
    let mut out = Vec::new();
    if s.contains("一票否决") {
        out.push(Suggestion {
            kind: "veto",
            params: Vec::new(),
            because: "一票否决".into(),
            note: "一票否决：请确认否决的情形，否决后的档次在细则的 veto_grade 中填写".into(),
        });
    }
    if let Some(at) = s.find("第一名得") {
        let first = number_after(&s[at + "第一名得".len()..]);
        let step = [
            "依次扣减",
            "依次递减",
            "依次减",
            "递减",
            "每降一名扣",
            "每后一名扣",
        ]
        .iter()
        .find_map(|k| s[at..].find(k).map(|p| at + p + k.len()))
        .and_then(|p| number_after(&s[p..]));
        let composite = s.contains("综合排名");
        let mut params = Vec::new();
        if let Some(f) = first {
            params.push(("first", f.normalize().to_string()));
        }
        if let Some(st) = step {
            params.push(("step", st.normalize().to_string()));
        }
        let from = ["按", "对", "根据"]
            .iter()
            .filter_map(|k| s[..at].rfind(k))
            .max()
            .unwrap_or(at);
        out.push(Suggestion {
            kind: if composite {
                "composite_rank"
            } else {
                "rank_step"
            },
            params,
            because: s[from..].trim_end_matches(['；', '。', ';']).to_string(),
            note: if composite {
                "综合排名：请选出参与排名的各项指标（parts）及其权重与方向".into()
            } else {
                "按名次计分：请选出排名所依据的指标（metric），以及高者还是低者名次在前（better）"
                    .into()
            },
        });
    }
    if let Some((because, lo, hi)) = range_deduction(s) {
        out.push(Suggestion {
            kind: "per_instance",
            params: vec![(
                "range",
                format!("[\"{}\", \"{}\"]", lo.normalize(), hi.normalize()),
            )],
            because,
            note: "酌情扣分：考核人员在范围内选定每件的扣分，并写明理由".into(),
        });
    } else if let Some((because, per, word)) = per_instance(s) {
        let mut params = vec![("per", per.normalize().to_string())];
        if let Some(w) = word {
            params.push(("word", w));
        }
        out.push(Suggestion {
            kind: "per_instance",
            params,
            because,
            note: "每发现一例扣分：问题由考核人员逐条记录；若由平台数据计数，请选出计数的指标（metric）".into(),
        });
    }
    if let Some((because, target)) = proportional(s) {
        out.push(Suggestion {
            kind: "proportional",
            params: vec![("target", target.normalize().to_string())],
            because,
            note: "按比例扣分：请选出所比较的指标（metric）；得分 = 分值 × 实际 ÷ 目标".into(),
        });
    }
    if out.is_empty() && s.contains("加分") {
        let at = s.find("加分").unwrap_or(0);
        let from = s[..at].char_indices().rev().nth(5).map_or(0, |(p, _)| p);
        out.push(Suggestion {
            kind: "bonus",
            params: Vec::new(),
            because: s[from..at + "加分".len()].to_string(),
            note: "加分：由考核人员逐项给分并写明理由；如细则写有加分上限，请填写 cap".into(),
        });
    }
    out
}

/// `每发现一例扣0.002分`, `发现一处扣1分`, `每缺一项扣0.2分`, `每发现一例标识不清扣0.1分`
/// → (words, per, word): `一` and a measure word at most 12 characters before `扣`, with no
/// sentence mark between.
fn per_instance(s: &str) -> Option<(String, Decimal, Option<String>)> {
    const MEASURES: &[char] = &['例', '处', '项', '件', '次', '个', '条', '人', '家'];
    for (at, _) in s.match_indices('扣') {
        let Some(per) = number_after(&s[at + '扣'.len_utf8()..]) else {
            continue;
        };
        let before: Vec<(usize, char)> = s[..at].char_indices().collect();
        let n = before.len();
        let window = before[n.saturating_sub(14)..]
            .iter()
            .rposition(|(_, c)| matches!(c, '，' | ',' | '；' | ';' | '。' | '：' | ':'))
            .map_or(n.saturating_sub(14), |p| n.saturating_sub(14) + p + 1);
        let Some(k) = (window + 1..n)
            .rev()
            .find(|&k| before[k - 1].1 == '一' && MEASURES.contains(&before[k].1))
        else {
            continue;
        };
        let (yi_at, measure) = (before[k - 1].0, before[k].1);
        // the verb before 一 (发现, 缺, 有 …) and 每 before it
        let near = || before[window..k - 1].iter().rev().take(4);
        let from = near()
            .find(|(_, c)| *c == '每')
            .or_else(|| near().find(|(_, c)| *c == '发'))
            .map_or(yi_at, |(p, _)| *p);
        let verb_lack = s[..yi_at].ends_with('缺');
        let end = s[at..]
            .find('分')
            .map_or(s.len(), |p| at + p + '分'.len_utf8());
        let word = verb_lack.then(|| format!("缺 {{n}} {measure}"));
        return Some((s[from..end].to_string(), per, word));
    }
    None
}

/// `酌情扣2–5分` → (words, 2, 5).
fn range_deduction(s: &str) -> Option<(String, Decimal, Decimal)> {
    let at = s.find("酌情扣")?;
    let rest = &s[at + "酌情扣".len()..];
    let (lo, used) = number_prefix(rest)?;
    let rest2 = &rest[used..];
    let sep = rest2.chars().next()?;
    if !['-', '–', '—', '~', '～', '至', '到', '－'].contains(&sep) {
        return None;
    }
    let rest3 = &rest2[sep.len_utf8()..];
    let (hi, used2) = number_prefix(rest3)?;
    let end_rel = used + sep.len_utf8() + used2;
    let tail = &rest[end_rel..];
    let end = at
        + "酌情扣".len()
        + end_rel
        + if tail.starts_with('分') {
            '分'.len_utf8()
        } else {
            0
        };
    (lo <= hi).then(|| (s[at..end].to_string(), lo, hi))
}

/// `不足95%的按比例进行扣分` → (words, 0.95).
fn proportional(s: &str) -> Option<(String, Decimal)> {
    let at = s.find("按比例")?;
    let head = &s[..at];
    let from = ["不足", "低于", "未达到", "达不到"]
        .iter()
        .filter_map(|k| head.rfind(k).map(|p| (p, k.len())))
        .max()?;
    let (pct, _) = number_prefix(&head[from.0 + from.1..])?;
    let end = s[at..]
        .find("扣分")
        .map_or(at + "按比例".len(), |p| at + p + "扣分".len());
    Some((s[from.0..end].to_string(), pct / Decimal::ONE_HUNDRED))
}

/// The points a clause states: the first `（N分）` or `(N分)`.
fn stated_points(text: &str) -> Option<Decimal> {
    for (at, open) in text.char_indices().filter(|(_, c)| *c == '（' || *c == '(') {
        let rest = &text[at + open.len_utf8()..];
        if let Some((n, used)) = number_prefix(rest) {
            let tail = &rest[used..];
            if tail.starts_with("分）") || tail.starts_with("分)") {
                return Some(n);
            }
        }
    }
    None
}

/// The points a part earns: the first `得N分`.
fn earned_points(text: &str) -> Option<Decimal> {
    text.match_indices('得').find_map(|(at, _)| {
        let rest = &text[at + '得'.len_utf8()..];
        let (n, used) = number_prefix(rest)?;
        rest[used..].starts_with('分').then_some(n)
    })
}

/// `1. 事项认领率（0.05分）：…` → 事项认领率.
fn title_of(text: &str) -> Option<String> {
    let body = strip_enumerator(text)?;
    let open = body.find(['（', '('])?;
    let name = body[..open].trim();
    let rest = &body[open..];
    let close = rest.find(['）', ')'])?;
    let after = rest[close..].chars().nth(1)?;
    let n = name.chars().count();
    ((2..=20).contains(&n)
        && (after == '：' || after == ':')
        && stated_points(&rest[..close + rest[close..].chars().next()?.len_utf8()]).is_some())
    .then(|| name.to_string())
}

fn sentences(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (at, c) in text.char_indices() {
        if matches!(c, '；' | ';' | '。' | '\n') {
            let end = at + c.len_utf8();
            if !text[start..end].trim().is_empty() {
                out.push((start, &text[start..end]));
            }
            start = end;
        }
    }
    if !text[start..].trim().is_empty() {
        out.push((start, &text[start..]));
    }
    out
}

fn cells(text: &str, problems: &mut Vec<String>) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for cell in line.split('\t') {
            let mut c = cell.trim().trim_matches('"').trim().to_string();
            if c.is_empty() {
                continue;
            }
            if c.chars().count() > MAX_CELL_CHARS {
                problems.push(format!(
                    "第 {} 行：一格有 {} 个字，超过上限 {MAX_CELL_CHARS} 字，只保留了前 {MAX_CELL_CHARS} 字",
                    n + 1,
                    c.chars().count()
                ));
                c = c.chars().take(MAX_CELL_CHARS).collect();
            }
            out.push((n + 1, c));
        }
    }
    out
}

fn indicator(out: &mut Pasted) -> &mut PastedIndicator {
    if out.indicators.is_empty() {
        out.indicators.push(PastedIndicator::default());
    }
    out.indicators.last_mut().expect("just pushed")
}

fn item(out: &mut Pasted) -> &mut PastedItem {
    let ind = indicator(out);
    if ind.items.is_empty() {
        ind.items.push(PastedItem::default());
    }
    ind.items.last_mut().expect("just pushed")
}

fn check_points(out: &mut Pasted) {
    let mut notes = Vec::new();
    for ind in &out.indicators {
        let sum: Option<Decimal> = ind.items.iter().map(|i| i.max).sum();
        if let (Some(max), Some(sum)) = (ind.max, sum)
            && max != sum
            && !ind.items.is_empty()
        {
            notes.push(format!(
                "指标“{}”分值 {}，其下类目分值合计 {}，请核对",
                ind.name,
                max.normalize(),
                sum.normalize()
            ));
        }
        for it in &ind.items {
            let sum: Option<Decimal> = it
                .clauses
                .iter()
                .filter(|c| c.suggestion.kind != "bonus" && c.suggestion.kind != "veto")
                .map(|c| c.max)
                .sum();
            if let (Some(max), Some(sum)) = (it.max, sum)
                && max != sum
                && !it.clauses.is_empty()
            {
                notes.push(format!(
                    "类目“{}”分值 {}，其下条款分值合计 {}，请核对",
                    it.name,
                    max.normalize(),
                    sum.normalize()
                ));
            }
        }
    }
    out.problems.extend(notes);
}

const HEADERS: &[&str] = &[
    "类别",
    "序号",
    "类目",
    "分值",
    "考核内容",
    "考核标准",
    "考核方式",
    "考核办法",
    "评分标准",
    "评分细则",
    "备注",
    "得分",
    "自评分",
    "指标",
    "考核指标",
    "指标名称",
    "评分方法",
];

fn is_header(cell: &str) -> bool {
    HEADERS.contains(&cell) || (cell.ends_with("考核指标") && cell.chars().count() <= 12)
}

fn short(cell: &str) -> bool {
    cell.chars().count() <= 40
}

/// `政务服务规范化建设（1分）` → (name, 1).
fn heading(cell: &str) -> Option<(String, Option<Decimal>)> {
    if starts_enumerated(cell) || !short(cell) {
        return None;
    }
    let trimmed = cell.trim_end();
    let close = trimmed.ends_with("分）") || trimmed.ends_with("分)");
    if !close {
        return None;
    }
    let open = trimmed.rfind(['（', '('])?;
    let name = trimmed[..open].trim();
    // a heading names, it does not score: no sentence marks, no 扣/得
    if name.is_empty() || name.contains(['，', '。', '；', ',', ';', '扣', '得', '%', '％']) {
        return None;
    }
    let max = stated_points(&trimmed[open..])?;
    Some((name.to_string(), Some(max)))
}

fn strip_enumerator(text: &str) -> Option<&str> {
    let t = text.trim_start();
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if (1..=2).contains(&digits) {
        let rest = t[digits..].trim_start();
        let c = rest.chars().next()?;
        if ['.', '．', '、'].contains(&c) {
            return Some(rest[c.len_utf8()..].trim_start());
        }
        return None;
    }
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(rest) = t.strip_prefix(open) {
            let d = rest.chars().take_while(|c| c.is_ascii_digit()).count();
            if (1..=2).contains(&d) && rest[d..].starts_with(close) {
                return Some(rest[d + close.len_utf8()..].trim_start());
            }
        }
    }
    None
}

fn starts_enumerated(cell: &str) -> bool {
    strip_enumerator(cell).is_some()
}

fn to_ascii(c: char) -> Option<char> {
    match c {
        '0'..='9' | '.' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        '．' => Some('.'),
        _ => None,
    }
}

/// A decimal at the start of `s` (ASCII or full-width digits), with the bytes it used.
fn number_prefix(s: &str) -> Option<(Decimal, usize)> {
    let mut ascii = String::new();
    let mut used = 0;
    for c in s.chars() {
        match to_ascii(c) {
            Some(a) if ascii.len() < 20 => {
                ascii.push(a);
                used += c.len_utf8();
            }
            _ => break,
        }
    }
    let ascii = ascii.trim_end_matches('.');
    parse_decimal(ascii).map(|d| (d, used))
}

fn number_after(s: &str) -> Option<Decimal> {
    number_prefix(s.trim_start()).map(|(d, _)| d)
}

fn number_of(cell: &str) -> Option<Decimal> {
    let (d, used) = number_prefix(cell)?;
    (used == cell.len()).then_some(d)
}

fn is_number(cell: &str) -> bool {
    number_of(cell).is_some()
}

fn is_integer(cell: &str) -> bool {
    !cell.is_empty() && cell.chars().count() <= 3 && cell.chars().all(|c| c.is_ascii_digit())
}
