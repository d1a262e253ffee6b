//! 单位、分工与名册导入 — a unit edited (草稿), an assessor replaced on a unit with a reason (改派, any
//! stage before 定档), and the units and accounts of an Excel workbook written all or nothing. Each
//! checks its policy and preconditions under the write lock and records its audit entries with it.

use super::accounts::{NewAccount, account_problems};
use super::*;
use crate::roster::{self, CodeScheme};

/// A new unit of an assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub kind: String,
}

/// 名册: the units and accounts of one import, written together or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    pub units: Vec<NewUnit>,
    pub accounts: Vec<NewAccount>,
}

/// The tables that hold a unit's work in an assessment: a unit whose code any of them uses keeps it.
const UNIT_WORK: &[(&str, &str)] = &[
    ("ledger", "分数"),
    ("findings", "问题记录"),
    ("bonuses", "加分"),
    ("metrics", "指标数据"),
    ("evidence_links", "佐证材料"),
    ("objections", "异议"),
];

impl Store {
    /// The unit kinds `assessment`'s rubric accepts (read inside `tx`).
    pub(super) async fn shapes_in(
        tx: &mut sqlx::AnyConnection,
        assessment: i64,
    ) -> Result<kaohe_core::rubric::shapes::Shapes> {
        let toml: String = sqlx::query_scalar("SELECT rubric_toml FROM assessments WHERE id = $1")
            .bind(assessment)
            .fetch_one(&mut *tx)
            .await?;
        Ok(rubric::load("rubric.toml", &toml)
            .0
            .ok_or_else(|| StoreError::Corrupt(format!("考核 {assessment} 的已存细则无法读取")))?
            .shapes)
    }

    /// Every problem of a unit's fields under the rubric's kinds, in Chinese.
    pub(super) fn unit_problems(
        shapes: &kaohe_core::rubric::shapes::Shapes,
        code: &str,
        name: &str,
        kind: &str,
    ) -> Vec<String> {
        let mut out: Vec<String> = [
            roster::unit_code_problem(code, CodeScheme::default()),
            roster::unit_name_problem(name),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !shapes.accepts_kind(kind) {
            let list = shapes.kinds().unwrap_or_default().join(" / ");
            out.push(format!("单位类型“{kind}”应为 {list}"));
        }
        out
    }

    /// Changes a unit's name, kind and code (草稿). A new code must be a free 9-digit 区划代码; the
    /// unit's assignments follow it, and so do the reporters bound to the old code — unless another
    /// assessment also has a unit with that code (reporters are bound by code), or the unit already
    /// has work (scores, findings…), which keeps its code.
    pub async fn edit_unit(
        &self,
        by: &User,
        assessment: i64,
        code: &str,
        edit: &NewUnit,
        now: &str,
    ) -> Result<()> {
        let Change { mut tx, .. } = self.change(by, assessment, None, |_| Action::SetUp).await?;
        let old =
            sqlx::query("SELECT name, kind FROM units WHERE assessment_id = $1 AND code = $2")
                .bind(assessment)
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("本次考核中没有单位“{code}”")))?;
        let (old_name, old_kind): (String, String) = (old.get("name"), old.get("kind"));
        let shapes = Self::shapes_in(&mut tx, assessment).await?;
        let problems = Self::unit_problems(&shapes, &edit.code, &edit.name, &edit.kind);
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("；")));
        }
        if edit.code != code {
            self.move_unit_code(&mut tx, by, assessment, code, &edit.code, now)
                .await?;
        }
        sqlx::query("UPDATE units SET code = $1, name = $2, kind = $3 WHERE assessment_id = $4 AND code = $5")
            .bind(&edit.code)
            .bind(&edit.name)
            .bind(&edit.kind)
            .bind(assessment)
            .bind(code)
            .execute(&mut *tx)
            .await?;
        let before = serde_json::json!({ "code": code, "name": old_name, "kind": old_kind });
        let after = serde_json::json!({ "code": edit.code, "name": edit.name, "kind": edit.kind });
        self.audit(
            &mut tx,
            now,
            &by.login,
            "unit.edit",
            &format!("assessment/{assessment}/unit/{code}"),
            Some(&before.to_string()),
            Some(&after.to_string()),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// A unit's code changed from `from` to `to` inside `tx`: checked free and unused, its
    /// assignments and reporters moved (each reporter with its `user.edit` entry).
    async fn move_unit_code(
        &self,
        tx: &mut sqlx::AnyConnection,
        by: &User,
        assessment: i64,
        from: &str,
        to: &str,
        now: &str,
    ) -> Result<()> {
        let taken: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE assessment_id = $1 AND code = $2")
                .bind(assessment)
                .bind(to)
                .fetch_one(&mut *tx)
                .await?;
        if taken > 0 {
            return Err(StoreError::Invalid(format!(
                "单位编码“{to}”已是本次考核中另一个单位的编码"
            )));
        }
        for (table, label) in UNIT_WORK {
            let sql =
                format!("SELECT COUNT(*) FROM {table} WHERE assessment_id = $1 AND unit_code = $2");
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(assessment)
                .bind(from)
                .fetch_one(&mut *tx)
                .await?;
            if n > 0 {
                return Err(StoreError::Invalid(format!(
                    "单位“{from}”已有{label}，不能改编码"
                )));
            }
        }
        let reporters = sqlx::query("SELECT id, login, name, role, unit_code, phone FROM users WHERE role = 'reporter' AND unit_code = $1 ORDER BY login")
            .bind(from)
            .fetch_all(&mut *tx)
            .await?;
        if !reporters.is_empty() {
            let elsewhere: Option<String> = sqlx::query_scalar("SELECT a.title FROM units u JOIN assessments a ON a.id = u.assessment_id WHERE u.code = $1 AND u.assessment_id <> $2 ORDER BY a.id LIMIT 1")
                .bind(from)
                .bind(assessment)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(title) = elsewhere {
                return Err(StoreError::Invalid(format!(
                    "单位编码“{from}”在考核“{title}”中也在使用，绑定它的 {} 个填报员不能随之改动：请新增单位，或先改填报员的所属单位",
                    reporters.len()
                )));
            }
        }
        sqlx::query(
            "UPDATE assignments SET unit_code = $1 WHERE assessment_id = $2 AND unit_code = $3",
        )
        .bind(to)
        .bind(assessment)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        for r in &reporters {
            let u = self.user_from(r)?;
            let phone = self.phone_from_store(&u.login, r.get("phone"))?;
            let phone = phone.as_deref().map(super::personal::masked);
            sqlx::query("UPDATE users SET unit_code = $1 WHERE id = $2")
                .bind(to)
                .bind(u.id)
                .execute(&mut *tx)
                .await?;
            let json = |unit: &str| {
                serde_json::json!({ "login": u.login, "name": super::personal::logged_name(u.role, &u.name), "role": u.role.key(), "unit": unit, "phone": phone })
                    .to_string()
            };
            self.audit(
                tx,
                now,
                &by.login,
                "user.edit",
                &format!("user/{}", u.login),
                Some(&json(from)),
                Some(&json(to)),
                Some(&format!("单位编码由 {from} 改为 {to}")),
            )
            .await?;
        }
        Ok(())
    }

    /// 改派: `to` replaces `from` as an assessor of `unit` (admin, any stage before 定档), with a
    /// reason, audited (`assignment.replace`). `to` must be an active assessor not already on it.
    #[allow(clippy::too_many_arguments)]
    pub async fn reassign(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        from: &str,
        to: &str,
        why: &str,
        now: &str,
    ) -> Result<()> {
        let Change { mut tx, .. } = self
            .change(by, assessment, None, |_| Action::Reassign)
            .await?;
        if let Some(p) = roster::reason_problem(why) {
            return Err(StoreError::Invalid(format!("改派{p}")));
        }
        Self::unit_in(&mut tx, assessment, unit).await?;
        let from_id: Option<i64> = sqlx::query_scalar("SELECT a.user_id FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.assessment_id = $1 AND a.unit_code = $2 AND u.login = $3")
            .bind(assessment)
            .bind(unit)
            .bind(from)
            .fetch_optional(&mut *tx)
            .await?;
        let from_id = from_id.ok_or_else(|| {
            StoreError::Invalid(format!("“{from}”不是单位 {unit} 的考核员，无从改派"))
        })?;
        let new = sqlx::query(
            "SELECT id, login, name, role, unit_code FROM users WHERE login = $1 AND active = 1",
        )
        .bind(to)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Invalid(format!("没有启用的账号“{to}”")))?;
        let new = self.user_from(&new)?;
        if new.role != Role::Assessor {
            return Err(StoreError::Invalid(format!("{} 不是考核员", new.name)));
        }
        if Self::assigned_in(&mut tx, assessment, &new, unit).await? {
            return Err(StoreError::Invalid(format!(
                "{} 已是单位 {unit} 的考核员",
                new.name
            )));
        }
        sqlx::query("UPDATE assignments SET user_id = $1 WHERE assessment_id = $2 AND unit_code = $3 AND user_id = $4")
            .bind(new.id)
            .bind(assessment)
            .bind(unit)
            .bind(from_id)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "assignment.replace",
            &format!("assessment/{assessment}/unit/{unit}"),
            Some(from),
            Some(to),
            Some(why),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Writes a 名册 (units and accounts) into `assessment` all or nothing: units need 草稿 (an
    /// import of accounts alone works in any stage); every unit and account is checked again under
    /// the write lock — fields, the rubric's kinds, codes and logins not taken nor repeated, each
    /// reporter's unit one of the assessment's or of the import's — and every problem refuses the
    /// whole import. Each unit and account gets its audit entry (`unit.add`, `user.add`), then one
    /// `roster.import` entry with the counts. The accounts' passwords are initial ones (hashed
    /// before the lock is taken), to be changed at the first sign-in.
    pub async fn import_roster(
        &self,
        by: &User,
        assessment: i64,
        roster: &Roster,
        file_name: &str,
        now: &str,
    ) -> Result<(usize, usize)> {
        let hashes: Vec<String> = roster
            .accounts
            .iter()
            .map(|a| hash_password(&a.password))
            .collect();
        let with_units = !roster.units.is_empty();
        let Change { mut tx, .. } = self
            .change(by, assessment, None, |_| {
                if with_units {
                    Action::SetUp
                } else {
                    Action::ManageAccounts
                }
            })
            .await?;
        let shapes = Self::shapes_in(&mut tx, assessment).await?;
        let existing: Vec<String> =
            sqlx::query_scalar("SELECT code FROM units WHERE assessment_id = $1")
                .bind(assessment)
                .fetch_all(&mut *tx)
                .await?;
        let logins: Vec<String> = sqlx::query_scalar("SELECT login FROM users")
            .fetch_all(&mut *tx)
            .await?;
        let mut problems = Vec::new();
        let mut codes: std::collections::BTreeSet<&str> =
            existing.iter().map(String::as_str).collect();
        for u in &roster.units {
            for p in Self::unit_problems(&shapes, &u.code, &u.name, &u.kind) {
                problems.push(format!("单位 {}：{p}", u.code));
            }
            if !codes.insert(&u.code) {
                problems.push(format!("单位编码“{}”重复或已在本次考核中", u.code));
            }
        }
        let mut taken: std::collections::BTreeSet<&str> =
            logins.iter().map(String::as_str).collect();
        for a in &roster.accounts {
            let mut p = account_problems(
                &a.login,
                &a.name,
                a.role,
                a.unit.as_deref(),
                a.phone.as_deref(),
            );
            p.extend(roster::password_problem(&a.password, &a.login));
            if !taken.insert(&a.login) {
                p.push(format!("登录名“{}”重复或已存在", a.login));
            }
            if let (Role::Reporter, Some(u)) = (a.role, a.unit.as_deref())
                && !codes.contains(u)
            {
                p.push(format!("所属单位“{u}”不是本次考核的被考核单位"));
            }
            problems.extend(p.into_iter().map(|p| format!("账号 {}：{p}", a.login)));
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(format!(
                "导入未进行（全部不导入）：{}",
                problems.join("；")
            )));
        }
        for u in &roster.units {
            sqlx::query(
                "INSERT INTO units (assessment_id, code, name, kind) VALUES ($1, $2, $3, $4)",
            )
            .bind(assessment)
            .bind(&u.code)
            .bind(&u.name)
            .bind(&u.kind)
            .execute(&mut *tx)
            .await?;
            let new = serde_json::json!({ "code": u.code, "name": u.name, "kind": u.kind });
            self.audit(
                &mut tx,
                now,
                &by.login,
                "unit.add",
                &format!("assessment/{assessment}/unit/{}", u.code),
                None,
                Some(&new.to_string()),
                None,
            )
            .await?;
        }
        for (a, hash) in roster.accounts.iter().zip(&hashes) {
            self.insert_account(&mut tx, by, Some(assessment), a, hash, now)
                .await?;
        }
        let summary = serde_json::json!({ "file": file_name, "units": roster.units.len(), "accounts": roster.accounts.len() });
        self.audit(
            &mut tx,
            now,
            &by.login,
            "roster.import",
            &format!("assessment/{assessment}"),
            None,
            Some(&summary.to_string()),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok((roster.units.len(), roster.accounts.len()))
    }
}
