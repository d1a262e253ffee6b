//! 验证定档结果 — a sealed result file as `GET /api/assessments/{id}/sealed/{version}` serves it,
//! checked by anyone: its `seal` member's SM2 signature (GB/T 32918, SM3, user ID
//! 1234567812345678) over the canonical JSON of everything else, under the public key it carries
//! (or one the checker names). What `kaohe verify FILE` prints, each finding in Chinese.

use kaohe_store::seal::{self, Invalid};
use serde_json::Value;

/// The largest file `kaohe verify` reads: 64 MiB (a province's 1,500 units × 60 clauses with their
/// explanations is about 20 MiB).
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// A signature that holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    /// The signer's public key fingerprint ([`seal::fingerprint`]).
    pub fingerprint: String,
    /// The sealed version the seal names.
    pub version: Option<i64>,
    /// Units in the result.
    pub units: usize,
}

/// What is wrong with a sealed result file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not a JSON object (with where it stops being JSON).
    Malformed(String),
    /// No `seal` member: not signed.
    Unsigned,
    /// A `seal` member missing a field or of the wrong kind.
    Incomplete(String),
    /// A redacted copy (other units' clauses hidden): the signature covers the whole result.
    Redacted,
    /// A public key or signature that is not one.
    BadSeal(Invalid),
    /// Signed by another key than the one the checker expects.
    WrongKey { found: String, expected: String },
    /// The signature does not match the content: changed after sealing.
    Tampered,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Malformed(why) => write!(
                f,
                "文件格式不对：{why}。应为从“定档结果”下载的 JSON 文件（GET /api/assessments/{{id}}/sealed/{{version}}）"
            ),
            Problem::Unsigned => f.write_str(
                "文件中没有签名（缺少 seal）：它不是签名的定档结果，或是签名功能启用前封存的版本",
            ),
            Problem::Incomplete(what) => write!(f, "签名信息不全：{what}"),
            Problem::Redacted => f.write_str(
                "这是删减版（其他单位的条款明细已按权限隐去）：签名覆盖完整结果，请用管理员、考核员或领导下载的完整版本验证",
            ),
            Problem::BadSeal(e) => write!(f, "签名无效：{e}"),
            Problem::WrongKey { found, expected } => write!(
                f,
                "签名公钥不是指定的公钥：文件中公钥指纹 {found}，指定公钥指纹 {expected}。该结果不是由指定的密钥签署的"
            ),
            Problem::Tampered => f.write_str(
                "签名与内容不符：文件内容在封存签名后被改动（或签名被替换）",
            ),
        }
    }
}

/// Checks a sealed result file's bytes; `expected` is a public key (hex, or the text of a
/// `seal-sm2.pub` file) the signature must be made with.
pub fn check(bytes: &[u8], expected: Option<&str>) -> Result<Valid, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Problem::Malformed(format!(
            "不是 UTF-8 文本（第 {} 字节）",
            e.valid_up_to() + 1
        ))
    })?;
    let mut v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        Problem::Malformed(format!(
            "不是 JSON（第 {} 行第 {} 列）",
            e.line(),
            e.column()
        ))
    })?;
    let obj = v
        .as_object_mut()
        .ok_or_else(|| Problem::Malformed("不是 JSON 对象".into()))?;
    let s = obj.remove("seal").ok_or(Problem::Unsigned)?;
    let field = |k: &str| -> Result<&str, Problem> {
        s.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| Problem::Incomplete(format!("缺少 seal.{k}（应为文本）")))
    };
    if s.get("redacted").and_then(Value::as_bool) == Some(true) {
        return Err(Problem::Redacted);
    }
    let algorithm = field("algorithm")?;
    if algorithm != seal::ALGORITHM {
        return Err(Problem::Incomplete(format!(
            "不支持的签名算法“{algorithm:.40}”，应为 {}",
            seal::ALGORITHM
        )));
    }
    let user_id = field("user_id")?;
    if user_id != seal::USER_ID {
        return Err(Problem::Incomplete(format!(
            "签名者标识“{user_id:.40}”不是 GB/T 35276 的默认值 {}",
            seal::USER_ID
        )));
    }
    let public_key = field("public_key")?;
    let signature = field("signature")?;
    let found = seal::fingerprint(public_key).ok_or(Problem::BadSeal(Invalid::BadKey))?;
    if let Some(want) = expected {
        let want_hex = public_key_text(want);
        let want_fp = seal::fingerprint(&want_hex).ok_or_else(|| {
            Problem::Incomplete(
                "指定的公钥格式不对：应为 04 开头的 130 位十六进制数（seal-sm2.pub）".into(),
            )
        })?;
        if !want_hex.eq_ignore_ascii_case(public_key) {
            return Err(Problem::WrongKey {
                found,
                expected: want_fp,
            });
        }
    }
    let message = seal::canonical(&v);
    seal::verify(public_key, signature, message.as_bytes()).map_err(|e| match e {
        Invalid::Mismatch => Problem::Tampered,
        other => Problem::BadSeal(other),
    })?;
    Ok(Valid {
        fingerprint: found,
        version: s.get("version").and_then(Value::as_i64),
        units: v["units"].as_array().map_or(0, Vec::len),
    })
}

/// The public key in a `seal-sm2.pub` file's text (its first line that is not a `#` comment), or
/// the text itself.
pub fn public_key_text(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaohe_store::seal::SealKey;

    fn signed(k: &SealKey, v: &Value) -> Value {
        let mut out = v.clone();
        out["seal"] = serde_json::json!({
            "algorithm": seal::ALGORITHM, "user_id": seal::USER_ID,
            "public_key": k.public_hex(), "fingerprint": k.fingerprint(),
            "signature": k.sign(seal::canonical(v).as_bytes()), "version": 1,
        });
        out
    }

    /// Each thing that can be wrong with a file is named: tampered content, another key, no
    /// signature, not JSON, a redacted copy, a cut signature.
    #[test]
    fn every_problem_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let k = SealKey::generate(&dir.path().join("k"));
        let other = SealKey::generate(&dir.path().join("o"));
        let result =
            serde_json::json!({ "units": [{ "code": "1", "total": "1.40" }], "complete": true });
        let good = signed(&k, &result);
        let bytes = serde_json::to_vec_pretty(&good).unwrap();
        let ok = check(&bytes, None).unwrap();
        assert_eq!(
            (ok.fingerprint, ok.version, ok.units),
            (k.fingerprint(), Some(1), 1)
        );
        assert!(check(&bytes, Some(&k.public_hex())).is_ok());
        let text = String::from_utf8(bytes.clone()).unwrap();
        let tampered = text.replace("1.40", "1.45");
        assert_eq!(check(tampered.as_bytes(), None), Err(Problem::Tampered));
        assert!(matches!(
            check(&bytes, Some(&other.public_hex())),
            Err(Problem::WrongKey { .. })
        ));
        // A seal re-made with another key but the old key named: wrong key, not valid.
        let forged = serde_json::to_vec(&signed(&other, &result)).unwrap();
        assert!(matches!(
            check(&forged, Some(&k.public_hex())),
            Err(Problem::WrongKey { .. })
        ));
        assert_eq!(
            check(&serde_json::to_vec(&result).unwrap(), None),
            Err(Problem::Unsigned)
        );
        assert!(matches!(
            check(b"{\"units\": [", None),
            Err(Problem::Malformed(_))
        ));
        assert!(matches!(check(b"[1]", None), Err(Problem::Malformed(_))));
        assert!(matches!(
            check(&[0xff, 0xfe], None),
            Err(Problem::Malformed(_))
        ));
        let mut red = good.clone();
        red["seal"]["redacted"] = Value::Bool(true);
        assert_eq!(
            check(&serde_json::to_vec(&red).unwrap(), None),
            Err(Problem::Redacted)
        );
        let mut cut = good.clone();
        cut["seal"]["signature"] = Value::String("abc".into());
        assert_eq!(
            check(&serde_json::to_vec(&cut).unwrap(), None),
            Err(Problem::BadSeal(Invalid::BadSignature))
        );
        let mut none = good;
        none["seal"].as_object_mut().unwrap().remove("public_key");
        assert!(matches!(
            check(&serde_json::to_vec(&none).unwrap(), None),
            Err(Problem::Incomplete(_))
        ));
        for p in [Problem::Tampered, Problem::Unsigned, Problem::Redacted] {
            assert!(!p.to_string().is_empty());
        }
    }
}
