//! 审计日志 — every change as (who, when, what, old → new, why), append-only (database triggers refuse
//! UPDATE and DELETE) and hash-chained: each entry's hash covers the previous entry's hash and all its
//! own fields, so altering, removing or reordering any entry breaks the chain from there on.

use sha2::{Digest, Sha256};

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub why: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of the first entry's predecessor.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of an entry: sha256 over the JSON array of the previous hash and every field.
#[allow(clippy::too_many_arguments)]
pub fn hash(
    prev: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    old: Option<&str>,
    new: Option<&str>,
    why: Option<&str>,
) -> String {
    let canonical = serde_json::to_string(&(prev, seq, at, actor, action, entity, old, new, why))
        .expect("serialisable");
    let d = Sha256::digest(canonical.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A chain checked entry by entry, in order, so that a long log need not be held whole; the first
/// bad entry is named in Chinese.
pub struct Verifier {
    prev: String,
    n: usize,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            prev: GENESIS.to_string(),
            n: 0,
        }
    }
}

impl Verifier {
    /// Checks the next entry; the first bad one, in Chinese.
    pub fn push(&mut self, e: &Entry) -> Result<(), String> {
        let want_seq = self.n as i64 + 1;
        if e.seq != want_seq {
            return Err(format!(
                "审计日志第 {want_seq} 条缺失（下一条是第 {} 条）：记录被删除",
                e.seq
            ));
        }
        if e.prev_hash != self.prev {
            return Err(format!(
                "审计日志第 {} 条的前序哈希不符：之前的记录被改动或删除",
                e.seq
            ));
        }
        let h = hash(
            &e.prev_hash,
            e.seq,
            &e.at,
            &e.actor,
            &e.action,
            &e.entity,
            e.old.as_deref(),
            e.new.as_deref(),
            e.why.as_deref(),
        );
        if h != e.hash {
            return Err(format!(
                "审计日志第 {} 条（{} {} {}）的内容与哈希不符：该记录被改动",
                e.seq, e.at, e.actor, e.action
            ));
        }
        self.prev = h;
        self.n += 1;
        Ok(())
    }

    /// Entries checked so far.
    pub fn count(&self) -> usize {
        self.n
    }
}
