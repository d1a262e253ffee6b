//! Accounts and the data directory: argon2id passwords, reopening a store, a directory named in Chinese.

use super::*;

pub(crate) async fn passwords_are_argon2id_and_wrong_ones_fail(db: Db) {
    let w = world(db).await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE login = 'admin'")
        .fetch_one(w.store.pool())
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert_eq!(
        w.store
            .authenticate("admin", "admin-pass-1")
            .await
            .unwrap()
            .map(|u| u.role),
        Some(Role::Admin)
    );
    assert!(
        w.store
            .authenticate("admin", "wrong")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        w.store
            .authenticate("nobody", "admin-pass-1")
            .await
            .unwrap()
            .is_none()
    );
    let e = w
        .store
        .add_user(
            Some(&w.admin),
            &NewUser {
                login: "x",
                name: "x",
                role: Role::Reporter,
                unit: None,
                password: "long-enough-1",
            },
            NOW,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(m) if m.contains("须绑定一个单位")));
    let e = w
        .store
        .add_user(
            Some(&w.reporter),
            &NewUser {
                login: "y",
                name: "y",
                role: Role::Viewer,
                unit: None,
                password: "long-enough-1",
            },
            NOW,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)));
    match w.store.backend() {
        // SQLite in WAL mode with full sync, on every connection of the pool.
        Backend::Sqlite => {
            for _ in 0..3 {
                let mut c = w.store.pool().acquire().await.unwrap();
                let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
                    .fetch_one(&mut *c)
                    .await
                    .unwrap();
                let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(&mut *c)
                    .await
                    .unwrap();
                let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
                    .fetch_one(&mut *c)
                    .await
                    .unwrap();
                assert_eq!((journal.as_str(), sync, fk), ("wal", 2, 1));
            }
        }
        // PostgreSQL: text compares byte by byte, as in SQLite.
        Backend::Postgres => {
            let collation: String = sqlx::query_scalar(
                "SELECT collation_name::text FROM information_schema.columns WHERE table_name = 'units' AND column_name = 'name'",
            )
            .fetch_one(w.store.pool())
            .await
            .unwrap();
            assert_eq!(collation, "C");
        }
    }
}

pub(crate) async fn reopening_keeps_everything(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let url = {
        let (s, url) = open(dir.path(), db).await;
        s.add_user(
            None,
            &NewUser {
                login: "admin",
                name: "管理员",
                role: Role::Admin,
                unit: None,
                password: "admin-pass-1",
            },
            NOW,
        )
        .await
        .unwrap();
        url
    };
    let s = Store::open_with(dir.path(), url.as_deref()).await.unwrap();
    assert!(
        s.authenticate("admin", "admin-pass-1")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(s.audit_verify().await.unwrap(), Ok(1));
    assert!(dir.path().join("evidence").is_dir());
}

#[tokio::test]
async fn a_data_directory_named_in_chinese_with_spaces_opens_and_an_unknown_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("如东县 考核 #1?");
    let s = Store::open(&data).await.unwrap();
    s.add_user(
        None,
        &NewUser {
            login: "admin",
            name: "管理员",
            role: Role::Admin,
            unit: None,
            password: "admin-pass-1",
        },
        NOW,
    )
    .await
    .unwrap();
    assert!(
        data.join("kaohe.db").is_file(),
        "the database is in the directory named"
    );
    let e = Store::open_with(&data, Some("mysql://root:secret@db/kaohe"))
        .await
        .err()
        .unwrap();
    assert!(matches!(e, StoreError::Invalid(_)));
    let m = e.to_string();
    assert!(m.contains("mysql") && !m.contains("secret"), "{m}");
}
