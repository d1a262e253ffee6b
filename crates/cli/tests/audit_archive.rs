//! 审计归档 from the command line (issue 14): `kaohe audit verify --archive FILE` checks the audit
//! admin's archive offline with the audit key and names a changed entry.

use crate::support::*;

/// `kaohe audit verify --archive`: the 审计管理员's archive checked offline with the key — whole, then
/// with one entry changed (named by its number), then with its signature line cut.
#[test]
fn an_audit_archive_is_checked_offline_and_a_changed_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    for (login, role) in [("admin", "admin"), ("auditor", "auditadmin")] {
        let o = kaohe(&[
            "user",
            "add",
            "--data",
            data,
            "--login",
            login,
            "--name",
            login,
            "--role",
            role,
            "--password",
            "Console-pass-1",
        ]);
        assert_eq!(o.code, 0, "{}", o.stderr);
    }
    let text = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let s = kaohe_store::Store::open(dir.path()).await.unwrap();
        let auditor = s.user_by_login("auditor").await.unwrap().unwrap();
        let (from, to) = (
            kaohe_core::Date::parse("2000-01-01").unwrap(),
            kaohe_core::Date::parse("2999-12-31").unwrap(),
        );
        s.audit_archive(&auditor, from, to, "127.0.0.1", "2026-12-03T08:00:00Z")
            .await
            .unwrap()
    });
    let file = dir.path().join("archive.jsonl");
    std::fs::write(&file, &text).unwrap();
    let archive = file.to_str().unwrap();
    let o = kaohe(&["audit", "verify", "--archive", archive, "--data", data]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("审计归档完好") && o.stdout.contains("共 4 条"),
        "{}",
        o.stdout
    );
    // The key alone is enough (offline, without the data directory).
    let key = dir.path().join("audit.key");
    let o = kaohe(&[
        "audit",
        "verify",
        "--archive",
        archive,
        "--key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // Entry 3 (the auditor's account) made to name someone else.
    let line = text.lines().find(|l| l.contains("\"seq\":3,")).unwrap();
    std::fs::write(
        &file,
        text.replace(line, &line.replace("user/auditor", "user/admin2")),
    )
    .unwrap();
    let o = kaohe(&["audit", "verify", "--archive", archive, "--data", data]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(
        o.stderr.contains("归档中第 3 条") && o.stderr.contains("被改动"),
        "{}",
        o.stderr
    );
    // The signature line cut.
    let cut: String = text
        .lines()
        .take(text.lines().count() - 1)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&file, cut).unwrap();
    let o = kaohe(&["audit", "verify", "--archive", archive, "--data", data]);
    assert_eq!(o.code, 2);
}
