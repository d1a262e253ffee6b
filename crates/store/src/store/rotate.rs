//! 更换数据加密密钥 (`kaohe data-key rotate`): every evidence file and personal value sealed with the
//! old SM4 key re-encrypted with the new one, safely.
//!
//! - **A wrong old key changes nothing.** Everything sealed is first opened, with the old key or
//!   (already rotated) the new one; anything that opens with neither stops the command before any
//!   change, naming it.
//! - **A crash midway leaves nothing unreadable.** Each file is rewritten to a temporary name,
//!   synced and renamed, so at every moment it is whole under one of the two keys; the personal
//!   values change in one transaction with the audit entry (`data.rotate`). A rerun with the same
//!   two keys finds what is still under the old key and finishes; what is under the new key is
//!   left as it is, so a rerun after a finished rotation changes nothing.

use super::personal::{SEALED_COLUMNS, evidence_files};
use super::*;
use crate::datakey::DataKey;

/// What a rotation re-encrypted, and what it found under the new key already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rotated {
    pub files: u64,
    pub fields: u64,
    /// Sealed with the new key already (a rerun, or one after a crash midway).
    pub already: u64,
}

/// Which key a sealed item opens with.
enum Opens {
    Old,
    New,
    Neither,
}

/// At most this many unreadable items are named; the rest are counted.
const NAMED: usize = 10;

/// A sealed value's associated data (`users.phone/zhouli`) in words: 账号“zhouli”的电话.
fn in_words(context: &str) -> String {
    let (column, login) = context.split_once('/').unwrap_or((context, ""));
    let what = match column {
        "users.phone" => "电话",
        "users.name" => "姓名",
        "users.cert_id" => "数字证书标识",
        other => other,
    };
    format!("账号“{login}”的{what}")
}

impl Store {
    /// Re-encrypts every sealed evidence file and personal value from `old` to `new` (see the
    /// module). Refused (`Invalid`, nothing changed) when the keys are the same or anything
    /// sealed opens with neither key.
    pub async fn rotate_data_key(
        &self,
        old: &DataKey,
        new: &DataKey,
        now: &str,
    ) -> Result<Rotated> {
        if old.same_as(new) {
            return Err(StoreError::Invalid(
                "新密钥与旧密钥相同：请用新生成的密钥文件作 --new-key".into(),
            ));
        }
        let file_opens = |sha: &str, bytes: &[u8]| {
            if old.decrypt(sha, bytes).is_ok() {
                Opens::Old
            } else if new.decrypt(sha, bytes).is_ok() {
                Opens::New
            } else {
                Opens::Neither
            }
        };
        let field_opens = |context: &str, value: &str| {
            if old.decrypt_field(context, value).is_ok() {
                Opens::Old
            } else if new.decrypt_field(context, value).is_ok() {
                Opens::New
            } else {
                Opens::Neither
            }
        };
        // 1. Everything opened before anything changes.
        let mut done = Rotated::default();
        let mut files = Vec::new();
        let mut unreadable = Vec::new();
        for (path, sha) in evidence_files(&self.dir.join("evidence"))? {
            let bytes = std::fs::read(&path)?;
            if !crate::datakey::is_encrypted(&bytes) {
                continue; // plain: `data-key encrypt` seals it
            }
            match file_opens(&sha, &bytes) {
                Opens::Old => files.push((path, sha)),
                Opens::New => done.already += 1,
                Opens::Neither => unreadable.push(format!("佐证材料 {}", path.display())),
            }
        }
        // Values are counted again in the transaction, where they change.
        let (mut fields, mut new_fields) = (0u64, 0u64);
        for c in SEALED_COLUMNS {
            for r in sqlx::query(c.select).fetch_all(&self.pool).await? {
                let (context, value): (String, String) = (r.get("context"), r.get("value"));
                match field_opens(&context, &value) {
                    Opens::Old => fields += 1,
                    Opens::New => new_fields += 1,
                    Opens::Neither => unreadable.push(in_words(&context)),
                }
            }
        }
        if !unreadable.is_empty() {
            let n = unreadable.len();
            let mut named = unreadable[..n.min(NAMED)].join("、");
            if n > NAMED {
                named.push_str(&format!(" 等（另 {} 项）", n - NAMED));
            }
            let why = if files.is_empty() && fields + new_fields + done.already == 0 {
                "旧密钥（--old-key）不对"
            } else {
                "数据被改动，或旧密钥不对"
            };
            return Err(StoreError::Invalid(format!(
                "{why}：{n} 项加密数据用旧密钥和新密钥都解不开（{named}）；未做任何改动"
            )));
        }
        // 2. Each file whole under one key at every moment: the new one written beside, synced,
        // renamed over the old.
        for (path, sha) in files {
            let bytes = std::fs::read(&path)?;
            let plain = match old.decrypt(&sha, &bytes) {
                Ok(p) => p,
                // Rotated meanwhile by another run.
                Err(_) if new.decrypt(&sha, &bytes).is_ok() => {
                    done.already += 1;
                    continue;
                }
                Err(e) => {
                    return Err(StoreError::Tampered(format!(
                        "佐证材料 {} 解密失败（{e}）",
                        path.display()
                    )));
                }
            };
            let sealed = new.encrypt(&sha, &plain).map_err(StoreError::Invalid)?;
            let tmp = path.with_extension("partial");
            {
                use std::io::Write;
                let mut f = std::fs::File::create(&tmp)?;
                f.write_all(&sealed)?;
                f.sync_all()?;
            }
            std::fs::rename(&tmp, &path)?;
            done.files += 1;
        }
        // 3. The personal values in one transaction with the audit entry.
        let mut tx = self.write().await?;
        for c in SEALED_COLUMNS {
            for r in sqlx::query(c.select).fetch_all(&mut *tx).await? {
                let (id, context, value): (i64, String, String) =
                    (r.get("id"), r.get("context"), r.get("value"));
                let plain = match old.decrypt_field(&context, &value) {
                    Ok(p) => p,
                    Err(_) if new.decrypt_field(&context, &value).is_ok() => {
                        done.already += 1;
                        continue;
                    }
                    Err(e) => {
                        return Err(StoreError::Tampered(format!(
                            "{}解密失败（{e}）",
                            in_words(&context)
                        )));
                    }
                };
                let sealed = new
                    .encrypt_field(&context, &plain)
                    .map_err(StoreError::Invalid)?;
                sqlx::query(c.update)
                    .bind(sealed)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                done.fields += 1;
            }
        }
        if done.files + done.fields == 0 {
            return Ok(done); // nothing under the old key: nothing changed, nothing to record
        }
        let counts = serde_json::json!({
            "files": done.files,
            "fields": done.fields,
            "already": done.already,
        })
        .to_string();
        self.audit(
            &mut tx,
            now,
            "系统",
            "data.rotate",
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
