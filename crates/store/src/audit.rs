//! 审计日志 — every change as (who, when, what, old → new, why), append-only (database triggers refuse
//! UPDATE and DELETE) and chained: each entry's hash covers the previous entry's hash and all its own
//! fields, so altering, removing or reordering any entry breaks the chain from there on.
//!
//! The chain is **keyed**: each hash is HMAC-SM3 (GB/T 32905 SM3 in HMAC, GB/T 15852.2) under a key
//! that lives outside the database ([`AuditKey`], the file `audit.key` in the data directory by default).
//! Whoever can write the database but not read that file cannot recompute the chain after an edit.
//! After every change the store writes the chain's head (sequence number and hash) to `audit.head`
//! beside the key ([`Head`]), so that entries cut off the end of the log are missed too.
//!
//! A log written before the key existed (kaohe before HMAC) keeps its entries: the key file records
//! the last of them (`since`, `since_hash`), which are checked as the old unkeyed sha256 chain.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// 操作 — every action code the store writes into the log, with the words the office uses for it:
/// the one table the pages, the filter and the exports read (the stored codes never change).
pub const ACTIONS: &[(&str, &str)] = &[
    ("session.login", "登录"),
    ("session.login_failed", "登录失败"),
    ("session.logout", "退出登录"),
    ("account.lock", "锁定账号"),
    ("account.unlock", "解锁账号"),
    ("user.role", "修改角色"),
    ("user.must_change", "要求修改密码"),
    ("user.cert_bind", "绑定数字证书"),
    ("user.cert_unbind", "解除数字证书绑定"),
    ("settings.change", "修改安全设置"),
    ("export.download", "导出或下载"),
    ("audit.export", "导出审计归档"),
    ("data.encrypt", "加密已存数据"),
    ("data.rotate", "更换数据加密密钥"),
    ("user.add", "新增账号"),
    ("user.edit", "修改账号"),
    ("user.disable", "停用账号"),
    ("user.enable", "启用账号"),
    ("user.password_reset", "重置密码"),
    ("user.password_change", "修改密码"),
    ("roster.import", "导入名册"),
    ("assessment.create", "新建考核"),
    ("assessment.dates", "设置考核日期"),
    ("publication.extend", "延长公示期"),
    ("unit.add", "新增单位"),
    ("unit.edit", "修改单位"),
    ("assignment.add", "分配考核员"),
    ("assignment.replace", "改派考核员"),
    ("rubric_draft.save", "保存细则草案"),
    ("rubric.effective", "细则生效"),
    ("stage.advance", "推进阶段"),
    ("stage.override", "未完成仍继续"),
    ("stage.finalize", "定档"),
    ("result.correct", "更正"),
    ("score.set", "录入分数"),
    ("metric.set", "录入指标数据"),
    ("import", "导入平台数据"),
    ("finding.add", "记录问题"),
    ("finding.add_typed", "记录问题（按问题类型）"),
    ("finding.withdraw", "撤回问题记录"),
    ("bonus.add", "记录加分"),
    ("inspection.add", "记录检查"),
    ("inspection.remove", "删除检查记录"),
    ("evidence.add", "上传佐证材料"),
    ("evidence.remove", "删除佐证材料"),
    ("evidence.replace", "替换佐证材料"),
    ("self.submit", "提交自评"),
    ("self.return", "退回自评"),
    ("objection.file", "提出异议"),
    ("objection.uphold", "采纳异议"),
    ("objection.reject", "驳回异议"),
    ("objection.reopen", "重新打开异议"),
];

/// The words for an action code ([`ACTIONS`]); a code not in the table (written by a later
/// version) as 其他操作.
pub fn action_label(code: &str) -> &'static str {
    ACTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("其他操作", |(_, l)| l)
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
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

impl Entry {
    /// The text this entry's hash covers.
    fn canonical(&self) -> String {
        canonical(
            &self.prev_hash,
            self.seq,
            &self.at,
            &self.actor,
            &self.action,
            &self.entity,
            self.old.as_deref(),
            self.new.as_deref(),
            self.why.as_deref(),
        )
    }
}

/// The hash of the first entry's predecessor.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

type HmacSm3 = hmac::Hmac<sm3::Sm3>;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The canonical text an entry's hash covers: the JSON array of the previous hash and every field.
#[allow(clippy::too_many_arguments)]
fn canonical(
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
    serde_json::to_string(&(prev, seq, at, actor, action, entity, old, new, why))
        .expect("serialisable")
}

/// 审计密钥: the HMAC-SM3 key of the audit chain, with the point from which it applies. Kept in a
/// file outside the database (mode 0600), created on first use.
#[derive(Clone)]
pub struct AuditKey {
    key: [u8; 32],
    /// Entries up to this sequence number were written before the key (unkeyed sha256 chain).
    pub since: i64,
    /// The hash of entry `since` (GENESIS when 0).
    pub since_hash: String,
    /// Where the key file is; the head file sits beside it.
    pub path: PathBuf,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself.
        f.debug_struct("AuditKey")
            .field("path", &self.path)
            .field("since", &self.since)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct KeyFile {
    key: String,
    since: i64,
    since_hash: String,
}

/// Why a key file could not be used, in Chinese.
fn key_error(path: &Path, what: impl std::fmt::Display) -> String {
    format!("审计密钥文件 {} {what}", path.display())
}

impl AuditKey {
    /// A fresh random key that applies after entry `since` (whose hash is `since_hash`).
    pub fn generate(path: &Path, since: i64, since_hash: &str) -> AuditKey {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the OS random source");
        AuditKey {
            key,
            since,
            since_hash: since_hash.to_string(),
            path: path.to_path_buf(),
        }
    }

    /// Reads a key file; `Ok(None)` when there is none.
    pub fn read(path: &Path) -> Result<Option<AuditKey>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(key_error(path, format_args!("无法读取：{e}"))),
        };
        let f: KeyFile = toml::from_str(&text)
            .map_err(|_| key_error(path, "格式不对：应含 key、since、since_hash 三项"))?;
        let bytes: Vec<u8> = (0..f.key.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(f.key.get(i..i + 2)?, 16).ok())
            .collect();
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| key_error(path, "中的 key 应为 64 位十六进制数"))?;
        Ok(Some(AuditKey {
            key,
            since: f.since,
            since_hash: f.since_hash,
            path: path.to_path_buf(),
        }))
    }

    /// Writes the key file (readable by its owner only), refusing to overwrite one.
    pub fn write_new(&self) -> Result<(), String> {
        let text = format!(
            "# kaohe 审计日志密钥（HMAC-SM3）。审计日志的完整性依赖它：请与数据分开妥善保管、备份，勿泄露。\n{}",
            toml::to_string(&KeyFile {
                key: hex(&self.key),
                since: self.since,
                since_hash: self.since_hash.clone(),
            })
            .expect("serialisable")
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
            .map_err(|e| key_error(&self.path, format_args!("无法写入：{e}")))
    }

    /// The head file beside the key file.
    pub fn head_path(&self) -> PathBuf {
        self.path.with_file_name("audit.head")
    }

    /// The hash of an entry with these fields: HMAC-SM3 under the key after `since`, the old
    /// unkeyed sha256 up to it.
    #[allow(clippy::too_many_arguments)]
    pub fn hash(
        &self,
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
        self.hash_text(
            seq,
            &canonical(prev, seq, at, actor, action, entity, old, new, why),
        )
    }

    /// The hash of entry `seq`'s canonical text: HMAC-SM3 after `since`, sha256 up to it.
    fn hash_text(&self, seq: i64, text: &str) -> String {
        if seq <= self.since {
            return hex(&Sha256::digest(text.as_bytes()));
        }
        self.mac(text.as_bytes())
    }

    /// HMAC-SM3 of `bytes` under the key, as hex.
    pub fn mac(&self, bytes: &[u8]) -> String {
        let mut m = HmacSm3::new_from_slice(&self.key).expect("HMAC takes any key length");
        m.update(bytes);
        hex(&m.finalize().into_bytes())
    }

    /// Whether an entry's stored hash is the one its fields give.
    pub fn authentic(&self, e: &Entry) -> bool {
        self.hash_text(e.seq, &e.canonical()) == e.hash
    }
}

/// Whether a first entry was written by the old unkeyed chain (its hash is its plain sha256).
pub fn unkeyed(e: &Entry) -> bool {
    hex(&Sha256::digest(e.canonical().as_bytes())) == e.hash
}

/// 链头: the last entry the store has written (sequence number and hash), kept outside the database so
/// that entries removed from the end of the log are missed. Several servers on one database write
/// the same file: it is a lower bound of the log, never ahead of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

impl Head {
    /// Reads the head file; `Ok(None)` when there is none yet.
    pub fn read(path: &Path) -> Result<Option<Head>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("无法读取审计链头文件 {}：{e}", path.display())),
        };
        let bad = || {
            format!(
                "审计链头文件 {} 已损坏（内容：{:.80}）",
                path.display(),
                text
            )
        };
        let (seq, hash) = text.trim().split_once(' ').ok_or_else(bad)?;
        Ok(Some(Head {
            seq: seq.parse().map_err(|_| bad())?,
            hash: hash.to_string(),
        }))
    }

    /// Writes the head file atomically (a new file renamed over the old), synced to disk.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        let tmp = path.with_extension(format!("head.{}.tmp", std::process::id()));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(format!("{} {}\n", self.seq, self.hash).as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    }
}

/// A chain checked entry by entry, in order, so that a long log need not be held whole; the first
/// bad entry is named in Chinese.
pub struct Verifier<'k> {
    key: &'k AuditKey,
    prev: String,
    n: usize,
}

impl<'k> Verifier<'k> {
    pub fn new(key: &'k AuditKey) -> Verifier<'k> {
        Verifier {
            key,
            prev: GENESIS.to_string(),
            n: 0,
        }
    }

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
        if !self.key.authentic(e) {
            return Err(format!(
                "审计日志第 {} 条（{} {} {}）的内容与哈希不符：该记录被改动",
                e.seq,
                kaohe_core::time::beijing(&e.at),
                e.actor,
                action_label(&e.action)
            ));
        }
        if e.seq == self.key.since && e.hash != self.key.since_hash {
            return Err(format!(
                "审计日志第 {} 条与审计密钥建立时记下的哈希不符：密钥建立前的记录被改动",
                e.seq
            ));
        }
        self.prev = e.hash.clone();
        self.n += 1;
        Ok(())
    }

    /// Entries checked so far.
    pub fn count(&self) -> usize {
        self.n
    }

    /// After the last entry: the log must reach the point the key was made at and the head written
    /// outside the database, and hold the head's entry unchanged.
    pub fn finish(&self, head: Option<&Head>, head_hash_at: Option<&str>) -> Result<usize, String> {
        let last = self.n as i64;
        if last < self.key.since {
            return Err(format!(
                "审计日志只有 {last} 条，但审计密钥建立时已有 {} 条：末尾的记录被删除",
                self.key.since
            ));
        }
        if let Some(h) = head {
            if h.seq > last {
                return Err(format!(
                    "审计日志只有 {last} 条，但链头文件记着第 {} 条：末尾的 {} 条记录被删除",
                    h.seq,
                    h.seq - last
                ));
            }
            if h.seq > 0 && head_hash_at != Some(h.hash.as_str()) {
                return Err(format!(
                    "审计日志第 {} 条与链头文件记下的哈希不符：该记录被改动或替换",
                    h.seq
                ));
            }
        } else if last > self.key.since {
            return Err(format!(
                "找不到审计链头文件 {}：无法确认审计日志末尾是否被删除",
                self.key.head_path().display()
            ));
        }
        Ok(self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action code a `.audit(` call writes (in the store and the server) has its words in
    /// [`ACTIONS`], so that the log never shows 其他操作 for an action of this version.
    #[test]
    fn every_action_written_has_its_words() {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    files(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut all = Vec::new();
        files(&root.join("src"), &mut all);
        files(&root.join("../server/src"), &mut all);
        let mut missing = Vec::new();
        let mut seen = 0;
        for f in &all {
            let text = std::fs::read_to_string(f).unwrap();
            for (at, _) in text.match_indices(".audit(") {
                // The first string literal after the call that reads like `noun.verb`.
                let mut end = text.len().min(at + 400);
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                let rest = &text[at..end];
                let code = rest.split('"').skip(1).step_by(2).find(|s| {
                    s.contains('.')
                        && !s.contains(' ')
                        && s.chars()
                            .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
                });
                if let Some(code) = code {
                    seen += 1;
                    if action_label(code) == "其他操作" {
                        missing.push(format!("{}: {code}", f.display()));
                    }
                }
            }
        }
        assert!(
            seen > 30,
            "only {seen} audit calls found: the scan is broken"
        );
        assert!(missing.is_empty(), "actions without words: {missing:?}");
    }

    fn key(bytes: [u8; 32], since: i64) -> AuditKey {
        AuditKey {
            key: bytes,
            since,
            since_hash: GENESIS.into(),
            path: PathBuf::from("audit.key"),
        }
    }

    /// SM3 and HMAC-SM3 against the standard's example (GB/T 32905—2016 附录 A: SM3("abc")) and
    /// HMAC-SM3 values computed independently with OpenSSL 3 (Python `hmac.new(key, msg, "sm3")`).
    #[test]
    fn sm3_and_hmac_sm3_test_vectors() {
        use sm3::Digest as _;
        assert_eq!(
            hex(&sm3::Sm3::digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        let k: [u8; 32] = std::array::from_fn(|i| i as u8);
        assert_eq!(
            key(k, 0).mac(b"abc"),
            "a8f95cf26f204957e7ca73c9602a25dda35f168b28103b51dfc968c810416b63"
        );
        let mut m = HmacSm3::new_from_slice(b"key").unwrap();
        m.update(b"The quick brown fox jumps over the lazy dog");
        assert_eq!(
            hex(&m.finalize().into_bytes()),
            "bd4a34077888162b210645b8ebf74b9af357303789357a27c7fc457244ebd398"
        );
    }

    #[test]
    fn another_key_gives_another_chain() {
        let (a, b) = (key([1; 32], 0), key([2; 32], 0));
        let h = |k: &AuditKey| k.hash(GENESIS, 1, "t", "x", "a", "e", None, None, None);
        assert_ne!(h(&a), h(&b));
        assert_eq!(h(&a).len(), 64);
        // Up to `since`, the old sha256 chain.
        let old = key([1; 32], 5);
        let e = Entry {
            seq: 1,
            at: "t".into(),
            actor: "x".into(),
            action: "a".into(),
            entity: "e".into(),
            old: None,
            new: None,
            why: None,
            prev_hash: GENESIS.into(),
            hash: old.hash(GENESIS, 1, "t", "x", "a", "e", None, None, None),
        };
        assert!(unkeyed(&e));
        assert!(!unkeyed(&Entry {
            hash: h(&a),
            ..e.clone()
        }));
    }

    #[test]
    fn key_file_round_trip_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        assert!(AuditKey::read(&path).unwrap().is_none());
        let k = AuditKey::generate(&path, 3, "ab");
        k.write_new().unwrap();
        let back = AuditKey::read(&path).unwrap().unwrap();
        assert_eq!(
            (back.key, back.since, back.since_hash.as_str()),
            (k.key, 3, "ab")
        );
        assert!(AuditKey::generate(&path, 0, GENESIS).write_new().is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "key = \"xyz\"\nsince = 0\nsince_hash = \"\"\n").unwrap();
        let e = AuditKey::read(&path).unwrap_err();
        assert!(e.contains("64 位十六进制数"), "{e}");
        assert!(!format!("{k:?}").contains(&hex(&k.key)));
    }

    #[test]
    fn head_file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.head");
        assert_eq!(Head::read(&path).unwrap(), None);
        let h = Head {
            seq: 42,
            hash: "ff".into(),
        };
        h.write(&path).unwrap();
        assert_eq!(Head::read(&path).unwrap(), Some(h));
        std::fs::write(&path, "garbage").unwrap();
        assert!(Head::read(&path).unwrap_err().contains("已损坏"));
    }
}
