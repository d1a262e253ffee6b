//! 角色、阶段、账本 — the vocabulary of the service: roles, the five stages, the three ledgers, accounts
//! and scores as the store hands them out.

use serde::{Deserialize, Serialize};

/// 角色
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 管理员 (县政务办)
    Admin,
    /// 考核员
    Assessor,
    /// 单位填报员 — bound to one unit
    Reporter,
    /// 领导 (reads published results; "查看" is still read as this role on import)
    Viewer,
    /// 系统管理员 (三员分立): accounts and settings; no business rights.
    #[serde(rename = "sysadmin")]
    SystemAdmin,
    /// 安全管理员 (三员分立): roles, password and session rules, locks.
    #[serde(rename = "secadmin")]
    SecurityAdmin,
    /// 审计管理员 (三员分立): reads and exports the audit log; nobody else may.
    #[serde(rename = "auditadmin")]
    AuditAdmin,
}

impl Role {
    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Assessor => "assessor",
            Role::Reporter => "reporter",
            Role::Viewer => "viewer",
            Role::SystemAdmin => "sysadmin",
            Role::SecurityAdmin => "secadmin",
            Role::AuditAdmin => "auditadmin",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" | "管理员" => Some(Role::Admin),
            "assessor" | "考核员" => Some(Role::Assessor),
            "reporter" | "填报员" | "单位填报员" => Some(Role::Reporter),
            "viewer" | "查看" | "领导" => Some(Role::Viewer),
            "sysadmin" | "系统管理员" => Some(Role::SystemAdmin),
            "secadmin" | "安全管理员" => Some(Role::SecurityAdmin),
            "auditadmin" | "审计管理员" => Some(Role::AuditAdmin),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Assessor => "考核员",
            Role::Reporter => "单位填报员",
            Role::Viewer => "领导",
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
        }
    }
    /// One of the three administrators of 三员分立 (系统、安全、审计管理员): no business rights, and
    /// one person holds at most one of them.
    pub fn is_officer(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
        )
    }
}

/// 阶段: 草稿 → 自评 → 考核 → 公示 → 定档
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Draft,
    #[serde(rename = "self")]
    SelfAssessment,
    Review,
    Publication,
    Final,
}

impl Stage {
    pub const ORDER: [Stage; 5] = [
        Stage::Draft,
        Stage::SelfAssessment,
        Stage::Review,
        Stage::Publication,
        Stage::Final,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::SelfAssessment => "self",
            Stage::Review => "review",
            Stage::Publication => "publication",
            Stage::Final => "final",
        }
    }
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ORDER
            .into_iter()
            .find(|x| x.key() == s || x.label() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Stage::Draft => "草稿",
            Stage::SelfAssessment => "自评",
            Stage::Review => "考核",
            Stage::Publication => "公示",
            Stage::Final => "定档",
        }
    }
    /// The stage after this one, if any.
    pub fn next(self) -> Option<Stage> {
        let i = Stage::ORDER.iter().position(|s| *s == self)?;
        Stage::ORDER.get(i + 1).copied()
    }
}

/// 账本: which of the three scores of a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ledger {
    /// 自评分
    #[serde(rename = "self")]
    SelfScore,
    /// 考核分
    Assessor,
    /// 最终分
    Final,
}

impl Ledger {
    pub fn key(self) -> &'static str {
        match self {
            Ledger::SelfScore => "self",
            Ledger::Assessor => "assessor",
            Ledger::Final => "final",
        }
    }
    pub fn parse(s: &str) -> Option<Ledger> {
        match s {
            "self" => Some(Ledger::SelfScore),
            "assessor" => Some(Ledger::Assessor),
            "final" => Some(Ledger::Final),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Ledger::SelfScore => "自评分",
            Ledger::Assessor => "考核分",
            Ledger::Final => "最终分",
        }
    }
}

/// 账户
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    /// The unit a reporter is bound to.
    pub unit_code: Option<String>,
}

/// Who does something: the user, and the assessments' units they are assigned to (assessors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: User,
}

/// One score in a ledger, with its version for optimistic concurrency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    pub unit_code: String,
    pub clause_id: String,
    pub ledger: Ledger,
    pub score: String,
    pub reason: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: String,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: Role,
    /// The unit a reporter is bound to (reporters only).
    pub unit: Option<&'a str>,
    pub password: &'a str,
}
