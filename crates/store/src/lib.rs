//! kaohe-store — where an assessment lives: accounts, assessments and their units, assessor
//! assignments, the three ledgers per clause (自评分, 考核分, 最终分), findings, bonus, evidence, sealed
//! results, and a hash-chained, append-only audit log. SQLite (WAL) by default or PostgreSQL, via
//! sqlx's Any driver, with the migrations of both embedded. The store scores nothing itself (kaohe-core does), reads no clock (callers
//! pass the time), and enforces who may do what in which stage ([`policy`]) on every change.

/// 审计归档: a period of the audit log as a signed file, checked offline.
pub mod archive;
/// 审计日志: the hash chain and its verification.
pub mod audit;
/// 封存签名: the SM2 key pair that signs sealed results, and the check of a signature.
pub mod datakey;
/// 佐证材料: content-addressed evidence files, type by content.
pub mod evidence;
/// 拍摄时间: a photo's EXIF DateTimeOriginal.
pub mod exif;
/// 角色、阶段、账本: the vocabulary of the service.
pub mod model;
/// 权限: what each role may do in each stage.
pub mod policy;
/// 审计回放: the log replayed and compared with the tables.
pub mod replay;
/// 单位与账号的规则: unit codes, logins, names, phones, passwords, each checked once.
pub mod roster;
pub mod seal;
/// 安全设置与登录规则: the sign-in rules as settings, the password rule.
pub mod security;
/// 存储: the operations.
pub mod store;
/// A fresh PostgreSQL database per test (for tests only).
#[doc(hidden)]
pub mod testdb;
/// 迁移: a whole store copied into another database (SQLite ⇄ PostgreSQL).
pub mod transfer;
/// URL text: percent-encoding.
pub mod url;

pub use model::*;
pub use store::{
    Account, AccountEdit, Backend, Decision, Finding, Gate, Import, Inspection, NewAccount,
    NewFinding, NewUnit, Objection, Progress, Roster, RubricDraft, Sealed, Store, StoreError,
    Submission,
};
pub use store::{Attach, BadFile, Encrypted, ObjectionHistory, Outcome, Rotated, Upload};
pub use store::{
    GRID_MAX_KINDS, GRID_MAX_PER_PAGE, GRID_MAX_SEARCH, GridFilter, GridRows, GridUnit,
};
