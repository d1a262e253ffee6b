//! Load test: N concurrent users (threads) sign in to a running kaohe and open the main pages in a loop
//! for a while; prints requests/s and latency percentiles per page and overall. Plain HTTP/1.1 over
//! std's TCP (a new connection per request, as a pessimistic browser without keep-alive would).
//!
//! `cargo run --release -p kaohe --example load -- http://127.0.0.1:8080 50 20 500` (base, users,
//! seconds, mean pause between a user's pages in ms — 0 for no pause, i.e. saturation);
//! `bench/load.sh` starts the demo and runs this against it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// (login, password, pages): the demo's accounts and what each role opens.
const USERS: &[(&str, &str, &[&str])] = &[
    (
        "admin",
        "kaohe-admin-2021",
        &["/", "/a/1", "/a/1/u/320623103", "/a/1/rubric", "/audit"],
    ),
    (
        "zhangwei",
        "kaohe-assessor-2021",
        &["/", "/a/1", "/a/1/u/320623001", "/a/1/u/320623100"],
    ),
    (
        "lina",
        "kaohe-assessor-2021",
        &["/a/1", "/a/1/u/320623103", "/a/1/u/320623111/feedback"],
    ),
    (
        "juegang",
        "kaohe-reporter-2021",
        &["/", "/a/1", "/a/1/u/320623001", "/a/1/rubric"],
    ),
    ("matang", "kaohe-reporter-2021", &["/", "/a/1/u/320623100"]),
    ("leader", "kaohe-viewer-2021", &["/", "/a/1"]),
];

/// (page, latency, HTTP status)
type Sample = (&'static str, Duration, u16);

fn request(addr: &str, req: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    s.write_all(req.as_bytes())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, text))
}

fn sign_in(addr: &str, login: &str, password: &str) -> String {
    let body = format!("{{\"login\":\"{login}\",\"password\":\"{password}\"}}");
    let (status, text) = request(
        addr,
        &format!(
            "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .expect("sign in");
    assert_eq!(status, 200, "sign-in of {login} failed: {text}");
    text.lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let users: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(50);
    let seconds: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(20);
    // Mean pause between a user's pages (uniform in 0..2×think); 0 = no pause (saturation).
    let think: u64 = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(500);
    let addr = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();

    // Sign everyone in first (argon2 is deliberately slow; it is not what is measured).
    let sessions: Vec<(String, &'static [&'static str])> = (0..users)
        .map(|i| {
            let (login, password, pages) = USERS[i % USERS.len()];
            (sign_in(&addr, login, password), pages)
        })
        .collect();
    let samples: Arc<Mutex<Vec<Sample>>> = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let until = start + Duration::from_secs(seconds);
    let threads: Vec<_> = sessions
        .into_iter()
        .enumerate()
        .map(|(i, (cookie, pages))| {
            let (addr, samples) = (addr.clone(), samples.clone());
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                let mut k = i;
                let mut rng = 0x9e37_79b9_7f4a_7c15_u64 ^ i as u64;
                while Instant::now() < until {
                    if think > 0 {
                        rng = rng
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        std::thread::sleep(Duration::from_millis((rng >> 33) % (2 * think)));
                    }
                    let page = pages[k % pages.len()];
                    k += 1;
                    let t = Instant::now();
                    let status = request(
                        &addr,
                        &format!(
                            "GET {page} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
                        ),
                    )
                    .map(|r| r.0)
                    .unwrap_or(0);
                    mine.push((page, t.elapsed(), status));
                }
                samples.lock().unwrap().extend(mine);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let elapsed = start.elapsed();
    let samples = samples.lock().unwrap();
    let bad = samples.iter().filter(|s| s.2 != 200).count();
    let mut pages: Vec<&str> = samples.iter().map(|s| s.0).collect();
    pages.sort();
    pages.dedup();
    println!(
        "{users} users (mean pause {think} ms), {:.1} s: {} requests, {:.0} requests/s, {bad} not 200",
        elapsed.as_secs_f64(),
        samples.len(),
        samples.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "{:<28} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "page", "requests", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    let row = |name: &str, mut d: Vec<Duration>| {
        d.sort();
        println!(
            "{:<28} {:>8} {:>8} {:>8} {:>8} {:>8}",
            name,
            d.len(),
            ms(percentile(&d, 0.5)),
            ms(percentile(&d, 0.9)),
            ms(percentile(&d, 0.99)),
            ms(d.last().copied().unwrap_or_default())
        );
    };
    for p in &pages {
        row(
            p,
            samples.iter().filter(|s| s.0 == *p).map(|s| s.1).collect(),
        );
    }
    row("all", samples.iter().map(|s| s.1).collect());
    if bad > 0 {
        std::process::exit(1);
    }
}
