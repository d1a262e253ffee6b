//! 单位与账号名册 — the workbook an admin fills in to import an assessment's units and accounts (the
//! template and the export are written by kaohe-report's `roster`): sheet 单位 (单位编码, 单位名称,
//! 单位类型), sheet 账号 (登录名, 姓名, 角色, 所属单位编码, 电话) and 说明 (read by people only).
//!
//! This reader checks the workbook's shape — its size and archive (through [`Workbook`]), both
//! sheets, every column known and none missing, at most [`MAX_ROSTER_ROWS`] data rows a sheet — and
//! hands back each row's cells with the row number a spreadsheet shows. What a cell must be (a
//! 9-digit code, a role, a free login…) is kaohe-store's `roster` rules, applied by kaohe-app's
//! import, which names every problem by sheet, row and column with [`RosterSheet::origin`].

use crate::sheet::{Sheet, Workbook, column_letters};
use kaohe_core::problem::{Origin, Problem};

/// The units sheet.
pub const UNITS: &str = "单位";
/// The accounts sheet.
pub const ACCOUNTS: &str = "账号";
/// The notes sheet (not read).
pub const ABOUT: &str = "说明";
/// The units sheet's columns, in order.
pub const UNIT_COLUMNS: [&str; 3] = ["单位编码", "单位名称", "单位类型"];
/// The accounts sheet's columns, in order.
pub const ACCOUNT_COLUMNS: [&str; 5] = ["登录名", "姓名", "角色", "所属单位编码", "电话"];
/// Columns that may be left out of a sheet (an empty cell everywhere).
const OPTIONAL: [&str; 2] = ["所属单位编码", "电话"];
/// At most this many data rows in each sheet (a city has several hundred units; each of them a
/// reporter or two). A larger roster is imported in parts.
pub const MAX_ROSTER_ROWS: usize = 2000;

/// One data row: the spreadsheet's row number and the cells in the layout's column order (an
/// absent optional column reads as empty cells), trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: u32,
    pub cells: Vec<String>,
}

impl Line {
    /// The cell of the layout's column `i` (empty when absent).
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map(String::as_str).unwrap_or("")
    }
}

/// One sheet of the roster as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterSheet {
    /// How problems name it: `名册.xlsx › 单位`.
    pub name: String,
    /// The layout's columns, in order.
    pub columns: Vec<&'static str>,
    /// Where each layout column sits in the file (its index), when present.
    pub at: Vec<Option<usize>>,
    pub lines: Vec<Line>,
}

impl RosterSheet {
    /// The place of layout column `col` on row `row`: `名册.xlsx › 账号 第5行 [所属单位编码（D列）]`.
    pub fn origin(&self, row: u32, col: usize) -> Origin {
        let letter = self.at[col]
            .map(column_letters)
            .unwrap_or_else(|| "缺".into());
        Origin::row(&self.name, row).with_column(format!("{}（{letter}列）", self.columns[col]))
    }
}

/// The two sheets of a roster workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterFile {
    pub units: RosterSheet,
    pub accounts: RosterSheet,
}

/// Reads a roster workbook's bytes (`name` names it in problems): both sheets, or every problem of
/// its shape.
pub fn read(name: &str, bytes: Vec<u8>) -> Result<RosterFile, Vec<Problem>> {
    let mut wb = Workbook::from_bytes(name, bytes).map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let mut one = |sheet: &str, columns: &[&'static str]| match wb.sheet(sheet) {
        Ok(s) => shape(s, columns, &mut problems),
        Err(p) => {
            problems.push(
                Problem::error(format!("缺少工作表“{sheet}”或无法读取：{}", p.message))
                    .at(Some(p.origin.unwrap_or_else(|| Origin::file(name))))
                    .expected("从“下载模板”得到的工作簿：工作表 单位、账号、说明"),
            );
            None
        }
    };
    let units = one(UNITS, &UNIT_COLUMNS);
    let accounts = one(ACCOUNTS, &ACCOUNT_COLUMNS);
    match (units, accounts) {
        (Some(units), Some(accounts)) if problems.is_empty() => Ok(RosterFile { units, accounts }),
        _ => Err(problems),
    }
}

/// A sheet's columns mapped to the layout, its rows counted; problems pushed.
fn shape(s: Sheet, columns: &[&'static str], problems: &mut Vec<Problem>) -> Option<RosterSheet> {
    let before = problems.len();
    let mut at = vec![None; columns.len()];
    for (i, h) in s.headers.iter().enumerate() {
        let h = h.trim();
        if h.is_empty() {
            continue;
        }
        match columns.iter().position(|c| *c == h) {
            Some(k) if at[k].is_none() => at[k] = Some(i),
            Some(_) => problems.push(
                Problem::error(format!("表头“{h}”出现了两次"))
                    .at(Some(Origin::row(&s.name, 1).with_column(column_letters(i))))
                    .expected("每列一个表头"),
            ),
            None => problems.push(
                Problem::error(format!("不认识的表头“{h}”"))
                    .at(Some(Origin::row(&s.name, 1).with_column(column_letters(i))))
                    .expected(format!("表头为 {}", columns.join("、"))),
            ),
        }
    }
    for (k, c) in columns.iter().enumerate() {
        if at[k].is_none() && !OPTIONAL.contains(c) {
            problems.push(
                Problem::error(format!("缺少列“{c}”"))
                    .at(Some(Origin::row(&s.name, 1)))
                    .expected(format!("表头为 {}", columns.join("、"))),
            );
        }
    }
    if s.rows.len() > MAX_ROSTER_ROWS {
        let over = &s.rows[MAX_ROSTER_ROWS];
        problems.push(
            Problem::error(format!(
                "工作表有 {} 行数据，超过上限 {MAX_ROSTER_ROWS} 行（第{}行起超出）",
                s.rows.len(),
                over.number
            ))
            .at(Some(Origin::row(&s.name, over.number)))
            .expected(format!(
                "每张工作表不超过 {MAX_ROSTER_ROWS} 行数据；更多请分批导入"
            )),
        );
    }
    if problems.len() > before {
        return None;
    }
    let lines = s
        .rows
        .iter()
        .map(|r| Line {
            number: r.number,
            cells: at
                .iter()
                .map(|i| {
                    i.and_then(|i| r.cells.get(i))
                        .map(|c| c.trim().to_string())
                        .unwrap_or_default()
                })
                .collect(),
        })
        .collect();
    Some(RosterSheet {
        name: s.name,
        columns: columns.to_vec(),
        at,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sheet to write: name, header, rows.
    type Spec<'a> = (&'a str, &'a [&'a str], Vec<Vec<String>>);

    /// A workbook with the given sheets.
    fn book(sheets: &[Spec<'_>]) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        for (name, heads, rows) in sheets {
            let ws = wb.add_worksheet().set_name(*name).unwrap();
            for (c, h) in heads.iter().enumerate() {
                ws.write_string(0, c as u16, *h).unwrap();
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    ws.write_string(r as u32 + 1, c as u16, v).unwrap();
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    fn units(n: usize) -> Vec<Vec<String>> {
        (0..n)
            .map(|i| {
                vec![
                    format!("{:09}", 320_623_000 + i),
                    format!("单位{i}"),
                    "镇".into(),
                ]
            })
            .collect()
    }

    #[test]
    fn rows_keep_their_numbers_and_columns_map_by_header() {
        let bytes = book(&[
            (UNITS, &UNIT_COLUMNS, units(2)),
            // Columns in another order, 电话 left out.
            (
                ACCOUNTS,
                &["姓名", "登录名", "角色", "所属单位编码"],
                vec![vec!["张三".into(), " zhangsan ".into(), "考核员".into()]],
            ),
        ]);
        let f = read("名册.xlsx", bytes).unwrap();
        assert_eq!(f.units.lines.len(), 2);
        assert_eq!(f.units.lines[1].number, 3);
        assert_eq!(
            f.accounts.lines[0].cells,
            ["zhangsan", "张三", "考核员", "", ""]
        );
        assert_eq!(
            f.accounts.origin(2, 0).to_string(),
            "名册.xlsx › 账号 第2行 [登录名（B列）]"
        );
        assert_eq!(
            f.accounts.origin(2, 4).to_string(),
            "名册.xlsx › 账号 第2行 [电话（缺列）]"
        );
    }

    #[test]
    fn the_row_limit_holds_at_its_value_and_refuses_one_more() {
        let at = book(&[
            (UNITS, &UNIT_COLUMNS, units(MAX_ROSTER_ROWS)),
            (ACCOUNTS, &ACCOUNT_COLUMNS, vec![]),
        ]);
        assert_eq!(
            read("名册.xlsx", at).unwrap().units.lines.len(),
            MAX_ROSTER_ROWS
        );
        let over = book(&[
            (UNITS, &UNIT_COLUMNS, units(MAX_ROSTER_ROWS + 1)),
            (ACCOUNTS, &ACCOUNT_COLUMNS, vec![]),
        ]);
        let e = read("名册.xlsx", over).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(
            e[0].to_string(),
            "错误 名册.xlsx › 单位 第2002行：工作表有 2001 行数据，超过上限 2000 行（第2002行起超出）；应为：每张工作表不超过 2000 行数据；更多请分批导入"
        );
    }

    #[test]
    fn a_missing_sheet_or_column_and_an_unknown_header_are_each_named() {
        let e = read(
            "名册.xlsx",
            book(&[(UNITS, &["单位编码", "单位名称", "备注"], vec![])]),
        )
        .unwrap_err();
        let texts: Vec<String> = e.iter().map(|p| p.to_string()).collect();
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert!(
            texts[0].contains("第1行 [C]：不认识的表头“备注”"),
            "{texts:?}"
        );
        assert!(texts[1].contains("缺少列“单位类型”"), "{texts:?}");
        assert!(texts[2].contains("缺少工作表“账号”"), "{texts:?}");
        let e = read("名册.xlsx", b"not a zip".to_vec()).unwrap_err();
        assert!(
            e[0].message.contains("不是有效的 XLSX 工作簿"),
            "{:?}",
            e[0]
        );
    }
}
