//! 数据加密密钥 — SM4 (GB/T 32907) at rest for evidence files, when the operator configures a key
//! (`--data-key FILE` / `KAOHE_DATA_KEY`): each file is sealed with SM4-GCM (RFC 8998) under a
//! random 12-byte nonce and written as [`MAGIC`] ‖ nonce ‖ ciphertext ‖ tag. The file's name stays
//! the sha256 of the plaintext, which is the associated data, so a file moved to another name does
//! not open either. A file without the magic is a plain file stored before the key was configured,
//! and still reads. The key lives outside the database and outside the data directory's backups:
//! whoever keeps backups keeps the key file too, apart from them.
//!
//! 个人信息 in the database (an account's phone, a reporter's name, a bound certificate's identity)
//! is sealed with the same key, field by field:
//! [`FIELD_PREFIX`] ‖ hex(nonce ‖ ciphertext ‖ tag), with the column and row (`users.phone/<login>`)
//! as associated data, so a value copied to another row does not open. A value without the prefix
//! is one stored before the key and still reads.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use std::path::Path;

/// SM4-GCM with a 96-bit nonce and a 128-bit tag (RFC 8998 §3.1).
type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, U12>;

/// The first bytes of an encrypted evidence file (no allowed evidence type begins so).
pub const MAGIC: &[u8; 8] = b"KHSM4G1\0";

const NONCE: usize = 12;
const TAG: usize = 16;

/// The SM4 key that evidence files are encrypted with.
#[derive(Clone)]
pub struct DataKey {
    key: [u8; 16],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.write_str("DataKey(SM4)")
    }
}

fn key_error(path: &Path, what: impl std::fmt::Display) -> String {
    format!("数据加密密钥文件 {} {what}", path.display())
}

impl DataKey {
    /// The key of 16 bytes.
    pub fn new(key: [u8; 16]) -> DataKey {
        DataKey { key }
    }

    /// Reads a key file: exactly 16 raw bytes, or 32 hex digits (lines starting with `#` are
    /// comments). Anything else — missing, unreadable, another length — is an error naming it.
    pub fn read(path: &Path) -> Result<DataKey, String> {
        let meta =
            std::fs::metadata(path).map_err(|e| key_error(path, format_args!("无法读取：{e}")))?;
        if meta.len() > 4096 {
            return Err(key_error(
                path,
                "过大：应为 16 字节 SM4 密钥（32 位十六进制）",
            ));
        }
        let bytes =
            std::fs::read(path).map_err(|e| key_error(path, format_args!("无法读取：{e}")))?;
        if let Ok(raw) = <[u8; 16]>::try_from(bytes.as_slice()) {
            return Ok(DataKey::new(raw));
        }
        let body: String = String::from_utf8_lossy(&bytes)
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("");
        crate::seal::unhex(&body)
            .and_then(|k| <[u8; 16]>::try_from(k.as_slice()).ok())
            .map(DataKey::new)
            .ok_or_else(|| {
                key_error(
                    path,
                    "格式不对：应为 16 字节 SM4 密钥，即 32 位十六进制数字（或 16 字节原始数据）",
                )
            })
    }

    /// Whether `other` is the same key.
    pub fn same_as(&self, other: &DataKey) -> bool {
        self.key == other.key
    }

    fn cipher(&self) -> Sm4Gcm {
        Sm4Gcm::new_from_slice(&self.key).expect("a 16-byte SM4 key")
    }

    /// The encrypted file of `plain`, whose sha256 (hex) is `sha`: magic ‖ nonce ‖ ciphertext ‖ tag.
    pub fn encrypt(&self, sha: &str, plain: &[u8]) -> Result<Vec<u8>, String> {
        let mut nonce = [0u8; NONCE];
        getrandom::fill(&mut nonce).map_err(|e| format!("无法取得随机数：{e}"))?;
        let sealed = self
            .cipher()
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: plain,
                    aad: sha.as_bytes(),
                },
            )
            .map_err(|_| "SM4 加密失败".to_string())?;
        let mut out = Vec::with_capacity(MAGIC.len() + NONCE + sealed.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The plaintext of an encrypted file named `sha`; an error when it does not authenticate.
    pub fn decrypt(&self, sha: &str, file: &[u8]) -> Result<Vec<u8>, String> {
        let body = file
            .strip_prefix(MAGIC.as_slice())
            .filter(|b| b.len() >= NONCE + TAG)
            .ok_or_else(|| "加密文件格式不对".to_string())?;
        let (nonce, sealed) = body.split_at(NONCE);
        let nonce: [u8; NONCE] = nonce.try_into().expect("12 bytes");
        self.cipher()
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: sealed,
                    aad: sha.as_bytes(),
                },
            )
            .map_err(|_| "SM4-GCM 认证标签不符：文件被改动、换名或密钥不对".to_string())
    }
}

/// The first characters of an encrypted database field (never those of a phone number, which
/// holds digits, `-`, `+` and spaces only).
pub const FIELD_PREFIX: &str = "sm4gcm:";

impl DataKey {
    /// `plain` sealed as a database field: [`FIELD_PREFIX`] ‖ hex(nonce ‖ ciphertext ‖ tag), with
    /// `context` (the column and the row, e.g. `users.phone/zhang`) as associated data.
    pub fn encrypt_field(&self, context: &str, plain: &str) -> Result<String, String> {
        let sealed = self.encrypt(context, plain.as_bytes())?;
        Ok(format!(
            "{FIELD_PREFIX}{}",
            crate::seal::hex(&sealed[MAGIC.len()..])
        ))
    }

    /// The plaintext of a field sealed by [`DataKey::encrypt_field`] for `context`; an error when it
    /// is not one, or does not authenticate (changed, moved to another row, or another key).
    pub fn decrypt_field(&self, context: &str, stored: &str) -> Result<String, String> {
        let body = stored
            .strip_prefix(FIELD_PREFIX)
            .and_then(crate::seal::unhex)
            .ok_or_else(|| "加密字段格式不对".to_string())?;
        let mut file = Vec::with_capacity(MAGIC.len() + body.len());
        file.extend_from_slice(MAGIC);
        file.extend_from_slice(&body);
        let plain = self
            .decrypt(context, &file)
            .map_err(|_| "SM4-GCM 认证标签不符：数据被改动、移到别的记录或密钥不对".to_string())?;
        String::from_utf8(plain).map_err(|_| "解密结果不是文本".to_string())
    }
}

/// What a service started without the data key says when it meets data sealed with one: `what`
/// is sealed, and what the administrator must configure (a fault of the service's configuration,
/// never shown as an empty value).
pub fn missing_key(what: &str) -> String {
    format!(
        "{what}已用 SM4 加密存储，但本服务未配置数据加密密钥：请系统管理员在启动 kaohe serve 时用 --data-key 密钥文件（或环境变量 KAOHE_DATA_KEY）给出加密时所用的 SM4 密钥，再重启服务"
    )
}

/// Whether a stored database field is encrypted ([`FIELD_PREFIX`]).
pub fn is_encrypted_field(stored: &str) -> bool {
    stored.starts_with(FIELD_PREFIX)
}

/// Whether a stored file is encrypted ([`MAGIC`]).
pub fn is_encrypted(file: &[u8]) -> bool {
    file.starts_with(MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        crate::seal::unhex(s).unwrap()
    }

    /// RFC 8998 Appendix A.1: the SM4-GCM example.
    #[test]
    fn rfc_8998_sm4_gcm_example() {
        let key = h("0123456789ABCDEFFEDCBA9876543210");
        let nonce: [u8; 12] = h("00001234567800000000ABCD").try_into().unwrap();
        let aad = h("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
        let plain = h(concat!(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD",
            "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
        ));
        let want = h(concat!(
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735",
            "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D",
            "83DE3541E4C2B58177E065A9BF7B62EC"
        ));
        let c = Sm4Gcm::new_from_slice(&key).unwrap();
        let got = c
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: &plain,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(got, want);
        let back = c
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: &want,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(back, plain);
    }

    #[test]
    fn files_round_trip_and_a_changed_byte_or_name_is_refused() {
        let k = DataKey::new(*b"0123456789abcdef");
        let sha = "ab".repeat(32);
        let a = k.encrypt(&sha, b"%PDF-1.7 hello").unwrap();
        let b = k.encrypt(&sha, b"%PDF-1.7 hello").unwrap();
        assert!(is_encrypted(&a) && a != b, "a fresh nonce each time");
        assert_eq!(k.decrypt(&sha, &a).unwrap(), b"%PDF-1.7 hello");
        let mut t = a.clone();
        let last = t.len() - 1;
        t[last] ^= 1;
        assert!(k.decrypt(&sha, &t).is_err());
        assert!(k.decrypt(&"cd".repeat(32), &a).is_err());
        assert!(k.decrypt(&sha, &a[..20]).is_err());
        assert!(DataKey::new([7; 16]).decrypt(&sha, &a).is_err());
    }

    #[test]
    fn fields_round_trip_and_a_changed_digit_or_row_is_refused() {
        let k = DataKey::new(*b"0123456789abcdef");
        let a = k.encrypt_field("users.phone/zhang", "13800000000").unwrap();
        assert!(is_encrypted_field(&a) && !a.contains("13800000000"), "{a}");
        assert_ne!(
            a,
            k.encrypt_field("users.phone/zhang", "13800000000").unwrap()
        );
        assert_eq!(
            k.decrypt_field("users.phone/zhang", &a).unwrap(),
            "13800000000"
        );
        let mut t = a.clone().into_bytes();
        let i = t.len() - 1;
        t[i] = if t[i] == b'0' { b'1' } else { b'0' };
        let t = String::from_utf8(t).unwrap();
        assert!(
            k.decrypt_field("users.phone/zhang", &t)
                .unwrap_err()
                .contains("认证标签不符")
        );
        assert!(
            k.decrypt_field("users.phone/li", &a).is_err(),
            "another row"
        );
        assert!(
            DataKey::new([7; 16])
                .decrypt_field("users.phone/zhang", &a)
                .is_err()
        );
        assert!(k.decrypt_field("users.phone/zhang", "sm4gcm:zz").is_err());
        assert!(!is_encrypted_field("0513-84512345"));
    }

    #[test]
    fn key_files_are_16_bytes_raw_or_32_hex_digits() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("k");
        std::fs::write(&p, "# SM4\n0123456789abcdef0123456789ABCDEF\n").unwrap();
        assert!(DataKey::read(&p).is_ok());
        std::fs::write(&p, [9u8; 16]).unwrap();
        assert!(DataKey::read(&p).is_ok());
        for bad in ["0123", "zz23456789abcdef0123456789abcdef", ""] {
            std::fs::write(&p, bad).unwrap();
            let e = DataKey::read(&p).unwrap_err();
            assert!(e.contains("格式不对") && e.contains("16 字节"), "{e}");
        }
        let e = DataKey::read(&d.path().join("missing")).unwrap_err();
        assert!(e.contains("无法读取"), "{e}");
    }
}
