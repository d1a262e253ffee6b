//! 演示 — `kaohe demo` in a fresh data directory on a free port (the 2021 assessment part-way through
//! 考核, an account for every role), signing in and out of its pages in a [`Browser`], and a JSON
//! call to its API with a session cookie. The server stops and its directory goes when the [`Demo`]
//! is dropped.

use crate::webdriver::Browser;
use serde_json::Value;
use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// What `kaohe demo` prints before its address.
const SERVING: &str = "kaohe 考核服务：";

/// A running `kaohe demo`.
pub struct Demo {
    child: Child,
    /// Where it serves, e.g. `http://127.0.0.1:41234`.
    pub base: String,
    _dir: tempfile::TempDir,
}

/// What the demo's API answered.
#[derive(Debug)]
pub struct ApiAnswer {
    pub status: u16,
    /// The session cookie it set (`name=value`), or empty.
    pub cookie: String,
    /// The JSON body, or `Null` when there was none.
    pub body: Value,
}

impl Demo {
    /// Starts `kaohe demo` (the binary at `kaohe`) in a new temporary directory, on a port the
    /// system picks; returns once it serves. Panics when it does not start.
    pub fn start(kaohe: &Path) -> Demo {
        let dir = tempfile::tempdir().expect("a temporary folder for the demo");
        let mut child = Command::new(kaohe)
            .arg("demo")
            .arg("--data")
            .arg(dir.path().join("d"))
            .args(["--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", kaohe.display()));
        let lines = std::io::BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let mut base = String::new();
        for l in lines {
            let l = l.expect("kaohe demo's output");
            if let Some(a) = l.strip_prefix(SERVING) {
                base = a.to_string();
                break;
            }
        }
        let mut demo = Demo {
            child,
            base,
            _dir: dir,
        };
        if demo.base.is_empty() {
            let status = demo.child.wait();
            panic!("kaohe demo ended before it served: {status:?}");
        }
        demo
    }

    /// The demo's data directory (its SQLite database and audit key), for a test that sets up what
    /// the browser cannot — e.g. a stage moved on at a past moment.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("d")
    }

    /// The address of `path` (`/a/1`) on the demo.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A JSON call to the demo's API with a session cookie and CSRF token (both may be empty,
    /// as for `/api/login`).
    pub fn api(
        &self,
        method: &str,
        path: &str,
        cookie: &str,
        csrf: &str,
        body: &Value,
    ) -> ApiAnswer {
        let addr = self.base.trim_start_matches("http://");
        let body = body.to_string();
        let mut s = std::net::TcpStream::connect(addr).expect("the demo's port");
        write!(s, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nContent-Length: {}\r\n\r\n{body}", body.len()).expect("a request to the demo");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("the demo's answer");
        let (head, rest) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|x| x.parse().ok())
            .unwrap_or(0);
        let cookie = head
            .lines()
            .find_map(|l| l.strip_prefix("set-cookie: "))
            .map(|c| c.split(';').next().unwrap_or("").to_string())
            .unwrap_or_default();
        ApiAnswer {
            status,
            cookie,
            body: serde_json::from_str(rest).unwrap_or(Value::Null),
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Signs in on the sign-in page of the service at `base`; returns once a page with 退出 shows.
    pub fn login(&self, base: &str, login: &str, password: &str) {
        self.goto(&format!("{base}/login"));
        self.type_text("input[name=login]", login);
        self.type_text("input[name=password]", password);
        self.click("button[type=submit]");
        self.wait_for("退出");
    }

    /// Signs out with the header's button; returns once the sign-in page shows.
    pub fn logout(&self) {
        self.click("header button[type=submit]");
        self.wait_for("登录考核系统");
    }
}
