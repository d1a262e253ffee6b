//! 账户与会话 — accounts (argon2id passwords), sign-in, and the sessions behind the cookies.

use super::*;
use crate::roster;

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    /// 须修改密码: an initial or reset password, to be changed before anything else.
    pub must_change_password: bool,
}

/// 账号 as the admin's list shows it (never its password or hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    pub login: String,
    pub name: String,
    pub role: Role,
    /// 所属单位 (reporters).
    pub unit_code: Option<String>,
    pub phone: Option<String>,
    /// 启用 (false: 已停用 — cannot sign in; never deleted, the audit log names it).
    pub active: bool,
    /// 须修改密码 at the next sign-in.
    pub must_change_password: bool,
}

/// A new account made by an admin within an assessment (its reporter's unit is one of the
/// assessment's). Its password is an initial one: it must be changed at the first sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub unit: Option<String>,
    pub phone: Option<String>,
    pub password: String,
}

/// 修改账号: what an admin may change of an account (its login stays).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountEdit {
    pub name: String,
    pub role: Role,
    pub unit: Option<String>,
    pub phone: Option<String>,
}

/// Every problem of an account's fields, in Chinese, or none.
pub(super) fn account_problems(
    login: &str,
    name: &str,
    role: Role,
    unit: Option<&str>,
    phone: Option<&str>,
) -> Vec<String> {
    [
        roster::login_problem(login),
        roster::person_name_problem(name),
        roster::unit_binding_problem(role, unit),
        phone.and_then(roster::phone_problem),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn invalid_if_any(problems: Vec<String>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(problems.join("；")))
    }
}

/// The audit entry's JSON of an account; its phone masked (个人信息 is not kept in the log).
fn account_json(
    login: &str,
    name: &str,
    role: Role,
    unit: Option<&str>,
    phone: Option<&str>,
) -> String {
    let phone = phone.map(super::personal::masked);
    let name = super::personal::logged_name(role, name);
    serde_json::json!({ "login": login, "name": name, "role": role.key(), "unit": unit, "phone": phone })
        .to_string()
}

impl Store {
    /// Adds an account. `by` is the admin doing it, or `None` from the command line (recorded as
    /// `系统`).
    pub async fn add_user(&self, by: Option<&User>, new: &NewUser<'_>, now: &str) -> Result<User> {
        let NewUser {
            login,
            name,
            role,
            unit,
            password,
        } = *new;
        if let Some(u) = by {
            policy::check(u, Action::ManageAccounts, Stage::Draft, None, false)
                .map_err(StoreError::Forbidden)?;
        }
        if login.trim().is_empty() || name.trim().is_empty() {
            return Err(StoreError::Invalid("登录名和姓名不能为空".into()));
        }
        if let Some(p) = roster::password_problem(password, login) {
            return Err(StoreError::Invalid(p));
        }
        if (role == Role::Reporter) != unit.is_some() {
            return Err(StoreError::Invalid(
                "单位填报员须绑定一个单位；其他角色不绑定单位".into(),
            ));
        }
        Self::officer_accounts_by(by, &[role])?;
        let mut tx = self.write().await?;
        Self::password_ok_on(&mut tx, password, login).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
            .bind(login)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Invalid(format!("登录名“{login}”已存在")));
        }
        self.one_officer_role(&mut tx, login, name, None, role)
            .await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO users (login, name, role, unit_code, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(login)
            .bind(self.name_to_store(login, role, name)?)
            .bind(role.key())
            .bind(unit)
            .bind(hash_password(password))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        let actor = by.map(|u| u.login.as_str()).unwrap_or("系统");
        let new =
            serde_json::json!({ "login": login, "name": super::personal::logged_name(role, name), "role": role.key(), "unit": unit })
                .to_string();
        self.audit(
            &mut tx,
            now,
            actor,
            "user.add",
            &format!("user/{login}"),
            None,
            Some(&new),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(User {
            id,
            login: login.into(),
            name: name.into(),
            role,
            unit_code: unit.map(Into::into),
        })
    }

    /// An account row as a `User`; a role the store would never have written is `Corrupt`, never
    /// read as some default role.
    /// A reporter's sealed name is opened ([`Store::name_from_store`]).
    pub(super) fn user_from(&self, r: &sqlx::any::AnyRow) -> Result<User> {
        let login: String = r.get("login");
        let role: String = r.get("role");
        Ok(User {
            id: r.get("id"),
            role: Role::parse(&role).ok_or_else(|| {
                StoreError::Corrupt(format!("账户“{login}”的角色“{role}”无法识别"))
            })?,
            name: self.name_from_store(&login, r.get("name"))?,
            login,
            unit_code: r.get("unit_code"),
        })
    }

    /// The user whose password matches, if any (argon2id; the same time is spent for an unknown login).
    pub async fn authenticate(&self, login: &str, password: &str) -> Result<Option<User>> {
        let row = sqlx::query("SELECT id, login, name, role, unit_code, password_hash FROM users WHERE login = $1 AND active = 1").bind(login).fetch_optional(&self.pool).await?;
        let stored = row.as_ref().map(|r| r.get::<String, _>("password_hash"));
        // An unknown login checks against a dummy hash so that timing does not reveal which logins
        // exist; the check runs on tokio's blocking threads, never on the async ones.
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            let phc = stored.as_deref().unwrap_or_else(|| dummy_hash());
            verify_password(password.as_bytes(), phc)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("密码校验中断：{e}")))?;
        Ok(match (row, ok) {
            (Some(r), true) => Some(self.user_from(&r)?),
            _ => None,
        })
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT id, login, name, role, unit_code FROM users WHERE id = $1 AND active = 1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(|r| self.user_from(r)).transpose()
    }

    /// Starts a session for `user`: the token (for the cookie) and the CSRF token. Only the token's
    /// sha256 is stored.
    pub async fn create_session(
        &self,
        user: &User,
        token: &str,
        csrf: &str,
        now: &str,
        expires: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $4)")
            .bind(sha256_hex(token))
            .bind(user.id)
            .bind(csrf)
            .bind(now)
            .bind(expires)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &user.login,
            "session.login",
            &format!("user/{}", user.login),
            None,
            None,
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The session of a token, if it exists at `now`: not past its absolute lifetime, not idle longer
    /// than the setting allows (each request marks it used, at most once a minute), its account
    /// active. Its password must be changed first when it is an initial or reset one, or older
    /// than the setting allows (counted from the holder's own last change).
    pub async fn session(&self, token: &str, now: &str) -> Result<Option<Session>> {
        let t = crate::security::epoch(now).unwrap_or(0);
        let hash = sha256_hex(token);
        // One round trip: the session, its account and the two settings it is judged by.
        let r = sqlx::query("SELECT s.csrf, s.last_seen_at, u.id, u.login, u.name, u.role, u.unit_code, u.must_change_password, u.password_changed_at, (SELECT value FROM security_settings WHERE key = 'session_idle_minutes') AS idle, (SELECT value FROM security_settings WHERE key = 'password_max_age_days') AS max_age FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1")
            .bind(&hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = r else { return Ok(None) };
        let stored: Vec<(String, String)> = [
            ("session_idle_minutes", r.get::<Option<String>, _>("idle")),
            (
                "password_max_age_days",
                r.get::<Option<String>, _>("max_age"),
            ),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
        let s =
            crate::security::SecuritySettings::from_rows(&stored).map_err(StoreError::Corrupt)?;
        let seen: Option<String> = r.get("last_seen_at");
        let idle_for = seen
            .as_deref()
            .and_then(crate::security::epoch)
            .map(|x| t - x);
        if idle_for.is_some_and(|d| d >= s.idle_secs()) {
            return Ok(None);
        }
        if idle_for.is_none_or(|d| d >= 60) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        let changed: Option<String> = r.get("password_changed_at");
        let expired = changed
            .as_deref()
            .and_then(crate::security::epoch)
            .is_some_and(|c| t - c >= s.max_age_secs());
        Ok(Some(Session {
            csrf: r.get("csrf"),
            user: self.user_from(&r)?,
            must_change_password: r.get::<i64, _>("must_change_password") != 0 || expired,
        }))
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(sha256_hex(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Whether `user` must change their password before anything else: an initial or reset one, or
    /// one older than the setting allows at `now` (`None`: the age is not asked).
    pub async fn must_change_password(&self, user: &User) -> Result<bool> {
        let n: Option<i64> =
            sqlx::query_scalar("SELECT must_change_password FROM users WHERE id = $1")
                .bind(user.id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(n.unwrap_or(0) != 0)
    }

    /// The user with this login (for trusted local commands that act as a named account).
    pub async fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT id, login, name, role, unit_code FROM users WHERE login = $1 AND active = 1",
        )
        .bind(login)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(|r| self.user_from(r)).transpose()
    }

    /// All accounts (admin).
    pub async fn users(&self, by: &User) -> Result<Vec<User>> {
        policy::check(by, Action::ManageAccounts, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        let rows = sqlx::query(
            "SELECT id, login, name, role, unit_code FROM users WHERE active = 1 ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| self.user_from(r)).collect()
    }
}

/// An account's row read under the write lock: id, name, role, unit, phone, active.
pub(super) struct Held {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) role: Role,
    pub(super) unit: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) active: bool,
}

impl Store {
    /// The account `login` read inside `tx`, or `NotFound`.
    pub(super) async fn held(&self, tx: &mut sqlx::AnyConnection, login: &str) -> Result<Held> {
        let r = sqlx::query(
            "SELECT id, login, name, role, unit_code, phone, active FROM users WHERE login = $1",
        )
        .bind(login)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("没有账号“{login}”")))?;
        let u = self.user_from(&r)?;
        Ok(Held {
            id: u.id,
            name: u.name,
            role: u.role,
            unit: u.unit_code,
            phone: r.get("phone"),
            active: r.get::<i64, _>("active") != 0,
        })
    }

    /// Refuses a reporter's unit that is not one of `assessment`'s units (read inside `tx`).
    async fn reporter_unit_in(
        tx: &mut sqlx::AnyConnection,
        assessment: Option<i64>,
        role: Role,
        unit: Option<&str>,
    ) -> Result<()> {
        if let (Role::Reporter, Some(u)) = (role, unit) {
            let Some(assessment) = assessment else {
                return Err(StoreError::Invalid(
                    "单位填报员的所属单位须从一次考核的单位中选择：请在该考核的“设置”页面（或带上 assessment）添加或修改".into(),
                ));
            };
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM units WHERE assessment_id = $1 AND code = $2",
            )
            .bind(assessment)
            .bind(u)
            .fetch_one(&mut *tx)
            .await?;
            if n == 0 {
                return Err(StoreError::Invalid(format!(
                    "所属单位“{u}”不是本次考核的被考核单位：请从本次考核的单位中选择"
                )));
            }
        }
        Ok(())
    }

    /// Opens an account change by `by` (admin, any stage): the write lock, the policy checked under
    /// it, and the assessment (when given) known to exist.
    async fn accounts_change(
        &self,
        by: &User,
        assessment: Option<i64>,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        match assessment {
            Some(a) => Ok(self
                .change(by, a, None, |_| Action::ManageAccounts)
                .await?
                .tx),
            None => {
                let tx = self.write().await?;
                policy::check(by, Action::ManageAccounts, Stage::Draft, None, false)
                    .map_err(StoreError::Forbidden)?;
                Ok(tx)
            }
        }
    }

    /// Refuses to take an assessor's role while they still score units (改派 first).
    pub(super) async fn no_assignments(
        tx: &mut sqlx::AnyConnection,
        id: i64,
        name: &str,
    ) -> Result<()> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assignments WHERE user_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if n > 0 {
            return Err(StoreError::Invalid(format!(
                "{name} 仍负责 {n} 个单位的考核：请先改派这些单位，再改角色"
            )));
        }
        Ok(())
    }

    /// Refuses a change that would leave no active admin (`login` stops being one).
    pub(super) async fn keeps_an_admin(tx: &mut sqlx::AnyConnection, login: &str) -> Result<()> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND login <> $1",
        )
        .bind(login)
        .fetch_one(&mut *tx)
        .await?;
        if n == 0 {
            return Err(StoreError::Invalid(
                "这是唯一启用的管理员账号：不能停用或改为其他角色".into(),
            ));
        }
        Ok(())
    }

    /// Adds an account in `assessment` (admin, any stage): its fields checked, a reporter's unit one
    /// of the assessment's units, the login not taken — under the write lock, with its audit entry.
    /// The password is an initial one: the account must change it at its first sign-in.
    pub async fn add_account(
        &self,
        by: &User,
        assessment: Option<i64>,
        new: &NewAccount,
        now: &str,
    ) -> Result<User> {
        let mut problems = account_problems(
            &new.login,
            &new.name,
            new.role,
            new.unit.as_deref(),
            new.phone.as_deref(),
        );
        problems.extend(roster::password_problem(&new.password, &new.login));
        invalid_if_any(problems)?;
        let hash = hash_password(&new.password);
        let mut tx = self.accounts_change(by, assessment).await?;
        let user = self
            .insert_account(&mut tx, by, assessment, new, &hash, now)
            .await?;
        self.commit(tx).await?;
        Ok(user)
    }

    /// Writes one new account inside `tx` (its unit and login checked there), with its audit entry.
    pub(super) async fn insert_account(
        &self,
        tx: &mut sqlx::AnyConnection,
        by: &User,
        assessment: Option<i64>,
        new: &NewAccount,
        hash: &str,
        now: &str,
    ) -> Result<User> {
        Self::officer_accounts_by(Some(by), &[new.role])?;
        Self::password_ok_on(tx, &new.password, &new.login).await?;
        Self::reporter_unit_in(tx, assessment, new.role, new.unit.as_deref()).await?;
        self.one_officer_role(tx, &new.login, &new.name, new.phone.as_deref(), new.role)
            .await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
            .bind(&new.login)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Invalid(format!("登录名“{}”已存在", new.login)));
        }
        let phone = new.phone.as_deref().filter(|p| !p.is_empty());
        let stored = self.phone_to_store(&new.login, phone)?;
        let id: i64 = sqlx::query_scalar("INSERT INTO users (login, name, role, unit_code, password_hash, created_at, phone, must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id")
            .bind(&new.login)
            .bind(self.name_to_store(&new.login, new.role, &new.name)?)
            .bind(new.role.key())
            .bind(new.unit.as_deref())
            .bind(hash)
            .bind(now)
            .bind(stored)
            .fetch_one(&mut *tx)
            .await?;
        let json = account_json(&new.login, &new.name, new.role, new.unit.as_deref(), phone);
        self.audit(
            tx,
            now,
            &by.login,
            "user.add",
            &format!("user/{}", new.login),
            None,
            Some(&json),
            None,
        )
        .await?;
        Ok(User {
            id,
            login: new.login.clone(),
            name: new.name.clone(),
            role: new.role,
            unit_code: new.unit.clone(),
        })
    }

    /// Every account, active or not, by login (admin, 系统管理员; the 安全管理员 for roles). Never a
    /// password or its hash.
    pub async fn accounts(&self, by: &User) -> Result<Vec<Account>> {
        policy::check(by, Action::ManageAccounts, Stage::Draft, None, false)
            .or_else(|e| {
                policy::check(by, Action::ManageSecurity, Stage::Draft, None, false).map_err(|_| e)
            })
            .map_err(StoreError::Forbidden)?;
        let rows = sqlx::query("SELECT id, login, name, role, unit_code, phone, active, must_change_password FROM users ORDER BY login")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let u = self.user_from(r)?;
                let phone = self.phone_from_store(&u.login, r.get("phone"))?;
                Ok(Account {
                    login: u.login,
                    name: u.name,
                    role: u.role,
                    unit_code: u.unit_code,
                    phone,
                    active: r.get::<i64, _>("active") != 0,
                    must_change_password: r.get::<i64, _>("must_change_password") != 0,
                })
            })
            .collect()
    }

    /// Changes an account's name, role, unit and phone (admin, any stage; the login stays). A
    /// reporter's unit must be one of `assessment`'s units; an assessor who still scores units cannot
    /// change role (改派 them first); the last active admin stays an admin.
    pub async fn edit_account(
        &self,
        by: &User,
        assessment: Option<i64>,
        login: &str,
        edit: &AccountEdit,
        now: &str,
    ) -> Result<()> {
        let phone = edit.phone.as_deref().filter(|p| !p.is_empty());
        invalid_if_any(account_problems(
            login,
            &edit.name,
            edit.role,
            edit.unit.as_deref(),
            phone,
        ))?;
        let mut tx = self.accounts_change(by, assessment).await?;
        let old = self.held(&mut tx, login).await?;
        Self::officer_accounts_by(Some(by), &[old.role, edit.role])?;
        if old.role == Role::Admin && edit.role != Role::Admin {
            Self::keeps_an_admin(&mut tx, login).await?;
        }
        if old.role != edit.role && (old.role.is_officer() || edit.role.is_officer()) {
            return Err(StoreError::Invalid(
                "系统管理员、安全管理员、审计管理员的角色由安全管理员在“安全管理”页面修改".into(),
            ));
        }
        if old.role == Role::Assessor && edit.role != Role::Assessor {
            Self::no_assignments(&mut tx, old.id, &old.name).await?;
        }
        if edit.unit != old.unit || edit.role != old.role {
            Self::reporter_unit_in(&mut tx, assessment, edit.role, edit.unit.as_deref()).await?;
        }
        sqlx::query(
            "UPDATE users SET name = $1, role = $2, unit_code = $3, phone = $4 WHERE id = $5",
        )
        .bind(self.name_to_store(login, edit.role, &edit.name)?)
        .bind(edit.role.key())
        .bind(edit.unit.as_deref())
        .bind(self.phone_to_store(login, phone)?)
        .bind(old.id)
        .execute(&mut *tx)
        .await?;
        let old_phone = self.phone_from_store(login, old.phone)?;
        let before = account_json(
            login,
            &old.name,
            old.role,
            old.unit.as_deref(),
            old_phone.as_deref(),
        );
        let after = account_json(login, &edit.name, edit.role, edit.unit.as_deref(), phone);
        self.audit(
            &mut tx,
            now,
            &by.login,
            "user.edit",
            &format!("user/{login}"),
            Some(&before),
            Some(&after),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Disables (停用) or re-enables (启用) an account (admin), with a reason, audited. A disabled
    /// account cannot sign in and its sessions end at once; it is never deleted (the audit log
    /// names it). An admin cannot disable their own account nor the last active admin.
    pub async fn set_account_active(
        &self,
        by: &User,
        login: &str,
        active: bool,
        why: &str,
        now: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        policy::check(by, Action::ManageAccounts, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        if let Some(p) = roster::reason_problem(why) {
            return Err(StoreError::Invalid(p));
        }
        let old = self.held(&mut tx, login).await?;
        Self::officer_accounts_by(Some(by), &[old.role])?;
        if old.active == active {
            return Err(StoreError::Invalid(format!(
                "账号“{login}”已是{}状态",
                if active { "启用" } else { "停用" }
            )));
        }
        if !active {
            if login == by.login {
                return Err(StoreError::Invalid("不能停用自己的账号".into()));
            }
            if old.role == Role::Admin {
                Self::keeps_an_admin(&mut tx, login).await?;
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(old.id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(i64::from(active))
            .bind(old.id)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            if active {
                "user.enable"
            } else {
                "user.disable"
            },
            &format!("user/{login}"),
            Some(if active { "0" } else { "1" }),
            Some(if active { "1" } else { "0" }),
            Some(why),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}
