//! kaohe-app — the use cases of kaohe, each written once, between the faces (the HTTP server and the
//! command line, which only translate requests and answers) and the parts below (kaohe-store decides
//! and records, kaohe-core scores, kaohe-platform reads the exports). As rust-analyzer's `ide` crate
//! sits under its LSP server.
//!
//! So far: the platform import (one path for `kaohe import` and the web's staged import: the same
//! calendar lookup, the same receipts) and the working-day calendar a data directory uses.

/// 工作日历: the built-in years plus the calendar files a directory holds, within limits.
pub mod calendar;
/// 数据导入: platform exports → the import the store keeps.
pub mod import;
