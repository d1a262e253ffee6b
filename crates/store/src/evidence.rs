//! 佐证材料 — evidence files. Stored by the sha256 of their content (`evidence/ab/abcdef…`), never by
//! the name the user gave; the type is decided by the content's signature, never by the name; the
//! size is limited. Allowed: PDF, PNG, JPEG, GIF, WebP, Office documents (OOXML and the old OLE
//! formats), OFD (China's fixed-layout format, a zip with `OFD.xml`).

/// The largest file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// The MIME type of an allowed file, from its content; `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(b"%PDF-") {
        return Some("application/pdf");
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if starts(b"\xFF\xD8\xFF") {
        return Some("image/jpeg");
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some("image/gif");
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    if starts(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Some("application/x-ole-storage"); // .doc / .xls / .ppt
    }
    if starts(b"PK\x03\x04") {
        // A zip: only Office documents and OFD, recognised by the names of their parts.
        let head = &bytes[..bytes.len().min(64 * 1024)];
        let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
        if has(b"word/") {
            return Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        }
        if has(b"xl/") {
            return Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        }
        if has(b"ppt/") {
            return Some(
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            );
        }
        if has(b"OFD.xml") {
            return Some("application/ofd");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_content_not_by_name() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nIHDR"), Some("image/png"));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0JFIF"), Some("image/jpeg"));
        assert_eq!(
            sniff(b"PK\x03\x04....[Content_Types].xml....word/document.xml"),
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        );
        assert_eq!(sniff(b"MZ\x90\x00 an exe"), None);
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff(b"PK\x03\x04 some other zip"), None);
        assert_eq!(sniff(b""), None);
    }
}
