//! kaohe-app — the use cases of kaohe, each written once, between the faces (the HTTP server and the
//! command line, which only translate requests and answers) and the parts below (kaohe-store decides
//! and records, kaohe-core scores, kaohe-platform reads the exports). As rust-analyzer's `ide` crate
//! sits under its LSP server.
//!
//! Each module is one concern: the results and who may see them, stage moves and sealing, the
//! platform import (one path for `kaohe import` and the web's staged import: the same calendar
//! lookup, the same receipts), 方案对比, and a batch of files scored. Errors are the store's
//! ([`kaohe_store::StoreError`]): refused, not found, invalid, failed — each face words them.

/// 批量计分: a batch of files scored, or every problem that stops it.
pub mod batch;
/// 工作日历: the built-in years plus the calendar files a directory holds, within limits.
pub mod calendar;
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
/// 阶段与定档: stage moves, sealing, 更正, the sealed versions.
pub mod sealing;
/// 方案对比: the data under another rubric, compared.
pub mod whatif;
