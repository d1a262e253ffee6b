//! kaohe-platform — the platforms' exports (办件 case records, 事项认领 item claims, 满意度测评 surveys)
//! turned into the indicators of RULES.md §4, each with its receipts (the overdue list: case id, unit,
//! item, accepted, deadline, completed or open, working days late).
//!
//! Case records are read as a stream: memory is bounded by units × items (plus a fixed-size filter for
//! duplicate case ids), not by rows. A file with errors yields nothing unless the caller asks to skip
//! bad rows, and then every skipped row is listed.

/// 重复检测: a fixed-size Bloom filter for case ids.
mod bloom;
/// 办件: case records → online volume, items with online cases, overdue cases.
pub mod cases;
/// 分块: a CSV file cut into chunks of whole records for parsing on several threads.
mod chunks;
/// 事项认领: claim rate (town and villages pooled) and the claimed items.
pub mod claims;
/// 办件编号重复: exact duplicate detection with flat memory (filter + on-disk log).
pub mod dups;
/// 指标: the indicators, receipts, and the CSV files `kaohe ingest` writes.
pub mod indicators;
/// 读取: CSV (UTF-8/BOM/GBK, streamed) and XLSX rows, with spreadsheet row numbers.
pub mod rows;
/// 满意度测评: ratings (direction explicit) or rates → satisfaction.
pub mod survey;
/// 单位匹配: a unit by 9-digit code, name, or a village's 12-digit code.
pub mod units;

pub use indicators::{Indicators, OverdueCase, Period};
