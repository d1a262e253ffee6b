//! Text read from files, and text written into names (URLs, file names in headers).

/// `s` without leading and trailing whitespace, as [`str::trim`] (Unicode whitespace such as the
/// ideographic space U+3000 included), but returning at once when both ends are visible ASCII —
/// as almost every cell of a platform export is.
#[inline]
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&z)) if (b'!'..0x80).contains(&a) && (b'!'..0x80).contains(&z) => s,
        (None, _) => s,
        _ => s.trim(),
    }
}

/// `s` with every byte percent-encoded (`%E6%8E%98`) but ASCII letters, digits and the bytes in
/// `keep` — for a file name in a `Content-Disposition` header or a path in a URL.
pub fn percent_encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{percent_encode, trim};

    #[test]
    fn percent_encoding_keeps_only_what_is_asked() {
        assert_eq!(
            percent_encode("掘港 a-b.pdf", b"._-"),
            "%E6%8E%98%E6%B8%AF%20a-b.pdf"
        );
        assert_eq!(
            percent_encode("/tmp/如东 #1?/kaohe.db", b"/-._~"),
            "/tmp/%E5%A6%82%E4%B8%9C%20%231%3F/kaohe.db"
        );
    }

    #[test]
    fn trims_as_str_trim_does() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta b\r",
            "\u{3000}掘港镇\u{3000}",
            "掘港",
            "x\u{a0}",
            "~",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }
}
