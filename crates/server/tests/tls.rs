//! HTTPS built in (issue 14 part 5): the service started with a self-signed certificate answers over
//! TLS, every response carries HSTS, the session cookie is `Secure`; a certificate file that is not
//! one is an error naming it.

use super::app;
use super::service::with_settings;
use kaohe_server::Settings;
use kaohe_store::testdb::Db;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::{self, pki_types};

kaohe_store::on_both!(the_service_speaks_https_with_hsts_and_secure_cookies);

/// One request over a new TLS connection trusting only `ca`: the raw response text.
async fn https(
    addr: std::net::SocketAddr,
    ca: &pki_types::CertificateDer<'static>,
    req: &str,
) -> String {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    tokio::time::timeout(Duration::from_secs(10), async {
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let name = pki_types::ServerName::try_from("localhost").unwrap();
        let mut s = connector.connect(name, tcp).await.unwrap();
        s.write_all(req.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf).await;
        String::from_utf8_lossy(&buf).into_owned()
    })
    .await
    .expect("answered within 10 s")
}

async fn the_service_speaks_https_with_hsts_and_secure_cookies(db: Db) {
    let a = app(db).await;
    let dir = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    let acceptor = kaohe_server::tls::acceptor(&cert, &key).unwrap();
    let app = with_settings(
        &a,
        Settings {
            https: true,
            ..Settings::default()
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(kaohe_server::limits::run_tls(
        listener,
        app,
        kaohe_server::limits::Limits::default(),
        Some(acceptor),
    ));
    let ca = ck.cert.der().clone();
    let page = https(
        addr,
        &ca,
        "GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page:.300}");
    let lower = page.to_lowercase();
    assert!(
        lower.contains("strict-transport-security: max-age=31536000"),
        "{page:.600}"
    );
    let body = r#"{"login":"admin","password":"password-123"}"#;
    let login = https(
        addr,
        &ca,
        &format!("POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()),
    )
    .await;
    assert!(login.starts_with("HTTP/1.1 200"), "{login:.600}");
    let cookie = login
        .lines()
        .find(|l| l.to_lowercase().starts_with("set-cookie:"))
        .unwrap_or_else(|| panic!("no cookie: {login:.600}"));
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    // Plain HTTP to the TLS port gets no page.
    let mut plain = tokio::net::TcpStream::connect(addr).await.unwrap();
    plain
        .write_all(b"GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), plain.read_to_end(&mut buf)).await;
    assert!(!String::from_utf8_lossy(&buf).contains("HTTP/1.1 200"));
    // Files that are not a certificate and a key are named.
    std::fs::write(dir.path().join("bad.pem"), "not a certificate").unwrap();
    let e = kaohe_server::tls::acceptor(&dir.path().join("bad.pem"), &key)
        .err()
        .unwrap();
    assert!(e.contains("bad.pem") && e.contains("没有证书"), "{e}");
    let e = kaohe_server::tls::acceptor(&cert, &cert).err().unwrap();
    assert!(e.contains("没有可用的私钥"), "{e}");
    let e = kaohe_server::tls::acceptor(&dir.path().join("none.pem"), &key)
        .err()
        .unwrap();
    assert!(e.contains("无法读取证书文件"), "{e}");
}
