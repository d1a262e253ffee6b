//! Attack/load figures for issue 9 ("a service that stays up"), against a `kaohe demo` on 127.0.0.1
//! only, bounded in count and time. Prints one block of figures per part:
//!
//! - (a) a login flood: 16 threads signing in as fast as they can for at most 20 s, while one client
//!   measures `GET /api/me` (p50/p99), with a 5 s baseline before;
//! - (b) 2,000 connections trickling their headers (one byte each per second) while one client measures
//!   `GET /login`; how many of the 2,000 the server closed, and when;
//! - (c) 300 sign-ins with 1.9 MB login names, then 4 parallel 400 MiB uploads by a viewer to
//!   `imports/stage`: the server's VmRSS/VmHWM (from /proc/PID/status) before and after each.
//!
//! `cargo run --release -p kaohe --example attack -- 127.0.0.1:PORT SERVER_PID [a|b|c]…`;
//! `bench/attack.sh` starts the demo and runs every part.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

/// One request on a new connection (`Connection: close`); `None` on a network error or after 30 s.
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<Answer> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).ok()?;
    let _ = s.write_all(body); // the server may answer (and close) before reading a refused body
    read_answer(&mut s)
}

fn read_answer(s: &mut TcpStream) -> Option<Answer> {
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let (head, _) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let at = head.len() + 4;
    Some(Answer {
        status,
        head: head.to_string(),
        body: buf[at.min(buf.len())..].to_vec(),
    })
}

/// (cookie, csrf) of a signed-in user.
fn sign_in(addr: SocketAddr, login: &str, password: &str) -> (String, String) {
    let body = format!("{{\"login\":\"{login}\",\"password\":\"{password}\"}}");
    let a = request(
        addr,
        "POST",
        "/api/login",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
    .expect("sign-in answered");
    assert_eq!(
        a.status,
        200,
        "sign-in as {login}: {}",
        String::from_utf8_lossy(&a.body)
    );
    let cookie = a
        .head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie:")
                .then(|| l[11..].trim().split(';').next().unwrap().to_string())
        })
        .expect("a cookie");
    let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
    (cookie, v["csrf"].as_str().unwrap().to_string())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Times `path` (a new connection each) until `stop`; latencies and failures.
fn measure(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
    stop: &AtomicBool,
    pause: Duration,
) -> (Vec<Duration>, usize) {
    let mut lat = Vec::new();
    let mut failed = 0;
    while !stop.load(Ordering::SeqCst) {
        let t = Instant::now();
        let headers: Vec<(&str, &str)> = cookie.map(|c| vec![("Cookie", c)]).unwrap_or_default();
        match request(addr, "GET", path, &headers, b"") {
            Some(a) if a.status == 200 => lat.push(t.elapsed()),
            _ => failed += 1,
        }
        std::thread::sleep(pause);
    }
    lat.sort();
    (lat, failed)
}

fn report(what: &str, lat: &[Duration], failed: usize) {
    println!(
        "  {what}: {} requests, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {failed} failed",
        lat.len(),
        percentile(lat, 0.5),
        percentile(lat, 0.99),
        lat.last()
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(f64::NAN)
    );
}

fn memory(pid: u32) -> String {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let get = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map(|kb| kb / 1024)
            .unwrap_or(0)
    };
    format!("VmRSS {} MB, VmHWM {} MB", get("VmRSS:"), get("VmHWM:"))
}

fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// (a) 16 threads flood /api/login (the right password, as a crowd signing in would) for 20 s.
fn login_flood(addr: SocketAddr, pid: u32) {
    println!("(a) login flood: 16 threads × 20 s, measuring GET /api/me");
    let (cookie, _) = sign_in(addr, "admin", "kaohe-admin-2021");
    let stop = AtomicBool::new(false);
    std::thread::scope(|sc| {
        let h = sc.spawn(|| {
            measure(
                addr,
                "/api/me",
                Some(&cookie),
                &stop,
                Duration::from_millis(20),
            )
        });
        std::thread::sleep(Duration::from_secs(5));
        stop.store(true, Ordering::SeqCst);
        let (lat, failed) = h.join().unwrap();
        report("/api/me alone", &lat, failed);
    });
    let stop = AtomicBool::new(false);
    let counts = Mutex::new(std::collections::BTreeMap::<u16, usize>::new());
    std::thread::scope(|sc| {
        for _ in 0..16 {
            sc.spawn(|| {
                let body = br#"{"login":"leader","password":"kaohe-viewer-2021"}"#;
                while !stop.load(Ordering::SeqCst) {
                    let s = request(
                        addr,
                        "POST",
                        "/api/login",
                        &[("Content-Type", "application/json")],
                        body,
                    )
                    .map(|a| a.status)
                    .unwrap_or(0);
                    *counts.lock().unwrap().entry(s).or_default() += 1;
                }
            });
        }
        let h = sc.spawn(|| {
            measure(
                addr,
                "/api/me",
                Some(&cookie),
                &stop,
                Duration::from_millis(20),
            )
        });
        std::thread::sleep(Duration::from_secs(20));
        stop.store(true, Ordering::SeqCst);
        let (lat, failed) = h.join().unwrap();
        report("/api/me during the flood", &lat, failed);
    });
    println!(
        "  sign-ins answered by status (0 = no answer): {:?}",
        counts.into_inner().unwrap()
    );
    println!("  server: {}", memory(pid));
}

/// (b) 2,000 connections trickle their headers, one byte per second each, for at most 25 s.
fn slow_headers(addr: SocketAddr, pid: u32) {
    const N: usize = 2000;
    println!("(b) {N} slow-header connections, measuring GET /login");
    let fds_before = open_files(pid);
    let mut conns: Vec<Option<TcpStream>> = Vec::new();
    let mut refused = 0;
    for _ in 0..N {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
            Ok(mut s) => {
                let _ = s.set_nonblocking(true);
                let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
                conns.push(Some(s));
            }
            Err(_) => refused += 1,
        }
    }
    println!(
        "  opened {} ({refused} refused); server open files {} → {}",
        conns.len(),
        fds_before,
        open_files(pid)
    );
    let stop = AtomicBool::new(false);
    let closed_at = Mutex::new(Vec::<Duration>::new());
    let start = Instant::now();
    std::thread::scope(|sc| {
        let h = sc.spawn(|| measure(addr, "/login", None, &stop, Duration::from_millis(50)));
        while start.elapsed() < Duration::from_secs(25) && conns.iter().any(|c| c.is_some()) {
            for c in conns.iter_mut() {
                let Some(s) = c else { continue };
                let mut b = [0u8; 1024];
                let gone = match s.read(&mut b) {
                    Ok(0) => true,
                    Ok(_) => false,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => s.write(b"X").is_err(),
                    Err(_) => true,
                };
                if gone {
                    closed_at.lock().unwrap().push(start.elapsed());
                    *c = None;
                }
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        stop.store(true, Ordering::SeqCst);
        let (lat, failed) = h.join().unwrap();
        report("/login during the slow connections", &lat, failed);
    });
    let mut at = closed_at.into_inner().unwrap();
    at.sort();
    println!(
        "  closed by the server: {} of {}, the first after {:.1} s, the last after {:.1} s; still open {}",
        at.len(),
        conns.len(),
        at.first().map(|d| d.as_secs_f64()).unwrap_or(f64::NAN),
        at.last().map(|d| d.as_secs_f64()).unwrap_or(f64::NAN),
        conns.iter().filter(|c| c.is_some()).count()
    );
    println!(
        "  server open files afterwards {}; {}",
        open_files(pid),
        memory(pid)
    );
}

/// (c) 300 sign-ins with 1.9 MB logins; 4 parallel 400 MiB uploads by a viewer.
fn memory_attacks(addr: SocketAddr, pid: u32) {
    println!("(c) memory: before {}", memory(pid));
    let login = "x".repeat(1_900_000);
    let body = format!("{{\"login\":\"{login}\",\"password\":\"x\"}}");
    let statuses = Mutex::new(std::collections::BTreeMap::<u16, usize>::new());
    let next = AtomicUsize::new(0);
    std::thread::scope(|sc| {
        for _ in 0..8 {
            sc.spawn(|| {
                while next.fetch_add(1, Ordering::SeqCst) < 300 {
                    let mut b = body.clone();
                    b.replace_range(12..20, &format!("{:08}", next.load(Ordering::SeqCst)));
                    let s = request(
                        addr,
                        "POST",
                        "/api/login",
                        &[("Content-Type", "application/json")],
                        b.as_bytes(),
                    )
                    .map(|a| a.status)
                    .unwrap_or(0);
                    *statuses.lock().unwrap().entry(s).or_default() += 1;
                }
            });
        }
    });
    println!(
        "  300 sign-ins with 1.9 MB logins: {:?}; after {}",
        statuses.into_inner().unwrap(),
        memory(pid)
    );
    let (cookie, csrf) = sign_in(addr, "leader", "kaohe-viewer-2021");
    let chunk = vec![b'0'; 1024 * 1024];
    let t = Instant::now();
    let results: Vec<String> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..4)
            .map(|_| {
                sc.spawn(|| {
                    let Ok(mut s) = TcpStream::connect(addr) else { return "no connection".to_string() };
                    let _ = s.set_read_timeout(Some(Duration::from_secs(60)));
                    let head = format!(
                        "POST /api/assessments/1/imports/stage HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nX-Kind: cases\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        400usize * 1024 * 1024
                    );
                    let _ = s.write_all(head.as_bytes());
                    let mut sent = 0usize;
                    for _ in 0..400 {
                        if s.write_all(&chunk).is_err() {
                            break;
                        }
                        sent += chunk.len();
                    }
                    let status = read_answer(&mut s).map(|a| a.status.to_string()).unwrap_or_else(|| "no answer".into());
                    format!("{status} after {} MiB sent", sent / (1024 * 1024))
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    println!(
        "  4 × 400 MiB viewer uploads in {:.1} s: {results:?}; after {}",
        t.elapsed().as_secs_f64(),
        memory(pid)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr: SocketAddr = args
        .first()
        .expect("127.0.0.1:PORT")
        .parse()
        .expect("an address");
    assert!(addr.ip().is_loopback(), "only against 127.0.0.1");
    let pid: u32 = args
        .get(1)
        .expect("the server's PID")
        .parse()
        .expect("a PID");
    let parts: Vec<&str> = if args.len() > 2 {
        args[2..].iter().map(|s| s.as_str()).collect()
    } else {
        vec!["a", "b", "c"]
    };
    println!("server at start: {}", memory(pid));
    for p in parts {
        match p {
            "a" => login_flood(addr, pid),
            "b" => slow_headers(addr, pid),
            "c" => memory_attacks(addr, pid),
            other => eprintln!("unknown part {other}"),
        }
    }
}
