//! 审计归档 — the audit log of a period as one file the 审计管理员 takes away, checked offline by
//! `kaohe audit verify --archive FILE` with the audit key: JSON lines, a header (the period, who made
//! it and when, the hash before the first entry), every entry of the period with its chain links, and
//! a last line with the signature over everything before it. The signature is HMAC-SM3 under the
//! audit key for now ([`sign`]); an SM2 signature (branch `guomi`) replaces that one function and
//! [`signature_ok`].

use crate::audit::{AuditKey, Entry, GENESIS};

/// The first line's `format`.
pub const FORMAT: &str = "kaohe-audit-archive/1";

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    format: String,
    from: String,
    to: String,
    made_by: String,
    made_at: String,
    count: usize,
    /// The hash of the entry before the first one (the chain's link into the archive).
    prev_hash: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Signature {
    algorithm: String,
    signature: String,
}

/// 归档签名: the signature of an archive's body. HMAC-SM3 under the audit key until the SM2 key pair
/// of branch `guomi` seals it — replace this function and [`signature_ok`] then.
pub fn sign(key: &AuditKey, body: &[u8]) -> (String, String) {
    ("HMAC-SM3".into(), key.mac(body))
}

/// Whether `signature` (by `algorithm`) is the body's; see [`sign`].
pub fn signature_ok(key: &AuditKey, algorithm: &str, body: &[u8], signature: &str) -> bool {
    let want = key.mac(body);
    algorithm == "HMAC-SM3"
        && want.len() == signature.len()
        && want
            .bytes()
            .zip(signature.bytes())
            .fold(0u8, |d, (x, y)| d | (x ^ y))
            == 0
}

/// The archive of `entries` (consecutive, in order) of the period `from`–`to`.
pub fn write(
    key: &AuditKey,
    from: kaohe_core::Date,
    to: kaohe_core::Date,
    by: &str,
    now: &str,
    entries: &[Entry],
) -> String {
    let header = Header {
        format: FORMAT.into(),
        from: from.to_string(),
        to: to.to_string(),
        made_by: by.into(),
        made_at: now.into(),
        count: entries.len(),
        prev_hash: entries
            .first()
            .map_or(GENESIS.to_string(), |e| e.prev_hash.clone()),
    };
    let mut body = serde_json::to_string(&header).expect("serialisable");
    body.push('\n');
    for e in entries {
        body.push_str(&serde_json::to_string(e).expect("serialisable"));
        body.push('\n');
    }
    let (algorithm, signature) = sign(key, body.as_bytes());
    let sig = serde_json::to_string(&Signature {
        algorithm,
        signature,
    })
    .expect("serialisable");
    format!("{body}{sig}\n")
}

/// What a checked archive holds: its period and how many entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub from: String,
    pub to: String,
    pub count: usize,
}

/// Checks an archive with the audit key: every entry's hash, the links between them and into the
/// archive, the count, and the signature; the first tampered entry is named (in Chinese).
pub fn verify(key: &AuditKey, text: &str) -> Result<Checked, String> {
    let lines: Vec<&str> = text.lines().collect();
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return Err("归档文件是空的".into());
    };
    let header: Header = serde_json::from_str(first)
        .map_err(|_| "归档文件第 1 行不是审计归档的文件头".to_string())?;
    if header.format != FORMAT {
        return Err(format!("不认识的归档格式“{}”", header.format));
    }
    if lines.len() < 2 {
        return Err("归档文件缺少签名行：文件被截断".into());
    }
    let mut prev = header.prev_hash.clone();
    let mut seq = None;
    let mut n = 0;
    for (i, line) in lines[1..lines.len() - 1].iter().enumerate() {
        let e: Entry = serde_json::from_str(line)
            .map_err(|_| format!("归档文件第 {} 行不是一条审计记录", i + 2))?;
        if let Some(s) = seq
            && e.seq != s + 1
        {
            return Err(format!(
                "归档中第 {} 条之后缺少第 {} 条（下一条是第 {} 条）：记录被删除",
                s,
                s + 1,
                e.seq
            ));
        }
        if e.prev_hash != prev {
            return Err(format!(
                "归档中第 {} 条的前序哈希不符：之前的记录被改动或删除",
                e.seq
            ));
        }
        if !key.authentic(&e) {
            return Err(format!(
                "归档中第 {} 条（{} {} {}）的内容与哈希不符：该记录被改动",
                e.seq,
                kaohe_core::time::beijing(&e.at),
                e.actor,
                crate::audit::action_label(&e.action)
            ));
        }
        prev = e.hash.clone();
        seq = Some(e.seq);
        n += 1;
    }
    if n != header.count {
        return Err(format!(
            "归档文件头记着 {} 条，实有 {n} 条：记录被增删",
            header.count
        ));
    }
    let sig: Signature = serde_json::from_str(last)
        .map_err(|_| "归档文件最后一行不是签名：文件被截断或改动".to_string())?;
    let body_len = text.len() - text.trim_end_matches('\n').len();
    let body = &text[..text.len() - body_len - last.len()];
    if !signature_ok(key, &sig.algorithm, body.as_bytes(), &sig.signature) {
        return Err("归档的签名不符：文件头或记录被改动，或不是用这个审计密钥签的".into());
    }
    Ok(Checked {
        from: header.from,
        to: header.to,
        count: n,
    })
}
