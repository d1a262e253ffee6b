//! A served instance on 127.0.0.1 (issue 9, point 3): slow-header and idle connections closed, the
//! connection cap's 503, a stalled request's timeout — bounded in count and time.

use super::{App, app};
use kaohe_server::limits::Limits;
use kaohe_store::testdb::Db;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Serves `a`'s app on 127.0.0.1 within `limits`: the address.
async fn served(a: &App, limits: Limits) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(kaohe_server::limits::run(listener, a.app.clone(), limits));
    addr
}

/// A plain GET over a new connection: (status line, body). Bounded by 10 s.
async fn get(addr: SocketAddr, path: &str) -> (String, String) {
    tokio::time::timeout(Duration::from_secs(10), async {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf).await;
        let text = String::from_utf8_lossy(&buf).into_owned();
        let status = text.lines().next().unwrap_or_default().to_string();
        let body = text
            .split_once("\r\n\r\n")
            .map(|x| x.1.to_string())
            .unwrap_or_default();
        (status, body)
    })
    .await
    .expect("a normal request answered within 10 s")
}

/// Whether the server closed `s` within `within` (EOF or reset), while the client trickles a header
/// byte every 200 ms.
async fn closed_while_trickling(mut s: TcpStream, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    let mut buf = [0u8; 512];
    loop {
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        if s.write_all(b"X").await.is_err() {
            return true;
        }
        match tokio::time::timeout(Duration::from_millis(200), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {} // the 408/400 answer before closing
            Err(_) => {}
        }
    }
}

/// 2,000 connections that trickle their headers stayed open (and with 1,024 files normal requests
/// timed out). Served with a 1 s header-read timeout, 200 such connections are closed, and a normal
/// request is answered while they hang.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_header_connections_are_closed_and_normal_requests_answered() {
    let a = app(Db::Sqlite).await;
    let addr = served(
        &a,
        Limits {
            header_read: Duration::from_secs(1),
            request: Duration::from_secs(5),
            upload: Duration::from_secs(5),
            max_connections: 1000,
        },
    )
    .await;
    let mut slow = Vec::new();
    for _ in 0..200 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(s);
    }
    let (status, body) = get(addr, "/login").await;
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("登录"));
    let checks: Vec<_> = slow
        .into_iter()
        .map(|s| tokio::spawn(closed_while_trickling(s, Duration::from_secs(8))))
        .collect();
    let mut closed = 0;
    for c in checks {
        closed += usize::from(c.await.unwrap());
    }
    assert_eq!(closed, 200, "slow-header connections left open");
    // An idle kept-alive connection is closed by the same timer.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let eof = tokio::time::timeout(Duration::from_secs(8), async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(eof.is_ok(), "an idle keep-alive connection stayed open");
}

/// Over the connection cap a new connection is answered 503 in Chinese at once (not left hanging);
/// when the held ones time out, requests are served again. A request whose body never comes is
/// answered 503 when its time is up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_get_503_and_a_stalled_request_times_out() {
    let a = app(Db::Sqlite).await;
    let addr = served(
        &a,
        Limits {
            header_read: Duration::from_secs(2),
            request: Duration::from_secs(1),
            upload: Duration::from_secs(1),
            max_connections: 4,
        },
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await; // let the loop accept them
    let (status, body) = get(addr, "/login").await;
    assert!(status.contains("503"), "{status}");
    assert!(
        body.contains("服务器繁忙：同时打开的连接已达上限"),
        "{body}"
    );
    // The held connections time out (2 s) and free their places.
    for mut s in held {
        let mut b = [0u8; 64];
        let r = tokio::time::timeout(Duration::from_secs(8), s.read(&mut b)).await;
        assert!(r.is_ok(), "a held connection was not closed");
    }
    let (status, _) = get(addr, "/login").await;
    assert!(status.contains("200"), "{status}");
    // A body announced and never sent: 503 after the request time (1 s), in Chinese.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"login\"")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let r = tokio::time::timeout(Duration::from_secs(8), s.read_to_end(&mut buf)).await;
    assert!(r.is_ok(), "a stalled request was never answered");
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("请求超时：超过 1 秒未完成"), "{text}");
}
