//! 压缩包检查 — an XLSX workbook is a zip archive, and calamine inflates its parts as it reads
//! them (the shared strings whole, when it opens the workbook). Before calamine sees the archive,
//! this looks at it with the `zip` crate (the one calamine uses): the number of entries, each
//! entry's declared size, the total and the compression ratio; then it inflates every part once,
//! into nothing, counting the bytes that really come out (a header may lie) and the longest run of
//! XML between two `<` (no text node of a cell may be longer than a cell may be). Memory stays flat:
//! one 64 KiB buffer.
//!
//! (The `zip` crate itself stops an entry that inflates past its declared size with an error; the
//! count here does not rely on it.)

use crate::limits::*;
use kaohe_core::{Origin, Problem};
use std::io::{Cursor, Read};

fn refuse(name: &str, msg: String, expected: String) -> Problem {
    Problem::error(msg)
        .at(Some(Origin::file(name)))
        .expected(expected)
}

/// Checks the archive of the workbook `name` (its bytes) against the limits.
pub fn check(name: &str, bytes: &[u8]) -> Result<(), Problem> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        refuse(
            name,
            "不是有效的 XLSX 工作簿：ZIP 压缩包结构损坏，或不是 ZIP 文件".into(),
            "Excel 2007 及以后的 .xlsx 文件".into(),
        )
    })?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(refuse(
            name,
            format!(
                "工作簿压缩包有 {} 个部件，超过上限 {MAX_ZIP_ENTRIES} 个",
                zip.len()
            ),
            format!("不超过 {MAX_ZIP_ENTRIES} 个部件的 .xlsx 文件"),
        ));
    }
    // Declared sizes first: refuse a bomb without inflating a byte of it.
    let mut declared_total = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|_| {
            refuse(
                name,
                format!("不是有效的 XLSX 工作簿：第 {} 个部件的目录项损坏", i + 1),
                "Excel 2007 及以后的 .xlsx 文件".into(),
            )
        })?;
        let part = part_name(f.name().ok().as_deref());
        part_limits(name, &part, f.size(), f.compressed_size())?;
        declared_total = declared_total.saturating_add(f.size());
        total_limit(name, declared_total)?;
    }
    // Then what really comes out of each part.
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|_| {
            refuse(
                name,
                format!("不是有效的 XLSX 工作簿：第 {} 个部件无法解压", i + 1),
                "Excel 2007 及以后的 .xlsx 文件".into(),
            )
        })?;
        if f.is_dir() {
            continue;
        }
        let part = part_name(f.name().ok().as_deref());
        let (declared, compressed) = (f.size(), f.compressed_size());
        let xml = {
            let n = part.to_ascii_lowercase();
            n.ends_with(".xml") || n.ends_with(".rels")
        };
        let sheet = part.contains("worksheets/");
        let mut refs = RefCheck::default();
        let (mut got, mut run) = (0u64, 0u64);
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                // The zip crate's own stop at the declared size (its words are English).
                Err(e)
                    if e.kind() == std::io::ErrorKind::InvalidData
                        && e.to_string().contains("declared uncompressed size") =>
                {
                    return Err(lying(name, &part, declared));
                }
                Err(_) => {
                    return Err(refuse(
                        name,
                        format!("不是有效的 XLSX 工作簿：部件“{part}”解压出错或校验和不符"),
                        "未损坏的 .xlsx 文件".into(),
                    ));
                }
            };
            got += n as u64;
            if got > declared {
                return Err(lying(name, &part, declared));
            }
            part_limits(name, &part, got, compressed)?;
            total_limit(name, total + got)?;
            if xml {
                // The run before this chunk's first `<` ends there; runs wholly inside a chunk
                // are shorter than the limit.
                run = match memchr::memchr(b'<', &buf[..n]) {
                    Some(first) => {
                        run_limit(name, &part, run + first as u64)?;
                        let last = memchr::memrchr(b'<', &buf[..n]).unwrap_or(first);
                        (n - last - 1) as u64
                    }
                    None => run + n as u64,
                };
                run_limit(name, &part, run)?;
            }
            if sheet {
                refs.feed(&buf[..n])
                    .map_err(|bad| bad_ref(name, &part, &bad))?;
            }
        }
        total += got;
    }
    Ok(())
}

/// Cell references (`r`, `ref`, `sqref` attributes) in a worksheet, checked as the part streams by:
/// calamine adds up a reference's letters and digits in a `u32` without a check, so `r="A99999999999"`
/// or seven letters overflow it (a panic in a debug build, a wrong cell otherwise). A reference of
/// more than 3 letters or 7 digits is no cell of Excel's (XFD1048576 is the last).
#[derive(Default)]
struct RefCheck {
    /// The bytes after the last `>` of the previous chunk (an unfinished tag).
    carry: Vec<u8>,
}

impl RefCheck {
    fn feed(&mut self, chunk: &[u8]) -> Result<(), String> {
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(chunk);
        let done = memchr::memrchr(b'>', &data).map_or(0, |p| p + 1);
        let result = check_refs(&data[..done]);
        // A tag is short: the run limit (checked on the same bytes) bounds what is carried.
        self.carry = data[done..].to_vec();
        if self.carry.len() as u64 > MAX_XML_RUN_BYTES {
            self.carry
                .drain(..self.carry.len() - MAX_XML_RUN_BYTES as usize);
        }
        result
    }
}

fn check_refs(b: &[u8]) -> Result<(), String> {
    for p in memchr::memmem::find_iter(b, b"=\"") {
        let name_start = b[..p]
            .iter()
            .rposition(|c| !c.is_ascii_alphanumeric() && *c != b':')
            .map_or(0, |i| i + 1);
        if !matches!(&b[name_start..p], b"r" | b"ref" | b"sqref") || name_start == 0 {
            continue;
        }
        if !b[name_start - 1].is_ascii_whitespace() {
            continue;
        }
        let value = &b[p + 2..];
        let value = &value[..memchr::memchr(b'"', value).unwrap_or(value.len())];
        let shown = |t: &[u8]| String::from_utf8_lossy(&t[..t.len().min(40)]).into_owned();
        for range in value.split(|c| *c == b' ') {
            let mut ends = Vec::new();
            for token in range.split(|c| *c == b':') {
                let token: Vec<u8> = token.iter().copied().filter(|c| *c != b'$').collect();
                let letters = token.iter().take_while(|c| c.is_ascii_alphabetic()).count();
                let digits = token[letters..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                if letters > 3 || digits > 7 {
                    return Err(shown(&token));
                }
                let col = token[..letters].iter().fold(0u32, |a, c| {
                    a * 26 + u32::from(c.to_ascii_uppercase() - b'A') + 1
                });
                let row = token[letters..letters + digits]
                    .iter()
                    .fold(0u32, |a, c| a * 10 + u32::from(c - b'0'));
                ends.push((col, row));
            }
            // calamine subtracts a range's start from its end without a check: the end must not
            // come before the start.
            if let [(c0, r0), (c1, r1)] = ends[..]
                && (c1 < c0 || r1 < r0)
            {
                return Err(shown(range));
            }
        }
    }
    Ok(())
}

fn bad_ref(name: &str, part: &str, bad: &str) -> Problem {
    refuse(
        name,
        format!("部件“{part}”中的单元格位置“{bad}”超出 Excel 的范围"),
        "单元格位置在 A1 到 XFD1048576 之内".into(),
    )
}

fn run_limit(name: &str, part: &str, run: u64) -> Result<(), Problem> {
    if run > MAX_XML_RUN_BYTES {
        return Err(refuse(
            name,
            format!(
                "部件“{part}”中有一段文字超过 {MAX_XML_RUN_BYTES} 字节，超过单元格 {MAX_CELL_CHARS} 个字符的上限"
            ),
            format!("每个单元格不超过 {MAX_CELL_CHARS} 个字符（Excel 的上限）"),
        ));
    }
    Ok(())
}

/// A part's name as problems show it.
fn part_name(name: Option<&str>) -> String {
    name.map(shown).unwrap_or_else(|| "（名称无法识别）".into())
}

fn lying(name: &str, part: &str, declared: u64) -> Problem {
    refuse(
        name,
        format!(
            "部件“{part}”解压后大于它声明的 {}（压缩包头被篡改或文件损坏）",
            size_text(declared)
        ),
        "未损坏的 .xlsx 文件".into(),
    )
}

fn part_limits(name: &str, part: &str, size: u64, compressed: u64) -> Result<(), Problem> {
    let shared = part.to_ascii_lowercase().ends_with("sharedstrings.xml");
    let (limit, what) = if shared {
        (MAX_SHARED_STRINGS_BYTES, "共享字符串部件")
    } else {
        (MAX_ZIP_PART_BYTES, "单个部件")
    };
    if size > limit {
        return Err(refuse(
            name,
            format!(
                "部件“{part}”解压后为 {}，超过{what}的上限 {}",
                size_text(size),
                size_text(limit)
            ),
            format!("{what}解压后不超过 {}", size_text(limit)),
        ));
    }
    if size > RATIO_FLOOR_BYTES && size > compressed.saturating_mul(MAX_ZIP_RATIO) {
        return Err(refuse(
            name,
            format!(
                "部件“{part}”的压缩比为 {}:1（{} 压缩为 {}），超过上限 {MAX_ZIP_RATIO}:1，疑为压缩炸弹",
                size / compressed.max(1),
                size_text(size),
                size_text(compressed)
            ),
            format!(
                "大于 {} 的部件压缩比不超过 {MAX_ZIP_RATIO}:1",
                size_text(RATIO_FLOOR_BYTES)
            ),
        ));
    }
    Ok(())
}

fn total_limit(name: &str, total: u64) -> Result<(), Problem> {
    if total > MAX_ZIP_TOTAL_BYTES {
        return Err(refuse(
            name,
            format!("工作簿解压后超过 {} 的上限", size_text(MAX_ZIP_TOTAL_BYTES)),
            format!(
                "全部部件解压后合计不超过 {}",
                size_text(MAX_ZIP_TOTAL_BYTES)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_at_the_limit_passes_and_one_byte_more_is_refused() {
        let c = RATIO_FLOOR_BYTES; // compressed; uncompressed well past the floor
        assert!(part_limits("t.xlsx", "xl/worksheets/sheet1.xml", c * MAX_ZIP_RATIO, c).is_ok());
        let e = part_limits(
            "t.xlsx",
            "xl/worksheets/sheet1.xml",
            c * MAX_ZIP_RATIO + 1,
            c,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("t.xlsx") && e.contains("超过上限 250:1"), "{e}");
        // Small parts are not held to the ratio.
        assert!(part_limits("t.xlsx", "a.xml", RATIO_FLOOR_BYTES, 1).is_ok());
    }

    #[test]
    fn part_sizes_at_the_limit_pass_and_one_byte_more_is_refused() {
        let big = u64::MAX / 1024;
        for (part, limit) in [
            ("xl/sharedStrings.xml", MAX_SHARED_STRINGS_BYTES),
            ("xl/worksheets/sheet1.xml", MAX_ZIP_PART_BYTES),
        ] {
            assert!(part_limits("t.xlsx", part, limit, big).is_ok());
            let e = part_limits("t.xlsx", part, limit + 1, big)
                .unwrap_err()
                .to_string();
            assert!(e.contains(part) && e.contains(&size_text(limit)), "{e}");
        }
        assert!(total_limit("t.xlsx", MAX_ZIP_TOTAL_BYTES).is_ok());
        assert!(total_limit("t.xlsx", MAX_ZIP_TOTAL_BYTES + 1).is_err());
    }

    #[test]
    fn cell_references_past_excels_range_are_refused_before_calamine_adds_them_up() {
        assert!(check_refs(br#"<row r="1048576"><c r="XFD1048576" s="1"/></row>"#).is_ok());
        assert!(
            check_refs(br#"<dimension ref="A1:XFD1048576"/><selection sqref="A1 B2:C3"/>"#).is_ok()
        );
        assert!(check_refs(br#"<pageMargins header="0.3" footer="12345678901234"/>"#).is_ok());
        assert_eq!(
            check_refs(br#"<c r="A99999999999" t="s">"#),
            Err("A99999999999".into())
        );
        assert_eq!(check_refs(br#"<row r="12345678">"#), Err("12345678".into()));
        assert_eq!(
            check_refs(br#"<dimension ref="A1:ZZZZZZZ1"/>"#),
            Err("ZZZZZZZ1".into())
        );
        // A tag cut between two chunks.
        let mut c = RefCheck::default();
        assert!(c.feed(br#"<row><c r="A9999"#).is_ok());
        assert_eq!(c.feed(br#"9999999"/></row>"#), Err("A99999999999".into()));
    }

    #[test]
    fn a_text_run_at_the_limit_passes_and_one_byte_more_is_refused() {
        assert!(run_limit("t.xlsx", "p", MAX_XML_RUN_BYTES).is_ok());
        assert!(run_limit("t.xlsx", "p", MAX_XML_RUN_BYTES + 1).is_err());
    }
}
