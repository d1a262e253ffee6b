use crate::support::*;

#[test]
fn user_add_and_audit_verify_and_tampering_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let o = kaohe(&[
        "user",
        "add",
        "--data",
        data,
        "--login",
        "admin",
        "--name",
        "县政务办",
        "--role",
        "admin",
        "--password",
        "admin-pass-1",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout.trim(), "已新增账户 admin（县政务办，管理员）");
    let o = kaohe(&[
        "user",
        "add",
        "--data",
        data,
        "--login",
        "juegang",
        "--name",
        "掘港填报员",
        "--role",
        "reporter",
        "--unit",
        "320623001",
        "--password",
        "reporter-pass",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = kaohe(&[
        "user",
        "add",
        "--data",
        data,
        "--login",
        "bad",
        "--name",
        "x",
        "--role",
        "reporter",
        "--password",
        "reporter-pass",
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("单位填报员须绑定一个单位"));
    let o = kaohe(&["audit", "verify", "--data", data]);
    assert_eq!(
        (o.code, o.stdout.trim()),
        (0, "审计日志完好：共 2 条，哈希链逐条核对无误")
    );

    // Alter entry 2 behind the store's back (triggers dropped first, as an attacker with the file would).
    let db = dir.path().join("kaohe.db");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&mut c)
            .await
            .unwrap();
        sqlx::query(
            "UPDATE audit_log SET new = replace(new, '320623001', '320623100') WHERE seq = 2",
        )
        .execute(&mut c)
        .await
        .unwrap();
    });
    let o = kaohe(&["audit", "verify", "--data", data]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("审计日志第 2 条") && o.stderr.contains("被改动"),
        "{}",
        o.stderr
    );
}
