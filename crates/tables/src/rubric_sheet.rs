//! 细则表导入 — `kaohe rubric import F.xlsx`: the workbook of `kaohe rubric export` (layout in
//! `kaohe_core::rubric::sheet`) read back, within this crate's XLSX limits, into a rubric and its
//! canonical TOML (`kaohe_core::rubric::write`).
//!
//! The cells are turned into the rubric's TOML and that is loaded by the rubric loader, so every
//! check of `kaohe rubric check` applies; each of the loader's problems is mapped back to the sheet,
//! row and column it came from (`细则 第5行 [分值（F列）]`, `说明 第12行 [值（B列）]` for a rubric-level
//! field such as 单位类型, `指标与类目 第3行 [共享扣分额度（E列）]`). Problems that only a sheet can
//! have (an unknown 规则类型, a list cell that does not read — 问题类型, 酌情扣分范围, 阶梯, 排名组 —,
//! a clause whose 类目 is not in 指标与类目, an unknown column or 项目) are found while reading. All
//! or nothing: any error and no rubric. Columns are found by their headers, so a clerk may move
//! them. A missing column is an error, or — for a parameter column and the columns added for
//! issue 11 (`layout::NEWER_COLUMNS`), so that a workbook exported before them still reads — a
//! warning naming it (`缺少列“适用单位类型”，按空读取`), never silently empty; warnings come back
//! with the rubric.

use crate::sheet::{Sheet, Workbook, column_letters};
use kaohe_core::problem::{Origin, Problem};
use kaohe_core::rubric::{self, Rubric, sheet as layout};
use std::collections::BTreeMap;
use toml::{Table, Value};

/// Where a value came from: its sheet, row and column.
#[derive(Clone)]
struct At {
    sheet: String,
    row: u32,
    column: String,
}

impl At {
    fn origin(&self) -> Origin {
        Origin::row(&self.sheet, self.row).with_column(&self.column)
    }
}

/// A rubric read from a workbook: the rubric, its canonical TOML and the warnings of reading it.
pub type Imported = (Rubric, String, Vec<Problem>);

/// Reads the workbook's bytes (`name` names it in problems): the rubric, its canonical TOML and
/// the warnings, or every problem.
pub fn import(name: &str, bytes: Vec<u8>) -> Result<Imported, Vec<Problem>> {
    let mut wb = Workbook::from_bytes(name, bytes).map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let mut read = |s: &str| match wb.sheet(s) {
        Ok(sheet) => Some(sheet),
        Err(p) => {
            problems.push(
                Problem::error(format!("缺少工作表“{s}”或无法读取：{}", p.message))
                    .at(Some(Origin::file(name)))
                    .expected("kaohe rubric export 导出的三张工作表：细则、指标与类目、说明"),
            );
            None
        }
    };
    let (about, parts, clauses) = (
        read(layout::ABOUT),
        read(layout::PARTS),
        read(layout::CLAUSES),
    );
    let (Some(about), Some(parts), Some(clauses)) = (about, parts, clauses) else {
        return Err(problems);
    };
    let mut cx = Cx::default();
    let mut top = cx.about(&about);
    let indicators = cx.parts(&parts);
    let indicators = cx.clauses(&clauses, indicators);
    top.insert("indicators".into(), Value::Array(indicators));
    let text = top.to_string();
    let (r, loaded) = rubric::load(name, &text);
    let mut problems = std::mem::take(&mut cx.problems);
    let mut seen: Vec<Option<Origin>> = problems.iter().map(|p| p.origin.clone()).collect();
    for p in loaded {
        let p = cx.map(p, name);
        if p.is_error() && seen.contains(&p.origin) {
            continue;
        }
        seen.push(p.origin.clone());
        problems.push(p);
    }
    match r {
        Some(r) if !problems.iter().any(Problem::is_error) => {
            let text = rubric::write(&r);
            Ok((r, text, problems))
        }
        _ => Err(problems),
    }
}

#[derive(Default)]
struct Cx {
    problems: Vec<Problem>,
    /// 说明: a top-level key's row; the rows of metrics and grades, in order.
    top_rows: BTreeMap<String, At>,
    metric_rows: Vec<At>,
    grade_rows: Vec<At>,
    /// 指标与类目: an id's row, and the sheet's columns by TOML key (层级 under "").
    part_rows: BTreeMap<String, At>,
    part_columns: BTreeMap<String, String>,
    /// 细则: a clause id's row, and the sheet's columns by key.
    clause_rows: BTreeMap<String, At>,
    clause_columns: BTreeMap<String, String>,
}

/// A column's name in problems: `分值（F列）`.
fn col_name(header: &str, i: usize) -> String {
    format!("{header}（{}列）", column_letters(i))
}

fn cell(cells: &[String], i: usize) -> &str {
    cells.get(i).map(|s| s.as_str()).unwrap_or("")
}

/// The parent table a clause goes into: an indicator (two levels), an item or a sub-item.
#[derive(Default)]
struct Ind {
    table: Table,
    items: Vec<ItemT>,
    clauses: Vec<Value>,
}
#[derive(Default)]
struct ItemT {
    table: Table,
    subs: Vec<(Table, Vec<Value>)>,
    clauses: Vec<Value>,
}

impl Cx {
    fn err(&mut self, at: &At, msg: String) {
        self.problems
            .push(Problem::error(msg).at(Some(at.origin())));
    }

    fn about(&mut self, s: &Sheet) -> Table {
        let mut t = Table::new();
        let (mut metrics, mut grades) = (Vec::new(), Vec::new());
        let heads = &s.headers;
        let at = |row: u32, i: usize| At {
            sheet: s.name.clone(),
            row,
            column: col_name(heads.get(i).map_or("", |h| h.as_str()), i),
        };
        for row in &s.rows {
            let label = cell(&row.cells, 0).trim();
            if label.starts_with('注') {
                continue;
            }
            let fields = |keys: &[&str]| {
                let mut t = Table::new();
                for (i, k) in keys.iter().enumerate() {
                    let v = cell(&row.cells, i + 1);
                    if !v.is_empty() {
                        t.insert((*k).into(), Value::String(v.into()));
                    }
                }
                Value::Table(t)
            };
            if label == layout::METRIC_ROW {
                metrics.push(fields(layout::METRIC_FIELDS));
                self.metric_rows.push(at(row.number, 1));
            } else if label == layout::GRADE_ROW {
                grades.push(fields(layout::GRADE_FIELDS));
                self.grade_rows.push(at(row.number, 1));
            } else if let Some((_, key, _)) =
                layout::ABOUT_FIELDS.iter().find(|(l, ..)| *l == label)
            {
                let here = at(row.number, 1);
                self.top_rows.insert(key.to_string(), here.clone());
                match layout::about_value(label, key, cell(&row.cells, 1)) {
                    Ok(Some(value)) => {
                        t.insert(key.to_string(), value);
                    }
                    Ok(None) => {}
                    Err(why) => self.err(&here, why),
                }
            } else if !label.is_empty() {
                let known: Vec<&str> = layout::ABOUT_FIELDS.iter().map(|(l, ..)| *l).collect();
                self.err(
                    &at(row.number, 0),
                    format!(
                        "未知项目“{label}”（可用：{}、{}、{}；以“注”开头的行不读）",
                        known.join("、"),
                        layout::METRIC_ROW,
                        layout::GRADE_ROW
                    ),
                );
            }
        }
        if !metrics.is_empty() {
            t.insert("metrics".into(), Value::Array(metrics));
        }
        if !grades.is_empty() {
            t.insert("grades".into(), Value::Array(grades));
        }
        t
    }

    fn parts(&mut self, s: &Sheet) -> Vec<Ind> {
        let cols = self.columns(s, layout::PART_COLUMNS, &[]).0;
        for (name, key) in layout::PART_COLUMNS.iter().zip(layout::PART_KEYS) {
            let at = cols
                .get(name)
                .map_or(name.to_string(), |&i| col_name(name, i));
            self.part_columns.insert(key.to_string(), at);
        }
        let mut out: Vec<Ind> = Vec::new();
        for row in &s.rows {
            let c = |name: &str| cols.get(name).map_or("", |&i| cell(&row.cells, i));
            let level = layout::PART_COLUMNS[0];
            let here = At {
                sheet: s.name.clone(),
                row: row.number,
                column: self.part_columns[""].clone(),
            };
            let mut t = Table::new();
            for (name, key) in layout::PART_COLUMNS.iter().zip(layout::PART_KEYS).skip(1) {
                if !c(name).trim().is_empty() {
                    t.insert((*key).into(), Value::String(c(name).into()));
                }
            }
            let id = c(layout::PART_COLUMNS[1]);
            if !id.is_empty() {
                self.part_rows.insert(id.to_string(), here.clone());
            }
            match c(level).trim() {
                "指标" => out.push(Ind {
                    table: t,
                    ..Ind::default()
                }),
                "类目" => match out.last_mut() {
                    Some(ind) => ind.items.push(ItemT {
                        table: t,
                        ..ItemT::default()
                    }),
                    None => self.err(&here, "类目之前应有它所属的指标行".into()),
                },
                "子类目" => match out.last_mut().and_then(|i| i.items.last_mut()) {
                    Some(item) => item.subs.push((t, Vec::new())),
                    None => self.err(&here, "子类目之前应有它所属的类目行".into()),
                },
                other => self.err(
                    &here,
                    format!("层级应为 指标 / 类目 / 子类目，实为“{other}”"),
                ),
            }
        }
        out
    }

    /// The columns of sheet `s` by header: the fixed ones (each missing one a problem), then the
    /// parameter columns (`key 说明`); any other header is a problem.
    fn columns(
        &mut self,
        s: &Sheet,
        fixed: &[&'static str],
        params: &[&'static str],
    ) -> (BTreeMap<&'static str, usize>, Vec<(&'static str, usize)>) {
        let mut cols: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut param_cols: Vec<(&'static str, usize)> = Vec::new();
        for (i, h) in s.headers.iter().enumerate() {
            let h = h.trim();
            if let Some(name) = fixed.iter().find(|c| **c == h) {
                cols.insert(name, i);
            } else if let Some(k) = params.iter().find(|k| **k == layout::header_key(h)) {
                param_cols.push((k, i));
            } else if !h.is_empty() {
                let here = At {
                    sheet: s.name.clone(),
                    row: 1,
                    column: col_name(h, i),
                };
                self.err(&here, format!("未知的列“{h}”"));
            }
        }
        let here = |column: String| {
            Some(
                At {
                    sheet: s.name.clone(),
                    row: 1,
                    column,
                }
                .origin(),
            )
        };
        for name in fixed.iter().filter(|n| !cols.contains_key(*n)) {
            let p = if layout::NEWER_COLUMNS.contains(name) {
                Problem::warning(format!("缺少列“{name}”，按空读取")).expected(format!(
                    "列“{name}”（此前导出的细则表没有这一列；重新导出可得）"
                ))
            } else {
                Problem::error(format!("缺少列“{name}”"))
            };
            self.problems.push(p.at(here((*name).into())));
        }
        for k in params
            .iter()
            .filter(|k| !param_cols.iter().any(|(p, _)| p == *k))
        {
            let head = layout::param_header(k);
            self.problems
                .push(Problem::warning(format!("缺少参数列“{head}”，按空读取")).at(here(head)));
        }
        (cols, param_cols)
    }

    fn clauses(&mut self, s: &Sheet, mut inds: Vec<Ind>) -> Vec<Value> {
        let params = kaohe_core::rules::param_keys();
        let (cols, param_cols) = self.columns(s, layout::CLAUSE_COLUMNS, &params);
        for (name, &i) in &cols {
            self.clause_columns
                .insert(name.to_string(), col_name(name, i));
        }
        for (k, i) in &param_cols {
            self.clause_columns
                .insert(format!("rule.{k}"), col_name(&s.headers[*i], *i));
        }
        let kinds = kaohe_core::rules::kinds();
        for row in &s.rows {
            let get = |name: &str| cols.get(name).map_or("", |&i| cell(&row.cells, i));
            let at = |name: &str| At {
                sheet: s.name.clone(),
                row: row.number,
                column: cols
                    .get(name)
                    .map_or(name.to_string(), |&i| col_name(name, i)),
            };
            let id = get("序号").trim().to_string();
            if id.is_empty() {
                self.err(&at("序号"), "序号（条款编号）不能为空".into());
                continue;
            }
            self.clause_rows.insert(id.clone(), at("序号"));
            let mut t = Table::new();
            let text = |k: &str, col: &str, t: &mut Table| {
                let v = get(col);
                if !v.is_empty() {
                    t.insert(k.into(), Value::String(v.into()));
                }
            };
            text("id", "序号", &mut t);
            text("title", "标题", &mut t);
            text("max", "分值", &mut t);
            let methods = layout::kinds_value(&get("考核方式").replace('/', "、"));
            if !methods.is_empty() {
                t.insert("method".into(), Value::Array(methods));
            }
            let kinds_cell = get("适用单位类型");
            if !kinds_cell.trim().is_empty() {
                t.insert(
                    "applies_to".into(),
                    Value::Array(layout::kinds_value(kinds_cell)),
                );
            }
            text("text", "原文", &mut t);
            text("content", "考核内容", &mut t);
            text("standard", "考核标准", &mut t);
            text("method_text", "考核办法", &mut t);
            let points: Vec<Value> = get("检查要点")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| Value::String(l.into()))
                .collect();
            if !points.is_empty() {
                t.insert("checkpoints".into(), Value::Array(points));
            }
            let label = get("规则类型").trim();
            let kind = kinds.iter().find(|(k, l)| *l == label || *k == label);
            let mut rule = Table::new();
            match kind {
                Some((k, _)) => {
                    rule.insert("kind".into(), Value::String((*k).into()));
                }
                None if label.is_empty() => self.err(&at("规则类型"), "缺少规则类型".into()),
                None => {
                    let names: Vec<&str> = kinds.iter().map(|(_, l)| *l).collect();
                    self.err(
                        &at("规则类型"),
                        format!("未知规则类型“{label}”（可用：{}）", names.join("、")),
                    );
                }
            }
            for (k, i) in &param_cols {
                match layout::param_value(k, cell(&row.cells, *i)) {
                    Ok(Some(value)) => {
                        rule.insert((*k).into(), value);
                    }
                    Ok(None) => {}
                    Err(why) => {
                        let here = At {
                            sheet: s.name.clone(),
                            row: row.number,
                            column: col_name(&s.headers[*i], *i),
                        };
                        self.err(&here, why);
                    }
                }
            }
            if kind.is_some() {
                t.insert("rule".into(), Value::Table(rule));
            }
            self.place(&mut inds, t, (get("指标"), get("类目"), get("子类目")), &at);
        }
        inds.into_iter()
            .map(|ind| {
                let mut t = ind.table;
                if !ind.clauses.is_empty() {
                    t.insert("clauses".into(), Value::Array(ind.clauses));
                }
                let items: Vec<Value> = ind
                    .items
                    .into_iter()
                    .map(|item| {
                        let mut it = item.table;
                        if !item.clauses.is_empty() {
                            it.insert("clauses".into(), Value::Array(item.clauses));
                        }
                        let subs: Vec<Value> = item
                            .subs
                            .into_iter()
                            .map(|(mut st, cl)| {
                                st.insert("clauses".into(), Value::Array(cl));
                                Value::Table(st)
                            })
                            .collect();
                        if !subs.is_empty() {
                            it.insert("subitems".into(), Value::Array(subs));
                        }
                        Value::Table(it)
                    })
                    .collect();
                if !items.is_empty() {
                    t.insert("items".into(), Value::Array(items));
                }
                Value::Table(t)
            })
            .collect()
    }

    /// Puts a clause under the indicator, item or sub-item its row names.
    fn place(
        &mut self,
        inds: &mut [Ind],
        t: Table,
        (ind, item, sub): (&str, &str, &str),
        at: &dyn Fn(&str) -> At,
    ) {
        let id_of = |t: &Table| {
            t.get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let (ind, item, sub) = (ind.trim(), item.trim(), sub.trim());
        let Some(i) = inds.iter_mut().find(|i| id_of(&i.table) == ind) else {
            self.err(
                &at("指标"),
                format!("指标“{ind}”不在工作表“{}”中", layout::PARTS),
            );
            return;
        };
        if item.is_empty() {
            if !sub.is_empty() {
                self.err(&at("子类目"), "填了子类目，也应填它所属的类目".into());
            }
            i.clauses.push(Value::Table(t));
            return;
        }
        let Some(it) = i.items.iter_mut().find(|x| id_of(&x.table) == item) else {
            self.err(
                &at("类目"),
                format!("类目“{item}”不在工作表“{}”中指标 {ind} 之下", layout::PARTS),
            );
            return;
        };
        if sub.is_empty() {
            it.clauses.push(Value::Table(t));
            return;
        }
        match it.subs.iter_mut().find(|(s, _)| id_of(s) == sub) {
            Some((_, cl)) => cl.push(Value::Table(t)),
            None => self.err(
                &at("子类目"),
                format!(
                    "子类目“{sub}”不在工作表“{}”中类目 {item} 之下",
                    layout::PARTS
                ),
            ),
        }
    }

    /// A loader's problem (its path in the TOML) moved to the sheet, row and column it came from.
    fn map(&self, mut p: Problem, name: &str) -> Problem {
        let path = p
            .origin
            .as_ref()
            .and_then(|o| o.column.clone())
            .unwrap_or_default();
        // A segment names its key as `满分（max）` (the loader's words) or as the key alone.
        let segs: Vec<&str> = path
            .split(" › ")
            .map(|seg| {
                seg.strip_suffix('）')
                    .and_then(|s| s.rsplit_once('（'))
                    .map_or(seg, |(_, key)| key)
            })
            .collect();
        let head = segs.first().copied().unwrap_or("");
        let field = segs.get(1).copied().unwrap_or("");
        let at = if let Some(id) = head.strip_prefix("条款 ") {
            self.clause_rows.get(id).map(|a| {
                let col = match (field, segs.get(2)) {
                    ("rule", Some(k)) if *k != "kind" => {
                        let k = k.split('[').next().unwrap_or(k);
                        format!("rule.{k}")
                    }
                    ("rule", _) => "规则类型".into(),
                    (f, _) => clause_column(f).to_string(),
                };
                At {
                    column: self.clause_columns.get(&col).cloned().unwrap_or(col),
                    ..a.clone()
                }
            })
        } else if let Some(id) = ["指标 ", "类目 ", "子类目 "]
            .iter()
            .find_map(|w| head.strip_prefix(w))
        {
            let key = if layout::PART_KEYS.contains(&field) {
                field
            } else {
                ""
            };
            self.part_rows.get(id).map(|a| At {
                column: self.part_columns.get(key).cloned().unwrap_or_default(),
                ..a.clone()
            })
        } else if let Some(("metrics" | "grades", rest)) = head.split_once('[') {
            let n: usize = rest.trim_end_matches(']').parse().unwrap_or(0);
            let (rows, fields) = if head.starts_with("metrics") {
                (&self.metric_rows, layout::METRIC_FIELDS)
            } else {
                (&self.grade_rows, layout::GRADE_FIELDS)
            };
            rows.get(n.wrapping_sub(1)).map(|a| {
                let i = fields.iter().position(|f| *f == field).map_or(1, |i| i + 1);
                At {
                    column: format!("{}列", column_letters(i)),
                    ..a.clone()
                }
            })
        } else if head == "grades" {
            // Of the bands as a whole (a gap below the lowest): the first band's row.
            self.grade_rows.first().cloned()
        } else {
            // A rubric-level field, or one entry of its list (`ranking_groups[2]`): its row.
            let key = head.split('[').next().unwrap_or(head);
            self.top_rows.get(key).cloned()
        };
        p.origin = Some(match at {
            Some(a) => a.origin(),
            None => Origin::file(format!("{name} › {}", layout::ABOUT)).with_column(path),
        });
        p
    }
}

/// The 细则 column of a clause's TOML key.
fn clause_column(key: &str) -> &str {
    match key {
        "id" => "序号",
        "title" => "标题",
        "max" => "分值",
        "method" => "考核方式",
        "text" => "原文",
        "content" => "考核内容",
        "standard" => "考核标准",
        "method_text" => "考核办法",
        "checkpoints" => "检查要点",
        "applies_to" => "适用单位类型",
        _ => "序号",
    }
}
