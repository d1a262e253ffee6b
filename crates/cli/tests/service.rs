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
        "reporter-pass-1",
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
        "reporter-pass-1",
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("单位填报员须绑定一个单位"));
    let o = kaohe(&["audit", "verify", "--data", data]);
    assert_eq!(
        (o.code, o.stdout.trim()),
        (
            0,
            "审计日志完好：共 4 条，密钥链（HMAC-SM3）与链头逐条核对无误；按日志回放，考核分、问题记录、指标、加分、定档结果、阶段、细则与账户均与数据表一致"
        )
    );
    // The key and the head live beside the database, outside it.
    assert!(dir.path().join("audit.key").exists() && dir.path().join("audit.head").exists());

    // A row changed behind the store's back (no audit entry): the chain is whole, the replay names it.
    let db = dir.path().join("kaohe.db");
    let sql = |q: &'static str| {
        let db = db.clone();
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                use sqlx::Connection;
                let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
                    .await
                    .unwrap();
                sqlx::raw_sql(q).execute(&mut c).await.unwrap();
            })
    };
    sql("UPDATE users SET unit_code = '320623100' WHERE login = 'juegang'");
    let o = kaohe(&["audit", "verify", "--data", data]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert_eq!(
        o.stderr.trim(),
        "审计日志完好（共 4 条），但数据表与审计日志不符——有数据在审计日志之外被改动：\n  - 账户“juegang”在表中为 掘****（单位填报员，单位 320623100，启用），审计日志记载为 掘****（单位填报员，单位 320623001，启用）：在审计日志之外被改动"
    );
    sql("UPDATE users SET unit_code = '320623001' WHERE login = 'juegang'");

    // Alter entry 3 (juegang's account; each account added at the console is followed by its
    // 要求修改密码) behind the store's back (triggers dropped first, as an attacker with the file would).
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
            "UPDATE audit_log SET new = replace(new, '320623001', '320623100') WHERE seq = 3",
        )
        .execute(&mut c)
        .await
        .unwrap();
    });
    let o = kaohe(&["audit", "verify", "--data", data]);
    assert_eq!(o.code, 2);
    let (e, end) = (o.stderr.trim(), " 新增账号）的内容与哈希不符：该记录被改动");
    assert!(
        e.contains("第 3 条（2") && e.ends_with(end) && !e.contains('Z'), // Beijing time
        "{e}"
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
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let mut demo = Demo::start(&data, None);
    let printed = &demo.printed;
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
    let (s, _, body) = http(&demo.addr, "GET", "/api/openapi.json", "", "");
    assert_eq!(s, 200);
    assert!(body.contains("\"openapi\""));
    let j = demo.results();
    demo.stop();
    assert_eq!(j["units"].as_array().unwrap().len(), 17);
    assert_eq!(j["stage"], "review");
    // A second demo into the same directory is refused: the demo never overwrites data.
    let o = kaohe(&[
        "demo",
        "--data",
        data.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("已有数据"));
}

/// A case export of `rows` rows for the demo units, many of them late (so that an import writes
/// thousands of instances).
fn big_cases(path: &std::path::Path, rows: usize) {
    use std::io::Write;
    let units = [
        "320623001",
        "320623002",
        "320623003",
        "320623100",
        "320623101",
        "320623103",
        "320623104",
        "320623107",
        "320623108",
        "320623109",
        "320623110",
        "320623111",
        "320623112",
        "320623113",
        "320623114",
        "320623400",
        "320623402",
    ];
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        w,
        "办件编号,事项编码,事项名称,行政区划,申报来源,办件类型,受理时间,承诺时限,时限单位,办结时间"
    )
    .unwrap();
    for i in 0..rows {
        let u = units[i % units.len()];
        let day = 1 + (i / 17) % 28;
        let month = 1 + (i / 476) % 11;
        let done = if i % 20 == 0 {
            format!("2021-{:02}-{:02} 10:00:00", month + 1, day)
        } else {
            format!("2021-{month:02}-{day:02} 16:00:00")
        };
        writeln!(
            w,
            "C{i:09},3206230{:08},事项,{u},2,2,2021-{month:02}-{day:02} 09:00:00,3,工作日,{done}",
            i % 50
        )
        .unwrap();
    }
}

fn seeded_demo(dir: &std::path::Path) {
    Demo::start(dir, None).stop();
}

/// `kaohe demo` running on a free port (on `database` when given), until stopped or dropped.
struct Demo {
    child: std::process::Child,
    addr: String,
    /// What it printed before its address (the accounts).
    printed: Vec<String>,
}

impl Demo {
    fn start(data: &std::path::Path, database: Option<&str>) -> Demo {
        use std::io::BufRead;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kaohe"));
        cmd.args([
            "demo",
            "--data",
            data.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .stdout(std::process::Stdio::piped());
        match database {
            Some(url) => cmd.env("KAOHE_DATABASE", url),
            None => cmd.env_remove("KAOHE_DATABASE"),
        };
        let mut child = cmd.spawn().unwrap();
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
        Demo {
            child,
            addr,
            printed,
        }
    }

    /// The demo assessment's result, read as the demo's admin through the API.
    fn results(&self) -> serde_json::Value {
        let (s, head, _) = http(
            &self.addr,
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
        let (s, _, body) = http(&self.addr, "GET", "/api/assessments/1/results", &cookie, "");
        assert_eq!(s, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.stop();
    }
}

/// (imports, metrics from imports, instances from imports, instances of the latest import as its
/// audit summary says, integrity).
fn db_state(db: &std::path::Path) -> (i64, i64, i64, i64, String) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::{Connection, Row};
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        let one = |sql: &'static str| sqlx::query(sql);
        let imports: i64 = one("SELECT COUNT(*) FROM imports").fetch_one(&mut c).await.unwrap().get(0);
        let metrics: i64 = one("SELECT COUNT(*) FROM metrics WHERE import_id = (SELECT MAX(id) FROM imports)").fetch_one(&mut c).await.unwrap().get(0);
        let stray: i64 = one("SELECT COUNT(*) FROM findings WHERE import_id IS NOT NULL AND import_id <> (SELECT MAX(id) FROM imports)").fetch_one(&mut c).await.unwrap().get(0);
        assert_eq!(stray, 0, "instances of an older import remain");
        let found: i64 = one("SELECT COUNT(*) FROM findings WHERE import_id = (SELECT MAX(id) FROM imports)").fetch_one(&mut c).await.unwrap().get(0);
        let summary: Option<String> = one("SELECT new FROM audit_log WHERE action = 'import' ORDER BY seq DESC LIMIT 1").fetch_optional(&mut c).await.unwrap().map(|r| r.get(0));
        let said = summary.map(|s| serde_json::from_str::<serde_json::Value>(&s).unwrap()["instances"].as_i64().unwrap()).unwrap_or(0);
        let integrity: String = one("PRAGMA integrity_check").fetch_one(&mut c).await.unwrap().get(0);
        (imports, metrics, found, said, integrity)
    })
}

#[test]
fn an_import_killed_with_sigkill_leaves_the_previous_state_intact() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    seeded_demo(&data);
    let cases = dir.path().join("办件.csv");
    big_cases(&cases, 300_000);
    let args = [
        "import",
        "--data",
        data.to_str().unwrap(),
        "--assessment",
        "1",
        "--as",
        "admin",
        "--period",
        "2021-01-01..2021-12-31",
        "--cases",
        cases.to_str().unwrap(),
    ];
    let t = std::time::Instant::now();
    let o = kaohe(&args);
    let full = t.elapsed();
    assert_eq!(o.code, 0, "{}", o.stderr);
    let db = data.join("kaohe.db");
    let (n, metrics, found, said, ok) = db_state(&db);
    assert_eq!((n, ok.as_str()), (1, "ok"));
    assert!(
        metrics > 0 && found == said && found > 1000,
        "{metrics} {found} {said}"
    );
    // Kill further imports at points across the run: each leaves either the old or the new state, whole.
    // (A late kill may come after the import committed: then there is one import more, and the next
    // kill is measured against that.)
    let mut n = n;
    for k in 1..=8u32 {
        let delay = full * k / 8;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kaohe"))
            .args(args)
            .current_dir(repo())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let (n2, metrics2, found2, said2, ok2) = db_state(&db);
        assert_eq!(ok2, "ok", "integrity after a kill at {delay:?}");
        assert!(n2 == n || n2 == n + 1, "{n} → {n2}");
        assert_eq!(
            (metrics2, found2),
            (metrics, found),
            "a kill at {delay:?} left a partial import"
        );
        assert_eq!(found2, said2);
        let v = kaohe(&["audit", "verify", "--data", data.to_str().unwrap()]);
        assert_eq!(v.code, 0, "{}", v.stderr);
        n = n2;
    }
}

#[test]
fn backup_then_restore_gives_the_same_data_and_a_sound_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    seeded_demo(&data);
    let b = dir.path().join("backup");
    let o = kaohe(&[
        "backup",
        "--data",
        data.to_str().unwrap(),
        "--out",
        b.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.starts_with("已备份到"));
    // A second backup into the same place is refused, never overwritten.
    assert_eq!(
        kaohe(&[
            "backup",
            "--data",
            data.to_str().unwrap(),
            "--out",
            b.to_str().unwrap()
        ])
        .code,
        2
    );
    let r = dir.path().join("restored");
    let o = kaohe(&[
        "restore",
        "--from",
        b.to_str().unwrap(),
        "--data",
        r.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("审计日志完好"), "{}", o.stdout);
    assert_eq!(
        kaohe(&[
            "restore",
            "--from",
            b.to_str().unwrap(),
            "--data",
            r.to_str().unwrap()
        ])
        .code,
        2
    );
    let a = kaohe(&["audit", "verify", "--data", data.to_str().unwrap()]).stdout;
    let c = kaohe(&["audit", "verify", "--data", r.to_str().unwrap()]).stdout;
    assert_eq!(a, c);
    let (i1, m1, f1, _, _) = db_state(&data.join("kaohe.db"));
    let (i2, m2, f2, _, ok) = db_state(&r.join("kaohe.db"));
    assert_eq!((i1, m1, f1), (i2, m2, f2));
    assert_eq!(ok, "ok");
    // The seal key pair went with the backup and came back: the same key signs after a restore.
    for f in ["seal-sm2.key", "seal-sm2.pub"] {
        let (x, y) = (data.join(f), r.join(f));
        assert!(b.join(f).exists(), "{f} in the backup");
        assert_eq!(
            std::fs::read(&x).unwrap(),
            std::fs::read(&y).unwrap(),
            "{f}"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(r.join("seal-sm2.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// The service on PostgreSQL (`KAOHE_DATABASE`): the demo seeds the database, an import, an account
/// and the audit check go there, nothing is written to `kaohe.db`, and `backup` points to pg_dump.
#[test]
fn the_service_runs_on_postgresql_when_given_a_database() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(url) = rt.block_on(kaohe_store::testdb::fresh()) else {
        return; // no KAOHE_TEST_POSTGRES: nothing to run on (`.ci/run` sets it)
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        let o = kaohe_on(args, Some(&url));
        (o.code, o.stdout, o.stderr)
    };
    // The demo, seeded into PostgreSQL.
    let mut demo = Demo::start(&data, Some(&url));
    assert_eq!(demo.results()["units"].as_array().unwrap().len(), 17);
    demo.stop();
    assert!(!data.join("kaohe.db").exists(), "nothing in SQLite");
    // A second demo into the same database is refused.
    let (code, _, err) = run(&[
        "demo",
        "--data",
        data.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("数据库中已有数据"), "{err}");

    let cases = repo().join("examples/rudong-2021-platform/exports/办件.csv");
    let (code, out, err) = run(&[
        "import",
        "--data",
        data.to_str().unwrap(),
        "--assessment",
        "1",
        "--as",
        "admin",
        "--period",
        "2021-01-01..2021-12-31",
        "--cases",
        cases.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("已导入（第 1 次导入）：6656 行"), "{out}");
    let (code, out, err) = run(&[
        "user",
        "add",
        "--data",
        data.to_str().unwrap(),
        "--login",
        "zhaolei",
        "--name",
        "赵磊",
        "--role",
        "viewer",
        "--password",
        "long-enough-1",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("已新增账户 zhaolei"));
    let (code, out, err) = run(&["audit", "verify", "--data", data.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("审计日志完好"), "{out}");
    let (code, _, err) = run(&[
        "backup",
        "--data",
        data.to_str().unwrap(),
        "--out",
        dir.path().join("b").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("pg_dump"), "{err}");
    // The rows are in PostgreSQL.
    let (imports, users): (i64, i64) = rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
        let i = sqlx::query_scalar("SELECT COUNT(*) FROM imports")
            .fetch_one(&mut c)
            .await
            .unwrap();
        let u = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE login = 'zhaolei'")
            .fetch_one(&mut c)
            .await
            .unwrap();
        (i, u)
    });
    assert_eq!((imports, users), (1, 1));
    // A password in a database address is never printed.
    let (code, _, err) = run(&[
        "audit",
        "verify",
        "--data",
        data.to_str().unwrap(),
        "--database",
        "postgres://kaohe:secret-pw@127.0.0.1/none",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("无法打开数据库 postgres://kaohe:***@127.0.0.1/none")
            && !err.contains("secret-pw"),
        "{err}"
    );
}

/// `kaohe transfer`: the demo's SQLite data into a new data directory (and, with a PostgreSQL test
/// server, into PostgreSQL and back out again), each copy checked by `audit verify`.
#[test]
fn transfer_moves_the_service_whole_between_databases() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    seeded_demo(&data);
    let run = |args: &[&str], database: Option<&str>| {
        let o = kaohe_on(args, database);
        (o.code, o.stdout, o.stderr)
    };
    let verify = |d: &std::path::Path, database: Option<&str>| {
        let (code, out, err) = run(
            &["audit", "verify", "--data", d.to_str().unwrap()],
            database,
        );
        assert_eq!(code, 0, "{err}");
        out
    };
    let entries = verify(&data, None);
    // SQLite → a new data directory.
    let copy = dir.path().join("copy");
    let (code, out, err) = run(
        &[
            "transfer",
            "--data",
            data.to_str().unwrap(),
            "--to",
            copy.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("审计日志完好，各表行数与原库一致"), "{out}");
    assert!(out.contains("users           9 行"), "{out}");
    assert_eq!(verify(&copy, None), entries);
    // Not into a directory that holds data.
    let (code, _, err) = run(
        &[
            "transfer",
            "--data",
            data.to_str().unwrap(),
            "--to",
            copy.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("已有 kaohe.db"), "{err}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(url) = rt.block_on(kaohe_store::testdb::fresh()) else {
        return; // no PostgreSQL test server
    };
    // SQLite → PostgreSQL, then PostgreSQL → a new data directory.
    let (code, out, err) = run(
        &["transfer", "--data", data.to_str().unwrap(), "--to", &url],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("已迁移到 postgres://kaohe:***@"), "{out}");
    assert_eq!(verify(&data, Some(&url)), entries);
    let back = dir.path().join("back");
    let (code, _, err) = run(
        &[
            "transfer",
            "--data",
            data.to_str().unwrap(),
            "--to",
            back.to_str().unwrap(),
        ],
        Some(&url),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(verify(&back, None), entries);
    // An empty database only.
    let (code, _, err) = run(
        &["transfer", "--data", data.to_str().unwrap(), "--to", &url],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("目标数据库中已有数据"), "{err}");
}

/// One HTTP/1.1 request with extra headers and a body of bytes: (status, body).
fn http_bytes(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let out = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    (status, body.to_string())
}

/// What an import stored, without who and when: the import rows, and the metrics and instances
/// each import brought.
fn imported(db: &std::path::Path) -> Vec<String> {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::{Connection, Row};
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let mut out = Vec::new();
        for (sql, cols) in [
            ("SELECT kind, file_name, sha256, rows, receipts FROM imports ORDER BY id", 5),
            ("SELECT unit_code, metric, value FROM metrics WHERE import_id IS NOT NULL ORDER BY unit_code, metric", 3),
            ("SELECT unit_code, clause_id, description, evidence_sha256 FROM findings WHERE import_id IS NOT NULL ORDER BY id", 4),
        ] {
            for r in sqlx::query(sql).fetch_all(&mut c).await.unwrap() {
                let cells: Vec<String> = (0..cols)
                    .map(|i| {
                        r.try_get::<String, _>(i)
                            .or_else(|_| r.try_get::<i64, _>(i).map(|n| n.to_string()))
                            .unwrap_or_default()
                    })
                    .collect();
                out.push(cells.join(" | "));
            }
        }
        out
    })
}

/// Issue 10: the web's staged import and `kaohe import` are one use case (kaohe_app::import) — the
/// same exports imported both ways store the same import: files, rows, receipts with every field,
/// metrics and instances.
#[test]
fn the_web_and_the_command_line_import_the_same_exports_alike() {
    let dir = tempfile::tempdir().unwrap();
    let exports = repo().join("examples/rudong-2021-platform/exports");
    let cases = std::fs::read(exports.join("办件.csv")).unwrap();
    // Through the web: staged, previewed, committed.
    let web = dir.path().join("web");
    let demo = Demo::start(&web, None);
    let (s, head, body) = http(
        &demo.addr,
        "POST",
        "/api/login",
        "",
        r#"{"login":"admin","password":"kaohe-admin-2021"}"#,
    );
    assert_eq!(s, 200, "{body}");
    let csrf = serde_json::from_str::<serde_json::Value>(&body).unwrap()["csrf"]
        .as_str()
        .unwrap()
        .to_string();
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let name = kaohe_store::url::percent_encode("办件.csv", b"._-");
    let auth = [("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf.as_str())];
    let mut h = auth.to_vec();
    h.extend([("X-Kind", "cases"), ("X-File-Name", name.as_str())]);
    let (s, body) = http_bytes(
        &demo.addr,
        "POST",
        "/api/assessments/1/imports/stage",
        &h,
        &cases,
    );
    assert_eq!(s, 200, "{body}");
    let token = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let plan = format!(r#"{{"tokens":["{token}"],"period":"2021-01-01..2021-12-31"}}"#);
    let mut h = auth.to_vec();
    h.push(("Content-Type", "application/json"));
    let (s, body) = http_bytes(
        &demo.addr,
        "POST",
        "/api/assessments/1/imports/commit",
        &h,
        plan.as_bytes(),
    );
    assert_eq!(s, 200, "{body}");
    drop(demo);
    // From the command line, into a demo made the same way.
    let cli = dir.path().join("cli");
    drop(Demo::start(&cli, None));
    let o = kaohe(&[
        "import",
        "--data",
        cli.to_str().unwrap(),
        "--assessment",
        "1",
        "--as",
        "admin",
        "--period",
        "2021-01-01..2021-12-31",
        "--cases",
        exports.join("办件.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let (w, c) = (
        imported(&web.join("kaohe.db")),
        imported(&cli.join("kaohe.db")),
    );
    assert!(w.len() > 40, "{w:?}");
    assert!(
        w[0].contains("\"item\"") && w[0].contains("\"accepted\"") && w[0].contains("\"source\""),
        "{}",
        w[0]
    );
    assert_eq!(w, c);
}
