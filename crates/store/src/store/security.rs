//! 登录规则、锁定与安全设置 (store side) — the security settings read and changed (by the 安全管理员,
//! audited), failed sign-ins counted in the database per account and address (a restart keeps a
//! lock), a lock lifted, a sign-in recorded with its address (the last one shown next time), a
//! role given, a sign-out and every export or download recorded in the audit log.

use super::*;
use crate::roster;
use crate::security::{self, SecuritySettings};

/// 锁定: an account locked from one address, until when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Lock {
    pub login: String,
    pub addr: String,
    pub failures: i64,
    pub locked_until: String,
}

/// What a sign-in found: the previous sign-in (time and address), and whether the password must be
/// changed before anything else — an initial or reset one, or one older than the setting allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    pub previous: Option<(String, String)>,
    pub must_change: bool,
    /// The password is older than `password_max_age_days`.
    pub expired: bool,
    /// When the session ends at the latest.
    pub expires: String,
}

/// Seconds from `from` to `to` (both ISO instants); a time that does not read counts as long ago.
fn since(from: &str, to: &str) -> i64 {
    match (security::epoch(from), security::epoch(to)) {
        (Some(a), Some(b)) => b - a,
        _ => i64::MAX,
    }
}

fn at_plus(now: &str, secs: i64) -> String {
    security::iso(security::epoch(now).unwrap_or(0).saturating_add(secs))
}

impl Store {
    /// The settings in force, read on `conn` (under the write lock when it is a change's).
    pub(super) async fn settings_on(conn: &mut sqlx::AnyConnection) -> Result<SecuritySettings> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM security_settings ORDER BY key")
                .fetch_all(&mut *conn)
                .await?;
        SecuritySettings::from_rows(&rows).map_err(StoreError::Corrupt)
    }

    /// The security settings in force (defaults until the 安全管理员 changes them).
    pub async fn security(&self) -> Result<SecuritySettings> {
        let mut c = self.pool.acquire().await?;
        Self::settings_on(&mut c).await
    }

    /// Changes one security setting (安全管理员), within its bounds, audited with the old and new value.
    pub async fn set_security(&self, by: &User, key: &str, value: &str, now: &str) -> Result<()> {
        let mut tx = self.write().await?;
        policy::check(by, Action::ManageSecurity, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        let def = security::setting(key)
            .ok_or_else(|| StoreError::Invalid(format!("没有安全设置“{key}”")))?;
        let n = security::check_value(def, value).map_err(StoreError::Invalid)?;
        let old = Self::settings_on(&mut tx).await?.get(key);
        if old == n {
            return Ok(());
        }
        if key == "require_cert" && n == 1 {
            Self::may_require_certs(&mut tx, by).await?;
        }
        sqlx::query("DELETE FROM security_settings WHERE key = $1")
            .bind(key)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO security_settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(key)
            .bind(n.to_string())
            .bind(&by.login)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "settings.change",
            &format!("setting/{key}"),
            Some(&old.to_string()),
            Some(&n.to_string()),
            None,
        )
        .await?;
        self.commit(tx).await
    }

    /// `Some(seconds to wait)` when `login` is locked from `addr` at `now`.
    pub async fn login_locked(&self, login: &str, addr: &str, now: &str) -> Result<Option<i64>> {
        let until: Option<Option<String>> = sqlx::query_scalar(
            "SELECT locked_until FROM login_failures WHERE login = $1 AND addr = $2",
        )
        .bind(login)
        .bind(addr)
        .fetch_optional(&self.pool)
        .await?;
        Ok(until
            .flatten()
            .map(|u| since(now, &u))
            .filter(|left| *left > 0))
    }

    /// A wrong password for `login` from `addr`: counted in the database and audited (登录失败); at
    /// the setting's count within the lock window the pair is locked (锁定, audited too). Whether it
    /// is locked now.
    pub async fn login_failed(&self, login: &str, addr: &str, now: &str) -> Result<bool> {
        let mut tx = self.write().await?;
        let s = Self::settings_on(&mut tx).await?;
        let row: Option<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT failures, first_at, locked_until FROM login_failures WHERE login = $1 AND addr = $2",
        )
        .bind(login)
        .bind(addr)
        .fetch_optional(&mut *tx)
        .await?;
        let (failures, first_at) = match row {
            Some((n, first, until)) => {
                let lock_over = until.as_deref().is_some_and(|u| since(u, now) >= 0);
                if lock_over || since(&first, now) >= s.lock_secs() {
                    (1, now.to_string())
                } else {
                    (n + 1, first)
                }
            }
            None => (1, now.to_string()),
        };
        let locked = failures >= s.lock_failures();
        let until = locked.then(|| at_plus(now, s.lock_secs()));
        sqlx::query("DELETE FROM login_failures WHERE login = $1 AND addr = $2")
            .bind(login)
            .bind(addr)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO login_failures (login, addr, failures, first_at, locked_until) VALUES ($1, $2, $3, $4, $5)")
            .bind(login)
            .bind(addr)
            .bind(failures)
            .bind(&first_at)
            .bind(until.as_deref())
            .execute(&mut *tx)
            .await?;
        let entity = format!("user/{login}");
        let detail = serde_json::json!({ "addr": addr, "failures": failures }).to_string();
        self.audit(
            &mut tx,
            now,
            login,
            "session.login_failed",
            &entity,
            None,
            Some(&detail),
            None,
        )
        .await?;
        if let Some(until) = &until {
            let lock = serde_json::json!({ "addr": addr, "until": until }).to_string();
            self.audit(
                &mut tx,
                now,
                "系统",
                "account.lock",
                &entity,
                None,
                Some(&lock),
                Some(&format!("连续登录失败 {failures} 次")),
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(locked)
    }

    /// Locks in force at `now` (安全管理员).
    pub async fn locks(&self, by: &User, now: &str) -> Result<Vec<Lock>> {
        policy::check(by, Action::ManageSecurity, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as("SELECT login, addr, failures, locked_until FROM login_failures WHERE locked_until IS NOT NULL AND locked_until > $1 ORDER BY login, addr")
            .bind(now)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(login, addr, failures, locked_until)| Lock {
                login,
                addr,
                failures,
                locked_until,
            })
            .collect())
    }

    /// Lifts every lock and failure count of `login` (安全管理员), audited (解锁).
    pub async fn unlock(&self, by: &User, login: &str, now: &str) -> Result<()> {
        let mut tx = self.write().await?;
        policy::check(by, Action::ManageSecurity, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE login = $1")
            .bind(login)
            .fetch_one(&mut *tx)
            .await?;
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "账号“{login}”没有被锁定，也没有登录失败记录"
            )));
        }
        sqlx::query("DELETE FROM login_failures WHERE login = $1")
            .bind(login)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "account.unlock",
            &format!("user/{login}"),
            None,
            None,
            None,
        )
        .await?;
        self.commit(tx).await
    }

    /// Starts a session after a good password from `addr` — and, when 须证书登录 is on, the
    /// certificate bound to the account (`cert`, as the gateway verified it), else `Forbidden`: the session (lasting the setting's
    /// absolute lifetime, idle after its idle timeout), the pair's failures cleared, the sign-in
    /// recorded on the account and in the audit log with its address. Returns the previous sign-in
    /// and whether the password must be changed first.
    pub async fn sign_in(
        &self,
        user: &User,
        token: &str,
        csrf: &str,
        addr: &str,
        cert: Option<&str>,
        now: &str,
    ) -> Result<SignIn> {
        let mut tx = self.write().await?;
        let s = Self::settings_on(&mut tx).await?;
        if s.require_cert() {
            self.certificate_matches(&mut tx, user, cert).await?;
        }
        let (last_at, last_addr, must, changed): (
            Option<String>,
            Option<String>,
            i64,
            Option<String>,
        ) = sqlx::query_as("SELECT last_login_at, last_login_addr, must_change_password, password_changed_at FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&mut *tx)
            .await?;
        let expires = at_plus(now, s.session_secs());
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $4)")
            .bind(sha256_hex(token))
            .bind(user.id)
            .bind(csrf)
            .bind(now)
            .bind(&expires)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM login_failures WHERE login = $1 AND addr = $2")
            .bind(&user.login)
            .bind(addr)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET last_login_at = $1, last_login_addr = $2 WHERE id = $3")
            .bind(now)
            .bind(addr)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        let detail = serde_json::json!({ "addr": addr }).to_string();
        self.audit(
            &mut tx,
            now,
            &user.login,
            "session.login",
            &format!("user/{}", user.login),
            None,
            Some(&detail),
            None,
        )
        .await?;
        self.commit(tx).await?;
        let expired = changed
            .as_deref()
            .is_some_and(|c| since(c, now) >= s.max_age_secs());
        Ok(SignIn {
            previous: last_at.map(|t| (t, last_addr.unwrap_or_else(|| "未知地址".into()))),
            must_change: must != 0 || expired,
            expired,
            expires,
        })
    }

    /// 退出: the session ended, audited with the address.
    pub async fn sign_out(&self, user: &User, token: &str, addr: &str, now: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(sha256_hex(token))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(());
        }
        let detail = serde_json::json!({ "addr": addr }).to_string();
        self.audit(
            &mut tx,
            now,
            &user.login,
            "session.logout",
            &format!("user/{}", user.login),
            None,
            Some(&detail),
            None,
        )
        .await?;
        self.commit(tx).await
    }

    /// 导出/下载: who took which file (`what`, e.g. `assessment/1/export.xlsx`), when, from where —
    /// recorded in the audit log before the file is handed out.
    pub async fn record_download(
        &self,
        user: &User,
        what: &str,
        addr: &str,
        now: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let detail = serde_json::json!({ "addr": addr }).to_string();
        self.audit(
            &mut tx,
            now,
            &user.login,
            "export.download",
            what,
            None,
            Some(&detail),
            None,
        )
        .await?;
        self.commit(tx).await
    }

    /// Gives `login` another role (安全管理员), with a reason, audited (修改角色); its sessions end.
    /// One person holds at most one of the three administrators' roles (the same 姓名 or phone on
    /// another active account of another of them is refused); the last active 管理员 stays one; an
    /// assessor who still scores units is 改派 first; a reporter's unit is set on the setup page.
    pub async fn set_role(
        &self,
        by: &User,
        login: &str,
        role: Role,
        why: &str,
        now: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        policy::check(by, Action::ManageSecurity, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        if let Some(p) = roster::reason_problem(why) {
            return Err(StoreError::Invalid(p));
        }
        let old = self.held(&mut tx, login).await?;
        if old.role == role {
            return Err(StoreError::Invalid(format!(
                "账号“{login}”已是{}",
                role.label()
            )));
        }
        if role == Role::Reporter || old.role == Role::Reporter {
            return Err(StoreError::Invalid(
                "单位填报员与所属单位一起设置：请由管理员在考核的“设置”页面修改该账号".into(),
            ));
        }
        if login == by.login {
            return Err(StoreError::Invalid("不能修改自己的角色".into()));
        }
        if old.role == Role::Admin {
            Self::keeps_an_admin(&mut tx, login).await?;
        }
        if old.role == Role::Assessor {
            Self::no_assignments(&mut tx, old.id, &old.name).await?;
        }
        let phone = self.phone_from_store(login, old.phone)?;
        self.one_officer_role(&mut tx, login, &old.name, phone.as_deref(), role)
            .await?;
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.key())
            .bind(old.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(old.id)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            "user.role",
            &format!("user/{login}"),
            Some(old.role.key()),
            Some(role.key()),
            Some(why),
        )
        .await?;
        self.commit(tx).await
    }

    /// 须修改密码 for an account made at the console (`kaohe user add`): its holder sets their own
    /// password at the first sign-in. Audited.
    pub async fn require_password_change(&self, login: &str, now: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let old = self.held(&mut tx, login).await?;
        sqlx::query("UPDATE users SET must_change_password = 1 WHERE id = $1")
            .bind(old.id)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            "系统",
            "user.must_change",
            &format!("user/{login}"),
            None,
            Some("1"),
            None,
        )
        .await?;
        self.commit(tx).await
    }

    /// Refuses to give `role` (one of the three administrators') to `login` when the same person —
    /// the same 姓名, or the same phone — holds another of the three on another active account.
    pub(super) async fn one_officer_role(
        &self,
        tx: &mut sqlx::AnyConnection,
        login: &str,
        name: &str,
        phone: Option<&str>,
        role: Role,
    ) -> Result<()> {
        if !role.is_officer() {
            return Ok(());
        }
        // The phones compared opened: a sealed one differs from its plaintext, and from itself.
        let others: Vec<(String, String, String, Option<String>)> = sqlx::query_as("SELECT login, role, name, phone FROM users WHERE active = 1 AND login <> $1 AND role IN ('sysadmin', 'secadmin', 'auditadmin') AND role <> $2 ORDER BY id")
            .bind(login)
            .bind(role.key())
            .fetch_all(&mut *tx)
            .await?;
        for (other, r, other_name, other_phone) in others {
            let other_phone = self.phone_from_store(&other, other_phone)?;
            if other_name == name || (phone.is_some() && other_phone.as_deref() == phone) {
                let label = Role::parse(&r).map_or("另一管理员", Role::label);
                return Err(StoreError::Invalid(format!(
                    "三员分立：{name} 已是{label}（账号 {other}），同一人不能兼任系统管理员、安全管理员、审计管理员中的两个"
                )));
            }
        }
        Ok(())
    }

    /// Refuses a change by `by` to an account of one of the three administrators (or making one)
    /// unless `by` is the 系统管理员 (or the command line, `None`).
    pub(super) fn officer_accounts_by(by: Option<&User>, roles: &[Role]) -> Result<()> {
        match by {
            Some(u) if u.role != Role::SystemAdmin && roles.iter().any(|r| r.is_officer()) => {
                Err(StoreError::Forbidden(format!(
                    "{}（{}）无权管理系统管理员、安全管理员、审计管理员的账号：只有系统管理员可以",
                    u.name,
                    u.role.label()
                )))
            }
            _ => Ok(()),
        }
    }

    /// The password rule in force, checked on `conn` under the write lock (the default rule was
    /// checked before hashing; the settings may ask more).
    pub(super) async fn password_ok_on(
        conn: &mut sqlx::AnyConnection,
        password: &str,
        login: &str,
    ) -> Result<()> {
        let s = Self::settings_on(conn).await?;
        match security::password_problem_with(&s, password, login) {
            Some(p) => Err(StoreError::Invalid(p)),
            None => Ok(()),
        }
    }
}
