//! A fresh PostgreSQL database for each test, for the tests of this crate and of the crates that
//! use it. The server comes from `KAOHE_TEST_POSTGRES` (a URL of a role that may create databases,
//! e.g. `postgres://kaohe:kaohe@127.0.0.1/postgres`; `.ci/run` installs and starts one and sets it).
//! Without it the PostgreSQL variants of the tests have nothing to run on: each says so on the
//! terminal ([`skipped`]) and returns — but in CI (`CI` set, as `.ci/run` sets it) a missing server is
//! a failure, never a silent pass.

use crate::Store;
use sqlx::Connection;
use std::sync::atomic::{AtomicU32, Ordering};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A new store in `dir` on `db`, and the PostgreSQL database's URL (to open it again). Panics when
/// it cannot be made.
pub async fn open(dir: &std::path::Path, db: Db) -> (Store, Option<String>) {
    let url = match db {
        Db::Sqlite => None,
        Db::Postgres => Some(fresh().await.expect("KAOHE_TEST_POSTGRES")),
    };
    let store = Store::open_with(dir, url.as_deref()).await.unwrap();
    (store, url)
}

/// Runs each named test — an `async fn(Db)` in the calling module — once on SQLite (module
/// `sqlite`) and once on PostgreSQL (module `postgres`; returns at once without a test server).
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::testdb::Db::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if $crate::testdb::server().is_some() {
                        super::$name($crate::testdb::Db::Postgres).await
                    }
                }
            )*
        }
    };
}

/// The server's admin URL, when PostgreSQL tests are to run; `None` (reported as skipped) when
/// `KAOHE_TEST_POSTGRES` is not set — a failure in CI.
pub fn server() -> Option<String> {
    let url = std::env::var("KAOHE_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty());
    if url.is_none() {
        skipped(
            "PostgreSQL",
            "set KAOHE_TEST_POSTGRES=postgres://user:pw@host/postgres (.ci/run starts a server)",
        );
    }
    url
}

/// Says on the terminal that a test did not run for want of `tool` (past the test harness's output
/// capture, so that a skip is seen even when the test passes), and how to provide it; in CI (`CI`
/// set) it fails the test instead, since `.ci/run` provides every tool.
pub fn skipped(tool: &str, how: &str) {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("CI must run this test, but {tool} is missing: {how}");
    }
    use std::io::Write;
    let thread = std::thread::current();
    let _ = writeln!(
        std::io::stderr(),
        "skipped ({tool} missing): {} — {how}",
        thread.name().unwrap_or("a test")
    );
}

/// A new, empty database on the test server (`None` when there is none), named so that leftovers of
/// earlier runs can be told apart: `kaohe_t_<pid>_<n>`. Panics when the server is set but refuses.
pub async fn fresh() -> Option<String> {
    static N: AtomicU32 = AtomicU32::new(0);
    let admin = server()?;
    let mut c = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("KAOHE_TEST_POSTGRES={admin}: {e}"));
    // Once per process: drop what test processes that have ended left behind.
    static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !SWEPT.swap(true, Ordering::SeqCst) {
        let names: Vec<String> =
            sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'kaohe_t_%'")
                .fetch_all(&mut c)
                .await
                .unwrap_or_default();
        for old in names {
            let pid = old.split('_').nth(2).unwrap_or("");
            if !std::path::Path::new("/proc").join(pid).exists() {
                let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {old}"
                )))
                .execute(&mut c)
                .await;
            }
        }
    }
    let name = format!(
        "kaohe_t_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut c)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    let _ = c.close().await;
    Some(with_database(&admin, &name))
}

/// `url` with its database (the last path segment) replaced by `name`, its query kept.
fn with_database(url: &str, name: &str) -> String {
    let (head, query) = url.split_once('?').unwrap_or((url, ""));
    let host_start = head.find("://").map_or(0, |i| i + 3);
    let base = match head[host_start..].find('/') {
        Some(i) => &head[..host_start + i],
        None => head,
    };
    if query.is_empty() {
        format!("{base}/{name}")
    } else {
        format!("{base}/{name}?{query}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_database_is_the_last_path_segment() {
        use super::with_database as w;
        assert_eq!(
            w("postgres://k:p@127.0.0.1/postgres", "t1"),
            "postgres://k:p@127.0.0.1/t1"
        );
        assert_eq!(w("postgres://k:p@h:5432", "t1"), "postgres://k:p@h:5432/t1");
        assert_eq!(
            w("postgres://h/db?sslmode=disable", "t1"),
            "postgres://h/t1?sslmode=disable"
        );
    }
}
