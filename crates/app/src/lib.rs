//! kaohe-app — the use cases of kaohe, each written once, between the faces (the HTTP server and the
//! command line, which only translate requests and answers) and the parts below (kaohe-store decides
//! and records, kaohe-core scores, kaohe-platform reads the exports). As rust-analyzer's `ide` crate
//! sits under its LSP server.
//!
//! Each module is one concern: the results and who may see them, stage moves and sealing, the
//! platform import (one path for `kaohe import` and the web's staged import: the same calendar
//! lookup, the same receipts), 方案对比, and a batch of files scored. Errors are the store's
//! ([`kaohe_store::StoreError`]): refused, not found, invalid, failed — each face words them.

/// 单位与账号: the roster template, export and import, password resets.
pub mod accounts;
/// 审计日志 as people read it: actions, objects, times and values in words, hashes apart.
pub mod audit_log;
/// 批量计分: a batch of files scored, or every problem that stops it.
pub mod batch;
/// 工作日历: the built-in years plus the calendar files a directory holds, within limits.
pub mod calendar;
/// 考核日期: the 考核期, the 自评 deadline and the 公示 window as every role's dashboard shows them.
pub mod dates;
/// 问题记录与检查记录: a finding with its type and chosen points, an inspection record.
pub mod findings;
/// 繁重工作: scoring, exports and imports off the request threads, bounded.
pub mod heavy;
/// 数据导入: platform exports → the import the store keeps.
pub mod import;
/// 保留的考核结果: each assessment's scored result, kept until that assessment changes.
pub mod kept;
/// 考核结果: the scored result and who may see which part of it.
pub mod results;
/// 细则编辑: checks in Chinese, edits, paste suggestions, drafts, 生效, diff and downloads.
pub mod rubric_editor;
/// 阶段与定档: stage moves, sealing, 更正, the sealed versions.
pub mod sealing;
/// 待办: what each person has left to do in an assessment, and the counts of its card.
pub mod todo;
/// 验证定档结果: a sealed result file's SM2 signature checked, every problem named.
pub mod verify;
/// 方案对比: the data under another rubric, compared.
pub mod whatif;
/// 新建考核: a new assessment copied from an earlier one or from a rubric file, every problem in Chinese.
pub mod wizard;
