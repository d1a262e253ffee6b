//! HTTPS 内置 — the service speaking TLS itself (`kaohe serve --tls-cert F --tls-key F`): rustls with
//! the *ring* provider, TLS 1.2 and 1.3, HTTP/1.1. The certificate chain and the private key are PEM
//! files, each at most [`MAX_PEM_BYTES`]; a file that cannot be used is an error in Chinese naming
//! it. A 国密 TLCP (GB/T 38636) front is a gateway's job: see docs/等保与密评.md.

use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types};

/// The largest certificate or key file read.
pub const MAX_PEM_BYTES: u64 = 1024 * 1024;

fn read_pem(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    let len = std::fs::metadata(path)
        .map_err(|e| format!("无法读取{what} {}：{e}", path.display()))?
        .len();
    if len > MAX_PEM_BYTES {
        return Err(format!(
            "{what} {} 过大：{len} 字节，上限 {} 字节",
            path.display(),
            MAX_PEM_BYTES
        ));
    }
    std::fs::read(path).map_err(|e| format!("无法读取{what} {}：{e}", path.display()))
}

/// A TLS acceptor for the certificate chain in `cert` and the private key in `key` (PEM).
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, String> {
    use pki_types::pem::PemObject;
    let certs: Vec<pki_types::CertificateDer<'static>> =
        pki_types::CertificateDer::pem_slice_iter(&read_pem(cert, "证书文件")?)
            .collect::<Result<_, _>>()
            .map_err(|_| format!("证书文件 {} 不是 PEM 格式的证书", cert.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "证书文件 {} 中没有证书（应含 -----BEGIN CERTIFICATE-----）",
            cert.display()
        ));
    }
    let private =
        pki_types::PrivateKeyDer::from_pem_slice(&read_pem(key, "私钥文件")?).map_err(|_| {
            format!(
                "私钥文件 {} 中没有可用的私钥（应为 PEM 格式的 PKCS#8、RSA 或 EC 私钥）",
                key.display()
            )
        })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS 配置失败：{e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, private)
        .map_err(|e| {
            format!(
                "证书 {} 与私钥 {} 无法配合使用：{e}",
                cert.display(),
                key.display()
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
