//! 文件类型识别 — what a file is by its first bytes, whatever its name says: a table (CSV text or
//! an XLSX workbook) or something else given in its place (a PDF, an image, a Word file, an old
//! .xls, a zip archive that is not a workbook), so that a wrong file is named as what it is rather
//! than read as a table of strange columns.

use std::io::Read;
use std::path::Path;

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Text (a CSV export, or anything else that is text).
    Text,
    /// A zip archive holding an Excel workbook.
    Xlsx,
    /// Anything that is not a table: its name in Chinese ("PDF 文件", "PNG 图片", …).
    Other(&'static str),
}

impl FileKind {
    pub fn is_table(self) -> bool {
        matches!(self, FileKind::Text | FileKind::Xlsx)
    }
}

/// Bytes read to tell a text file from a binary one.
const SNIFF_BYTES: usize = 8 * 1024;

/// What the file at `path` is (an IO error when it cannot be read).
pub fn sniff_path(path: &Path) -> std::io::Result<FileKind> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    std::fs::File::open(path)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    if head.starts_with(b"PK\x03\x04") {
        let names = match zip::ZipArchive::new(std::fs::File::open(path)?) {
            Ok(z) => z
                .file_names()
                .flatten()
                .map(|n| n.into_owned())
                .collect::<Vec<_>>(),
            Err(_) => return Ok(FileKind::Other("损坏的 ZIP 压缩包")),
        };
        return Ok(zip_kind(&names));
    }
    Ok(sniff(&head))
}

/// What a zip archive with these entries is.
fn zip_kind(names: &[String]) -> FileKind {
    let has = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    if has("xl/") {
        FileKind::Xlsx
    } else if has("word/") {
        FileKind::Other("Word 文档（.docx）")
    } else if has("ppt/") {
        FileKind::Other("PowerPoint 演示文稿（.pptx）")
    } else {
        FileKind::Other("ZIP 压缩包（不是 Excel 工作簿）")
    }
}

/// What a file starting with `head` is (an XLSX needs its entries: see [`sniff_path`]).
pub fn sniff(head: &[u8]) -> FileKind {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF", "PDF 文件"),
        (b"\x89PNG", "PNG 图片"),
        (b"\xff\xd8\xff", "JPEG 图片"),
        (b"GIF8", "GIF 图片"),
        (b"BM", "BMP 图片"),
        (b"RIFF", "音视频或 WebP 图片"),
        (
            b"\xd0\xcf\x11\xe0",
            "旧版 Office 文件（.xls 或 .doc，请另存为 .xlsx 或 CSV）",
        ),
        (b"Rar!", "RAR 压缩包"),
        (b"7z\xbc\xaf", "7z 压缩包"),
        (b"\x1f\x8b", "GZIP 压缩包"),
        (b"PK\x03\x04", "ZIP 压缩包"),
        (b"{\\rtf", "RTF 文档"),
    ];
    for (magic, name) in MAGIC {
        if head.starts_with(magic) && !(*magic == b"BM" && looks_like_text(head)) {
            return FileKind::Other(name);
        }
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return FileKind::Other("图片或视频（HEIC/MP4）");
    }
    if looks_like_text(head) {
        FileKind::Text
    } else {
        FileKind::Other("二进制文件（不是文字表格）")
    }
}

/// Text: no NUL byte and few control characters (UTF-8, GBK and UTF-16 with a BOM all pass).
fn looks_like_text(head: &[u8]) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)))
        .count();
    !head.contains(&0) && controls * 100 <= head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_by_what_they_are() {
        assert_eq!(sniff(b"%PDF-1.4\n%\xe2\xe3"), FileKind::Other("PDF 文件"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), FileKind::Other("PNG 图片"));
        assert_eq!(
            sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"),
            FileKind::Other("JPEG 图片")
        );
        assert!(
            matches!(sniff(b"\xd0\xcf\x11\xe0\xa1\xb1"), FileKind::Other(n) if n.contains(".xls"))
        );
        assert_eq!(
            sniff("办件编号,事项编码\nX1,001\n".as_bytes()),
            FileKind::Text
        );
        // GBK text and a header that starts with "BM" are text.
        assert_eq!(
            sniff(b"\xb0\xec\xbc\xfe,\xca\xc2\xcf\xee\n"),
            FileKind::Text
        );
        assert_eq!(sniff(b"BMI,unit\n1,2\n"), FileKind::Text);
        assert_eq!(
            sniff(b"a\0b\0c\0"),
            FileKind::Other("二进制文件（不是文字表格）")
        );
        assert_eq!(sniff(b""), FileKind::Text);
    }

    #[test]
    fn a_zip_is_a_workbook_only_with_its_parts() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            zip_kind(&names(&["[Content_Types].xml", "xl/workbook.xml"])),
            FileKind::Xlsx
        );
        assert!(
            matches!(zip_kind(&names(&["word/document.xml"])), FileKind::Other(n) if n.contains("Word"))
        );
        assert!(
            matches!(zip_kind(&names(&["a.csv"])), FileKind::Other(n) if n.contains("不是 Excel"))
        );
    }

    #[test]
    fn a_real_workbook_and_a_zip_of_a_csv_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let x = dir.path().join("a.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write_string(0, 0, "单位").unwrap();
        wb.save(&x).unwrap();
        assert_eq!(sniff_path(&x).unwrap(), FileKind::Xlsx);
        let z = dir.path().join("b.zip");
        let mut w = zip::ZipWriter::new(std::fs::File::create(&z).unwrap());
        w.start_file("办件.csv", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, b"a,b\n").unwrap();
        w.finish().unwrap();
        assert!(matches!(sniff_path(&z).unwrap(), FileKind::Other(n) if n.contains("ZIP")));
    }
}
