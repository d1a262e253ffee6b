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
        }
        total += got;
    }
    Ok(())
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
    fn a_text_run_at_the_limit_passes_and_one_byte_more_is_refused() {
        assert!(run_limit("t.xlsx", "p", MAX_XML_RUN_BYTES).is_ok());
        assert!(run_limit("t.xlsx", "p", MAX_XML_RUN_BYTES + 1).is_err());
    }
}
