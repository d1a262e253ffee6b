//! SM2 证书登录 (GB/T 39786 §8.4 身份鉴别): a 国密 TLCP gateway in front terminates two-way TLCP and
//! passes the verified client certificate's identity (serial and subject) in a header; the
//! 系统管理员 binds a certificate to an account (audited); with the security setting 须证书登录 on, a
//! sign-in needs the password AND the certificate bound to the account.
//!
//! A certificate's subject names its holder (`CN=…`): with the SM4 data key it is sealed in
//! `users.cert_id` like a phone (bound to the account), and compared opened.

use super::*;

/// The longest certificate identity kept, in characters.
pub const MAX_CERT_CHARS: usize = 512;

/// What is wrong with a certificate identity, in Chinese, if anything.
pub fn cert_problem(id: &str) -> Option<String> {
    let n = id.chars().count();
    if id.trim().is_empty() {
        Some("证书标识不能为空".into())
    } else if n > MAX_CERT_CHARS {
        Some(format!(
            "证书标识过长：{n} 个字符，上限 {MAX_CERT_CHARS} 个"
        ))
    } else if id.chars().any(char::is_control) {
        Some("证书标识中有控制字符".into())
    } else {
        None
    }
}

/// The associated data of an account's certificate identity.
fn cert_context(login: &str) -> String {
    format!("users.cert_id/{login}")
}

impl Store {
    /// A certificate identity as written to `users.cert_id`: sealed for `login` with a data key.
    pub(super) fn cert_to_store(&self, login: &str, cert: &str) -> Result<String> {
        match &self.data_key {
            Some(k) => k
                .encrypt_field(&cert_context(login), cert)
                .map_err(StoreError::Invalid),
            None => Ok(cert.to_string()),
        }
    }

    /// The certificate identity of `login` as stored, opened (an error without the key or when it
    /// does not authenticate, never an empty one).
    fn cert_from_store(&self, login: &str, stored: String) -> Result<String> {
        if !crate::datakey::is_encrypted_field(&stored) {
            return Ok(stored);
        }
        let Some(k) = &self.data_key else {
            return Err(StoreError::Unconfigured(crate::datakey::missing_key(
                &format!("账号“{login}”绑定的数字证书标识"),
            )));
        };
        k.decrypt_field(&cert_context(login), &stored).map_err(|e| {
            StoreError::Tampered(format!("账号“{login}”的数字证书标识解密失败（{e}）"))
        })
    }

    /// Every bound certificate, opened: (login, identity), read on `conn`.
    async fn bound_certs(&self, conn: &mut sqlx::AnyConnection) -> Result<Vec<(String, String)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT login, cert_id FROM users WHERE cert_id IS NOT NULL ORDER BY login",
        )
        .fetch_all(&mut *conn)
        .await?;
        rows.into_iter()
            .map(|(l, c)| {
                let c = self.cert_from_store(&l, c)?;
                Ok((l, c))
            })
            .collect()
    }

    /// Binds the certificate `cert` (its identity as the gateway passes it) to `login`, or with
    /// `None` removes the binding — the 系统管理员 only, under the write lock, audited with the old
    /// and new identity. A certificate is bound to one account at most.
    pub async fn bind_certificate(
        &self,
        by: &User,
        login: &str,
        cert: Option<&str>,
        now: &str,
    ) -> Result<()> {
        if by.role != Role::SystemAdmin {
            return Err(StoreError::Forbidden(format!(
                "{}（{}）无权绑定数字证书：只有系统管理员可以",
                by.name,
                by.role.label()
            )));
        }
        let cert = cert.map(str::trim);
        if let Some(p) = cert.and_then(cert_problem) {
            return Err(StoreError::Invalid(p));
        }
        let mut tx = self.write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
            .bind(login)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("没有账号“{login}”")));
        }
        let bound = self.bound_certs(&mut tx).await?;
        let old = bound
            .iter()
            .find(|(l, _)| l == login)
            .map(|(_, c)| c.clone());
        if old.as_deref() == cert {
            return Ok(());
        }
        if let Some((other, _)) = bound
            .iter()
            .find(|(l, c)| l != login && Some(c.as_str()) == cert)
        {
            return Err(StoreError::Invalid(format!(
                "该证书已绑定账号“{other}”：一张证书只能绑定一个账号"
            )));
        }
        let stored = cert.map(|c| self.cert_to_store(login, c)).transpose()?;
        sqlx::query("UPDATE users SET cert_id = $1 WHERE login = $2")
            .bind(stored)
            .bind(login)
            .execute(&mut *tx)
            .await?;
        self.audit(
            &mut tx,
            now,
            &by.login,
            if cert.is_some() {
                "user.cert_bind"
            } else {
                "user.cert_unbind"
            },
            &format!("user/{login}"),
            old.as_deref(),
            cert,
            None,
        )
        .await?;
        self.commit(tx).await
    }

    /// Every account with a bound certificate: (login, certificate identity), by login — for the
    /// 系统管理员 (who binds them) and the 安全管理员 (who decides whether they are required).
    pub async fn certificates(&self, by: &User) -> Result<Vec<(String, String)>> {
        if !matches!(by.role, Role::SystemAdmin | Role::SecurityAdmin) {
            return Err(StoreError::Forbidden(format!(
                "{}（{}）无权查看证书绑定",
                by.name,
                by.role.label()
            )));
        }
        let mut c = self.pool.acquire().await?;
        self.bound_certs(&mut c).await
    }

    /// 须证书登录: `presented` (the certificate the gateway verified, if any) must be the one bound
    /// to `user`; else `Forbidden`, saying what is missing.
    pub(super) async fn certificate_matches(
        &self,
        tx: &mut sqlx::AnyConnection,
        user: &User,
        presented: Option<&str>,
    ) -> Result<()> {
        let bound: Option<String> = sqlx::query_scalar("SELECT cert_id FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&mut *tx)
            .await?;
        let bound = bound
            .map(|b| self.cert_from_store(&user.login, b))
            .transpose()?;
        match (bound, presented) {
            (None, _) => Err(StoreError::Forbidden(
                "已开启“须证书登录”，但该账号尚未绑定数字证书：请联系系统管理员绑定".into(),
            )),
            (Some(_), None) => Err(StoreError::Forbidden(
                "已开启“须证书登录”：请使用已绑定的数字证书，经国密网关访问后登录（未收到证书）"
                    .into(),
            )),
            (Some(b), Some(p)) if b != p.trim() => Err(StoreError::Forbidden(
                "所用数字证书不是该账号绑定的证书".into(),
            )),
            _ => Ok(()),
        }
    }

    /// Before 须证书登录 is turned on: the 安全管理员 turning it on has a certificate bound
    /// (otherwise they could not sign in again to turn it off).
    pub(super) async fn may_require_certs(tx: &mut sqlx::AnyConnection, by: &User) -> Result<()> {
        let bound: Option<String> = sqlx::query_scalar("SELECT cert_id FROM users WHERE id = $1")
            .bind(by.id)
            .fetch_one(&mut *tx)
            .await?;
        if bound.is_none() {
            return Err(StoreError::Invalid(
                "开启“须证书登录”前，请先由系统管理员为您的账号绑定数字证书：否则开启后您将无法登录"
                    .into(),
            ));
        }
        Ok(())
    }
}
