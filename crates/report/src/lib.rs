//! kaohe-report — what a scored run looks like to people and to other tools: the JSON of DATA.md §3
//! ([`json`]), an aligned Chinese table for the terminal ([`table`]) and the XLSX workbook the office
//! files ([`xlsx`]: 汇总表, 扣分明细, 原始数据) and a unit's 考核反馈单 as PDF ([`pdf`]). Formats only; scoring happens in kaohe-core.

/// 考核反馈单: one unit's result, for the web page and the PDF.
pub mod feedback;
/// JSON output (decimals as strings).
pub mod json;
/// 考核反馈单 as PDF (A4, embedded font), without a browser.
pub mod pdf;
/// 单位与账号名册: the template and the export of an assessment's units and accounts.
pub mod roster;
/// 细则表: the rubric as a workbook a clerk edits (`kaohe rubric export`).
pub mod rubric_sheet;
/// Aligned Chinese text table.
pub mod table;
/// 方案对比 (what-if): JSON, text and the web page's model.
pub mod whatif;
/// XLSX workbook.
pub mod xlsx;

use rust_decimal::Decimal;

/// A score as the result shows it: fixed to the rubric's precision (`0.0460`).
pub fn fixed(v: Decimal, dp: u32) -> String {
    let mut v = v;
    v.rescale(dp);
    v.to_string()
}

/// A max as the rubric writes it (`0.05`, `1.5`).
pub fn plain(v: Decimal) -> String {
    v.normalize().to_string()
}
