//! 剩余信息保护 and 安全审计 from outside (issue 14): the real `kaohe serve` binary, signed in to
//! (successfully and not, through the API and the sign-in form) and asked to change a password,
//! never writes a password to its standard output or standard error — the operator's console and
//! the system journal that keeps it.

use super::support::kaohe;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

const OLD: &str = "Initial-Pass-7q";
const NEW: &str = "Changed-Pass-3k!";
const WRONG: &str = "Wrong-Guess-5z";
const WEAK: &str = "weakpass12";

/// One HTTP/1.1 request to `addr`: the status line, the headers and the body.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

fn header<'a>(resp: &'a str, name: &str) -> &'a str {
    resp.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
        .unwrap_or_else(|| panic!("no {name} in {resp}"))
}

#[test]
fn the_server_never_writes_a_password_to_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_s = data.to_str().unwrap();
    let out = kaohe(&[
        "user",
        "add",
        "--data",
        data_s,
        "--login",
        "zhangwei",
        "--name",
        "张伟",
        "--role",
        "admin",
        "--password",
        OLD,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut child = Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(["serve", "--data", data_s, "--addr", "127.0.0.1:0"])
        .env_remove("KAOHE_DATABASE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let addr = first
        .trim()
        .rsplit("://")
        .next()
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    let rest = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).unwrap();
        s
    });
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        stderr.read_to_string(&mut s).unwrap();
        s
    });
    let json = [("Content-Type", "application/json")];
    // A failed sign-in, through the API and through the form.
    let r = http(
        &addr,
        "POST",
        "/api/login",
        &json,
        &format!(r#"{{"login":"zhangwei","password":"{WRONG}"}}"#),
    );
    assert!(r.starts_with("HTTP/1.1 401"), "{r}");
    let r = http(
        &addr,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &format!("login=zhangwei&password={WRONG}"),
    );
    assert!(!r.contains(WRONG), "the form echoes the password: {r}");
    // A successful one, then the forced change: a weak new password refused, a good one taken.
    let r = http(
        &addr,
        "POST",
        "/api/login",
        &json,
        &format!(r#"{{"login":"zhangwei","password":"{OLD}"}}"#),
    );
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    let cookie = header(&r, "set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body = &r[r.find("\r\n\r\n").unwrap() + 4..];
    let csrf = body
        .split("\"csrf\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no csrf in {body}"))
        .to_string();
    let me = [
        ("Content-Type", "application/json"),
        ("Cookie", cookie.as_str()),
        ("x-csrf-token", csrf.as_str()),
    ];
    for (new, want) in [(WEAK, "HTTP/1.1 422"), (NEW, "HTTP/1.1 200")] {
        let r = http(
            &addr,
            "POST",
            "/api/me/password",
            &me,
            &format!(r#"{{"old":"{OLD}","new":"{new}"}}"#),
        );
        assert!(r.starts_with(want), "{new}: {r}");
        assert!(!r.contains(OLD) && !r.contains(new), "echoed: {r}");
    }
    let r = http(
        &addr,
        "POST",
        "/api/login",
        &json,
        &format!(r#"{{"login":"zhangwei","password":"{NEW}"}}"#),
    );
    assert!(
        r.starts_with("HTTP/1.1 200"),
        "the new password signs in: {r}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let output = format!("{first}{}{}", rest.join().unwrap(), errors.join().unwrap());
    assert!(
        output.contains("kaohe 考核服务"),
        "the output was read: {output}"
    );
    for p in [OLD, NEW, WRONG, WEAK] {
        assert!(!output.contains(p), "{p} written by the server:\n{output}");
    }
}

/// `--client-cert-header` is taken only behind the gateway (`--behind-https`): alone, or with the
/// service's own HTTPS (no gateway to verify certificates), the start stops with a Chinese error.
#[test]
fn a_certificate_header_without_the_gateway_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let cert = dir.path().join("c.pem");
    let cert = cert.to_str().unwrap();
    for extra in [
        &[][..],
        &["--tls-cert", cert, "--tls-key", cert, "--behind-https"][..],
    ] {
        let mut args = vec![
            "serve",
            "--data",
            data,
            "--addr",
            "127.0.0.1:0",
            "--client-cert-header",
            "X-Client-Cert",
        ];
        args.extend_from_slice(extra);
        let out = kaohe(&args);
        assert_ne!(out.code, 0, "{}", out.stdout);
        assert!(
            out.stderr
                .contains("--client-cert-header 只能与 --behind-https 一起使用"),
            "{}",
            out.stderr
        );
    }
    let out = kaohe(&[
        "serve",
        "--data",
        data,
        "--behind-https",
        "--client-cert-header",
        "bad header",
    ]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("不是有效的请求头名称"),
        "{}",
        out.stderr
    );
}
