//! 封存签名 — the SM2 key pair that signs every sealed result (定档, 更正), so that anyone holding a
//! published result can check it was sealed by this office and not changed since (`kaohe verify`).
//!
//! - Signature: SM2 (GB/T 32918.2) with SM3, over the result's canonical JSON bytes ([`canonical`]),
//!   with the default user ID `1234567812345678` of GB/T 35276 ([`USER_ID`]); stored as the hex of
//!   r ‖ s (64 bytes) with the sealed version, beside the public key that made it.
//! - Key pair: files outside the database, in the data directory beside the audit key by default:
//!   `seal-sm2.key` (the private key, mode 0600) and `seal-sm2.pub` (the public key, to publish).
//!   Created on first start; never written into the database; carried by backup and restore.
//! - Public key: SEC 1 uncompressed (`04 ‖ x ‖ y`, 130 hex digits); its [`fingerprint`] (SM3 of
//!   those 65 bytes, the first 16 bytes in groups of four hex digits) is printed on the 考核反馈单.

use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use std::path::{Path, PathBuf};

/// The signer's ID (GB/T 35276—2017 §10: the default user ID when none is agreed).
pub const USER_ID: &str = "1234567812345678";

/// The algorithm named in a served seal.
pub const ALGORITHM: &str = "SM2-SM3";

/// The private key file's name in the data directory.
pub const KEY_FILE: &str = "seal-sm2.key";

/// The public key file's name (beside the private one).
pub const PUB_FILE: &str = "seal-sm2.pub";

/// Bytes as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex text as bytes; `None` for anything but an even number of hex digits.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let t = text.trim();
    if !t.len().is_multiple_of(2) || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..t.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&t[i..i + 2], 16).ok())
        .collect()
}

/// 封存密钥: the SM2 key pair that signs sealed results.
#[derive(Clone)]
pub struct SealKey {
    signing: SigningKey,
    /// Where the private key file is; the public one sits beside it ([`SealKey::pub_path`]).
    pub path: PathBuf,
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        f.debug_struct("SealKey")
            .field("path", &self.path)
            .field("public", &self.public_hex())
            .finish_non_exhaustive()
    }
}

fn key_error(path: &Path, what: impl std::fmt::Display) -> String {
    format!("封存签名密钥文件 {} {what}", path.display())
}

impl SealKey {
    /// A fresh random key pair to be kept at `path`.
    pub fn generate(path: &Path) -> SealKey {
        loop {
            let mut d = [0u8; 32];
            getrandom::fill(&mut d).expect("the OS random source");
            // 0 and values ≥ n are not private keys: draw again (probability ≈ 2⁻³²).
            if let Ok(signing) = SigningKey::from_slice(USER_ID, &d) {
                return SealKey {
                    signing,
                    path: path.to_path_buf(),
                };
            }
        }
    }

    /// The key pair made of a private key's 32 bytes (tests, and the standard's example).
    pub fn from_private(path: &Path, d: &[u8]) -> Result<SealKey, String> {
        let signing = SigningKey::from_slice(USER_ID, d)
            .map_err(|_| key_error(path, "中的私钥无效：应为 1 到 n−1 之间的 32 字节数"))?;
        Ok(SealKey {
            signing,
            path: path.to_path_buf(),
        })
    }

    /// Reads the private key file (64 hex digits after `#` comment lines); `Ok(None)` when there is
    /// none. A file of any other shape is an error naming it, never a new key.
    pub fn read(path: &Path) -> Result<Option<SealKey>, String> {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(key_error(path, format_args!("无法读取：{e}"))),
        };
        if meta.len() > 4096 {
            return Err(key_error(path, "过大：应只含 64 位十六进制私钥"));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| key_error(path, format_args!("无法读取：{e}")))?;
        let body: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("");
        let d = unhex(&body)
            .filter(|d| d.len() == 32)
            .ok_or_else(|| key_error(path, "格式不对：应含 64 位十六进制私钥"))?;
        SealKey::from_private(path, &d).map(Some)
    }

    /// The key pair at `path`, or a new one written there (private file 0600, public file beside it).
    pub fn load_or_create(path: &Path) -> Result<SealKey, String> {
        if let Some(k) = SealKey::read(path)? {
            return Ok(k);
        }
        let k = SealKey::generate(path);
        k.write_new()?;
        Ok(k)
    }

    /// Writes the private key file (owner only), refusing to overwrite one, and the public key file.
    pub fn write_new(&self) -> Result<(), String> {
        let text = format!(
            "# kaohe 定档结果的 SM2 签名私钥。泄露即可伪造签名：请与数据分开妥善保管、备份，勿放入数据库。\n# 公钥见同目录 {PUB_FILE}\n{}\n",
            hex(&self.signing.to_bytes())
        );
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        use std::io::Write;
        let mut f = opts
            .open(&self.path)
            .map_err(|e| key_error(&self.path, format_args!("无法创建：{e}")))?;
        f.write_all(text.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| key_error(&self.path, format_args!("无法写入：{e}")))?;
        self.write_pub()
    }

    /// (Re)writes the public key file beside the private one.
    pub fn write_pub(&self) -> Result<(), String> {
        let text = format!(
            "# kaohe 定档结果的 SM2 签名公钥（SEC 1 非压缩格式，十六进制）；指纹 {}\n{}\n",
            self.fingerprint(),
            self.public_hex()
        );
        std::fs::write(self.pub_path(), text)
            .map_err(|e| key_error(&self.pub_path(), format_args!("无法写入：{e}")))
    }

    /// The public key file beside the private one.
    pub fn pub_path(&self) -> PathBuf {
        self.path.with_file_name(PUB_FILE)
    }

    /// The public key: `04 ‖ x ‖ y` as 130 hex digits.
    pub fn public_hex(&self) -> String {
        hex(&self.signing.verifying_key().to_sec1_bytes())
    }

    /// The public key's [`fingerprint`].
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public_hex()).unwrap_or_default()
    }

    /// The SM2 signature (hex of r ‖ s) of `message`.
    pub fn sign(&self, message: &[u8]) -> String {
        let s: Signature = self.signing.sign(message);
        hex(&s.to_bytes())
    }
}

/// 公钥指纹: SM3 of the public key's 65 bytes, the first 16 bytes as eight groups of four hex digits
/// (`3b1f 0c9a …`) — short enough to read out and compare with the 考核反馈单. `None` when the text
/// is not a public key.
pub fn fingerprint(public_hex: &str) -> Option<String> {
    use sm3::Digest;
    let bytes = unhex(public_hex).filter(|b| b.len() == 65 && b[0] == 4)?;
    let d = sm3::Sm3::digest(&bytes);
    Some(d[..16].chunks(2).map(hex).collect::<Vec<_>>().join(" "))
}

/// Why a signature does not hold, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// The public key is not a point of the SM2 curve (or not hex).
    BadKey,
    /// The signature is not 64 bytes of hex (r ‖ s) or r, s are out of range.
    BadSignature,
    /// Well-formed, but does not match the content under this key.
    Mismatch,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Invalid::BadKey => "公钥格式不对：应为 SM2 曲线上的点（04 开头的 130 位十六进制数）",
            Invalid::BadSignature => "签名格式不对：应为 128 位十六进制数（r ‖ s）",
            Invalid::Mismatch => "签名与内容不符",
        })
    }
}

/// Checks an SM2 signature (hex r ‖ s) of `message` under a public key (hex, SEC 1), with the
/// default user ID.
pub fn verify(public_hex: &str, signature_hex: &str, message: &[u8]) -> Result<(), Invalid> {
    let pk = unhex(public_hex).ok_or(Invalid::BadKey)?;
    let vk = VerifyingKey::from_sec1_bytes(USER_ID, &pk).map_err(|_| Invalid::BadKey)?;
    let sig = unhex(signature_hex)
        .filter(|s| s.len() == 64)
        .ok_or(Invalid::BadSignature)?;
    let sig = Signature::from_slice(&sig).map_err(|_| Invalid::BadSignature)?;
    vk.verify(message, &sig).map_err(|_| Invalid::Mismatch)
}

/// The canonical JSON text of a value, what the signature covers: object members sorted by key
/// (by their UTF-8 bytes), no whitespace, strings escaped as serde_json does, numbers as written.
/// The same whatever order or spacing the value was stored or served with.
pub fn canonical(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).expect("a string serialises"));
                out.push(':');
                write_canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(xs) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).expect("a scalar serialises")),
    }
}

/// The canonical bytes of a stored result text (see [`canonical`]); `None` when it is not JSON.
pub fn canonical_text(json: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .map(|v| canonical(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8";
    const P: &str = "0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13";
    const RS: &str = "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa";

    /// GB/T 32918.5—2017 附录 A (GM/T 0003.5—2012 A.2): the example key pair on the recommended
    /// curve, user ID 1234567812345678, message "message digest", and its signature (r, s).
    #[test]
    fn sm2_standard_example() {
        let k = SealKey::from_private(Path::new("k"), &unhex(D).unwrap()).unwrap();
        assert_eq!(k.public_hex(), P);
        assert_eq!(verify(P, RS, b"message digest"), Ok(()));
        assert_eq!(
            verify(P, RS, b"message digesT"),
            Err(Invalid::Mismatch),
            "another message"
        );
        // Our own signature (deterministic k) verifies, and any flipped bit breaks it.
        let s = k.sign(b"message digest");
        assert_eq!(verify(P, &s, b"message digest"), Ok(()));
        let mut bad = unhex(&s).unwrap();
        bad[10] ^= 1;
        assert!(verify(P, &hex(&bad), b"message digest").is_err());
    }

    #[test]
    fn malformed_keys_and_signatures_are_named() {
        assert_eq!(verify("zz", RS, b"m"), Err(Invalid::BadKey));
        assert_eq!(verify(&P[..64], RS, b"m"), Err(Invalid::BadKey));
        let off_curve = format!("04{}", "11".repeat(64));
        assert_eq!(verify(&off_curve, RS, b"m"), Err(Invalid::BadKey));
        assert_eq!(verify(P, "abc", b"m"), Err(Invalid::BadSignature));
        assert_eq!(verify(P, &RS[..126], b"m"), Err(Invalid::BadSignature));
        assert_eq!(
            verify(P, &"00".repeat(64), b"m"),
            Err(Invalid::BadSignature)
        );
        assert!(fingerprint("04").is_none());
        assert_eq!(fingerprint(P).unwrap().len(), 8 * 4 + 7);
    }

    #[test]
    fn key_files_round_trip_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        assert!(SealKey::read(&path).unwrap().is_none());
        let k = SealKey::load_or_create(&path).unwrap();
        let again = SealKey::load_or_create(&path).unwrap();
        assert_eq!(k.public_hex(), again.public_hex());
        assert!(SealKey::generate(&path).write_new().is_err());
        let pubtext = std::fs::read_to_string(k.pub_path()).unwrap();
        assert!(pubtext.contains(&k.public_hex()) && pubtext.contains(&k.fingerprint()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{k:?}").contains(&hex(&k.signing.to_bytes())));
        std::fs::write(&path, "# c\nabcd\n").unwrap();
        assert!(
            SealKey::read(&path)
                .unwrap_err()
                .contains("64 位十六进制私钥")
        );
        std::fs::write(&path, "0".repeat(64)).unwrap();
        assert!(SealKey::read(&path).unwrap_err().contains("私钥无效"));
        std::fs::write(&path, "x".repeat(5000)).unwrap();
        assert!(SealKey::read(&path).unwrap_err().contains("过大"));
    }

    #[test]
    fn canonical_json_ignores_order_and_spacing() {
        let a = canonical_text(r#"{"b": [1, {"y": "中", "x": null}], "a": "1.50"}"#).unwrap();
        let b = canonical_text(r#"{"a":"1.50","b":[1,{"x":null,"y":"中"}]}"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, r#"{"a":"1.50","b":[1,{"x":null,"y":"中"}]}"#);
        assert!(canonical_text("{").is_none());
    }
}
