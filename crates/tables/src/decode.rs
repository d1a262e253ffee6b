//! Detects the text encoding of a CSV file: a UTF-8 BOM, a UTF-16 BOM, valid UTF-8, or else
//! GB18030 (a superset of GBK and GB2312, what Chinese Excel saves as "CSV"). A file that is none of
//! these is an error, never a mangled guess.

use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};

/// The encoding that was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16,
    Gb18030,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8（带BOM）",
            Encoding::Utf16 => "UTF-16",
            Encoding::Gb18030 => "GBK/GB18030",
        }
    }
}

/// Decodes bytes to text, or says why not.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), Encoding::Utf8Bom))
            .map_err(|e| {
                format!(
                    "文件以 UTF-8 BOM 开头，但第 {} 字节起不是有效的 UTF-8",
                    e.valid_up_to() + 4
                )
            });
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let enc = if bytes[0] == 0xFF { UTF_16LE } else { UTF_16BE };
        let (text, _, bad) = enc.decode(bytes);
        if bad {
            return Err("文件以 UTF-16 BOM 开头，但内容不是有效的 UTF-16".into());
        }
        return Ok((
            text.trim_start_matches('\u{feff}').to_string(),
            Encoding::Utf16,
        ));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), Encoding::Utf8));
    }
    let (text, bad) = GB18030.decode_without_bom_handling(bytes);
    if bad {
        return Err(
            "文件既不是 UTF-8 也不是 GBK/GB18030 编码，请另存为 UTF-8 或 GBK 的 CSV，或 XLSX"
                .into(),
        );
    }
    Ok((text.into_owned(), Encoding::Gb18030))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_encoding() {
        assert_eq!(
            decode("单位,得分".as_bytes()).unwrap(),
            ("单位,得分".into(), Encoding::Utf8)
        );
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("单位".as_bytes());
        assert_eq!(decode(&bom).unwrap(), ("单位".into(), Encoding::Utf8Bom));
        let (gbk, _, _) = encoding_rs::GBK.encode("掘港街道,0.05");
        assert_eq!(
            decode(&gbk).unwrap(),
            ("掘港街道,0.05".into(), Encoding::Gb18030)
        );
        let mut u16 = vec![0xFF, 0xFE];
        for c in "单位".encode_utf16() {
            u16.extend_from_slice(&c.to_le_bytes());
        }
        assert_eq!(decode(&u16).unwrap().0, "单位");
    }

    #[test]
    fn refuses_garbage() {
        assert!(decode(&[0x81, 0x20, 0xFF, 0xFF]).is_err());
    }
}
