//! 佐证材料 — evidence files. Stored by the sha256 of their content (`evidence/ab/abcdef…`), never by
//! the name the user gave; the type is decided by the content's signature, never by the name; the
//! size is limited. Allowed: PDF, PNG, JPEG, GIF, WebP, Office documents (OOXML and the old OLE
//! formats), OFD (China's fixed-layout format, a zip with `OFD.xml`).

/// The largest file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// The MIME type of an allowed file, from its content; `None` for anything else (see [`check`]
/// for why).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    check(bytes).ok()
}

/// The MIME type of an allowed file, or why it is refused (Chinese). An image must be an image
/// through and through — its structure walked to its end (PNG chunks to `IEND`, JPEG segments to
/// `EOI`, GIF blocks to the trailer, the RIFF size of a WebP) with nothing after it, and no HTML or
/// script marker anywhere in it; a PDF may hold no active content (JavaScript, actions run on
/// opening or on events, launching programs, embedded files), also inside compressed streams.
pub fn check(bytes: &[u8]) -> Result<&'static str, String> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    let image = |mime: &'static str, ok: Result<(), String>| -> Result<&'static str, String> {
        ok?;
        if let Some(m) = html_marker(bytes) {
            return Err(format!("图片中含有网页或脚本标记“{m}”，不是单纯的图片"));
        }
        Ok(mime)
    };
    if starts(b"%PDF-") {
        if let Some(name) = pdf_active(bytes) {
            return Err(format!(
                "PDF 含有可执行的内容（/{name}），请另存为不含脚本、动作与附件的 PDF"
            ));
        }
        return Ok("application/pdf");
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return image("image/png", png(bytes));
    }
    if starts(b"\xFF\xD8\xFF") {
        return image("image/jpeg", jpeg(bytes));
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return image("image/gif", gif(bytes));
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return image("image/webp", webp(bytes));
    }
    if starts(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Ok("application/x-ole-storage"); // .doc / .xls / .ppt
    }
    if starts(b"PK\x03\x04") {
        // A zip: only Office documents and OFD, recognised by the names of their parts.
        let head = &bytes[..bytes.len().min(64 * 1024)];
        let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
        if has(b"word/") {
            return Ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        }
        if has(b"xl/") {
            return Ok("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        }
        if has(b"ppt/") {
            return Ok("application/vnd.openxmlformats-officedocument.presentationml.presentation");
        }
        if has(b"OFD.xml") {
            return Ok("application/ofd");
        }
    }
    Err("不支持的文件类型".into())
}

/// Markers of HTML or script that have no business in an image (case folded).
const HTML_MARKERS: &[&str] = &[
    "<html",
    "<head",
    "<body",
    "<script",
    "<iframe",
    "<svg",
    "<object",
    "<embed",
    "<meta",
    "<?php",
    "<!doctype",
    "javascript:",
    "onerror=",
    "onload=",
];

fn html_marker(bytes: &[u8]) -> Option<&'static str> {
    // Every marker starts with `<`, `j` or `o`; look only where one of those is.
    for (i, &b) in bytes.iter().enumerate() {
        if !matches!(b, b'<' | b'j' | b'J' | b'o' | b'O') {
            continue;
        }
        for m in HTML_MARKERS {
            let m_b = m.as_bytes();
            if bytes.len() - i >= m_b.len() && bytes[i..i + m_b.len()].eq_ignore_ascii_case(m_b) {
                return Some(m);
            }
        }
    }
    None
}

fn be32(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}

/// PNG: `IHDR` first (13 bytes), chunks of (length, ASCII type, data, CRC) to `IEND`, then nothing.
fn png(b: &[u8]) -> Result<(), String> {
    let bad = |why: &str| Err(format!("PNG 图片结构不完整或有误：{why}"));
    let mut at = 8;
    let mut first = true;
    loop {
        let (Some(len), Some(kind)) = (be32(b, at), b.get(at + 4..at + 8)) else {
            return bad("数据块在文件末尾前中断");
        };
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return bad("数据块类型不是字母");
        }
        if first && (kind != b"IHDR" || len != 13) {
            return bad("第一个数据块不是 IHDR");
        }
        first = false;
        let end = at
            .checked_add(12)
            .and_then(|x| x.checked_add(len))
            .filter(|&e| e <= b.len());
        let Some(end) = end else {
            return bad("数据块长度超出文件");
        };
        if kind == b"IEND" {
            return if end == b.len() {
                Ok(())
            } else {
                bad("IEND 之后还有其他内容")
            };
        }
        at = end;
    }
}

/// JPEG: segments with their lengths from `SOI`, entropy-coded data after each `SOS`, to `EOI`;
/// then nothing (or only zero padding).
fn jpeg(b: &[u8]) -> Result<(), String> {
    let bad = |why: &str| Err(format!("JPEG 图片结构不完整或有误：{why}"));
    let mut at = 2;
    loop {
        // Fill bytes (0xFF) may come before a marker.
        while b.get(at) == Some(&0xFF) && b.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(&0xFF), Some(&m)) = (b.get(at), b.get(at + 1)) else {
            return bad("缺少段标记或文件提前结束");
        };
        at += 2;
        match m {
            0xD9 => {
                return if b[at..].iter().all(|&x| x == 0) {
                    Ok(())
                } else {
                    bad("EOI 之后还有其他内容")
                };
            }
            0x01 | 0xD0..=0xD7 => continue,
            0x00 => return bad("无效的段标记"),
            _ => {}
        }
        let Some(len) = b
            .get(at..at + 2)
            .map(|x| u16::from_be_bytes([x[0], x[1]]) as usize)
        else {
            return bad("段长度缺失");
        };
        if len < 2 || at + len > b.len() {
            return bad("段长度超出文件");
        }
        at += len;
        if m == 0xDA {
            // Entropy-coded data: to the next marker that is not a stuffed 0x00 or a restart.
            loop {
                let Some(p) = b[at..].iter().position(|&x| x == 0xFF) else {
                    return bad("图像数据后缺少 EOI");
                };
                at += p;
                match b.get(at + 1) {
                    Some(0x00) | Some(0xD0..=0xD7) | Some(0xFF) => at += 1,
                    Some(_) => break,
                    None => return bad("图像数据后缺少 EOI"),
                }
            }
        }
    }
}

/// GIF: header, logical screen (and its colour table), then extension and image blocks with their
/// sub-blocks, to the trailer `;`; then nothing (or only zero padding).
fn gif(b: &[u8]) -> Result<(), String> {
    let bad = |why: &str| Err(format!("GIF 图片结构不完整或有误：{why}"));
    let table = |flags: u8| {
        if flags & 0x80 != 0 {
            3usize << ((flags & 7) + 1)
        } else {
            0
        }
    };
    let Some(&flags) = b.get(10) else {
        return bad("缺少逻辑屏幕描述");
    };
    let mut at = 13 + table(flags);
    let sub_blocks = |mut at: usize| -> Option<usize> {
        loop {
            let n = *b.get(at)? as usize;
            at += 1 + n;
            if n == 0 {
                return Some(at);
            }
        }
    };
    loop {
        match b.get(at) {
            Some(0x3B) => {
                return if b[at + 1..].iter().all(|&x| x == 0) {
                    Ok(())
                } else {
                    bad("结尾标记之后还有其他内容")
                };
            }
            Some(0x21) => match sub_blocks(at + 2) {
                Some(next) => at = next,
                None => return bad("扩展块在文件末尾前中断"),
            },
            Some(0x2C) => {
                let Some(&f) = b.get(at + 9) else {
                    return bad("图像描述在文件末尾前中断");
                };
                // Descriptor (10), local colour table, LZW code size (1), data sub-blocks.
                match sub_blocks(at + 10 + table(f) + 1) {
                    Some(next) => at = next,
                    None => return bad("图像数据在文件末尾前中断"),
                }
            }
            _ => return bad("无法识别的数据块或缺少结尾标记"),
        }
    }
}

/// WebP: the RIFF size says where the file ends, and it does end there.
fn webp(b: &[u8]) -> Result<(), String> {
    let size = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
    let kind = b.get(12..16).unwrap_or_default();
    if size.checked_add(8) != Some(b.len()) && size.checked_add(9) != Some(b.len()) {
        return Err("WebP 图片的长度与其声明的不符".into());
    }
    if !matches!(kind, b"VP8 " | b"VP8L" | b"VP8X") {
        return Err("WebP 图片缺少图像数据块".into());
    }
    Ok(())
}

/// PDF names of active content.
const PDF_ACTIVE: &[&str] = &[
    "JavaScript",
    "JS",
    "OpenAction",
    "AA",
    "Launch",
    "EmbeddedFile",
    "EmbeddedFiles",
    "RichMedia",
    "XFA",
    "SubmitForm",
    "ImportData",
    "GoToR",
    "GoToE",
];

/// Bytes inflated from a PDF's object streams, all together, at most (a stream bomb is refused as
/// such). Object streams hold only dictionaries: a few hundred KB in a real document.
const PDF_INFLATE_LIMIT: usize = 32 * 1024 * 1024;

/// The first name of active content in a PDF, in its bytes or in any FlateDecode stream (object
/// streams hide dictionaries there). Names are compared after `#xx` escapes are decoded.
fn pdf_active(b: &[u8]) -> Option<String> {
    if let Some(n) = pdf_names(b) {
        return Some(n);
    }
    let mut budget = PDF_INFLATE_LIMIT;
    let mut at = 0;
    while let Some(p) = find(&b[at..], b"stream") {
        let start = at + p + 6;
        at = start;
        // "endstream" also contains "stream".
        if at >= 9 + 6 && &b[at - 9..at] == b"endstream" {
            continue;
        }
        let data_start = match b.get(start..start + 2) {
            Some(b"\r\n") => start + 2,
            Some([b'\n', _]) | Some([b'\r', _]) => start + 1,
            _ => continue,
        };
        let Some(len) = find(&b[data_start..], b"endstream") else {
            break;
        };
        let data = &b[data_start..data_start + len];
        // Only object streams hold dictionaries (where actions are); images and page content
        // are not inflated. The stream's dictionary lies between its `obj` and `stream`.
        let dict_from = b[..start]
            .windows(3)
            .rposition(|w| w == b"obj")
            .unwrap_or(0);
        if first_name(&b[dict_from..start], |n| n == b"ObjStm").is_none() {
            at = data_start + len;
            continue;
        }
        let mut out = Vec::new();
        let mut z = flate2::read::ZlibDecoder::new(data);
        use std::io::Read;
        let _ = (&mut z).take(budget as u64 + 1).read_to_end(&mut out);
        if out.len() > budget {
            return Some("（压缩流解压后过大）".into());
        }
        budget -= out.len();
        if let Some(n) = pdf_names(&out) {
            return Some(n);
        }
        at = data_start + len;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The first PDF name token in `b` that is active content.
fn pdf_names(b: &[u8]) -> Option<String> {
    let hit = first_name(b, |n| PDF_ACTIVE.iter().any(|a| a.as_bytes() == n))?;
    Some(String::from_utf8_lossy(&hit).into_owned())
}

/// The first name token in `b` (its `#xx` escapes decoded) for which `want` holds.
fn first_name(b: &[u8], want: impl Fn(&[u8]) -> bool) -> Option<Vec<u8>> {
    let delim = |c: u8| c.is_ascii_whitespace() || b"()<>[]{}/%".contains(&c);
    let mut i = 0;
    while let Some(p) = b[i..].iter().position(|&c| c == b'/') {
        let mut j = i + p + 1;
        let mut name = Vec::new();
        while j < b.len() && !delim(b[j]) {
            if b[j] == b'#'
                && let Some(h) = b.get(j + 1..j + 3)
                && let Ok(v) = u8::from_str_radix(std::str::from_utf8(h).unwrap_or("zz"), 16)
            {
                name.push(v);
                j += 3;
                continue;
            }
            name.push(b[j]);
            j += 1;
        }
        if want(&name) {
            return Some(name);
        }
        i = j.max(i + p + 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 PNG (a real one: IHDR, IDAT, IEND).
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82";
    /// A 1×1 GIF89a.
    const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    /// A minimal baseline JPEG's structure: SOI, APP0, SOS with entropy data (a stuffed 0xFF00 and
    /// a restart marker inside), EOI.
    const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x12\xff\x00\x34\xff\xd0\x56\xff\xd9";

    #[test]
    fn by_content_not_by_name() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(sniff(PNG), Some("image/png"));
        assert_eq!(sniff(JPEG), Some("image/jpeg"));
        assert_eq!(sniff(GIF), Some("image/gif"));
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

    #[test]
    fn gif89a_followed_by_html_is_not_an_image() {
        // Issue 9: `GIF89a` + HTML was stored as image/gif.
        let e = check(b"GIF89a<html><script>alert(document.cookie)</script></html>").unwrap_err();
        assert!(e.starts_with("GIF 图片结构不完整或有误"), "{e}");
        // A whole GIF with HTML after its trailer, or inside a comment block.
        let mut after = GIF.to_vec();
        after.extend_from_slice(b"<script>alert(1)</script>");
        assert!(
            check(&after)
                .unwrap_err()
                .contains("结尾标记之后还有其他内容")
        );
        let mut inside = GIF[..GIF.len() - 1].to_vec();
        inside.extend_from_slice(b"!\xfe\x12<script>x</script>\x00;");
        assert_eq!(
            check(&inside).unwrap_err(),
            "图片中含有网页或脚本标记“<script”，不是单纯的图片"
        );
    }

    #[test]
    fn a_png_is_walked_chunk_by_chunk_to_iend() {
        assert_eq!(check(PNG), Ok("image/png"));
        assert!(
            check(&PNG[..PNG.len() - 4])
                .unwrap_err()
                .contains("超出文件")
        );
        let mut after = PNG.to_vec();
        after.extend_from_slice(b"<html>");
        assert!(check(&after).unwrap_err().contains("IEND 之后还有其他内容"));
        // A text chunk holding a script.
        let mut text = PNG[..33].to_vec();
        text.extend_from_slice(b"\x00\x00\x00\x14tEXtc\x00<script>x</script>\x00\x00\x00\x00");
        text.extend_from_slice(&PNG[33..]);
        assert!(
            check(&text).unwrap_err().contains("“<script”"),
            "{:?}",
            check(&text)
        );
        assert!(check(b"\x89PNG\r\n\x1a\n<html><body>").is_err());
    }

    #[test]
    fn a_jpeg_is_walked_segment_by_segment_to_eoi() {
        assert_eq!(check(JPEG), Ok("image/jpeg"));
        assert!(
            check(&JPEG[..JPEG.len() - 2])
                .unwrap_err()
                .contains("缺少 EOI")
        );
        let mut after = JPEG.to_vec();
        after.extend_from_slice(b"<html>");
        assert!(check(&after).unwrap_err().contains("EOI 之后还有其他内容"));
        assert!(check(b"\xFF\xD8\xFF\xE0JFIF<html>").is_err());
    }

    #[test]
    fn a_pdf_with_active_content_is_refused() {
        for (name, pdf) in [
            (
                "JavaScript",
                &b"%PDF-1.7\n1 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj"[..],
            ),
            ("JS", b"%PDF-1.7\n1 0 obj << /JS (x) >> endobj"),
            (
                "OpenAction",
                b"%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj",
            ),
            (
                "Launch",
                b"%PDF-1.7\n2 0 obj << /S /Launch /F (cmd.exe) >> endobj",
            ),
            ("AA", b"%PDF-1.7\n3 0 obj << /AA << /O 4 0 R >> >> endobj"),
            (
                "EmbeddedFile",
                b"%PDF-1.7\n5 0 obj << /Type /EmbeddedFile >> endobj",
            ),
            // A name with #xx escapes is the same name.
            (
                "JavaScript",
                b"%PDF-1.7\n1 0 obj << /S /Java#53cript >> endobj",
            ),
        ] {
            let e = check(pdf).unwrap_err();
            assert!(e.contains(&format!("（/{name}）")), "{name}: {e}");
        }
        // Hidden in a compressed object stream.
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>")
            .unwrap();
        let mut pdf =
            b"%PDF-1.7\n4 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&z.finish().unwrap());
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF");
        assert!(check(&pdf).unwrap_err().contains("/JavaScript"));
        // A plain PDF (names like /JSON-ish or /AAA are not /JS or /AA).
        assert_eq!(
            check(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R /AAA 1 /JSX 2 >> endobj"),
            Ok("application/pdf")
        );
    }
}
