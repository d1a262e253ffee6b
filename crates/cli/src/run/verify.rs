//! `kaohe verify FILE [--key K]`: a sealed result file (as `GET /api/assessments/{id}/sealed/{version}`
//! serves it) checked by its SM2 signature; what was found printed in Chinese. Exit 0 when the
//! signature holds, 2 when it does not (or the file is not a signed result), 1 when the file cannot
//! be read.

use super::*;
use kaohe_app::verify::{self, MAX_BYTES};

/// Reads at most `limit` bytes of `path`, refusing a larger file by name.
fn read_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("无法读取{what} {}", path.display()))?;
    if meta.len() > limit {
        bail!(
            "{what} {} 过大：{} 字节，上限 {} MB",
            path.display(),
            meta.len(),
            limit / (1024 * 1024)
        );
    }
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .with_context(|| format!("无法读取{what} {}", path.display()))?;
    Ok(bytes)
}

pub fn verify(file: &Path, key: Option<&str>) -> Result<u8> {
    let bytes = read_limited(file, MAX_BYTES, "定档结果文件")?;
    // `--key` names a seal-sm2.pub file, or is the hex key itself.
    let expected = match key {
        None => None,
        Some(k) if Path::new(k).is_file() => {
            let b = read_limited(Path::new(k), 4096, "公钥文件")?;
            Some(verify::public_key_text(&String::from_utf8_lossy(&b)))
        }
        Some(k) => Some(k.trim().to_string()),
    };
    match verify::check(&bytes, expected.as_deref()) {
        Ok(v) => {
            let version = v.version.map(|n| format!("第 {n} 版")).unwrap_or_default();
            println!(
                "签名有效：{} 是未经改动的定档结果{version}（{} 个单位），SM2 签名（SM3，签名者标识 {}）成立",
                file.display(),
                v.units,
                kaohe_store::seal::USER_ID
            );
            println!("签名公钥指纹：{}", v.fingerprint);
            if expected.is_none() {
                println!(
                    "请将此指纹与考核反馈单或考核办公布的公钥（seal-sm2.pub）核对；也可用 --key 指定公钥"
                );
            }
            Ok(EXIT_OK)
        }
        Err(problem) => {
            eprintln!("验证失败：{}：{problem}", file.display());
            Ok(EXIT_INVALID)
        }
    }
}
