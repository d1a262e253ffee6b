//! 存储 — the operations of the service on its database: accounts and sessions, assessments and their
//! stages, ledgers, findings, metrics, imports, objections, sealing and corrections, evidence, backup.
//! Every change is one write transaction that checks the policy and records its audit entry.

use crate::audit::{self, AuditKey, Entry, Head};
use crate::model::*;
use crate::policy::{self, Action, Read};
use kaohe_core::rubric::{self, Rubric, Rule};
use rust_decimal::Decimal;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

/// 账户与会话 — accounts (argon2id passwords), sign-in, and the sessions behind the cookies.
mod accounts;
/// 修改与重置密码: the rule in force, the last N not reused, the change's time for the expiry.
mod password_changes;
/// 密码: argon2id made and checked off the async threads.
mod passwords;
/// 登录规则、锁定与安全设置: settings, failed sign-ins in the database, locks, roles, sign-outs and
/// downloads in the audit log.
mod security;
use passwords::{dummy_hash, hash_password, verify_password};
pub use security::{Lock, SignIn};
/// 考核与阶段 — assessments with their rubric, units, assessor assignments, and the stage moves
mod assessments;
/// 分工 — the units an assessor is assigned to (one row for 2,000 units).
mod assignments;
/// 佐证材料 on objections and findings; a file removed or replaced before its stage closes.
mod attachments;
/// 审计日志 (store side) — reading, verifying (keyed chain and head) and searching the log.
mod audit_log;
/// 备份与恢复 — an online copy of the SQLite database, the evidence, the audit key and the seal key pair.
mod backup;
/// SM2 证书登录 — a client certificate bound to an account by the 系统管理员, checked at sign-in.
mod certs;
/// 佐证材料 (store side) — evidence files stored by content hash and linked to a unit's clause.
mod evidence_files;
/// 问题记录、指标与加分 — findings recorded by hand, typed-in metric values and bonus points, with the rule
mod findings;
/// 推进前检查: the gate before 公示 and 定档, and its override.
mod gate;
/// 评分表的一页 — a page of units with their 考核分 and assessors, in a fixed number of queries.
mod grid;
/// 数据导入 — a platform import stored all-or-nothing, with what it wrote recorded for the replay.
mod imports;
/// 计分输入 — the scoring inputs kept per revision and patched from the audit log.
mod inputs;
/// 检查记录 — who inspected a unit on a clause that requires it, and when.
mod inspections;
/// 账本 — the three scores of a clause (自评分, 考核分, 最终分) with optimistic concurrency, and who may read which.
mod ledgers;
/// 异议 — objections filed in 公示 and decided (an upheld one sets 最终分 in the same transaction).
mod objections;
/// 个人信息 — an account's phone sealed with the SM4 data key, masked in the log; `data-key encrypt`.
mod personal;
/// 更换数据加密密钥 — `kaohe data-key rotate`: every sealed file and value from the old key to the new.
mod rotate;
/// 细则草案 — versions of a rubric saved from the editor, and the one made 生效.
mod rubric_drafts;
/// 定档与更正 — sealing the result at 定档, corrections after it, and serving a sealed version only when it
mod sealing;
/// 单位、分工与名册导入: a unit edited, an assessor replaced with a reason, a workbook's units and
/// accounts written all or nothing.
mod setup;
/// 提交自评与退回 — a unit's self-assessment submitted (then locked) and returned with a reason.
mod submissions;

pub use accounts::{Account, AccountEdit, NewAccount, Session};
pub use assessments::{AssessmentRow, CopyFrom, Dates, NewAssessment, Source, UnitRow};
pub use attachments::{Attach, Upload};
pub use backup::copy_tree;
pub use certs::{MAX_CERT_CHARS, cert_problem};
pub use evidence_files::EvidenceRef;
pub(crate) use findings::TypedAudit;
pub use findings::{Finding, NewFinding};
pub use gate::{Gate, Progress, incomplete_note};
pub use grid::{
    GRID_MAX_KINDS, GRID_MAX_PER_PAGE, GRID_MAX_SEARCH, GridFilter, GridRows, GridUnit,
};
pub use imports::Import;
pub use inputs::InputsSince;
pub use inspections::Inspection;
pub(crate) use inspections::InspectionAudit;
pub use objections::{Decision, Objection, ObjectionHistory, Outcome};
pub use personal::{BadFile, Encrypted};
pub use rotate::Rotated;
pub use rubric_drafts::{MAX_DRAFTS, RubricDraft};
pub(crate) use sealing::sealed_sha_of;
pub use sealing::{Seal, Sealed};
pub use setup::{NewUnit, Roster};
pub use submissions::{MAX_REASON_CHARS, Submission};

/// What can go wrong, each with a message a clerk understands.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// 无权: role, unit or stage does not allow it (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// 输入有误 (HTTP 422).
    #[error("{0}")]
    Invalid(String),
    /// 不支持: a file whose content is of a kind not accepted (HTTP 415).
    #[error("{0}")]
    Unsupported(String),
    /// 未完成: a move on to 公示 or 定档 refused because work is unfinished: every item, by unit name.
    #[error("{message}")]
    Unfinished { message: String, items: Vec<String> },
    /// 不存在 (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// 冲突: someone else changed it meanwhile (HTTP 409), with the current value.
    #[error("该分数已被{}于 {} 改为 {}（第 {} 版），请刷新后再改", current.updated_by, current.updated_at, current.score, current.version)]
    Conflict { current: Box<Score> },
    /// 冲突 on a value without versions (a metric): what it is now (HTTP 409).
    #[error("{0}")]
    Stale(String),
    /// 数据损坏: a stored value that the store itself would never have written (e.g. a score that is
    /// not a number) — reported, never read as 0.
    #[error("数据库中的数据已损坏：{0}")]
    Corrupt(String),
    /// 完整性校验失败: a sealed result or an audited row that does not match its record — changed
    /// behind the store's back. Shown as it is (HTTP 500), never served.
    #[error("完整性校验失败：{0}")]
    Tampered(String),
    /// 配置不全: the service was started without what its data needs — data sealed with the SM4
    /// data key, read by a service started without `--data-key`. A fault of the server's
    /// configuration, not of the request (HTTP 500), with what the administrator must configure.
    #[error("{0}")]
    Unconfigured(String),
    /// 繁忙: too many heavy jobs (scoring, exports, imports) already queued — try again shortly (HTTP 503).
    #[error("{0}")]
    Busy(String),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("文件错误：{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An assessment as stored.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub stage: Stage,
    pub rubric: Rubric,
    pub rubric_toml: String,
    /// 部分单位未完成考核：… — what was unfinished when the admin moved on to 公示 or 定档 anyway
    /// (an explicit override with its reason); printed on the published result.
    pub incomplete_note: Option<String>,
    /// 考核期, 自评 deadline, 公示 period and window (issue 12; empty for an assessment made before).
    pub dates: Dates,
}

/// Which database holds the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `dir/kaohe.db`, in WAL mode (the default: nothing to install).
    Sqlite,
    /// A PostgreSQL server (or a database that speaks its protocol), for a city- or province-wide
    /// deployment.
    Postgres,
}

/// The store: the database (SQLite in the data directory, or PostgreSQL) and the evidence folder
/// in the data directory. Every query is written once, with `$1` parameters, for both databases.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    dir: PathBuf,
    cache: Arc<Mutex<Cache>>,
    /// What the layers above keep per store ([`Store::kept`]).
    extensions: Arc<Mutex<Extensions>>,
    /// The audit chain's HMAC-SM3 key (outside the database).
    key: Arc<AuditKey>,
    /// The SM2 key pair that signs sealed results (outside the database).
    seal: Arc<crate::seal::SealKey>,
    /// The SM4 key evidence files are encrypted with at rest, when one is configured.
    data_key: Option<Arc<crate::datakey::DataKey>>,
    /// The highest audit entry this process has written to the head file.
    head: Arc<tokio::sync::Mutex<i64>>,
    /// The working-day calendar the 公示 window is counted with (the built-in years until the
    /// service gives it the data directory's, [`Store::use_calendar`]).
    calendar: Arc<Mutex<Arc<kaohe_core::calendar::Calendar>>>,
}

/// One change in progress ([`Store::change`]): its write transaction, and the stage and action that
/// were checked under its lock.
pub(crate) struct Change {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) stage: Stage,
    pub(crate) action: Action,
}

/// What reading an assessment costs most — its rubric parsed, its inputs gathered from thousands of
/// rows — kept per assessment until the next change *to that assessment*: every change appends to
/// the audit log and, when it reaches an assessment, sets the assessment's revision to its entry's
/// sequence in the same transaction (an account edited sets every assessment's: its name is in the
/// inputs) ([`Store::revision`]); an entry is good while that number
/// stands. Sign-ins and other assessments' changes leave it alone. (The number is read *before* the
/// data, so a change committed in between can only make an entry look older than it is, never
/// newer.)
#[derive(Default)]
struct Cache {
    assessments: HashMap<i64, (i64, Assessment)>,
    inputs: HashMap<i64, (i64, Arc<kaohe_core::Inputs>)>,
}

/// Values kept per store by type ([`Store::kept`]).
type Extensions = HashMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>;

/// The assessment an audit entity names (`assessment/{id}` or `assessment/{id}/…`).
fn assessment_of_entity(entity: &str) -> Option<i64> {
    let rest = entity.strip_prefix("assessment/")?;
    rest.split('/').next()?.parse().ok()
}

/// A file path as the path of a URL: every byte but unreserved ones and `/` percent-encoded.
fn url_path(p: &Path) -> String {
    crate::url::percent_encode(&p.to_string_lossy(), b"/-._~")
}

/// A decimal as the store wrote it (canonical text), or `Corrupt` naming where it was found.
fn stored_decimal(text: &str, place: impl FnOnce() -> String) -> Result<Decimal> {
    Decimal::from_str(text)
        .map_err(|_| StoreError::Corrupt(format!("{}的值“{text}”不是数", place())))
}

fn sha256_hex(s: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Opens (creating if needed) the store in `dir`: `dir/kaohe.db` and `dir/evidence/`.
    pub async fn open(dir: &Path) -> Result<Store> {
        Store::open_with(dir, None).await
    }

    /// Opens the store with its database at `database` (a `postgres://` URL), or in `dir/kaohe.db`
    /// when `None`; evidence files live in `dir/evidence/` either way. Migrations run on opening.
    pub async fn open_with(dir: &Path, database: Option<&str>) -> Result<Store> {
        Store::open_keyed(dir, database, None).await
    }

    /// Like [`Store::open_with`], with the audit chain's key file at `key_file` (default
    /// `dir/audit.key`; a PostgreSQL deployment with several servers gives them all one file). A
    /// missing key file is created for a new log — or for a log written before keys, whose entries
    /// it then marks as the old unkeyed chain — but never for a keyed log: that is an error.
    pub async fn open_keyed(
        dir: &Path,
        database: Option<&str>,
        key_file: Option<&Path>,
    ) -> Result<Store> {
        Store::open_with_keys(dir, database, key_file, None).await
    }

    /// Like [`Store::open_keyed`], with the SM2 key pair that signs sealed results at `seal_file`
    /// (default: `seal-sm2.key` beside the audit key file; `seal-sm2.pub` beside it), created on
    /// first use. Neither key is ever written into the database.
    pub async fn open_with_keys(
        dir: &Path,
        database: Option<&str>,
        key_file: Option<&Path>,
        seal_file: Option<&Path>,
    ) -> Result<Store> {
        sqlx::any::install_default_drivers();
        std::fs::create_dir_all(dir.join("evidence"))?;
        let (pool, backend) = match database {
            None => {
                // Through the Any driver a SQLite database is named by URL (foreign keys on and a
                // 5 s busy timeout are sqlx's defaults); WAL and full sync are set on every connection.
                let db = std::fs::canonicalize(dir)?.join("kaohe.db");
                let url = format!("sqlite://{}?mode=rwc", url_path(&db));
                let any = AnyConnectOptions::from_str(&url)?;
                let pool = AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            sqlx::query("PRAGMA journal_mode = WAL")
                                .execute(&mut *conn)
                                .await?;
                            sqlx::query("PRAGMA synchronous = FULL")
                                .execute(&mut *conn)
                                .await?;
                            Ok(())
                        })
                    })
                    .connect_with(any)
                    .await?;
                sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
                (pool, Backend::Sqlite)
            }
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                // A server that does not answer is an error within 10 s (sqlx's default is 30).
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(std::time::Duration::from_secs(10))
                    .connect(url)
                    .await?;
                sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                (pool, Backend::Postgres)
            }
            Some(other) => {
                // The address itself is not repeated: it may hold a password.
                let scheme = other.split("://").next().unwrap_or_default();
                return Err(StoreError::Invalid(format!(
                    "不支持的数据库地址（{scheme}）：应为 postgres://用户:密码@主机/库名，或省略（使用数据目录中的 SQLite）"
                )));
            }
        };
        let key_path = key_file
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dir.join("audit.key"));
        let key = Store::key_for(&pool, &key_path).await?;
        let seal_path = seal_file
            .map(Path::to_path_buf)
            .unwrap_or_else(|| key_path.with_file_name(crate::seal::KEY_FILE));
        let seal = crate::seal::SealKey::load_or_create(&seal_path).map_err(StoreError::Invalid)?;
        Ok(Store {
            pool,
            backend,
            dir: dir.to_path_buf(),
            cache: Arc::default(),
            extensions: Arc::default(),
            key: Arc::new(key),
            seal: Arc::new(seal),
            data_key: None,
            head: Arc::default(),
            calendar: Arc::new(Mutex::new(Arc::new(
                kaohe_core::calendar::Calendar::builtin(),
            ))),
        })
    }

    /// The audit key in `path`, or a new one written there when the log allows it.
    async fn key_for(pool: &AnyPool, path: &Path) -> Result<AuditKey> {
        if let Some(k) = AuditKey::read(path).map_err(StoreError::Invalid)? {
            return Ok(k);
        }
        let first = sqlx::query_as::<_, Entry>("SELECT seq, at, actor, action, entity, old, new, why, prev_hash, hash FROM audit_log ORDER BY seq LIMIT 1")
            .fetch_optional(pool)
            .await?;
        let key = match first {
            None => AuditKey::generate(path, 0, audit::GENESIS),
            Some(e) if audit::unkeyed(&e) => {
                let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .fetch_one(pool)
                    .await?;
                AuditKey::generate(path, last.get("seq"), &last.get::<String, _>("hash"))
            }
            Some(_) => {
                return Err(StoreError::Invalid(format!(
                    "找不到审计密钥文件 {}：这个数据库的审计日志已用密钥保护。请放回原来的密钥文件（PostgreSQL 部署用 --audit-key 指定），否则审计日志无法校验",
                    path.display()
                )));
            }
        };
        key.write_new().map_err(StoreError::Invalid)?;
        Ok(key)
    }

    /// The audit chain's key (its file and from which entry it applies).
    pub fn audit_key(&self) -> &AuditKey {
        &self.key
    }

    /// The SM2 key pair that signs sealed results (its files and public key).
    pub fn seal_key(&self) -> &crate::seal::SealKey {
        &self.seal
    }

    /// Commits a write transaction, then records the chain's head outside the database.
    pub(crate) async fn commit(&self, mut tx: sqlx::Transaction<'static, sqlx::Any>) -> Result<()> {
        let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        if let Some(r) = last {
            self.note_head(Head {
                seq: r.get("seq"),
                hash: r.get("hash"),
            })
            .await?;
        }
        Ok(())
    }

    /// Writes `head` to the head file unless this process wrote a later one already (the file is
    /// written and synced off the async threads; writers queue on the lock, so it only moves on).
    pub(crate) async fn note_head(&self, head: Head) -> Result<()> {
        let mut written = self.head.lock().await;
        if head.seq > *written {
            let path = self.key.head_path();
            let seq = head.seq;
            tokio::task::spawn_blocking(move || head.write(&path))
                .await
                .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))??;
            *written = seq;
        }
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A write transaction that queues behind any other writer from its first statement, so that
    /// two writers wait instead of one failing on a stale snapshot: SQLite's write lock taken at
    /// once (BEGIN IMMEDIATE); on PostgreSQL the audit log — which every change appends to — locked
    /// against other writers (readers go on).
    pub(crate) async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    /// Appends an audit entry inside `tx`.
    #[allow(clippy::too_many_arguments)]
    async fn audit(
        &self,
        tx: &mut sqlx::AnyConnection,
        at: &str,
        actor: &str,
        action: &str,
        entity: &str,
        old: Option<&str>,
        new: Option<&str>,
        why: Option<&str>,
    ) -> Result<()> {
        let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (seq, prev) = match last {
            Some(r) => (r.get::<i64, _>("seq") + 1, r.get::<String, _>("hash")),
            None => (1, audit::GENESIS.to_string()),
        };
        let h = self
            .key
            .hash(&prev, seq, at, actor, action, entity, old, new, why);
        sqlx::query("INSERT INTO audit_log (seq, at, actor, action, entity, old, new, why, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(seq)
            .bind(at)
            .bind(actor)
            .bind(action)
            .bind(entity)
            .bind(old)
            .bind(new)
            .bind(why)
            .bind(&prev)
            .bind(&h)
            .execute(&mut *tx)
            .await?;
        // The change reaches an assessment (`assessment/{id}…`): its revision moves to this entry,
        // in the same transaction, so that every server sees it on its next read ([`Store::revision`]).
        if let Some(id) = assessment_of_entity(entity) {
            sqlx::query("UPDATE assessments SET revision = $1 WHERE id = $2")
                .bind(seq)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        } else if action == "user.edit" {
            // An account's name is in every assessment's inputs (考核人, 检查人): each is read again.
            sqlx::query("UPDATE assessments SET revision = $1")
                .bind(seq)
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }

    /// An assessment's revision: the audit sequence of the last change to it (0 before any). One
    /// indexed row read: what a kept result of the assessment is checked against.
    pub async fn revision(&self, assessment: i64) -> Result<i64> {
        sqlx::query_scalar("SELECT revision FROM assessments WHERE id = $1")
            .bind(assessment)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound("没有这个考核".into()))
    }

    /// A value of type `T` kept with this store (one per store and type, made on first use): where
    /// the layers above keep what they derive from its data, e.g. the scored results per
    /// assessment, so that two stores — two servers — never share one.
    pub fn kept<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut map = self.extensions.lock().expect("extensions");
        map.entry(std::any::TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()))
            .clone()
            .downcast::<T>()
            .expect("one type per key")
    }

    /// Opens one change of `assessment` by `by`: takes the write lock, reads the stage under it, picks
    /// the action for that stage, reads whether `by` is assigned to `unit` (when the change is a
    /// unit's), and checks the policy — all inside the transaction, so that no check of the state can
    /// run before the lock. The caller then checks its own preconditions through [`Change::tx`],
    /// writes, appends its audit entry ([`Store::audit`]) and commits ([`Store::commit`]).
    pub(crate) async fn change(
        &self,
        by: &User,
        assessment: i64,
        unit: Option<&str>,
        action: impl FnOnce(Stage) -> Action,
    ) -> Result<Change> {
        let mut tx = self.write().await?;
        let stage = Self::stage_in(&mut tx, assessment).await?;
        let action = action(stage);
        let assigned = match unit {
            Some(u) => Self::assigned_in(&mut tx, assessment, by, u).await?,
            None => false,
        };
        policy::check(by, action, stage, unit, assigned).map_err(StoreError::Forbidden)?;
        Ok(Change { tx, stage, action })
    }

    /// The stage of an assessment, read inside `tx` (under the write lock).
    async fn stage_in(tx: &mut sqlx::AnyConnection, assessment: i64) -> Result<Stage> {
        let key: Option<String> = sqlx::query_scalar("SELECT stage FROM assessments WHERE id = $1")
            .bind(assessment)
            .fetch_optional(&mut *tx)
            .await?;
        let key = key.ok_or_else(|| StoreError::NotFound("没有这个考核".into()))?;
        Stage::parse(&key)
            .ok_or_else(|| StoreError::Corrupt(format!("考核 {assessment} 的阶段“{key}”无法识别")))
    }

    /// Whether `user` is assigned to `unit`, read inside `tx`.
    async fn assigned_in(
        tx: &mut sqlx::AnyConnection,
        assessment: i64,
        user: &User,
        unit: &str,
    ) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assignments WHERE assessment_id = $1 AND user_id = $2 AND unit_code = $3").bind(assessment).bind(user.id).bind(unit).fetch_one(&mut *tx).await?;
        Ok(n > 0)
    }

    /// Refuses a unit that is not in the assessment (read inside `tx`).
    async fn unit_in(tx: &mut sqlx::AnyConnection, assessment: i64, unit: &str) -> Result<()> {
        let known: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE assessment_id = $1 AND code = $2")
                .bind(assessment)
                .bind(unit)
                .fetch_one(&mut *tx)
                .await?;
        if known == 0 {
            return Err(StoreError::NotFound(format!("本次考核中没有单位“{unit}”")));
        }
        Ok(())
    }
}
