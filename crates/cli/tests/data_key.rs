//! `--data-key` / `KAOHE_DATA_KEY` (issue 14 part 4): an SM4 key file that cannot be used stops the
//! command at start with a Chinese error naming the file, before the store is opened (`kaohe serve`
//! opens it the same way, `run::open_store`); a good one (16 raw bytes or 32 hex digits) is taken.
//! `kaohe data-key encrypt` seals what was stored plain before the key, once, audited; a backup
//! carries the sealed data but never the key.

use super::support::{Out, kaohe, scratch};

#[test]
fn a_bad_data_key_stops_the_start_with_a_chinese_error() {
    let dir = scratch();
    let d = dir.path();
    let data = d.join("data");
    let data = data.to_str().unwrap();
    let add = |key: &std::path::Path| -> Out {
        kaohe(&[
            "user",
            "add",
            "--data",
            data,
            "--data-key",
            key.to_str().unwrap(),
            "--login",
            "admin",
            "--name",
            "县政务办",
            "--role",
            "admin",
            "--password",
            "admin-pass-1",
        ])
    };
    let key = d.join("sm4.key");
    for bad in [
        "0123456789abcdef0123".as_bytes(),
        b"not hex at all, not sixteen bytes",
        b"",
    ] {
        std::fs::write(&key, bad).unwrap();
        let out = add(&key);
        assert_ne!(out.code, 0, "{}", out.stderr);
        assert!(
            out.stderr.contains("数据加密密钥文件") && out.stderr.contains("格式不对"),
            "{}",
            out.stderr
        );
        assert!(
            !std::path::Path::new(data).join("kaohe.db").exists(),
            "nothing opened"
        );
    }
    let out = add(&d.join("missing.key"));
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("数据加密密钥文件") && out.stderr.contains("无法读取"),
        "{}",
        out.stderr
    );
    // 32 hex digits (with a comment line) are a key.
    std::fs::write(&key, "# SM4\n00112233445566778899aabbccddeeff\n").unwrap();
    let out = add(&key);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// A data directory made before the key: an account with a phone and a plain evidence file.
fn stored_plain(data: &std::path::Path) -> (String, std::path::PathBuf) {
    use kaohe_store::{NewAccount, NewUser, Role, Store};
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = Store::open(data).await.unwrap();
        let sys = s
            .add_user(
                None,
                &NewUser {
                    login: "sysadmin",
                    name: "赵敏",
                    role: Role::SystemAdmin,
                    unit: None,
                    password: "Officer-pass-1",
                },
                NOW,
            )
            .await
            .unwrap();
        let viewer = NewAccount {
            login: "leader".into(),
            name: "县领导".into(),
            role: Role::Viewer,
            unit: None,
            phone: Some("13900001234".into()),
            password: "Initial-pass-1".into(),
        };
        s.add_account(&sys, None, &viewer, NOW).await.unwrap();
    });
    // An evidence file as `put_evidence` writes it without a key: named by its sha256, plain.
    let pdf = b"%PDF-1.4\n%stored before the key\n";
    let sha: String = {
        use sha2::{Digest, Sha256};
        Sha256::digest(pdf)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let file = data.join("evidence").join(&sha[..2]).join(&sha);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, pdf).unwrap();
    (sha, file)
}

const NOW: &str = "2021-12-01T09:00:00Z";

fn raw_phone(data: &std::path::Path) -> String {
    use sqlx::Connection;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = data.join("kaohe.db");
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query_scalar("SELECT phone FROM users WHERE login = 'leader'")
            .fetch_one(&mut c)
            .await
            .unwrap()
    })
}

fn phones(data: &std::path::Path, key: Option<[u8; 16]>) -> Result<Option<String>, String> {
    use kaohe_store::Store;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = Store::open(data)
            .await
            .unwrap()
            .with_data_key(key.map(kaohe_store::datakey::DataKey::new));
        let sys = s
            .authenticate("sysadmin", "Officer-pass-1")
            .await
            .unwrap()
            .unwrap();
        let all = s.accounts(&sys).await.map_err(|e| e.to_string())?;
        Ok(all.into_iter().find(|a| a.login == "leader").unwrap().phone)
    })
}

#[test]
fn data_key_encrypt_seals_what_was_stored_before_the_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = d.join("data");
    let (sha, file) = stored_plain(&data);
    let data_s = data.to_str().unwrap();
    assert_eq!(raw_phone(&data), "13900001234");
    // Without a key: refused, nothing changed.
    let out = kaohe(&["data-key", "encrypt", "--data", data_s]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("未给出数据加密密钥"), "{}", out.stderr);
    let key = d.join("sm4.key");
    std::fs::write(&key, "00112233445566778899aabbccddeeff\n").unwrap();
    let raw_key: [u8; 16] = [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
        0xff,
    ];
    let encrypt = || {
        kaohe(&[
            "data-key",
            "encrypt",
            "--data",
            data_s,
            "--data-key",
            key.to_str().unwrap(),
        ])
    };
    let out = encrypt();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("佐证材料 1 个，账号电话 1 个"),
        "{}",
        out.stdout
    );
    let sealed = raw_phone(&data);
    assert!(
        sealed.starts_with("sm4gcm:") && !sealed.contains("1234"),
        "{sealed}"
    );
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(kaohe_store::datakey::MAGIC));
    assert!(
        !bytes.windows(6).any(|w| w == b"stored"),
        "no plaintext on disk"
    );
    assert_eq!(phones(&data, Some(raw_key)), Ok(Some("13900001234".into())));
    // Again: nothing left to seal, nothing changed.
    let out = encrypt();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("佐证材料 0 个，账号电话 0 个"),
        "{}",
        out.stdout
    );
    assert_eq!(raw_phone(&data), sealed);
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
    // Both runs are in the log, and the log is whole.
    let out = kaohe(&["audit", "verify", "--data", data_s]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // A backup carries the sealed phone and file, never the key: restored, they read only with it.
    let b = d.join("backup");
    let out = kaohe(&[
        "backup",
        "--data",
        data_s,
        "--out",
        b.to_str().unwrap(),
        "--data-key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("数据加密密钥（--data-key）不在备份中"),
        "{}",
        out.stdout
    );
    let mut leaked = Vec::new();
    let mut stack = vec![b.clone()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap().flatten() {
            let q = e.path();
            if q.is_dir() {
                stack.push(q);
            } else {
                let f = std::fs::read(&q).unwrap();
                if f.windows(16).any(|w| w == raw_key)
                    || f.windows(32)
                        .any(|w| w == b"00112233445566778899aabbccddeeff")
                {
                    leaked.push(q);
                }
            }
        }
    }
    assert!(leaked.is_empty(), "the key is in the backup: {leaked:?}");
    assert!(
        std::fs::read(b.join("evidence").join(&sha[..2]).join(&sha))
            .unwrap()
            .starts_with(kaohe_store::datakey::MAGIC)
    );
    let r = d.join("restored");
    let out = kaohe(&[
        "restore",
        "--from",
        b.to_str().unwrap(),
        "--data",
        r.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(phones(&r, Some(raw_key)), Ok(Some("13900001234".into())));
    let e = phones(&r, None).unwrap_err();
    assert!(e.contains("未配置数据加密密钥"), "{e}");
}

/// The sha256 of `bytes`, hex.
fn sha_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn data_key_encrypt_names_every_changed_file_and_seals_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = d.join("data");
    let (_, good) = stored_plain(&data);
    // Two files changed on disk after they were stored: their names no longer say their content.
    let mut bad = Vec::new();
    for (was, now) in [
        (
            &b"%PDF-1.4\n%first\n"[..],
            &b"%PDF-1.4\n%first, changed\n"[..],
        ),
        (b"%PDF-1.4\n%second\n", b"%PDF-1.4\n%second, changed\n"),
    ] {
        let sha = sha_hex(was);
        let file = data.join("evidence").join(&sha[..2]).join(&sha);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, now).unwrap();
        bad.push((file, sha, sha_hex(now)));
    }
    let key = d.join("sm4.key");
    std::fs::write(&key, "00112233445566778899aabbccddeeff\n").unwrap();
    let out = kaohe(&[
        "data-key",
        "encrypt",
        "--data",
        data.to_str().unwrap(),
        "--data-key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    // Every bad file named, with the hash its name says and the hash of what it holds.
    for (file, expected, found) in &bad {
        let line = out
            .stderr
            .lines()
            .find(|l| l.contains(&file.display().to_string()))
            .unwrap_or_else(|| panic!("{} not named:\n{}", file.display(), out.stderr));
        assert!(
            line.contains(&format!("应为 sha256 {expected}"))
                && line.contains(&format!("实为 {found}")),
            "{line}"
        );
        // Left as it was: never sealed as sound.
        assert!(
            !std::fs::read(file)
                .unwrap()
                .starts_with(kaohe_store::datakey::MAGIC)
        );
    }
    assert!(
        out.stderr.contains("共 2 个佐证材料与文件名不符"),
        "{}",
        out.stderr
    );
    // The sound file and the phone are sealed all the same.
    assert!(
        out.stdout.contains("佐证材料 1 个，账号电话 1 个"),
        "{}",
        out.stdout
    );
    assert!(
        std::fs::read(&good)
            .unwrap()
            .starts_with(kaohe_store::datakey::MAGIC)
    );
    assert!(raw_phone(&data).starts_with("sm4gcm:"));
    let out = kaohe(&["audit", "verify", "--data", data.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

/// Phones read with `key` through the store, or the error.
fn phones_with(data: &std::path::Path, key: [u8; 16]) -> Result<Option<String>, String> {
    phones(data, Some(key))
}

#[test]
fn data_key_rotate_moves_everything_to_the_new_key_refuses_a_wrong_old_one_and_reruns_harmlessly() {
    use kaohe_store::datakey::DataKey;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = d.join("data");
    let data_s = data.to_str().unwrap();
    let (sha, file) = stored_plain(&data);
    // A second file, sealed like the first.
    let other = b"%PDF-1.4\n%the second file\n";
    let other_sha = sha_hex(other);
    let other_file = data.join("evidence").join(&other_sha[..2]).join(&other_sha);
    std::fs::create_dir_all(other_file.parent().unwrap()).unwrap();
    std::fs::write(&other_file, other).unwrap();
    let (old_raw, new_raw, wrong_raw) = ([0x11u8; 16], [0x22u8; 16], [0x33u8; 16]);
    let key_file = |name: &str, raw: [u8; 16]| {
        let p = d.join(name);
        std::fs::write(&p, raw).unwrap();
        p.to_str().unwrap().to_string()
    };
    let (old, new, wrong) = (
        key_file("old.key", old_raw),
        key_file("new.key", new_raw),
        key_file("wrong.key", wrong_raw),
    );
    let out = kaohe(&["data-key", "encrypt", "--data", data_s, "--data-key", &old]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rotate = |from: &str, to: &str| {
        kaohe(&[
            "data-key",
            "rotate",
            "--data",
            data_s,
            "--old-key",
            from,
            "--new-key",
            to,
        ])
    };
    let state = || {
        (
            std::fs::read(&file).unwrap(),
            std::fs::read(&other_file).unwrap(),
            raw_phone(&data),
        )
    };
    // A wrong old key: refused, nothing changed.
    let before = state();
    let out = rotate(&wrong, &new);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("旧密钥（--old-key）不对") && out.stderr.contains("未做任何改动"),
        "{}",
        out.stderr
    );
    assert_eq!(state(), before);
    // The same key twice: refused.
    let out = rotate(&old, &old);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("新密钥与旧密钥相同"), "{}", out.stderr);
    // A crash midway, as if one file had been rewritten and nothing else: the rerun finishes.
    let plain = DataKey::new(old_raw)
        .decrypt(&other_sha, &before.1)
        .unwrap();
    std::fs::write(
        &other_file,
        DataKey::new(new_raw).encrypt(&other_sha, &plain).unwrap(),
    )
    .unwrap();
    let out = rotate(&old, &new);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("佐证材料 1 个，个人信息 1 项（已是新密钥加密的 1 项未再处理）"),
        "{}",
        out.stdout
    );
    // The new key reads everything; the old one nothing.
    let after = state();
    let k = DataKey::new(new_raw);
    assert_eq!(
        k.decrypt(&sha, &after.0).unwrap(),
        b"%PDF-1.4\n%stored before the key\n"
    );
    assert_eq!(k.decrypt(&other_sha, &after.1).unwrap(), other);
    assert!(DataKey::new(old_raw).decrypt(&sha, &after.0).is_err());
    assert_eq!(phones_with(&data, new_raw), Ok(Some("13900001234".into())));
    let e = phones_with(&data, old_raw).unwrap_err();
    assert!(
        e.contains("完整性校验失败") && e.contains("密钥不对"),
        "{e}"
    );
    // Again: nothing under the old key, nothing changed, nothing logged.
    let out = rotate(&old, &new);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("无需更换"), "{}", out.stdout);
    assert_eq!(state(), after);
    // The rotation is in the log, once, and the log is whole.
    let out = kaohe(&["audit", "verify", "--data", data_s]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let logged: Vec<String> = rt.block_on(async {
        use sqlx::Connection;
        let db = data.join("kaohe.db");
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query_scalar("SELECT new FROM audit_log WHERE action = 'data.rotate'")
            .fetch_all(&mut c)
            .await
            .unwrap()
    });
    assert_eq!(logged, [r#"{"already":1,"fields":1,"files":1}"#]);
}
