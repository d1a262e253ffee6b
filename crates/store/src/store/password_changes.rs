//! 修改与重置密码 — a password reset by an administrator (then changed at the next sign-in) and one's
//! own password changed: the rule in force checked under the write lock, the last N passwords not
//! used again (their hashes kept in `password_history`), the change's time kept for the expiry.

use super::*;
use crate::roster;

impl Store {
    /// Resets an account's password to `password` (admin): it must be changed at the next sign-in,
    /// and the account's sessions end. Audited without the password or its hash.
    pub async fn reset_password(
        &self,
        by: &User,
        login: &str,
        password: &str,
        now: &str,
    ) -> Result<()> {
        if let Some(p) = roster::password_problem(password, login) {
            return Err(StoreError::Invalid(p));
        }
        let hash = hash_password(password);
        let mut tx = self.write().await?;
        policy::check(by, Action::ManageAccounts, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        let old = self.held(&mut tx, login).await?;
        Self::officer_accounts_by(Some(by), &[old.role])?;
        Self::password_ok_on(&mut tx, password, login).await?;
        Self::keep_in_history(&mut tx, old.id, now).await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 1 WHERE id = $2")
            .bind(&hash)
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
            "user.password_reset",
            &format!("user/{login}"),
            None,
            None,
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// A person changes their own password: the old one must match, the new one pass
    /// [`roster::password_problem`] and differ from the old. Clears 须修改密码. Audited without
    /// either password.
    pub async fn change_own_password(
        &self,
        user: &User,
        old: &str,
        new: &str,
        now: &str,
    ) -> Result<()> {
        if let Some(p) = roster::password_problem(new, &user.login) {
            return Err(StoreError::Invalid(format!("新{p}")));
        }
        if old == new {
            return Err(StoreError::Invalid("新密码不能与原密码相同".into()));
        }
        // The old password is checked before the write lock (argon2 takes a while); under the lock
        // the hash must still be the one checked, or someone changed it meanwhile.
        let stored: Option<String> =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND active = 1")
                .bind(user.id)
                .fetch_optional(&self.pool)
                .await?;
        let stored = stored.ok_or_else(|| StoreError::Forbidden("账号已停用".into()))?;
        let (old, phc) = (old.to_owned(), stored.clone());
        let ok = tokio::task::spawn_blocking(move || verify_password(old.as_bytes(), &phc))
            .await
            .map_err(|e| StoreError::Corrupt(format!("密码校验中断：{e}")))?;
        if !ok {
            return Err(StoreError::Invalid("原密码不正确".into()));
        }
        // The last N passwords (the current one among them) are not used again.
        let n = self.security().await?.history();
        let earlier: Vec<String> = sqlx::query_scalar(
            "SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY changed_at DESC LIMIT $2",
        )
        .bind(user.id)
        .bind((n - 1).max(0))
        .fetch_all(&self.pool)
        .await?;
        let (again, new_pw) = (earlier, new.to_owned());
        let reused = tokio::task::spawn_blocking(move || {
            again.iter().any(|h| verify_password(new_pw.as_bytes(), h))
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("密码校验中断：{e}")))?;
        if reused {
            return Err(StoreError::Invalid(format!(
                "新密码不能与最近 {n} 次用过的密码相同"
            )));
        }
        let hash = hash_password(new);
        let mut tx = self.write().await?;
        let now_stored: Option<String> =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND active = 1")
                .bind(user.id)
                .fetch_optional(&mut *tx)
                .await?;
        if now_stored.as_deref() != Some(stored.as_str()) {
            return Err(StoreError::Stale(
                "密码或账号状态刚被改动（例如管理员重置了密码或停用了账号），请重新登录后再改"
                    .into(),
            ));
        }
        Self::password_ok_on(&mut tx, new, &user.login)
            .await
            .map_err(|e| StoreError::Invalid(format!("新{e}")))?;
        Self::keep_in_history(&mut tx, user.id, now).await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0, password_changed_at = $2 WHERE id = $3")
            .bind(&hash)
            .bind(now)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &user.login,
            "user.password_change",
            &format!("user/{}", user.login),
            None,
            None,
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Keeps the account's current password hash in its history (inside `tx`), so that it is not
    /// used again for the next N changes.
    async fn keep_in_history(tx: &mut sqlx::AnyConnection, id: i64, now: &str) -> Result<()> {
        sqlx::query("INSERT INTO password_history (user_id, password_hash, changed_at) SELECT id, password_hash, $1 FROM users WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }
}
