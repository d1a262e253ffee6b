//! URL text — percent-encoding, for the database URL of a data directory (its path may hold Chinese,
//! spaces, `#` or `?`) and for the server's file names and redirects. Not the scoring core's concern.

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
    use super::percent_encode;

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
        assert_eq!(percent_encode("1.4.2\r\n", b"-._~"), "1.4.2%0D%0A");
    }
}
