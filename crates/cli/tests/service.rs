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

/// One HTTP/1.1 request over a plain socket: (status, headers, body).
fn http(addr: &str, method: &str, path: &str, cookie: &str, body: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\nCookie: {cookie}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

#[test]
fn demo_serve_seeds_a_fresh_directory_and_answers_over_http() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args([
            "demo",
            "--serve",
            "--data",
            data.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        if let Some(a) = line.strip_prefix("kaohe 考核服务：http://") {
            break a.to_string();
        }
        printed.push(line);
    };
    assert!(
        printed
            .iter()
            .any(|l| l.contains("admin") && l.contains("kaohe-admin-2021")),
        "{printed:?}"
    );
    assert!(
        printed
            .iter()
            .any(|l| l.contains("单位填报员") && l.contains("320623001"))
    );
    let (s, _, body) = http(&addr, "GET", "/api/openapi.json", "", "");
    assert_eq!(s, 200);
    assert!(body.contains("\"openapi\""));
    let (s, head, _) = http(
        &addr,
        "POST",
        "/api/login",
        "",
        r#"{"login":"admin","password":"kaohe-admin-2021"}"#,
    );
    assert_eq!(s, 200);
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (s, _, body) = http(&addr, "GET", "/api/assessments/1/results", &cookie, "");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(s, 200, "{body}");
    let j: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(j["units"].as_array().unwrap().len(), 17);
    assert_eq!(j["stage"], "review");
    // A second demo into the same directory is refused: the demo never overwrites data.
    let o = kaohe(&[
        "demo",
        "--serve",
        "--data",
        data.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("已有数据"));
}
