//! 账户与会话 — accounts (argon2id passwords), sign-in, and the sessions behind the cookies.

use super::*;

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
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
        if password.chars().count() < 8 {
            return Err(StoreError::Invalid("密码至少 8 位".into()));
        }
        if (role == Role::Reporter) != unit.is_some() {
            return Err(StoreError::Invalid(
                "单位填报员须绑定一个单位；其他角色不绑定单位".into(),
            ));
        }
        let mut tx = self.write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
            .bind(login)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Invalid(format!("登录名“{login}”已存在")));
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO users (login, name, role, unit_code, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(login)
            .bind(name)
            .bind(role.key())
            .bind(unit)
            .bind(hash_password(password))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        let actor = by.map(|u| u.login.as_str()).unwrap_or("系统");
        let new =
            serde_json::json!({ "login": login, "name": name, "role": role.key(), "unit": unit })
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
    pub(super) fn user_from(r: &sqlx::any::AnyRow) -> Result<User> {
        let login: String = r.get("login");
        let role: String = r.get("role");
        Ok(User {
            id: r.get("id"),
            role: Role::parse(&role).ok_or_else(|| {
                StoreError::Corrupt(format!("账户“{login}”的角色“{role}”无法识别"))
            })?,
            login,
            name: r.get("name"),
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
            (Some(r), true) => Some(Self::user_from(&r)?),
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
        row.as_ref().map(Self::user_from).transpose()
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
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
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

    /// The session of a token, if it exists and has not expired at `now`.
    pub async fn session(&self, token: &str, now: &str) -> Result<Option<Session>> {
        let r = sqlx::query("SELECT s.csrf, u.id, u.login, u.name, u.role, u.unit_code FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1")
            .bind(sha256_hex(token))
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        r.map(|r| {
            Ok(Session {
                csrf: r.get("csrf"),
                user: Self::user_from(&r)?,
            })
        })
        .transpose()
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(sha256_hex(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The user with this login (for trusted local commands that act as a named account).
    pub async fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT id, login, name, role, unit_code FROM users WHERE login = $1 AND active = 1",
        )
        .bind(login)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(Self::user_from).transpose()
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
        rows.iter().map(Self::user_from).collect()
    }
}
