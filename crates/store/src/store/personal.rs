//! 个人信息 (store side) — an account's phone number, and a reporter's name, sealed at rest with the
//! SM4 data key when one is configured (`datakey::DataKey::encrypt_field`, bound to its row),
//! opened only where they are shown (the account lists, the 名册 export; a reporter's name also at
//! sign-in and beside its own work: 自评分, evidence, objections), masked in the audit log; and
//! `kaohe data-key encrypt`: what was stored plain before the key (phones, reporters' names,
//! evidence files) sealed in place.
//!
//! An officer's 姓名 (admin, assessor, leader, the three administrators) stays plain: it is the
//! label of what they decided, shown to the units they assess and checked by the 三员分立 rule.

use super::*;

/// The associated data of an account's phone: its column and its row.
fn phone_context(login: &str) -> String {
    format!("users.phone/{login}")
}

/// The associated data of an account's name (a reporter's): its column and its row.
fn name_context(login: &str) -> String {
    format!("users.name/{login}")
}

/// Whose names are sealed: the reporters' (the people of the towns). An officer's name is the
/// label of what they decided, on every page and in the records others check.
pub(super) fn name_sealed(role: Role) -> bool {
    role == Role::Reporter
}

/// A name as the audit log keeps it (the log is permanent and leaves the system as archives): a
/// reporter's masked to its first character (`周*`), others as they are. Masking a masked name
/// gives it back, so the replay compares names stored before and after this rule alike.
pub(super) fn logged_name(role: Role, name: &str) -> String {
    if name_sealed(role) {
        masked_name(name)
    } else {
        name.to_string()
    }
}

/// A name's first character, the rest `*`.
pub(super) fn masked_name(name: &str) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| if i == 0 { c } else { '*' })
        .collect()
}

/// A column that holds personal values sealed with the data key: how its sealed values are listed
/// — (the row's id, the value's associated data, the stored value) — and how one is rewritten
/// (`$1` the value, `$2` the id). What `kaohe data-key rotate` re-encrypts.
pub(super) struct SealedColumn {
    pub select: &'static str,
    pub update: &'static str,
}

/// Every column of sealed personal values.
pub(super) const SEALED_COLUMNS: &[SealedColumn] = &[
    SealedColumn {
        select: "SELECT id, 'users.phone/' || login AS context, phone AS value FROM users WHERE phone LIKE 'sm4gcm:%' ORDER BY id",
        update: "UPDATE users SET phone = $1 WHERE id = $2",
    },
    SealedColumn {
        select: "SELECT id, 'users.name/' || login AS context, name AS value FROM users WHERE name LIKE 'sm4gcm:%' ORDER BY id",
        update: "UPDATE users SET name = $1 WHERE id = $2",
    },
    SealedColumn {
        select: "SELECT id, 'users.cert_id/' || login AS context, cert_id AS value FROM users WHERE cert_id LIKE 'sm4gcm:%' ORDER BY id",
        update: "UPDATE users SET cert_id = $1 WHERE id = $2",
    },
];

/// A phone as the audit log keeps it (the log is permanent and leaves the system as archives):
/// the first three and last four characters, the rest `*` (`138****0000`); a short one keeps only
/// its last two.
pub(crate) fn masked(phone: &str) -> String {
    let c: Vec<char> = phone.chars().collect();
    let n = c.len();
    let (head, tail) = match n {
        0..=2 => (0, 0),
        3..=6 => (0, 2),
        _ => (3, 4),
    };
    c[..head]
        .iter()
        .copied()
        .chain(std::iter::repeat_n('*', n - head - tail))
        .chain(c[n - tail..].iter().copied())
        .collect()
}

/// What `kaohe data-key encrypt` sealed: account phones and evidence files stored plain before;
/// and every file it left plain because its content is not what its name says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encrypted {
    pub phones: u64,
    /// Reporters' names.
    pub names: u64,
    /// Certificate identities bound to accounts (their subjects name their holders).
    pub certs: u64,
    pub files: u64,
    pub bad: Vec<BadFile>,
}

/// An evidence file whose content is not what its name (the sha256 of the content) says: changed
/// on disk. Never sealed as sound; named to the administrator with both hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadFile {
    pub path: PathBuf,
    /// The sha256 its name says.
    pub expected: String,
    /// The sha256 of what it holds.
    pub found: String,
}

/// The sha256 of `bytes` in lower-case hex.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The stored evidence files (`evidence/xx/<sha256>`), sorted; a temporary `.partial` of a write
/// under way is not one. Each with the sha256 its name says.
pub(super) fn evidence_files(root: &Path) -> Result<Vec<(PathBuf, String)>> {
    let mut files = Vec::new();
    if root.is_dir() {
        for d in std::fs::read_dir(root)? {
            let d = d?.path();
            if d.is_dir() {
                for f in std::fs::read_dir(&d)? {
                    let path = f?.path();
                    let Some(sha) = path.file_name().and_then(|n| n.to_str()) else {
                        continue;
                    };
                    if sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                        let sha = sha.to_ascii_lowercase();
                        files.push((path, sha));
                    }
                }
            }
        }
    }
    files.sort();
    Ok(files)
}

impl Store {
    /// A phone as it is written to `users.phone`: sealed for `login` when a data key is configured.
    pub(super) fn phone_to_store(
        &self,
        login: &str,
        phone: Option<&str>,
    ) -> Result<Option<String>> {
        let Some(p) = phone.filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        match &self.data_key {
            Some(k) => k
                .encrypt_field(&phone_context(login), p)
                .map(Some)
                .map_err(StoreError::Invalid),
            None => Ok(Some(p.to_string())),
        }
    }

    /// The phone of `login` as stored, opened: a plain one (stored before the key) as it is; a
    /// sealed one decrypted, or an error — no key (`Invalid`), or one that does not authenticate
    /// (changed, copied from another account, another key: `Tampered`) — never an empty phone.
    pub(super) fn phone_from_store(
        &self,
        login: &str,
        stored: Option<String>,
    ) -> Result<Option<String>> {
        let Some(s) = stored else { return Ok(None) };
        if !crate::datakey::is_encrypted_field(&s) {
            return Ok(Some(s));
        }
        let Some(k) = &self.data_key else {
            return Err(StoreError::Unconfigured(crate::datakey::missing_key(
                &format!("账号“{login}”的电话"),
            )));
        };
        k.decrypt_field(&phone_context(login), &s)
            .map(Some)
            .map_err(|e| StoreError::Tampered(format!("账号“{login}”的电话解密失败（{e}）")))
    }

    /// A name as it is written to `users.name`: a reporter's sealed for `login` when a data key
    /// is configured; an officer's, or any without a key, as it is.
    pub(super) fn name_to_store(&self, login: &str, role: Role, name: &str) -> Result<String> {
        match &self.data_key {
            Some(k) if name_sealed(role) => k
                .encrypt_field(&name_context(login), name)
                .map_err(StoreError::Invalid),
            _ => Ok(name.to_string()),
        }
    }

    /// The name of `login` as stored, opened: a plain one as it is; a sealed one decrypted, or an
    /// error (no key: `Unconfigured`; changed, moved or another key: `Tampered`), never empty.
    pub(super) fn name_from_store(&self, login: &str, stored: String) -> Result<String> {
        if !crate::datakey::is_encrypted_field(&stored) {
            return Ok(stored);
        }
        let Some(k) = &self.data_key else {
            return Err(StoreError::Unconfigured(crate::datakey::missing_key(
                &format!("账号“{login}”的姓名"),
            )));
        };
        k.decrypt_field(&name_context(login), &stored)
            .map_err(|e| StoreError::Tampered(format!("账号“{login}”的姓名解密失败（{e}）")))
    }

    /// For the replay of `login`'s account (role `role`): its name in the table and the one the
    /// log recorded (`logged`: name, role, unit, active), both as the log keeps them — a reporter's
    /// masked; a sealed one this store cannot open (no key) left out of the comparison (both empty).
    #[allow(clippy::type_complexity)]
    pub(crate) fn replay_names(
        &self,
        login: &str,
        role: &str,
        stored: String,
        logged: Option<(String, String, Option<String>, bool)>,
    ) -> Result<(String, Option<(String, String, Option<String>, bool)>)> {
        if crate::datakey::is_encrypted_field(&stored) && self.data_key.is_none() {
            return Ok((
                String::new(),
                logged.map(|w| (String::new(), w.1, w.2, w.3)),
            ));
        }
        let name = self.name_from_store(login, stored)?;
        let as_logged = |n: &str| match Role::parse(role) {
            Some(r) => logged_name(r, n),
            None => n.to_string(),
        };
        Ok((
            as_logged(&name),
            logged.map(|w| (as_logged(&w.0), w.1, w.2, w.3)),
        ))
    }

    /// 加密已存数据 (`kaohe data-key encrypt`): every evidence file and account phone stored plain
    /// before the data key was configured, sealed with it in place — a file to a temporary name and
    /// renamed, only when its content is what its name says (every file that is not is left as it
    /// is and returned in [`Encrypted::bad`], the others sealed all the same); the phones in one
    /// transaction with one audit entry (`data.encrypt`, the counts). What is sealed already is
    /// left as it is, so a second run seals nothing.
    pub async fn encrypt_stored(&self, now: &str) -> Result<Encrypted> {
        let Some(k) = self.data_key.clone() else {
            return Err(StoreError::Invalid(
                "未配置数据加密密钥：请用 --data-key 文件（或 KAOHE_DATA_KEY）给出 SM4 密钥".into(),
            ));
        };
        let mut done = Encrypted::default();
        for (path, sha) in evidence_files(&self.dir.join("evidence"))? {
            let plain = std::fs::read(&path)?;
            if crate::datakey::is_encrypted(&plain) {
                continue;
            }
            // Checked against its name first: a changed file is named, never sealed as sound;
            // the others are sealed all the same.
            let found = sha256_hex(&plain);
            if found != sha {
                done.bad.push(BadFile {
                    path,
                    expected: sha,
                    found,
                });
                continue;
            }
            let tmp = path.with_extension("partial");
            std::fs::write(&tmp, k.encrypt(&sha, &plain).map_err(StoreError::Invalid)?)?;
            std::fs::rename(&tmp, &path)?;
            done.files += 1;
        }
        let mut tx = self.write().await?;
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, login, phone FROM users WHERE phone IS NOT NULL ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        for (id, login, phone) in rows {
            if crate::datakey::is_encrypted_field(&phone) {
                continue;
            }
            let sealed = self.phone_to_store(&login, Some(&phone))?;
            sqlx::query("UPDATE users SET phone = $1 WHERE id = $2")
                .bind(sealed)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            done.phones += 1;
        }
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, login, name FROM users WHERE role = 'reporter' ORDER BY id")
                .fetch_all(&mut *tx)
                .await?;
        for (id, login, name) in rows {
            if crate::datakey::is_encrypted_field(&name) {
                continue;
            }
            let sealed = self.name_to_store(&login, Role::Reporter, &name)?;
            sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
                .bind(sealed)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            done.names += 1;
        }
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, login, cert_id FROM users WHERE cert_id IS NOT NULL ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        for (id, login, cert) in rows {
            if crate::datakey::is_encrypted_field(&cert) {
                continue;
            }
            sqlx::query("UPDATE users SET cert_id = $1 WHERE id = $2")
                .bind(self.cert_to_store(&login, &cert)?)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            done.certs += 1;
        }
        let counts = serde_json::json!({
            "phones": done.phones,
            "names": done.names,
            "certs": done.certs,
            "files": done.files,
            "bad_files": done.bad.len(),
        })
        .to_string();
        self.audit(
            &mut tx,
            now,
            "系统",
            "data.encrypt",
            "data",
            None,
            Some(&counts),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_phone_is_masked_in_the_log() {
        use super::masked;
        assert_eq!(masked("13800001234"), "138****1234");
        assert_eq!(masked("0513-84512345"), "051******2345");
        assert_eq!(masked("12345"), "***45");
        assert_eq!(masked("12"), "**");
        assert_eq!(masked(""), "");
    }
}
