//! 读取上限 — every bound on what kaohe reads from a user's file, in one place. Each is checked
//! before the work it bounds (a file's size before it is read, a workbook's parts before they are
//! inflated, a sheet's cells as they stream), and going past one is an error naming the file and
//! the limit, never a silent cut. README.md "Limits of what kaohe reads" lists them all.

/// Bytes of one small table (units, metrics, judgements, findings, bonus) given as CSV. These tables
/// hold one row per unit and clause: a county's are a few hundred KB; 64 MiB is a thousand times
/// that, and the decoded text of such a file stays well under the memory bound.
pub const MAX_TABLE_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Bytes of one XLSX workbook (compressed). Excel's own largest sheet (1,048,576 rows) of a
/// platform export is some 60–90 MB; beyond this, export CSV, which streams.
pub const MAX_XLSX_FILE_BYTES: u64 = 128 * 1024 * 1024;

/// Columns of a header or row (CSV and XLSX). The widest real table (a platform's case export) has
/// about 30 columns; 1,024 leaves room for any export while keeping a row's worst case (columns ×
/// [`MAX_CELL_CHARS`]) and the header matching small. Excel allows 16,384, which only a generated
/// file fills.
pub const MAX_COLUMNS: usize = 1024;

/// Characters in one cell (CSV field or XLSX cell): Excel's own limit, 32,767.
pub const MAX_CELL_CHARS: usize = 32_767;

/// The largest number a cell may hold, in absolute value: 15 digits, what Excel keeps. Sums of
/// such numbers over every unit and clause stay far inside `Decimal`'s range (a score of
/// 79,228,162,514,264,337,593,543,950,335 overflowed the engine's sums: a panic).
pub const MAX_CELL_NUMBER: i64 = 999_999_999_999_999;

/// Bytes of one CSV record of a platform export (a row, all its fields). A case row is under 1 KB;
/// a record longer than this is no case row (e.g. a file without line breaks, or an unclosed quote).
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// Cells kept for one table read whole (an XLSX sheet, a small CSV table), counting the empty cells
/// a row needs up to its last filled one. 4 million is a 1,048,576-row sheet of 4 columns, or
/// 200,000 rows of 20 — larger platform exports stream as CSV. It bounds the cells in memory
/// (24 bytes each before their text).
pub const MAX_SHEET_CELLS: u64 = 4_000_000;

/// Bytes of text kept for one XLSX sheet, all cells together. A shared string is stored once in the
/// file but copied into every cell that uses it; this bounds the copies.
pub const MAX_SHEET_TEXT_BYTES: u64 = 128 * 1024 * 1024;

/// Bytes of one run of XML between two `<` in a workbook part: the longest text a cell or shared
/// string may hold ([`MAX_CELL_CHARS`] characters, each written with up to 10 bytes as `&#x10FFFF;`)
/// plus room for a tag. Checked while the parts are inflated, before calamine reads them, so that no
/// single text node is taken into memory whole past it.
pub const MAX_XML_RUN_BYTES: u64 = MAX_CELL_CHARS as u64 * 10 + 4096;

/// Rows of an XLSX sheet: Excel's own limit.
pub const MAX_XLSX_ROWS: u32 = 1_048_576;

/// Entries (parts) of an XLSX zip archive. A workbook has a dozen parts plus a few per sheet.
pub const MAX_ZIP_ENTRIES: usize = 10_000;

/// Uncompressed bytes of one part of an XLSX workbook (a sheet's XML). [`MAX_SHEET_CELLS`] cells
/// of about 100 bytes of XML each fit in it.
pub const MAX_ZIP_PART_BYTES: u64 = 512 * 1024 * 1024;

/// Uncompressed bytes of all parts of an XLSX workbook together.
pub const MAX_ZIP_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;

/// Uncompressed bytes of the shared-strings part, which is read whole into memory when the
/// workbook opens. A 1,048,576-row export with a unique 30-character text per row is about 60 MB.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 96 * 1024 * 1024;

/// Compression ratio (uncompressed : compressed) allowed for a part larger than
/// [`RATIO_FLOOR_BYTES`]. Worksheet XML compresses about 5–20 : 1, a sheet of repeated rows up to
/// about 100 : 1; a decompression bomb reaches 1,000 : 1 (deflate's limit).
pub const MAX_ZIP_RATIO: u64 = 250;

/// Parts smaller than this are not held to [`MAX_ZIP_RATIO`] (tiny parts compress oddly).
pub const RATIO_FLOOR_BYTES: u64 = 1024 * 1024;

/// Problems listed for one read; those past it are counted in one last problem
/// ("还有 N 个问题未列出"), so that a broken file cannot flood the screen or the page.
pub const MAX_PROBLEMS: usize = 1000;

/// Characters of a raw value shown in a problem; a longer value is cut with a note of its length.
pub const MAX_SHOWN_CHARS: usize = 200;

/// `bytes` as a person reads a size: "64 MiB", "1.5 KiB", "300 字节".
pub fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    const GIB: u64 = 1024 * 1024 * 1024;
    let (unit, name) = match bytes {
        b if b >= GIB => (GIB, "GiB"),
        b if b >= MIB => (MIB, "MiB"),
        b if b >= KIB => (KIB, "KiB"),
        _ => return format!("{bytes} 字节"),
    };
    if bytes.is_multiple_of(unit) {
        format!("{} {name}", bytes / unit)
    } else {
        format!("{:.1} {name}", bytes as f64 / unit as f64)
    }
}

/// A raw value as a problem shows it: at most [`MAX_SHOWN_CHARS`] characters, a longer one cut with
/// its length said.
pub fn shown(raw: &str) -> String {
    match raw.char_indices().nth(MAX_SHOWN_CHARS) {
        None => raw.to_string(),
        Some((cut, _)) => format!("{}…（共 {} 个字符）", &raw[..cut], raw.chars().count()),
    }
}

/// Characters of a problem's message kept (a message may quote a cell).
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// A limit in one file's reading where the problems are trimmed (to [`MAX_PROBLEMS`]) while a large
/// file is still being read, so that a bad row repeated ten million times costs no memory.
pub const TRIM_PROBLEMS_AT: usize = 4 * MAX_PROBLEMS;

fn cut_to(text: &mut String, max: usize) {
    if let Some((cut, _)) = text.char_indices().nth(max) {
        let n = text.chars().count();
        text.truncate(cut);
        text.push_str(&format!("…（共 {n} 个字符）"));
    }
}

/// The counts of a summary problem made by [`cap_problems`]: (problems left out, errors among them).
pub fn summary_counts(p: &kaohe_core::Problem) -> Option<(usize, usize)> {
    let rest = p.message.strip_prefix("还有 ")?;
    let (n, tail) = rest.split_once(" 个问题未列出")?;
    let n: usize = n.parse().ok()?;
    let errors = tail
        .strip_prefix("（其中错误 ")
        .and_then(|t| t.split_once(' '))
        .and_then(|(e, _)| e.parse().ok())
        .unwrap_or(0);
    Some((n, errors))
}

/// Keeps the first [`MAX_PROBLEMS`] problems and replaces the rest by one that counts them (adding
/// up the counts of earlier summaries, so that it may be called again as reading goes on). Errors
/// are kept before notes and warnings, so a cut never hides that a file was refused; a kept
/// problem's quoted value and message are cut to [`MAX_SHOWN_CHARS`] and [`MAX_MESSAGE_CHARS`].
pub fn cap_problems(problems: &mut Vec<kaohe_core::Problem>) {
    let (mut rest, mut errors_cut) = (0usize, 0usize);
    problems.retain(|p| match summary_counts(p) {
        Some((n, e)) => {
            rest += n;
            errors_cut += e;
            false
        }
        None => true,
    });
    if problems.len() > MAX_PROBLEMS {
        // Stable: errors first, each kind in the order met.
        problems.sort_by_key(|p| !p.is_error());
        rest += problems.len() - MAX_PROBLEMS;
        errors_cut += problems[MAX_PROBLEMS..]
            .iter()
            .filter(|p| p.is_error())
            .count();
        problems.truncate(MAX_PROBLEMS);
    }
    for p in problems.iter_mut() {
        cut_to(&mut p.message, MAX_MESSAGE_CHARS);
        if let Some(v) = p.value.as_mut() {
            cut_to(v, MAX_SHOWN_CHARS);
        }
    }
    if rest == 0 {
        return;
    }
    let p = if errors_cut > 0 {
        kaohe_core::Problem::error(format!(
            "还有 {rest} 个问题未列出（其中错误 {errors_cut} 个；只列出前 {MAX_PROBLEMS} 个）"
        ))
    } else {
        kaohe_core::Problem::note(format!(
            "还有 {rest} 个问题未列出（只列出前 {MAX_PROBLEMS} 个）"
        ))
    };
    problems.push(p);
}

/// Trims `problems` while a file is read, once they pass [`TRIM_PROBLEMS_AT`].
pub fn trim_problems(problems: &mut Vec<kaohe_core::Problem>) {
    if problems.len() > TRIM_PROBLEMS_AT {
        cap_problems(problems);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaohe_core::Problem;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_text(64 * 1024 * 1024), "64 MiB");
        assert_eq!(size_text(1536), "1.5 KiB");
        assert_eq!(size_text(300), "300 字节");
    }

    #[test]
    fn a_long_value_is_shown_cut_with_its_length() {
        let at = "字".repeat(MAX_SHOWN_CHARS);
        assert_eq!(shown(&at), at);
        let past = "字".repeat(MAX_SHOWN_CHARS + 1);
        assert_eq!(
            shown(&past),
            format!("{at}…（共 {} 个字符）", MAX_SHOWN_CHARS + 1)
        );
    }

    #[test]
    fn problems_past_the_cap_are_counted_in_one_errors_first() {
        let mut at: Vec<Problem> = (0..MAX_PROBLEMS)
            .map(|i| Problem::note(format!("{i}")))
            .collect();
        cap_problems(&mut at);
        assert_eq!(at.len(), MAX_PROBLEMS);
        let mut past: Vec<Problem> = (0..MAX_PROBLEMS + 5)
            .map(|i| Problem::note(format!("{i}")))
            .collect();
        past.push(Problem::error("坏"));
        cap_problems(&mut past);
        assert_eq!(past.len(), MAX_PROBLEMS + 1);
        assert_eq!(past[0].message, "坏");
        assert!(past.last().unwrap().message.contains("还有 6 个问题未列出"));
        assert!(!past.last().unwrap().is_error());
        // Called again, the counts add up and errors cut keep the summary an error.
        past.extend((0..MAX_PROBLEMS).map(|_| Problem::error("又坏")));
        cap_problems(&mut past);
        assert_eq!(past.len(), MAX_PROBLEMS + 1);
        let last = past.last().unwrap();
        assert_eq!(summary_counts(last), Some((6 + MAX_PROBLEMS, 1)));
        assert!(last.is_error());
        // A long quoted value is cut.
        let mut one = vec![Problem::error("x").value("字".repeat(5000))];
        cap_problems(&mut one);
        assert!(
            one[0]
                .value
                .as_ref()
                .unwrap()
                .ends_with("…（共 5000 个字符）")
        );
    }
}
