//! 细则表 — the rubric as a workbook a clerk reads and edits (`kaohe rubric export --format xlsx`):
//! 细则 (one row per clause, its rule's parameters in plain columns, lists to pick the rule kind,
//! the 考核方式 — the rubric's own list — and 须有检查记录 from), 指标与类目 (with 共享扣分额度 and
//! 保底分) and 说明 (the rubric's own fields with what each may be, metrics, grades, and a note per
//! list cell). The layout and every cell's format are `kaohe_core::rubric::sheet`'s, which
//! kaohe-tables reads back (`kaohe rubric import`).
//!
//! Every cell is text, formatted as text (`@`), so that `0.050` stays `0.050` and an id `1.10` is
//! not read as a number; text that looks like a formula also gets Excel's quote prefix (as in
//! [`crate::xlsx`]). Header rows are frozen and bold, columns sized to what they hold.

use kaohe_core::Rubric;
use kaohe_core::budget::Budget;
use kaohe_core::rubric::sheet::{self, ABOUT_FIELDS, CLAUSE_COLUMNS, NOTES, PART_COLUMNS};
use kaohe_core::rubric::write::Defaults;
use kaohe_core::rubric::{Clause, Method};
use kaohe_core::text::formula_like;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};

struct Formats {
    head: Format,
    text: Format,
    text_q: Format,
}

impl Formats {
    fn new() -> Formats {
        let cell = || {
            Format::new()
                .set_border(FormatBorder::Thin)
                .set_num_format("@")
                .set_text_wrap()
                .set_align(FormatAlign::Top)
        };
        Formats {
            head: cell().set_bold().set_background_color("#DDEBF7"),
            text: cell(),
            text_q: cell().set_quote_prefix(),
        }
    }
}

fn put(ws: &mut Worksheet, f: &Formats, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
    if s.is_empty() {
        return Ok(());
    }
    let fmt = if formula_like(s) { &f.text_q } else { &f.text };
    ws.write_string_with_format(row, col, s, fmt)?;
    Ok(())
}

fn header(ws: &mut Worksheet, f: &Formats, heads: &[String]) -> Result<(), XlsxError> {
    for (i, h) in heads.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, h, &f.head)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A column's width from its header and its cells: wide enough for short values, capped (and
/// wrapped) for long texts.
fn widths(ws: &mut Worksheet, heads: &[String], rows: &[Vec<String>]) -> Result<(), XlsxError> {
    let w = |s: &str| {
        s.lines()
            .map(|l| {
                l.chars()
                    .map(|c| if c.is_ascii() { 1 } else { 2 })
                    .sum::<usize>()
            })
            .max()
            .unwrap_or(0)
    };
    for (i, h) in heads.iter().enumerate() {
        let widest = rows
            .iter()
            .filter_map(|r| r.get(i))
            .map(|s| w(s))
            .chain([w(h)])
            .max()
            .unwrap_or(8);
        ws.set_column_width(i as u16, (widest.clamp(6, 48) + 2) as f64)?;
    }
    Ok(())
}

fn rows(ws: &mut Worksheet, f: &Formats, rows: &[Vec<String>]) -> Result<(), XlsxError> {
    for (ri, r) in rows.iter().enumerate() {
        for (ci, s) in r.iter().enumerate() {
            put(ws, f, ri as u32 + 1, ci as u16, s)?;
        }
    }
    Ok(())
}

/// The methods of a clause as one cell: `看现场、查资料`.
pub fn methods_text(methods: &[Method]) -> String {
    methods
        .iter()
        .map(|m| m.label())
        .collect::<Vec<_>>()
        .join("、")
}

/// One clause's row of the 细则 sheet (its fixed columns, then `params` in order).
fn clause_row(r: &Rubric, c: &Clause, params: &[&str]) -> Vec<String> {
    let ind = &r.indicators[c.indicator];
    let item = &ind.items[c.item];
    let sub = c.subitem.map(|s| item.subitems[s].id.clone());
    let opt = |t: &Option<String>| t.clone().unwrap_or_default();
    let mut row = vec![
        c.id.to_string(),
        ind.id.clone(),
        if item.implicit {
            String::new()
        } else {
            item.id.clone()
        },
        sub.unwrap_or_default(),
        c.title.clone(),
        c.max.to_string(),
        opt(&c.content),
        opt(&c.standard),
        opt(&c.method_text),
        c.text.clone(),
        methods_text(&c.methods),
        c.applies_to
            .as_deref()
            .map(sheet::kinds_text)
            .unwrap_or_default(),
        c.checkpoints.join("\n"),
        c.rule.label().to_string(),
    ];
    let defaults = Defaults {
        max: c.max,
        ties: r.ties,
    };
    let given = c.rule.params(&defaults);
    for key in params {
        let cell = given
            .iter()
            .find(|(k, _)| k == key)
            .map(|(k, v)| sheet::param_cell(k, v))
            .unwrap_or_default();
        row.push(cell);
    }
    row
}

/// The rubric as an XLSX workbook: 细则, 指标与类目, 说明.
pub fn rubric_workbook(r: &Rubric) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();

    // 细则
    let params = kaohe_core::rules::param_keys();
    let mut heads: Vec<String> = CLAUSE_COLUMNS.iter().map(|s| s.to_string()).collect();
    heads.extend(params.iter().map(|k| sheet::param_header(k)));
    let body: Vec<Vec<String>> = r
        .indicators
        .iter()
        .flat_map(|ind| ind.items.iter())
        .flat_map(|item| item.clauses.iter())
        .map(|&ci| clause_row(r, &r.clauses[ci], &params))
        .collect();
    let ws = wb.add_worksheet().set_name(sheet::CLAUSES)?;
    header(ws, &f, &heads)?;
    rows(ws, &f, &body)?;
    widths(ws, &heads, &body)?;
    let last = (body.len() as u32).max(1) + 500;
    let col = |name: &str| CLAUSE_COLUMNS.iter().position(|c| *c == name).unwrap_or(0) as u16;
    let labels: Vec<&str> = kaohe_core::rules::kinds().iter().map(|(_, l)| *l).collect();
    let kinds = DataValidation::new()
        .allow_list_strings(&labels)?
        .set_error_title("规则类型")?
        .set_error_message("请从列表中选择规则类型")?;
    ws.add_data_validation(1, col("规则类型"), last, col("规则类型"), &kinds)?;
    // The rubric's own 考核方式; a warning only, since a cell may hold several joined by 、. Excel
    // keeps a list of at most 255 characters without commas: a longer list is not offered.
    let methods = &r.shapes.methods;
    let joined = methods.iter().map(|m| m.chars().count() + 1).sum::<usize>();
    if joined <= 255 && !methods.iter().any(|m| m.contains([',', '"'])) {
        let list = DataValidation::new()
            .allow_list_strings(methods)?
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title("考核方式")?
            .set_error_message(format!(
                "考核方式为 {}（见“说明”的考核方式），多个以“、”分隔",
                methods.join(" / ")
            ))?;
        ws.add_data_validation(1, col("考核方式"), last, col("考核方式"), &list)?;
    }
    if let Some(i) = params.iter().position(|k| *k == "inspection") {
        let c = (CLAUSE_COLUMNS.len() + i) as u16;
        let yes = DataValidation::new()
            .allow_list_strings(&["是"])?
            .set_error_title("须有检查记录")?
            .set_error_message("填“是”：须有检查记录；不须检查记录则留空")?;
        ws.add_data_validation(1, c, last, c, &yes)?;
    }

    // 指标与类目
    let mut parts = Vec::new();
    for ind in &r.indicators {
        parts.push(part("指标", &ind.id, &ind.name, ind.max, ind.budget));
        for item in ind.items.iter().filter(|i| !i.implicit) {
            parts.push(part("类目", &item.id, &item.name, item.max, item.budget));
            for s in &item.subitems {
                parts.push(part("子类目", &s.id, &s.name, s.max, None));
            }
        }
    }
    let heads: Vec<String> = PART_COLUMNS.iter().map(|s| s.to_string()).collect();
    let ws = wb.add_worksheet().set_name(sheet::PARTS)?;
    header(ws, &f, &heads)?;
    rows(ws, &f, &parts)?;
    widths(ws, &heads, &parts)?;
    let levels = DataValidation::new().allow_list_strings(&["指标", "类目", "子类目"])?;
    ws.add_data_validation(1, 0, parts.len() as u32 + 500, 0, &levels)?;

    // 说明
    let about = about_rows(r);
    let heads: Vec<String> = ["项目", "值", "说明", "", "", ""]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let ws = wb.add_worksheet().set_name(sheet::ABOUT)?;
    header(ws, &f, &heads)?;
    rows(ws, &f, &about)?;
    widths(ws, &heads, &about)?;
    wb.save_to_buffer()
}

/// A row of 指标与类目: 层级, 编号, 名称, 分值, 共享扣分额度, 保底分 (empty when 0, its default).
fn part(level: &str, id: &str, name: &str, max: Decimal, budget: Option<Budget>) -> Vec<String> {
    let mut row = vec![level.into(), id.into(), name.into(), max.to_string()];
    if let Some(b) = budget {
        row.push(b.cap.to_string());
        let floor = b.floor.to_string();
        row.push(if floor == "0" { String::new() } else { floor });
    }
    row
}

fn about_rows(r: &Rubric) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (label, key, note) in ABOUT_FIELDS {
        out.push(vec![
            label.to_string(),
            sheet::about_cell(r, key),
            note.to_string(),
        ]);
    }
    out.push(vec![
        "注：指标数据".into(),
        "编号".into(),
        "名称".into(),
        "类型 rate/count/number".into(),
        "读数 fraction/percent".into(),
        "计量单位".into(),
    ]);
    for m in &r.metrics {
        out.push(vec![
            sheet::METRIC_ROW.into(),
            m.key.to_string(),
            m.name.clone(),
            m.kind.key().into(),
            if m.bare_percent { "percent" } else { "" }.into(),
            m.unit_label.clone(),
        ]);
    }
    if !r.grades.is_empty() {
        out.push(vec![
            "注：定档".into(),
            "名称".into(),
            "比例（总分不低于满分的该比例）".into(),
        ]);
    }
    for g in &r.grades {
        out.push(vec![
            sheet::GRADE_ROW.into(),
            g.name.clone(),
            g.min_ratio.to_string(),
        ]);
    }
    for (label, note) in NOTES {
        out.push(vec![label.to_string(), note.to_string()]);
    }
    out
}
