//! 解码 — standard base64 (RFC 4648, padded or not, newlines ignored) as chromedriver sends a
//! screenshot, decoded without a library.

/// The bytes `text` encodes. Characters outside the alphabet are read as `/` (chromedriver sends
/// none).
pub fn decode(text: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = text.bytes().filter(|c| *c != b'=' && *c != b'\n').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, c)| {
            acc | (u32::from(val(*c)) << (18 - 6 * i))
        });
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn base64_decodes_what_chromedriver_sends() {
        assert_eq!(decode("a2FvaGU="), b"kaohe");
        assert_eq!(decode("6ICD5qC4"), "考核".as_bytes());
    }
}
