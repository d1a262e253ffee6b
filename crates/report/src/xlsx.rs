//! The workbook the office files (DATA.md §3): 汇总表 (units × indicators and items, total, rank; a
//! merged two-row header; frozen panes; numbers as numbers formatted 0.000), 扣分明细 (every clause
//! below max or missing: points lost, explanation, instances, assessor) and 原始数据 (the inputs used,
//! with their source rows).
//!
//! The rubric-level shapes (issue 11), where a rubric has them: 排名 as text `镇、街道组 第1名` or
//! 未完成; a 扣分项 column (a negative number) after 加分; 档次 with 未达等级, the veto's grade or
//! 暂不定档（数据不全）; 备注 with 单项否决 and its reason, 缺数据, the 不适用 clauses, the 折算 line
//! and the total's own line. Item and indicator subtotals are the clause scores, not 折算 (see
//! `kaohe_core::applicability`). In 扣分明细: 不适用, 单项否决 and 扣分项 rows with their explanation.
//!
//! Numbers are written as numbers: Excel stores IEEE doubles, so this is the one place a decimal is
//! converted to f64 (from its exact text, the nearest double). Text is always written as text; text
//! that starts with `=`, `+`, `-`, `@` (or a tab / carriage return) also gets Excel's quote prefix, so
//! no spreadsheet ever runs it as a formula, even after the cell is edited.

use crate::plain;
use kaohe_core::Problem;
use kaohe_core::Scored;
use kaohe_core::num::pts;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

struct Formats {
    title: Format,
    head: Format,
    text: Format,
    text_q: Format,
    wrap: Format,
    wrap_q: Format,
    num: Format,
    int: Format,
}

impl Formats {
    fn new(precision: u32) -> Formats {
        let border = |f: Format| f.set_border(FormatBorder::Thin);
        // 0.000 as DATA.md asks, with optional places up to the rubric's precision so that a score
        // of 0.0474 shows as 0.0474 and 0.0460 as 0.046.
        let extra = "#".repeat(precision.saturating_sub(3) as usize);
        let num_format = format!("0.000{extra}");
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            head: border(
                Format::new()
                    .set_bold()
                    .set_align(FormatAlign::Center)
                    .set_align(FormatAlign::VerticalCenter)
                    .set_text_wrap()
                    .set_background_color("#DDEBF7"),
            ),
            text: border(Format::new()),
            text_q: border(Format::new().set_quote_prefix()),
            wrap: border(Format::new().set_text_wrap().set_align(FormatAlign::Top)),
            wrap_q: border(
                Format::new()
                    .set_text_wrap()
                    .set_align(FormatAlign::Top)
                    .set_quote_prefix(),
            ),
            num: border(Format::new().set_num_format(&num_format)),
            int: border(Format::new().set_num_format("0")),
        }
    }
}

pub use kaohe_core::text::formula_like;

/// Characters Excel (and rust_xlsxwriter) allow in one cell.
pub const EXCEL_CELL_CHARS: usize = 32_767;

/// What a text cut to fit a cell ends with.
pub const CUT_MARKER: &str = "…（超出 Excel 单元格长度上限，全文见系统）";

/// `s` as it fits in one cell: whole when it does, else cut with [`CUT_MARKER`] so that the cell
/// holds exactly [`EXCEL_CELL_CHARS`] characters (a longer reason once made every export fail).
pub fn fit(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= EXCEL_CELL_CHARS || s.chars().count() <= EXCEL_CELL_CHARS {
        return s.into();
    }
    let keep = EXCEL_CELL_CHARS - CUT_MARKER.chars().count();
    let cut = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
    format!("{}{CUT_MARKER}", &s[..cut]).into()
}

/// A row of column headings.
fn header(ws: &mut Worksheet, f: &Formats, row: u32, heads: &[&str]) -> Result<(), XlsxError> {
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &f.head)?;
    }
    Ok(())
}

fn text(ws: &mut Worksheet, f: &Formats, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
    let fmt = if formula_like(s) { &f.text_q } else { &f.text };
    ws.write_string_with_format(row, col, fit(s), fmt)?;
    Ok(())
}

fn wrap(ws: &mut Worksheet, f: &Formats, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
    let fmt = if formula_like(s) { &f.wrap_q } else { &f.wrap };
    ws.write_string_with_format(row, col, fit(s), fmt)?;
    Ok(())
}

fn number(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    col: u16,
    v: Decimal,
) -> Result<(), XlsxError> {
    let x: f64 = v.normalize().to_string().parse().unwrap_or(0.0);
    ws.write_number_with_format(row, col, x, &f.num)?;
    Ok(())
}

/// Builds the workbook in memory.
pub fn workbook(s: &Scored, extra: &[Problem]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let f = Formats::new(s.rubric.precision);
    summary(wb.add_worksheet().set_name("汇总表")?, s, &f)?;
    deductions(wb.add_worksheet().set_name("扣分明细")?, s, &f)?;
    raw_data(wb.add_worksheet().set_name("原始数据")?, s, &f)?;
    if !extra.is_empty() || !s.problems.is_empty() {
        problems(wb.add_worksheet().set_name("问题与提示")?, s, extra, &f)?;
    }
    wb.save_to_buffer()
}

fn summary(ws: &mut Worksheet, s: &Scored, f: &Formats) -> Result<(), XlsxError> {
    let r = s.rubric;
    // Column plan: 4 fixed, then per indicator its items and 小计, then totals.
    let mut col: u16 = 4;
    let mut plan = Vec::new();
    for (ii, ind) in r.indicators.iter().enumerate() {
        for (ji, item) in ind.items.iter().enumerate() {
            plan.push((
                col,
                Some((ii, ji)),
                format!("{}\n({})", item.name, plain(item.max)),
            ));
            col += 1;
        }
        plan.push((col, None, format!("小计\n({})", plain(ind.max))));
        col += 1;
    }
    let penalty = crate::shapes::has_penalty(r);
    let tail: &[&str] = if penalty {
        &["基础分", "加分", "扣分项", "总分"]
    } else {
        &["基础分", "加分", "总分"]
    };
    let grades = crate::shapes::grades(r);
    let last = col + tail.len() as u16 + u16::from(grades);
    ws.merge_range(
        0,
        0,
        0,
        last,
        &fit(&format!("《{}》考核汇总表", r.title)),
        &f.title,
    )?;
    ws.set_row_height(2, 45)?;
    for (c, h) in ["排名", "单位编码", "单位名称", "类型"].iter().enumerate() {
        ws.merge_range(1, c as u16, 2, c as u16, h, &f.head)?;
    }
    let mut c = 4u16;
    for ind in &r.indicators {
        let width = ind.items.len() as u16 + 1;
        ws.merge_range(
            1,
            c,
            1,
            c + width - 1,
            &fit(&format!("{} {}（{}分）", ind.id, ind.name, plain(ind.max))),
            &f.head,
        )?;
        c += width;
    }
    for (pc, _, h) in &plan {
        ws.write_string_with_format(2, *pc, fit(h), &f.head)?;
    }
    let mut tc = col;
    for h in tail {
        ws.merge_range(1, tc, 2, tc, h, &f.head)?;
        tc += 1;
    }
    if grades {
        ws.merge_range(1, tc, 2, tc, "档次", &f.head)?;
        tc += 1;
    }
    ws.merge_range(1, tc, 2, tc, "备注", &f.head)?;

    for (i, u) in s.units.iter().enumerate() {
        let row = 3 + i as u32;
        let unit = s.unit(u);
        rank(ws, f, row, s, u)?;
        text(ws, f, row, 1, &unit.code)?;
        text(ws, f, row, 2, &unit.name)?;
        text(ws, f, row, 3, &unit.kind)?;
        let mut ind_pos = 0;
        for (pc, which, _) in &plan {
            match which {
                Some((ii, ji)) => {
                    ind_pos = *ii;
                    number(ws, f, row, *pc, s.item_score(u, *ii, *ji))?
                }
                None => number(ws, f, row, *pc, s.indicator_score(u, ind_pos))?,
            }
        }
        // Item and indicator subtotals are the clause scores as shown, not 折算 (applicability.rs);
        // the 折算 is the base's, said in 备注.
        number(ws, f, row, col, u.base)?;
        number(ws, f, row, col + 1, u.bonus)?;
        let mut tc = col + 2;
        if penalty {
            number(ws, f, row, tc, -u.penalty)?;
            tc += 1;
        }
        number(ws, f, row, tc, u.total)?;
        tc += 1;
        if let Some(g) = crate::shapes::grade_cell(s, u) {
            text(ws, f, row, tc, &g)?;
            tc += 1;
        }
        let mut note = Vec::new();
        if let Some(why) = s.veto_reason(u) {
            note.push(format!("单项否决：{why}"));
        }
        if !u.complete {
            note.push(format!("缺数据：{}", s.missing_clauses(u).join("、")));
        }
        let na = crate::shapes::not_applicable(s, u);
        if !na.is_empty() {
            note.push(format!("不适用：{}", na.join("、")));
        }
        if let Some(p) = s.prorate_note(u) {
            note.push(p);
        }
        if crate::shapes::explains_total(r) && crate::shapes::total_needs_line(u) {
            note.push(format!("总分：{}", s.explain_total(u)));
        }
        text(ws, f, row, tc, &note.join("；"))?;
    }
    ws.set_column_width(0, 6)?;
    ws.set_column_width(1, 12)?;
    ws.set_column_width(2, 20)?;
    ws.set_column_width(3, 6)?;
    for (pc, _, _) in &plan {
        ws.set_column_width(*pc, 11)?;
    }
    ws.set_freeze_panes(3, 3)?;
    print_setup(ws, 0, 2)?;
    Ok(())
}

/// A4 paper (Excel's paper size code).
const PAPER_A4: u8 = 9;

/// How a wide sheet prints: A4 landscape, one page wide (as many tall as it takes), rows
/// `first..=last` (the title and header) repeated on every page, 第 N 页 共 M 页 in the footer.
fn print_setup(ws: &mut Worksheet, first: u32, last: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(PAPER_A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_footer("&C第 &P 页 共 &N 页");
    ws.set_repeat_rows(first, last)?;
    Ok(())
}

/// A unit's rank as a number; as text `镇、街道组 第1名` when the rubric ranks within groups, or 未完成
/// for a unit it does not rank.
fn rank(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    s: &Scored,
    u: &kaohe_core::result::UnitResult,
) -> Result<(), XlsxError> {
    if u.ranked && s.group(u).is_none() {
        ws.write_number_with_format(row, 0, u.rank as f64, &f.int)?;
        Ok(())
    } else {
        text(ws, f, row, 0, &crate::shapes::rank_cell(s, u))
    }
}

fn deductions(ws: &mut Worksheet, s: &Scored, f: &Formats) -> Result<(), XlsxError> {
    let r = s.rubric;
    let heads = [
        "排名",
        "单位编码",
        "单位名称",
        "条款",
        "条款内容",
        "满分",
        "得分",
        "扣分",
        "状态",
        "说明（扣分理由）",
        "问题（每一例）",
        "考核员",
    ];
    header(ws, f, 0, &heads)?;
    let mut row = 1;
    for u in &s.units {
        let unit = s.unit(u);
        for (ci, (c, cr)) in r.clauses.iter().zip(s.clauses(u)).enumerate() {
            let lost = s.lost(c, cr);
            let vetoed_here = u.vetoed && !s.findings(u, ci).is_empty() && c.max.is_zero();
            let penalised = c.is_penalty() && !cr.is_missing() && !cr.score.is_zero();
            let shown = cr.is_missing() || cr.is_not_applicable() || vetoed_here || penalised;
            if !shown && lost.is_zero() {
                continue;
            }
            rank(ws, f, row, s, u)?;
            text(ws, f, row, 1, &unit.code)?;
            text(ws, f, row, 2, &unit.name)?;
            text(ws, f, row, 3, &c.id)?;
            text(ws, f, row, 4, &c.title)?;
            number(ws, f, row, 5, c.max)?;
            if cr.is_missing() {
                text(ws, f, row, 6, "—")?;
                text(ws, f, row, 7, "—")?;
                text(ws, f, row, 8, "缺数据")?;
            } else if cr.is_not_applicable() {
                // 不适用, not a 0 (its points, under `full`, are in the explanation).
                text(ws, f, row, 6, "不适用")?;
                text(ws, f, row, 7, "—")?;
                text(ws, f, row, 8, "不适用")?;
            } else if penalised {
                number(ws, f, row, 6, cr.score)?;
                number(ws, f, row, 7, cr.score.abs())?;
                text(ws, f, row, 8, "扣分项")?;
            } else if vetoed_here && lost.is_zero() {
                number(ws, f, row, 6, cr.score)?;
                text(ws, f, row, 7, "—")?;
                text(ws, f, row, 8, "单项否决")?;
            } else {
                number(ws, f, row, 6, cr.score)?;
                number(ws, f, row, 7, lost)?;
                text(ws, f, row, 8, "已评分")?;
            }
            wrap(ws, f, row, 9, &s.explain(u, ci))?;
            let inst: Vec<String> = s
                .findings(u, ci)
                .iter()
                .enumerate()
                .map(|(k, x)| match &x.evidence {
                    Some(e) => format!("{}. {}（佐证：{}）", k + 1, x.description, e),
                    None => format!("{}. {}", k + 1, x.description),
                })
                .collect();
            wrap(ws, f, row, 10, &inst.join("\n"))?;
            text(ws, f, row, 11, s.assessor(u, ci).unwrap_or(""))?;
            row += 1;
        }
    }
    for (c, w) in [6, 12, 14, 8, 24, 7, 8, 8, 8, 60, 40, 10]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 3)?;
    if row > 1 {
        ws.autofilter(0, 0, row - 1, heads.len() as u16 - 1)?;
    }
    print_setup(ws, 0, 0)?;
    Ok(())
}

fn raw_data(ws: &mut Worksheet, s: &Scored, f: &Formats) -> Result<(), XlsxError> {
    let heads = [
        "表",
        "单位编码",
        "单位名称/类型",
        "条款或指标",
        "数值",
        "理由/描述",
        "佐证/考核员",
        "来源",
    ];
    header(ws, f, 0, &heads)?;
    let inp = s.inputs;
    let names: std::collections::HashMap<&str, &str> = inp
        .units
        .iter()
        .map(|u| (&*u.code, u.name.as_str()))
        .collect();
    let name_of = |code: &str| names.get(code).copied().unwrap_or_default().to_string();
    let src =
        |o: &Option<kaohe_core::Origin>| o.as_ref().map(|o| o.to_string()).unwrap_or_default();
    let mut row = 1u32;
    let mut put =
        |ws: &mut Worksheet, cells: [String; 8], num: Option<Decimal>| -> Result<(), XlsxError> {
            for (c, v) in cells.iter().enumerate() {
                if c == 4
                    && let Some(n) = num
                {
                    number(ws, f, row, 4, n)?;
                    continue;
                }
                text(ws, f, row, c as u16, v)?;
            }
            row += 1;
            Ok(())
        };
    for u in &inp.units {
        put(
            ws,
            [
                "单位".into(),
                u.code.to_string(),
                format!("{}（{}）", u.name, u.kind),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                src(&u.origin),
            ],
            None,
        )?;
    }
    for m in &inp.metrics {
        put(
            ws,
            [
                "指标数据".into(),
                m.unit.to_string(),
                name_of(&m.unit),
                m.metric.to_string(),
                pts(m.value),
                String::new(),
                String::new(),
                src(&m.origin),
            ],
            Some(m.value),
        )?;
    }
    for j in &inp.judgements {
        put(
            ws,
            [
                "评分".into(),
                j.unit.to_string(),
                name_of(&j.unit),
                j.clause.to_string(),
                pts(j.score),
                j.reason.to_string(),
                j.assessor.as_deref().unwrap_or_default().to_string(),
                src(&j.origin),
            ],
            Some(j.score),
        )?;
    }
    for x in &inp.findings {
        // 问题类型, a chosen 扣分 and its 扣分理由 where the row has them (issue 11's shapes).
        let mut what = x.description.clone();
        if let Some(t) = &x.finding_type {
            what.push_str(&format!("（问题类型：{t}）"));
        }
        if let Some(why) = &x.reason {
            what.push_str(&format!("；扣分理由：{why}"));
        }
        put(
            ws,
            [
                "问题记录".into(),
                x.unit.to_string(),
                name_of(&x.unit),
                x.clause.to_string(),
                x.points.map(pts).unwrap_or_default(),
                what,
                x.evidence.clone().unwrap_or_default(),
                src(&x.origin),
            ],
            x.points,
        )?;
    }
    for x in &inp.inspections {
        put(
            ws,
            [
                "检查记录".into(),
                x.unit.to_string(),
                name_of(&x.unit),
                x.clause.to_string(),
                String::new(),
                format!("{} 于 {} 检查", x.inspector, x.date),
                x.inspector.clone(),
                src(&x.origin),
            ],
            None,
        )?;
    }
    for b in &inp.bonuses {
        put(
            ws,
            [
                "加分".into(),
                b.unit.to_string(),
                name_of(&b.unit),
                b.clause.to_string(),
                pts(b.points),
                b.reason.clone(),
                String::new(),
                src(&b.origin),
            ],
            Some(b.points),
        )?;
    }
    for (c, w) in [10, 12, 20, 14, 10, 50, 16, 24].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn problems(
    ws: &mut Worksheet,
    s: &Scored,
    extra: &[Problem],
    f: &Formats,
) -> Result<(), XlsxError> {
    let heads = [
        "级别", "文件", "行", "列", "单位", "条款", "原值", "应为", "说明",
    ];
    header(ws, f, 0, &heads)?;
    for (i, p) in extra.iter().chain(&s.problems).enumerate() {
        let row = 1 + i as u32;
        let o = p.origin.clone().unwrap_or_default();
        text(ws, f, row, 0, p.severity.label())?;
        text(ws, f, row, 1, &o.file)?;
        text(
            ws,
            f,
            row,
            2,
            &o.row.map(|r| r.to_string()).unwrap_or_default(),
        )?;
        text(ws, f, row, 3, o.column.as_deref().unwrap_or(""))?;
        text(ws, f, row, 4, p.unit.as_deref().unwrap_or(""))?;
        text(ws, f, row, 5, p.clause.as_deref().unwrap_or(""))?;
        text(ws, f, row, 6, p.value.as_deref().unwrap_or(""))?;
        text(ws, f, row, 7, p.expected.as_deref().unwrap_or(""))?;
        wrap(ws, f, row, 8, &p.message)?;
    }
    ws.set_column_width(8, 60)?;
    Ok(())
}

/// A 方案对比 as a workbook: 总分与名次 (with both rubrics and the summary above the table), 细则改动,
/// 得分变化 (a score that is 缺数据 or 无此条款 on one side is written as that text) and 提示.
pub fn whatif_workbook(w: &crate::whatif::WhatIf) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let f = Formats::new(w.precision);
    let dec = |s: &str| s.parse::<Decimal>().ok();
    let num_or_text = |ws: &mut Worksheet, row: u32, col: u16, v: Option<&str>, alt: &str| match v
        .and_then(dec)
    {
        Some(d) => number(ws, &f, row, col, d),
        None => text(ws, &f, row, col, alt),
    };

    let ws = wb.add_worksheet().set_name("总分与名次")?;
    ws.merge_range(0, 0, 0, 8, "方案对比（试算，不改变任何考核结果）", &f.title)?;
    for (row, line) in [
        (1, format!("原方案：{}", w.before_label)),
        (2, format!("新方案：{}", w.after_label)),
        (3, w.summary.clone()),
    ] {
        ws.write_string(row, 0, fit(&line))?;
    }
    let heads = [
        "单位编码",
        "单位",
        "原总分",
        "新总分",
        "差值",
        "原名次",
        "新名次",
        "上升名次",
        "说明",
    ];
    header(ws, &f, 5, &heads)?;
    for (i, u) in w.units.iter().enumerate() {
        let row = 6 + i as u32;
        text(ws, &f, row, 0, &u.code)?;
        text(ws, &f, row, 1, &u.name)?;
        num_or_text(ws, row, 2, u.before_total.as_deref(), "—")?;
        num_or_text(ws, row, 3, u.after_total.as_deref(), "—")?;
        num_or_text(ws, row, 4, u.delta.as_deref(), "—")?;
        for (col, v) in [
            (5, u.before_rank.map(i64::from)),
            (6, u.after_rank.map(i64::from)),
            (7, u.places_up),
        ] {
            match v {
                Some(n) => {
                    ws.write_number_with_format(row, col, n as f64, &f.int)?;
                }
                None => text(ws, &f, row, col, "—")?,
            }
        }
        wrap(ws, &f, row, 8, &u.explanation)?;
    }
    ws.set_column_width(1, 22)?;
    ws.set_column_width(8, 60)?;
    ws.set_freeze_panes(6, 2)?;

    let ws = wb.add_worksheet().set_name("细则改动")?;
    let heads = [
        "条款",
        "名称",
        "原满分",
        "新满分",
        "得分不同的单位数",
        "改动",
    ];
    header(ws, &f, 0, &heads)?;
    for (i, c) in w.clauses.iter().filter(|c| c.changed).enumerate() {
        let row = 1 + i as u32;
        text(ws, &f, row, 0, &c.id)?;
        text(ws, &f, row, 1, &c.title)?;
        num_or_text(ws, row, 2, c.before_max.as_deref(), "—")?;
        num_or_text(ws, row, 3, c.after_max.as_deref(), "—")?;
        ws.write_number_with_format(row, 4, f64::from(c.units_changed), &f.int)?;
        wrap(ws, &f, row, 5, &c.explanation)?;
    }
    ws.set_column_width(1, 20)?;
    ws.set_column_width(5, 80)?;
    ws.set_freeze_panes(1, 0)?;

    let ws = wb.add_worksheet().set_name("得分变化")?;
    let heads = [
        "单位编码",
        "单位",
        "条款",
        "原得分",
        "新得分",
        "原方案计算",
        "新方案计算",
    ];
    header(ws, &f, 0, &heads)?;
    let status = |s: &str| {
        if s == "missing" {
            "缺数据"
        } else {
            "无此条款"
        }
    };
    for (i, c) in w.cells.iter().enumerate() {
        let row = 1 + i as u32;
        text(ws, &f, row, 0, &c.unit)?;
        text(ws, &f, row, 1, &c.unit_name)?;
        text(ws, &f, row, 2, &c.clause)?;
        num_or_text(ws, row, 3, c.before.as_deref(), status(c.before_status))?;
        num_or_text(ws, row, 4, c.after.as_deref(), status(c.after_status))?;
        wrap(ws, &f, row, 5, &c.before_why)?;
        wrap(ws, &f, row, 6, &c.after_why)?;
    }
    ws.set_column_width(1, 22)?;
    ws.set_column_width(5, 50)?;
    ws.set_column_width(6, 50)?;
    ws.set_freeze_panes(1, 3)?;
    ws.autofilter(0, 0, w.cells.len() as u32, 6)?;

    if !w.problems.is_empty() {
        let ws = wb.add_worksheet().set_name("提示")?;
        ws.write_string_with_format(0, 0, "提示", &f.head)?;
        for (i, p) in w.problems.iter().enumerate() {
            wrap(ws, &f, 1 + i as u32, 0, &p.text)?;
        }
        ws.set_column_width(0, 120)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod fit_tests {
    use super::*;

    #[test]
    fn a_text_at_excels_limit_is_whole_and_a_longer_one_is_cut_with_a_marker() {
        let at = "理".repeat(EXCEL_CELL_CHARS);
        assert_eq!(fit(&at), at.as_str());
        let long = "理".repeat(40_000);
        let cut = fit(&long);
        assert_eq!(cut.chars().count(), EXCEL_CELL_CHARS);
        assert!(cut.ends_with(CUT_MARKER));
    }
}
