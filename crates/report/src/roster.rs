//! 单位与账号名册 — the workbook of an assessment's units and accounts: the template an admin fills
//! in (empty sheets with their headers, lists to pick from, a 说明 sheet) and the export of what is
//! stored (never a password or its hash — the caller hands over only the columns). The layout (sheet
//! and column names) is kaohe-tables' `roster`, which reads it back.
//!
//! Every cell is text, formatted as text (`@`), so that a code 320623001 or a phone 013… stays as
//! typed; formula-like text gets Excel's quote prefix. Headers are bold and frozen.

use kaohe_core::text::formula_like;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatBorder, Workbook, XlsxError,
};

/// One sheet: its name, headers, rows, and the columns whose cells are picked from a list.
pub struct SheetSpec<'a> {
    pub name: &'a str,
    pub headers: &'a [&'a str],
    pub rows: Vec<Vec<String>>,
    /// (column, the values to pick from, what the list is called): Excel refuses other values.
    pub lists: Vec<(usize, Vec<String>, &'a str)>,
    /// How many rows (below the header) the lists and the text format cover beyond the data.
    pub blank_rows: u32,
}

/// The workbook: `sheets` in order, then 说明 with `notes` (one paragraph a row).
pub fn roster_workbook(
    sheets: &[SheetSpec<'_>],
    about: &str,
    notes: &[String],
) -> Result<Vec<u8>, XlsxError> {
    let text = Format::new()
        .set_num_format("@")
        .set_border(FormatBorder::Thin);
    let quoted = text.clone().set_quote_prefix();
    let head = text.clone().set_bold().set_background_color("#DDEBF7");
    let mut wb = Workbook::new();
    for s in sheets {
        let ws = wb.add_worksheet().set_name(s.name)?;
        for (i, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &head)?;
            let widest = s
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .chain([&h.to_string()])
                .map(|c| {
                    c.chars()
                        .map(|ch| if ch.is_ascii() { 1 } else { 2 })
                        .sum::<usize>()
                })
                .max()
                .unwrap_or(8);
            ws.set_column_width(i as u16, (widest.clamp(8, 40) + 2) as f64)?;
            // Cells typed in later stay text too (a code is never turned into a number).
            ws.set_column_format(i as u16, &Format::new().set_num_format("@"))?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (r, row) in s.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if v.is_empty() {
                    continue;
                }
                let f = if formula_like(v) { &quoted } else { &text };
                ws.write_string_with_format(r as u32 + 1, c as u16, v, f)?;
            }
        }
        let last = s.rows.len() as u32 + s.blank_rows;
        for (col, values, what) in &s.lists {
            let v = DataValidation::new()
                .allow_list_strings(&values.iter().map(String::as_str).collect::<Vec<_>>())?
                .set_error_style(DataValidationErrorStyle::Stop)
                .set_error_title(*what)?
                .set_error_message(format!("{what}应为：{}", values.join(" / ")))?;
            ws.add_data_validation(1, *col as u16, last.max(1), *col as u16, &v)?;
        }
    }
    let ws = wb.add_worksheet().set_name(about)?;
    ws.set_column_width(0, 110)?;
    let wrap = Format::new().set_text_wrap();
    for (i, n) in notes.iter().enumerate() {
        let f = if formula_like(n) {
            wrap.clone().set_quote_prefix()
        } else {
            wrap.clone()
        };
        ws.write_string_with_format(i as u32, 0, n, &f)?;
    }
    wb.save_to_buffer()
}
