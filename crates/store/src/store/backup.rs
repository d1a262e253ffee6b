//! 备份与恢复 — an online copy of the SQLite database, the evidence, the audit key and the SM2 seal key
//! pair, and its restore.

use super::*;

/// Copies the files under `from` into `to` (made if need be); the number of files copied.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<u64> {
    std::fs::create_dir_all(to)?;
    let mut n = 0;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type()?.is_dir() {
            n += copy_tree(&src, &dst)?;
        } else if !dst.exists() {
            std::fs::copy(&src, &dst)?;
            n += 1;
        }
    }
    Ok(n)
}

impl Store {
    /// 备份: a consistent copy of the database taken while the service runs (`VACUUM INTO`), then the
    /// evidence files (written before the rows that name them, so every file the copy needs exists).
    /// `to` must not hold a backup already. Returns the number of evidence files copied.
    pub async fn backup(&self, to: &Path) -> Result<u64> {
        let db = to.join("kaohe.db");
        if db.exists() {
            return Err(StoreError::Invalid(format!("{} 中已有备份", to.display())));
        }
        std::fs::create_dir_all(to)?;
        if self.backend == Backend::Postgres {
            return Err(StoreError::Invalid(
                "数据库在 PostgreSQL 中：请用 pg_dump 备份数据库，并另行复制数据目录中的 evidence/（佐证材料）".into(),
            ));
        }
        // The head before the copy is a lower bound of the copy's log; the key goes with it.
        let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        sqlx::query("VACUUM INTO $1")
            .bind(db.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        std::fs::copy(&self.key.path, to.join("audit.key"))?;
        // The seal key pair goes with it (the private key keeps its owner-only mode).
        std::fs::copy(&self.seal.path, to.join(crate::seal::KEY_FILE))?;
        self.seal
            .write_pub()
            .and_then(|_| {
                std::fs::copy(self.seal.pub_path(), to.join(crate::seal::PUB_FILE))
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
            .map_err(StoreError::Invalid)?;
        if let Some(r) = head {
            Head {
                seq: r.get("seq"),
                hash: r.get("hash"),
            }
            .write(&to.join("audit.head"))?;
        }
        Ok(copy_tree(&self.dir.join("evidence"), &to.join("evidence"))?)
    }

    /// 恢复: copies a backup into an empty data directory and opens it; the caller should then verify
    /// the audit log.
    pub async fn restore(from: &Path, dir: &Path) -> Result<Store> {
        if dir.join("kaohe.db").exists() {
            return Err(StoreError::Invalid(format!(
                "{} 中已有数据，恢复只写入空目录",
                dir.display()
            )));
        }
        if !from.join("kaohe.db").exists() {
            return Err(StoreError::NotFound(format!(
                "{} 中没有备份（kaohe.db）",
                from.display()
            )));
        }
        std::fs::create_dir_all(dir)?;
        std::fs::copy(from.join("kaohe.db"), dir.join("kaohe.db"))?;
        for f in [
            "audit.key",
            "audit.head",
            crate::seal::KEY_FILE,
            crate::seal::PUB_FILE,
        ] {
            if from.join(f).exists() {
                std::fs::copy(from.join(f), dir.join(f))?;
            }
        }
        if from.join("evidence").is_dir() {
            copy_tree(&from.join("evidence"), &dir.join("evidence"))?;
        }
        Store::open(dir).await
    }
}
