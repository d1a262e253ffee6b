//! A service's data moved: `kaohe backup`, `kaohe restore`, `kaohe transfer`.

use super::*;

pub fn backup(data: &Path, out: &Path) -> Result<u8> {
    sqlite_present(data)?;
    runtime()?.block_on(async {
        let store = open_store(data).await?;
        match store.backup(out).await {
            Ok(files) => {
                println!(
                    "已备份到 {}：数据库一致副本，佐证材料 {files} 个",
                    out.display()
                );
                if DATA_KEY.get().is_some_and(Option::is_some) {
                    println!(
                        "注意：数据加密密钥（--data-key）不在备份中，备份中的佐证材料和电话是密文：请另行备份保管密钥，恢复时一并提供"
                    );
                }
                Ok(EXIT_OK)
            }
            Err(kaohe_store::StoreError::Invalid(m)) => {
                eprintln!("错误：{m}");
                Ok(EXIT_INVALID)
            }
            Err(e) => Err(e.into()),
        }
    })
}

/// `kaohe transfer`: the whole store into an empty PostgreSQL database or a new data directory.
pub fn transfer(data: &Path, to: &str) -> Result<u8> {
    sqlite_present(data)?;
    runtime()?.block_on(async {
        let src = open_store(data).await?;
        let (dst, shown) = if to.starts_with("postgres://") || to.starts_with("postgresql://") {
            // The copy's chain is the original's: it keeps the original's key file.
            let dst = kaohe_store::Store::open_with_keys(
                data,
                Some(to),
                Some(&src.audit_key().path),
                Some(&src.seal_key().path),
            )
            .await
            .with_context(|| format!("无法打开数据库 {}", redact(to)))?;
            (dst, redact(to))
        } else {
            let dir = Path::new(to);
            if dir.join("kaohe.db").exists() {
                eprintln!(
                    "错误：{} 中已有 kaohe.db：迁移只写入一个新的数据目录",
                    dir.display()
                );
                return Ok(EXIT_INVALID);
            }
            // The copy's chain is the original's: its key goes with it.
            std::fs::create_dir_all(dir)?;
            std::fs::copy(&src.audit_key().path, dir.join("audit.key"))
                .with_context(|| format!("无法把审计密钥复制到 {}", dir.display()))?;
            // So does the seal key pair: the copy's sealed versions are signed by it.
            std::fs::copy(&src.seal_key().path, dir.join(kaohe_store::seal::KEY_FILE))
                .with_context(|| format!("无法把封存签名密钥复制到 {}", dir.display()))?;
            let dst = kaohe_store::Store::open(dir)
                .await
                .with_context(|| format!("无法打开数据目录 {}", dir.display()))?;
            (dst, dir.display().to_string())
        };
        let copied = match src.copy_into(&dst).await {
            Ok(c) => c,
            Err(kaohe_store::StoreError::Invalid(m)) => {
                eprintln!("错误：{m}");
                return Ok(EXIT_INVALID);
            }
            Err(e) => return Err(e.into()),
        };
        let files = if dst.dir() != src.dir() && src.dir().join("evidence").is_dir() {
            kaohe_store::store::copy_tree(&src.dir().join("evidence"), &dst.dir().join("evidence"))?
        } else {
            0
        };
        println!("已迁移到 {shown}：");
        for (table, n) in &copied {
            println!("  {table:<15} {n} 行");
        }
        if files > 0 {
            println!("  佐证材料 {files} 个文件");
        }
        println!("审计日志完好，各表行数与原库一致");
        Ok(EXIT_OK)
    })
}

pub fn restore(from: &Path, data: &Path) -> Result<u8> {
    if database().is_some() {
        bail!(
            "kaohe restore 只恢复 SQLite 备份；PostgreSQL 数据库请用 pg_restore，并另行复制 evidence/"
        );
    }
    runtime()?.block_on(async {
        let store = match kaohe_store::Store::restore(from, data).await {
            Ok(s) => s,
            Err(kaohe_store::StoreError::Invalid(m))
            | Err(kaohe_store::StoreError::NotFound(m)) => {
                eprintln!("错误：{m}");
                return Ok(EXIT_INVALID);
            }
            Err(e) => return Err(e.into()),
        };
        match store.audit_verify().await? {
            Ok(n) => {
                println!("已恢复到 {}；审计日志完好（{n} 条）", data.display());
                Ok(EXIT_OK)
            }
            Err(bad) => {
                eprintln!("已恢复，但审计日志有问题：{bad}");
                Ok(EXIT_INVALID)
            }
        }
    })
}

/// `kaohe data-key encrypt`: what was stored plain before the SM4 data key (evidence files, account
/// phones) encrypted with it, audited; what is encrypted already is left as it is.
pub fn data_key_encrypt(data: &Path) -> Result<u8> {
    if DATA_KEY.get().and_then(|k| k.as_deref()).is_none() {
        eprintln!(
            "错误：未给出数据加密密钥：请用 --data-key 文件（或环境变量 KAOHE_DATA_KEY）给出 SM4 密钥"
        );
        return Ok(EXIT_INVALID);
    }
    sqlite_present(data)?;
    runtime()?.block_on(async {
        let store = open_store(data).await?;
        match store.encrypt_stored(&now_utc()).await {
            Ok(done) => {
                println!(
                    "已用 SM4 加密：佐证材料 {} 个，账号电话 {} 个，填报员姓名 {} 个，数字证书标识 {} 个（此前已加密的未再处理）",
                    done.files, done.phones, done.names, done.certs
                );
                if done.bad.is_empty() {
                    return Ok(EXIT_OK);
                }
                // Every changed file, each with both hashes: the admin restores them from a backup.
                for b in &done.bad {
                    eprintln!(
                        "错误：佐证材料 {} 的内容与文件名不符（应为 sha256 {}，实为 {}）：文件被改动，未加密",
                        b.path.display(),
                        b.expected,
                        b.found
                    );
                }
                eprintln!(
                    "共 {} 个佐证材料与文件名不符，未加密；其余已加密。请从备份恢复这些文件后再执行一次 kaohe data-key encrypt",
                    done.bad.len()
                );
                Ok(EXIT_INVALID)
            }
            Err(kaohe_store::StoreError::Invalid(m)) => {
                eprintln!("错误：{m}");
                Ok(EXIT_INVALID)
            }
            Err(e) => Err(e.into()),
        }
    })
}

/// `kaohe data-key rotate`: every evidence file and personal value sealed with the old key
/// re-encrypted with the new one (`Store::rotate_data_key`): a wrong old key changes nothing; a
/// rerun after a crash finishes; audited.
pub fn data_key_rotate(data: &Path, old_key: &Path, new_key: &Path) -> Result<u8> {
    let keys = kaohe_store::datakey::DataKey::read(old_key)
        .map(|o| (o, kaohe_store::datakey::DataKey::read(new_key)));
    let (old, new) = match keys {
        Ok((o, Ok(n))) => (o, n),
        Err(e) | Ok((_, Err(e))) => {
            eprintln!("错误：{e}");
            return Ok(EXIT_INVALID);
        }
    };
    sqlite_present(data)?;
    runtime()?.block_on(async {
        let store = open_store(data).await?;
        match store.rotate_data_key(&old, &new, &now_utc()).await {
            Ok(done) if done.files + done.fields == 0 => {
                println!(
                    "没有用旧密钥加密的数据：无需更换（已是新密钥加密的 {} 项未再处理）",
                    done.already
                );
                Ok(EXIT_OK)
            }
            Ok(done) => {
                println!(
                    "已改用新密钥加密：佐证材料 {} 个，个人信息 {} 项（已是新密钥加密的 {} 项未再处理）。请把服务的 --data-key 改为新密钥文件 {} 后重启服务，并另行备份新密钥；确认无误后再销毁旧密钥",
                    done.files,
                    done.fields,
                    done.already,
                    new_key.display()
                );
                Ok(EXIT_OK)
            }
            Err(kaohe_store::StoreError::Invalid(m)) => {
                eprintln!("错误：{m}");
                Ok(EXIT_INVALID)
            }
            Err(e) => Err(e.into()),
        }
    })
}
