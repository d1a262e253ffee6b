use crate::audit::{self, Entry};
use crate::model::*;
use crate::policy::{self, Action};
use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::PasswordHash;
use kaohe_core::rubric::{self, Rubric, Rule};
use rust_decimal::Decimal;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

/// What can go wrong, each with a message a clerk understands.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// 无权: role, unit or stage does not allow it (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// 输入有误 (HTTP 422).
    #[error("{0}")]
    Invalid(String),
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
}

/// What reading an assessment costs most — its rubric parsed, its inputs gathered from thousands of
/// rows — kept until the next change. Every change appends to the audit log in its own transaction,
/// so the log's last sequence number names the state the data is in; an entry is good while that
/// number stands. (The number is read *before* the data, so a change committed in between can only
/// make an entry look older than it is, never newer.)
#[derive(Default)]
struct Cache {
    assessments: HashMap<i64, (i64, Assessment)>,
    inputs: HashMap<i64, (i64, Arc<kaohe_core::Inputs>)>,
}

/// A file path as the path of a URL: every byte but unreserved ones and `/` percent-encoded.
fn url_path(p: &Path) -> String {
    kaohe_core::text::percent_encode(&p.to_string_lossy(), b"/-._~")
}

/// A decimal as the store wrote it (canonical text), or `Corrupt` naming where it was found.
fn stored_decimal(text: &str, place: impl FnOnce() -> String) -> Result<Decimal> {
    Decimal::from_str(text)
        .map_err(|_| StoreError::Corrupt(format!("{}的值“{text}”不是数", place())))
}

fn hash_password(password: &str) -> String {
    off_async_threads(|| {
        Argon2::default()
            .hash_password(password.as_bytes())
            .expect("argon2 with a random salt")
            .to_string()
    })
}

/// Runs CPU-heavy work (argon2) so that it does not hold up the async threads: on a multi-threaded
/// runtime the thread hands its other tasks away first (`block_in_place`); elsewhere it runs inline.
fn off_async_threads<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// Whether `password` matches the argon2 PHC string `phc`, computed in this thread's own block memory
/// (kept between calls). Through `verify_password` every check allocated and freed 19 MiB; glibc then
/// raised its mmap threshold and served those blocks from the heap, which fragmented: a flood of
/// sign-ins left the server at 528 MB where it now stays near its idle size.
fn verify_password(password: &[u8], phc: &str) -> bool {
    use argon2::{Algorithm, Block, Params, Version};
    thread_local! {
        static BLOCKS: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let Ok(h) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&h.salt, &h.hash) else {
        return false;
    };
    let (Ok(alg), Ok(params)) = (
        Algorithm::try_from(h.algorithm.as_str()),
        Params::try_from(&h),
    ) else {
        return false;
    };
    let version = match h.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let expected = expected.as_bytes();
    let mut out = vec![0u8; expected.len()];
    let ctx = Argon2::new(alg, version, params.clone());
    let done = BLOCKS.with(|b| {
        let mut b = b.borrow_mut();
        b.resize(params.block_count(), Block::new());
        ctx.hash_password_into_with_memory(password, salt, &mut out, &mut b[..])
    });
    // Equal in constant time.
    done.is_ok() && out.iter().zip(expected).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

#[cfg(test)]
mod password_tests {
    /// The reused-memory check agrees with argon2's own, for the default and for other parameters.
    #[test]
    fn verify_password_in_reused_memory_agrees_with_argon2() {
        use argon2::password_hash::PasswordHasher;
        let phc = super::hash_password("right-password");
        assert!(super::verify_password(b"right-password", &phc));
        assert!(!super::verify_password(b"wrong-password", &phc));
        assert!(super::verify_password(b"right-password", &phc)); // the kept memory again
        let small = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(4096, 1, 1, None).unwrap(),
        )
        .hash_password(b"x")
        .unwrap()
        .to_string();
        assert!(super::verify_password(b"x", &small));
        assert!(!super::verify_password(b"y", &small));
        assert!(!super::verify_password(b"x", "not a hash"));
        assert!(!super::verify_password(
            b"x",
            "$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHQ$"
        ));
    }
}

/// The hash an unknown login is checked against, made once, so that a sign-in with an unknown
/// login costs one verification like a known one (it cost a hash *and* a verification before).
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"kaohe-dummy-password")
            .expect("argon2 with a random salt")
            .to_string()
    })
}

impl Store {
    /// Opens (creating if needed) the store in `dir`: `dir/kaohe.db` and `dir/evidence/`.
    pub async fn open(dir: &Path) -> Result<Store> {
        Store::open_with(dir, None).await
    }

    /// Opens the store with its database at `database` (a `postgres://` URL), or in `dir/kaohe.db`
    /// when `None`; evidence files live in `dir/evidence/` either way. Migrations run on opening.
    pub async fn open_with(dir: &Path, database: Option<&str>) -> Result<Store> {
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
        Ok(Store {
            pool,
            backend,
            dir: dir.to_path_buf(),
            cache: Arc::default(),
        })
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
        let h = audit::hash(&prev, seq, at, actor, action, entity, old, new, why);
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
        Ok(())
    }

    /// Adds an account. `by` is the admin doing it, or `None` from the command line (recorded as
    /// `系统`).
    pub async fn add_user(&self, by: Option<&User>, new: &NewUser<'_>, now: &str) -> Result<User> {
        let NewUser {
            login,
            name,
            role,
            unit,
            password,
        } = *new;
        if let Some(u) = by {
            policy::check(u, Action::ManageAccounts, Stage::Draft, None, false)
                .map_err(StoreError::Forbidden)?;
        }
        if login.trim().is_empty() || name.trim().is_empty() {
            return Err(StoreError::Invalid("登录名和姓名不能为空".into()));
        }
        if password.chars().count() < 8 {
            return Err(StoreError::Invalid("密码至少 8 位".into()));
        }
        if (role == Role::Reporter) != unit.is_some() {
            return Err(StoreError::Invalid(
                "单位填报员须绑定一个单位；其他角色不绑定单位".into(),
            ));
        }
        let mut tx = self.write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
            .bind(login)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Invalid(format!("登录名“{login}”已存在")));
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO users (login, name, role, unit_code, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(login)
            .bind(name)
            .bind(role.key())
            .bind(unit)
            .bind(hash_password(password))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        let actor = by.map(|u| u.login.as_str()).unwrap_or("系统");
        let new =
            serde_json::json!({ "login": login, "name": name, "role": role.key(), "unit": unit })
                .to_string();
        Self::audit(
            &mut tx,
            now,
            actor,
            "user.add",
            &format!("user/{login}"),
            None,
            Some(&new),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(User {
            id,
            login: login.into(),
            name: name.into(),
            role,
            unit_code: unit.map(Into::into),
        })
    }

    fn user_from(r: &sqlx::any::AnyRow) -> User {
        User {
            id: r.get("id"),
            login: r.get("login"),
            name: r.get("name"),
            role: Role::parse(r.get::<&str, _>("role")).unwrap_or(Role::Viewer),
            unit_code: r.get("unit_code"),
        }
    }

    /// The user whose password matches, if any (argon2id; the same time is spent for an unknown login).
    pub async fn authenticate(&self, login: &str, password: &str) -> Result<Option<User>> {
        let row = sqlx::query("SELECT id, login, name, role, unit_code, password_hash FROM users WHERE login = $1 AND active = 1").bind(login).fetch_optional(&self.pool).await?;
        let stored = row.as_ref().map(|r| r.get::<String, _>("password_hash"));
        // An unknown login checks against a dummy hash so that timing does not reveal which logins
        // exist; the check runs on tokio's blocking threads, never on the async ones.
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            let phc = stored.as_deref().unwrap_or_else(|| dummy_hash());
            verify_password(password.as_bytes(), phc)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("密码校验中断：{e}")))?;
        Ok(match (row, ok) {
            (Some(r), true) => Some(Self::user_from(&r)),
            _ => None,
        })
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT id, login, name, role, unit_code FROM users WHERE id = $1 AND active = 1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(Self::user_from))
    }

    /// Creates an assessment in 草稿 from a rubric's TOML text (validated; its sha256 is kept).
    pub async fn create_assessment(
        &self,
        by: &User,
        title: &str,
        rubric_toml: &str,
        now: &str,
    ) -> Result<i64> {
        policy::check(by, Action::SetUp, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        let (r, problems) = rubric::load("rubric.toml", rubric_toml);
        let Some(r) = r else {
            let msgs: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            return Err(StoreError::Invalid(format!(
                "细则无效：{}",
                msgs.join("；")
            )));
        };
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO assessments (year, title, rubric_id, rubric_version, rubric_sha256, rubric_toml, stage, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7) RETURNING id")
            .bind(r.year as i64)
            .bind(title)
            .bind(&r.id)
            .bind(&r.version)
            .bind(&r.sha256)
            .bind(rubric_toml)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        let new = serde_json::json!({ "title": title, "rubric": r.id, "version": r.version, "sha256": r.sha256 }).to_string();
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "assessment.create",
            &format!("assessment/{id}"),
            None,
            Some(&new),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The audit log's last sequence number: the state all data is in (see `Cache`).
    async fn state(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_log")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// An assessment with its rubric parsed (kept until the next change).
    pub async fn assessment(&self, id: i64) -> Result<Assessment> {
        let state = self.state().await?;
        if let Some((at, a)) = self.cache.lock().expect("cache").assessments.get(&id)
            && *at == state
        {
            return Ok(a.clone());
        }
        let a = self.assessment_uncached(id).await?;
        self.cache
            .lock()
            .expect("cache")
            .assessments
            .insert(id, (state, a.clone()));
        Ok(a)
    }

    async fn assessment_uncached(&self, id: i64) -> Result<Assessment> {
        let r = sqlx::query(
            "SELECT id, year, title, stage, rubric_toml FROM assessments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("考核 {id} 不存在")))?;
        let toml: String = r.get("rubric_toml");
        let rubric = rubric::load("rubric.toml", &toml)
            .0
            .ok_or_else(|| StoreError::Invalid("已存细则无法读取".into()))?;
        Ok(Assessment {
            id: r.get("id"),
            year: r.get("year"),
            title: r.get("title"),
            stage: Stage::parse(r.get::<&str, _>("stage")).unwrap_or(Stage::Draft),
            rubric,
            rubric_toml: toml,
        })
    }

    /// Adds a unit to an assessment (草稿 only).
    pub async fn add_unit(
        &self,
        by: &User,
        assessment: i64,
        code: &str,
        name: &str,
        kind: &str,
        now: &str,
    ) -> Result<()> {
        let a = self.assessment(assessment).await?;
        policy::check(by, Action::SetUp, a.stage, None, false).map_err(StoreError::Forbidden)?;
        if !["镇", "街道", "区"].contains(&kind) {
            return Err(StoreError::Invalid(format!(
                "单位类型“{kind}”应为 镇 / 街道 / 区"
            )));
        }
        let mut tx = self.write().await?;
        let r = sqlx::query(
            "INSERT INTO units (assessment_id, code, name, kind) VALUES ($1, $2, $3, $4)",
        )
        .bind(assessment)
        .bind(code)
        .bind(name)
        .bind(kind)
        .execute(&mut *tx)
        .await;
        if let Err(sqlx::Error::Database(e)) = &r
            && e.is_unique_violation()
        {
            return Err(StoreError::Invalid(format!("单位“{code}”已在本次考核中")));
        }
        r?;
        let new = serde_json::json!({ "code": code, "name": name, "kind": kind }).to_string();
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "unit.add",
            &format!("assessment/{assessment}/unit/{code}"),
            None,
            Some(&new),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Assigns an assessor to a unit (草稿 only).
    pub async fn assign(
        &self,
        by: &User,
        assessment: i64,
        assessor: &User,
        unit: &str,
        now: &str,
    ) -> Result<()> {
        let a = self.assessment(assessment).await?;
        policy::check(by, Action::SetUp, a.stage, None, false).map_err(StoreError::Forbidden)?;
        if assessor.role != Role::Assessor {
            return Err(StoreError::Invalid(format!("{} 不是考核员", assessor.name)));
        }
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO assignments (assessment_id, user_id, unit_code) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING").bind(assessment).bind(assessor.id).bind(unit).execute(&mut *tx).await?;
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "assignment.add",
            &format!("assessment/{assessment}/unit/{unit}"),
            None,
            Some(&assessor.login),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether `user` is assigned to `unit` in `assessment`.
    /// 分工: (assessor's login, assessor's name, unit code) of an assessment, by unit then login.
    pub async fn assignments(&self, assessment: i64) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query("SELECT u.login, u.name, a.unit_code FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.assessment_id = $1 ORDER BY a.unit_code, u.login")
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("login"), r.get("name"), r.get("unit_code")))
            .collect())
    }

    pub async fn assigned(&self, assessment: i64, user: &User, unit: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assignments WHERE assessment_id = $1 AND user_id = $2 AND unit_code = $3").bind(assessment).bind(user.id).bind(unit).fetch_one(&self.pool).await?;
        Ok(n > 0)
    }

    /// Moves the assessment to the next stage (admin; recorded with the reason).
    pub async fn advance(
        &self,
        by: &User,
        assessment: i64,
        to: Stage,
        why: &str,
        now: &str,
    ) -> Result<()> {
        let a = self.assessment(assessment).await?;
        policy::check(by, Action::AdvanceStage, a.stage, None, false)
            .map_err(StoreError::Forbidden)?;
        if a.stage.next() != Some(to) {
            return Err(StoreError::Invalid(format!(
                "不能从“{}”直接进入“{}”：阶段须依次推进",
                a.stage.label(),
                to.label()
            )));
        }
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE assessments SET stage = $1 WHERE id = $2 AND stage = $3")
            .bind(to.key())
            .bind(assessment)
            .bind(a.stage.key())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::Invalid("阶段已被他人改变，请刷新".into()));
        }
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "stage.advance",
            &format!("assessment/{assessment}"),
            Some(a.stage.key()),
            Some(to.key()),
            Some(why),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a score in a ledger, with optimistic concurrency: `expected` is the version the editor
    /// saw (`None` for a new score). A stale edit gets [`StoreError::Conflict`] with the current value.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_score(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        ledger: Ledger,
        score: &str,
        reason: &str,
        expected: Option<i64>,
        now: &str,
    ) -> Result<Score> {
        let a = self.assessment(assessment).await?;
        let action = match ledger {
            Ledger::SelfScore => Action::SelfAssess,
            Ledger::Assessor => Action::Score,
            Ledger::Final if a.stage == Stage::Final => Action::Correct,
            Ledger::Final => Action::Decide,
        };
        if action == Action::Correct && reason.trim().is_empty() {
            return Err(StoreError::Invalid("定档后的更正须写明理由".into()));
        }
        let assigned = self.assigned(assessment, by, unit).await?;
        policy::check(by, action, a.stage, Some(unit), assigned).map_err(StoreError::Forbidden)?;
        let c = a
            .rubric
            .clause(clause)
            .ok_or_else(|| StoreError::Invalid(format!("细则中没有条款“{clause}”")))?;
        if !matches!(c.rule, Rule::Judgement) {
            return Err(StoreError::Invalid(format!(
                "条款 {clause} 按“{}”计分，不能直接录入分数",
                c.rule.label()
            )));
        }
        let value = Decimal::from_str(score.trim())
            .map_err(|_| StoreError::Invalid(format!("得分“{score}”不是数字")))?;
        if value < Decimal::ZERO || value > c.max {
            return Err(StoreError::Invalid(format!(
                "得分 {value} 超出条款 {clause} 的分值范围（0 到 {}）",
                c.max.normalize()
            )));
        }
        if value < c.max && reason.trim().is_empty() {
            return Err(StoreError::Invalid(format!(
                "得分 {} 低于满分 {}，须填写理由",
                value.normalize(),
                c.max.normalize()
            )));
        }
        let known: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE assessment_id = $1 AND code = $2")
                .bind(assessment)
                .bind(unit)
                .fetch_one(&self.pool)
                .await?;
        if known == 0 {
            return Err(StoreError::NotFound(format!("本次考核中没有单位“{unit}”")));
        }
        let text = value.normalize().to_string();
        let mut tx = self.write().await?;
        let current = Self::score_in(&mut tx, assessment, unit, clause, ledger).await?;
        let version = match (&current, expected) {
            (None, None) => 1,
            (Some(cur), Some(v)) if cur.version == v => v + 1,
            (Some(cur), _) => {
                return Err(StoreError::Conflict {
                    current: Box::new(cur.clone()),
                });
            }
            (None, Some(_)) => return Err(StoreError::Invalid("该分数已不存在，请刷新".into())),
        };
        let upsert = sqlx::query(
            "INSERT INTO ledger (assessment_id, unit_code, clause_id, ledger, score, reason, version, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (assessment_id, unit_code, clause_id, ledger) DO UPDATE SET score = excluded.score, reason = excluded.reason, version = excluded.version, updated_by = excluded.updated_by, updated_at = excluded.updated_at
             WHERE ledger.version = $10",
        )
        .bind(assessment)
        .bind(unit)
        .bind(clause)
        .bind(ledger.key())
        .bind(&text)
        .bind(reason.trim())
        .bind(version)
        .bind(by.id)
        .bind(now)
        .bind(version - 1)
        .execute(&mut *tx)
        .await?;
        if upsert.rows_affected() != 1 {
            let cur = Self::score_in(&mut tx, assessment, unit, clause, ledger)
                .await?
                .expect("a row blocked the write");
            return Err(StoreError::Conflict {
                current: Box::new(cur),
            });
        }
        let old = current.as_ref().map(|c| {
            serde_json::json!({ "score": c.score, "reason": c.reason, "version": c.version })
                .to_string()
        });
        let new = serde_json::json!({ "score": text, "reason": reason.trim(), "version": version })
            .to_string();
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "score.set",
            &format!(
                "assessment/{assessment}/unit/{unit}/clause/{clause}/{}",
                ledger.key()
            ),
            old.as_deref(),
            Some(&new),
            Some(reason.trim()),
        )
        .await?;
        let saved = Self::score_in(&mut tx, assessment, unit, clause, ledger)
            .await?
            .expect("just written");
        tx.commit().await?;
        Ok(saved)
    }

    async fn score_in(
        tx: &mut sqlx::AnyConnection,
        assessment: i64,
        unit: &str,
        clause: &str,
        ledger: Ledger,
    ) -> Result<Option<Score>> {
        let r = sqlx::query("SELECT l.unit_code, l.clause_id, l.score, l.reason, l.version, u.name AS by_name, l.updated_at FROM ledger l JOIN users u ON u.id = l.updated_by WHERE l.assessment_id = $1 AND l.unit_code = $2 AND l.clause_id = $3 AND l.ledger = $4")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(ledger.key())
            .fetch_optional(&mut *tx)
            .await?;
        Ok(r.map(|r| Score {
            unit_code: r.get("unit_code"),
            clause_id: r.get("clause_id"),
            ledger,
            score: r.get("score"),
            reason: r.get("reason"),
            version: r.get("version"),
            updated_by: r.get("by_name"),
            updated_at: r.get("updated_at"),
        }))
    }

    /// The whole audit log, in order.
    pub async fn audit_log(&self) -> Result<Vec<Entry>> {
        Ok(sqlx::query_as::<_, Entry>("SELECT seq, at, actor, action, entity, old, new, why, prev_hash, hash FROM audit_log ORDER BY seq").fetch_all(&self.pool).await?)
    }

    /// Verifies the chain: the number of entries, or the first bad one. Read 10,000 entries at a
    /// time, so that memory stays flat however long the log is.
    pub async fn audit_verify(&self) -> Result<std::result::Result<usize, String>> {
        self.audit_verify_paged(10_000).await
    }

    /// [`Store::audit_verify`] reading `page` entries at a time (public for the tests of paging).
    #[doc(hidden)]
    pub async fn audit_verify_paged(
        &self,
        page: i64,
    ) -> Result<std::result::Result<usize, String>> {
        let mut v = audit::Verifier::default();
        let mut after = 0i64;
        loop {
            let page = sqlx::query_as::<_, Entry>("SELECT seq, at, actor, action, entity, old, new, why, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(after)
                .bind(page)
                .fetch_all(&self.pool)
                .await?;
            let Some(last) = page.last() else {
                return Ok(Ok(v.count()));
            };
            after = last.seq;
            for e in &page {
                if let Err(bad) = v.push(e) {
                    return Ok(Err(bad));
                }
            }
        }
    }
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

fn sha256_hex(s: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A unit of an assessment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub kind: String,
}

/// An assessment in a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AssessmentRow {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub stage: Stage,
    pub rubric_id: String,
    pub rubric_sha256: String,
}

impl Store {
    /// Starts a session for `user`: the token (for the cookie) and the CSRF token. Only the token's
    /// sha256 is stored.
    pub async fn create_session(
        &self,
        user: &User,
        token: &str,
        csrf: &str,
        now: &str,
        expires: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(sha256_hex(token))
            .bind(user.id)
            .bind(csrf)
            .bind(now)
            .bind(expires)
            .execute(&mut *tx)
            .await?;
        Self::audit(
            &mut tx,
            now,
            &user.login,
            "session.login",
            &format!("user/{}", user.login),
            None,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session of a token, if it exists and has not expired at `now`.
    pub async fn session(&self, token: &str, now: &str) -> Result<Option<Session>> {
        let r = sqlx::query("SELECT s.csrf, u.id, u.login, u.name, u.role, u.unit_code FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1")
            .bind(sha256_hex(token))
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        Ok(r.map(|r| Session {
            csrf: r.get("csrf"),
            user: Self::user_from(&r),
        }))
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(sha256_hex(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn assessments(&self) -> Result<Vec<AssessmentRow>> {
        let rows = sqlx::query(
            "SELECT id, year, title, stage, rubric_id, rubric_sha256 FROM assessments ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| AssessmentRow {
                id: r.get("id"),
                year: r.get("year"),
                title: r.get("title"),
                stage: Stage::parse(r.get::<&str, _>("stage")).unwrap_or(Stage::Draft),
                rubric_id: r.get("rubric_id"),
                rubric_sha256: r.get("rubric_sha256"),
            })
            .collect())
    }

    pub async fn units(&self, assessment: i64) -> Result<Vec<UnitRow>> {
        let rows = sqlx::query(
            "SELECT code, name, kind FROM units WHERE assessment_id = $1 ORDER BY code",
        )
        .bind(assessment)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| UnitRow {
                code: r.get("code"),
                name: r.get("name"),
                kind: r.get("kind"),
            })
            .collect())
    }

    /// Every score of a unit, in all three ledgers.
    pub async fn scores(&self, assessment: i64, unit: &str) -> Result<Vec<Score>> {
        let rows = sqlx::query("SELECT l.unit_code, l.clause_id, l.ledger, l.score, l.reason, l.version, u.name AS by_name, l.updated_at FROM ledger l JOIN users u ON u.id = l.updated_by WHERE l.assessment_id = $1 AND l.unit_code = $2 ORDER BY l.clause_id, l.ledger")
            .bind(assessment)
            .bind(unit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| Score {
                unit_code: r.get("unit_code"),
                clause_id: r.get("clause_id"),
                ledger: Ledger::parse(r.get::<&str, _>("ledger")).unwrap_or(Ledger::Assessor),
                score: r.get("score"),
                reason: r.get("reason"),
                version: r.get("version"),
                updated_by: r.get("by_name"),
                updated_at: r.get("updated_at"),
            })
            .collect())
    }

    /// Whether `user` may read the unpublished data of `unit`: admins and assessors may; a reporter
    /// only its own unit; a viewer never.
    pub fn may_read_unit(user: &User, unit: &str) -> bool {
        match user.role {
            Role::Admin | Role::Assessor => true,
            Role::Reporter => user.unit_code.as_deref() == Some(unit),
            Role::Viewer => false,
        }
    }

    /// The scoring inputs of an assessment: its units, and per judgement clause the assessor's score
    /// (考核分) — or, where one exists, the final score (最终分) after objections. Kept until the next
    /// change (see `Cache`).
    pub async fn inputs(&self, assessment: i64) -> Result<Arc<kaohe_core::Inputs>> {
        let state = self.state().await?;
        if let Some((at, i)) = self.cache.lock().expect("cache").inputs.get(&assessment)
            && *at == state
        {
            return Ok(i.clone());
        }
        let i = Arc::new(self.inputs_uncached(assessment).await?);
        self.cache
            .lock()
            .expect("cache")
            .inputs
            .insert(assessment, (state, i.clone()));
        Ok(i)
    }

    async fn inputs_uncached(&self, assessment: i64) -> Result<kaohe_core::Inputs> {
        use kaohe_core::input::*;
        let mut inp = Inputs::default();
        for u in self.units(assessment).await? {
            inp.units.push(Unit {
                code: u.code.as_str().into(),
                name: u.name,
                kind: u.kind,
                origin: None,
            });
        }
        let rows = sqlx::query("SELECT l.unit_code, l.clause_id, l.ledger, l.score, l.reason, u.name AS by_name FROM ledger l JOIN users u ON u.id = l.updated_by WHERE l.assessment_id = $1 AND l.ledger IN ('assessor', 'final') ORDER BY l.unit_code, l.clause_id, l.ledger")
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        let mut chosen: std::collections::BTreeMap<(String, String), JudgementEntry> =
            Default::default();
        for r in &rows {
            let unit: String = r.get("unit_code");
            let clause: String = r.get("clause_id");
            let ledger: String = r.get("ledger");
            let key = (unit.clone(), clause.clone());
            if ledger == "assessor" && chosen.contains_key(&key) {
                continue;
            }
            let score: String = r.get("score");
            chosen.insert(
                key,
                JudgementEntry {
                    unit: unit.as_str().into(),
                    clause: clause.as_str().into(),
                    score: stored_decimal(&score, || {
                        let l = Ledger::parse(&ledger).map_or(ledger.as_str(), |l| l.label());
                        format!("单位 {unit} 条款 {clause} 的{l}")
                    })?,
                    reason: r.get("reason"),
                    assessor: Some(r.get("by_name")),
                    origin: None,
                },
            );
        }
        inp.judgements = chosen.into_values().collect();
        for r in
            sqlx::query("SELECT unit_code, metric, value FROM metrics WHERE assessment_id = $1")
                .bind(assessment)
                .fetch_all(&self.pool)
                .await?
        {
            let (u, m, v): (String, String, String) =
                (r.get("unit_code"), r.get("metric"), r.get("value"));
            inp.metrics.push(MetricEntry {
                unit: u.as_str().into(),
                metric: m.as_str().into(),
                value: stored_decimal(&v, || format!("单位 {u} 指标 {m}"))?,
                origin: None,
            });
        }
        for r in sqlx::query("SELECT unit_code, clause_id, description, evidence_sha256 FROM findings WHERE assessment_id = $1 ORDER BY id").bind(assessment).fetch_all(&self.pool).await? {
            let (u, c): (String, String) = (r.get("unit_code"), r.get("clause_id"));
            inp.findings.push(FindingEntry { unit: u.as_str().into(), clause: c.as_str().into(), description: r.get("description"), evidence: r.get("evidence_sha256"), origin: None });
        }
        for r in sqlx::query("SELECT unit_code, clause_id, points, reason FROM bonuses WHERE assessment_id = $1 ORDER BY id").bind(assessment).fetch_all(&self.pool).await? {
            let (u, c, p): (String, String, String) = (r.get("unit_code"), r.get("clause_id"), r.get("points"));
            inp.bonuses.push(BonusEntry { unit: u.as_str().into(), clause: c.as_str().into(), points: stored_decimal(&p, || format!("单位 {u} 条款 {c} 的加分"))?, reason: r.get("reason"), origin: None });
        }
        Ok(inp)
    }

    /// Stores a metric value (admin, 考核), e.g. typed in or from an import.
    pub async fn set_metric(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        metric: &str,
        value: Decimal,
        now: &str,
    ) -> Result<()> {
        self.set_metric_checked(by, assessment, unit, metric, value, None, now)
            .await
    }

    /// Like [`Store::set_metric`], but only if the stored value is still `expected` (`Some(None)`: no
    /// value yet) — an editor's stale view gets [`StoreError::Stale`] with the current value.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_metric_checked(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        metric: &str,
        value: Decimal,
        expected: Option<Option<&str>>,
        now: &str,
    ) -> Result<()> {
        let a = self.assessment(assessment).await?;
        policy::check(by, Action::Import, a.stage, None, false).map_err(StoreError::Forbidden)?;
        let Some(def) = a.rubric.metric(metric) else {
            return Err(StoreError::Invalid(format!("细则中没有指标“{metric}”")));
        };
        // One source per count (as in `add_finding`): a clause counting this metric whose unit already
        // has findings recorded one by one does not also take a number.
        for c in &a.rubric.clauses {
            let counts = c
                .rule
                .count_metric()
                .is_some_and(|m| m == &*def.key || m == def.name);
            if !counts {
                continue;
            }
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM findings WHERE assessment_id = $1 AND unit_code = $2 AND clause_id = $3")
                .bind(assessment)
                .bind(unit)
                .bind(&*c.id)
                .fetch_one(&self.pool)
                .await?;
            if n > 0 {
                return Err(StoreError::Invalid(format!(
                    "单位 {unit} 条款 {} 已逐条记录 {n} 例问题，不能再给出{}数值：两种来源只能用一种",
                    c.id, def.name
                )));
            }
        }
        let mut tx = self.write().await?;
        let old: Option<String> = sqlx::query_scalar(
            "SELECT value FROM metrics WHERE assessment_id = $1 AND unit_code = $2 AND metric = $3",
        )
        .bind(assessment)
        .bind(unit)
        .bind(metric)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(expected) = expected {
            let same = match (expected, old.as_deref()) {
                (None, None) => true,
                (Some(e), Some(o)) => Decimal::from_str(e).ok() == Decimal::from_str(o).ok(),
                _ => false,
            };
            if !same {
                return Err(StoreError::Stale(format!(
                    "该指标已被他人修改，当前值为 {}，请刷新后再改",
                    old.as_deref().unwrap_or("（无）")
                )));
            }
        }
        let v = value.normalize().to_string();
        sqlx::query("INSERT INTO metrics (assessment_id, unit_code, metric, value) VALUES ($1, $2, $3, $4) ON CONFLICT (assessment_id, unit_code, metric) DO UPDATE SET value = excluded.value")
            .bind(assessment)
            .bind(unit)
            .bind(metric)
            .bind(&v)
            .execute(&mut *tx)
            .await?;
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "metric.set",
            &format!("assessment/{assessment}/unit/{unit}/metric/{metric}"),
            old.as_deref(),
            Some(&v),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a finding (每发现一例) for a per-instance clause (考核; assigned assessor or admin).
    pub async fn add_finding(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        description: &str,
        now: &str,
    ) -> Result<i64> {
        let a = self.assessment(assessment).await?;
        let assigned = self.assigned(assessment, by, unit).await?;
        policy::check(by, Action::Score, a.stage, Some(unit), assigned)
            .map_err(StoreError::Forbidden)?;
        let c = a
            .rubric
            .clause(clause)
            .ok_or_else(|| StoreError::Invalid(format!("细则中没有条款“{clause}”")))?;
        if !c.rule.takes_findings() {
            return Err(StoreError::Invalid(format!(
                "条款 {clause} 按“{}”计分，不接受问题记录",
                c.rule.label()
            )));
        }
        if description.trim().is_empty() {
            return Err(StoreError::Invalid("问题描述不能为空".into()));
        }
        // One source per count: findings, or the count metric — never both (the engine would
        // reject the pair as disagreeing sources and leave the clause unscored).
        if let Some(m) = c.rule.count_metric() {
            let name = a
                .rubric
                .metric(m)
                .map(|d| d.name.clone())
                .unwrap_or_else(|| m.to_string());
            let given: Option<String> = sqlx::query_scalar(
                "SELECT value FROM metrics WHERE assessment_id = $1 AND unit_code = $2 AND (metric = $3 OR metric = $4)",
            )
            .bind(assessment)
            .bind(unit)
            .bind(m)
            .bind(&name)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(v) = given {
                return Err(StoreError::Invalid(format!(
                    "单位 {unit} 的{name}已由指标数值给出（{v}），条款 {clause} 不能再逐条记录问题：两种来源只能用一种。如需逐条记录，请先在数据导入中去掉该单位的{name}数值"
                )));
            }
        }
        // Nor on top of instances a platform import brought for the clause: a re-import would
        // bring the same case again next to the hand-made record.
        let imported: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM findings WHERE assessment_id = $1 AND unit_code = $2 AND clause_id = $3 AND import_id IS NOT NULL")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .fetch_one(&self.pool)
            .await?;
        if imported > 0 {
            return Err(StoreError::Invalid(format!(
                "单位 {unit} 条款 {clause} 的问题已由平台数据导入（{imported} 例），不能再逐条手工记录：两种来源只能用一种。如有遗漏，请更正平台数据后重新导入"
            )));
        }
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO findings (assessment_id, unit_code, clause_id, description, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(description.trim())
            .bind(by.id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "finding.add",
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/finding/{id}"),
            None,
            Some(description.trim()),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The findings of a unit, in the order recorded: those recorded by hand can be withdrawn
    /// ([`Store::withdraw_finding`]); those a platform import brought change with the next import.
    pub async fn findings_of(&self, assessment: i64, unit: &str) -> Result<Vec<Finding>> {
        let rows = sqlx::query("SELECT f.id, f.clause_id, f.description, f.import_id, u.name AS by_name, f.created_at FROM findings f JOIN users u ON u.id = f.created_by WHERE f.assessment_id = $1 AND f.unit_code = $2 ORDER BY f.id")
            .bind(assessment)
            .bind(unit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| Finding {
                id: r.get("id"),
                clause_id: r.get("clause_id"),
                description: r.get("description"),
                imported: r.get::<Option<i64>, _>("import_id").is_some(),
                by: r.get("by_name"),
                at: r.get("created_at"),
            })
            .collect())
    }

    /// Withdraws a finding recorded by hand (考核; the unit's assessor or admin), with the reason;
    /// the audit log keeps what it said. Findings a platform import brought are replaced by the
    /// next import instead.
    pub async fn withdraw_finding(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        finding: i64,
        reason: &str,
        now: &str,
    ) -> Result<()> {
        let a = self.assessment(assessment).await?;
        let row = sqlx::query("SELECT unit_code, clause_id, description, import_id FROM findings WHERE assessment_id = $1 AND unit_code = $2 AND id = $3")
            .bind(assessment)
            .bind(unit)
            .bind(finding)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("单位 {unit} 没有问题记录 {finding}")))?;
        let clause: String = row.get("clause_id");
        let description: String = row.get("description");
        let assigned = self.assigned(assessment, by, unit).await?;
        policy::check(by, Action::Score, a.stage, Some(unit), assigned)
            .map_err(StoreError::Forbidden)?;
        if row.get::<Option<i64>, _>("import_id").is_some() {
            return Err(StoreError::Invalid(format!(
                "条款 {clause} 的这条问题来自平台数据导入，不能单独撤回：请更正平台数据后重新导入"
            )));
        }
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("撤回问题记录须填写理由".into()));
        }
        let mut tx = self.write().await?;
        let gone = sqlx::query(
            "DELETE FROM findings WHERE assessment_id = $1 AND id = $2 AND import_id IS NULL",
        )
        .bind(assessment)
        .bind(finding)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if gone != 1 {
            return Err(StoreError::NotFound(format!("问题记录 {finding}")));
        }
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "finding.withdraw",
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/finding/{finding}"),
            Some(&description),
            None,
            Some(reason.trim()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// 问题记录 (扣分事项) as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub id: i64,
    pub clause_id: String,
    pub description: String,
    /// Brought by a platform import (not withdrawn by hand; replaced by the next import).
    pub imported: bool,
    /// Who recorded it (for an import: who imported).
    pub by: String,
    pub at: String,
}

/// 异议
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Objection {
    pub id: i64,
    pub unit_code: String,
    pub clause_id: String,
    pub reason: String,
    pub filed_by: String,
    pub filed_at: String,
    /// open / upheld / rejected
    pub status: String,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// 异议处理: uphold (with the final score of a judgement clause) or reject, with the reason.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    pub upheld: bool,
    pub reason: &'a str,
    pub score: Option<&'a str>,
}

/// A sealed result version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sealed {
    pub version: i64,
    pub sha256: String,
    pub reason: String,
    pub sealed_by: String,
    pub sealed_at: String,
}

impl Store {
    /// Files an objection (公示; the unit's reporter).
    pub async fn file_objection(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        reason: &str,
        now: &str,
    ) -> Result<i64> {
        let a = self.assessment(assessment).await?;
        policy::check(by, Action::Object, a.stage, Some(unit), false)
            .map_err(StoreError::Forbidden)?;
        if a.rubric.clause(clause).is_none() {
            return Err(StoreError::Invalid(format!("细则中没有条款“{clause}”")));
        }
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("异议须写明理由".into()));
        }
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO objections (assessment_id, unit_code, clause_id, reason, filed_by, filed_at, status) VALUES ($1, $2, $3, $4, $5, $6, 'open') RETURNING id")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(reason.trim())
            .bind(by.id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "objection.file",
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/objection/{id}"),
            None,
            Some(reason.trim()),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The objections of an assessment (a reporter: its own unit's).
    pub async fn objections(&self, by: &User, assessment: i64) -> Result<Vec<Objection>> {
        let rows = sqlx::query(
            "SELECT o.id, o.unit_code, o.clause_id, o.reason, f.name AS filed_by, o.filed_at, o.status, o.decision, d.name AS decided_by, o.decided_at
             FROM objections o JOIN users f ON f.id = o.filed_by LEFT JOIN users d ON d.id = o.decided_by WHERE o.assessment_id = $1 ORDER BY o.id",
        )
        .bind(assessment)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Objection {
                id: r.get("id"),
                unit_code: r.get("unit_code"),
                clause_id: r.get("clause_id"),
                reason: r.get("reason"),
                filed_by: r.get("filed_by"),
                filed_at: r.get("filed_at"),
                status: r.get("status"),
                decision: r.get("decision"),
                decided_by: r.get("decided_by"),
                decided_at: r.get("decided_at"),
            })
            .filter(|o| Self::may_read_unit(by, &o.unit_code))
            .collect())
    }

    /// Decides an objection (公示; an assessor assigned to the unit, or admin). An upheld objection on
    /// a judgement clause sets the final score (最终分) to `score`; the result is recomputed from it.
    pub async fn decide_objection(
        &self,
        by: &User,
        assessment: i64,
        objection: i64,
        d: &Decision<'_>,
        now: &str,
    ) -> Result<()> {
        let r = sqlx::query("SELECT unit_code, clause_id, status FROM objections WHERE id = $1 AND assessment_id = $2").bind(objection).bind(assessment).fetch_optional(&self.pool).await?.ok_or_else(|| StoreError::NotFound(format!("异议 {objection} 不存在")))?;
        let (unit, clause, status): (String, String, String) =
            (r.get("unit_code"), r.get("clause_id"), r.get("status"));
        let Decision {
            upheld,
            reason: decision,
            score,
        } = *d;
        let a = self.assessment(assessment).await?;
        let assigned = self.assigned(assessment, by, &unit).await?;
        policy::check(by, Action::Decide, a.stage, Some(&unit), assigned)
            .map_err(StoreError::Forbidden)?;
        if status != "open" {
            return Err(StoreError::Invalid(format!(
                "异议 {objection} 已处理（{status}）"
            )));
        }
        if decision.trim().is_empty() {
            return Err(StoreError::Invalid("处理意见不能为空".into()));
        }
        if upheld && let Some(score) = score {
            let current = self
                .scores(assessment, &unit)
                .await?
                .into_iter()
                .find(|s| s.clause_id == clause && s.ledger == Ledger::Final)
                .map(|s| s.version);
            self.set_score(
                by,
                assessment,
                &unit,
                &clause,
                Ledger::Final,
                score,
                decision,
                current,
                now,
            )
            .await?;
        }
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE objections SET status = $1, decision = $2, decided_by = $3, decided_at = $4 WHERE id = $5 AND status = 'open'")
            .bind(if upheld { "upheld" } else { "rejected" })
            .bind(decision.trim())
            .bind(by.id)
            .bind(now)
            .bind(objection)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::Invalid(format!(
                "异议 {objection} 已被他人处理，请刷新"
            )));
        }
        Self::audit(
            &mut tx,
            now,
            &by.login,
            if upheld {
                "objection.uphold"
            } else {
                "objection.reject"
            },
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/objection/{objection}"),
            Some("open"),
            score,
            Some(decision.trim()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// 定档: moves 公示 → 定档 and seals the result (the canonical JSON the caller computed with
    /// kaohe-core) as version 1, with its sha256 — in one transaction.
    pub async fn finalize(
        &self,
        by: &User,
        assessment: i64,
        result_json: &str,
        why: &str,
        now: &str,
    ) -> Result<Sealed> {
        let a = self.assessment(assessment).await?;
        policy::check(by, Action::AdvanceStage, a.stage, None, false)
            .map_err(StoreError::Forbidden)?;
        if a.stage != Stage::Publication {
            return Err(StoreError::Invalid(format!(
                "只能在“公示”阶段定档，当前为“{}”",
                a.stage.label()
            )));
        }
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM objections WHERE assessment_id = $1 AND status = 'open'",
        )
        .bind(assessment)
        .fetch_one(&self.pool)
        .await?;
        if open > 0 {
            return Err(StoreError::Invalid(format!(
                "还有 {open} 件异议未处理，不能定档"
            )));
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE assessments SET stage = 'final' WHERE id = $1 AND stage = 'publication'",
        )
        .bind(assessment)
        .execute(&mut *tx)
        .await?;
        let sealed = Self::seal_in(&mut tx, by, assessment, 1, result_json, why, now).await?;
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "stage.finalize",
            &format!("assessment/{assessment}"),
            Some("publication"),
            Some(&format!("final sha256={}", sealed.sha256)),
            Some(why),
        )
        .await?;
        tx.commit().await?;
        Ok(sealed)
    }

    /// 更正: after 定档, seals a new version of the result with the reason (admin).
    pub async fn correct(
        &self,
        by: &User,
        assessment: i64,
        result_json: &str,
        reason: &str,
        now: &str,
    ) -> Result<Sealed> {
        let a = self.assessment(assessment).await?;
        policy::check(by, Action::Correct, a.stage, None, false).map_err(StoreError::Forbidden)?;
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("定档后的更正须写明理由".into()));
        }
        let mut tx = self.write().await?;
        let last: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM results WHERE assessment_id = $1",
        )
        .bind(assessment)
        .fetch_one(&mut *tx)
        .await?;
        let sealed = Self::seal_in(
            &mut tx,
            by,
            assessment,
            last + 1,
            result_json,
            reason.trim(),
            now,
        )
        .await?;
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "result.correct",
            &format!("assessment/{assessment}/result/{}", sealed.version),
            None,
            Some(&sealed.sha256),
            Some(reason.trim()),
        )
        .await?;
        tx.commit().await?;
        Ok(sealed)
    }

    async fn seal_in(
        tx: &mut sqlx::AnyConnection,
        by: &User,
        assessment: i64,
        version: i64,
        json: &str,
        reason: &str,
        now: &str,
    ) -> Result<Sealed> {
        let sha = sha256_hex(json);
        sqlx::query("INSERT INTO results (assessment_id, version, sha256, json, reason, sealed_by, sealed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(assessment)
            .bind(version)
            .bind(&sha)
            .bind(json)
            .bind(reason)
            .bind(by.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        Ok(Sealed {
            version,
            sha256: sha,
            reason: reason.into(),
            sealed_by: by.name.clone(),
            sealed_at: now.into(),
        })
    }

    /// The sealed versions of a result.
    pub async fn sealed(&self, assessment: i64) -> Result<Vec<Sealed>> {
        let rows = sqlx::query("SELECT r.version, r.sha256, r.reason, u.name AS by_name, r.sealed_at FROM results r JOIN users u ON u.id = r.sealed_by WHERE r.assessment_id = $1 ORDER BY r.version").bind(assessment).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| Sealed {
                version: r.get("version"),
                sha256: r.get("sha256"),
                reason: r.get("reason"),
                sealed_by: r.get("by_name"),
                sealed_at: r.get("sealed_at"),
            })
            .collect())
    }

    /// The JSON of a sealed version, checked against its sha256 (a mismatch is an error, not data).
    pub async fn sealed_json(&self, assessment: i64, version: i64) -> Result<String> {
        let r = sqlx::query(
            "SELECT json, sha256 FROM results WHERE assessment_id = $1 AND version = $2",
        )
        .bind(assessment)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("没有第 {version} 版定档结果")))?;
        let (json, sha): (String, String) = (r.get("json"), r.get("sha256"));
        if sha256_hex(&json) != sha {
            return Err(StoreError::Invalid(format!(
                "第 {version} 版定档结果与其 sha256 不符：数据被改动"
            )));
        }
        Ok(json)
    }
}

/// A platform import to store in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Import {
    /// e.g. `办件、认领、测评`
    pub kind: String,
    /// The files read, with their sha256.
    pub files: Vec<(String, String)>,
    pub rows: i64,
    /// (unit, metric, value)
    pub metrics: Vec<(String, String, Decimal)>,
    /// (unit, clause, description, source): instances such as overdue cases.
    pub findings: Vec<(String, String, String, String)>,
    /// The receipts (e.g. the overdue list) as JSON, kept with the import.
    pub receipts: String,
}

impl Store {
    /// Stores an import all-or-nothing (考核; admin): its metrics replace earlier values of the same
    /// metrics, its findings replace the findings of earlier imports on the same clauses, and the
    /// import's receipts are kept. A crash anywhere leaves the previous state.
    pub async fn import(&self, by: &User, assessment: i64, imp: &Import, now: &str) -> Result<i64> {
        let a = self.assessment(assessment).await?;
        policy::check(by, Action::Import, a.stage, None, false).map_err(StoreError::Forbidden)?;
        let units: std::collections::BTreeSet<String> = self
            .units(assessment)
            .await?
            .into_iter()
            .map(|u| u.code)
            .collect();
        for (u, m, _) in &imp.metrics {
            if !units.contains(u) {
                return Err(StoreError::Invalid(format!(
                    "导入数据中的单位 {u} 不在本次考核中"
                )));
            }
            if a.rubric.metric(m).is_none() {
                return Err(StoreError::Invalid(format!("细则中没有指标“{m}”")));
            }
        }
        // One source per count: where the import brings a clause's count (as a number or as
        // instances) for a unit, that unit must not also have findings recorded by hand on it.
        let mut fills: std::collections::BTreeSet<(&str, &str)> = std::collections::BTreeSet::new();
        for (u, m, _) in &imp.metrics {
            let def = a.rubric.metric(m);
            for c in &a.rubric.clauses {
                if c.rule
                    .count_metric()
                    .is_some_and(|k| k == m || def.is_some_and(|d| k == &*d.key || k == d.name))
                {
                    fills.insert((u, &c.id));
                }
            }
        }
        for (u, c, _, _) in &imp.findings {
            fills.insert((u, c));
        }
        let by_hand = sqlx::query("SELECT unit_code, clause_id, COUNT(*) AS n FROM findings WHERE assessment_id = $1 AND import_id IS NULL GROUP BY unit_code, clause_id ORDER BY unit_code, clause_id")
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        let clashes: Vec<String> = by_hand
            .iter()
            .filter_map(|r| {
                let (u, c): (String, String) = (r.get("unit_code"), r.get("clause_id"));
                let n: i64 = r.get("n");
                fills
                    .contains(&(u.as_str(), c.as_str()))
                    .then(|| format!("单位 {u} 条款 {c} 已逐条手工记录 {n} 例"))
            })
            .collect();
        if !clashes.is_empty() {
            return Err(StoreError::Invalid(format!(
                "导入的数据与手工记录的问题会重复计数（{}）：两种来源只能用一种。请先在单位考核表中撤回这些手工记录，或不导入对应的平台数据",
                clashes.join("；")
            )));
        }
        let names: Vec<String> = imp.files.iter().map(|(n, _)| n.clone()).collect();
        let shas: Vec<String> = imp.files.iter().map(|(_, s)| s.clone()).collect();
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO imports (assessment_id, kind, file_name, sha256, rows, receipts, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(assessment)
            .bind(&imp.kind)
            .bind(names.join("、"))
            .bind(shas.join(","))
            .bind(imp.rows)
            .bind(&imp.receipts)
            .bind(by.id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        let clauses: std::collections::BTreeSet<&str> =
            imp.findings.iter().map(|f| f.1.as_str()).collect();
        for c in &clauses {
            sqlx::query("DELETE FROM findings WHERE assessment_id = $1 AND clause_id = $2 AND import_id IS NOT NULL").bind(assessment).bind(c).execute(&mut *tx).await?;
        }
        let keys: std::collections::BTreeSet<&str> =
            imp.metrics.iter().map(|m| m.1.as_str()).collect();
        for k in &keys {
            sqlx::query("DELETE FROM metrics WHERE assessment_id = $1 AND metric = $2")
                .bind(assessment)
                .bind(k)
                .execute(&mut *tx)
                .await?;
        }
        for (u, m, v) in &imp.metrics {
            sqlx::query("INSERT INTO metrics (assessment_id, unit_code, metric, value, import_id, source) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(assessment)
                .bind(u)
                .bind(m)
                .bind(v.normalize().to_string())
                .bind(id)
                .bind(&imp.kind)
                .execute(&mut *tx)
                .await?;
        }
        for (u, c, d, src) in &imp.findings {
            sqlx::query("INSERT INTO findings (assessment_id, unit_code, clause_id, description, evidence_sha256, created_by, created_at, import_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(assessment)
                .bind(u)
                .bind(c)
                .bind(d)
                .bind(src)
                .bind(by.id)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let summary = serde_json::json!({ "files": names, "sha256": shas, "rows": imp.rows, "metrics": imp.metrics.len(), "instances": imp.findings.len() }).to_string();
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "import",
            &format!("assessment/{assessment}/import/{id}"),
            None,
            Some(&summary),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The user with this login (for trusted local commands that act as a named account).
    pub async fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT id, login, name, role, unit_code FROM users WHERE login = $1 AND active = 1",
        )
        .bind(login)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(Self::user_from))
    }
}

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
        sqlx::query("VACUUM INTO $1")
            .bind(db.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
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
        if from.join("evidence").is_dir() {
            copy_tree(&from.join("evidence"), &dir.join("evidence"))?;
        }
        Store::open(dir).await
    }
}

/// A stored evidence file linked to a clause.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EvidenceRef {
    pub sha256: String,
    pub mime: String,
    pub size: i64,
    pub original_name: String,
    pub clause_id: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

impl Store {
    fn evidence_path(&self, sha: &str) -> PathBuf {
        self.dir.join("evidence").join(&sha[..2]).join(sha)
    }

    /// Stores an evidence file for a clause of a unit. Who: the unit's reporter in 自评 and 公示;
    /// an assigned assessor or an admin in 考核 and 公示.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_evidence(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        original_name: &str,
        bytes: &[u8],
        now: &str,
    ) -> Result<EvidenceRef> {
        let a = self.assessment(assessment).await?;
        let assigned = self.assigned(assessment, by, unit).await?;
        let allowed = match by.role {
            Role::Reporter => policy::check(by, Action::SelfAssess, a.stage, Some(unit), false)
                .or_else(|_| policy::check(by, Action::Object, a.stage, Some(unit), false)),
            _ => policy::check(by, Action::Score, a.stage, Some(unit), assigned)
                .or_else(|_| policy::check(by, Action::Decide, a.stage, Some(unit), assigned)),
        };
        allowed.map_err(StoreError::Forbidden)?;
        if a.rubric.clause(clause).is_none() {
            return Err(StoreError::Invalid(format!("细则中没有条款“{clause}”")));
        }
        if bytes.len() > crate::evidence::MAX_BYTES {
            return Err(StoreError::Invalid(format!(
                "文件过大：{:.1} MB，上限 {} MB",
                bytes.len() as f64 / 1_048_576.0,
                crate::evidence::MAX_BYTES / 1_048_576
            )));
        }
        let mime = crate::evidence::sniff(bytes).ok_or_else(|| StoreError::Invalid("不支持的文件类型：请上传 PDF、图片（PNG/JPEG/GIF/WebP）、Word/Excel/PowerPoint 或 OFD 文件（按文件内容判断，与文件名无关）".into()))?;
        let sha: String = {
            use sha2::{Digest, Sha256};
            Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        // The file first (written to a temporary name, then renamed), the rows after: a row never
        // names a missing file.
        let path = self.evidence_path(&sha);
        if !path.exists() {
            std::fs::create_dir_all(path.parent().expect("a parent"))?;
            let tmp = path.with_extension("partial");
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(&tmp, &path)?;
        }
        let name: String = original_name
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO evidence (sha256, size, mime, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(&sha)
        .bind(bytes.len() as i64)
        .bind(mime)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO evidence_links (assessment_id, unit_code, clause_id, sha256, original_name, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(&sha)
            .bind(&name)
            .bind(by.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "evidence.add",
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/evidence/{sha}"),
            None,
            Some(&name),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(EvidenceRef {
            sha256: sha,
            mime: mime.into(),
            size: bytes.len() as i64,
            original_name: name,
            clause_id: clause.into(),
            uploaded_by: by.name.clone(),
            uploaded_at: now.into(),
        })
    }

    /// The evidence of a unit.
    pub async fn evidence(&self, assessment: i64, unit: &str) -> Result<Vec<EvidenceRef>> {
        let rows = sqlx::query("SELECT l.sha256, e.mime, e.size, l.original_name, l.clause_id, u.name AS by_name, l.uploaded_at FROM evidence_links l JOIN evidence e ON e.sha256 = l.sha256 JOIN users u ON u.id = l.uploaded_by WHERE l.assessment_id = $1 AND l.unit_code = $2 ORDER BY l.id")
            .bind(assessment)
            .bind(unit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| EvidenceRef {
                sha256: r.get("sha256"),
                mime: r.get("mime"),
                size: r.get("size"),
                original_name: r.get("original_name"),
                clause_id: r.get("clause_id"),
                uploaded_by: r.get("by_name"),
                uploaded_at: r.get("uploaded_at"),
            })
            .collect())
    }

    /// An evidence file's bytes, type and a name to offer — if `by` may read a unit it is linked to.
    pub async fn evidence_file(&self, by: &User, sha: &str) -> Result<(Vec<u8>, String, String)> {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound("没有这个文件".into()));
        }
        let links = sqlx::query("SELECT l.unit_code, l.original_name, e.mime FROM evidence_links l JOIN evidence e ON e.sha256 = l.sha256 WHERE l.sha256 = $1").bind(sha).fetch_all(&self.pool).await?;
        let readable = links
            .iter()
            .find(|r| Self::may_read_unit(by, r.get::<&str, _>("unit_code")));
        let Some(r) = readable else {
            return Err(if links.is_empty() {
                StoreError::NotFound("没有这个文件".into())
            } else {
                StoreError::Forbidden("无权查看该佐证材料".into())
            });
        };
        let bytes = std::fs::read(self.evidence_path(sha))?;
        Ok((bytes, r.get("mime"), r.get("original_name")))
    }
}

impl Store {
    /// Adds bonus points with a reason (考核; an assigned assessor or admin) on a bonus clause.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_bonus(
        &self,
        by: &User,
        assessment: i64,
        unit: &str,
        clause: &str,
        points: &str,
        reason: &str,
        now: &str,
    ) -> Result<i64> {
        let a = self.assessment(assessment).await?;
        let assigned = self.assigned(assessment, by, unit).await?;
        policy::check(by, Action::Score, a.stage, Some(unit), assigned)
            .map_err(StoreError::Forbidden)?;
        let c = a
            .rubric
            .clause(clause)
            .ok_or_else(|| StoreError::Invalid(format!("细则中没有条款“{clause}”")))?;
        if !c.is_bonus() {
            return Err(StoreError::Invalid(format!("条款 {clause} 不是加分条款")));
        }
        let p = Decimal::from_str(points.trim())
            .map_err(|_| StoreError::Invalid(format!("加分“{points}”不是数字")))?;
        if p <= Decimal::ZERO {
            return Err(StoreError::Invalid("加分应大于 0".into()));
        }
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("加分须写明理由".into()));
        }
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO bonuses (assessment_id, unit_code, clause_id, points, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(assessment)
            .bind(unit)
            .bind(clause)
            .bind(p.normalize().to_string())
            .bind(reason.trim())
            .bind(by.id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        Self::audit(
            &mut tx,
            now,
            &by.login,
            "bonus.add",
            &format!("assessment/{assessment}/unit/{unit}/clause/{clause}/bonus/{id}"),
            None,
            Some(&p.normalize().to_string()),
            Some(reason.trim()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// All accounts (admin).
    pub async fn users(&self, by: &User) -> Result<Vec<User>> {
        policy::check(by, Action::ManageAccounts, Stage::Draft, None, false)
            .map_err(StoreError::Forbidden)?;
        let rows = sqlx::query(
            "SELECT id, login, name, role, unit_code FROM users WHERE active = 1 ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(Self::user_from).collect())
    }

    /// Audit entries (admin), newest first, filtered by substrings of actor, action and entity.
    pub async fn audit_search(
        &self,
        by: &User,
        actor: &str,
        action: &str,
        entity: &str,
        limit: i64,
    ) -> Result<Vec<Entry>> {
        if by.role != Role::Admin {
            return Err(StoreError::Forbidden(format!(
                "{}（{}）无权查看审计日志：只有管理员可以",
                by.name,
                by.role.label()
            )));
        }
        // "Contains" is instr() in SQLite and strpos() in PostgreSQL (LIKE would read % and _ typed
        // into the filter as wildcards).
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT seq, at, actor, action, entity, old, new, why, prev_hash, hash FROM audit_log WHERE instr(actor, $1) > 0 AND instr(action, $2) > 0 AND instr(entity, $3) > 0 ORDER BY seq DESC LIMIT $4"
            }
            Backend::Postgres => {
                "SELECT seq, at, actor, action, entity, old, new, why, prev_hash, hash FROM audit_log WHERE strpos(actor, $1) > 0 AND strpos(action, $2) > 0 AND strpos(entity, $3) > 0 ORDER BY seq DESC LIMIT $4"
            }
        };
        Ok(sqlx::query_as::<_, Entry>(sql)
            .bind(actor)
            .bind(action)
            .bind(entity)
            .bind(limit.clamp(1, 1000))
            .fetch_all(&self.pool)
            .await?)
    }
}

impl Store {
    /// Progress of an assessment: units with a self-assessment, scores in the assessor ledger, open
    /// objections.
    pub async fn progress(&self, assessment: i64) -> Result<(i64, i64, i64)> {
        let a: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT unit_code) FROM ledger WHERE assessment_id = $1 AND ledger = 'self'").bind(assessment).fetch_one(&self.pool).await?;
        let b: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ledger WHERE assessment_id = $1 AND ledger = 'assessor'",
        )
        .bind(assessment)
        .fetch_one(&self.pool)
        .await?;
        let c: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM objections WHERE assessment_id = $1 AND status = 'open'",
        )
        .bind(assessment)
        .fetch_one(&self.pool)
        .await?;
        Ok((a, b, c))
    }
}
