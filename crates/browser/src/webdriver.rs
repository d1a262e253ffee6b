//! WebDriver — a chromedriver started on a free port, one headless Chromium session in it with a
//! window size, and the commands the tests and tools use (go to, find, click, type, read the text,
//! wait for a text, run a script, take a screenshot): JSON over HTTP/1.1 (W3C WebDriver), no client
//! library. The session and the driver end when the [`Browser`] is dropped.

use serde_json::{Value, json};
use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The pause between two tries of anything polled.
const PAUSE: Duration = Duration::from_millis(100);
/// How often a command is sent while chromedriver does not answer (with [`PAUSE`]: 5 s).
const COMMAND_TRIES: u32 = 50;
/// How long one answer of chromedriver may take.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);
/// How often chromedriver is asked whether it is ready before the session is asked for (10 s).
const READY_TRIES: u32 = 100;
/// How often [`Browser::wait_for`] reads the page before it gives up (15 s of pauses).
const WAIT_TRIES: u32 = 150;
/// The narrowest window headless Chromium makes; narrower ones are emulated.
const MIN_WIDTH: u32 = 500;
/// Debian's Chromium.
const CHROMIUM: &str = "/usr/bin/chromium";

/// A browser window's size in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub width: u32,
    pub height: u32,
}

impl Window {
    /// The smallest desktop the pages are made for (1366×768).
    pub const DESKTOP: Window = Window {
        width: 1366,
        height: 768,
    };
    /// A phone held upright (390×844).
    pub const PHONE: Window = Window {
        width: 390,
        height: 844,
    };
}

/// An element of the current page, as chromedriver names it (valid until the page changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(String);

impl Element {
    /// chromedriver's id of the element, for [`Browser::command`] paths (`/element/{id}/…`).
    pub fn id(&self) -> &str {
        &self.0
    }
}

/// A chromedriver with one headless Chromium session (its own profile, removed afterwards).
pub struct Browser {
    driver: Child,
    addr: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium session with a window of `window`.
    /// Panics when chromedriver cannot be started or gives no session.
    pub fn start(window: Window) -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (apt install chromium-driver)");
        let addr = format!("127.0.0.1:{port}");
        for _ in 0..READY_TRIES {
            if try_http(&addr, "GET", "/status", None).is_ok_and(|v| v["value"]["ready"] == true) {
                break;
            }
            std::thread::sleep(PAUSE);
        }
        let profile = tempfile::tempdir().expect("a temporary folder for Chromium's profile");
        let caps = json!({ "capabilities": { "alwaysMatch": { "browserName": "chrome", "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", format!("--window-size={},{}", window.width, window.height), format!("--user-data-dir={}", profile.path().display())]
        } } } });
        let v = http(&addr, "POST", "/session", Some(&caps));
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        let b = Browser {
            driver,
            addr,
            session,
            _profile: profile,
        };
        b.emulate(window);
        b
    }

    /// Headless Chromium keeps a window at least 500 pixels wide: a narrower window (a phone) is
    /// made by Chromium's device emulation (DevTools' `Emulation.setDeviceMetricsOverride`, a
    /// viewport of exactly that size); a wider one clears it. Not as a "mobile" device: that one
    /// widens its viewport to a page that is too wide (zoomed out), so a page scrolling sideways
    /// would not show in `innerWidth`.
    fn emulate(&self, window: Window) {
        let (cmd, params) = match window.width < MIN_WIDTH {
            true => (
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": window.width, "height": window.height, "deviceScaleFactor": 1, "mobile": false }),
            ),
            false => ("Emulation.clearDeviceMetricsOverride", json!({})),
        };
        self.command(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        );
    }

    /// A WebDriver command on this session (`path` after `/session/{id}`), its answer's `value`.
    pub fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        http(
            &self.addr,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        )["value"]
            .clone()
    }

    /// Opens `url` (returns once the page has loaded).
    pub fn goto(&self, url: &str) {
        self.command("POST", "/url", Some(json!({ "url": url })));
    }

    /// The first element `css` selects; panics when there is none.
    pub fn find(&self, css: &str) -> Element {
        self.try_find(css)
            .unwrap_or_else(|v| panic!("no element {css}: {v}"))
    }

    fn try_find(&self, css: &str) -> Result<Element, Value> {
        let v = self.command(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        match v
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
        {
            Some(id) => Ok(Element(id.to_string())),
            None => Err(v),
        }
    }

    /// Clicks the element `css` selects.
    pub fn click(&self, css: &str) {
        let e = self.find(css);
        self.command("POST", &format!("/element/{}/click", e.0), Some(json!({})));
    }

    /// Clears the field `css` selects and types `text` into it (`\u{E007}` is Enter).
    pub fn type_text(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.command("POST", &format!("/element/{}/clear", e.0), Some(json!({})));
        self.send_keys(&e, text);
    }

    /// Chooses `file` in the file input `css` selects. chromedriver wants a plain absolute path
    /// (no `..`).
    pub fn choose_file(&self, css: &str, file: &Path) {
        let e = self.find(css);
        let path = file.to_str().expect("a file path in UTF-8");
        self.send_keys(&e, path);
    }

    fn send_keys(&self, e: &Element, text: &str) {
        self.command(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        );
    }

    /// The DOM property `name` of the element `css` selects (e.g. a textarea's `value`).
    pub fn property(&self, css: &str, name: &str) -> Value {
        let e = self.find(css);
        self.command("GET", &format!("/element/{}/property/{name}", e.0), None)
    }

    /// The page's text as shown (the body's), or nothing while there is no body.
    pub fn text(&self) -> String {
        match self.try_find("body") {
            Ok(e) => self
                .command("GET", &format!("/element/{}/text", e.0), None)
                .as_str()
                .unwrap_or_default()
                .to_string(),
            Err(_) => String::new(),
        }
    }

    /// The page text once it contains `needle` (a submitted form loads the next page after the
    /// click returns); panics with the page text after 15 s.
    pub fn wait_for(&self, needle: &str) -> String {
        let mut t = String::new();
        for _ in 0..WAIT_TRIES {
            t = self.text();
            if t.contains(needle) {
                return t;
            }
            std::thread::sleep(PAUSE);
        }
        panic!("the page never showed “{needle}”:\n{t}");
    }

    /// Runs `script` (a function body; `return` gives the value) in the page, and what it returned.
    pub fn execute(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Resizes the window (below 500 pixels wide, by device emulation).
    pub fn set_window(&self, window: Window) {
        self.command(
            "POST",
            "/window/rect",
            Some(json!({ "width": window.width, "height": window.height })),
        );
        self.emulate(window);
    }

    /// Turns the page's JavaScript off (`false`) or on again (`true`) — DevTools'
    /// `Emulation.setScriptExecutionDisabled`, as a browser with scripts blocked. The pages' own
    /// scripts stop; chromedriver's commands (find, click, type, [`Browser::execute`]) still work.
    /// It holds for the pages opened afterwards, until turned on again.
    pub fn set_scripts(&self, on: bool) {
        self.command(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": "Emulation.setScriptExecutionDisabled", "params": { "value": !on } })),
        );
    }

    /// The visible part of the page as a PNG.
    pub fn screenshot(&self) -> Vec<u8> {
        let png = self.command("GET", "/screenshot", None);
        crate::base64::decode(
            png.as_str()
                .unwrap_or_else(|| panic!("no screenshot: {png}")),
        )
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(
            &self.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A TCP port free on 127.0.0.1 a moment ago.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}

/// A command sent until chromedriver answers; panics after [`COMMAND_TRIES`].
fn http(addr: &str, method: &str, path: &str, body: Option<&Value>) -> Value {
    for _ in 0..COMMAND_TRIES {
        if let Ok(v) = try_http(addr, method, path, body) {
            return v;
        }
        std::thread::sleep(PAUSE);
    }
    panic!("chromedriver at {addr} does not answer {method} {path}");
}

fn try_http(addr: &str, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Value> {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(ANSWER_TIMEOUT))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    // Read the head, then exactly Content-Length bytes (chromedriver may keep the connection open).
    let mut r = std::io::BufReader::new(s);
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            break;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf)?;
    Ok(serde_json::from_slice(&buf).unwrap_or(Value::Null))
}
