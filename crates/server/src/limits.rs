//! 服务的限度 — what keeps one client from taking the service down for everyone else.
//!
//! | limit | default | what happens past it |
//! |---|---|---|
//! | request headers read | 10 s from the first byte awaited | connection closed (hyper's `header_read_timeout`) |
//! | idle keep-alive connection | 10 s (the same timer: it runs while waiting for the next request) | connection closed |
//! | whole request (handler incl. reading the body) | 60 s; uploads 15 min | 503 in Chinese |
//! | open connections | open-file limit − 128, at most 10,000 | 503 in Chinese, closed at once |
//! | JSON and form bodies | 1 MiB | 413 in Chinese naming the limit |
//! | evidence file | 20 MiB | 413 |
//! | platform export (imports/stage) | 512 MiB, streamed to disk | 413 |
//!
//! Uploads get 15 minutes because a 512 MiB export over a 10 Mbit/s county link takes about 7
//! minutes; every other request is answered in well under a second, so 60 s only stops a client
//! that trickles its body. When the connection cap is reached a new connection is accepted and
//! answered at once with 503 ("服务器繁忙") rather than left in the kernel's backlog, where it would
//! wait behind slow clients with no word to the user; a failed `accept` (EMFILE: out of open files)
//! waits 100 ms and tries again, so the loop neither spins nor ends, and the waiting connections stay
//! in the kernel backlog until a file is free.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Body of an ordinary JSON or form request.
pub const JSON_BODY: usize = 1024 * 1024;
/// A platform export staged for import.
pub const IMPORT_BODY: usize = 512 * 1024 * 1024;
/// An evidence file.
pub const EVIDENCE_BODY: usize = kaohe_store::evidence::MAX_BYTES;

/// The connection limits of [`run`].
#[derive(Clone, Debug)]
pub struct Limits {
    /// Time to send a request's headers, and to start the next request on a kept-alive connection.
    pub header_read: Duration,
    /// Time for a whole request but an upload (the handler, reading the body included).
    pub request: Duration,
    /// Time for an upload (imports/stage, evidence).
    pub upload: Duration,
    /// Connections open at once.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_read: Duration::from_secs(10),
            request: Duration::from_secs(60),
            upload: Duration::from_secs(15 * 60),
            max_connections: default_max_connections(),
        }
    }
}

/// Raises the soft open-file limit to the hard one (at most 65,536) and leaves 128 files for the
/// database, evidence and staged files: the connection cap. 1,024 files give 896 connections.
pub fn default_max_connections() -> usize {
    #[cfg(unix)]
    {
        // SAFETY: getrlimit/setrlimit only read and write the struct passed.
        unsafe {
            let mut r = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) == 0 {
                let want = r.rlim_max.min(65_536);
                if want > r.rlim_cur {
                    let raised = libc::rlimit {
                        rlim_cur: want,
                        rlim_max: r.rlim_max,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                        r.rlim_cur = want;
                    }
                }
                return (r.rlim_cur as usize).saturating_sub(128).clamp(64, 10_000);
            }
        }
    }
    896
}

/// Whether a request is an upload (longer time, larger body).
fn upload_limit(method: &Method, path: &str) -> Option<usize> {
    // A unit page's forms that carry files (an objection's, a finding's photo, one added or
    // replaced): see `web::files`.
    if method == Method::POST
        && path.starts_with("/a/")
        && path.contains("/u/")
        && (path.ends_with("/object") || path.ends_with("/finding") || path.ends_with("/files"))
    {
        return Some(crate::web::files::FORM_FILES_BODY);
    }
    if !path.starts_with("/api/assessments/") {
        return None;
    }
    if method == Method::POST && path.ends_with("/imports/stage") {
        Some(IMPORT_BODY)
    } else if method == Method::PUT && path.ends_with("/evidence") && path.contains("/clauses/") {
        Some(EVIDENCE_BODY)
    } else {
        None
    }
}

/// The body limit of a route.
pub fn body_limit(method: &Method, path: &str) -> usize {
    upload_limit(method, path).unwrap_or(JSON_BODY)
}

/// The limit in words: `1 MB`, `512 MB`.
pub fn size_text(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{} MB", n / (1024 * 1024))
    } else {
        format!("{} KB", n.div_ceil(1024))
    }
}

/// 413 naming the limit.
pub fn too_large(limit: usize) -> crate::error::AppError {
    crate::error::AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "{}：上限 {}（{} 字节）",
            if limit > JSON_BODY {
                "文件过大"
            } else {
                "请求内容过大"
            },
            size_text(limit),
            limit
        ),
    )
}

/// Middleware: refuses a declared length over the route's limit before anything is read, and caps
/// what is read of an undeclared one (the extractors then answer 413, put in Chinese by
/// [`crate::error::chinese_rejections`]).
pub async fn body_limits(
    req: Request<Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = body_limit(req.method(), req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(limit).into_response();
    }
    let req = req.map(|b| Body::new(http_body_util::Limited::new(b, limit)));
    next.run(req).await
}

/// Reads a body streaming, at most `limit` bytes, handing each chunk to `sink`; 413 when over.
pub async fn read_body<F>(body: Body, limit: usize, mut sink: F) -> crate::error::ApiResult<usize>
where
    F: FnMut(&[u8]) -> crate::error::ApiResult<()>,
{
    use http_body_util::BodyExt;
    let mut body = body;
    let mut n = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            if is_length_limit(&e) {
                too_large(limit)
            } else {
                crate::error::AppError::new(StatusCode::BAD_REQUEST, "上传中断：未收到完整的文件")
            }
        })?;
        if let Ok(data) = frame.into_data() {
            n += data.len();
            if n > limit {
                return Err(too_large(limit));
            }
            sink(&data)?;
        }
    }
    Ok(n)
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        src = s.source();
    }
    false
}

/// Serves `app` on `listener` within `limits` until the process ends.
pub async fn run(listener: TcpListener, app: Router, limits: Limits) -> std::io::Result<()> {
    run_tls(listener, app, limits, None).await
}

/// [`run`], with each connection's TLS handshake first when `tls` is given (within the header
/// timeout: a client that stalls the handshake is closed like one that stalls its headers).
pub async fn run_tls(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> std::io::Result<()> {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    // Refusals in flight (each at most 1 s); past this a refused connection is simply closed.
    let refusing = Arc::new(Semaphore::new(64));
    let mut last_error_log = None::<std::time::Instant>;
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                // Out of files or memory, or a connection that died in the backlog: the loop goes on.
                if last_error_log.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                    eprintln!("kaohe-server: 接受连接失败（{e}），稍后重试");
                    last_error_log = Some(std::time::Instant::now());
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            if let Ok(p) = refusing.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    let _p = p;
                    let _ = tokio::time::timeout(Duration::from_secs(1), refuse(stream)).await;
                });
            }
            continue;
        };
        let app = app.clone();
        let limits = limits.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _ = stream.set_nodelay(true);
            let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let app = app.clone();
                let time = if upload_limit(req.method(), req.uri().path()).is_some() {
                    limits.upload
                } else {
                    limits.request
                };
                let mut req = req.map(Body::new);
                req.extensions_mut().insert(ConnectInfo(peer));
                async move {
                    match tokio::time::timeout(time, app.oneshot(req)).await {
                        Ok(r) => r,
                        Err(_) => Ok(timed_out(time)),
                    }
                }
            });
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(limits.header_read)
                .keep_alive(true);
            match tls {
                None => {
                    let _ = http.serve_connection(TokioIo::new(stream), svc).await;
                }
                Some(acceptor) => {
                    if let Ok(Ok(s)) =
                        tokio::time::timeout(limits.header_read, acceptor.accept(stream)).await
                    {
                        let _ = http.serve_connection(TokioIo::new(s), svc).await;
                    }
                }
            }
        });
    }
}

fn timed_out(time: Duration) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut r = crate::error::AppError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("请求超时：超过 {} 秒未完成，请稍后重试", time.as_secs()),
    )
    .into_response();
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// Answers a connection over the cap with 503 and closes it.
async fn refuse(mut stream: TcpStream) {
    let body = "{\"error\":\"服务器繁忙：同时打开的连接已达上限，请稍后重试\"}";
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nretry-after: 5\r\nconnection: close\r\n\r\n",
        body.len()
    );
    if stream.write_all(head.as_bytes()).await.is_err()
        || stream.write_all(body.as_bytes()).await.is_err()
    {
        return;
    }
    let _ = stream.shutdown().await;
    // Read what the client sent so that closing does not reset the connection before it reads the answer.
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}
