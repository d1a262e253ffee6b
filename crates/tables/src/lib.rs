//! kaohe-tables — reads the tables county offices keep (CSV in UTF-8 with or without BOM, GBK/GB18030;
//! XLSX) into typed kaohe inputs. Every problem names the file, row, column, raw value and what was
//! expected; nothing is dropped silently. This crate does IO; `kaohe-core` does none.

// A file that cannot be read at all yields one `Problem` (file, row, column, value, expectation);
// that path runs once per file, so its size does not matter.
#![allow(clippy::result_large_err)]

/// 批量输入: the folder or workbook of `kaohe score` (units, metrics, judgements, findings, bonus, inspections).
pub mod batch;
/// 单元格: full-width tolerant parsing of numbers, rates and codes.
pub mod cell;
/// 编码识别: bytes → text (UTF-8/BOM, UTF-16 BOM, GB18030).
pub mod decode;
/// 文件类型识别: a PDF, an image or a zip given in place of a table, named as what it is.
pub mod filekind;
/// 表头: header aliases (Chinese or English) → fields.
pub mod header;
/// 检查记录: the inspections table (who inspected, when).
pub mod inspections;
/// 读取上限: every bound on what is read, as named constants.
pub mod limits;
/// 单位与账号名册: the workbook of an assessment's units and accounts, read within limits.
pub mod roster;
/// 细则表导入: the workbook of `kaohe rubric export` read back into a rubric.
pub mod rubric_sheet;
/// 工作表: a CSV file or an XLSX sheet as header + rows of text cells.
pub mod sheet;
/// 压缩包检查: an XLSX archive's entries, sizes and ratios, checked before calamine opens it.
pub mod zipcheck;

pub use batch::{BatchSource, read_inputs, read_inputs_from_files};
pub use sheet::{Row, Sheet};
